"""Input validation helpers.

Each helper checks one parameter and raises an error whose message names the
parameter and the constraint it broke, e.g. ``"`n` must be a non-negative
integer, got 1.5"``.  Validation lives here, apart from the algorithms.
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = [
    "as_float_array",
    "check_axis",
    "check_choice",
    "check_coordinates",
    "check_int",
    "check_positive",
]


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool | np.bool_):
        return False
    return isinstance(value, numbers.Integral)


def check_int(value: Any, name: str, *, minimum: int | None = 0, even: bool = False) -> int:
    """Return ``value`` as an ``int`` after checking it is an integer >= ``minimum``.

    Booleans are rejected: ``True`` is not an integer here.
    """
    if minimum == 0:
        what = "a non-negative integer"
    elif minimum == 1:
        what = "a positive integer"
    elif minimum is None:
        what = "an integer"
    else:
        what = f"an integer >= {minimum}"
    if even:
        what = what.replace("integer", "even integer")
    if not _is_integer(value):
        raise ValueError(f"`{name}` must be {what}, got {value!r}")
    value = operator.index(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"`{name}` must be {what}, got {value!r}")
    if even and value % 2:
        raise ValueError(f"`{name}` must be {what}, got {value!r}")
    return value


def check_positive(value: Any, name: str, *, allow_none: bool = False) -> float | None:
    """Return ``value`` as a finite positive ``float``."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(f"`{name}` must be a positive finite number, got {value!r}")
    value = float(value)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"`{name}` must be a positive finite number, got {value!r}")
    return value


def check_choice(value: Any, name: str, choices: Iterable[str]) -> str:
    """Return ``value`` after checking it is one of ``choices``."""
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"`{name}` must be one of {listed}, got {value!r}")
    return value


def check_axis(axis: Any, ndim: int, name: str = "axis") -> int:
    """Return ``axis`` normalised to ``0 <= axis < ndim``."""
    if not _is_integer(axis):
        raise ValueError(f"`{name}` must be an integer, got {axis!r}")
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"`{name}` must be in the range [{-ndim}, {ndim}) for an array with "
            f"{ndim} dimension(s), got {axis}"
        )
    return axis % ndim


def as_float_array(value: Any, name: str, *, allow_complex: bool = True) -> np.ndarray:
    """Convert ``value`` to a floating (or complex) array without wrapping integers.

    Booleans and integers of any width become float64; float16 becomes float32;
    other floating and complex types are kept.
    """
    try:
        arr = np.asarray(value)
    except Exception as exc:  # pragma: no cover - numpy's own message is kept
        raise TypeError(f"`{name}` must be array-like of numbers: {exc}") from exc
    kind = arr.dtype.kind
    if kind in "biu":
        return arr.astype(np.float64)
    if kind == "f":
        return arr.astype(np.float32) if arr.dtype == np.float16 else arr
    if kind == "c":
        if not allow_complex:
            raise TypeError(f"`{name}` must be real, got complex dtype {arr.dtype}")
        return arr
    raise TypeError(f"`{name}` must be array-like of numbers, got dtype {arr.dtype}")


def check_coordinates(x: Any, name: str = "x", *, length: int | None = None) -> np.ndarray:
    """Check a 1-D coordinate array: finite, strictly increasing, of a given length.

    Strictly decreasing coordinates are accepted too (the caller may flip them);
    duplicated, unsorted or NaN coordinates raise ``ValueError``.
    """
    arr = as_float_array(x, name, allow_complex=False)
    if arr.ndim != 1:
        raise ValueError(f"`{name}` must be one-dimensional, got shape {arr.shape}")
    if length is not None and arr.shape[0] != length:
        raise ValueError(
            f"`{name}` must have the same length as the data along the axis ({length}), "
            f"got {arr.shape[0]}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"`{name}` must contain only finite values (found NaN or inf)")
    steps = np.diff(arr)
    if arr.size > 1 and not (np.all(steps > 0) or np.all(steps < 0)):
        if np.any(steps == 0):
            raise ValueError(f"`{name}` must be strictly monotonic, found duplicated values")
        raise ValueError(f"`{name}` must be strictly monotonic (sorted without duplicates)")
    return arr
