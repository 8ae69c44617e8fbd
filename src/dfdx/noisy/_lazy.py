"""Dask arrays and xarray DataArrays for :func:`dfdx.noisy.diff`.

A dask array is differentiated chunk by chunk: the differentiation axis is
gathered into one chunk (every series needs all of its samples), the other
axes keep their chunks, and each block is one call of the NumPy path.  The
result is a lazy dask array of the derivative with the input's chunks.
Series are independent (each chooses its own method and parameters), so the
blocks give exactly what one call on the whole array gives.

An xarray DataArray is differentiated along the dimension ``dim`` (its
coordinate, when it has one, supplies ``x``); the result is a DataArray of
the derivative with the same dims and coords (lazy when the data are dask).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["array_kind", "diff_dask", "diff_dataarray"]


def array_kind(y: Any) -> str:
    """``"xarray"``, ``"dask"`` or ``"numpy"`` (anything else goes through NumPy)."""
    module = type(y).__module__.split(".")[0]
    if module == "xarray" and hasattr(y, "dims"):
        return "xarray"
    if module == "dask" and hasattr(y, "chunks"):
        return "dask"
    return "numpy"


def _check_scalar_params(params: dict) -> None:
    for key, value in params.items():
        if np.ndim(value) > 0:
            raise ValueError(
                f"`{key}` must be a scalar for a dask array `y` "
                "(per-series parameters need the NumPy path)"
            )


def diff_dask(diff: Callable[..., Any], y: Any, x: Any, axis: int, kw: dict) -> Any:
    """Lazy derivative of a dask array, one task per block of series."""
    ax = axis if axis >= 0 else axis + y.ndim
    if not 0 <= ax < y.ndim:
        raise ValueError(f"`axis` must be in [{-y.ndim}, {y.ndim - 1}], got {axis}")
    _check_scalar_params({k: v for k, v in kw.items() if k not in ("method", "n")})
    if x is not None:
        x = np.asarray(x.compute() if hasattr(x, "compute") else x)
    if y.dtype.kind not in "biuf":
        raise TypeError(f"`y` must be array-like of real numbers, got dtype {y.dtype}")
    whole = y.rechunk({ax: -1})

    def block(part: np.ndarray) -> np.ndarray:
        return diff(part, x, axis=ax, **kw).df

    out = whole.map_blocks(block, dtype=np.float64)
    return out.rechunk(y.chunks)


def diff_dataarray(
    diff: Callable[..., Any], arr: Any, x: Any, dim: Any, axis: int, kw: dict
) -> Any:
    """Derivative of a DataArray along ``dim`` (default: the dim at ``axis``)."""
    if dim is None:
        dim = arr.dims[axis]
    if dim not in arr.dims:
        raise ValueError(f"`dim` must be one of the array's dimensions {arr.dims}, got {dim!r}")
    ax = arr.get_axis_num(dim)
    if x is None and dim in arr.coords:
        x = np.asarray(arr.coords[dim].values)
    elif x is not None and hasattr(x, "dims"):
        x = np.asarray(x.values)
    if x is not None and np.asarray(x).dtype.kind in "mM":
        x = np.asarray(x).astype(np.int64).astype(np.float64)  # per unit of the dtype
    data = arr.data
    if array_kind(data) == "dask":
        df = diff_dask(diff, data, x, ax, kw)
    else:
        df = diff(np.asarray(data), x, axis=ax, **kw).df
    out = arr.copy(data=df)
    out.attrs = {}
    return out
