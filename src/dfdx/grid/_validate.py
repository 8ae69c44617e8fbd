"""Checks and normalisation of the inputs of the grid derivatives.

Every failure is a ``ValueError`` (``TypeError`` for wrong kinds of object)
whose message names the parameter and the requirement it broke.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from dfdx._core.validate import (
    as_float_array,
    check_axis,
    check_choice,
    check_coordinates,
    check_int,
)
from dfdx.grid._stencils import min_length

__all__ = ["Grid", "check_orders", "coordinates_to_float", "resolve_grid"]

METHODS = ("fd", "spectral", "spline")


@dataclass(frozen=True)
class Grid:
    """Sampling along one axis: uniform spacing ``h`` or coordinates ``x``."""

    h: float | None
    x: np.ndarray | None

    @property
    def uniform(self) -> bool:
        return self.x is None


def check_orders(n: Any, acc: Any, method: Any, periodic: Any) -> tuple[int, int, str, bool]:
    """Validate derivative order, accuracy, method and periodic flag."""
    n = check_int(n, "n", minimum=0)
    acc = check_int(acc, "acc", minimum=1, even=True)
    method = check_choice(method, "method", METHODS)
    if not isinstance(periodic, bool | np.bool_):
        raise ValueError(f"`periodic` must be True or False, got {periodic!r}")
    return n, acc, method, bool(periodic)


def coordinates_to_float(x: Any, name: str = "x") -> np.ndarray:
    """Coordinates as floats; ``datetime64``/``timedelta64`` in their own unit.

    ``datetime64[s]`` coordinates become seconds since the first sample, so
    the derivative is per second.  A generic (unit-less) datetime is refused.
    """
    arr = np.asarray(x)
    if arr.dtype.kind in "mM":
        unit, _ = np.datetime_data(arr.dtype)
        if unit == "generic":
            raise ValueError(
                f"`{name}` must have an explicit time unit (e.g. datetime64[s]), got {arr.dtype}"
            )
        if np.any(np.isnat(arr)):
            raise ValueError(f"`{name}` must contain only finite values (found NaT)")
        if arr.ndim == 1 and arr.size:
            return (arr - arr[0]).astype(np.int64).astype(np.float64)
        return arr.astype(np.int64).astype(np.float64)
    return arr


def _spacing(dx: Any) -> float:
    if isinstance(dx, np.timedelta64):
        unit, _ = np.datetime_data(dx.dtype)
        if unit == "generic" or np.isnat(dx):
            raise ValueError(f"`dx` must be a timedelta with an explicit unit, got {dx!r}")
        dx = float(dx.astype(np.int64))
    if isinstance(dx, bool | np.bool_) or not isinstance(dx, numbers.Real):
        raise ValueError(f"`dx` must be a nonzero finite number, got {dx!r}")
    dx = float(dx)
    if not np.isfinite(dx) or dx == 0:
        raise ValueError(f"`dx` must be a nonzero finite number, got {dx!r}")
    return dx


_CHUNK = 1 << 16


def check_x(x: Any, size: int, *, full: bool = True) -> tuple[np.ndarray, float | None]:
    """Validate coordinates in one cache-friendly pass; return them and the uniform step.

    The step is ``None`` when ``x`` is not uniform to rounding.  With
    ``full=False`` the scan stops once ``x`` is known to be non-uniform: the
    caller then checks monotonicity itself (the order-2 kernel does, block by
    block, at no extra cost).  Strict
    monotonicity checked by comparisons also rules out NaN inside ``x``
    (comparisons with NaN fail), so only the two ends need a finiteness test.
    On any failure the shared checker is run to raise its precise message.
    """
    arr = as_float_array(coordinates_to_float(x), "x", allow_complex=False)
    if arr.ndim != 1 or arr.shape[0] != size or size < 2:
        arr = check_coordinates(arr, "x", length=size)
        return np.asarray(arr, dtype=np.float64), 1.0
    arr = np.asarray(arr, dtype=np.float64)
    step = arr[-1] / (size - 1) - arr[0] / (size - 1)
    if not (np.isfinite(arr[0]) and np.isfinite(arr[-1]) and step != 0):
        check_coordinates(arr, "x", length=size)
    eps = np.finfo(np.float64).eps
    tol = 16 * eps * max(abs(arr[0]), abs(arr[-1]), abs(step))
    uniform = True
    for start in range(0, size - 1, _CHUNK):
        stop = min(start + _CHUNK, size - 1)
        d = arr[start + 1 : stop + 1] - arr[start:stop]
        ok = d.min() > 0 if step > 0 else d.max() < 0  # False for NaN
        if not ok:
            check_coordinates(arr, "x", length=size)
        if uniform:
            d -= step
            np.abs(d, out=d)
            uniform = bool((d <= tol).all())
        if not (uniform or full):
            break
    return arr, (float(step) if uniform else None)


def resolve_grid(
    x: Any, dx: Any, size: int, *, n: int, acc: int, periodic: bool, method: str, axis: int
) -> Grid:
    """Turn ``x``/``dx`` into a :class:`Grid` and check the axis is long enough."""
    if x is not None and dx is not None:
        raise ValueError("give either `x` (coordinates) or `dx` (a spacing), not both")
    grid = Grid(1.0, None)
    if dx is not None:
        grid = Grid(_spacing(dx), None)
    elif x is not None:
        lazy = method == "fd" and n == 1 and acc == 2
        xs, step = check_x(x, size, full=not lazy)
        grid = Grid(step, None) if step is not None else Grid(None, xs)
    if method == "spectral" and not grid.uniform:
        raise ValueError("`x` must be uniformly spaced for method='spectral'")
    if periodic and not grid.uniform:
        raise ValueError("`x` must be uniformly spaced for periodic=True")
    if method == "fd":
        need = min_length(n, acc, uniform=grid.uniform, periodic=periodic)
    elif method == "spline":
        need = spline_degree(n, acc) + 1
    else:
        need = 1
    if size < need:
        raise ValueError(
            f"`y` is too short along axis {axis} for n={n}, acc={acc} with method={method!r}: "
            f"needs at least {need} samples, got {size}"
        )
    return grid


def spline_degree(n: int, acc: int) -> int:
    """Degree of the interpolating spline: at least cubic, order ``acc`` for ``n``."""
    return max(3, n + acc - 1)


def normalise_axis(axis: Any, ndim: int) -> int:
    if ndim == 0:
        raise ValueError("`y` must have at least one dimension, got a scalar")
    return check_axis(axis, ndim)
