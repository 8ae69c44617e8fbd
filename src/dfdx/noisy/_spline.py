"""Smoothing splines with the penalty chosen by generalised cross-validation.

The smoothing spline of odd ``degree = 2q + 1`` minimises
``sum (y_i - f(x_i))^2 + lam * integral (f^(q+1))^2``.  It equals the
posterior mean of a ``q``-times integrated Wiener process (Wahba 1978), so it
is computed with the banded state-space system of :mod:`._statespace`, which
handles non-uniform ``x`` and many series at once.  ``lam`` minimises the GCV
score ``N * RSS / (N - tr S)^2``; the trace of the influence matrix ``S`` is
exact for small data (up to 400 samples or bins) and a Hutchinson estimate
with 32 fixed (seeded) probes otherwise; with the estimate, fits that use more
than 80% of the degrees of freedom are rejected, since the estimate's error
would dominate ``N - tr S`` there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx._core.validate import check_int
from dfdx.noisy._penalised import run
from dfdx.noisy._statespace import Model

__all__ = ["spline"]

_EXACT_TRACE = 400
_PROBES = 32
_MAX_TRACE = 0.8  # with estimated traces, reject fits with more than 80% dof


class _GCVModel(Model):
    def __init__(self, x: np.ndarray, order: int, weights: np.ndarray) -> None:
        super().__init__(x, order, weights)
        if self.size <= _EXACT_TRACE:
            self.probes = np.eye(self.size)
        else:
            rng = np.random.default_rng(1978)
            self.probes = rng.choice([-1.0, 1.0], size=(self.size, _PROBES))

    def criterion(self, log_lam: float, y2: np.ndarray) -> np.ndarray:
        rows = y2.shape[0]
        try:
            _, states = self.solve(10.0**log_lam, np.vstack([y2, self.probes.T]))
        except np.linalg.LinAlgError:
            return np.full(rows, np.inf)
        fitted = states[:, :, 0]
        trace = np.einsum("kn,kn->", self.probes.T, fitted[rows:])
        w = self.weights
        total = float(self.size)
        if self.probes.shape[1] != self.size:
            trace /= self.probes.shape[1]
            if trace > _MAX_TRACE * total:
                return np.full(rows, np.inf)
        resid = ((y2 - fitted[:rows]) ** 2) @ w
        return np.log(resid * total) - 2 * np.log(np.maximum(total - trace, 1e-12))


def spline(
    y2: np.ndarray,
    x: np.ndarray,
    n: int,
    *,
    degree: Any = None,
    lam: Any = None,
    bin: Any = None,
    noise_std: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """Smoothing spline; parameters ``degree`` (odd, default ``2n + 1``), ``lam``, ``bin``."""
    degree = 2 * n + 1 if degree is None else check_int(degree, "degree", minimum=1)
    if degree % 2 == 0:
        raise ValueError(f"`degree` must be odd for method 'spline', got {degree}")
    order = (degree - 1) // 2
    if n > order:
        raise ValueError(
            f"`n` = {n} needs `degree` >= {2 * n + 1} for method 'spline', got {degree}"
        )
    if x.size < order + 3:
        raise ValueError(
            f"`y` must have at least {order + 3} samples along `axis` for method "
            f"'spline' with degree {degree}, got {x.size}"
        )

    def make(xb: np.ndarray, w: np.ndarray) -> Any:
        return _GCVModel(xb, order, w)

    smooth, deriv, error, params = run(
        make, y2, x, n, lam=lam, bin=bin, noise_std=noise_std, min_size=order + 3
    )
    return smooth, deriv, error, {"degree": degree, **params}
