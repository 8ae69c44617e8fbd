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
from dfdx.numeric._stencils import CENTRAL, first_level, needs_centre

__all__ = ["Outcome", "refine"]

_CHUNK = 1 << 15  # points refined together (a cache-sized block)
_FIELDS = ("df", "error", "status", "nfev", "nit")


@dataclass
class Outcome:
    """Raw per-point results of :func:`refine` (shapes ``(N, q)`` and ``(N,)``)."""

    df: np.ndarray
    error: np.ndarray
    status: np.ndarray
    nfev: np.ndarray
    nit: np.ndarray


def refine(
    evaluate: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    h0: np.ndarray,
    xabs: np.ndarray,
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
) -> Outcome:
    """Refine all points; ``evaluate(idx, offsets)`` returns ``(values, raised)``.

    ``offsets`` has shape ``(a, k)``; ``values`` must have shape ``(a, k, q)``
    and ``raised`` shape ``(a,)`` (True where ``f`` raised for that point).
    ``h0`` is the first step per point, ``xabs`` the magnitude of the point
    (for the shrink rule and the floor at the spacing of floating numbers).
    ``f0``, shape ``(q, N)``, gives ``f`` at the points when already known.
    """
    N = h0.size
    out = Outcome(
        np.full((N, q), np.nan),
        np.full((N, q), np.nan),
        np.full(N, Status.NOT_CONVERGED, dtype=np.int8),
        np.zeros(N, dtype=np.intp),
        np.zeros(N, dtype=np.intp),
    )
    if N > _CHUNK:
        # independent points: refine cache-sized blocks one after the other,
        # so that every temporary stays in cache (several times faster than
        # streaming million-element arrays through memory at every step);
        # each block writes into its slice of the outputs
        for lo in range(0, N, _CHUNK):
            hi = min(lo + _CHUNK, N)
            part = Outcome(*(getattr(out, k)[lo:hi] for k in _FIELDS))
            _refine(
                _offset(evaluate, lo),
                h0[lo:hi],
                xabs[lo:hi],
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
            )
            if part.df.dtype.kind == "c" and out.df.dtype.kind != "c":
                out.df = out.df.astype(np.complex128)  # f turned out complex
            if not np.shares_memory(part.df, out.df):
                out.df[lo:hi] = part.df
        return out
    _refine(
        evaluate,
        h0,
        xabs,
        out,
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
        f0=f0,
    )
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
) -> None:
    """:func:`refine` for one block of points, writing into ``out``."""
    N = h0.size
    floor = np.spacing(xabs.astype(step_dtype, copy=False)).astype(np.float64, copy=False)
    floor *= 8.0
    np.maximum(floor, float(np.finfo(step_dtype).tiny) * 64, out=floor)
    state = {"complex": False}
    subnormal = float(np.finfo(step_dtype).smallest_subnormal)

    def call(idx, T):
        vals, raised = evaluate(idx, T.astype(step_dtype, copy=False))
        if vals.dtype.kind == "c" and not state["complex"]:
            state["complex"] = True
            out.df = out.df.astype(np.complex128)
        return vals, raised

    def finish(co, done, status, E=None, err=None):
        src_E = co.best_E if E is None else E
        src_err = co.best_err if err is None else err
        a = done.size
        idx = co.idx
        if a == N and idx[0] == 0 and idx[-1] == N - 1 and done.all():
            # every point, in order: plain copies, no gathers or scatters
            out.status[:] = status
            out.nfev[:], out.nit[:] = co.counts()
            out.df[:] = src_E.T
            out.error[:] = src_err.T
            co.take(~done)
            return
        if not done.any():
            return
        ii = idx[done]
        out.status[ii] = status[done] if np.ndim(status) else status
        out.nfev[ii], out.nit[ii] = co.counts(done)
        out.df[ii] = src_E[:, done].T
        out.error[ii] = src_err[:, done].T
        co.take(~done)

    first = {md: first_level(md, n) for md in (CENTRAL, 1, -1)}
    cohorts = [
        Cohort.start(
            np.arange(N),
            h0.astype(np.float64, copy=False),
            floor,
            mode,
            q,
            window,
            xabs.astype(np.float64, copy=False),
        )
    ]
    upgraded = False
    if f0 is not None:
        if np.iscomplexobj(f0):
            upgraded = state["complex"] = True
            out.df = out.df.astype(np.complex128)
            upgrade(cohorts)
        cohorts[0].V[0] = f0
        cohorts[0].has_f0 = True

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
                co.nfev += 1
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
                finish(co, co.counts()[1] >= maxiter, Status.NOT_CONVERGED)
        cohorts = merge(cohorts + new_cohorts, q, window)


def _offset(evaluate, lo):
    """``evaluate`` for a block of points starting at index ``lo``."""

    def sub(idx, T):
        return evaluate(idx + lo, T)

    return sub
