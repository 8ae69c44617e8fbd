"""The front door for labelled and lazy samples: pandas, xarray and dask.

They get the same decisions as NumPy arrays (the noise test, non-finite
samples left out, time coordinates per ``time_unit``) and come back as they
went in:

* pandas ``Series``/``DataFrame``: the index is the coordinate when neither
  ``x`` nor ``dx`` is given (a default ``RangeIndex`` counts as no
  coordinate); a ``DataFrame`` is differentiated down its rows, column by
  column.  The result is a ``Series``/``DataFrame`` with the same index and
  names; with ``return_error=True`` a ``DataFrame`` with the derivative, its
  error estimate, ``success`` and ``status`` side by side.  The message is in
  ``result.attrs["dfdx"]``.
* xarray ``DataArray``: differentiated along ``dim`` (default: the dimension
  at ``axis``) on its coordinate; the noise test runs on a few lanes, which
  for a dask-backed array are the only data computed.  The result is a
  ``DataArray`` (lazy for dask); with ``return_error=True`` a ``Dataset``
  with ``derivative`` and ``error``.  ``datetime_unit=`` (xarray's name) is
  accepted for ``time_unit=``.
* dask arrays: the noise test on a few lanes, then a lazy result.

pandas, xarray and dask are never imported unless the input is theirs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx._front_samples import GRID_METHODS, UNIT_NAMES, numpy_samples

__all__ = ["is_lazy_or_labelled", "is_pandas", "labelled_derivative", "pandas_derivative"]

#: Most lanes of a labelled or lazy array that the noise test reads.
SAMPLE_LANES = 8


def is_pandas(y: Any) -> bool:
    """A pandas Series or DataFrame (duck-typed: pandas is not imported)."""
    return type(y).__module__.startswith("pandas") and hasattr(y, "index") and hasattr(y, "iloc")


def is_lazy_or_labelled(y: Any) -> bool:
    """Dask arrays and xarray DataArrays."""
    return type(y).__module__.split(".")[0] in ("dask", "xarray")


def _pop_flags(options: dict) -> tuple[dict, bool, str]:
    options = dict(options)
    return_error = options.pop("return_error", False)
    if not isinstance(return_error, bool | np.bool_):
        raise TypeError(f"`return_error` must be True or False, got {return_error!r}")
    time_unit = options.pop("time_unit", None)
    datetime_unit = options.pop("datetime_unit", None)
    if time_unit is not None and datetime_unit is not None:
        raise ValueError("give `time_unit` or `datetime_unit` (its xarray name), not both")
    return options, bool(return_error), time_unit or datetime_unit or "s"


# -- pandas ---------------------------------------------------------------------------


def _is_default_index(index: Any) -> bool:
    return type(index).__name__ == "RangeIndex" and index.start == 0 and index.step == 1


def pandas_derivative(y, x, n, method, dx, axis, options) -> Any:
    """A pandas Series or DataFrame: the index is the coordinate; pandas in, pandas out."""
    import pandas as pd  # the input is pandas: it is installed

    options, return_error, time_unit = _pop_flags(options)
    frame = isinstance(y, pd.DataFrame)
    if frame and axis not in (0, -1):
        raise ValueError(f"`axis` must be 0 for a DataFrame (down its index), got {axis!r}")
    try:
        values = y.to_numpy(dtype=float)
    except (TypeError, ValueError):
        dtypes = sorted(set(map(str, np.atleast_1d(y.dtypes))))
        raise TypeError(f"`obj` must hold numbers to differentiate, got dtypes {dtypes}") from None
    if x is None and dx is None and not _is_default_index(y.index):
        x = y.index
    result = numpy_samples(values, x, n, method, dx, 0, options, time_unit)
    index = y.index
    if frame:
        df = pd.DataFrame(np.asarray(result.df), index=index, columns=y.columns)
        if return_error:
            parts = {
                "derivative": df,
                "error": pd.DataFrame(np.asarray(result.error), index=index, columns=y.columns),
                "success": pd.DataFrame(np.asarray(result.success), index=index, columns=y.columns),
                "status": pd.DataFrame(np.asarray(result.status), index=index, columns=y.columns),
            }
            df = pd.concat(parts, axis=1)
    else:
        df = pd.Series(np.asarray(result.df), index=index, name=y.name)
        if return_error:
            df = pd.DataFrame(
                {
                    "derivative": np.asarray(result.df),
                    "error": np.asarray(result.error),
                    "success": np.asarray(result.success),
                    "status": np.asarray(result.status),
                },
                index=index,
            )
    df.attrs["dfdx"] = f"method {result.method}: {result.message}"
    return df


# -- xarray and dask ------------------------------------------------------------------


def labelled_derivative(y, x, n, method, dx, axis, options) -> Any:
    """An xarray DataArray or a dask array: the noise test on a sample, labels kept."""
    options, return_error, time_unit = _pop_flags(options)
    if type(y).__module__.split(".")[0] == "dask":
        return _dask_array(y, x, n, method, dx, axis, options, return_error, time_unit)
    from dfdx.grid._time import check_time_unit, time_spacing, time_to_float

    check_time_unit(time_unit)
    dim = options.pop("dim", None)
    if dim is None:
        dim = y.dims[axis % y.ndim] if y.ndim else None
    if dim not in y.dims:
        raise ValueError(f"`dim` must be one of the array's dimensions {y.dims}, got {dim!r}")
    ax = y.get_axis_num(dim)
    if x is None and dx is None and dim in y.coords:
        x = y.coords[dim].values
    elif x is not None and hasattr(x, "dims"):
        x = x.values
    timed = "" if x is None and dx is None else _time_note(x, dx, time_unit)
    x, dx = time_to_float(x, time_unit), time_spacing(dx, time_unit)
    xs = x if x is not None else np.arange(y.sizes[dim]) * (1.0 if dx is None else float(dx))
    if type(y.data).__module__.split(".")[0] != "dask":  # in memory: as a NumPy array
        r = numpy_samples(np.asarray(y.values), xs, n, method, None, ax, options)
        error = r.error if return_error else None
        return _wrap(y, r.df, error, f"{timed}{r.message}", r.method)
    choice, note = method, timed
    if method == "auto":
        choice, why = _sample_decision(y, dim, x, dx, n)
        note += why
    if choice in GRID_METHODS:
        return _grid_lazy(y, x, dx, n, choice, dim, options, return_error, note)

    def lane_fn(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r = numpy_samples(block, xs, n, choice, None, -1, options)
        return np.asarray(r.df, dtype=float), np.asarray(r.error, dtype=float)

    return _noisy_lazy(y, dim, lane_fn, return_error, note)


def _time_note(x, dx, time_unit) -> str:
    from dfdx.grid._time import is_time

    if is_time(x) or is_time(dx):
        return f"time coordinate: derivative per {UNIT_NAMES[time_unit]}; "
    return ""


def _sample_decision(y, dim, x, dx, n) -> tuple[str, str]:
    """``("noisy:auto" or "fd", note)`` from the noise test on at most SAMPLE_LANES lanes."""
    from dfdx._front_samples import MIN_NOISE_TEST, noise_test

    lanes = y.transpose(..., dim)
    flat = lanes.data.reshape(-1, lanes.shape[-1]) if lanes.ndim > 1 else lanes.data[None, :]
    count = flat.shape[0]
    pick = np.unique(np.linspace(0, count - 1, min(count, SAMPLE_LANES)).round().astype(int))
    sample = np.asarray(flat[pick])
    if hasattr(sample, "compute"):
        sample = np.asarray(sample.compute())
    sample = sample.astype(float) if sample.dtype.kind in "biu" else sample
    keep = np.all(np.isfinite(sample), axis=0)
    if sample.dtype.kind != "f" or np.count_nonzero(keep) < MIN_NOISE_TEST:
        return "fd", "noise test skipped (too few finite real samples); "
    xs = None if x is None else np.asarray(x, dtype=float)[keep]
    xs = xs if xs is not None or np.all(keep) else np.flatnonzero(keep) * (dx or 1.0)
    noisy, why = noise_test(sample[:, keep], xs, dx if xs is None else None, -1, n)
    if noisy is not None:
        return "noisy:auto", f"{noisy} (noise test on {pick.size} lanes); "
    return "fd", f"{why} (noise test on {pick.size} lanes); "


def _wrap(y, df, error, message, method) -> Any:
    out = y.copy(data=np.asarray(df))
    out.attrs = {"dfdx_method": method, "dfdx_message": message}
    if error is None:
        return out
    import xarray as xr  # the input is a DataArray: xarray is installed

    err = y.copy(data=np.asarray(error))
    err.attrs = {}
    return xr.Dataset({"derivative": out, "error": err}, attrs=out.attrs)


def _grid_lazy(y, x, dx, n, method, dim, options, return_error, note) -> Any:
    from dfdx import grid

    size = y.sizes[dim]
    acc = options.pop("acc", 4 if size >= n + 5 else 2)
    if return_error:
        df = grid.diff(y, x, dx=dx, dim=dim, n=n, acc=acc, method=method, **options)
        finer = grid.diff(y, x, dx=dx, dim=dim, n=n, acc=acc + 2, method=method, **options)
        import xarray as xr

        error = abs(df - finer)
        df.attrs = {"dfdx_method": method, "dfdx_message": note + "finite differences (lazy)"}
        return xr.Dataset({"derivative": df, "error": error}, attrs=df.attrs)
    out = grid.diff(y, x, dx=dx, dim=dim, n=n, acc=acc, method=method, **options)
    out.attrs = {"dfdx_method": method, "dfdx_message": note + "finite differences (lazy)"}
    return out


def _noisy_lazy(y, dim, lane_fn, return_error, note) -> Any:
    import xarray as xr

    whole = y.chunk({dim: -1})
    df, error = xr.apply_ufunc(
        lane_fn,
        whole,
        input_core_dims=[[dim]],
        output_core_dims=[[dim], [dim]],
        dask="parallelized",
        output_dtypes=[float, float],
    )
    df = df.transpose(*y.dims)
    df.attrs = {"dfdx_method": "noisy", "dfdx_message": note + "dfdx.noisy lane by lane (lazy)"}
    if not return_error:
        return df
    return xr.Dataset({"derivative": df, "error": error.transpose(*y.dims)}, attrs=df.attrs)


def _dask_array(y, x, n, method, dx, axis, options, return_error, time_unit) -> Any:
    """A plain dask array: noise test on a few lanes, then a lazy derivative."""
    try:
        import xarray as xr
    except ImportError:  # without xarray: finite differences, lazily, no noise test
        from dfdx import grid

        return grid.diff(y, x, dx=dx, axis=axis, n=n, time_unit=time_unit, **options)
    da = xr.DataArray(y)
    result = labelled_derivative(
        da,
        x,
        n,
        method,
        dx,
        axis,
        {**options, "return_error": return_error, "time_unit": time_unit},
    )
    if return_error:
        return result
    return result.data
