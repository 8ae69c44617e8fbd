"""Interior weights on uneven nodes from the Lagrange form, fused with their application.

The ``n``-th derivative at a node ``x_c`` of the interpolating polynomial
through ``m`` nodes ``x_j`` is ``sum_j w_j y_j`` with
``w_j = L_j^{(n)}(x_c)``.  With offsets ``a_j = (x_j - x_c) / s`` (``s`` a
mean spacing, so that every offset is of order one) and ``a_c = 0``:

* ``w_j = n! [t^(n-1)] Q_j(t) / d_j`` for ``j != c``, where
  ``Q_j(t) = prod_{l != j, c} (t - a_l)`` and
  ``d_j = prod_{l != j} (a_j - a_l)`` is the Lagrange denominator; for
  ``n = 1`` the coefficient is ``Q_j(0) = -d_c / a_j``, so
  ``w_j = -d_c / (a_j d_j)``; for ``n >= 2`` it comes from the products of
  the factors before and after ``j`` (prefix and suffix products truncated
  to degree ``n - 1``: ``O(m n^2)`` operations and no division, as stable as
  Fornberg's recursion);
* the weights of a derivative sum to zero, so the centre weight is
  ``-sum_{j != c} w_j`` and the derivative is ``sum_{j != c} w_j (y_j - y_c)``
  (exactly zero on constant data).

Every ``d_j`` of a run of consecutive points comes from the lagged
differences ``L_k[q] = (x[q+k] - x[q]) / s`` of the run: the products
``F_k[q] = prod_{i<=k} L_i[q]`` (the nodes right of ``q``) and
``G_k[q] = prod_{i<=k} L_i[q-i]`` (the nodes left of it) give
``d_j = G_j * (-1)^(m-1-j) F_{m-1-j}`` at node ``q = p + j``, so all the
denominators cost ``O(m)`` operations per point instead of the ``O(m^2)``
of the pairwise products (or the ``O(m^2 n)`` of Fornberg's recursion).
:func:`apply_interior` runs this over cache-sized blocks of points with
ufuncs writing into reused buffers; the compiled twin in
:mod:`dfdx.grid._jit1d` does the same operations per point.
"""

from __future__ import annotations

import math
import threading

import numpy as np

__all__ = ["BLOCK", "apply_interior", "lagrange_weights"]

#: points per block: long enough that each ufunc call's fixed cost is small
#: (measured faster than 2^11 to 2^13 and than 2^15 to 2^16 at 10^5 to 10^6 points)
BLOCK = 1 << 14


class _Buffers:
    """Scratch arrays of one block (see :func:`_buffers`)."""

    def __init__(self, m: int, n: int, size: int, dtype: np.dtype) -> None:
        self.key = (m, n, np.dtype(dtype))
        self.size = size
        span = size + m - 1
        self.lags = np.empty((m, span))  # lags[k, q] = L_k[q] (row 0 unused)
        self.right = np.empty((m, span))  # right[k] = F_k
        self.left = np.empty((m, span))  # left[k, u] = G_k[u + k]
        self.den = np.empty(size)
        self.num = np.empty((1, size))
        self.signed = np.empty((m - 1, size))
        self.pre = np.empty((2, n, size)) if n > 1 else None  # this prefix and the next
        self.suf = np.empty((m - 1, n, size)) if n > 1 else None
        self.poly = np.empty((n, size))
        self.offset = np.empty(size)
        self.work = np.empty(size)
        self.weight = np.empty(size)
        self.diff = np.empty(size, dtype)
        self.term = np.empty(size, dtype)


_local = threading.local()


def _buffers(m: int, n: int, size: int, dtype: np.dtype) -> _Buffers:
    """This thread's scratch arrays for blocks of ``size`` points, reused from call to call.

    Fresh arrays of a few MiB cost more in page faults than a block's whole
    arithmetic at ``10^4`` points, so the last set is kept (one per thread,
    ``O(m n)`` rows of :data:`BLOCK` points: 2 to 10 MiB for the usual
    stencils) and reused while the stencil and dtype match.
    """
    buf = getattr(_local, "buffers", None)
    if buf is None or buf.key != (m, n, np.dtype(dtype)) or buf.size < size:
        buf = _local.buffers = _Buffers(m, n, size, dtype)
    return buf


def _block_weights(x, base, count, n, m, c, scale, buf: _Buffers):
    """Yield ``(j, w_j)`` for the non-centre nodes of ``count`` points from node ``base``.

    ``w_j`` is a view into a buffer reused for the next ``j``, so consumers
    must use it before advancing.
    """
    span = count + m - 1
    xs = x[base : base + span]
    lags, right, left = buf.lags, buf.right, buf.left
    for k in range(1, m):
        row = lags[k, : span - k]
        np.subtract(xs[k:], xs[:-k], out=row)
        np.divide(row, scale, out=row)
    right[1, : span - 1] = lags[1, : span - 1]
    left[1, : span - 1] = lags[1, : span - 1]
    for k in range(2, m):
        np.multiply(right[k - 1, : span - k], lags[k, : span - k], out=right[k, : span - k])
        np.multiply(left[k - 1, 1 : span - k + 1], lags[k, : span - k], out=left[k, : span - k])

    def offsets(j):  # a_j of every point of the block
        if j > c:
            return lags[j - c, c : c + count]
        np.negative(lags[c - j, j : j + count], out=buf.offset[:count])
        return buf.offset[:count]

    def denominator(j):  # d_j, signed
        den = buf.den[:count]
        if j == 0:
            den[:] = right[m - 1, :count]
        elif j == m - 1:
            den[:] = left[m - 1, :count]
        else:
            np.multiply(left[j, :count], right[m - 1 - j, j : j + count], out=den)
        if (m - 1 - j) % 2:
            np.negative(den, out=den)
        return den

    w = buf.weight[:count]
    if n == 1:  # r_0 = d_c: w_j = -d_c / (a_j d_j)
        num = buf.num[0, :count]
        np.multiply(denominator(c), -1.0, out=num)
        for j in range(m):
            if j != c:
                den = denominator(j)
                np.multiply(den, offsets(j), out=den)
                np.divide(num, den, out=w)
                yield j, w
        return
    # n >= 2: [t^(n-1)] of Q_j = prod_{l != j, c} (t - a_l) from the products of
    # the factors before and after j (no division: stable for any n)
    nodes = [j for j in range(m) if j != c]
    p = len(nodes)
    a = buf.signed[:, :count]
    for k, j in enumerate(nodes):
        a[k] = offsets(j)
    pres, suf, tmp = buf.pre[:, :, :count], buf.suf[:, :, :count], buf.poly[:, :count]
    suf[p - 1] = 0.0
    suf[p - 1, 0] = 1.0
    for k in range(p - 2, -1, -1):
        _times(suf[k + 1], a[k + 1], suf[k], tmp)
    pre = pres[0]  # the prefix product advances node by node (two buffers in turn)
    pre[:] = 0.0
    pre[0] = 1.0
    fact = float(math.factorial(n))
    for k, j in enumerate(nodes):
        np.multiply(pre[0], suf[k, n - 1], out=w)
        for i in range(1, n):
            np.multiply(pre[i], suf[k, n - 1 - i], out=buf.work[:count])
            np.add(w, buf.work[:count], out=w)
        np.multiply(w, fact, out=w)
        np.divide(w, denominator(j), out=w)
        yield j, w
        if k < p - 1:
            nxt = pres[(k + 1) % 2]
            _times(pre, a[k], nxt, tmp)
            pre = nxt


def _times(old, a, out, tmp) -> None:
    """``out = old * (t - a)`` truncated: coefficients on the first axis, points on the second."""
    np.multiply(old[1:], a, out=tmp[1:])
    np.subtract(old[:-1], tmp[1:], out=out[1:])
    np.multiply(old[0], a, out=out[0])
    np.negative(out[0], out=out[0])


def apply_interior(y, x, out, n: int, acc: int, scale: float, c: float | None) -> None:
    """``out[i] = c * d^n y / dx^n`` at every interior point of 1-D ``y`` on nodes ``x``.

    The points with a full centred stencil of ``m = n + acc`` nodes; ``c``
    is ``scale**-n`` (``None``: left unscaled, the caller rescales).
    """
    m = n + acc
    left = (m - 1) // 2
    stop = y.shape[0] - (m - 1 - left)
    size = min(BLOCK, max(stop - left, 0))
    if size == 0:
        return
    buf = _buffers(m, n, size, out.dtype)
    factor = 1.0 if c is None else c
    for lo in range(left, stop, BLOCK):
        count = min(BLOCK, stop - lo)
        base = lo - left
        dest = out[lo : lo + count]
        yc = y[lo : lo + count]
        first = True
        diff, term = buf.diff[:count], buf.term[:count]
        for j, w in _block_weights(x, base, count, n, m, left, scale, buf):
            np.subtract(y[base + j : base + j + count], yc, out=diff)
            if first:
                np.multiply(diff, w, out=dest)
                first = False
            else:
                np.multiply(diff, w, out=term)
                np.add(dest, term, out=dest)
        if factor != 1.0:
            np.multiply(dest, factor, out=dest)


def lagrange_weights(x: np.ndarray, n: int, acc: int, scale: float, lo: int, hi: int):
    """Weights ``(hi - lo, m)`` of the interior points ``lo .. hi-1`` (centre included), unscaled.

    Point ``i`` is ``sum_j weights[i - lo, j] * y[i - left + j]`` (times
    ``scale**-n``); the columns are contiguous.
    """
    m = n + acc
    left = (m - 1) // 2
    weights = np.empty((m, max(hi - lo, 0)))
    if hi <= lo:
        return weights.T
    buf = _buffers(m, n, min(BLOCK, hi - lo), np.dtype(np.float64))
    for a in range(lo, hi, BLOCK):
        count = min(BLOCK, hi - a)
        cols = slice(a - lo, a - lo + count)
        centre = weights[left, cols]
        centre[:] = 0.0
        for j, w in _block_weights(x, a - left, count, n, m, left, scale, buf):
            weights[j, cols] = w
            np.subtract(centre, w, out=centre)
    return weights.T
