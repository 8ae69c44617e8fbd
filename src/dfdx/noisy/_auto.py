"""Automatic choice of method by two-fold interleaved cross-validation.

Each candidate method (with its own automatic parameters) is fitted to the
even-indexed samples and asked to predict the odd-indexed ones, then the
other way round.  The prediction between training samples is the cubic
Hermite interpolant of the method's smoothed values *and first derivatives*,
so a method scores well only if both are accurate.  The candidates are
the Kalman smoother of orders 1, 2 and 3, smoothing splines of degree 3 and
5, Savitzky-Golay, Tikhonov and total variation (those that support the
requested ``n``).  The candidate with the smallest total squared prediction
error (summed over all series) is then fitted to all the data.  The true
derivative is never used.  Spectral differentiation is not a candidate,
because it assumes periodic data.
"""

from __future__ import annotations

import numpy as np
from scipy.interpolate import CubicHermiteSpline

from dfdx.noisy._registry import REGISTRY

__all__ = ["CANDIDATES", "choose"]

# (method, fixed parameters); the rest of each method's parameters come from the data.
CANDIDATES: tuple[tuple[str, dict], ...] = (
    ("kalman", {"order": 1}),
    ("kalman", {"order": 2}),
    ("kalman", {"order": 3}),
    ("spline", {"degree": 3}),
    ("spline", {"degree": 5}),
    ("savgol", {}),
    ("tikhonov", {}),
    ("tv", {}),
)
_MIN_POINTS = 16


def _score(name: str, fixed: dict, y2: np.ndarray, x: np.ndarray) -> float:
    func = REGISTRY[name].func
    total = 0.0
    for train, test in (
        (slice(0, None, 2), slice(1, None, 2)),
        (slice(1, None, 2), slice(0, None, 2)),
    ):
        xt, xv = x[train], x[test]
        smooth, deriv, _, _ = func(y2[:, train], xt, 1, **fixed)
        inside = (xv > xt[0]) & (xv < xt[-1])
        pred = CubicHermiteSpline(xt, smooth, deriv, axis=1)(xv[inside])
        total += float(np.sum((y2[:, test][:, inside] - pred) ** 2))
    return total


def _allowed(name: str, fixed: dict, n: int) -> bool:
    limit = REGISTRY[name].max_n
    if limit is not None and n > limit:
        return False
    if name == "kalman":
        return n <= fixed["order"]
    if name == "spline":
        return n <= (fixed["degree"] - 1) // 2
    return True


def choose(y2: np.ndarray, x: np.ndarray, n: int) -> tuple[str, dict, dict[str, float]]:
    """Return the chosen method, its fixed parameters and every candidate's CV score."""
    if x.size < _MIN_POINTS:
        return "kalman", {}, {}
    scores: dict[str, float] = {}
    best = None
    for name, fixed in CANDIDATES:
        if not _allowed(name, fixed, n):
            continue
        label = name + "".join(f"({k}={v})" for k, v in fixed.items())
        try:
            scores[label] = _score(name, fixed, y2, x)
        except (ValueError, np.linalg.LinAlgError):
            scores[label] = np.inf
        if best is None or scores[label] < best[2]:
            best = (name, fixed, scores[label])
    return best[0], best[1], scores
