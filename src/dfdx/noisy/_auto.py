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
# Above this many samples the choice is made on bin averages (at least
# _PREBIN_TARGET bins), then the chosen method is fitted to all samples once.
PREBIN_ABOVE = 16384
_PREBIN_TARGET = 1024
# A method whose smoothing spans fewer bins than this wants finer bins than the
# choice was made on: it then chooses its own parameters on all the samples.
_MIN_LENGTH = 8.0


def _score(name: str, fixed: dict, y2: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Squared prediction error of each row, both folds together."""
    func = REGISTRY[name].func
    total = np.zeros(y2.shape[0])
    for train, test in (
        (slice(0, None, 2), slice(1, None, 2)),
        (slice(1, None, 2), slice(0, None, 2)),
    ):
        xt, xv = x[train], x[test]
        smooth, deriv, _, _ = func(y2[:, train], xt, 1, **fixed)
        inside = (xv > xt[0]) & (xv < xt[-1])
        pred = CubicHermiteSpline(xt, smooth, deriv, axis=1)(xv[inside])
        total += np.sum((y2[:, test][:, inside] - pred) ** 2, axis=1)
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


def label(name: str, fixed: dict) -> str:
    """``kalman(order=2)``: a candidate's name in messages and score tables."""
    return name + "".join(f"({k}={v})" for k, v in fixed.items())


def choose(
    y2: np.ndarray, x: np.ndarray, n: int
) -> tuple[list[tuple[str, dict]], np.ndarray, dict[str, np.ndarray]]:
    """Choose a candidate for each row.

    Returns the candidates, the index of each row's choice among them, and
    each candidate's CV score per row (inf where it failed).
    """
    rows = y2.shape[0]
    if x.size < _MIN_POINTS:
        return [("kalman", {})], np.zeros(rows, dtype=np.int64), {}
    allowed = [(name, fixed) for name, fixed in CANDIDATES if _allowed(name, fixed, n)]
    scores: dict[str, np.ndarray] = {}
    for name, fixed in allowed:
        try:
            value = _score(name, fixed, y2, x)
        except (ValueError, np.linalg.LinAlgError):
            value = np.full(rows, np.inf)
        scores[label(name, fixed)] = np.where(np.isfinite(value), value, np.inf)
    table = np.array(list(scores.values()))
    return allowed, np.argmin(table, axis=0), scores


def prebin_factor(size: int) -> int:
    """Samples per bin for the choice (1: choose on the samples themselves)."""
    return 1 if size <= PREBIN_ABOVE else size // _PREBIN_TARGET


def scale_up(name: str, used: dict, k: int) -> tuple[dict, np.ndarray]:
    """Parameters found on bins of ``k`` samples, for the samples themselves.

    The fit on bin averages weights each bin by its count, so a penalty
    weight (``lam``, ``alpha``) found on ``k``-sample averages is ``k`` times
    larger on the samples, and the method's own bins hold ``k`` times more
    samples.  Also returns, per series, whether the method's smoothing spans
    so few bins that it needs a finer resolution than the bins offer.
    """
    inner = np.atleast_1d(np.asarray(used.get("bin", 1)))
    if name in ("kalman", "spline", "tikhonov"):
        order = used.get("order", (used.get("degree", 3) - 1) // 2)
        exponent = 2 * order if name == "tikhonov" else 2 * order + 2
        lam = np.atleast_1d(np.asarray(used["lam"], dtype=np.float64))
        coarse = (inner == 1) & (lam ** (1.0 / exponent) < _MIN_LENGTH / 2)
        out: dict = {"lam": lam * k}
        keep: tuple[str, ...] = ("order", "degree")
    elif name == "savgol":
        window = np.atleast_1d(np.asarray(used["window"]))
        coarse = (inner == 1) & (window < _MIN_LENGTH + 1)
        out = {"window": window}
        keep = ("degree",)
    else:  # tv
        coarse = np.zeros(inner.shape, dtype=bool)
        out = {"alpha": np.atleast_1d(np.asarray(used["alpha"], dtype=np.float64)) * k}
        keep = ()
    out["bin"] = inner * k
    out.update({key: used[key] for key in keep if key in used})
    return out, coarse
