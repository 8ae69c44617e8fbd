"""xarray DataArrays: differentiate along a named dimension, get a DataArray back."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["diff_dataarray"]


def diff_dataarray(
    arr,
    x=None,
    *,
    dx=None,
    n=1,
    acc=2,
    periodic=False,
    method="fd",
    return_error=False,
    dim=None,
    axis=-1,
    time_unit="s",
) -> Any:
    """:func:`dfdx.grid.diff` for an ``xarray.DataArray``.

    ``dim`` names the dimension (default: the one at ``axis``); its
    coordinate, when there is one and neither ``x`` nor ``dx`` is given,
    supplies the sample positions (a ``datetime64`` coordinate gives a
    derivative per ``time_unit``, a second by default).
    The result keeps the dims, coords and name; attributes such as units no
    longer apply and are dropped.  Dask-backed
    DataArrays stay lazy.
    """
    from dfdx.grid._diff import diff

    if dim is None:
        from dfdx.grid._validate import normalise_axis

        dim = arr.dims[normalise_axis(axis, arr.ndim)]
    if dim not in arr.dims:
        raise ValueError(f"`dim` must be one of the array's dimensions {arr.dims}, got {dim!r}")
    ax = arr.get_axis_num(dim)
    if x is None and dx is None and dim in arr.coords:
        x = np.asarray(arr.coords[dim].values)
    elif x is not None and hasattr(x, "dims"):
        x = np.asarray(x.values)
    result = diff(
        arr.data,
        x,
        time_unit=time_unit,
        dx=dx,
        axis=ax,
        n=n,
        acc=acc,
        periodic=periodic,
        method=method,
        return_error=return_error,
    )
    if return_error:
        return result.replace(params={**result.params, "dim": dim})
    out = arr.copy(data=result)
    out.attrs = {}
    return out
