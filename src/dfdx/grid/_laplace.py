"""A fused, cache-blocked Laplacian for uniform N-D grids.

The box of points at least ``r`` (the stencil half-width) from every edge is
computed in one blocked sweep: for each block of the memory-outermost axis,
the neighbour sums of all axes are accumulated while the block is in cache,
terms sharing a coefficient are summed before one multiplication, and the
centre weights of all axes are merged into one term.  The thin shell of
points near the edges (one-sided or wrapped stencils) is done face by face
with the one-axis kernels.
"""

from __future__ import annotations

import math

import numpy as np

from dfdx.grid._apply import (
    BLOCK_BYTES,
    _edges_uniform,
    _Scratch,
    apply_uniform,
    blocks,
    outer_axis,
)
from dfdx.grid._stencils import scale_factor, uniform_stencil

__all__ = ["laplacian_uniform"]


def _shift(box: list, axis: int, k: int) -> tuple:
    moved = list(box)
    moved[axis] = slice(box[axis].start + k, box[axis].stop + k)
    return tuple(moved)


def laplacian_uniform(y: np.ndarray, hs: list, acc: int, periodic: list) -> np.ndarray | None:
    """Laplacian with order ``acc`` on a uniform grid with spacings ``hs``.

    Returns ``None`` when a spacing is so extreme that ``1/h**2`` is not
    representable; the caller then takes the axis-by-axis path, which scales
    safely.
    """
    st = uniform_stencil(2, acc)
    r, w = st.half, st.central
    cs = [scale_factor(h, 2, y.dtype) for h in hs]
    if any(c is None for c in cs) or any(size < 2 * r + 2 for size in y.shape):
        return None
    out = np.empty_like(y)
    # group the neighbour pairs by coefficient: equal spacings share one multiply
    groups: dict[float, list] = {}
    for ax, c in enumerate(cs):
        for k in range(1, r + 1):
            groups.setdefault(float(w[r + k]) * c, []).append((ax, k))
    centre = float(w[r]) * sum(cs)
    if y.flags.c_contiguous:
        _flat(y, out, groups, centre, r)
    else:
        _boxes(y, out, groups, centre, r)
    _shell(y, out, st, hs, cs, periodic)
    return out


def _accumulate(y, tgt, gsum, pair, groups, centre, shift) -> None:
    """Fused Laplacian of the points ``tgt`` covers; ``shift(ax, k)`` views y."""
    for gi, (coef, terms) in enumerate(groups.items()):
        dest = tgt if gi == 0 else gsum
        for ti, (ax, k) in enumerate(terms):
            into = dest if ti == 0 else pair
            np.add(shift(ax, k), shift(ax, -k), out=into)
            if ti:
                np.add(dest, pair, out=dest)
        np.multiply(dest, coef, out=dest)
        if gi:
            np.add(tgt, dest, out=tgt)
    np.multiply(shift(0, 0), centre, out=pair)
    np.add(tgt, pair, out=tgt)


def _flat(y, out, groups, centre, r) -> None:
    """C-ordered input as one flat run (edge rows come out wrong; the shell fixes them)."""
    strides = [math.prod(y.shape[ax + 1 :]) for ax in range(y.ndim)]
    flat_y, flat_out = y.reshape(-1), out.reshape(-1)
    lo, hi = r * strides[0], y.size - r * strides[0]
    step = max(BLOCK_BYTES // y.itemsize, 1)
    scratch = _Scratch(step, y.dtype)
    for a in range(lo, hi, step):
        b = min(a + step, hi)

        def shift(ax: int, k: int, a: int = a, b: int = b) -> np.ndarray:
            d = k * strides[ax]
            return flat_y[a + d : b + d]

        tgt = flat_out[a:b]
        _accumulate(
            y, tgt, scratch.get(0, tgt.shape), scratch.get(1, tgt.shape), groups, centre, shift
        )


def _boxes(y, out, groups, centre, r) -> None:
    """Any memory layout: blocks of the box ``r`` away from every edge."""
    outer = outer_axis(y)
    parts = blocks(out, outer)
    per_row = y.size // y.shape[outer]
    scratch = _Scratch(max(b - a for a, b in parts) * per_row, y.dtype)
    for a, b in parts:
        lo, hi = max(a, r), min(b, y.shape[outer] - r)
        if hi <= lo:
            continue
        box = [slice(r, size - r) for size in y.shape]
        box[outer] = slice(lo, hi)
        shape = tuple(s.stop - s.start for s in box)

        def shift(ax: int, k: int, box: list = box) -> np.ndarray:
            return y[_shift(box, ax, k)]

        _accumulate(
            y, out[tuple(box)], scratch.get(0, shape), scratch.get(1, shape), groups, centre, shift
        )


def _shell(y, out, st, hs, cs, periodic) -> None:
    """Points within ``r`` of an edge, one face (axis, side) at a time."""
    r, nd = st.half, y.ndim
    for ax in range(nd):
        size = y.shape[ax]
        for lo, hi in ((0, r), (size - r, size)):
            face = [slice(None)] * nd
            face[ax] = slice(lo, hi)
            face = tuple(face)
            vals = np.zeros_like(y[face])
            for other in range(nd):
                if other != ax:
                    apply_uniform(
                        y[face],
                        vals,
                        other,
                        st,
                        hs[other],
                        periodic=periodic[other],
                        accumulate=True,
                    )
            _edges_uniform(y, vals, ax, lo, hi, st, cs[ax], hs[ax], periodic[ax], True, offset=lo)
            out[face] = vals
