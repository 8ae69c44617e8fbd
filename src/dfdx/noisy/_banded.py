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
    criterion: Callable[[float], np.ndarray], lo: float, hi: float, step: float = 1.0
) -> np.ndarray:
    """Minimise ``criterion(log10_lam) -> (rows,)`` separately for each row.

    The criterion is evaluated on a coarse grid from ``lo`` to ``hi`` (in
    ``log10``, spacing ``step``), then on a grid four times finer around the
    best coarse values; each row's minimum is refined by the vertex of the
    parabola through the best fine point and its neighbours.
    """
    coarse = np.arange(lo, hi + step / 2, step)
    values = np.array([criterion(float(g)) for g in coarse])
    values = np.where(np.isfinite(values), values, np.inf)
    best = coarse[np.argmin(values, axis=0)]
    fine_step = step / 4
    a, b = max(lo, best.min() - step), min(hi, best.max() + step)
    return _refine(criterion, np.arange(a, b + fine_step / 2, fine_step), fine_step)


def _refine(criterion: Callable[[float], np.ndarray], grid: np.ndarray, step: float) -> np.ndarray:
    values = np.array([criterion(float(g)) for g in grid])
    values = np.where(np.isfinite(values), values, np.inf)
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
        shift = np.where(np.isfinite(shift) & (denom > 0), np.clip(shift, -1, 1), 0.0)
        out[rows] += shift * step
    return out
