"""dfdx.noisy on seeded noisy signals: RMSE bounds per method and signal, coverage."""

from __future__ import annotations

import numpy as np
import pytest

from dfdx.noisy import diff

SIGMA = 0.02
SEEDS = (0, 1, 2)


def _signals(size: int = 200) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    x = np.linspace(0.0, 4.0, size)
    logistic = 1 / (1 + np.exp(-3 * (x - 2)))
    phase = x - np.floor(x)
    pulse = np.exp(-((x - 2) ** 2) / (2 * 0.3**2))
    return {
        "sine": (x, np.sin(2 * x), 2 * np.cos(2 * x)),
        "logistic": (x, logistic, 3 * logistic * (1 - logistic)),
        "pulse": (x, pulse, -(x - 2) / 0.09 * pulse),
        "triangle": (x, 2 * np.abs(phase - 0.5), np.where(phase < 0.5, -2.0, 2.0)),
    }


SIGNALS = _signals()

# Upper bounds on the derivative RMSE (worst of three seeds), noise std 0.02
# on 200 samples.  For scale: plain central differences give about 0.2.
BOUNDS = {
    "savgol": {"sine": 0.12, "logistic": 0.12, "pulse": 0.16, "triangle": 0.9},
    "spline": {"sine": 0.11, "logistic": 0.08, "pulse": 0.11, "triangle": 0.8},
    "tikhonov": {"sine": 0.15, "logistic": 0.06, "pulse": 0.16, "triangle": 0.8},
    "kalman": {"sine": 0.06, "logistic": 0.04, "pulse": 0.1, "triangle": 0.8},
    "tv": {"sine": 0.25, "logistic": 0.16, "pulse": 0.2, "triangle": 0.65},
    "auto": {"sine": 0.12, "logistic": 0.06, "pulse": 0.2, "triangle": 0.8},
}

CASES = [(m, s) for m, row in BOUNDS.items() for s in row]


def _rmse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean((a - b) ** 2)))


@pytest.mark.parametrize(("method", "signal"), CASES)
def test_rmse_bound(method, signal):
    x, y, dy = SIGNALS[signal]
    worst = 0.0
    for seed in SEEDS:
        noisy = y + np.random.default_rng(seed).normal(0, SIGMA, x.size)
        worst = max(worst, _rmse(diff(noisy, x, method=method).df, dy))
    assert worst < BOUNDS[method][signal]
    # and much better than differencing the raw data
    raw = np.gradient(y + np.random.default_rng(0).normal(0, SIGMA, x.size), x)
    if signal != "triangle":
        assert worst < 0.7 * _rmse(raw, dy)


def test_spectral_rmse_bound_on_periodic_data():
    x = np.linspace(0, 2 * np.pi, 256, endpoint=False)
    y = np.sin(2 * x) + 0.3 * np.cos(5 * x)
    dy = 2 * np.cos(2 * x) - 1.5 * np.sin(5 * x)
    for seed in SEEDS:
        noisy = y + np.random.default_rng(seed).normal(0, 0.05, x.size)
        assert _rmse(diff(noisy, x, method="spectral").df, dy) < 0.05


# Stated coverage: on smooth signals at least 90% of true errors lie within
# 2 * error (about 95% expected) for the likelihood-, GCV- and noise-floor-based
# methods; total variation (bias-dominated on smooth signals) at least 50%.
COVERAGE = {"savgol": 0.9, "spline": 0.9, "tikhonov": 0.9, "kalman": 0.9, "tv": 0.5}


@pytest.mark.parametrize("method", sorted(COVERAGE))
@pytest.mark.parametrize("signal", ["sine", "logistic", "pulse"])
def test_error_covers_true_error(method, signal):
    x, y, dy = SIGNALS[signal]
    inside = []
    for seed in SEEDS:
        noisy = y + np.random.default_rng(seed).normal(0, SIGMA, x.size)
        res = diff(noisy, x, method=method)
        assert np.all(res.error > 0)
        inside.append(np.abs(res.df - dy) <= 2 * res.error)
    assert np.mean(inside) >= COVERAGE[method]


def test_error_is_not_vacuous():
    # The error bars must be informative: on average within a few times the true error.
    x, y, dy = SIGNALS["sine"]
    noisy = y + np.random.default_rng(5).normal(0, SIGMA, x.size)
    for method in COVERAGE:
        res = diff(noisy, x, method=method)
        assert np.median(res.error) < 5 * _rmse(res.df, dy)


def test_spectral_error_covers():
    x = np.linspace(0, 2 * np.pi, 256, endpoint=False)
    y, dy = np.sin(2 * x), 2 * np.cos(2 * x)
    inside = []
    for seed in SEEDS:
        res = diff(y + np.random.default_rng(seed).normal(0, 0.05, x.size), x, method="spectral")
        inside.append(np.abs(res.df - dy) <= 2 * res.error)
    assert np.mean(inside) >= 0.9


@pytest.mark.parametrize("method", ["savgol", "spline", "tikhonov", "kalman", "tv"])
def test_nonuniform_noisy(method):
    rng = np.random.default_rng(11)
    x = np.sort(np.concatenate([[0.0, 4.0], rng.uniform(0, 4, 298)]))
    noisy = np.sin(2 * x) + rng.normal(0, SIGMA, x.size)
    res = diff(noisy, x, method=method)
    assert _rmse(res.df, 2 * np.cos(2 * x)) < 0.25


def test_auto_never_uses_truth_and_is_deterministic():
    x, y, _ = SIGNALS["logistic"]
    noisy = y + np.random.default_rng(0).normal(0, SIGMA, x.size)
    a, b = diff(noisy, x), diff(noisy, x)
    assert a.method == b.method
    np.testing.assert_array_equal(a.df, b.df)
