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
from functools import partial
from typing import Any

import numpy as np

from dfdx.noisy._banded import grid_search
from dfdx.noisy._binning import bin_data, unbin
from dfdx.noisy._noise import noise_rows
from dfdx.noisy._validate import per_row, per_row_int

__all__ = ["run"]

_BIN_FACTOR = 4
_START_BINS = 500  # start with about this many bins, refine when the fit needs it
_MIN_LENGTH = 8.0  # refine the bins when the smoothing spans fewer bins than this
_WINDOW = 3.0  # decades searched around the predicted weight after re-binning
_FLOOR_RUNS, _FLOOR_RUN = 64, 512  # long series: noise floor from these runs of samples


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
        k, log_lam = _search(make, y2, x, bin, min_size)
        lam_rows = 10.0**log_lam
    else:
        lam_rows = per_row(lam, rows, "lam")
        if np.any(~np.isfinite(lam_rows) | (lam_rows <= 0)):
            raise ValueError(f"`lam` must be positive and finite, got {lam!r}")
        k = np.ones(rows, dtype=np.int64) if bin is None else per_row_int(bin, rows, "bin")
        _check_bins(k, x, min_size)
    smooth, deriv, error = (np.empty_like(y2) for _ in range(3))
    sig = np.empty(rows)
    for kv in np.unique(k):
        sel = np.nonzero(k == kv)[0]
        yb, xb, w = bin_data(y2[sel], x, int(kv))
        model = make(xb, w)
        fitted = model.fit(yb, n, lam_rows[sel], None if sigma is None else sigma[sel])
        sig[sel] = fitted[3]
        for out, v in zip((smooth, deriv, error), fitted[:3], strict=True):
            out[sel] = unbin(v, xb, x) if kv > 1 else v
    if sigma is None and x.size > 5:
        # The likelihood's noise level can collapse when the fit follows the noise
        # (too small a weight); the robust estimate from the samples is a floor for it.
        floor = _noise_floor(y2, x)
        factor = np.where(sig > 0, np.maximum(floor, sig) / np.where(sig > 0, sig, 1.0), 1.0)
        error = error * factor[:, None]
        sig = np.where(sig > 0, np.maximum(floor, sig), sig)
    return smooth, deriv, error, {"lam": lam_rows, "bin": k, "noise_std": sig}


def _search(
    make: Callable[[np.ndarray, np.ndarray], Any],
    y2: np.ndarray,
    x: np.ndarray,
    bin: Any,
    min_size: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Choose (bin, log10 lam) for each row on its own.

    Rows that are at the same binning level are searched together (one
    factorisation per trial weight serves them all), but every decision (move
    to coarser or finer bins, the search window) is taken per row, so a row
    gets the same answer alone as in a batch.
    """
    rows = y2.shape[0]
    if x.size > 5:
        scale = np.max(np.abs(y2), axis=1) + 1e-300
        noise_free = noise_rows(y2, x) <= 1e-10 * scale
    else:
        noise_free = np.ones(rows, dtype=bool)
    if bin is None:
        k0 = _BIN_FACTOR ** int(max(0.0, np.log(x.size / _START_BINS) / np.log(_BIN_FACTOR)))
        k = np.full(rows, k0, dtype=np.int64)
        k[noise_free] = 1  # nothing to average out: keep every sample
    else:
        k = per_row_int(bin, rows, "bin")
        _check_bins(k, x, min_size)
    log_lam = np.full(rows, np.nan)
    step = np.zeros(rows, dtype=np.int64)
    prev_k, prev_lam = k.copy(), np.full(rows, np.nan)
    active = np.ones(rows, dtype=bool)
    while active.any():
        for kv in np.unique(k[active]):
            sel = np.nonzero(active & (k == kv))[0]
            yb, xb, w = bin_data(y2[sel], x, int(kv))
            model = make(xb, w)
            lo, hi = model.search_range()
            quiet = noise_free[sel]
            log_lam[sel[quiet]] = lo  # interpolate: the criterion is only roundoff here
            active[sel[quiet]] = False
            sel, yb = sel[~quiet], yb[~quiet]
            if not sel.size:
                continue
            los, his = _window(log_lam[sel], step[sel], model.exponent, lo, hi)
            found = grid_search(partial(model.criterion, y2=yb), los, his)
            log_lam[sel] = found
            if bin is not None:
                active[sel] = False
                continue
            st = step[sel]
            coarser = (found >= his - 1.0) & (xb.size >= _BIN_FACTOR * min_size)
            # Too few bins per smoothing length; the threshold stays a decade and a
            # half below the top of the range, so that some level satisfies both.
            finer = (kv > 1) & (found < min(model.exponent * np.log10(_MIN_LENGTH), hi - 1.5))
            # Back to the last level when the move led nowhere: finer bins that cannot
            # be smoothed enough (weight at the top of the usable range, e.g. for
            # tightly clustered x), or coarser bins so coarse that they would be
            # interpolated (weight at the bottom of the window).
            back = (coarser & (st < 0)) | (~coarser & (st > 0) & (found <= los + 0.5))
            up = coarser & (st >= 0)
            down = ~coarser & finer & (st <= 0)
            k[sel[back]], log_lam[sel[back]] = prev_k[sel[back]], prev_lam[sel[back]]
            prev_k[sel[up]], prev_lam[sel[up]] = kv, found[up]
            k[sel[up]], step[sel[up]] = kv * _BIN_FACTOR, 1
            prev_k[sel[down]], prev_lam[sel[down]] = kv, found[down]
            k[sel[down]], step[sel[down]] = kv // _BIN_FACTOR, -1
            active[sel[~(up | down)]] = False
    return k, log_lam


def _noise_floor(y2: np.ndarray, x: np.ndarray) -> np.ndarray:
    """:func:`noise_rows`, on 64 evenly spread runs of 512 samples for long series.

    About 32000 stencils pin the median absolute deviation to about 1%; the
    few stencils that straddle two runs are outliers the median ignores.
    """
    if x.size <= _FLOOR_RUNS * _FLOOR_RUN * 2:
        return noise_rows(y2, x)
    starts = np.linspace(0, x.size - _FLOOR_RUN, _FLOOR_RUNS).astype(np.int64)
    idx = (starts[:, None] + np.arange(_FLOOR_RUN)).reshape(-1)
    return noise_rows(y2[:, idx], x[idx])


def _check_bins(k: np.ndarray, x: np.ndarray, min_size: int) -> None:
    size = x.size // int(k.max())
    if size < min_size:
        raise ValueError(f"`bin` = {int(k.max())} leaves {size} bins; at least {min_size} needed")


def _window(
    log_lam: np.ndarray, step: np.ndarray, exponent: float, lo: float, hi: float
) -> tuple[np.ndarray, np.ndarray]:
    """Search range of each row: ``[lo, hi]``, or near its last weight after re-binning.

    After a change of level by ``_BIN_FACTOR`` (finer: step -1, coarser: +1),
    the same smoothing length spans ``_BIN_FACTOR`` times more (or fewer)
    samples, and the weight scales like that length to the power ``exponent``;
    search _WINDOW decades either side of that prediction.  Rows without a
    last weight (NaN) search the whole range.
    """
    shift = -step * exponent * np.log10(_BIN_FACTOR)
    a = log_lam + shift - _WINDOW
    b = log_lam + shift + _WINDOW
    a, b = (
        np.minimum(np.maximum(a, lo), hi - 2 * _WINDOW),
        np.maximum(np.minimum(b, hi), lo + 2 * _WINDOW),
    )
    a, b = np.maximum(a, lo), np.minimum(b, hi)
    first = np.isnan(log_lam)
    return np.where(first, lo, a), np.where(first, hi, b)
