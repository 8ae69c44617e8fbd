"""The vectorised adaptive refinement loop shared by every public function.

Each point (a scalar derivative, a gradient component, a Hessian direction...)
is refined independently, but all *active* points are evaluated together: one
call of the evaluator per level, two nodes per point.  A point leaves the
active set as soon as its error estimate is good enough.

Points that share a stencil state (kind of stencil, number of levels in the
window) form a *cohort* whose arrays are contiguous, so the common path has no
gathers or scatters.  Per point the window holds up to ``W`` levels with steps
``H, H/2, H/4, ...`` (central) or ``H, H/2, ..., H/4**(m-1)/2`` (one-sided) and
extrapolates over them (see :mod:`dfdx.numeric._stencils`).  The estimate from
the full window is compared with the estimate without its smallest-step level;
that difference plus a rounding term ``4 eps sum|w| |f| / H**n`` is the
reported error.  Safeguards:

* levels that disagree more as the step shrinks mean the step is far too large
  for ``f`` (a fast oscillation, a huge relative step): the window restarts 16x
  below its smallest step;
* a full window that has not converged slides to smaller steps;
* a non-finite value shrinks the step, then (``fallback``) switches that point
  to a one-sided stencil on the side where ``f`` is finite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dfdx._core.result import Status
from dfdx.numeric._cohort import Cohort, merge, upgrade
from dfdx.numeric._level import advance
from dfdx.numeric._lookahead import levels_for, lookahead
from dfdx.numeric._stencils import CENTRAL, first_level, needs_centre
from dfdx.numeric._tolerance import meet_tolerance

__all__ = ["Evaluations", "Outcome", "refine"]

_CHUNK = 1 << 14  # points refined together (a cache-sized block)
EXPONENT_BITS = np.int64(-1 << 52)  # sign and exponent of a float64 seen as int64


@dataclass
class Outcome:
    """Raw per-point results of :func:`refine` (shapes ``(N, q)`` and ``(N,)``).

    ``nfev`` is set at the end from the evaluations counted where ``f`` is
    called (:class:`Evaluations`).  ``nit`` stays ``None`` while every point
    took the same number of levels (``uniform``); :meth:`iterations` makes
    the array when a point differs.  The result then holds broadcast views,
    not a million equal integers.
    """

    df: np.ndarray
    error: np.ndarray
    status: np.ndarray
    nfev: np.ndarray | None = None
    nit: np.ndarray | None = None
    uniform: int | None = None

    def iterations(self) -> np.ndarray:
        """The per-point ``nit`` array, made on first use."""
        if self.nit is None:
            self.nit = np.full(self.status.size, self.uniform or 0, dtype=np.intp)
            self.uniform = None
        return self.nit

    def counts(self) -> tuple[np.ndarray, np.ndarray]:
        """``(nfev, nit)`` as writable per-point arrays (after :func:`refine`)."""
        N = self.status.size
        nfev = np.zeros(N, dtype=np.intp) if self.nfev is None else self.nfev
        nit = self.iterations()
        return (
            nfev if nfev.flags.writeable else nfev.copy(),
            nit if nit.flags.writeable else nit.copy(),
        )


class Evaluations:
    """Evaluations of ``f`` per point of a block, counted where ``f`` is called.

    A call over the whole block adds to one integer; other calls add to a
    per-point array, made on first use.
    """

    def __init__(self, N: int) -> None:
        self.N, self.base = N, 0
        self.extra: np.ndarray | None = None

    def add(self, idx: np.ndarray | slice, k: int) -> None:
        """``k`` nodes evaluated at each point ``idx`` (unique indices, or a slice)."""
        if isinstance(idx, slice) and not idx.start and idx.stop == self.N:
            self.base += k
            return
        if self.extra is None:
            self.extra = np.zeros(self.N, dtype=np.intp)
        extra = self.extra
        extra[idx] += k

    def total(self) -> np.ndarray:
        """Per point; a broadcast view while every point took the same."""
        if self.extra is None:
            return np.broadcast_to(np.intp(self.base), (self.N,))
        return self.extra + self.base


def refine(
    evaluate: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    points: Callable[[int, int], tuple[np.ndarray, np.ndarray]],
    N: int,
    *,
    n: int,
    mode: int,
    q: int,
    fallback: bool,
    rtol: float,
    atol: float,
    maxiter: int,
    window: int,
    eps: float,
    step_dtype: np.dtype,
    f0: np.ndarray | None = None,
    goal: tuple[float, float] | None = None,
) -> Outcome:
    """Refine all ``N`` points; ``evaluate(idx, offsets, scratch)`` returns ``(values, raised)``.

    ``offsets`` has shape ``(a, k)``; ``values`` must have shape ``(a, k, q)``
    and ``raised`` shape ``(a,)`` (True where ``f`` raised for that point);
    with ``scratch=True`` the offsets are not needed afterwards (their memory
    may hold the nodes).  ``idx`` is an integer array, or a ``slice`` for a
    run of consecutive points.
    ``points(lo, hi)`` gives, for the points ``lo:hi``, the first step and
    the magnitude of the point (for the shrink rule and the floor at the
    spacing of floating numbers), so that no million-element arrays of
    them are needed; optionally also the float64 points themselves, and then
    ``evaluate(idx, X, nodes=True)`` must accept the nodes ``X`` directly
    (the lookahead builds them in one compiled pass).  ``f0``, shape
    ``(q, N)``, gives ``f`` at the points when already known.
    ``goal = (rtol, atol)``: the tolerance of ``success``; a point that
    stopped with an error bound above it is ``NOT_CONVERGED``
    (:func:`dfdx.numeric._tolerance.meet_tolerance`, applied per block
    while it is in cache).  ``None``: no such test.
    """
    buf = np.empty((2, N, q))  # every point is written when it finishes
    out = Outcome(
        buf[0],
        buf[1],
        np.full(N, Status.NOT_CONVERGED, dtype=np.int8),
    )
    # independent points: refine cache-sized blocks one after the other, so
    # that every temporary stays in cache (several times faster than
    # streaming million-element arrays through memory at every step); each
    # block writes into its slice of the outputs
    parts = []
    for lo in range(0, N, _CHUNK):
        hi = min(lo + _CHUNK, N)
        part = Outcome(out.df[lo:hi], out.error[lo:hi], out.status[lo:hi])
        h0, xabs, *xb = points(lo, hi)
        with np.errstate(all="ignore"):  # non-finite values of f end in statuses, not warnings
            _refine(
                _offset(evaluate, lo) if lo else evaluate,
                h0,
                xabs,
                part,
                n=n,
                mode=mode,
                q=q,
                fallback=fallback,
                rtol=rtol,
                atol=atol,
                maxiter=maxiter,
                window=window,
                eps=eps,
                step_dtype=step_dtype,
                f0=None if f0 is None else f0[:, lo:hi],
                x=xb[0] if xb else None,
            )
            if goal is not None:
                meet_tolerance(part.df, part.error, part.status, *goal)
        if part.df.dtype.kind == "c" and out.df.dtype.kind != "c":
            out.df = out.df.astype(np.complex128)  # f turned out complex
        if not np.shares_memory(part.df, out.df):
            out.df[lo:hi] = part.df
        parts.append((lo, hi, part))
    its = {part.uniform for _, _, part in parts}
    fevs = {_uniform(part.nfev) for _, _, part in parts}
    it, fev = its.pop() if len(its) == 1 else None, fevs.pop() if len(fevs) == 1 else None
    if it is not None and fev is not None:
        out.nfev = np.broadcast_to(np.intp(fev), (N,))
        out.nit = np.broadcast_to(np.intp(it), (N,))
        return out
    out.nfev = np.empty(N, dtype=np.intp)  # (every block writes its slice)
    out.nit = nit = np.empty(N, dtype=np.intp)
    for lo, hi, part in parts:
        out.nfev[lo:hi], nit[lo:hi] = part.nfev, part.iterations()
    return out


def _refine(
    evaluate,
    h0,
    xabs,
    out,
    *,
    n,
    mode,
    q,
    fallback,
    rtol,
    atol,
    maxiter,
    window,
    eps,
    step_dtype,
    f0,
    x=None,
) -> None:
    """:func:`refine` for one block of points, writing into ``out``."""
    N = h0.size
    h0 = h0.astype(np.float64, copy=False)
    xabs = xabs.astype(np.float64, copy=False)
    made = []

    def floor():
        """The smallest step of each point (made on first use)."""
        if not made:
            low = _spacing(xabs, step_dtype)
            low *= 8.0
            np.maximum(low, float(np.finfo(step_dtype).tiny) * 64, out=low)
            made.append(low)
        return made[0]

    state = {"complex": False}
    subnormal = float(np.finfo(step_dtype).smallest_subnormal)
    fev = Evaluations(N)

    def call(idx, T, scratch=False, nodes=False):
        """Every evaluation of ``f``: counted here, per point."""
        fev.add(idx, T.shape[1])
        if nodes:  # T holds the nodes (see lookahead)
            vals, raised = evaluate(idx, T, nodes=True)
        else:
            vals, raised = evaluate(idx, T.astype(step_dtype, copy=False), scratch=scratch)
        if vals.dtype.kind == "c" and not state["complex"]:
            state["complex"] = True
            out.df = out.df.astype(np.complex128)
        return vals, raised

    def finish(co, done, status, E=None, err=None):
        src_E = co.best_E if E is None else E
        src_err = co.best_err if err is None else err
        a = done.size
        idx = co.idx
        nit = out.iterations()
        if a == N and idx[0] == 0 and idx[-1] == N - 1 and done.all():
            # every point, in order: plain copies, no gathers or scatters
            out.status[:] = status
            nit[:] = co.counts()
            out.df[:] = src_E.T
            out.error[:] = src_err.T
            co.take(~done)
            return
        if not done.any():
            return
        ii = idx[done]
        out.status[ii] = status[done] if np.ndim(status) else status
        nit[ii] = co.counts(done)
        out.df[ii] = src_E[:, done].T
        out.error[ii] = src_err[:, done].T
        co.take(~done)

    first = {md: first_level(md, n) for md in (CENTRAL, 1, -1)}
    if f0 is not None and np.iscomplexobj(f0):
        state["complex"] = True
        out.df = out.df.astype(np.complex128)
    K = levels_for(n, window, first[CENTRAL], maxiter, rtol, atol) if mode == CENTRAL else 0
    if K:
        # the first K levels of every point in one call (most points end there)
        cohorts = lookahead(
            call,
            finish,
            out,
            h0,
            floor,
            xabs,
            n=n,
            q=q,
            K=K,
            first=first,
            fallback=fallback,
            window=window,
            eps=eps,
            rtol=rtol,
            atol=atol,
            maxiter=maxiter,
            subnormal=subnormal,
            f0=f0,
            x=x,
        )
    else:
        cohorts = [Cohort.start(np.arange(N), h0, floor(), mode, q, window, xabs)]
        if state["complex"]:
            upgrade(cohorts)
        if f0 is not None:
            cohorts[0].V[0] = f0
            cohorts[0].has_f0 = True
    upgraded = state["complex"]

    while True:
        cohorts = [c for c in cohorts if c.idx.size]
        if not cohorts:
            break
        # -- f(x) where the stencil needs it --------------------------------
        for co in cohorts:
            if not co.has_f0 and needs_centre(co.mode, n):
                vals, raised = call(co.idx, np.zeros((co.idx.size, 1)))
                if not upgraded and state["complex"]:
                    upgraded = True
                    upgrade(cohorts)
                co.V[0] = vals[:, 0].T
                co.has_f0 = True
                finish(co, raised, Status.FUNCTION_ERROR)
                finish(co, ~np.isfinite(co.V[0]).all(axis=0), Status.NONFINITE_VALUE)
        cohorts = [c for c in cohorts if c.idx.size]
        if not cohorts:
            break
        # -- one level for every cohort, one call of f ----------------------
        Ts = []
        for co in cohorts:
            T = np.empty((co.idx.size, 2))
            if co.mode == CENTRAL:
                small = np.multiply(co.H, 2.0**-co.m, out=T[:, 0])
                np.negative(small, out=T[:, 1])
                if co.room >= 1:
                    # every step was at least twice its floor one level ago
                    co.room -= 1
                    Ts.append(T)
                    continue
            else:
                base = co.H * (co.mode * 4.0**-co.m)
                T[:, 0] = base
                np.multiply(base, 0.5, out=T[:, 1])
                small = np.abs(T[:, 1])
            ratio = small / co.floor
            tiny = ratio < 1.0
            if tiny.any():
                finish(co, tiny, Status.NOT_CONVERGED)
                T, ratio = T[~tiny], ratio[~tiny]
            if co.mode == CENTRAL and ratio.size:
                # halvings left before any step reaches its floor
                co.room = int(np.log2(ratio.min()))
            Ts.append(T)
        live = [(co, T) for co, T in zip(cohorts, Ts, strict=True) if co.idx.size]
        if not live:
            continue
        if len(live) == 1:
            co, T = live[0]
            results = [call(co.idx, T)]
        else:
            idx = np.concatenate([co.idx for co, _ in live])
            vals, raised = call(idx, np.concatenate([T for _, T in live]))
            cuts = np.cumsum([co.idx.size for co, _ in live])[:-1]
            results = list(zip(np.split(vals, cuts), np.split(raised, cuts), strict=True))
        if not upgraded and state["complex"]:
            upgraded = True
            upgrade(cohorts)
        new_cohorts = []
        for (co, T), (vals, raised) in zip(live, results, strict=True):
            new_cohorts += advance(
                co,
                T,
                vals,
                raised,
                n,
                first,
                fallback,
                rtol,
                atol,
                window,
                eps,
                xabs,
                finish,
                mode,
                maxiter,
                subnormal,
            )
        for co in cohorts:
            if co.idx.size and co.max_nit() >= maxiter:
                finish(co, co.counts() >= maxiter, Status.NOT_CONVERGED)
        cohorts = merge(cohorts + new_cohorts, q, window)
    out.nfev = fev.total()


def _uniform(counts: np.ndarray | None) -> int | None:
    """The count of every point where ``counts`` is a broadcast scalar, else None."""
    if counts is None or counts.strides != (0,) or not counts.size:
        return None
    return int(counts[0])


def _spacing(xabs: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``np.spacing(xabs)`` in ``dtype``, as float64 (0 below the normal range)."""
    if dtype != np.float64:
        return np.spacing(xabs.astype(dtype)).astype(np.float64)
    # the power of two of each number times eps: its spacing (a few times faster)
    out = xabs.view(np.int64) & EXPONENT_BITS
    out = out.view(np.float64)
    out *= float(np.finfo(np.float64).eps)
    return out


def _offset(evaluate, lo):
    """``evaluate`` for a block of points starting at index ``lo``."""

    def sub(idx, T, **options):
        if isinstance(idx, slice):
            return evaluate(slice(idx.start + lo, idx.stop + lo), T, **options)
        return evaluate(idx + lo, T, **options)

    return sub
