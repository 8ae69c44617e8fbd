"""Lean interior kernels for 1-D data: cache blocks, preallocated scratch, few passes.

On one long axis the cost of a derivative is main-memory traffic plus the
arithmetic passes NumPy makes over it.  These kernels walk the interior in
blocks of :data:`BLOCK` elements: ``y`` (and ``x``) are read from memory and
the output written once; every intermediate lives in a small reusable buffer
that stays in the L2 cache, and each block costs a fixed handful of ufunc
calls with ``out=`` (no allocation, no generic N-D indexing).

* Uniform spacing: the central stencil is (anti)symmetric, so it is summed
  from the outermost pair of taps inwards in Horner form,
  ``o = (y[+r] -/+ y[-r]); o = o * (w[k+1] / w[k]) + (y[+k] -/+ y[-k])``, and
  scaled by ``w[1] / h**n`` at the end: ``3 r - 1`` passes for ``r`` pairs.
* Non-uniform first derivative of order 2: the two-slope formula
  ``(h0 * s1 + h1 * s0) / (h0 + h1)`` with ``s = dy / dx``, written as
  ``s0 + q (s1 - s0)`` with ``q = h0 / (h0 + h1)`` (every intermediate a
  slope, a spacing or a ratio, so it is scale invariant), the monotonicity of
  ``x`` checked block by block on the spacings it needs anyway.

The edge points are left to the callers in :mod:`dfdx.grid._apply`.  With
numba installed, long contiguous data goes through the fused kernels of
:mod:`dfdx.grid._jit1d` instead (see :mod:`dfdx.grid._compiled`).
"""

from __future__ import annotations

import numpy as np

from dfdx._core.validate import check_coordinates
from dfdx.grid._compiled import usable

__all__ = ["BLOCK", "horner_ratios", "two_slopes_1d", "uniform_1d"]

#: elements per block (512 KiB of float64): the buffers of a block stay in the
#: L2/L3 caches and the per-block Python overhead is small next to the
#: arithmetic (measured faster than 16 or 32 Ki elements)
BLOCK = 1 << 16


def horner_ratios(central: np.ndarray) -> np.ndarray | None:
    """``w[k+1] / w[k]`` for ``k = 1 .. r-1`` of a central stencil ``w`` (``w[0]`` the centre).

    ``None`` when a tap is zero (the Horner form then does not apply).
    """
    r = central.size // 2
    w = central[r + 1 :]
    if np.any(w == 0):
        return None
    return w[1:] / w[:-1]


def uniform_1d(y: np.ndarray, out: np.ndarray, central: np.ndarray, n: int, c: float) -> bool:
    """Write the central stencil times ``c`` into ``out[r:size-r]``; ``False`` if not applicable.

    ``central`` holds the unit-spacing weights of the ``n``-th derivative,
    ``c`` is ``1 / h**n``.  Applies when no tap other than the centre is zero
    (any stencil when the compiled kernels apply).
    """
    jit = usable(y, out)
    if jit is not None:
        jit.central(y, out, central, n, c)
        return True
    ratios = horner_ratios(central)
    if ratios is None:
        return False
    r = central.size // 2
    odd = n % 2 == 1
    pair = np.subtract if odd else np.add
    size = y.shape[0]
    w1 = float(central[r + 1]) * c
    centre = float(central[r]) / float(central[r + 1]) if not odd and central[r] != 0 else 0.0
    scratch = np.empty(min(BLOCK, size), out.dtype) if centre else None
    for a in range(r, size - r, BLOCK):
        b = min(a + BLOCK, size - r)
        o = out[a:b]
        pair(y[a + r : b + r], y[a - r : b - r], out=o)
        for k in range(r - 1, 0, -1):
            np.multiply(o, float(ratios[k - 1]), out=o)
            np.add(o, y[a + k : b + k], out=o)
            pair(o, y[a - k : b - k], out=o)
        if centre:
            t = scratch[: b - a]
            np.multiply(y[a:b], centre, out=t)
            np.add(o, t, out=o)
        if w1 != 1.0:
            np.multiply(o, w1, out=o)
    return True


def two_slopes_1d(y: np.ndarray, x: np.ndarray, out: np.ndarray) -> None:
    """Order-2 first derivative on uneven 1-D nodes, written into ``out[1:-1]``.

    ``d = s0 + q * (s1 - s0)`` with the slopes ``s0``, ``s1`` left and right
    of the point and ``q = h0 / (x[i+1] - x[i-1])``: the two-slope formula
    ``(h0 s1 + h1 s0) / (h0 + h1)`` rearranged so that each block costs
    eight ufunc passes and writes ``out`` once, in the last one.  ``x`` must
    be float64 and of the length of ``y``; raises the shared coordinate error
    when a block finds its spacings not strictly monotonic.
    """
    size = y.shape[0]
    increasing = x[-1] > x[0]
    jit = usable(y, out)
    if jit is not None and x.flags.c_contiguous:
        if not jit.two_slopes(y, x, out, 1.0 if increasing else -1.0):
            check_coordinates(x, "x")
        return
    count = min(BLOCK, size - 2)
    hb = np.empty(count + 1)
    qb = np.empty(count)
    sb = np.empty(count + 1, out.dtype)
    ub = np.empty(count, out.dtype)
    for a in range(1, size - 1, BLOCK):
        b = min(a + BLOCK, size - 1)
        m = b - a
        h, q, s, u = hb[: m + 1], qb[:m], sb[: m + 1], ub[:m]
        np.subtract(x[a : b + 1], x[a - 1 : b], out=h)
        if not (h.min() > 0 if increasing else h.max() < 0):  # False for NaN too
            check_coordinates(x, "x")
        np.subtract(x[a + 1 : b + 1], x[a - 1 : b - 1], out=q)
        np.divide(h[:-1], q, out=q)
        np.subtract(y[a : b + 1], y[a - 1 : b], out=s)
        np.divide(s, h, out=s)
        np.subtract(s[1:], s[:-1], out=u)
        np.multiply(u, q, out=u)
        np.add(u, s[:-1], out=out[a:b])
