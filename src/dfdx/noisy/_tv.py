"""Total-variation regularised differentiation (Chartrand 2011), lagged diffusivity.

Chartrand's problem asks for a derivative ``u`` with small total variation
whose integral fits the data.  Writing ``f`` for that integral (the smoothed
signal, ``u = f'`` piecewise constant between samples), it is

    minimise  1/2 sum (y_i - f_i)^2 + alpha * sum_i |s_i - s_(i-1)|,

with ``s_i`` the slope of ``f`` on ``[x_i, x_(i+1)]``: the penalty is the total
variation of the derivative.  Each lagged-diffusivity iteration (Vogel and
Oman) freezes the weights ``1 / sqrt(jump^2 + eps^2)`` and solves one banded
SPD system, so an iteration is O(samples) and non-uniform ``x`` is natural.

Without ``alpha``, each series takes the ``alpha`` at which the residual
matches the noise (Morozov's discrepancy principle, ``mean((y - f)^2) =
noise_std^2``), found by bisection on ``log10(alpha)``, with the noise level
from :func:`estimate_noise`.  The derivative at a sample is the length-weighted
mean of the slopes of ``f`` on its two neighbouring intervals; ``error`` propagates the
noise through the final linearised system and adds a bias estimate from
double smoothing (the change in the derivative when ``f`` itself is
regularised once more).  Series longer than 4000 samples are first averaged
in bins of ``bin`` consecutive samples (a power of 4), which keeps the cost
and the conditioning in check; results are interpolated back.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx._core.validate import check_int
from dfdx.noisy._banded import factor, posterior_samples
from dfdx.noisy._binning import bin_data, unbin
from dfdx.noisy._noise import noise_rows
from dfdx.noisy._validate import per_row

__all__ = ["tv"]

_ITER = 40
_BIN_FACTOR = 4
_MAX_BINS = 4000  # longer series are averaged in bins of 4**k samples first
_BISECT = 14  # 2^-14 of the ~20-decade range: alpha to about 0.3%
_TOL = 1e-7


class _Problem:
    def __init__(self, x: np.ndarray, weights: np.ndarray) -> None:
        self.weights = weights
        self.scale = float(np.median(np.diff(x)))
        self.xs = (x - x[0]) / self.scale
        inv = 1.0 / np.diff(self.xs)
        # jump_i = c0 f_(i-1) + c1 f_i + c2 f_(i+1), i = 1..N-2
        self.coef = np.stack([inv[:-1], -(inv[:-1] + inv[1:]), inv[1:]], axis=1)
        self.size = x.size
        # Cap each frozen weight so that weight * coefficient^2 stays below 1e12
        # (relative to the unit data weight): the banded solve stays accurate.
        self.w_max = 1e12 / np.max(self.coef**2, axis=1)

    def jumps(self, f: np.ndarray) -> np.ndarray:
        c = self.coef
        return c[:, 0] * f[:-2] + c[:, 1] * f[1:-1] + c[:, 2] * f[2:]

    def matrix(self, w: np.ndarray) -> np.ndarray:
        ab = np.zeros((3, self.size))
        ab[2] = self.weights
        c = self.coef
        for a in range(3):
            for b in range(a, 3):
                ab[2 + a - b, b : self.size - 2 + b] += w * c[:, a] * c[:, b]
        return ab

    def solve(self, y: np.ndarray, alpha: float, eps: float, f0: np.ndarray):
        f = f0
        fac = None
        for _ in range(_ITER):
            w = np.minimum(alpha / np.sqrt(self.jumps(f) ** 2 + eps**2), self.w_max)
            fac = factor(self.matrix(w))
            new = fac.solve(self.weights * y)
            change = np.max(np.abs(new - f))
            f = new
            if change <= _TOL * (np.max(np.abs(y)) + eps):
                break
        return f, fac


def _gradient(f: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Length-weighted mean of the slopes on the two intervals next to each sample."""
    h = np.diff(xs)
    shape = (-1,) + (1,) * (f.ndim - 1)
    slopes = np.diff(f, axis=0) / h.reshape(shape)
    out = np.empty_like(f)
    out[0], out[-1] = slopes[0], slopes[-1]
    left, right = h[:-1].reshape(shape), h[1:].reshape(shape)
    out[1:-1] = (left * slopes[:-1] + right * slopes[1:]) / (left + right)
    return out


def tv(
    y2: np.ndarray,
    x: np.ndarray,
    n: int,
    *,
    alpha: Any = None,
    bin: Any = None,
    noise_std: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """TV-regularised first derivative; parameters ``alpha``, ``bin``, ``noise_std``."""
    if n != 1:
        raise ValueError(f"`n` must be 1 for method 'tv' (piecewise-constant derivative), got {n}")
    rows, _size = y2.shape
    sigma = noise_rows(y2, x) if noise_std is None else per_row(noise_std, rows, "noise_std")
    alphas = None if alpha is None else per_row(alpha, rows, "alpha")
    if alphas is not None and np.any(~np.isfinite(alphas) | (alphas < 0)):
        raise ValueError(f"`alpha` must be non-negative and finite, got {alpha!r}")
    if bin is None:
        k = _BIN_FACTOR ** int(np.ceil(max(0.0, np.log(x.size / _MAX_BINS) / np.log(_BIN_FACTOR))))
    else:
        k = check_int(bin, "bin", minimum=1)
    yb, xb, counts = bin_data(y2, x, k)
    if xb.size < 4:
        raise ValueError(f"`bin` = {k} leaves {xb.size} bins; at least 4 needed")
    prob = _Problem(xb, counts)
    smooth = np.empty_like(yb)
    deriv = np.empty_like(yb)
    error = np.empty_like(yb)
    used = np.empty(rows)
    for r in range(rows):
        y = yb[r]
        eps = max(1e-3 * sigma[r], 1e-10 * (np.max(np.abs(y)) + 1e-300))
        a = _discrepancy(prob, y, sigma[r], eps) if alphas is None else float(alphas[r])
        f, fac = prob.solve(y, a, eps, y.copy())
        used[r] = a
        smooth[r] = f
        deriv[r] = _gradient(f, prob.xs) / prob.scale
        draws = _gradient(posterior_samples(fac), prob.xs) / prob.scale
        noise = sigma[r] * np.sqrt(np.mean(draws**2, axis=1))
        # Bias by double smoothing: regularising f once more moves the derivative
        # by about as much as the first pass moved it away from the truth.
        again, _ = prob.solve(f, a, eps, f.copy())
        bias = (_gradient(again, prob.xs) / prob.scale) - deriv[r]
        error[r] = np.sqrt(noise**2 + bias**2)
    if k > 1:
        smooth, deriv, error = (unbin(v, xb, x) for v in (smooth, deriv, error))
    return smooth, deriv, error, {"alpha": used, "bin": k, "noise_std": sigma}


def _discrepancy(prob: _Problem, y: np.ndarray, sigma: float, eps: float) -> float:
    """Bisection on log10(alpha) for mean(w (y - f)^2) = sigma^2 (w: samples per bin)."""
    if sigma <= 0:
        return 0.0
    lo, hi = -8.0, 8.0 + np.log10(sigma + 1e-300) + 2 * np.log10(prob.size)
    target = sigma**2
    f = y.copy()
    for _ in range(_BISECT):
        mid = 0.5 * (lo + hi)
        try:
            trial, _ = prob.solve(y, 10.0**mid, eps, f)
        except np.linalg.LinAlgError:
            hi = mid
            continue
        f = trial
        if np.mean(prob.weights * (y - f) ** 2) > target:
            hi = mid
        else:
            lo = mid
    return float(10.0 ** (0.5 * (lo + hi)))
