"""The one table of noisy-data methods; the API, docs and tests read it.

Every method follows one contract::

    method(y2, x, n, **params) -> (y_smooth, dydx, error, params_used)

on a ``(series, samples)`` array with increasing float64 ``x``.  Omitted
parameters are chosen from the data; ``params_used`` holds every parameter
(per series) so that passing them back reproduces the result exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dfdx.noisy._kalman import kalman
from dfdx.noisy._savgol import savgol
from dfdx.noisy._spectral import spectral
from dfdx.noisy._spline import spline
from dfdx.noisy._tikhonov import tikhonov
from dfdx.noisy._tv import tv

__all__ = ["METHODS", "REGISTRY", "Method"]


@dataclass(frozen=True)
class Method:
    """One method: its function, parameters, limits and a one-line summary."""

    name: str
    func: Callable
    params: tuple[str, ...]
    max_n: int | None
    non_uniform: bool
    min_points: int
    summary: str


REGISTRY: dict[str, Method] = {
    m.name: m
    for m in (
        Method(
            "savgol",
            savgol,
            ("window", "degree", "bin", "noise_std"),
            None,
            True,
            5,
            "local polynomial regression (Savitzky-Golay), window by GCV",
        ),
        Method(
            "spline",
            spline,
            ("degree", "lam", "bin", "noise_std"),
            None,
            True,
            4,
            "smoothing spline, penalty by generalised cross-validation",
        ),
        Method(
            "tv",
            tv,
            ("alpha", "bin", "noise_std"),
            1,
            True,
            4,
            "total-variation regularised derivative (Chartrand 2011), discrepancy principle",
        ),
        Method(
            "tikhonov",
            tikhonov,
            ("order", "lam", "bin", "noise_std"),
            None,
            True,
            5,
            "difference-penalty (Tikhonov) smoothing, weight by marginal likelihood",
        ),
        Method(
            "kalman",
            kalman,
            ("order", "lam", "bin", "noise_std"),
            None,
            True,
            4,
            "RTS smoother, integrated random walk, noise variances by maximum likelihood",
        ),
        Method(
            "spectral",
            spectral,
            ("cutoff", "noise_std"),
            None,
            False,
            4,
            "low-pass spectral derivative of periodic uniform data, cutoff at the noise floor",
        ),
    )
}

METHODS: tuple[str, ...] = ("auto", *REGISTRY)
