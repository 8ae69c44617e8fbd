"""One driver for the penalised least-squares methods (Tikhonov, spline, Kalman).

A method supplies a model factory ``make(x, weights)`` whose models provide
``criterion(log10_lam, y2) -> (rows,)``, ``search_range()`` and
``fit(y2, n, lam, noise_std) -> (smooth, deriv, error, sigma)``.  The driver
chooses ``lam`` per series by minimising the criterion, falls back to binned
data when the best ``lam`` reaches the top of the range the factorisation can
handle, and returns the parameters that reproduce the result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dfdx._core.validate import check_int
from dfdx.noisy._banded import grid_search
from dfdx.noisy._binning import bin_data, unbin
from dfdx.noisy._noise import noise_rows
from dfdx.noisy._validate import per_row

__all__ = ["run"]

_BIN_FACTOR = 4
_START_BINS = 500  # start with about this many bins, refine when the fit needs it
_MIN_LENGTH = 8.0  # refine the bins when the smoothing spans fewer bins than this
_WINDOW = 3.0  # decades searched around the predicted weight after re-binning


def run(
    make: Callable[[np.ndarray, np.ndarray], Any],
    y2: np.ndarray,
    x: np.ndarray,
    n: int,
    *,
    lam: Any = None,
    bin: Any = None,
    noise_std: Any = None,
    min_size: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """Fit every row of ``y2``; return y_smooth, derivative, error and parameters."""
    rows = y2.shape[0]
    sigma = None if noise_std is None else per_row(noise_std, rows, "noise_std")
    if sigma is not None and np.any(sigma < 0):
        raise ValueError("`noise_std` must be non-negative")
    if lam is None:
        scale = np.max(np.abs(y2)) + 1e-300
        noise_free = bool(np.all(noise_rows(y2, x) <= 1e-10 * scale)) if x.size > 5 else True
        if bin is None and noise_free:
            bin = 1  # nothing to average out: keep every sample
        if bin is None:
            k = _BIN_FACTOR ** int(max(0.0, np.log(x.size / _START_BINS) / np.log(_BIN_FACTOR)))
        else:
            k = check_int(bin, "bin", minimum=1)
        step = 0
        log_lam = None
        previous = (k, None)  # the level before a move to finer bins
        while True:
            yb, xb, w = bin_data(y2, x, k)
            model = make(xb, w)
            lo, hi = model.search_range()
            if noise_free:  # interpolate: the criterion is only roundoff here
                log_lam = np.full(rows, lo)
                break
            if log_lam is not None:  # re-binned: search near the weight the last level found
                lo, hi = _window(log_lam, step, model.exponent, lo, hi)
            log_lam = grid_search(lambda g, m=model, yb=yb: m.criterion(g, yb), lo, hi)
            if bin is not None:
                break
            coarser = log_lam.max() >= hi - 0.5 and xb.size >= _BIN_FACTOR * min_size
            finer = k > 1 and log_lam.min() < model.exponent * np.log10(_MIN_LENGTH)
            if coarser and step < 0:
                # The finer bins cannot be smoothed enough (their weight hit the top
                # of the usable range, e.g. for tightly clustered x): keep the last level.
                k, log_lam = previous
                yb, xb, w = bin_data(y2, x, k)
                model = make(xb, w)
                break
            if coarser and step >= 0:
                k, step = k * _BIN_FACTOR, 1
            elif finer and step <= 0:
                previous = (k, log_lam)
                k, step = k // _BIN_FACTOR, -1
            else:
                break
        lam_rows = 10.0**log_lam
    else:
        lam_rows = per_row(lam, rows, "lam")
        if np.any(~np.isfinite(lam_rows) | (lam_rows <= 0)):
            raise ValueError(f"`lam` must be positive and finite, got {lam!r}")
        k = 1 if bin is None else check_int(bin, "bin", minimum=1)
        yb, xb, w = bin_data(y2, x, k)
        if xb.size < min_size:
            raise ValueError(f"`bin` = {k} leaves {xb.size} bins; at least {min_size} needed")
        model = make(xb, w)
    smooth, deriv, error, sig = model.fit(yb, n, lam_rows, sigma)
    if k > 1:
        smooth, deriv, error = (unbin(v, xb, x) for v in (smooth, deriv, error))
    return smooth, deriv, error, {"lam": lam_rows, "bin": k, "noise_std": sig}


def _window(
    log_lam: np.ndarray, step: int, exponent: float, lo: float, hi: float
) -> tuple[float, float]:
    """Search range after re-binning by ``_BIN_FACTOR`` (finer: step -1, coarser: +1).

    The same smoothing length spans ``_BIN_FACTOR`` times more (or fewer)
    samples after the change, and the weight scales like that length to the
    power ``exponent``; search _WINDOW decades either side of that prediction.
    """
    shift = -step * exponent * np.log10(_BIN_FACTOR)
    a = float(log_lam.min() + shift) - _WINDOW
    b = float(log_lam.max() + shift) + _WINDOW
    a, b = min(max(a, lo), hi - 2 * _WINDOW), max(min(b, hi), lo + 2 * _WINDOW)
    return max(a, lo), min(b, hi)
