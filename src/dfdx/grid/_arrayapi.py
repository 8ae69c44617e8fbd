"""Arrays of the array API standard (CuPy, PyTorch, array-api-strict, ...).

Only uniform spacing is supported: the derivative is built from shifted
slices and ``concat`` in the array's own namespace, so it runs on the array's
device without a copy to NumPy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx.grid._stencils import min_length, scale_factor, uniform_stencil
from dfdx.grid._validate import check_orders, normalise_axis, resolve_grid

__all__ = ["diff_array_api"]


def _namespace(y: Any) -> Any:
    try:
        import array_api_compat
    except ImportError as exc:
        raise ImportError(
            "array-API input needs the optional dependency array-api-compat: "
            "pip install array-api-compat"
        ) from exc
    return array_api_compat.array_namespace(y)


def _uniform(xp, y, axis, n, acc, h, periodic):
    if n == 0:
        return y * 1.0
    st = uniform_stencil(n, acc)
    r, size, nd = st.half, y.shape[axis], y.ndim

    def sl(a: int, b: int) -> Any:
        idx = [slice(None)] * nd
        idx[axis] = slice(a, b)
        return y[tuple(idx)] if not periodic else ypad[tuple(idx)]

    ypad = xp.concat([y[_cut(nd, axis, size - r, size)], y, y[_cut(nd, axis, 0, r)]], axis=axis)
    if periodic:
        inner = _weighted(st.central, [sl(k, size + k) for k in range(2 * r + 1)])
        parts = [inner]
    else:
        inner = _weighted(st.central, [sl(k, size - 2 * r + k) for k in range(2 * r + 1)])
        cols = [sl(j, j + 1) for j in range(st.width)]
        tail = [sl(size - st.width + j, size - st.width + j + 1) for j in range(st.width)]
        left = [_weighted(st.left[i], cols) for i in range(r)]
        right = [_weighted(st.right[i], tail) for i in range(r)]
        parts = [*left, inner, *right]
    out = xp.concat(parts, axis=axis) if len(parts) > 1 else parts[0]
    c = scale_factor(h, n, np.float64)
    if c is not None:
        return out * c
    for _ in range(n):
        out = out / h
    return out


def _cut(nd: int, axis: int, a: int, b: int) -> tuple:
    idx = [slice(None)] * nd
    idx[axis] = slice(a, b)
    return tuple(idx)


def _weighted(weights: np.ndarray, terms: list) -> Any:
    total = None
    for w, term in zip(weights.tolist(), terms, strict=True):
        if w == 0:
            continue
        part = term * w
        total = part if total is None else total + part
    return total


def diff_array_api(
    y, x=None, *, dx=None, axis=-1, n=1, acc=2, periodic=False, method="fd", return_error=False
):
    """:func:`dfdx.grid.diff` for an array-API array (uniform spacing, method "fd")."""
    xp = _namespace(y)
    n, acc, method, periodic = check_orders(n, acc, method, periodic)
    if method != "fd":
        raise ValueError(f"`method` must be 'fd' for array-API input, got {method!r}")
    if not xp.isdtype(y.dtype, ("real floating", "complex floating")):
        y = xp.astype(y, xp.float64)
    axis = normalise_axis(axis, y.ndim)
    if x is not None and not isinstance(x, np.ndarray | list | tuple):
        x = np.from_dlpack(x)
    grid = resolve_grid(
        x, dx, y.shape[axis], n=n, acc=acc, periodic=periodic, method=method, axis=axis
    )
    if not grid.uniform:
        raise ValueError("`x` must be uniformly spaced for array-API input (or pass `dx`)")
    df = _uniform(xp, y, axis, n, acc, grid.h, periodic)
    if not return_error:
        return df
    from dfdx.grid._diff import make_result

    error, note = None, ""
    if y.shape[axis] >= min_length(n, acc + 2, periodic=periodic):
        error = np.from_dlpack(xp.abs(df - _uniform(xp, y, axis, n, acc + 2, grid.h, periodic)))
    else:
        note = f"; too few samples for order {acc + 2}: no error estimate"
    return make_result(np.from_dlpack(df), error, axis, n, acc, method, periodic, grid, note)
