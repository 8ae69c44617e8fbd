"""Samples with NaN or inf: differentiate the finite ones, NaN at the others.

Lanes (1-D slices along the axis) are grouped by their pattern of non-finite
samples, so the work is one call per distinct pattern (usually one), never a
loop over points.  Each group is differentiated on its own coordinates with
the non-finite samples (and their coordinates) left out; the result there is
NaN with status ``NONFINITE_INPUT``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dfdx._core.result import DerivativeResult, Status

__all__ = ["differentiate_finite", "pattern_groups"]


def pattern_groups(mask: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Rows of a 2-D boolean ``mask`` grouped by their pattern: ``(rows, pattern)`` per group.

    Groups come in the order of ``np.unique`` over the rows; one group when
    every row has the same pattern (no sort then).
    """
    if not mask.any() or mask.all():
        return [(np.arange(mask.shape[0]), mask[0])]
    patterns, inverse = np.unique(mask, axis=0, return_inverse=True)
    inverse = np.ravel(inverse)
    return [(np.flatnonzero(inverse == g), p) for g, p in enumerate(patterns)]


def differentiate_finite(
    y: np.ndarray, x: np.ndarray, axis: int, fn: Callable[[np.ndarray, np.ndarray], Any]
) -> DerivativeResult:
    """``fn(lanes, coords)`` on the finite samples of each lane group, put back in place.

    ``fn`` receives a 2-D array (lanes x finite samples) and the matching 1-D
    coordinates and returns a :class:`DerivativeResult` (or an array) of the
    same shape.  Points with a non-finite sample get NaN and status
    ``NONFINITE_INPUT``.
    """
    moved = np.moveaxis(y, axis, -1)
    size = moved.shape[-1]
    lanes = moved.reshape(-1, size)
    bad = ~np.isfinite(lanes)
    dtype = np.result_type(lanes.dtype, np.float64)
    df = np.full(lanes.shape, np.nan, dtype)
    error = np.full(lanes.shape, np.nan)
    status = np.full(lanes.shape, Status.NONFINITE_INPUT, dtype=np.int8)
    nfev = np.zeros(lanes.shape, dtype=np.intp)
    smooth = None
    first = None
    for rows, pattern in pattern_groups(bad):  # one pass per distinct NaN pattern
        keep = np.flatnonzero(~pattern)
        if keep.size == 0:
            continue
        r = fn(lanes[np.ix_(rows, keep)], np.asarray(x)[keep])
        if not isinstance(r, DerivativeResult):
            r = DerivativeResult(df=r)
        first = r if first is None else first
        block = np.ix_(rows, keep)
        df[block] = r.df
        if r.error is not None:
            error[block] = r.error
        status[block] = np.asarray(r.status)
        nfev[block] = r.nfev
        if r.y_smooth is not None:
            smooth = np.full(lanes.shape, np.nan, dtype) if smooth is None else smooth
            smooth[block] = r.y_smooth
    count = int(np.count_nonzero(bad))

    def back(a: np.ndarray) -> np.ndarray:
        return np.moveaxis(a.reshape(moved.shape), -1, axis)

    note = f"{count} non-finite sample{'s' if count != 1 else ''} left out (result NaN there)"
    message = note if first is None or not first.message else f"{note}; {first.message}"
    return DerivativeResult(
        df=back(df),
        error=back(error),
        status=back(status),
        nfev=back(nfev),
        method="" if first is None else first.method,
        message=message,
        y_smooth=None if smooth is None else back(smooth),
        params={} if first is None else first.params,
    )
