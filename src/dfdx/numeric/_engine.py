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
from functools import cache

import numpy as np

from dfdx._core.result import Status
from dfdx.numeric._stencils import CENTRAL, first_level, needs_centre, window_weights

__all__ = ["Outcome", "refine"]

_JUMP = 1.0 / 16.0  # restart factor below the smallest step of a failed window
_ROUND = 4.0  # safety factor on the rounding estimate (f's own error is a few ulps)
_MAX_SHRINK = 6  # step reductions allowed for non-finite values
_CHUNK = 1 << 15  # points refined together (a cache-sized block)
_COUNTS = np.array([[2], [1]])


@dataclass
class Outcome:
    """Raw per-point results of :func:`refine` (shapes ``(N, q)`` and ``(N,)``)."""

    df: np.ndarray
    error: np.ndarray
    status: np.ndarray
    nfev: np.ndarray
    nit: np.ndarray


@cache
def _coefficients(mode: int, n: int, m: int, window: int) -> tuple[np.ndarray, float]:
    """Rows ``(E_m, E_m - E_{m-1})`` over the stored vectors, and ``sum |w|``.

    Stored vectors: index 0 is ``f(x)``; central levels store one vector
    (``f(x+h) - f(x-h)`` for odd ``n``, ``f(x+h) + f(x-h)`` for even ``n``),
    one-sided levels store both nodes.
    """
    per = 1 if mode == CENTRAL else 2
    c = np.zeros((2, 1 + per * window))
    w, w0 = window_weights(mode, n, m)
    v, v0 = window_weights(mode, n, m - 1)
    full = w[:, 0] if per == 1 else w.ravel()
    prev = v[:, 0] if per == 1 else v.ravel()
    c[0, 0], c[0, 1 : 1 + full.size] = w0, full
    c[1, 0] = w0 - v0
    c[1, 1 : 1 + full.size] = full
    c[1, 1 : 1 + prev.size] -= prev
    used = c[:, : 1 + full.size].copy()
    return used, float(np.abs(w).sum() + abs(w0))


def _row(table: str, i: int) -> property:
    def get(self):
        return getattr(self, table)[i]

    def set_(self, value):
        getattr(self, table)[i] = value

    return property(get, set_)


class _Cohort:
    """Points sharing a stencil kind and window length; arrays are contiguous.

    Per-point integers live in one table ``ints`` (index, shrinks, nfev, nit) and
    floats in ``R`` (first step, floor, previous difference, best error), so
    that dropping converged points costs few copies.
    """

    idx, shrinks, nfev, nit = (_row("ints", i) for i in range(4))
    H, floor, d_prev, best_tot, xabs = (_row("R", i) for i in range(5))

    def __init__(self, ints, R, mode, V, best_E, best_err, has_f0):
        self.ints, self.R, self.mode, self.m = ints, R, mode, 0
        self.V, self.best_E, self.best_err, self.has_f0 = V, best_E, best_err, has_f0

    @classmethod
    def start(cls, idx, H, floor, mode, q, window, xabs):
        a = idx.size
        ints = np.zeros((4, a), dtype=np.intp)
        ints[0] = idx
        R = np.stack([H, floor, np.full(a, np.inf), np.full(a, np.inf), xabs])
        per = 1 if mode == CENTRAL else 2
        V = np.zeros((1 + per * window, q, a))
        return cls(ints, R, mode, V, np.full((q, a), np.nan), np.full((q, a), np.nan), False)

    def take(self, keep):
        """Keep only the points where ``keep`` is True."""
        ik = np.flatnonzero(keep)
        self.ints = np.take(self.ints, ik, axis=1)
        self.R = np.take(self.R, ik, axis=1)
        used = 1 + self.m * (1 if self.mode == CENTRAL else 2)
        V = np.zeros((*self.V.shape[:2], ik.size), dtype=self.V.dtype)
        V[:used] = np.take(self.V[:used], ik, axis=-1)
        self.V = V
        self.best_E = np.take(self.best_E, ik, axis=1)
        self.best_err = np.take(self.best_err, ik, axis=1)

    def split(self, sel, mode, H, window):
        """A new cohort (window restarted) with the points ``sel``; they leave this one."""
        ints, R = self.ints[:, sel], self.R[:, sel]
        R[0], R[2] = H, np.inf
        per = 1 if mode == CENTRAL else 2
        V = np.zeros((1 + per * window, *self.V.shape[1:-1], ints.shape[1]), dtype=self.V.dtype)
        V[0] = self.V[0][:, sel]
        new = _Cohort(ints, R, mode, V, self.best_E[:, sel], self.best_err[:, sel], self.has_f0)
        self.take(~sel)
        return new


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
    if N > _CHUNK:
        # independent points: refine cache-sized blocks one after the other,
        # so that every temporary stays in cache (several times faster than
        # streaming million-element arrays through memory at every step)
        parts = []
        for lo in range(0, N, _CHUNK):
            hi = min(lo + _CHUNK, N)
            sub = _offset(evaluate, lo)
            f0_part = None if f0 is None else f0[:, lo:hi]
            parts.append(
                refine(
                    sub,
                    h0[lo:hi],
                    xabs[lo:hi],
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
                    f0=f0_part,
                )
            )
        cplx = any(p.df.dtype.kind == "c" for p in parts)
        return Outcome(
            np.concatenate([p.df.astype(complex) if cplx else p.df for p in parts]),
            np.concatenate([p.error for p in parts]),
            np.concatenate([p.status for p in parts]),
            np.concatenate([p.nfev for p in parts]),
            np.concatenate([p.nit for p in parts]),
        )
    out = Outcome(
        np.full((N, q), np.nan),
        np.full((N, q), np.nan),
        np.full(N, Status.NOT_CONVERGED, dtype=np.int8),
        np.zeros(N, dtype=np.intp),
        np.zeros(N, dtype=np.intp),
    )
    floor = 8.0 * np.spacing(xabs.astype(step_dtype)).astype(np.float64)
    floor = np.maximum(floor, float(np.finfo(step_dtype).tiny) * 64)
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
            out.nfev[:] = co.nfev
            out.nit[:] = co.nit
            out.df[:] = src_E.T
            out.error[:] = src_err.T
            co.take(~done)
            return
        if not done.any():
            return
        ii = idx[done]
        out.status[ii] = status
        out.nfev[ii] = co.nfev[done]
        out.nit[ii] = co.nit[done]
        out.df[ii] = src_E[:, done].T
        out.error[ii] = src_err[:, done].T
        co.take(~done)

    first = {md: first_level(md, n) for md in (CENTRAL, 1, -1)}
    cohorts = [
        _Cohort.start(
            np.arange(N), h0.astype(np.float64), floor, mode, q, window, xabs.astype(np.float64)
        )
    ]
    upgraded = False
    if f0 is not None:
        if np.iscomplexobj(f0):
            upgraded = state["complex"] = True
            out.df = out.df.astype(np.complex128)
            _upgrade(cohorts)
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
                    _upgrade(cohorts)
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
                small = co.H * 2.0**-co.m
                T[:, 0] = small
                np.negative(small, out=T[:, 1])
            else:
                base = co.H * (co.mode * 4.0**-co.m)
                T[:, 0] = base
                np.multiply(base, 0.5, out=T[:, 1])
                small = np.abs(T[:, 1])
            tiny = small < co.floor
            if tiny.any():
                finish(co, tiny, Status.NOT_CONVERGED)
                T = T[~tiny]
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
            _upgrade(cohorts)
        new_cohorts = []
        for (co, T), (vals, raised) in zip(live, results, strict=True):
            new_cohorts += _advance(
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
            if co.idx.size:
                finish(co, co.nit >= maxiter, Status.NOT_CONVERGED)
        cohorts = _merge(cohorts + new_cohorts, q, window)

    return out


def _merge(cohorts, q, window):
    """Merge fresh cohorts (no levels yet) of the same kind, to keep calls few."""
    fresh: dict[tuple[int, bool], list[_Cohort]] = {}
    others = []
    for co in cohorts:
        if co.idx.size == 0:
            continue
        if co.m == 0:
            fresh.setdefault((co.mode, co.has_f0), []).append(co)
        else:
            others.append(co)
    for group in fresh.values():
        if len(group) == 1:
            others.append(group[0])
            continue
        base = group[0]
        for name in ("ints", "R", "V", "best_E", "best_err"):
            setattr(base, name, np.concatenate([getattr(c, name) for c in group], axis=-1))
        others.append(base)
    return others


def _advance(
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
    mode0,
    maxiter,
    subnormal,
):
    """Store one level of a cohort, test convergence; return cohorts split off."""
    new = []
    co.ints[2:4] += _COUNTS  # two evaluations, one level
    if raised.any():
        finish(co, raised, Status.FUNCTION_ERROR)
        keep = ~raised
        T, vals = T[keep], vals[keep]
    if not co.idx.size:
        return new
    if not np.isfinite(vals).all():
        finite = np.isfinite(vals).all(axis=2)  # (a, 2)
        ok = finite.all(axis=1)
        bad = ~ok
        smallest = np.abs(T).min(axis=1)
        xa = xabs[co.idx]
        can_shrink = (smallest * _JUMP >= xa / 64) & (xa > 0)
        one_side = bad & (finite.sum(axis=1) == 1) & (co.mode == CENTRAL)
        switch = one_side & ~can_shrink & fallback
        shrink = bad & ~switch & (co.shrinks < _MAX_SHRINK)
        dead = bad & ~switch & ~shrink
        side = np.where(finite[:, 0], 1, -1)
        if switch.any():
            for s in (1, -1):
                sel = switch & (side == s)
                if sel.any():
                    new.append(co.split(sel, s, smallest[sel], window))
                    keep = ~sel
                    smallest, shrink, dead, vals, T = (
                        smallest[keep],
                        shrink[keep],
                        dead[keep],
                        vals[keep],
                        T[keep],
                    )
                    side, switch = side[keep], switch[keep]
        if shrink.any():
            co.shrinks[shrink] += 1
            new.append(co.split(shrink, co.mode, smallest[shrink] * _JUMP, window))
            keep = ~shrink
            dead, vals, T = dead[keep], vals[keep], T[keep]
        finish(co, dead, Status.NONFINITE_VALUE)
        vals, T = vals[~dead], T[~dead]
        if not co.idx.size:
            return new
    # -- store the level ------------------------------------------------------
    m = co.m
    last_step = co.H * (2.0**-m if co.mode == CENTRAL else 4.0**-m / 4)
    if vals.shape[2] == 1:
        fp, fm = vals[None, :, 0, 0], vals[None, :, 1, 0]  # (1, a) views
    else:
        fp, fm = np.ascontiguousarray(np.moveaxis(vals, 0, -1))  # (q, a) each
    if co.mode == CENTRAL:
        if n % 2:
            np.subtract(fp, fm, out=co.V[1 + m])
        else:
            np.add(fp, fm, out=co.V[1 + m])
    else:
        co.V[1 + 2 * m] = fp
        co.V[2 + 2 * m] = fm
    co.m = m = m + 1
    if m < first[co.mode] + 1:
        return new
    status = Status.SUCCESS if co.mode == mode0 else Status.ONE_SIDED
    coef, sabs = _coefficients(co.mode, n, m, window)
    nv = coef.shape[1]
    _, q, a = co.V.shape
    ED = (coef @ co.V[:nv].reshape(nv, q * a)).reshape(2, q, a)
    inv_hn = 1.0 / co.H if n == 1 else 1.0 / co.H**n
    E = ED[0]
    E *= inv_hn
    d = np.abs(ED[1]) if ED.dtype.kind == "c" else np.abs(ED[1], out=ED[1])
    d *= inv_hn
    # rounding of the values themselves (sets the floor of convergence)
    rnd = np.abs(fp)
    rnd += np.abs(fm)
    rnd += 2.0 * subnormal / eps  # subnormal values carry an absolute, not relative, error
    rnd *= inv_hn
    rnd *= 0.5 * _ROUND * eps * sabs
    tol = np.abs(E)
    tol *= rtol
    np.maximum(tol, atol, out=tol)
    np.maximum(tol, rnd, out=tol)
    ok_q = d <= tol
    conv = ok_q[0] if q == 1 else ok_q.all(axis=0)
    nconv = int(np.count_nonzero(conv))
    if 0 < nconv < a // 16 and a > 4096 and m + 1 < window and int(co.nit.max()) + 1 < maxiter:
        # a few early finishers in a large cohort refine one more level rather
        # than paying for compacting every array now
        conv[:] = False
        nconv = 0
    if nconv == 0 and m == first[co.mode] + 1:
        # the first estimate (two windows) rarely converges: only remember how
        # far apart the windows are, for the divergence test of the next level
        d -= 10 * rnd
        co.d_prev = np.maximum(d[0] if q == 1 else d.max(axis=0), 0.0)
        return new
    # reported error: also the rounding of the argument inside f, which moves
    # each value by about eps * |x| * |f'| (f' from this level's two nodes)
    spread = np.abs(co.V[m]) if co.mode == CENTRAL and n % 2 else np.abs(fp - fm)
    spread *= co.xabs * (0.5 * eps * sabs) / (2.0 * last_step)
    spread *= inv_hn
    spread += rnd
    if nconv:
        err = d + spread
        finish(co, conv, status, E, err)
        if nconv == a:
            return new
        keep = ~conv
        E, d, rnd, spread = E[:, keep], d[:, keep], rnd[:, keep], spread[:, keep]
    err = d + spread
    tot = err[0] if q == 1 else err.max(axis=0)
    better = tot < co.best_tot
    if better.any():
        np.copyto(co.best_tot, tot, where=better)
        np.copyto(co.best_E, E, where=better)
        np.copyto(co.best_err, err, where=better)
    excess = d - 10 * rnd
    dmax = excess[0] if q == 1 else excess.max(axis=0)
    diverging = dmax > 0.5 * co.d_prev
    if m < first[co.mode] + 2:
        diverging[:] = False
    growing = diverging & (dmax > 2.0 * co.d_prev)
    co.d_prev = np.maximum(dmax, 0.0)
    per = 1 if co.mode == CENTRAL else 2
    top_last = co.H * (2.0 ** (1 - m) if co.mode == CENTRAL else 4.0 ** (1 - m))
    stalled = diverging & ~growing
    if stalled.any():
        # levels agree too slowly: forget the larger steps, keep the last level
        last = co.V[1 + per * (m - 1) : 1 + per * m][..., stalled]
        fresh = co.split(stalled, co.mode, top_last[stalled], window)
        fresh.V[1 : 1 + per] = last
        fresh.m = 1
        new.append(fresh)
        growing, top_last = growing[~stalled], top_last[~stalled]
    if growing.any():
        # levels disagree more as the step shrinks: the step is far too large
        smallest = top_last[growing] / (1.0 if co.mode == CENTRAL else 2.0)
        new.append(co.split(growing, co.mode, smallest * _JUMP, window))
    if co.ints.shape[1] and co.m >= window:
        per = 1 if co.mode == CENTRAL else 2
        co.V[1:-per] = co.V[1 + per :].copy()
        co.H = co.H / (2.0 if co.mode == CENTRAL else 4.0)
        co.m -= 1
    return new


def _offset(evaluate, lo):
    """``evaluate`` for a block of points starting at index ``lo``."""

    def sub(idx, T):
        return evaluate(idx + lo, T)

    return sub


def _upgrade(cohorts: list[_Cohort]) -> None:
    """Store complex values from now on (``f`` returned complex numbers)."""
    for co in cohorts:
        co.V = co.V.astype(np.complex128)
        co.best_E = co.best_E.astype(np.complex128)
