"""Tikhonov regularisation with a difference penalty, weight by marginal likelihood.

The smoothed signal ``f`` minimises
``sum w_i (y_i - f_i)^2 + lam * sum_j h_j (D f)_j^2`` where ``D`` takes
``order``-th divided differences of consecutive samples (finite-difference
weights on the actual, possibly non-uniform abscissae) and ``h_j`` is the
length each difference covers, so the penalty approximates
``integral (f^(order))^2``.  The system ``(W + lam D' H D) f = W y`` is banded
and solved by Cholesky.  ``lam`` minimises the generalised (restricted)
maximum-likelihood criterion of Wahba (1985),
``(N - m) log(y' (y - f)) - (N - m) log lam + log det(W + lam D' H D)``,
with ``m = order`` polynomial directions unpenalised.  Derivatives of ``f``
come from five-point finite differences; ``error`` is the posterior standard
deviation of that derivative.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx._core.validate import check_int
from dfdx._core.weights import fornberg_table
from dfdx.noisy._banded import factor, posterior_samples, quad_floor
from dfdx.noisy._penalised import run

__all__ = ["tikhonov"]

_LOG_LAM_MAX = 8.0  # precision: about log10(lam) digits are lost


def _stencil_weights(x: np.ndarray, n: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (index (N, width), weights (N, width)) of the ``n``-th derivative."""
    size = x.size
    width = min(width, size)
    start = np.clip(np.arange(size) - width // 2, 0, size - width)
    index = start[:, None] + np.arange(width)
    offsets = x[index] - x[:, None]
    scale = np.abs(offsets).max(axis=1, keepdims=True)
    weights = fornberg_table(offsets / scale, n)[..., n] / scale**n
    return index, weights


def _apply_stencil(values: np.ndarray, index: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Apply per-point stencils to ``values`` of shape (..., N) along the last axis."""
    out = np.zeros(values.shape)
    for j in range(index.shape[1]):
        out += weights[:, j] * values[..., index[:, j]]
    return out


class _Model:
    def __init__(self, x: np.ndarray, order: int, weights: np.ndarray) -> None:
        self.order = order
        self.exponent = 2 * order
        self.size = x.size
        self.weights = weights
        self.scale = float(np.median(np.diff(x)))
        xs = (x - x[0]) / self.scale
        self.xs = xs
        start = np.arange(self.size - order)
        index = start[:, None] + np.arange(order + 1)
        offsets = xs[index] - xs[index].mean(axis=1, keepdims=True)
        w = fornberg_table(offsets, order)[..., order]
        span = (xs[index[:, -1]] - xs[index[:, 0]]) / order
        self.rows_w = w * np.sqrt(span)[:, None]
        self.index = index
        dmin = float(np.diff(xs).min())
        self.cap = _LOG_LAM_MAX + (2 * order - 1) * min(np.log10(max(dmin, 1e-3)), 0.0)

    def matrix(self, lam: float) -> np.ndarray:
        m = self.order
        ab = np.zeros((m + 1, self.size))
        ab[m] = self.weights
        w = self.rows_w
        for a in range(m + 1):
            for b in range(a, m + 1):
                col = self.index[:, b]
                np.add.at(ab[m + a - b], col, lam * w[:, a] * w[:, b])
        return ab

    def criterion(self, log_lam: float, y2: np.ndarray) -> np.ndarray:
        lam = 10.0**log_lam
        try:
            fac = factor(self.matrix(lam))
        except np.linalg.LinAlgError:
            return np.full(y2.shape[0], np.inf)
        f = fac.solve((y2 * self.weights).T).T
        quad = np.einsum("rn,rn->r", y2 * self.weights, y2 - f)
        quad = np.maximum(quad, quad_floor(y2))
        dof = self.size - self.order
        return dof * np.log(quad) - dof * np.log(lam) + fac.logdet

    def search_range(self) -> tuple[float, float]:
        top = 2 * self.order * np.log10(self.size) + 2.0
        return -3.0, float(max(min(top, self.cap), -4.0))

    def fit(
        self, y2: np.ndarray, n: int, lam: np.ndarray, noise_std: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        index, weights = _stencil_weights(self.xs, n, max(5, n + 3))
        weights = weights / self.scale**n
        smooth = np.empty_like(y2)
        sigma = np.empty(y2.shape[0])
        error = np.empty_like(y2)
        dof = max(self.size - self.order, 1)
        for value in np.unique(lam):
            sel = np.nonzero(lam == value)[0]
            fac = factor(self.matrix(float(value)))
            f = fac.solve((y2[sel] * self.weights).T).T
            smooth[sel] = f
            quad = np.einsum("rn,rn->r", y2[sel] * self.weights, y2[sel] - f)
            sig = np.sqrt(np.maximum(quad, 0.0) / dof) if noise_std is None else noise_std[sel]
            sigma[sel] = sig
            draws = _apply_stencil(posterior_samples(fac).T, index, weights)
            error[sel] = sig[:, None] * np.sqrt(np.mean(draws**2, axis=0))[None, :]
        deriv = _apply_stencil(smooth, index, weights)
        return smooth, deriv, error, sigma


def tikhonov(
    y2: np.ndarray,
    x: np.ndarray,
    n: int,
    *,
    order: Any = None,
    lam: Any = None,
    bin: Any = None,
    noise_std: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """Difference-penalty smoothing; parameters ``order`` (default ``n + 1``), ``lam``, ``bin``."""
    order = n + 1 if order is None else check_int(order, "order", minimum=1)
    if x.size < max(order + 2, 5):
        raise ValueError(
            f"`y` must have at least {max(order + 2, 5)} samples along `axis` for method "
            f"'tikhonov' with order {order}, got {x.size}"
        )

    def make(xb: np.ndarray, w: np.ndarray) -> Any:
        return _Model(xb, order, w)

    smooth, deriv, error, params = run(
        make, y2, x, n, lam=lam, bin=bin, noise_std=noise_std, min_size=max(order + 2, 5)
    )
    return smooth, deriv, error, {"order": order, **params}
