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
* :func:`fornberg` is any other derivative on uneven nodes: per point,
  Fornberg's recursion for the weights of its own ``m``-node stencil (offsets
  in units of a global spacing, as in :func:`dfdx.grid._stencils.fornberg_last`)
  and their sum against ``y``, without storing any weights.

Every index is written as a non-negative offset from the loop variable (a
negative offset makes numba emit a wrap-around test that stops the loop from
vectorising), and ``error_model="numpy"`` lets divisions by zero give
inf/NaN as NumPy does instead of raising.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["central", "fornberg", "two_slopes"]

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
def fornberg(y, x, out, n, m, left, scale, c):  # pragma: no cover - compiled (tested)
    """``out[i] = sum_j c w_j y[i - left + j]`` with Fornberg's ``n``-th derivative weights.

    ``w`` are the weights of the ``m`` nodes ``x[i - left + j]`` around
    ``x[i]``, in units of ``scale`` (``c = scale**-n``); interior points only
    (``left <= i < size - (m - 1 - left)``).  The recursion runs over blocks
    of points with the points innermost, so that its divisions vectorise; its
    operations are those of :func:`dfdx.grid._stencils.fornberg_last`, in the
    same order.
    """
    stop = y.size - (m - 1 - left)
    a = np.empty((m, _BLOCK))
    table = np.empty((m, n + 1, _BLOCK))
    c1 = np.empty(_BLOCK)
    c2 = np.empty(_BLOCK)
    c3 = np.empty(_BLOCK)
    inv = np.empty(_BLOCK)
    ratio = np.empty(_BLOCK)
    for lo in range(left, stop, _BLOCK):
        b = min(_BLOCK, stop - lo)
        xc = x[lo : lo + b]
        for j in range(m):
            xj = x[lo - left + j : lo - left + j + b]
            aj = a[j]
            for t in range(b):
                aj[t] = (xj[t] - xc[t]) / scale
        table[:, :, :b] = 0.0
        table[0, 0, :b] = 1.0
        c1[:b] = 1.0
        for r in range(1, m):
            mn = min(r, n)
            ar = a[r]
            c5 = a[r - 1]
            c2[:b] = 1.0
            for j in range(r):
                aj = a[j]
                for t in range(b):
                    c3[t] = ar[t] - aj[t]
                    c2[t] *= c3[t]
                if j == r - 1:
                    for t in range(b):
                        ratio[t] = c1[t] / c2[t]
                    for k in range(mn, 0, -1):
                        new = table[r, k]
                        lower = table[r - 1, k - 1]
                        same = table[r - 1, k]
                        for t in range(b):
                            new[t] = ratio[t] * (k * lower[t] - c5[t] * same[t])
                    new = table[r, 0]
                    same = table[r - 1, 0]
                    for t in range(b):
                        new[t] = -ratio[t] * c5[t] * same[t]
                for t in range(b):
                    inv[t] = 1.0 / c3[t]
                for k in range(mn, 0, -1):
                    row = table[j, k]
                    lower = table[j, k - 1]
                    for t in range(b):
                        row[t] = (ar[t] * row[t] - k * lower[t]) * inv[t]
                row = table[j, 0]
                for t in range(b):
                    row[t] = ar[t] * row[t] * inv[t]
            c1[:b] = c2[:b]
        dest = out[lo : lo + b]
        w = table[0, n]
        ys = y[lo - left : lo - left + b]
        for t in range(b):
            dest[t] = ys[t] * (w[t] * c)
        for j in range(1, m):
            w = table[j, n]
            ys = y[lo - left + j : lo - left + j + b]
            for t in range(b):
                dest[t] += ys[t] * (w[t] * c)
