"""Finite-difference stencils for sampled data: uniform, non-uniform, edges, periodic.

Every weight comes from :func:`dfdx._core.weights.fornberg_table`.  Uniform
stencils are built once per ``(n, acc)`` for unit spacing and cached; the
spacing is applied afterwards (see :func:`scale_factor`).  Non-uniform
stencils are built per point on coordinates divided by a global scale, so the
weights are of order one whatever the units of ``x``.

Stencil sizes
-------------
* Uniform interior: the symmetric central stencil of ``2 r + 1`` nodes with
  ``r = (n + 1) // 2 + acc // 2 - 1`` has order ``acc``.
* Uniform edges: the ``r`` points nearest each end use the ``n + acc`` nodes
  at that end (a one-sided or off-centre stencil), which keeps order ``acc``.
* Non-uniform: every point uses ``n + acc`` nodes (the symmetry bonus of the
  uniform central stencil is lost on uneven grids), centred where possible and
  shifted inwards at the ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from dfdx._core.weights import fornberg_table
from dfdx.grid._compiled import loaded_kernels

__all__ = [
    "UniformStencil",
    "fornberg_last",
    "min_length",
    "nonuniform_extent",
    "nonuniform_weights",
    "scale_factor",
    "uniform_stencil",
]


@dataclass(frozen=True)
class UniformStencil:
    """Unit-spacing weights for the ``n``-th derivative with order ``acc``.

    ``central[r + k]`` weighs ``y[i + k]``; ``left[i]`` gives point ``i``
    (``i < r``) from nodes ``0 .. width - 1``; ``right[i]`` gives point
    ``N - r + i`` from nodes ``N - width .. N - 1``.
    """

    n: int
    acc: int
    half: int
    central: np.ndarray
    width: int
    left: np.ndarray
    right: np.ndarray


def _clean(w: np.ndarray) -> np.ndarray:
    """Round weights that are integers or zero to rounding, and freeze them."""
    scale = np.max(np.abs(w), initial=0.0)
    near = np.round(w)
    w = np.where(np.abs(w - near) < 64 * np.finfo(float).eps * scale, near, w)
    w.flags.writeable = False
    return w


@lru_cache(maxsize=64)
def uniform_stencil(n: int, acc: int) -> UniformStencil:
    """Central and edge weights for unit spacing (cached)."""
    r = (n + 1) // 2 + acc // 2 - 1
    central = fornberg_table(np.arange(-r, r + 1, dtype=float), n)[..., n]
    # enforce the exact (anti)symmetry of the central stencil
    sign = -1.0 if n % 2 else 1.0
    central = 0.5 * (central + sign * central[::-1])
    width = n + acc
    rows = np.arange(r)[:, None]
    nodes = np.arange(width)[None, :]
    left = fornberg_table((nodes - rows).astype(float), n)[..., n]
    right = fornberg_table((nodes - width + r - rows).astype(float), n)[..., n]
    return UniformStencil(n, acc, r, _clean(central), width, _clean(left), _clean(right))


def min_length(n: int, acc: int, *, uniform: bool = True, periodic: bool = False) -> int:
    """Fewest samples along the axis for the requested stencil."""
    if n == 0:
        return 1
    if uniform:
        st = uniform_stencil(n, acc)
        return 2 * st.half + 1 if periodic else max(2 * st.half + 1, st.width)
    return n + acc


def nonuniform_extent(n: int, acc: int) -> tuple[int, int]:
    """Nodes left and right of the point in the non-uniform interior stencil."""
    m = n + acc
    left = (m - 1) // 2
    return left, m - 1 - left


def fornberg_last(offsets: np.ndarray, order: int) -> np.ndarray:
    """Fornberg's recursion with the batch of stencils on the last axis.

    Same recursion as :func:`dfdx._core.weights.fornberg_table`, laid out as
    ``(m, order + 1, batch)`` so every array operation runs over the long,
    contiguous batch axis: for the per-point stencils of a non-uniform grid
    this is an order of magnitude faster than batch-first.  ``offsets`` has
    shape ``(m, batch)`` and should be of order one (divided by a typical
    spacing); returns the weights of the ``order``-th derivative, ``(m, batch)``.
    """
    m, batch = offsets.shape
    c = np.zeros((m, order + 1, batch))
    c[0, 0] = 1.0
    c1 = np.ones(batch)
    c4 = offsets[0]
    k = np.arange(1, order + 1, dtype=float)[:, None]
    for i in range(1, m):
        mn = min(i, order)
        c5, c4 = c4, offsets[i]
        c3 = c4 - offsets[:i]
        c2 = np.prod(c3, axis=0)
        prev = c[i - 1].copy()
        ratio = c1 / c2
        c[i, 1 : mn + 1] = ratio * (k[:mn] * prev[:mn] - c5 * prev[1 : mn + 1])
        c[i, 0] = -ratio * c5 * prev[0]
        old = c[:i].copy()
        inv = (1.0 / c3)[:, None, :]
        c[:i, 1 : mn + 1] = (c4 * old[:, 1 : mn + 1] - k[:mn] * old[:, :mn]) * inv
        c[:i, 0] = c4 * old[:, 0] * inv[:, 0]
        c1 = c2
    return c[:, order]


def nonuniform_weights(x: np.ndarray, scale: float, n: int, acc: int, points: np.ndarray):
    """Per-point weights on coordinates ``x``, in units of ``scale`` (a mean spacing).

    Returns ``(starts, weights)``: point ``points[k]`` is
    ``sum_j weights[k, j] * y[starts[k] + j]``.  ``weights`` is a transposed
    view, so its columns ``weights[:, j]`` are contiguous.
    """
    m = n + acc
    left, _ = nonuniform_extent(n, acc)
    size = x.shape[0]
    starts = np.minimum(np.maximum(points - left, 0), size - m)
    offsets = np.empty((m, points.size))
    centre = x[points]
    for j in range(m):
        np.subtract(x[starts + j], centre, out=offsets[j])
    offsets /= scale
    jit = loaded_kernels()
    if jit is not None:  # laid out as fornberg_last's result, so that sums round alike
        weights = np.empty((m, n + 1, points.size))[:, n]
        jit.fornberg_columns(offsets, n, weights)
        return starts, weights.T
    return starts, fornberg_last(offsets, n).T


def scale_factor(h: float, n: int, dtype: np.dtype) -> float | None:
    """``1 / h**n`` when it and its products with O(1) weights are safely representable.

    Returns ``None`` when the factor would overflow or lose precision as a
    subnormal; callers then divide by ``h`` ``n`` times instead, an order in
    which no intermediate leaves the range of the final result.
    """
    info = np.finfo(np.result_type(dtype, np.float32))
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        c = float(1.0 / np.float64(h) ** n)
    if not np.isfinite(c) or abs(c) < float(info.tiny) * 1e6 or abs(c) > float(info.max) / 1e6:
        return None
    return c
