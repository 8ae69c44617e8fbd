"""``dfdx.grid.diff``: the n-th derivative of sampled data along one axis."""

from __future__ import annotations

from typing import Any, Literal, overload

import numpy as np

from dfdx._core.result import DerivativeResult, Status
from dfdx._core.validate import as_float_array
from dfdx.grid._apply import apply_nonuniform, apply_uniform
from dfdx.grid._global import spectral_diff, spline_diff
from dfdx.grid._nan import has_nonfinite, without_nonfinite
from dfdx.grid._stencils import min_length, nonuniform_extent, uniform_stencil
from dfdx.grid._time import check_time_unit, time_spacing, time_to_float
from dfdx.grid._validate import Grid, check_orders, normalise_axis, resolve_grid, spline_degree

__all__ = ["diff", "fd_numpy"]


@overload
def diff(
    y: np.ndarray,
    x: Any = ...,
    *,
    dx: Any = ...,
    axis: int = ...,
    n: int = ...,
    acc: int = ...,
    periodic: bool = ...,
    method: str = ...,
    return_error: Literal[False] = ...,
    dim: None = ...,
    out: np.ndarray | None = ...,
) -> np.ndarray: ...
@overload
def diff(
    y: np.ndarray,
    x: Any = ...,
    *,
    dx: Any = ...,
    axis: int = ...,
    n: int = ...,
    acc: int = ...,
    periodic: bool = ...,
    method: str = ...,
    return_error: Literal[True],
    dim: None = ...,
    out: np.ndarray | None = ...,
) -> DerivativeResult: ...
@overload  # array-likes, dask arrays, xarray DataArrays
def diff(
    y: Any,
    x: Any = ...,
    *,
    dx: Any = ...,
    axis: int = ...,
    n: int = ...,
    acc: int = ...,
    periodic: bool = ...,
    method: str = ...,
    return_error: bool = ...,
    dim: str | None = ...,
    out: np.ndarray | None = ...,
) -> Any: ...


def diff(
    y: Any,
    x: Any = None,
    *,
    dx: Any = None,
    axis: int = -1,
    n: int = 1,
    acc: int = 2,
    periodic: bool = False,
    method: str = "fd",
    return_error: bool = False,
    dim: str | None = None,
    out: np.ndarray | None = None,
    time_unit: str = "s",
) -> Any:
    """The ``n``-th derivative of sampled data along one axis, same shape as ``y``.

    Parameters
    ----------
    y : array_like, dask array, xarray.DataArray or array-API array
        Samples.  Integer and boolean data are converted to float64 (never
        wrapped); float32, complex and float64 data keep their dtype.
    x : array_like, optional
        1-D coordinates along ``axis`` (uniform or not, strictly increasing
        or decreasing).  Times (``datetime64``, ``timedelta64``, a pandas
        ``DatetimeIndex``, time-zone-aware ones too) give a derivative per
        ``time_unit``, whatever the resolution of their dtype.
    dx : float, numpy.timedelta64 or pandas.Timedelta, optional
        Uniform spacing, instead of ``x``.  Neither means spacing 1.
    axis : int, optional
        Axis to differentiate along.  Default -1.
    n : int, optional
        Derivative order (``0`` returns a float copy).  Default 1.
    acc : int, optional
        Order of accuracy, a positive even integer.  It holds at every point:
        the edges use one-sided stencils of the same order.  Default 2.
    periodic : bool, optional
        Treat the samples as one period (the point after the last is the
        first).  Needs uniform spacing.  Default False.
    method : {"fd", "spectral", "spline"}, optional
        Finite differences; FFT differentiation of one period of uniform data
        (always periodic); or the derivative of the interpolating spline of
        degree ``max(3, n + acc - 1)``.  Default "fd".
    return_error : bool, optional
        Return a :class:`dfdx.DerivativeResult` with a pointwise error
        estimate instead of the bare array.  Default False.
    dim : str, optional
        For an ``xarray.DataArray``: the dimension (and its coordinate).
    out : ndarray, optional
        NumPy input only: an array of the result's shape and dtype to write
        into (not overlapping ``y``), so repeated calls reuse one buffer
        instead of paging in fresh memory.  It is returned (as ``df`` with
        ``return_error``).  Equal to the fresh result to rounding (1-D wide
        stencils sum their taps in another order there).
    time_unit : {"ns", "us", "ms", "s", "min", "h", "D"}, optional
        The unit of time coordinates and spacings: the derivative is per
        ``time_unit``.  Default "s" (per second).

    Returns
    -------
    ndarray or DerivativeResult
        The derivative (a lazy dask array for dask input, a DataArray for a
        DataArray).  With ``return_error`` the result's ``error`` is
        ``|D_acc y - D_{acc+2} y|`` for "fd" (NaN where the axis is too short
        for order ``acc + 2``), the same difference between spline degrees for
        "spline", and the contribution of the top quarter of the wavenumbers
        for "spectral"; ``status`` marks one-sided edge points ``ONE_SIDED``
        and non-finite values ``NONFINITE_VALUE``; ``nfev`` is 0.

    Raises
    ------
    ValueError
        For coordinates that are not strictly monotonic, contain NaN or do
        not match the length of ``y`` along ``axis``; an axis too short for
        the stencil; an invalid ``axis``, ``n``, ``acc``, ``dx`` or ``method``.

    See Also
    --------
    gradient, laplacian, Diff

    Notes
    -----
    NaN or inf samples of NumPy input are left out with their coordinates
    (the lanes along ``axis`` are differentiated on the remaining, now
    non-uniform, samples); the result there is NaN with status
    ``NONFINITE_INPUT`` and the other points are as good as without them.
    With ``periodic=True`` or ``method="spectral"``, and for dask and
    array-API input, a NaN spoils the derivatives whose stencils reach it.  The
    weights are Fornberg's (see :func:`dfdx.fd_weights`), computed for unit
    spacing and scaled afterwards in an order that keeps results scale
    invariant from 1e-300 to 1e300 in both ``x`` and ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.grid import diff
    >>> x = np.linspace(0.0, 1.0, 6)
    >>> diff(x**2, x)                    # exact for quadratics, edges too
    array([0. , 0.4, 0.8, 1.2, 1.6, 2. ])
    >>> diff(x**3, x, n=2, acc=2).round(12)
    array([0. , 1.2, 2.4, 3.6, 4.8, 6. ])
    >>> xu = np.sort(np.r_[0.0, 0.1, 0.35, 0.5, 0.8, 1.0])
    >>> diff(xu**2, xu).round(12)        # non-uniform coordinates
    array([0. , 0.2, 0.7, 1. , 1.6, 2. ])
    >>> t = np.linspace(0.0, 1.0, 21)
    >>> r = diff(np.sin(t), t, acc=4, return_error=True)
    >>> bool(np.all(r.error < 1e-5)), bool(np.all(abs(r.df - np.cos(t)) < 1e-5)), r.method
    (True, True, 'fd')
    """
    kind = _kind(y)
    check_time_unit(time_unit)
    if kind != "xarray":
        x, dx = time_to_float(x, time_unit), time_spacing(dx, time_unit)
    opts = {
        "dx": dx,
        "axis": axis,
        "n": n,
        "acc": acc,
        "periodic": periodic,
        "method": method,
        "return_error": return_error,
    }
    if kind == "xarray":
        from dfdx.grid._xarray import diff_dataarray

        return diff_dataarray(y, x, dim=dim, time_unit=time_unit, **opts)
    if dim is not None:
        raise ValueError("`dim` is only meaningful for an xarray.DataArray `y`")
    if out is not None and kind != "numpy":
        raise ValueError("`out` is only supported for NumPy input")
    if kind == "dask":
        from dfdx.grid._dask import diff_dask

        return diff_dask(y, x, **opts)
    if kind == "array-api":
        from dfdx.grid._arrayapi import diff_array_api

        return diff_array_api(y, x, **opts)
    return diff_numpy(y, x, out=out, **opts)


def _kind(y: Any) -> str:
    if isinstance(y, np.ndarray):
        return "numpy"
    module = type(y).__module__.split(".")[0]
    if module == "xarray" and hasattr(y, "dims"):
        return "xarray"
    if module == "dask" and hasattr(y, "chunks"):
        return "dask"
    if hasattr(y, "__array_namespace__") and not isinstance(y, np.generic):
        return "array-api"
    return "numpy"


def prepare(y, x, dx, axis, n, acc, periodic, method):
    """Validate everything; return ``(y, axis, n, acc, method, periodic, grid)``."""
    n, acc, method, periodic = check_orders(n, acc, method, periodic)
    y = as_float_array(y, "y")
    axis = normalise_axis(axis, y.ndim)
    grid = resolve_grid(
        x, dx, y.shape[axis], n=n, acc=acc, periodic=periodic, method=method, axis=axis
    )
    return y, axis, n, acc, method, periodic, grid


def fd_numpy(y: np.ndarray, axis: int, n: int, acc: int, grid: Grid, periodic: bool, out=None):
    """Finite differences on a validated float array (no checks)."""
    if n == 0:
        if out is None:
            return y.copy()
        np.copyto(out, y)
        return out
    if grid.uniform:
        return apply_uniform(y, out, axis, uniform_stencil(n, acc), grid.h, periodic=periodic)
    return apply_nonuniform(y, np.empty_like(y) if out is None else out, axis, grid.x, n, acc)


def check_out(out: Any, y: np.ndarray) -> None:
    """``out`` must match the result and must not alias the input."""
    if not isinstance(out, np.ndarray) or out.shape != y.shape or out.dtype != y.dtype:
        got = (
            f"{type(out).__name__} of shape {out.shape} and dtype {out.dtype}"
            if isinstance(out, np.ndarray)
            else type(out).__name__
        )
        raise ValueError(
            f"`out` must be an ndarray of shape {y.shape} and dtype {y.dtype}, got {got}"
        )
    if np.shares_memory(out, y):
        raise ValueError("`out` must not overlap `y`")


def diff_numpy(
    y,
    x=None,
    *,
    dx=None,
    axis=-1,
    n=1,
    acc=2,
    periodic=False,
    method="fd",
    return_error=False,
    out=None,
):
    """The NumPy path of :func:`diff` (validated here)."""
    y, axis, n, acc, method, periodic, grid = prepare(y, x, dx, axis, n, acc, periodic, method)
    if out is not None:
        check_out(out, y)
    if method != "spectral" and not periodic and has_nonfinite(y):
        result = without_nonfinite(y, axis, n, acc, method, grid, compute)
        if out is None:
            return result if return_error else np.asarray(result.df).copy()
        np.copyto(out, result.df)
        return result.replace(df=out.view()) if return_error else out
    return compute(y, axis, n, acc, method, periodic, grid, return_error, out=out)


def compute(y, axis, n, acc, method, periodic, grid, return_error, out=None):
    """Dispatch on ``method`` for validated input; optionally with an error estimate."""
    size = y.shape[axis]
    error = None
    note = ""
    if method == "spectral":
        if return_error and n:
            df, error = spectral_diff(y, axis, n, grid.h, tail=0.25)
        else:
            df = spectral_diff(y, axis, n, grid.h) if n else y.copy()
    elif method == "spline":
        k = spline_degree(n, acc)
        coords = grid.x if not grid.uniform else np.arange(size) * grid.h
        df = spline_diff(y, axis, n, coords, k, periodic=periodic)
        if return_error:
            if size > k + 2:
                error = np.abs(df - spline_diff(y, axis, n, coords, k + 2, periodic=periodic))
            else:
                note = f"; too few samples for a degree-{k + 2} spline: no error estimate"
    else:
        df = fd_numpy(y, axis, n, acc, grid, periodic, out=out)
        if return_error:
            if n == 0:
                error = np.zeros(df.shape, df.real.dtype)
            elif size >= min_length(n, acc + 2, uniform=grid.uniform, periodic=periodic):
                error = np.abs(df - fd_numpy(y, axis, n, acc + 2, grid, periodic))
            else:
                note = f"; too few samples for order {acc + 2}: no error estimate"
    if out is not None and df is not out:
        np.copyto(out, df)
        df = out
    if not return_error:
        return df
    return make_result(df, error, axis, n, acc, method, periodic, grid, note)


def make_result(df, error, axis, n, acc, method, periodic, grid, note=""):
    """Wrap a derivative and its error estimate with per-point status codes."""
    size = df.shape[axis]
    status = np.full(df.shape, Status.SUCCESS, dtype=np.int8)
    if method == "fd" and not periodic and n:
        if grid.uniform:
            left = right = uniform_stencil(n, acc).half
        else:
            left, right = nonuniform_extent(n, acc)
        idx = [slice(None)] * df.ndim
        for part in (slice(0, left), slice(size - right, size)):
            idx[axis] = part
            status[tuple(idx)] = Status.ONE_SIDED
    status[~np.isfinite(df)] = Status.NONFINITE_VALUE
    params = {"n": n, "acc": acc, "axis": axis, "periodic": periodic, "method": method}
    if grid.uniform:
        params["dx"] = grid.h
    message = f"{method} derivative of order {n} along axis {axis}" + note
    return DerivativeResult(
        df=df.view(),  # the result freezes its arrays; a view leaves a user's `out` writable
        error=error,
        status=status,
        nfev=0,
        nit=0,
        method=method,
        message=message,
        params=params,
    )
