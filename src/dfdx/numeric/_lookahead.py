"""The first levels of every central point in one call of ``f``.

Most points of a smooth ``f`` converge after the same number of levels (four
for ``n=1`` at the default tolerance).  Evaluating those levels one at a time
costs a call of ``f`` and a round of bookkeeping per level; instead
:func:`lookahead` evaluates the first ``K`` levels (and the centre node when
the stencil needs it) of every point in one call and applies the test of
:func:`dfdx.numeric._level.advance` at level ``K`` to all of them at once:
one matrix product gives, per point, the extrapolated value, its change from
the window without the smallest step, and the kink measures.  Points that
pass leave with the estimate of the full window.

The other points (not converged yet, a non-finite value somewhere, a kink
that is not clear yet) are *replayed*: their stored levels go through
:func:`~dfdx.numeric._level.advance` one at a time, exactly as the adaptive
loop would have evaluated them, so that restarts, one-sided fallbacks and
sliding windows behave as without the lookahead.  Points where ``f`` raised
start afresh in the adaptive loop.  ``nfev`` always counts every evaluation
made, including levels a point did not need.
"""

from __future__ import annotations

from functools import cache, lru_cache

import numpy as np

from dfdx._core.compiled import load
from dfdx._core.result import Status
from dfdx.numeric._cohort import Cohort, coefficients, kink_coefficients, upgrade
from dfdx.numeric._level import (
    _KINK,
    _ROUND,
    advance,
    combine,
    inverse_powers,
    kink_test,
    scale,
)
from dfdx.numeric._stencils import CENTRAL, needs_centre
from dfdx.numeric._tolerance import converged

__all__ = ["JIT_MIN", "levels_for", "lookahead"]

# Levels evaluated at once, per derivative order: where most points of smooth
# functions converge with the default float64 tolerance (fewer cost some
# replaying, more cost evaluations that converged points do not need).  A
# looser tolerance converges a level or two earlier.
_LEVELS = {1: 4, 2: 5, 3: 6, 4: 5, 5: 6, 6: 5}


def levels_for(n: int, window: int, first: int, maxiter: int, rtol: float, atol: float) -> int:
    """Levels to evaluate at once, or 0 where the lookahead does not apply.

    An absolute tolerance may end a point earlier than the relative one
    would: one level fewer (the lookahead applies the loop's one
    convergence test, ``atol`` included).
    """
    K = _LEVELS.get(n, 0) - (rtol > 1e-9) - (rtol > 1e-5) - bool(atol)
    K = min(K, window)
    return K if first + 2 <= K < maxiter else 0


# blocks at least this long (a full block) use the compiled test when numba is
# installed: shorter calls are too quick to be worth importing numba for
JIT_MIN = 1 << 14

# 64 tiny of the widest-ranged step dtype, float32: the floor of any step is at most
# this plus 8 eps |x| (a bound for the quick test of the steps against their floors)
_TINY = 64 * float(np.finfo(np.float32).tiny)


@cache
def _pattern(K: int, centre: bool) -> np.ndarray:
    """Node offsets in units of the first step: ``+2**-j``, ``-2**-j``, [0]."""
    ratios = 2.0 ** -np.arange(K)
    out = np.concatenate([ratios, -ratios, [0.0] if centre else []])
    out.flags.writeable = False
    return out


@lru_cache(maxsize=8)
def _arange(N: int) -> np.ndarray:
    out = np.arange(N)
    out.flags.writeable = False
    return out


@cache
def _rows(n: int, K: int, window: int, centre: bool):
    """Weights of the test at level ``K`` over ``Z = (f(x + h_j), D_j, [f(x)])``.

    ``D_j`` is the combination of ``f(x + h_j), f(x - h_j)`` the derivative
    uses (the difference for odd ``n``, the sum for even ``n``); the other
    one is ``C_j = 2 f(x + h_j) - D_j``.  Rows: the estimate of the full
    window, its change from the window without the smallest step, the kink
    measure over the window, four times its change from the window without
    the smallest step, and the rounding of the argument per unit ``|x| / H``
    (``|f(x+h) - f(x-h)| eps sum|w| / (4 h)`` at the smallest step ``h``, as
    in :func:`dfdx.numeric._level.advance`).  Also ``sum |w|`` of the
    estimate and of the kink row, and whether the second kink row exists.
    """
    coef, sabs = coefficients(CENTRAL, n, K, window)
    kc, sabs_a, has_prev = kink_coefficients(n, K)
    if not coef[0, 1:].all() or (centre and not coef[0, 0]):
        # (isfinite of the estimate then covers every value)
        raise AssertionError("a weight of the estimate is zero")
    M = np.zeros((5, 2 * K + centre))
    Vp, D = slice(0, K), slice(K, 2 * K)
    M[:2, D] = coef[:, 1:]
    if centre:
        M[:2, 2 * K] = coef[:, 0]
    for row, w in ((2, kc[0]), (3, 4.0 * (kc[0] - kc[1]))):
        M[row, Vp], M[row, D] = 2.0 * w, -w
    c = 0.25 * float(np.finfo(np.float64).eps) * sabs * 2.0 ** (K - 1)
    if n % 2:  # f(x+h) - f(x-h) is D at the smallest step, else C
        M[4, 2 * K - 1] = c
    else:
        M[4, K - 1], M[4, 2 * K - 1] = 2.0 * c, -c
    return M, sabs, sabs_a, has_prev


def lookahead(
    call,
    finish,
    out,
    h0,
    floor,
    xabs,
    *,
    n,
    q,
    K,
    first,
    fallback,
    window,
    eps,
    rtol,
    atol=0.0,
    maxiter,
    subnormal,
    f0,
    x=None,
):
    """Run the first ``K`` levels of every point; return the cohorts still refining.

    ``call(idx, T)`` evaluates ``f`` (see :func:`dfdx.numeric._engine.refine`;
    ``T`` is a transposed view here, so that every node is one long row),
    ``finish`` writes finished points into ``out``; ``floor()`` gives the
    smallest steps allowed; ``first`` maps a stencil kind to its first
    level; ``f0`` (shape ``(q, N)``) is ``f`` at the points when known;
    ``x`` (float64) the points themselves when the compiled kernels may
    build the nodes (``call(..., nodes=True)`` then gets the nodes).
    Tests run in units of ``H**-n`` (every term of the test scales alike),
    so only the results are scaled.
    """
    N = h0.size
    idx = _arange(N)
    centre = needs_centre(CENTRAL, n)
    evaluate_centre = centre and f0 is None
    pattern = _pattern(K, evaluate_centre)
    k = pattern.size
    fresh = []  # points that start afresh in the adaptive loop
    smallest = float(h0.min()) * pattern[K - 1]
    if not smallest >= 8 * eps * float(xabs.max()) + _TINY:
        low = h0 * pattern[K - 1] < floor()  # steps that reach their floor: the adaptive loop
        if low.any():
            fresh.append(np.flatnonzero(low))
            idx = idx[~low]
    jit = load("numeric._jitlook") if x is not None and idx.size == N >= JIT_MIN else None
    if jit is not None:  # the nodes x + 2**-j h0 in one compiled pass
        X = np.empty((k, N))
        jit.nodes(x, pattern, h0, X)
        vals, raised = call(slice(0, N), X.T, nodes=True)
    elif idx.size:
        T = np.multiply.outer(pattern, h0[idx] if idx.size < N else h0).T
        which = slice(0, N) if idx.size == N else idx
        vals, raised = call(which, T, scratch=True)  # (a, k, q); T then holds the nodes
    if idx.size and raised.any():
        fresh.append(idx[raised])
        keep = ~raised
        idx, vals = idx[keep], vals[keep]
    cohorts = _fresh(fresh, h0, floor, xabs, q, window, f0, out)
    a = idx.size
    if not a:
        return cohorts
    M, sabs, sabs_a, has_prev = _rows(n, K, window, centre)
    plain = _settled(
        vals,
        h0,
        xabs,
        out,
        window=window,
        centre=centre,
        n=n,
        K=K,
        k=k,
        rtol=rtol,
        atol=atol,
        eps=eps,
        subnormal=subnormal,
        plain=a == N and q == 1 and (evaluate_centre or not centre),
    )
    if plain is not None:  # the compiled test ran: the other points take the NumPy test
        if plain.all():
            out.status[:] = Status.SUCCESS
            out.uniform = K  # no per-point array of counts
            return cohorts
        if plain.any():  # (else every point takes the NumPy test: no copies)
            done = idx[plain]
            out.status[done] = Status.SUCCESS
            out.iterations()[done] = K
            idx, vals = idx[~plain], vals[~plain]
            a = idx.size
    used = np.subtract if n % 2 else np.add
    # raw values as rows (k, q * a): a view for q == 1 when f kept the layout
    raw = vals.reshape(a, k).T if q == 1 else np.moveaxis(vals, 0, -1).reshape(k, q * a)
    # rounding of the values (the smallest step's nodes), as in advance
    rnd = np.abs(raw[K - 1])
    rnd += np.abs(raw[2 * K - 1])
    rnd += 2.0 * subnormal / eps  # subnormal values carry an absolute, not relative, error
    rnd *= 0.5 * _ROUND * eps * sabs
    rnd = rnd.reshape(q, a)
    # Z = (f(x + h_j), D_j, [f(x)]) in a buffer of ours (the values f returned
    # are never written to: f may keep them)
    Z = np.empty((2 * K + centre, q * a), dtype=raw.dtype)
    Z[:K] = raw[:K]
    used(raw[:K], raw[K : 2 * K], out=Z[K : 2 * K])
    if centre:
        Z[2 * K] = raw[2 * K] if evaluate_centre else f0[:, idx].reshape(q * a)
    W = combine(M, Z).reshape(5, q, a)
    H = h0[idx] if a < N else h0
    inv_h = np.divide(1.0, H)
    E, d = W[0], (np.abs(W[1], out=W[1]) if W.dtype.kind != "c" else np.abs(W[1]))
    # (in units of H**-n: the absolute tolerance times H**n, per point)
    ok_q, tol = converged(E, d, rnd, rtol, _unscaled(atol, H, n) if atol else 0.0)
    conv = ok_q[0] if q == 1 else ok_q.all(axis=0)
    if not np.isfinite(E.sum()):  # a non-finite value somewhere: the loop's rules
        conv &= np.isfinite(E).all(axis=0)
    # the rounding of the argument inside f, as in advance (times |x| / H)
    spread = np.abs(W[4])
    spread *= np.multiply(xabs[idx] if a < N else xabs, inv_h)
    spread += rnd
    # a kink needs both windows to agree on the measure: first that (for a
    # smooth f they rarely do), then the full test of kink_test
    gap = np.abs(W[2])
    kink = None
    if (np.abs(W[3]) < gap).any():  # (a zero measure is no kink)
        row1 = W[2] - 0.25 * W[3]
        conv, kink, gap = kink_test(
            W[2], row1, sabs_a, has_prev, None, tol, spread, 1.0 / sabs, conv
        )
    err = d
    err += spread
    status = Status.SUCCESS
    if kink is not None and kink.any():
        np.maximum(err, gap, out=err, where=kink)
        status = np.where(kink, Status.NOT_DIFFERENTIABLE, Status.SUCCESS)
    inv_hn = (inv_h,) if n == 1 else inverse_powers(H, n)
    if a == N:
        # scaled straight into the outputs (points that go on refining are
        # written again when they finish)
        np.multiply(E, inv_hn[0], out=out.df.T)
        np.multiply(err, inv_hn[0], out=out.error.T)
        scale(out.df.T, inv_hn[1:])
        scale(out.error.T, inv_hn[1:])
        if conv.all():  # the common case
            out.status[:] = status
            out.uniform = K  # no per-point array of counts
            return cohorts
    else:
        scale(E, inv_hn)
        scale(err, inv_hn)
    ii = idx[conv]
    if a < N:
        out.df[ii] = E[:, conv].T
        out.error[ii] = err[:, conv].T
    out.status[ii] = status[conv] if np.ndim(status) else status
    out.iterations()[ii] = K
    rest = ~conv
    ir = idx[rest]
    co = Cohort.start(ir, h0[ir], floor()[ir], CENTRAL, q, window, xabs[ir])
    if vals.dtype.kind == "c" or out.df.dtype.kind == "c":
        upgrade([co])
    if evaluate_centre:
        co.V[0] = vals[rest, 2 * K].T
        co.has_f0 = True
    elif f0 is not None:  # as in the adaptive loop: f(x) known, not checked
        co.V[0] = f0[:, ir]
        co.has_f0 = True
    return cohorts + _replay(
        co,
        finish,
        np.multiply.outer(pattern, h0[ir]),
        vals.transpose(1, 0, 2) if ir.size == a else vals.transpose(1, 0, 2)[:, rest],
        evaluate_centre,
        n=n,
        K=K,
        first=first,
        fallback=fallback,
        window=window,
        eps=eps,
        rtol=rtol,
        atol=atol,
        xabs=xabs,
        maxiter=maxiter,
        subnormal=subnormal,
    )


def _unscaled(atol: float, H: np.ndarray, n: int) -> np.ndarray:
    """``atol * H**n`` (an absolute tolerance in the lookahead's units), factor by factor."""
    out = np.full(H.shape, atol)
    for _ in range(n):
        out *= H
    return out


def _settled(vals, h0, xabs, out, *, n, K, k, window, centre, rtol, atol, eps, subnormal, plain):
    """The compiled test of :mod:`dfdx.numeric._jitlook` on a plain block.

    Applies to long blocks of real float64 values with every point evaluated
    (``plain``).  Writes the scaled estimate and error bound of every point
    and returns which points passed plainly (converged, finite, no kink to
    look into), or ``None`` where it does not apply.
    """
    _, sabs, sabs_a, has_prev = _rows(n, K, window, centre)
    if not plain or not has_prev or h0.size < JIT_MIN:
        return None
    if vals.dtype != np.float64 or out.df.dtype != np.float64:
        return None
    jit = load("numeric._jitlook")
    if jit is None:
        return None
    cD, cC, c0 = _pair_rows(n, K, window, centre)
    V = vals.reshape(h0.size, k).T  # (nodes, points): C-ordered when f kept X's layout
    passed = np.empty(h0.size, dtype=bool)
    jit.settle(
        V if V.flags.c_contiguous else np.ascontiguousarray(V),
        cD,
        cC,
        c0,
        K,
        n % 2 == 1,
        rtol,
        atol,
        (2.0 * subnormal / eps, 0.5 * _ROUND * eps * sabs),
        (_KINK * sabs_a / sabs, _KINK),
        h0,
        xabs,
        n,
        out.df[:, 0],
        out.error[:, 0],
        passed,
    )
    return passed


@cache
def _pair_rows(n: int, K: int, window: int, centre: bool):
    """:func:`_rows`'s matrix over ``(f(x + h_j), D_j, [f(x)])`` as weights of ``D`` and ``C``.

    With ``f(x + h_j) = (D_j + C_j) / 2`` (``C_j`` the other one of the
    pair's sum and difference) a row is ``(m_D + m_V / 2) . D + (m_V / 2) . C``;
    returns those weights for the estimate, its change and the rounding row
    (``cD``, with the kink rows' ``D`` weights, which cancel), the kink rows'
    ``C`` weights (``cC``; the estimate rows have none) and the centre column.
    """
    M = _rows(n, K, window, centre)[0]
    half = 0.5 * M[:, :K]
    wD = M[:, K : 2 * K] + half
    centre = M[:, 2 * K] if M.shape[1] > 2 * K else np.zeros(5)
    cD = np.ascontiguousarray(wD[[0, 1, 4]])
    cC = np.ascontiguousarray(half[[2, 3, 4]])
    # the split is exact: the estimate rows use no C, the kink rows no D
    assert not half[:2].any()
    assert not wD[2:4].any()
    assert not centre[2:].any()
    return cD, cC, np.ascontiguousarray(centre[:2])


def _replay(
    co,
    finish,
    T,
    vals,
    check_centre,
    *,
    n,
    K,
    first,
    fallback,
    window,
    eps,
    rtol,
    atol,
    xabs,
    maxiter,
    subnormal,
):
    """Pass the stored levels of the cohort ``co`` through the loop's test, level by level.

    ``T`` (nodes, points) and ``vals`` (nodes, points, q) hold the offsets and
    values of the first call, one contiguous row per node.
    ``check_centre``: ``f(x)`` (in ``co.V[0]``) was evaluated with the levels,
    and points where it is not finite end there, as in the adaptive loop.
    """
    a = co.idx.size
    where = np.zeros(int(co.idx[-1]) + 1 if a else 0, dtype=np.intp)
    where[co.idx] = np.arange(a)  # the row of each point in T and vals

    if check_centre:
        finish(co, ~np.isfinite(co.V[0]).all(axis=0), Status.NONFINITE_VALUE)
    cohorts = []
    for j in range(K):
        if not co.idx.size:
            break
        rows = (j, K + j)
        if co.idx.size == a:  # every point still here: whole rows
            Tj = np.stack([T[r] for r in rows], axis=1)
            vj = np.stack([vals[r] for r in rows], axis=1)
        else:
            pos = where[co.idx]
            Tj = np.stack([T[r][pos] for r in rows], axis=1)
            vj = np.stack([vals[r][pos] for r in rows], axis=1)
        new = advance(
            co,
            Tj,
            vj,
            np.zeros(co.idx.size, dtype=bool),
            n,
            first,
            fallback,
            rtol,
            atol,
            window,
            eps,
            xabs,
            finish,
            CENTRAL,
            maxiter,
            subnormal,
        )
        cohorts += new
    return [co, *cohorts] if co.idx.size else cohorts


def _fresh(groups, h0, floor, xabs, q, window, f0, out):
    """Cohorts that start the adaptive loop from its first level."""
    cohorts = []
    for ii in groups:
        co = Cohort.start(ii, h0[ii], floor()[ii], CENTRAL, q, window, xabs[ii])
        if out.df.dtype.kind == "c":
            upgrade([co])
        if f0 is not None:
            co.V[0] = f0[:, ii]
            co.has_f0 = True
        cohorts.append(co)
    return cohorts
