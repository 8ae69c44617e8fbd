"""Finite-difference derivatives of an already smooth sampled signal.

Used after smoothing (Tikhonov, total variation): each point gets the
Fornberg weights of a ``width``-point stencil of consecutive samples, centred
where possible and shifted inwards at the ends, so non-uniform ``x`` works.
"""

from __future__ import annotations

import numpy as np

from dfdx._core.weights import fornberg_table

__all__ = ["apply_stencil", "stencil_weights"]


def stencil_weights(x: np.ndarray, n: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (index (N, width), weights (N, width)) of the ``n``-th derivative."""
    size = x.size
    width = min(width, size)
    start = np.clip(np.arange(size) - width // 2, 0, size - width)
    index = start[:, None] + np.arange(width)
    offsets = x[index] - x[:, None]
    scale = np.abs(offsets).max(axis=1, keepdims=True)
    weights = fornberg_table(offsets / scale, n)[..., n] / scale**n
    return index, weights


def apply_stencil(values: np.ndarray, index: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Apply per-point stencils to ``values`` of shape (..., N) along the last axis."""
    out = np.zeros(values.shape)
    for j in range(index.shape[1]):
        out += weights[:, j] * values[..., index[:, j]]
    return out
