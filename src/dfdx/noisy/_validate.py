"""Input checks and reshaping shared by every noisy-data method.

All methods work on a 2-D view ``(rows, samples)`` of the data with the
differentiation axis last and on increasing float64 coordinates; the helpers
here build that view from user input and put results back in the user's shape.

Policy for missing data: :func:`~dfdx.noisy.diff` drops NaN and inf samples
of ``y`` with their ``x`` (series by series, see :mod:`._batch`);
:func:`~dfdx.noisy.estimate_noise` needs finite ``y``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from dfdx._core.validate import as_float_array, check_axis, check_coordinates, check_int

__all__ = ["Prepared", "per_row", "per_row_int", "prepare", "restore", "to_public"]


@dataclass(frozen=True)
class Prepared:
    """Data reshaped for the methods: ``y2`` is ``(rows, samples)``, ``x`` increasing."""

    y2: np.ndarray
    x: np.ndarray
    shape: tuple[int, ...]
    axis: int
    flipped: bool
    uniform: bool


def prepare(
    y: Any, x: Any, axis: Any, *, minimum: int, method: str, finite: bool = True
) -> Prepared:
    """Validate ``y``, ``x`` and ``axis`` and return the ``(rows, samples)`` view.

    With ``finite=False``, NaN and inf in ``y`` are let through (the caller drops them).
    """
    arr = as_float_array(y, "y", allow_complex=False)
    if arr.ndim == 0:
        raise ValueError("`y` must have at least one dimension, got a scalar")
    ax = check_axis(axis, arr.ndim)
    npts = arr.shape[ax]
    if npts < minimum:
        raise ValueError(
            f"`y` must have at least {minimum} samples along `axis` for method "
            f"{method!r}, got {npts}"
        )
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(
            "`y` must contain only finite values (found NaN or inf); "
            "drop those samples first, e.g. y[np.isfinite(y)]"
        )
    if x is None:
        xs = np.arange(npts, dtype=np.float64)
    else:
        xs = check_coordinates(x, "x", length=npts).astype(np.float64)
    flipped = bool(npts > 1 and xs[-1] < xs[0])
    moved = np.moveaxis(arr, ax, -1).astype(np.float64)
    if flipped:
        xs = xs[::-1]
        moved = moved[..., ::-1]
    y2 = np.ascontiguousarray(moved.reshape(-1, npts))
    steps = np.diff(xs)
    uniform = bool(np.ptp(steps) <= 1e-9 * np.abs(steps).max()) if steps.size else True
    return Prepared(y2, xs, moved.shape, ax, flipped, uniform)


def restore(values: np.ndarray, prep: Prepared) -> np.ndarray:
    """Undo :func:`prepare`: ``(rows, samples)`` back to the user's shape and axis."""
    out = values.reshape(prep.shape)
    if prep.flipped:
        out = out[..., ::-1]
    return np.ascontiguousarray(np.moveaxis(out, -1, prep.axis))


def per_row(value: Any, rows: int, name: str) -> np.ndarray:
    """Broadcast a scalar or per-row parameter to shape ``(rows,)`` of float64."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.size == 1:
        return np.full(rows, float(arr.reshape(-1)[0]))
    if arr.size != rows:
        raise ValueError(
            f"`{name}` must be a scalar or have one value per series ({rows}), "
            f"got shape {arr.shape}"
        )
    return arr.reshape(rows)


def per_row_int(value: Any, rows: int, name: str, minimum: int = 1) -> np.ndarray:
    """Like :func:`per_row` for integer parameters (each checked by ``check_int``)."""
    if np.ndim(value) == 0:
        return np.full(rows, check_int(value, name, minimum=minimum), dtype=np.int64)
    arr = np.asarray(value)
    if arr.dtype.kind == "f" and np.all(arr == np.round(arr)):
        arr = arr.astype(np.int64)
    for v in np.unique(arr):
        check_int(v.item(), name, minimum=minimum)
    return per_row(arr, rows, name).astype(np.int64)


def to_public(params: dict, prep: Prepared) -> dict:
    """Return parameters in the user's shape: scalars for 1-D data, arrays otherwise."""
    batch = prep.shape[:-1]
    out = {}
    for key, value in params.items():
        if isinstance(value, np.ndarray):
            if len(batch) == 0 or np.all(value == value.reshape(-1)[0]):
                first = value.reshape(-1)[0].item()
                out[key] = first
            else:
                out[key] = value.reshape(batch)
        else:
            out[key] = value
    return out
