"""Time coordinates for grids: ``datetime64``, ``timedelta64`` and pandas types, in seconds.

Derivatives with respect to time are per ``time_unit`` (a second by default),
whatever the resolution of the coordinate's dtype (pandas 2 stores
nanoseconds, pandas 3 microseconds).  Time-zone-aware pandas indexes are
converted to UTC first.  pandas is never imported: its objects are recognised
by their attributes.
"""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np

__all__ = ["TIME_UNITS", "is_time", "time_spacing", "time_to_float"]

#: Nanoseconds per unit accepted by ``time_unit`` (exact in float64).
TIME_UNITS = {
    "ns": 1.0,
    "us": 1e3,
    "ms": 1e6,
    "s": 1e9,
    "min": 6e10,
    "h": 3.6e12,
    "D": 8.64e13,
}


def check_time_unit(time_unit: Any) -> float:
    """Nanoseconds per ``time_unit``, with a clear error for anything else."""
    if not isinstance(time_unit, str) or time_unit not in TIME_UNITS:
        raise ValueError(f"`time_unit` must be one of {', '.join(TIME_UNITS)}, got {time_unit!r}")
    return TIME_UNITS[time_unit]


def _naive(x: Any) -> Any:
    """A time-zone-aware pandas index or series as naive UTC (duck-typed)."""
    if getattr(x, "tz", None) is not None and hasattr(x, "tz_convert"):
        return x.tz_convert(None)
    dt = getattr(x, "dt", None)
    if dt is not None and getattr(dt, "tz", None) is not None:
        return dt.tz_convert(None)
    return x


def is_time(x: Any) -> bool:
    """Whether ``x`` holds dates or durations (NumPy or pandas)."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None and getattr(dtype, "tz", None) is not None:
        return True
    if dtype is not None and getattr(dtype, "kind", "") in "mM":
        return True
    if isinstance(x, np.datetime64 | np.timedelta64 | datetime.timedelta):
        return True
    if isinstance(x, np.ndarray) and x.dtype == object and x.size:
        return hasattr(x.ravel()[0], "tz_convert")  # pandas Timestamps
    return hasattr(x, "to_timedelta64")


def time_to_float(x: Any, time_unit: str = "s", name: str = "x") -> np.ndarray:
    """Time coordinates as floats in ``time_unit`` since the first one (others unchanged).

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.grid._time import time_to_float
    >>> t = np.array(["2024-01-01T00:00", "2024-01-01T00:02"], dtype="datetime64[us]")
    >>> time_to_float(t), time_to_float(t, "min")
    (array([  0., 120.]), array([0., 2.]))
    """
    if not is_time(x):
        return x
    scale = check_time_unit(time_unit)
    arr = np.asarray(_naive(x))
    if arr.dtype == object and arr.size and hasattr(arr.ravel()[0], "tz_convert"):
        import pandas as pd  # the elements are pandas Timestamps: pandas is there

        arr = np.asarray(pd.DatetimeIndex(arr.ravel()).tz_convert(None)).reshape(arr.shape)
    if arr.dtype.kind not in "mM":
        raise ValueError(f"`{name}` must be datetime64 or timedelta64, got dtype {arr.dtype}")
    unit, count = np.datetime_data(arr.dtype)
    if unit == "generic":
        raise ValueError(
            f"`{name}` must have an explicit time unit (e.g. datetime64[s]), got {arr.dtype}"
        )
    if np.any(np.isnat(arr)):
        raise ValueError(f"`{name}` must contain only finite values (found NaT)")
    origin = arr.ravel()[0] if arr.size else arr
    return (arr - origin).astype(np.int64).astype(np.float64) * (_nanoseconds(unit, count) / scale)


def _nanoseconds(unit: Any, count: int) -> float:
    return float(np.timedelta64(count, unit).astype("timedelta64[ns]").astype(np.int64))


def time_spacing(dx: Any, time_unit: str = "s") -> Any:
    """A timedelta spacing (NumPy, pandas or ``datetime``) as a float in ``time_unit``."""
    if not is_time(dx):
        return dx
    scale = check_time_unit(time_unit)
    if hasattr(dx, "to_timedelta64"):
        dx = dx.to_timedelta64()
    elif isinstance(dx, datetime.timedelta):
        dx = np.timedelta64(dx)
    dx = np.asarray(dx)
    unit, count = np.datetime_data(dx.dtype)
    if dx.dtype.kind != "m" or unit == "generic" or np.isnat(dx):
        raise ValueError(f"`dx` must be a timedelta with an explicit unit, got {dx!r}")
    return float(dx.astype(np.int64)) * (_nanoseconds(unit, count) / scale)
