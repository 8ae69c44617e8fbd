"""``grid.diff`` on samples with NaN or inf: those samples are left out with their x."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dfdx._core.finite import differentiate_finite
from dfdx._core.result import DerivativeResult

__all__ = ["has_nonfinite", "without_nonfinite"]


def has_nonfinite(y: np.ndarray) -> bool:
    """Whether ``y`` holds NaN or inf (one fast reduction; a full test only if it overflows)."""
    if y.size == 0:
        return False
    with np.errstate(all="ignore"):
        total = np.sum(y)
    if np.isfinite(total):
        return False
    return not bool(np.all(np.isfinite(y)))


def without_nonfinite(
    y: np.ndarray, axis: int, n: int, acc: int, method: str, grid: Any, compute: Callable
) -> DerivativeResult:
    """Differentiate the finite samples of each lane on their own coordinates."""
    from dfdx.grid._validate import resolve_grid

    size = y.shape[axis]
    coords = grid.x if not grid.uniform else np.arange(size) * grid.h

    def fn(lanes: np.ndarray, xs: np.ndarray) -> DerivativeResult:
        sub = resolve_grid(xs, None, xs.size, n=n, acc=acc, periodic=False, method=method, axis=1)
        return compute(lanes, 1, n, acc, method, False, sub, True)

    result = differentiate_finite(y, coords, axis, fn)
    params = {**result.params, "axis": axis}
    return result.replace(params=params)
