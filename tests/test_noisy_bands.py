"""dfdx.noisy: the reported error covers the true error at small sample counts."""

from __future__ import annotations

import numpy as np
import pytest

from dfdx.noisy import diff, estimate_noise

T = np.linspace(0, 3, 100)
CASES = {
    "wave": (
        np.exp(-0.5 * T) * np.sin(4 * T),
        np.exp(-0.5 * T) * (4 * np.cos(4 * T) - 0.5 * np.sin(4 * T)),
    ),
    "ramp": (np.log1p(T**2), 2 * T / (1 + T**2)),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("level", [0.003, 0.03])
def test_auto_band_covers_at_100_samples(name, level):
    y, dy = CASES[name]
    sigma = level * np.std(y)
    for seed in range(3):
        res = diff(y + np.random.default_rng(seed).normal(0, sigma, T.size), T)
        assert np.mean(np.abs(res.df - dy) <= 2 * res.error) >= 0.85


def test_noise_level_does_not_collapse_when_the_fit_follows_the_noise():
    y, dy = CASES["wave"]
    noisy = y + np.random.default_rng(4).normal(0, 0.02, T.size)
    res = diff(noisy, T, method="kalman", lam=1e-3)  # nearly interpolates the noise
    assert res.params["noise_std"] >= estimate_noise(noisy, T)
    assert np.mean(np.abs(res.df - dy) <= 2 * res.error) >= 0.85
