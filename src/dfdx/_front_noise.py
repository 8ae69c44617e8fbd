"""The front door's test for whether sampled data look noisy.

Two questions, both answered from the data alone:

1. Would the noise matter?  The noise standard deviation ``s`` (from
   :func:`dfdx.noisy.estimate_noise`) amplified by a plain second-order finite
   difference, ``s * 2**n / (sqrt(2) * h**n)`` for the median spacing ``h``,
   compared with the scale of the derivative, ``std(y) / L**n`` over the
   sampled length ``L``.
2. Is what looks like noise really noise?  High-order differences of white
   noise have the same spread at every order once their weights are scaled to
   unit norm, while those of a smooth signal change with the order (they fall
   for well-resolved signals and rise for under-resolved ones).  The data look
   noisy only if the spreads of the 4th and 6th differences agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx._core.weights import fd_weights

__all__ = ["NOISE_THRESHOLD", "noise_ratio", "order_agreement"]

#: Sampled data count as noisy when the noise that a plain finite difference
#: would amplify is more than this fraction of the derivative's scale ...
NOISE_THRESHOLD = 1e-3
#: ... and the unit-norm 6th and 4th differences spread alike (ratio above this).
AGREEMENT = 0.6


def _spread(y: np.ndarray, x: np.ndarray | None, axis: int, order: int) -> float:
    """Robust spread (1.4826 MAD) of unit-norm ``order``-th differences along ``axis``."""
    m = order + 1
    size = y.shape[axis]
    if size < m:
        return 0.0
    if x is None:
        w = fd_weights(np.arange(m, dtype=float), order)
        w = (w / np.linalg.norm(w))[:, None]
    else:
        windows = np.lib.stride_tricks.sliding_window_view(np.asarray(x, float), m)
        w = fd_weights(windows - windows[:, :1], order)
        w = (w / np.linalg.norm(w, axis=1, keepdims=True)).T
    yy = np.moveaxis(y, axis, 0)
    d = sum(w[j].reshape((-1,) + (1,) * (yy.ndim - 1)) * yy[j : size - m + 1 + j] for j in range(m))
    d = np.abs(d - np.median(d, axis=0))
    return float(np.max(1.4826 * np.median(d, axis=0)))


def order_agreement(y: np.ndarray, x: Any, axis: int) -> float:
    """Ratio of the spreads of unit-norm 6th and 4th differences (about 1 for white noise)."""
    xs = None if x is None else np.asarray(x, dtype=float)
    s4 = _spread(y, xs, axis, 4)
    s6 = _spread(y, xs, axis, 6)
    if s4 == 0.0:
        return 0.0
    return s6 / s4


def noise_ratio(y: np.ndarray, x: Any, dx: Any, axis: int, n: int) -> float:
    """Noise a plain finite difference would amplify, relative to the derivative's scale.

    The scale is ``std(y) / span**n`` over the sampled interval: robust to the
    noise itself (an RMS of the noisy derivative would not be).
    """
    from dfdx import noisy

    sigma = float(np.max(noisy.estimate_noise(y, x, axis=axis)))
    size = y.shape[axis]
    if x is not None:
        xs = np.asarray(x, dtype=float)
        h = float(np.median(np.abs(np.diff(xs))))
        span = float(abs(xs[-1] - xs[0]))
    else:
        h = 1.0 if dx is None else float(dx)
        span = h * (size - 1)
    amplification = 2.0**n / np.sqrt(2.0) / h**n
    scale = float(np.max(np.std(y, axis=axis))) / span**n if span > 0 else 0.0
    if not np.isfinite(scale) or scale == 0.0:
        return np.inf if sigma > 0 else 0.0
    return sigma * amplification / scale
