"""Compiled (numba) twin of the common case of :func:`dfdx.numeric._lookahead.lookahead`.

Imported only through :func:`dfdx._core.compiled.load`, when numba is
installed.  :func:`first_steps` is the one-pass twin of the first steps of a
block (:func:`dfdx.numeric._derivative.first_step` of ``max(|x|, 1)``), and
:func:`nodes` writes the lookahead's nodes ``x + 2**-j h0`` in one pass (the
NumPy way is an outer product, then a sum).
:func:`settle` takes the values of the first ``K`` levels of a block of points
and, in one pass, forms the same rows as the lookahead's matrix product
(estimate, its change, the two kink measures, the argument rounding; from
the pair differences and sums, each row needing only one of them), applies
the same level-``K`` test and writes the scaled estimate and error bound.
It flags which points passed the plain case (converged, finite, and no kink
to look into); the caller runs the NumPy lookahead on the others, so the
rare cases keep one implementation.

The rows are accumulated node by node over L1-sized blocks of points (every
inner loop a vectorisable sweep over points); the results equal the NumPy
ones to rounding (the order of the sums differs from BLAS).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["converged1", "first_steps", "nodes", "settle"]

_OPTIONS = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}

#: points per inner block: five accumulator rows stay in L1
_BLOCK = 512


@njit(**_OPTIONS)
def _max(a, b):  # pragma: no cover - compiled (tested)
    """``np.maximum`` of two floats: NaN if either is NaN."""
    return a if (a >= b or a != a) else b


@njit(**_OPTIONS)
def converged1(E, d, rnd, rtol, atol):  # pragma: no cover - compiled (tested)
    """The compiled twin of :func:`dfdx.numeric._tolerance.converged` for one element.

    The same operations in the same order: ``tol = max(max(|E| rtol, atol),
    rnd)`` with NaN propagated as ``np.maximum`` does, then ``d <= tol``.
    """
    tol = abs(E) * rtol
    if atol != 0.0:
        tol = _max(tol, atol)
    tol = _max(tol, rnd)
    return d <= tol, tol


@njit(**_OPTIONS)
def settle(
    vals, cD, cC, c0, K, odd, rtol, atol, rnd, kink, h0, xabs, n, df, err, plain
):  # pragma: no cover
    """Test and scale the block; flag in ``plain`` the points that passed plainly.

    ``vals`` (nodes, points; C-ordered, so that each node is one contiguous
    row) holds ``f`` at ``x + h_j`` (row ``j < K``), at ``x - h_j`` (``K <= j
    < 2 K``) and, when ``c0`` is not zero, at ``x``.  With ``D_j`` the pair's
    difference (``odd``) or sum and ``C_j`` the other one, the rows are
    ``E = cD[0] . D + c0[0] f(x)``, its change ``cD[1] . D + c0[1] f(x)``,
    the kink measures ``cC[0] . C`` and ``cC[1] . C``, and the argument
    rounding ``cD[2, K-1] D_{K-1} + cC[2, K-1] C_{K-1}``.  ``rnd = (add,
    mul)`` gives the rounding of the values, ``(|f(x+h)| + |f(x-h)| + add) *
    mul`` at the smallest step; ``kink = (per_noise, per_tol)`` the kink
    test's limit, ``per_noise * noise + per_tol * tol``: a point is plain
    when the two windows disagree on the kink measure or the measure is
    within that limit (:func:`dfdx.numeric._level.kink_test` flags nothing
    there).
    """
    rnd_add, rnd_mul = rnd
    per_noise, per_tol = kink
    a = h0.size
    centre = c0[0] != 0 or c0[1] != 0
    e = np.empty(_BLOCK)
    de = np.empty(_BLOCK)
    k0 = np.empty(_BLOCK)
    k1 = np.empty(_BLOCK)
    sign = -1.0 if odd else 1.0
    for lo in range(0, a, _BLOCK):
        b = min(_BLOCK, a - lo)
        e[:b] = 0.0
        de[:b] = 0.0
        k0[:b] = 0.0
        k1[:b] = 0.0
        for j in range(K):
            vp = vals[j, lo : lo + b]
            vm = vals[K + j, lo : lo + b]
            d0, d1, g0, g1 = cD[0, j], cD[1, j], cC[0, j], cC[1, j]
            for i in range(b):
                D = vp[i] + sign * vm[i]
                C = vp[i] - sign * vm[i]
                e[i] += d0 * D
                de[i] += d1 * D
                k0[i] += g0 * C
                k1[i] += g1 * C
        if centre:
            v0 = vals[2 * K, lo : lo + b]
            for i in range(b):
                e[i] += c0[0] * v0[i]
                de[i] += c0[1] * v0[i]
        lp = vals[K - 1, lo : lo + b]
        lm = vals[2 * K - 1, lo : lo + b]
        hb = h0[lo : lo + b]
        xb = xabs[lo : lo + b]
        fb = df[lo : lo + b]
        eb = err[lo : lo + b]
        rd, rc = cD[2, K - 1], cC[2, K - 1]
        pb = plain[lo : lo + b]
        for i in range(b):
            E = e[i]
            d = abs(de[i])
            rnd = (abs(lp[i]) + abs(lm[i]) + rnd_add) * rnd_mul
            atol_h = atol
            if atol != 0.0:  # in the units of the test: atol * h**n
                for _ in range(n):
                    atol_h *= hb[i]
            ok, tol = converged1(E, d, rnd, rtol, atol_h)
            inv_h = 1.0 / hb[i]
            arg = rd * (lp[i] + sign * lm[i]) + rc * (lp[i] - sign * lm[i])
            spread = abs(arg) * (xb[i] * inv_h) + rnd
            fb[i] = E * inv_h
            eb[i] = (d + spread) * inv_h
            gap = abs(k0[i])
            smooth = abs(k1[i]) > gap or gap <= spread * per_noise + tol * per_tol
            pb[i] = ok and (abs(E) < np.inf) and smooth
        for _ in range(n - 1):  # h**-n
            for i in range(b):
                inv_h = 1.0 / hb[i]
                fb[i] *= inv_h
                eb[i] *= inv_h


@njit(**_OPTIONS)
def first_steps(x, c, carry, mask, h0, xabs):  # pragma: no cover - compiled (tested)
    """``xabs = |x|`` and the power-of-two ``h0 ~ c max(|x|, 1)`` of ``first_step``, in one pass."""
    bits = h0.view(np.int64)
    for i in range(x.size):
        a = abs(x[i])
        xabs[i] = a
        h0[i] = c * (a if a > 1.0 else 1.0)
        bits[i] = (bits[i] + carry) & mask


@njit(**_OPTIONS)
def nodes(x, pattern, h0, X):  # pragma: no cover - compiled (tested)
    """``X[j, i] = x[i] + pattern[j] * h0[i]`` (the same two roundings as NumPy's)."""
    for j in range(pattern.size):
        p = pattern[j]
        row = X[j]
        for i in range(x.size):
            row[i] = x[i] + p * h0[i]
