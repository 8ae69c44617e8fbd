"""Savitzky-Golay smoothing: local least-squares polynomials, window by GCV.

At every sample a polynomial of ``degree`` is fitted by least squares to the
``window`` nearest consecutive samples (centred, shifted inwards at the ends)
and differentiated at that sample.  On uniform ``x`` the interior weights are
one convolution kernel (applied by FFT for wide windows); on non-uniform ``x``
each sample gets its own weights from its own abscissae.  Without a given
``window``, each series takes the candidate window (odd, geometrically
spaced) that minimises the generalised cross-validation score
``mean((y - y_smooth)^2) / (1 - tr(S) / N)^2``.  ``error`` combines the
propagated noise, ``noise_std * ||derivative weights||`` (noise level from
:func:`estimate_noise` unless given), with a bias estimate from double
smoothing (the change in the derivative when the fit is smoothed again).
"""

from __future__ import annotations

from math import factorial
from typing import Any

import numpy as np
from scipy.signal import oaconvolve

from dfdx._core.validate import check_int
from dfdx.noisy._binning import bin_data, unbin
from dfdx.noisy._noise import noise_rows
from dfdx.noisy._validate import per_row, per_row_int

__all__ = ["savgol"]

_MAX_WINDOW_NONUNIFORM = 401
_MAX_WINDOW_UNIFORM = 2001
_CHUNK = 1 << 21
_BIN_FACTOR = 4
_START_BINS = 500
_MIN_WINDOW = 9


def _local(offsets: np.ndarray, degree: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Smoothing and n-th derivative weights at offset 0 for stencils (..., m)."""
    scale = np.abs(offsets).max(axis=-1, keepdims=True)
    t = offsets / scale
    # Powers stored (..., degree + 1, m): the batched products below run on
    # contiguous rows, an order of magnitude faster than the transposed layout.
    vander = np.empty((*t.shape[:-1], degree + 1, t.shape[-1]))
    vander[..., 0, :] = 1.0
    for p in range(1, degree + 1):
        np.multiply(vander[..., p - 1, :], t, out=vander[..., p, :])
    gram = vander @ np.swapaxes(vander, -1, -2)
    pick = np.zeros((degree + 1, 2))
    pick[0, 0] = 1.0
    pick[n, 1] = factorial(n)
    coef = np.linalg.solve(gram, np.broadcast_to(pick, gram.shape[:-2] + pick.shape))
    both = np.swapaxes(coef, -1, -2) @ vander
    return both[..., 0, :], both[..., 1, :] / scale**n


def _weights(x: np.ndarray, window: int, degree: int, n: int, uniform: bool):
    size = x.size
    half = window // 2
    start = np.clip(np.arange(size) - half, 0, size - window)
    if uniform:
        # One fit per window position: rows differ only in where it is evaluated.
        scale = half * (x[1] - x[0]) if half else x[1] - x[0]
        t = (np.arange(window) - half) / max(half, 1)
        pinv = np.linalg.pinv(t[:, None] ** np.arange(degree + 1))
        k = np.arange(degree + 1)
        smooth = (t[:, None] ** k) @ pinv
        coef = np.array([factorial(j) / factorial(j - n) if j >= n else 0.0 for j in k])
        basis = coef * t[:, None] ** np.maximum(k - n, 0)
        return smooth, (basis @ pinv) / scale**n
    smooth = np.empty((size, window))
    deriv = np.empty((size, window))
    step = max(1, _CHUNK // (window * (degree + 1)))
    for lo in range(0, size, step):
        rows = np.arange(lo, min(size, lo + step))
        idx = start[rows, None] + np.arange(window)
        smooth[rows], deriv[rows] = _local(x[idx] - x[rows, None], degree, n)
    return smooth, deriv


def _apply(y2: np.ndarray, w: np.ndarray, window: int, uniform: bool) -> np.ndarray:
    _rows, size = y2.shape
    half = window // 2
    start = np.clip(np.arange(size) - half, 0, size - window)
    if not uniform:
        out = np.zeros_like(y2)
        for j in range(window):
            out += w[:, j] * y2[:, start + j]
        return out
    out = np.empty_like(y2)
    kernel = w[half][::-1]
    if size > window:
        out[:, half : size - half] = oaconvolve(y2, kernel[None, :], mode="valid", axes=1)
    out[:, :half] = y2[:, :window] @ w[:half].T
    out[:, size - half :] = y2[:, size - window :] @ w[window - half :].T
    return out


def _candidates(size: int, degree: int, uniform: bool) -> np.ndarray:
    top = min(size, _MAX_WINDOW_UNIFORM if uniform else _MAX_WINDOW_NONUNIFORM)
    top -= 1 - top % 2
    low = degree + 2 + (degree + 1) % 2
    values = np.unique(np.round(np.geomspace(low, max(low, top), 14)).astype(int) | 1)
    return values[(values >= low) & (values <= top)]


def _is_uniform(x: np.ndarray) -> bool:
    steps = np.diff(x)
    return bool(np.ptp(steps) <= 1e-9 * np.abs(steps).max())


def _choose_window(y2: np.ndarray, x: np.ndarray, degree: int, uniform: bool) -> np.ndarray:
    rows, size = y2.shape
    win = np.zeros(rows, dtype=np.int64)
    best = np.full(rows, np.inf)
    for m in _candidates(size, degree, uniform):
        ws, _ = _weights(x, int(m), degree, 0, uniform)
        smooth = _apply(y2, ws, int(m), uniform)
        trace = _trace(ws, size, uniform)
        gcv = np.mean((y2 - smooth) ** 2, axis=1) / (1 - trace / size) ** 2
        better = gcv < best
        best[better], win[better] = gcv[better], m
    return win


def _search(y2: np.ndarray, x: np.ndarray, degree: int) -> tuple[np.ndarray, np.ndarray]:
    """Choose (bin, window) per row: GCV windows, on binned data when windows get too wide.

    Rows at the same level share the work; each row moves between levels on
    its own, so it gets the same answer alone as in a batch.
    """
    rows, size = y2.shape
    k0 = _BIN_FACTOR ** int(max(0.0, np.log(size / _START_BINS) / np.log(_BIN_FACTOR)))
    k = np.full(rows, k0, dtype=np.int64)
    win = np.zeros(rows, dtype=np.int64)
    step = np.zeros(rows, dtype=np.int64)
    active = np.ones(rows, dtype=bool)
    while active.any():
        for kv in np.unique(k[active]):
            sel = np.nonzero(active & (k == kv))[0]
            yb, xb, _ = bin_data(y2[sel], x, int(kv))
            uniform = _is_uniform(xb)
            found = _choose_window(yb, xb, degree, uniform)
            win[sel] = found
            top = _candidates(xb.size, degree, uniform)[-1]
            # Coarser bins only help when the window cap, not the record, limited it.
            coarser = (found >= top) & (xb.size > top + 1)
            coarser &= xb.size >= _BIN_FACTOR * 4 * (degree + 2)
            finer = (kv > 1) & (found < _MIN_WINDOW)
            st = step[sel]
            up = coarser & (st >= 0)
            down = ~up & finer & (st <= 0)
            k[sel[up]], step[sel[up]] = kv * _BIN_FACTOR, 1
            k[sel[down]], step[sel[down]] = kv // _BIN_FACTOR, -1
            active[sel[~(up | down)]] = False
    return k, win


def savgol(
    y2: np.ndarray,
    x: np.ndarray,
    n: int,
    *,
    window: Any = None,
    degree: Any = None,
    bin: Any = None,
    noise_std: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """Local polynomial regression; parameters ``window`` (odd), ``degree``, ``bin``."""
    rows, size = y2.shape
    degree = max(3, n + 2) if degree is None else check_int(degree, "degree", minimum=0)
    if n > degree:
        raise ValueError(f"`n` = {n} needs `degree` >= {n} for method 'savgol', got {degree}")
    if size < degree + 2:
        raise ValueError(
            f"`y` must have at least {degree + 2} samples along `axis` for method "
            f"'savgol' with degree {degree}, got {size}"
        )
    sigma = noise_rows(y2, x) if noise_std is None else per_row(noise_std, rows, "noise_std")
    if window is None:
        if bin is None:
            k, win = _search(y2, x, degree)
        else:
            k = per_row_int(bin, rows, "bin")
            win = np.zeros(rows, dtype=np.int64)
            for kv in np.unique(k):
                sel = np.nonzero(k == kv)[0]
                yb, xb, _ = bin_data(y2[sel], x, int(kv))
                win[sel] = _choose_window(yb, xb, degree, _is_uniform(xb))
    else:
        k = np.ones(rows, dtype=np.int64) if bin is None else per_row_int(bin, rows, "bin")
        win = per_row(window, rows, "window").astype(np.int64)
    smooth, deriv, error = (np.empty_like(y2) for _ in range(3))
    for kv in np.unique(k):
        sel = np.nonzero(k == kv)[0]
        yb, xb, counts = bin_data(y2[sel], x, int(kv))
        if np.any((win[sel] % 2 == 0) | (win[sel] < degree + 1) | (win[sel] > xb.size)):
            raise ValueError(
                f"`window` must be odd, at least `degree` + 1 = {degree + 1} and at most "
                f"the number of samples or bins ({xb.size}), got {window!r}"
            )
        fitted = _fit(yb, xb, counts, win[sel], degree, n, sigma[sel])
        for out, v in zip((smooth, deriv, error), fitted, strict=True):
            out[sel] = unbin(v, xb, x) if kv > 1 else v
    params = {"window": win, "degree": degree, "bin": k, "noise_std": sigma}
    return smooth, deriv, error, params


def _fit(
    yb: np.ndarray,
    xb: np.ndarray,
    counts: np.ndarray,
    win: np.ndarray,
    degree: int,
    n: int,
    sigma: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Smooth and differentiate the rows of ``yb`` (bins of ``counts`` samples)."""
    uniform = _is_uniform(xb)
    nb = xb.size
    smooth = np.empty_like(yb)
    deriv = np.empty_like(yb)
    error = np.empty_like(yb)
    for m in np.unique(win):
        sel = np.nonzero(win == m)[0]
        ws, wd = _weights(xb, int(m), degree, n, uniform)
        smooth[sel] = _apply(yb[sel], ws, int(m), uniform)
        deriv[sel] = _apply(yb[sel], wd, int(m), uniform)
        # Bias by double smoothing: smoothing the fit again moves its derivative
        # by about the bias of the first pass.
        bias = _apply(smooth[sel], wd, int(m), uniform) - deriv[sel]
        if uniform:
            half = int(m) // 2
            wd = np.concatenate(
                [wd[:half], np.repeat(wd[half : half + 1], nb - 2 * half, 0), wd[int(m) - half :]]
            )
        start = np.clip(np.arange(nb) - int(m) // 2, 0, nb - int(m))
        var = np.sum(wd**2 / counts[start[:, None] + np.arange(int(m))], axis=1)
        error[sel] = np.sqrt(sigma[sel, None] ** 2 * var[None, :] + bias**2)
    return smooth, deriv, error


def _trace(ws: np.ndarray, size: int, uniform: bool) -> float:
    """Sum of the weights each smoothed sample puts on its own observation."""
    window = ws.shape[1]
    half = window // 2
    if not uniform:
        start = np.clip(np.arange(size) - half, 0, size - window)
        return float(ws[np.arange(size), np.arange(size) - start].sum())
    diag = np.diagonal(ws)
    return float(diag[:half].sum() + diag[window - half :].sum() + (size - 2 * half) * diag[half])
