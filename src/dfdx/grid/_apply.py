"""Fast application of finite-difference stencils along one axis of an array.

Speed comes from keeping main memory streamed about once:

* 1-D uniform data goes through the cache-blocked kernels of
  :mod:`dfdx.grid._fast1d` or NumPy's compiled convolution (one pass), or
  the fused numba kernels of :mod:`dfdx.grid._jit1d` when installed;
* N-D C-ordered data is treated as one flat run, neighbour ``k`` along the
  axis being ``k * stride`` away, and accumulated over shifted slices with
  ``out=`` arguments in cache-sized blocks (values at the edge rows come out
  wrong there and are overwritten by the edge pass);
* other layouts are cut into blocks along the memory-outermost axis;
* non-uniform coordinates use per-point weights built block by block (or a
  two-slope formula for the first derivative of order 2), never stored for
  the whole array unless a :class:`~dfdx.grid.Diff` keeps them for reuse;
* the edges (``r`` points at each end) are handled apart with small gathers.

Scratch space is a few block-sized buffers (at most four, in the 1-D
non-uniform kernel); the only array the size of the input is the output.
"""

from __future__ import annotations

import math

import numpy as np

from dfdx._core.validate import check_coordinates
from dfdx.grid._compiled import usable
from dfdx.grid._fast1d import two_slopes_1d, uniform_1d
from dfdx.grid._lagrange import apply_interior, lagrange_weights
from dfdx.grid._stencils import (
    UniformStencil,
    nonuniform_extent,
    nonuniform_weights,
    scale_factor,
)

__all__ = ["apply_nonuniform", "apply_uniform", "blocks", "interior_weights"]

#: bytes of one block of the output; a few such arrays fit in a 1-2 MiB L2 cache
BLOCK_BYTES = 1 << 17

#: widest central stencil (half-width) for which a fresh 1-D result is computed by
#: ``np.convolve``: measured faster than the Horner sum up to 9 taps, while from 11
#: taps on NumPy's convolution becomes several times slower (a slower inner loop)
CONVOLVE_MAX_HALF = 4


def _sl(ndim: int, axis: int, start: int, stop: int) -> tuple:
    idx = [slice(None)] * ndim
    idx[axis] = slice(start, stop)
    return tuple(idx)


def _bcast(vec: np.ndarray, ndim: int, axis: int) -> np.ndarray:
    """Reshape a 1-D array to broadcast along ``axis`` of an ``ndim`` array."""
    shape = [1] * ndim
    shape[axis] = vec.shape[0]
    return vec.reshape(shape)


def outer_axis(a: np.ndarray) -> int:
    """The axis with the largest stride among those longer than one."""
    best, stride = 0, -1
    for ax in range(a.ndim):
        if a.shape[ax] > 1 and abs(a.strides[ax]) > stride:
            best, stride = ax, abs(a.strides[ax])
    return best


def blocks(a: np.ndarray, outer: int, block_bytes: int = BLOCK_BYTES):
    """Split ``range(a.shape[outer])`` into chunks of about ``block_bytes`` each."""
    size = a.shape[outer]
    row = max(1, a.itemsize * (a.size // max(size, 1)))
    step = max(1, block_bytes // row)
    return [(s, min(s + step, size)) for s in range(0, size, step)]


class _Scratch:
    """Two reusable flat buffers, viewed with whatever shape a block needs."""

    def __init__(self, count: int, dtype: np.dtype) -> None:
        self.bufs = [np.empty(count, dtype) for _ in range(2)]

    def get(self, k: int, shape: tuple) -> np.ndarray:
        size = math.prod(shape)
        if self.bufs[k].size < size:
            self.bufs[k] = np.empty(size, self.bufs[k].dtype)
        return self.bufs[k][:size].reshape(shape)


def _rescale(arr: np.ndarray, c: float | None, h: float, n: int) -> None:
    """Multiply ``arr`` in place by ``1/h**n`` (precomputed ``c``) or divide n times."""
    if c is None:
        for _ in range(n):
            np.divide(arr, h, out=arr)
    elif c != 1.0:
        np.multiply(arr, c, out=arr)


def _store(out: np.ndarray, idx: tuple, vals: np.ndarray, accumulate: bool) -> None:
    if accumulate:
        out[idx] += vals
    else:
        out[idx] = vals


def _gather(y: np.ndarray, axis: int, nodes: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``sum_j w[k, j] * y[nodes[k, j]]`` along ``axis``, for a few rows ``k``."""
    k, m = nodes.shape
    taken = np.moveaxis(np.take(y, nodes.ravel(), axis=axis), axis, -1)
    taken = taken.reshape(*taken.shape[:-1], k, m)
    vals = np.einsum("...km,km->...k", taken, w.astype(taken.real.dtype, copy=False))
    return np.moveaxis(vals, -1, axis)


def _interior_uniform(y, tgt, tmp, axis, lo, hi, st: UniformStencil, c, step=1) -> None:
    """Write the central stencil for points ``lo..hi-1`` into ``tgt``.

    Neighbour ``k`` is ``k * step`` positions away along ``axis`` (``step`` is
    the row length when a C-ordered N-D array is processed as one flat run).
    """
    r, w = st.half, st.central
    nd = y.ndim
    odd = st.n % 2 == 1
    op = np.subtract if odd else np.add
    scale = 1.0 if c is None else c
    first = True
    for k in range(1, r + 1):
        coef = float(w[r + k]) * scale
        dest = tgt if first else tmp()
        ks = k * step
        op(y[_sl(nd, axis, lo + ks, hi + ks)], y[_sl(nd, axis, lo - ks, hi - ks)], out=dest)
        if coef != 1.0:
            np.multiply(dest, coef, out=dest)
        if not first:
            np.add(tgt, dest, out=tgt)
        first = False
    if not odd and w[r] != 0:
        dest = tmp()
        np.multiply(y[_sl(nd, axis, lo, hi)], float(w[r]) * scale, out=dest)
        np.add(tgt, dest, out=tgt)


def apply_uniform(y, out, axis, st: UniformStencil, h, *, periodic=False, accumulate=False):
    """``out (+)= d^n y / dx^n`` along ``axis`` for uniform spacing ``h``.

    1-D input takes the cache-blocked Horner sum of :mod:`dfdx.grid._fast1d`
    (into a given ``out``; fresh for 3-point or very wide stencils) or, for a
    fresh result of a 5- to 9-point stencil, NumPy's compiled convolution;
    N-D input the blocked slice arithmetic below.
    """
    size, nd, r, n = y.shape[axis], y.ndim, st.half, st.n
    c = scale_factor(h, n, y.dtype)
    if nd == 1 and c is not None and y.dtype.kind in "fc" and not accumulate:
        w = (st.central * c)[::-1].astype(y.dtype)
        compiled = usable(y, y if out is None else out) is not None
        if out is None and not compiled and 1 < r <= CONVOLVE_MAX_HALF:
            # one compiled pass beats 3 r - 1
            out = np.convolve(y, w, mode="same")
        else:
            out = np.empty_like(y) if out is None else out
            if not uniform_1d(y, out, st.central, n, c):
                step = max(BLOCK_BYTES // y.itemsize, 1)
                for a in range(r, size - r, step):
                    b = min(a + step, size - r)
                    out[a:b] = np.convolve(y[a - r : b + r], w, mode="valid")
        _edges_uniform(y, out, axis, 0, size, st, c, h, periodic, False)
        return out
    if out is None:
        out = np.empty_like(y, order="C" if y.flags.c_contiguous else "K")
    if (
        nd > 1
        and c is not None
        and not accumulate
        and y.flags.c_contiguous
        and out.flags.c_contiguous
    ):
        return _flat_uniform(y, out, axis, st, c, h, periodic)
    outer = outer_axis(y) if nd > 1 else axis
    parts = blocks(out, outer)
    count = max(b - a for a, b in parts) * (out.size // max(out.shape[outer], 1)) + out.size // (
        max(out.shape[axis], 1)
    )
    scratch = _Scratch(count, out.dtype)
    direct = c is not None and not accumulate
    for a, b in parts:
        if outer == axis:
            ys, os_, lo, hi = y, out, a, b
        else:
            ys, os_, lo, hi = y[_sl(nd, outer, a, b)], out[_sl(nd, outer, a, b)], 0, size
        ilo, ihi = max(lo, r), min(hi, size - r)
        if ihi > ilo:
            shape = list(ys.shape)
            shape[axis] = ihi - ilo
            shape = tuple(shape)
            dst = os_[_sl(nd, axis, ilo, ihi)]
            tgt = dst if direct else scratch.get(0, shape)
            tmp = _lazy(scratch, 1, shape)
            _interior_uniform(ys, tgt, tmp, axis, ilo, ihi, st, c)
            if not direct:
                if c is None:
                    _rescale(tgt, None, h, n)
                _store(os_, _sl(nd, axis, ilo, ihi), tgt, accumulate)
        _edges_uniform(ys, os_, axis, lo, hi, st, c, h, periodic, accumulate)
    return out


def _flat_uniform(y, out, axis, st, c, h, periodic):
    """C-ordered N-D input as one flat run: neighbour ``k`` is ``k * stride`` away.

    Every point at least ``r`` from the edges of ``axis`` gets the right value;
    the flat run also produces (wrong) values at edge points, which the edge
    pass then overwrites.  Long contiguous runs avoid NumPy's per-row
    iteration cost on strided views.
    """
    r = st.half
    stride = math.prod(y.shape[axis + 1 :])
    flat_y, flat_out = y.reshape(-1), out.reshape(-1)
    lo, hi = r * stride, y.size - r * stride
    step = max(BLOCK_BYTES // y.itemsize, 1)
    scratch = _Scratch(step, y.dtype)
    for a in range(lo, hi, step):
        b = min(a + step, hi)
        tmp = _lazy(scratch, 1, (b - a,))
        _interior_uniform(flat_y, flat_out[a:b], tmp, 0, a, b, st, c, step=stride)
    _edges_uniform(y, out, axis, 0, y.shape[axis], st, c, h, periodic, False)
    return out


def _lazy(scratch: _Scratch, k: int, shape: tuple):
    box: list = []

    def get() -> np.ndarray:
        if not box:
            box.append(scratch.get(k, shape))
        return box[0]

    return get


def _edges_uniform(ys, os_, axis, lo, hi, st, c, h, periodic, accumulate, offset=0) -> None:
    """Edge points ``[lo, hi)`` of ``ys`` along ``axis``, stored at ``index - offset``."""
    size, r, nd = ys.shape[axis], st.half, ys.ndim
    for first, last, right in ((lo, min(hi, r), False), (max(lo, size - r), hi, True)):
        if last <= first:
            continue
        rows = np.arange(first, last)
        if periodic:
            nodes = (rows[:, None] + np.arange(-r, r + 1)) % size
            w = np.broadcast_to(st.central, nodes.shape)
        elif right:
            nodes = np.broadcast_to(size - st.width + np.arange(st.width), (rows.size, st.width))
            w = st.right[rows - (size - r)]
        else:
            nodes = np.broadcast_to(np.arange(st.width), (rows.size, st.width))
            w = st.left[rows]
        vals = _gather(ys, axis, np.ascontiguousarray(nodes), w)
        if c is None:
            _rescale(vals, None, h, st.n)
        else:
            vals = vals * c
        _store(os_, _sl(nd, axis, first - offset, last - offset), vals, accumulate)


def _global_scale(x: np.ndarray) -> float:
    """Mean spacing of the coordinates (positive), the unit for the weights."""
    return float(abs(x[-1] / (x.size - 1) - x[0] / (x.size - 1)))


def _two_slopes(y, x, tgt, tmp, axis, lo, hi) -> None:
    """Order-2 first derivative on uneven nodes from the two adjacent slopes.

    ``(h2 * s1 + h1 * s2) / (h1 + h2)`` with ``s = dy / dx``: every
    intermediate is a slope or a difference, so no scaling is needed.
    """
    nd = y.ndim
    hx = x[lo : hi + 1] - x[lo - 1 : hi]
    if not (hx.min() > 0 if x[-1] > x[0] else hx.max() < 0):  # also catches NaN
        check_coordinates(x, "x")
    shape = list(tgt.shape)
    shape[axis] += 1
    s = tmp if tmp.shape == tuple(shape) else None
    s = np.empty(shape, tgt.dtype) if s is None else s
    np.subtract(y[_sl(nd, axis, lo, hi + 1)], y[_sl(nd, axis, lo - 1, hi)], out=s)
    np.divide(s, _bcast(hx, nd, axis), out=s)
    np.multiply(s[_sl(nd, axis, 0, hi - lo)], _bcast(hx[1:], nd, axis), out=tgt)
    s_right = s[_sl(nd, axis, 1, hi - lo + 1)]
    np.multiply(s_right, _bcast(hx[:-1], nd, axis), out=s_right)
    np.add(tgt, s_right, out=tgt)
    np.divide(tgt, _bcast(hx[:-1] + hx[1:], nd, axis), out=tgt)


def interior_weights(x, n, acc):
    """Weights of every interior point, ``(points, m)`` with contiguous columns.

    Scaled by ``1/h**n`` for a mean spacing ``h`` when that is representable
    (else unscaled; :func:`apply_nonuniform` then divides afterwards).  Worth
    computing once when the same coordinates are used again (:class:`Diff`).
    """
    left, right = nonuniform_extent(n, acc)
    scale = _global_scale(x)
    c = scale_factor(scale, n, np.float64)
    w = lagrange_weights(x, n, acc, scale, left, x.size - right)
    return w * c if c is not None else w


def _interior_1d(y, out, x, n, acc, scale, c) -> None:
    """The interior of a plain 1-D non-uniform derivative in one fused pass.

    The compiled kernel where it applies, else the blocked NumPy twin; both
    compute the weights of each point on the fly (no per-point storage).
    """
    left, right = nonuniform_extent(n, acc)
    jit = usable(y, out, heavy=True) if c is not None and x.flags.c_contiguous else None
    if jit is not None:
        jit.lagrange(y, x, out, n, n + acc, left, scale, c, float(math.factorial(n)))
        return
    apply_interior(y, x, out, n, acc, scale, c)
    if c is None:
        _rescale(out[left : out.shape[0] - right], None, scale, n)


def _edges_1d(y, out, x, n, acc, scale, c) -> None:
    """The edge points of a plain 1-D non-uniform derivative, both ends in one batch."""
    left, right = nonuniform_extent(n, acc)
    size = y.shape[0]
    points = np.concatenate((np.arange(min(left, size)), np.arange(max(left, size - right), size)))
    if points.size:
        starts, w = nonuniform_weights(x, scale, n, acc, points)
        nodes = starts[:, None] + np.arange(n + acc)
        vals = np.einsum("km,km->k", y[nodes], w.astype(y.real.dtype, copy=False))
        _rescale(vals, c, scale, n)
        out[points] = vals


def apply_nonuniform(y, out, axis, x, n, acc, *, accumulate=False, weights=None):
    """``out (+)= d^n y / dx^n`` along ``axis`` on strictly monotonic coordinates ``x``.

    ``weights`` may hold :func:`interior_weights` of ``x`` computed earlier.
    """
    size, nd = y.shape[axis], y.ndim
    scale = _global_scale(x)
    fast = n == 1 and acc == 2 and weights is None
    c = scale_factor(scale, n, out.dtype)
    if nd == 1 and not accumulate and weights is None and not fast:
        _interior_1d(y, out, x, n, acc, scale, c)  # one fused pass, then both edges at once
        _edges_1d(y, out, x, n, acc, scale, c)
        return out
    left, right = nonuniform_extent(n, acc)
    outer = outer_axis(y) if nd > 1 else axis
    parts = blocks(out, outer)
    if fast and nd == 1 and not accumulate:  # lean blocked kernel; the loop does the edges
        two_slopes_1d(y, x, out)
        parts = [(0, left), (size - right, size)]
    count = (max(b - a for a, b in parts) + 1) * (out.size // max(out.shape[outer], 1))
    count += out.size // max(out.shape[axis], 1)
    scratch = _Scratch(count, out.dtype)
    pre = weights
    if pre is None and outer != axis and not fast and size - right > left:
        pre = interior_weights(x, n, acc)
    for a, b in parts:
        if outer == axis:
            ys, os_, lo, hi = y, out, a, b
        else:
            ys, os_, lo, hi = y[_sl(nd, outer, a, b)], out[_sl(nd, outer, a, b)], 0, size
        ilo, ihi = max(lo, left), min(hi, size - right)
        if ihi > ilo:
            shape = list(ys.shape)
            shape[axis] = ihi - ilo
            dst = os_[_sl(nd, axis, ilo, ihi)]
            tgt = scratch.get(0, tuple(shape)) if accumulate else dst
            if fast:
                shape[axis] += 1
                _two_slopes(ys, x, tgt, scratch.get(1, tuple(shape)), axis, ilo, ihi)
            else:
                if pre is None:
                    w = lagrange_weights(x, n, acc, scale, ilo, ihi)
                    w = w * c if c is not None else w
                else:
                    w = pre[ilo - left : ihi - left]
                tmp = scratch.get(1, tuple(shape))
                for j in range(n + acc):
                    dest = tgt if j == 0 else tmp
                    src = ys[_sl(nd, axis, ilo - left + j, ihi - left + j)]
                    np.multiply(src, _bcast(w[:, j], nd, axis), out=dest)
                    if j:
                        np.add(tgt, tmp, out=tgt)
                if c is None:
                    _rescale(tgt, None, scale, n)
            if accumulate:
                _store(os_, _sl(nd, axis, ilo, ihi), tgt, True)
        for first, last in ((lo, min(hi, left)), (max(lo, size - right), hi)):
            if last > first:
                starts, w = nonuniform_weights(x, scale, n, acc, np.arange(first, last))
                vals = _gather(ys, axis, starts[:, None] + np.arange(n + acc), w)
                _rescale(vals, c, scale, n)
                _store(os_, _sl(nd, axis, first, last), vals, accumulate)
    return out
