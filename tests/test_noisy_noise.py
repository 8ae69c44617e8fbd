"""dfdx.noisy.estimate_noise: accuracy, robustness, shapes, equivariance."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dfdx.noisy import estimate_noise


@pytest.mark.parametrize("sigma", [1e-3, 0.01, 0.1, 1.0])
@pytest.mark.parametrize("grid", ["uniform", "random"])
def test_recovers_noise_level(sigma, grid):
    rng = np.random.default_rng(7)
    size = 4000
    x = np.linspace(0, 3, size) if grid == "uniform" else np.sort(rng.uniform(0, 3, size))
    y = np.exp(-x) * np.sin(4 * x) + rng.normal(0, sigma, size)
    assert estimate_noise(y, x) == pytest.approx(sigma, rel=0.1)


def test_noise_free_smooth_data_gives_tiny_estimate():
    x = np.linspace(0, 1, 500)
    assert estimate_noise(np.sin(3 * x), x) < 1e-6


def test_robust_to_kinks_and_outliers():
    rng = np.random.default_rng(1)
    x = np.linspace(0, 4, 2000)
    y = 2 * np.abs(x - np.floor(x) - 0.5) + rng.normal(0, 0.05, x.size)
    y[::200] += 5.0  # 1% gross outliers
    assert estimate_noise(y, x) == pytest.approx(0.05, rel=0.15)


def test_nd_along_axis_and_default_x():
    rng = np.random.default_rng(2)
    sig = np.array([0.01, 0.1, 1.0])
    y = np.sin(np.linspace(0, 6, 3000))[:, None] + rng.normal(0, 1, (3000, 3)) * sig
    est = estimate_noise(y, axis=0)
    assert est.shape == (3,)
    np.testing.assert_allclose(est, sig, rtol=0.1)
    assert isinstance(estimate_noise(y[:, 0]), float)


@settings(max_examples=30, deadline=None)
@given(scale=st.floats(1e-3, 1e3), shift=st.floats(-100, 100), seed=st.integers(0, 1000))
def test_scale_and_shift_equivariant(scale, shift, seed):
    rng = np.random.default_rng(seed)
    y = rng.normal(0, 1, 200)
    base = estimate_noise(y)
    assert estimate_noise(scale * y + shift) == pytest.approx(scale * base, rel=1e-6, abs=1e-9)
