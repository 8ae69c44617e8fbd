"""Automatic choice of method by two-fold interleaved cross-validation.

Each candidate method (with its own automatic parameters) is fitted to the
even-indexed samples and asked to predict the odd-indexed ones, then the
other way round.  The prediction between training samples is the cubic
Hermite interpolant of the method's smoothed values *and first derivatives*,
so a method scores well only if both are accurate.  The method with the
smallest total squared prediction error (summed over all series) is then
fitted to all the data.  The true derivative is never used.  Spectral
differentiation is not a candidate, because it assumes periodic data.
"""

from __future__ import annotations

import numpy as np
from scipy.interpolate import CubicHermiteSpline

from dfdx.noisy._registry import REGISTRY

__all__ = ["CANDIDATES", "choose"]

CANDIDATES = ("kalman", "spline", "savgol", "tikhonov", "tv")
_MIN_POINTS = 16


def _score(name: str, y2: np.ndarray, x: np.ndarray) -> float:
    func = REGISTRY[name].func
    total = 0.0
    for train, test in (
        (slice(0, None, 2), slice(1, None, 2)),
        (slice(1, None, 2), slice(0, None, 2)),
    ):
        xt, xv = x[train], x[test]
        smooth, deriv, _, _ = func(y2[:, train], xt, 1)
        inside = (xv > xt[0]) & (xv < xt[-1])
        pred = CubicHermiteSpline(xt, smooth, deriv, axis=1)(xv[inside])
        total += float(np.sum((y2[:, test][:, inside] - pred) ** 2))
    return total


def choose(y2: np.ndarray, x: np.ndarray, n: int) -> tuple[str, dict[str, float]]:
    """Return the chosen method name and the cross-validation score of each candidate."""
    names = [c for c in CANDIDATES if REGISTRY[c].max_n is None or n <= REGISTRY[c].max_n]
    if x.size < _MIN_POINTS:
        return "kalman", {}
    scores = {}
    for name in names:
        try:
            scores[name] = _score(name, y2, x)
        except (ValueError, np.linalg.LinAlgError):
            scores[name] = np.inf
    return min(scores, key=scores.get), scores
