"""Noise-level estimation from the data alone.

The estimator: on every run of ``k + 1 = 5`` consecutive samples, take the
finite-difference weights of the 4th derivative on those abscissae (Fornberg
weights, so non-uniform ``x`` works), scale them to unit Euclidean norm and
apply them to ``y``.  The weights annihilate cubics, so a smooth signal
contributes almost nothing, while independent noise of standard deviation
``sigma`` gives values of standard deviation exactly ``sigma``.  A median
absolute deviation (times 1.4826, the consistency factor for Gaussian noise)
turns those values into a robust estimate that ignores the few stencils that
straddle kinks, jumps or outliers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx._core.weights import fornberg_table
from dfdx.noisy._validate import prepare

__all__ = ["estimate_noise", "noise_rows"]

_ORDER = 4
_MAD_TO_STD = 1.482602218505602


def noise_rows(y2: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Noise standard deviation of each row of ``y2`` (rows, samples) on abscissae ``x``."""
    npts = x.size
    width = _ORDER + 1
    count = npts - width + 1
    steps = np.diff(x)
    uniform = np.ptp(steps) <= 1e-9 * np.abs(steps).max()
    index = np.arange(1 if uniform else count)[:, None] + np.arange(width)
    stencil = x[index]
    offsets = stencil - stencil.mean(axis=1, keepdims=True)
    offsets /= np.abs(offsets).max(axis=1, keepdims=True)
    w = fornberg_table(offsets, _ORDER)[..., _ORDER]
    w /= np.linalg.norm(w, axis=1, keepdims=True)
    w = np.broadcast_to(w, (count, width))
    d = np.zeros((y2.shape[0], count))
    for j in range(width):
        d += w[:, j] * y2[:, j : j + count]
    centre = np.median(d, axis=1, keepdims=True)
    return _MAD_TO_STD * np.median(np.abs(d - centre), axis=1)


def estimate_noise(y: Any, x: Any = None, axis: int = -1) -> float | np.ndarray:
    """Estimate the standard deviation of additive white noise in sampled data.

    Parameters
    ----------
    y : array_like
        Samples; at least 6 along ``axis``.  Must be finite.
    x : array_like, optional
        Strictly monotonic sample positions (uniform or not); default ``0, 1, 2, ...``.
    axis : int, optional
        Axis of ``y`` along which the samples are ordered.

    Returns
    -------
    float or ndarray
        The estimated noise standard deviation, one value per series (a float
        for 1-D ``y``, otherwise an array with ``axis`` removed).

    Notes
    -----
    Each run of five consecutive samples is combined with the unit-norm
    finite-difference weights of the fourth derivative on those abscissae.
    Smooth signals (locally close to a cubic) cancel out, while independent
    noise with standard deviation ``sigma`` passes with standard deviation
    ``sigma``.  The result is ``1.4826 * MAD`` of those combinations, which is
    robust to the few stencils that straddle kinks, jumps or outliers.  Signals
    that vary strongly between neighbouring samples (under-sampled) make the
    estimate too large; pure noise-free smooth data give values near zero.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.noisy import estimate_noise
    >>> x = np.linspace(0, 1, 2000)
    >>> y = np.sin(2 * np.pi * x) + np.random.default_rng(0).normal(0, 0.1, x.size)
    >>> round(float(estimate_noise(y, x)), 2)
    0.1
    """
    prep = prepare(y, x, axis, minimum=_ORDER + 2, method="estimate_noise")
    sigma = noise_rows(prep.y2, prep.x)
    if len(prep.shape) == 1:
        return float(sigma[0])
    return sigma.reshape(prep.shape[:-1])
