"""Penalised least squares with banded symmetric positive-definite systems.

Several methods (Tikhonov, smoothing spline, Kalman smoother) reduce to
solving ``M s = b`` with a banded SPD matrix ``M`` that depends on one
regularisation weight ``lam``.  This module factors ``M`` once per ``lam``
(banded Cholesky, O(samples)), solves for many right-hand sides at once,
returns ``log det M`` for likelihood criteria, draws posterior samples for
uncertainty estimates, and searches ``log10(lam)`` on a grid refined by a
parabola through the best three grid values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.linalg import cho_solve_banded, cholesky_banded, solve_banded

__all__ = ["Factor", "factor", "grid_search", "posterior_samples", "quad_floor"]

_SAMPLES = 48
_SEED = 20110


@dataclass(frozen=True)
class Factor:
    """Upper banded Cholesky factor ``U`` (``U.T @ U = M``) and ``log det M``."""

    upper: np.ndarray
    logdet: float

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """Solve ``M s = rhs`` for ``rhs`` of shape (size,) or (size, k)."""
        return cho_solve_banded((self.upper, False), rhs, check_finite=False)


def factor(ab: np.ndarray) -> Factor:
    """Factor the upper-banded SPD matrix ``ab`` (LAPACK upper storage)."""
    upper = cholesky_banded(ab, lower=False, check_finite=False)
    return Factor(upper, float(2.0 * np.sum(np.log(upper[-1]))))


def quad_floor(y2: np.ndarray) -> np.ndarray:
    """Rounding level of the residual: noise-free data must not reward roundoff."""
    scale = np.max(np.abs(y2), axis=1) + 1e-300
    return y2.shape[1] * (1e-12 * scale) ** 2


def posterior_samples(fac: Factor, count: int = _SAMPLES) -> np.ndarray:
    """Draw ``count`` seeded samples from N(0, M^-1); shape (size, count).

    With ``U.T U = M`` and ``xi`` standard normal, ``U^-1 xi`` has covariance
    ``M^-1``.  The seed is fixed so results are reproducible.
    """
    rng = np.random.default_rng(_SEED)
    xi = rng.standard_normal((fac.upper.shape[1], count))
    bands = fac.upper.shape[0] - 1
    return solve_banded((0, bands), fac.upper, xi, check_finite=False)


def grid_search(
    criterion: Callable[[float], np.ndarray], lo: ArrayLike, hi: ArrayLike, step: float = 1.0
) -> np.ndarray:
    """Minimise ``criterion(log10_lam) -> (rows,)`` separately for each row.

    Each row searches its own range ``[lo, hi]`` (scalars or one value per
    row): the criterion is evaluated on the multiples of ``step`` in that range
    (the range's ends where it holds none), then on the multiples of ``step / 4``
    within ``step`` of the best coarse value; the best fine point is refined by
    the vertex of the parabola through it and its neighbours.  All rows share
    one lattice, so one evaluation (one factorisation) serves every row whose
    range holds the point, and each row gets exactly the answer it would get
    alone.
    """
    lo_r, hi_r = np.atleast_1d(np.asarray(lo, float)), np.atleast_1d(np.asarray(hi, float))
    lo_r, hi_r = np.broadcast_arrays(lo_r, hi_r)
    coarse = [_lattice(a, b, step) for a, b in zip(lo_r, hi_r, strict=True)]
    points, values = _evaluate(criterion, coarse)
    best = points[np.argmin(values, axis=0)]
    fine_step = step / 4
    fine = [
        _lattice(max(a, c - step), min(b, c + step), fine_step)
        for a, b, c in zip(lo_r, hi_r, best, strict=True)
    ]
    points, values = _evaluate(criterion, fine)
    return _refine(points, values, fine_step)


def _lattice(a: float, b: float, step: float) -> np.ndarray:
    """Multiples of ``step`` in ``[a, b + step / 2)``; ``a`` (and ``b``) when there are none."""
    first, last = np.ceil(a / step - 1e-9), np.floor(b / step + 0.5 - 1e-9)
    if last < first:
        return np.unique([a, max(a, b)])
    return np.arange(first, last + 1) * step


def _evaluate(
    criterion: Callable[[float], np.ndarray], per_row: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Criterion on the union of the rows' points; inf where a point is not a row's."""
    points = np.unique(np.concatenate(per_row))
    if len(per_row) == 1:  # one range shared by every row
        values = np.array([criterion(float(g)) for g in points], dtype=np.float64)
        return points, np.where(np.isfinite(values), values, np.inf)
    member = np.zeros((points.size, len(per_row)), dtype=bool)
    for r, own in enumerate(per_row):
        member[np.searchsorted(points, own), r] = True
    values = np.full(member.shape, np.inf)
    for g, point in enumerate(points):
        rows = member[g]
        got = np.asarray(criterion(float(point)), dtype=np.float64)
        values[g, rows] = np.broadcast_to(got, rows.shape)[rows]
    values = np.where(np.isfinite(values), values, np.inf)
    return points, values


def _refine(grid: np.ndarray, values: np.ndarray, step: float) -> np.ndarray:
    best = np.argmin(values, axis=0)
    out = grid[best].astype(np.float64)
    inner = (best > 0) & (best < grid.size - 1)
    rows = np.nonzero(inner)[0]
    if rows.size:
        b = best[rows]
        left, mid, right = values[b - 1, rows], values[b, rows], values[b + 1, rows]
        denom = left - 2 * mid + right
        with np.errstate(invalid="ignore", divide="ignore"):
            shift = 0.5 * (left - right) / denom
        ok = np.isfinite(shift) & (denom > 0) & np.isfinite(left) & np.isfinite(right)
        shift = np.where(ok, np.clip(shift, -1, 1), 0.0)
        out[rows] += shift * step
    return out
