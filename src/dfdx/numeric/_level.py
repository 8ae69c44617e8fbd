"""One refinement level of a cohort: store the values, test, restart or slide.

After ``f`` has been evaluated at the two new nodes of every point of a
cohort, :func:`advance` stores them, handles non-finite values (shrink the
step; switch to a one-sided stencil on the finite side), extrapolates over the
window, and decides per point: converged (leave), levels diverging (restart
far lower), levels agreeing too slowly (restart from the last level), window
full (slide to smaller steps).  Converged central points are also tested
for a kink or a jump (:func:`kink_test`).
"""

from __future__ import annotations

import numpy as np

from dfdx._core.result import Status
from dfdx.numeric._cohort import coefficients, kink_coefficients
from dfdx.numeric._stencils import CENTRAL
from dfdx.numeric._tolerance import converged

__all__ = ["advance", "combine", "inverse_powers", "kink_test", "scale"]

_JUMP = 1.0 / 16.0  # restart factor below the smallest step of a failed window
_ROUND = 4.0  # safety factor on the rounding estimate (f's own error is a few ulps)
_MAX_SHRINK = 6  # step reductions allowed for non-finite values
_BLAS_BLOCK = 1 << 17  # m*n*k below OpenBLAS's threading threshold (4 * 65536)
_KINK = 4.0  # one-sided derivatives this many tolerances apart: refine further
_KINK_SURE = 1e4  # ... and this many: not differentiable


def advance(
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
    co.lev += 1  # two evaluations, one level, for every point
    if raised.any():
        finish(co, raised, Status.FUNCTION_ERROR)
        keep = ~raised
        T, vals = T[keep], vals[keep]
    if not co.idx.size:
        return new
    if not np.isfinite(vals.sum()):  # one pass; an overflowing sum only costs the check below
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
    if vals.shape[2] == 1:
        fp, fm = vals[None, :, 0, 0], vals[None, :, 1, 0]  # (1, a) views
    else:
        fp, fm = np.ascontiguousarray(np.moveaxis(vals, 0, -1))  # (q, a) each
    if co.mode == CENTRAL:
        # the part the derivative uses, and the other one (for the kink test)
        used, other = (np.subtract, np.add) if n % 2 else (np.add, np.subtract)
        used(fp, fm, out=co.V[1 + m])
        other(fp, fm, out=co.C[m])
    else:
        co.V[1 + 2 * m] = fp
        co.V[2 + 2 * m] = fm
    co.m = m = m + 1
    if m < first[co.mode] + 1:
        return new
    status = Status.SUCCESS if co.mode == mode0 else Status.ONE_SIDED
    coef, sabs = coefficients(co.mode, n, m, window)
    nv = coef.shape[1]
    _, q, a = co.V.shape
    if co.mode == CENTRAL:
        ED = combine(coef, co.V[:nv].reshape(nv, q * a)).reshape(2, q, a)
    else:
        # one-sided: the weights sum to 0, so apply them to f(x+h) - f(x)
        # (exact for nearby values): a constant f gives exactly 0
        diff = co.V[1:nv] - co.V[0]
        ED = combine(coef[:, 1:], diff.reshape(nv - 1, q * a)).reshape(2, q, a)
    inv_hn = inverse_powers(co.H, n)
    E = ED[0]
    scale(E, inv_hn)
    d = np.abs(ED[1]) if ED.dtype.kind == "c" else np.abs(ED[1], out=ED[1])
    scale(d, inv_hn)
    # rounding of the values themselves (sets the floor of convergence)
    rnd = np.abs(fp)
    rnd += np.abs(fm)
    rnd += 2.0 * subnormal / eps  # subnormal values carry an absolute, not relative, error
    scale(rnd, inv_hn)
    rnd *= 0.5 * _ROUND * eps * sabs
    ok_q, tol = converged(E, d, rnd, rtol, atol)
    conv = ok_q[0] if q == 1 else ok_q.all(axis=0)
    nconv = int(np.count_nonzero(conv))
    if 0 < nconv < a // 16 and a > 4096 and m + 1 < window and co.max_nit() + 1 < maxiter:
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
    # last_step = H * rel, so |fp - fm| / (2 last_step) = |fp - fm| / (2 rel H)
    rel = 2.0 ** (1 - m) if co.mode == CENTRAL else 4.0 ** (1 - m) / 4
    scale(spread, inv_hn)  # first to a derivative scale: no overflow for huge |x|
    spread /= co.H
    spread *= co.xabs * (0.25 * eps * sabs / rel)
    spread += rnd
    kink = None
    if co.mode == CENTRAL and nconv:
        kc, sabs_a, has_prev = kink_coefficients(n, m)
        rows = combine(kc, co.C[:m].reshape(m, q * a)).reshape(2, q, a)
        conv, kink, gap = kink_test(
            rows[0], rows[1], sabs_a, has_prev, inv_hn, tol, spread, 1.0 / sabs, conv
        )
        nconv = int(np.count_nonzero(conv))
    if nconv:
        err = d + spread
        st = status
        if kink is not None and kink.any():
            # the value is the mean of the one-sided derivatives; the error
            # covers both of them
            np.maximum(err, gap, out=err, where=kink)
            st = np.where(kink, Status.NOT_DIFFERENTIABLE, status)
        finish(co, conv, st, E, err)
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
    # the bound reported if the point never converges must also reach the
    # estimates seen after the best one (a best found at a far too large step
    # can look stable by chance)
    np.maximum(co.best_err, np.abs(E - co.best_E), out=co.best_err)
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
        last_c = co.C[m - 1 : m][..., stalled]  # no rows for one-sided stencils
        fresh = co.split(stalled, co.mode, top_last[stalled], window)
        fresh.V[1 : 1 + per] = last
        fresh.C[: last_c.shape[0]] = last_c
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
        co.C[:-1] = co.C[1:].copy()
        co.H = co.H / (2.0 if co.mode == CENTRAL else 4.0)
        co.m -= 1
    return new


def inverse_powers(H: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
    """``H**-n`` as factors to multiply by in turn: one, unless it under- or overflows.

    Steps are powers of two, so ``H**-n`` is exact where it is a float; at huge
    ``|x|`` (``H**2`` overflows near ``1e154``) or tiny steps it is not, and
    ``n`` factors ``1/H`` keep every intermediate in range.
    """
    if n == 1:
        return (1.0 / H,)
    p = 1.0 / H**n
    if p.size == 0 or (p.min() > 0 and p.max() < np.inf):
        return (p,)
    return (1.0 / H,) * n


def scale(a: np.ndarray, factors: tuple) -> np.ndarray:
    """``a *= factor`` for each factor of :func:`inverse_powers`, in place."""
    for factor in factors:
        a *= factor
    return a


def combine(coef: np.ndarray, V: np.ndarray) -> np.ndarray:
    """``coef @ V`` in column blocks small enough for a single-threaded BLAS call.

    A few rows times tens of thousands of columns is memory-bound work that
    OpenBLAS would otherwise spread over threads; waking them costs more than
    the product (10x more on a loaded machine).
    """
    nr, nv = coef.shape
    cols = V.shape[1]
    step = max(_BLAS_BLOCK // (nr * nv), 256)
    if cols <= step:
        return coef @ V
    out = np.empty((nr, cols), dtype=np.result_type(coef, V))
    for lo in range(0, cols, step):
        np.matmul(coef, V[:, lo : lo + step], out=out[:, lo : lo + step])
    return out


def kink_test(row0, row1, sabs_a, has_prev, inv_hn, tol, noise, per_weight, conv):
    """Among the converged points, those where ``f`` is not differentiable.

    ``row0`` and ``row1`` (shape ``(q, a)``) are the two kink rows of
    :func:`dfdx.numeric._cohort.kink_coefficients` applied to the
    complementary vectors ``C`` of a central window: over the window and over
    the window without its smallest step, how much the one-sided ``n``-th
    derivatives differ (:func:`dfdx.numeric._cohort.anomaly_row`; ``sabs_a``
    is the sum of the magnitudes of the first row's weights, ``has_prev``
    whether the second row exists).  ``noise`` (the reported rounding terms)
    times ``per_weight`` is their rounding per unit weight.  The measure is
    ``O(1)`` at a kink (odd ``n``) or a jump (even ``n``), but a truncation
    error that changes from one window to the next for a smooth ``f``.  A
    point is flagged when both windows agree on a measure far above the
    tolerance and the noise.  A measure above the tolerance that is not
    clearly either keeps the point refining (with only two levels there is
    no second window to compare, so such a point always refines one more
    level).  Returns ``(conv, kink, gap)`` with ``gap`` the measure, shape
    ``(q, a)``.  ``tol`` is scaled in place.
    """
    scaled = inv_hn is not None
    gap = np.abs(row0)
    if scaled:
        scale(gap, inv_hn)
    if has_prev:
        # where the two windows agree (first: for a smooth f they rarely do)
        diff = np.subtract(row0, row1)
        diff = np.abs(diff, out=diff) if diff.dtype.kind != "c" else np.abs(diff)
        if scaled:
            scale(diff, inv_hn)
        diff *= 4.0
        stable = diff <= gap
        if not stable.any():
            return conv, None, gap
    limit = noise * (_KINK * sabs_a * per_weight)  # the noise, for these weights
    tol *= _KINK  # (the caller no longer needs it)
    limit += tol
    big = gap > limit
    if not big.any():
        return conv, None, gap
    if not has_prev:
        return conv & ~big.any(axis=0), None, gap
    kink = conv & (big & stable & (gap > (_KINK_SURE / _KINK) * limit)).any(axis=0)
    unsure = conv & (big & stable).any(axis=0) & ~kink
    return conv & ~unsure, kink, gap
