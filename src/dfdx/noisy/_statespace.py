"""Integrated-Wiener-process state-space model solved as one banded system.

The model of order ``q`` has the state ``s = (f, f', ..., f^(q))`` and a white
noise driving ``f^(q+1)`` (``q = 2``: constant acceleration).  Between samples
``dt`` apart the state moves by the Taylor matrix ``A(dt)`` with process noise
covariance ``(sigma^2 / lam) Q(dt)``, and each sample observes ``f`` with noise
variance ``sigma^2``.  The Rauch-Tung-Striebel smoother's posterior mean is the
minimiser of

    sum_i (y_i - f_i)^2 + lam * sum_i e_i' Q(dt_i)^-1 e_i,   e_i = s_{i+1} - A(dt_i) s_i,

(a diffuse prior on the first state), whose normal equations are
block-tridiagonal.  Solving them with a banded Cholesky factorisation gives
the same posterior mean and covariance as running the filter forward and the
RTS recursion backward, in O(samples) compiled work and for all series at
once.  The posterior mean of ``f`` is the smoothing spline of degree ``2q+1``.

``x`` is rescaled so that its median spacing is 1; ``lam`` refers to that
scale (dimensionless).
"""

from __future__ import annotations

from math import factorial

import numpy as np

from dfdx.noisy._banded import Factor, factor, posterior_samples, quad_floor

__all__ = ["Model", "build", "fit"]

# The solution loses about log10(lam) digits (the unit observation weight is
# swamped by the penalty); above 1e7 the driver bins the data instead.
LOG_LAM_MAX = 7.0
_DT_FLOOR = 0.05


class Model:
    """Precomputed per-interval blocks for one abscissa vector and order."""

    def __init__(self, x: np.ndarray, order: int, weights: np.ndarray | None = None) -> None:
        self.order = order
        self.dim = order + 1
        steps = np.diff(x)
        self.scale = float(np.median(steps))
        # Very close samples would make the process precision explode; treating
        # gaps below 5% of the median spacing as 5% keeps the system well posed.
        dt = np.maximum(steps / self.scale, _DT_FLOOR)
        self.exponent = 2 * order + 2
        self.log_dt_min = float(np.log10(dt.min())) if dt.size else 0.0
        self.size = x.size
        self.weights = np.ones(x.size) if weights is None else weights
        d = self.dim
        a = np.arange(d)
        fac = np.array([factorial(k) for k in range(2 * d)], dtype=np.float64)
        expo = 2 * order + 1 - a[:, None] - a[None, :]
        q_unit = 1.0 / (expo * fac[order - a][:, None] * fac[order - a][None, :])
        p_unit = np.linalg.inv(q_unit)
        dinv = dt[:, None] ** -(order - a + 0.5)
        prec = dinv[:, :, None] * p_unit * dinv[:, None, :]
        power = a[None, :] - a[:, None]
        upper = power >= 0
        trans = np.where(upper, dt[:, None, None] ** np.where(upper, power, 0), 0.0)
        trans = trans / fac[np.where(upper, power, 0)]
        at_p = np.einsum("iba,ibc->iac", trans, prec)
        self.diag = np.zeros((self.size, d, d))
        self.diag[:-1] += at_p @ trans
        self.diag[1:] += prec
        self.off = -at_p

    def matrix(self, lam: float) -> np.ndarray:
        """Upper banded storage of ``H'H + lam * K``."""
        d = self.dim
        bands = 2 * d - 1
        ab = np.zeros((bands + 1, self.size * d))
        diag = lam * self.diag
        diag[:, 0, 0] += self.weights
        off = lam * self.off
        for i in range(d):
            for j in range(i, d):
                ab[bands + i - j, j::d] = diag[:, i, j]
            for j in range(d):
                ab[bands - (d + j - i), d + j :: d] = off[:, i, j]
        return ab

    def solve(self, lam: float, y2: np.ndarray) -> tuple[Factor, np.ndarray]:
        """Factor at ``lam`` and return the smoothed states, shape (rows, size, dim)."""
        fac = factor(self.matrix(lam))
        rhs = np.zeros((self.size * self.dim, y2.shape[0]))
        rhs[:: self.dim] = (y2 * self.weights).T
        states = fac.solve(rhs).reshape(self.size, self.dim, -1)
        return fac, np.moveaxis(states, -1, 0)

    def loglik(self, log_lam: float, y2: np.ndarray) -> np.ndarray:
        """-2 log marginal likelihood (up to a constant), noise variance profiled out."""
        lam = 10.0**log_lam
        try:
            fac, states = self.solve(lam, y2)
        except np.linalg.LinAlgError:
            return np.full(y2.shape[0], np.inf)
        quad = np.einsum("rn,rn->r", y2 * self.weights, y2 - states[:, :, 0])
        quad = np.maximum(quad, quad_floor(y2))
        n, d = self.size, self.dim
        return (n - d) * np.log(quad) - (n - 1) * d * np.log(lam) + fac.logdet

    def criterion(self, log_lam: float, y2: np.ndarray) -> np.ndarray:
        """Selection criterion: the negative log marginal likelihood."""
        return self.loglik(log_lam, y2)

    def fit(
        self, y2: np.ndarray, n: int, lam: np.ndarray, noise_std: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """See :func:`fit`."""
        return fit(self, y2, n, lam, noise_std)

    def search_range(self) -> tuple[float, float]:
        """Range of ``log10(lam)`` searched: near interpolation to a global polynomial."""
        top = (2 * self.order + 1) * np.log10(self.size) + 2.0
        cap = LOG_LAM_MAX + (2 * self.order + 1) * min(self.log_dt_min, 0.0)
        return -3.0, float(max(min(top, cap), -4.0))


def build(x: np.ndarray, order: int, weights: np.ndarray | None = None) -> Model:
    """Return the :class:`Model` of ``order`` on abscissae ``x`` (observation weights)."""
    return Model(x, order, weights)


def fit(
    model: Model, y2: np.ndarray, n: int, lam: np.ndarray, noise_std: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Smooth each row at its own ``lam``; return y_smooth, n-th derivative, error, sigma.

    ``error`` is the posterior standard deviation of the derivative with the
    noise level ``noise_std`` (its maximum-likelihood value when None).
    """
    rows, size = y2.shape
    smooth = np.empty_like(y2)
    deriv = np.empty_like(y2)
    error = np.empty_like(y2)
    sigma = np.empty(rows)
    d = model.dim
    for value in np.unique(lam):
        sel = np.nonzero(lam == value)[0]
        fac, states = model.solve(float(value), y2[sel])
        smooth[sel] = states[:, :, 0]
        deriv[sel] = states[:, :, n] / model.scale**n
        quad = np.einsum("rn,rn->r", y2[sel] * model.weights, y2[sel] - states[:, :, 0])
        sig = np.sqrt(np.maximum(quad, 0.0) / max(size - d, 1))
        if noise_std is not None:
            sig = noise_std[sel]
        sigma[sel] = sig
        draws = posterior_samples(fac).reshape(size, d, -1)[:, n, :]
        spread = np.sqrt(np.mean(draws**2, axis=1)) / model.scale**n
        error[sel] = sig[:, None] * spread[None, :]
    return smooth, deriv, error, sigma
