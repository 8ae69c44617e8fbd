"""Compiled 1-D kernels (numba): one pass over the data, at memory speed.

Imported only through :func:`dfdx.grid._compiled.kernels`, and only when
numba is installed.  Each kernel computes exactly the formula of its NumPy
counterpart in :mod:`dfdx.grid._fast1d`, fused into one loop, so the data
crosses main memory once:

* :func:`central` sums a central stencil pair by pair from the outermost
  pair in, ``sum_k w[r+k] (y[i+k] -/+ y[i-k]) (+ w[r] y[i])``, as the Horner
  kernel does (a pair of an odd-order stencil cancels exactly on constant
  data, and a zero centre weight is left out, so an inf there makes no NaN):
  one fused loop for up to four pairs, wider stencils over L1-sized blocks
  with the taps in the outer loop, so that every inner loop is a plain
  vectorisable sweep;
* :func:`two_slopes` is the order-2 first derivative on uneven nodes,
  ``s0 + (s1 - s0) * h0 / (x[i+1] - x[i-1])``, with the same operations in
  the same order as the NumPy kernel (bitwise equal results), and reports
  whether the spacings it met were strictly monotonic in the direction
  given;
* :func:`lagrange` is any other derivative on uneven nodes: per point, the
  weights of its own ``m``-node stencil in the Lagrange form of
  :mod:`dfdx.grid._lagrange` (offsets in units of a global spacing, every
  denominator from running products of lagged differences, ``O(m)`` work
  per node) summed against ``y - y[i]``, without storing any weights; the
  same operations in the same order as the NumPy blocks (bitwise equal).

Every index is written as a non-negative offset from the loop variable (a
negative offset makes numba emit a wrap-around test that stops the loop from
vectorising), and ``error_model="numpy"`` lets divisions by zero give
inf/NaN as NumPy does instead of raising.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["central", "lagrange", "two_slopes"]

_OPTIONS = {"cache": True, "nogil": True, "error_model": "numpy", "boundscheck": False}

#: outputs per block: the accumulator and the block of ``y`` stay in L1
_BLOCK = 1024


def central(y, out, w, n, c):
    """``out[r:-r] = c * (w (*) y)``: the central stencil ``w`` (``2 r + 1`` taps) of order ``n``.

    ``w`` is symmetric for even ``n`` and antisymmetric for odd ``n``, so it
    is summed over pairs, ``sum_k c w[r+k] (y[i+k] -/+ y[i-k])``, plus the
    centre term ``c w[r] y[i]`` where that weight is not zero.
    """
    r = w.size // 2
    pairs = np.ascontiguousarray(w[r + 1 :] * c, dtype=np.float64)
    centre = float(w[r] * c)
    odd = n % 2 == 1
    if r < len(_FUSED):
        _FUSED[r](y, out, pairs, odd, centre)
    else:
        _blocked(y, out, pairs, odd, centre)


@njit(**_OPTIONS)
def _fused1(y, out, p, odd, w0):  # pragma: no cover - compiled (its result is tested)
    a1 = p[0]
    if odd:
        for j in range(y.size - 2):
            out[j + 1] = a1 * (y[j + 2] - y[j])
    elif w0 != 0:
        for j in range(y.size - 2):
            out[j + 1] = a1 * (y[j + 2] + y[j]) + w0 * y[j + 1]
    else:
        for j in range(y.size - 2):
            out[j + 1] = a1 * (y[j + 2] + y[j])


@njit(**_OPTIONS)
def _fused2(y, out, p, odd, w0):  # pragma: no cover - compiled (its result is tested)
    a1, a2 = p[0], p[1]
    if odd:
        for j in range(y.size - 4):
            out[j + 2] = a2 * (y[j + 4] - y[j]) + a1 * (y[j + 3] - y[j + 1])
    else:
        for j in range(y.size - 4):
            s = a2 * (y[j + 4] + y[j]) + a1 * (y[j + 3] + y[j + 1])
            out[j + 2] = s + w0 * y[j + 2] if w0 != 0 else s


@njit(**_OPTIONS)
def _fused3(y, out, p, odd, w0):  # pragma: no cover - compiled (its result is tested)
    a1, a2, a3 = p[0], p[1], p[2]
    if odd:
        for j in range(y.size - 6):
            s = a3 * (y[j + 6] - y[j]) + a2 * (y[j + 5] - y[j + 1])
            out[j + 3] = s + a1 * (y[j + 4] - y[j + 2])
    else:
        for j in range(y.size - 6):
            s = a3 * (y[j + 6] + y[j]) + a2 * (y[j + 5] + y[j + 1])
            s += a1 * (y[j + 4] + y[j + 2])
            out[j + 3] = s + w0 * y[j + 3] if w0 != 0 else s


@njit(**_OPTIONS)
def _fused4(y, out, p, odd, w0):  # pragma: no cover - compiled (its result is tested)
    a1, a2, a3, a4 = p[0], p[1], p[2], p[3]
    if odd:
        for j in range(y.size - 8):
            s = a4 * (y[j + 8] - y[j]) + a3 * (y[j + 7] - y[j + 1])
            s += a2 * (y[j + 6] - y[j + 2])
            out[j + 4] = s + a1 * (y[j + 5] - y[j + 3])
    else:
        for j in range(y.size - 8):
            s = a4 * (y[j + 8] + y[j]) + a3 * (y[j + 7] + y[j + 1])
            s += a2 * (y[j + 6] + y[j + 2]) + a1 * (y[j + 5] + y[j + 3])
            out[j + 4] = s + w0 * y[j + 4] if w0 != 0 else s


@njit(**_OPTIONS)
def _blocked(y, out, p, odd, w0):  # pragma: no cover - compiled (its result is tested)
    r = p.size
    count = y.size - 2 * r  # interior points
    acc = np.empty(_BLOCK, dtype=out.dtype)
    sign = -1.0 if odd else 1.0
    for a in range(0, count, _BLOCK):
        b = min(_BLOCK, count - a)
        ya = y[a : a + b + 2 * r]  # ya[i + r] is the point, ya[i + r +- k] its neighbours
        acc[:b] = 0.0
        for k in range(r, 0, -1):
            wk = p[k - 1]
            up = ya[r + k : r + k + b]
            down = ya[r - k : r - k + b]
            for i in range(b):
                acc[i] += wk * (up[i] + sign * down[i])
        if w0 != 0:
            mid = ya[r : r + b]
            for i in range(b):
                acc[i] += w0 * mid[i]
        dest = out[a + r : a + r + b]
        for i in range(b):
            dest[i] = acc[i]


#: points per block of the Lagrange kernel (its scratch rows stay in L2;
#: measured faster than 256 or 512, the per-block work being arithmetic bound)
_LBLOCK = 1024

_FUSED = (None, _fused1, _fused2, _fused3, _fused4)


@njit(**_OPTIONS)
def two_slopes(y, x, out, sign):  # pragma: no cover - compiled (its result is tested)
    """Order-2 first derivative on uneven nodes into ``out[1:-1]``; False if not monotonic.

    ``sign`` is ``1.0`` for increasing ``x`` and ``-1.0`` for decreasing;
    every spacing times ``sign`` must be positive (NaN is not).
    """
    count = y.size - 2
    ok = True
    for j in range(count):
        h0 = x[j + 1] - x[j]
        h1 = x[j + 2] - x[j + 1]
        ok &= h1 * sign > 0
        q = h0 / (x[j + 2] - x[j])
        s0 = (y[j + 1] - y[j]) / h0
        s1 = (y[j + 2] - y[j + 1]) / h1
        out[j + 1] = (s1 - s0) * q + s0
    return ok and (x[1] - x[0]) * sign > 0


@njit(**_OPTIONS)
def lagrange(y, x, out, n, m, left, scale, c, fact):  # pragma: no cover - compiled (tested)
    """``out[i] = c * sum_{j != left} w_j (y[i - left + j] - y[i])``: the Lagrange-form weights.

    The operations of :func:`dfdx.grid._lagrange.apply_interior`, in the
    same order, per block of points with the points innermost: lagged
    differences of ``x`` in units of ``scale`` and their running products
    right and left of each node (the Lagrange denominators), for ``n >= 2``
    the suffix products of ``t - a_l`` (``fact = n!``), then per node ``j``
    plain sweeps over the points (rows outermost, so that each vectorises)
    adding ``w_j (y_j - y_c)``; the prefix product advances in place from
    node to node, so only the suffixes are stored.
    """
    stop = y.size - (m - 1 - left)
    block = max(min(_LBLOCK, stop - left), 1)
    span_max = block + m - 1
    lags = np.zeros((m, span_max))
    right = np.zeros((m, span_max))
    lft = np.zeros((m, span_max))
    num = np.empty(block)
    den = np.empty(block)
    sig = np.empty((m - 1, block))
    pre = np.empty((n, block))
    suf = np.empty((m - 1, n, block))
    acc = np.empty(block, dtype=out.dtype)
    for lo in range(left, stop, block):
        b = min(block, stop - lo)
        base = lo - left
        span = b + m - 1
        xb = x[base : base + span]
        g1, r1, l1 = lags[1], right[1], lft[1]
        for q in range(span - 1):
            v = (xb[q + 1] - xb[q]) / scale
            g1[q] = v
            r1[q] = v
            l1[q] = v
        for k in range(2, m):
            gk, rk, rp, lk, lp = lags[k], right[k], right[k - 1], lft[k], lft[k - 1]
            for q in range(span - k):
                v = (xb[q + k] - xb[q]) / scale
                gk[q] = v
                rk[q] = rp[q] * v
                lk[q] = lp[q + 1] * v
        for t in range(b):
            acc[t] = 0.0
        yc = y[lo : lo + b]
        if n == 1:
            _denominator(right, lft, num, left, m, b)
            for t in range(b):
                num[t] = num[t] * -1.0
        else:
            _suffixes(lags, sig, pre, suf, n, m, left, b)
        k = 0
        for j in range(m):
            if j == left:
                continue
            yj = y[base + j : base + j + b]
            _denominator(right, lft, den, j, m, b)
            if n == 1:
                if j > left:
                    ga, ia, sa = lags[j - left], left, 1.0
                else:
                    ga, ia, sa = lags[left - j], j, -1.0
                for t in range(b):
                    acc[t] += (yj[t] - yc[t]) * (num[t] / (den[t] * (ga[ia + t] * sa)))
            elif n == 2:  # one fused sweep: weight, term and the next prefix
                p0, p1, s0, s1, ak = pre[0], pre[1], suf[k, 0], suf[k, 1], sig[k]
                for t in range(b):
                    w = p0[t] * s1[t]
                    w = w + p1[t] * s0[t]
                    acc[t] += (yj[t] - yc[t]) * ((w * fact) / den[t])
                    p1[t] = p0[t] - p1[t] * ak[t]
                    p0[t] = -(p0[t] * ak[t])
            elif n == 3:
                p0, p1, p2, ak = pre[0], pre[1], pre[2], sig[k]
                s0, s1, s2 = suf[k, 0], suf[k, 1], suf[k, 2]
                for t in range(b):
                    w = p0[t] * s2[t]
                    w = w + p1[t] * s1[t]
                    w = w + p2[t] * s0[t]
                    acc[t] += (yj[t] - yc[t]) * ((w * fact) / den[t])
                    p2[t] = p1[t] - p2[t] * ak[t]
                    p1[t] = p0[t] - p1[t] * ak[t]
                    p0[t] = -(p0[t] * ak[t])
            else:
                sk = suf[k]
                p0, s0 = pre[0], sk[n - 1]
                for t in range(b):
                    num[t] = p0[t] * s0[t]
                for i in range(1, n):  # rows outermost: every loop is a plain sweep
                    pi, si = pre[i], sk[n - 1 - i]
                    for t in range(b):
                        num[t] = num[t] + pi[t] * si[t]
                for t in range(b):
                    acc[t] += (yj[t] - yc[t]) * ((num[t] * fact) / den[t])
                if k < m - 2:  # the next prefix, in place (each row is read before written)
                    _times(pre, sig[k], pre, n, b)
            k += 1
        for t in range(b):
            out[lo + t] = acc[t] * c


@njit(**_OPTIONS)
def _suffixes(lags, sig, pre, suf, n, m, c, b):  # pragma: no cover - compiled (tested)
    """Offsets ``a_l`` of the non-centre nodes, the first prefix and the suffix products.

    The products of ``t - a_l`` are truncated to degree ``n - 1``.
    """
    p = m - 1
    k = 0
    for j in range(m):
        if j == c:
            continue
        row = sig[k]
        if j > c:
            src = lags[j - c]
            for t in range(b):
                row[t] = src[c + t]
        else:
            src = lags[c - j]
            for t in range(b):
                row[t] = -src[j + t]
        k += 1
    for i in range(n):
        for t in range(b):
            pre[i, t] = 1.0 if i == 0 else 0.0
            suf[p - 1, i, t] = 1.0 if i == 0 else 0.0
    for k in range(p - 2, -1, -1):
        _times(suf[k + 1], sig[k + 1], suf[k], n, b)


@njit(**_OPTIONS)
def _times(old, a, out, n, b):  # pragma: no cover - compiled (tested)
    """``out = old * (t - a)`` truncated to degree ``n - 1`` (the NumPy twin's operations)."""
    for i in range(n - 1, 0, -1):
        lo, hi, o = old[i - 1], old[i], out[i]
        for t in range(b):
            o[t] = lo[t] - hi[t] * a[t]
    o0, h0 = out[0], old[0]
    for t in range(b):
        o0[t] = -(h0[t] * a[t])


@njit(**_OPTIONS)
def _denominator(right, lft, den, j, m, b):  # pragma: no cover - compiled (tested)
    """``den[t] = d_j``, the signed Lagrange denominator of node ``j`` of each point."""
    if j == 0:
        row = right[m - 1]
        for t in range(b):
            den[t] = row[t]
    elif j == m - 1:
        row = lft[m - 1]
        for t in range(b):
            den[t] = row[t]
    else:
        lrow, rrow = lft[j], right[m - 1 - j]
        for t in range(b):
            den[t] = lrow[t] * rrow[j + t]
    if (m - 1 - j) % 2 == 1:
        for t in range(b):
            den[t] = -den[t]


@njit(**_OPTIONS)
def fornberg_columns(offsets, order, out):  # pragma: no cover - compiled (tested)
    """``out[:, b]``: Fornberg's ``order``-th derivative weights of the stencil ``offsets[:, b]``.

    The operations of :func:`dfdx.grid._stencils.fornberg_last`, in the same
    order, one stencil at a time (the few edge points of a non-uniform grid).
    """
    m, batch = offsets.shape
    c = np.empty((m, order + 1))
    prev = np.empty(order + 1)
    c3 = np.empty(m)
    for b in range(batch):
        c[:, :] = 0.0
        c[0, 0] = 1.0
        c1 = 1.0
        c4 = offsets[0, b]
        for i in range(1, m):
            mn = min(i, order)
            c5 = c4
            c4 = offsets[i, b]
            for j in range(i):
                c3[j] = c4 - offsets[j, b]
            c2 = c3[0]
            for j in range(1, i):
                c2 = c2 * c3[j]
            for k in range(order + 1):
                prev[k] = c[i - 1, k]
            ratio = c1 / c2
            for k in range(1, mn + 1):
                c[i, k] = ratio * (k * prev[k - 1] - c5 * prev[k])
            c[i, 0] = -ratio * c5 * prev[0]
            for j in range(i):
                inv = 1.0 / c3[j]
                for k in range(mn, 0, -1):
                    c[j, k] = (c4 * c[j, k] - k * c[j, k - 1]) * inv
                c[j, 0] = c4 * c[j, 0] * inv
            c1 = c2
        for j in range(m):
            out[j, b] = c[j, order]
