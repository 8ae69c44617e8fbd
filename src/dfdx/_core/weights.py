"""Finite-difference weights on arbitrary offsets (Fornberg 1988), vectorised."""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx._core.validate import as_float_array, check_int

__all__ = ["fd_weights", "fornberg_table"]


def fornberg_table(offsets: np.ndarray, order: int) -> np.ndarray:
    """Weights for every derivative order ``0..order`` on each stencil.

    Parameters
    ----------
    offsets : ndarray, shape (..., m)
        Stencil nodes relative to the evaluation point; distinct within a stencil.
    order : int
        Highest derivative order wanted.

    Returns
    -------
    ndarray, shape (..., m, order + 1)
        ``table[..., j, k]`` is the weight of node ``j`` for the ``k``-th derivative.

    Notes
    -----
    Fornberg's recursion (Math. Comp. 51, 1988), run once for all stencils: the
    Python loops go over the ``m`` nodes only, every step is an array operation
    over the leading (batch) axes.  Offsets are scaled by their largest magnitude
    first, so the result is invariant to the scale of the grid (no overflow or
    underflow of intermediate products for spacings from 1e-300 to 1e300).
    """
    x = np.asarray(offsets, dtype=np.result_type(offsets, np.float64))
    m = x.shape[-1]
    scale = np.max(np.abs(x), axis=-1, keepdims=True)
    scale = np.where(scale > 0, scale, 1.0)
    x = x / scale
    batch = x.shape[:-1]
    c = np.zeros((*batch, m, order + 1), dtype=x.dtype)
    c[..., 0, 0] = 1.0
    c1 = np.ones(batch, dtype=x.dtype)
    c4 = x[..., 0]
    k = np.arange(1, order + 1, dtype=x.dtype)
    for i in range(1, m):
        mn = min(i, order)
        c5 = c4
        c4 = x[..., i]
        c3 = x[..., i, None] - x[..., :i]
        c2 = np.prod(c3, axis=-1)
        prev = c[..., i - 1, :].copy()
        ratio = (c1 / c2)[..., None]
        lower, upper = prev[..., :mn], prev[..., 1 : mn + 1]
        c[..., i, 1 : mn + 1] = ratio * (k[:mn] * lower - c5[..., None] * upper)
        c[..., i, 0] = -(c1 / c2) * c5 * prev[..., 0]
        old = c[..., :i, :].copy()
        inv = 1.0 / c3[..., None]
        lower, upper = old[..., :mn], old[..., 1 : mn + 1]
        c[..., :i, 1 : mn + 1] = (c4[..., None, None] * upper - k[:mn] * lower) * inv
        c[..., :i, 0] = c4[..., None] * old[..., 0] * inv[..., 0]
        c1 = c2
    for kk in range(1, order + 1):
        c[..., kk:] /= scale[..., None]
    return c


def fd_weights(offsets: Any, n: int = 1) -> np.ndarray:
    """Finite-difference weights for the ``n``-th derivative on arbitrary offsets.

    Given stencil nodes ``x0 + offsets[j]``, returns weights ``w`` such that
    ``sum(w[j] * f(x0 + offsets[j]))`` approximates ``f^(n)(x0)``; exactly so for
    polynomials of degree below the number of nodes.

    Parameters
    ----------
    offsets : array_like, shape (..., m)
        Node positions relative to the evaluation point, distinct within each
        stencil, not necessarily uniform or sorted.  Leading axes are a batch of
        independent stencils, all computed in one vectorised pass.
    n : int, optional
        Derivative order, ``0 <= n < m``.  Default 1.

    Returns
    -------
    ndarray, shape (..., m)
        The weights, in the order of ``offsets``.

    Raises
    ------
    ValueError
        If ``n`` is not a non-negative integer, a stencil has too few nodes for
        ``n``, or a stencil has repeated or non-finite offsets.

    See Also
    --------
    dfdx.grid.diff : derivatives of sampled data built on these weights.

    Notes
    -----
    Uses Fornberg's recursion (B. Fornberg, "Generation of finite difference
    formulas on arbitrarily spaced grids", Math. Comp. 51, 699-706, 1988).

    Examples
    --------
    The classic second-order central first derivative and the second derivative:

    >>> import numpy as np
    >>> from dfdx import fd_weights
    >>> fd_weights([-1, 0, 1])
    array([-0.5,  0. ,  0.5])
    >>> fd_weights([-1, 0, 1], n=2)
    array([ 1., -2.,  1.])

    Non-uniform nodes, and many stencils at once:

    >>> fd_weights([0.0, 0.5, 2.0])
    array([-2.5       ,  2.66666667, -0.16666667])
    >>> fd_weights([[-1, 0, 1], [-2, 0, 2]]).round(3)
    array([[-0.5 ,  0.  ,  0.5 ],
           [-0.25,  0.  ,  0.25]])
    """
    n = check_int(n, "n")
    x = as_float_array(offsets, "offsets", allow_complex=False)
    if x.ndim == 0:
        raise ValueError("`offsets` must have at least one dimension (the stencil nodes)")
    m = x.shape[-1]
    if m <= n:
        raise ValueError(
            f"`offsets` must have more than n={n} nodes per stencil for the {n}-th "
            f"derivative, got {m}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError("`offsets` must be finite (found NaN or inf)")
    srt = np.sort(x, axis=-1)
    if np.any(srt[..., 1:] == srt[..., :-1]):
        raise ValueError("`offsets` must be distinct within each stencil")
    return fornberg_table(x, n)[..., n]
