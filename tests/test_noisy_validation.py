"""dfdx.noisy: every error message, and the NaN policy."""

from __future__ import annotations

import numpy as np
import pytest

from dfdx.noisy import diff, estimate_noise

X = np.linspace(0, 1, 40)
Y = np.sin(3 * X) + np.random.default_rng(0).normal(0, 0.01, X.size)


def test_nan_in_y_raises_for_estimate_noise():
    y = Y.copy()
    y[5] = np.nan
    with pytest.raises(ValueError, match=r"`y` must contain only finite values"):
        estimate_noise(y, X)


def test_too_few_finite_samples():
    y = Y.copy()
    y[3:] = np.nan
    with pytest.raises(ValueError, match=r"at least 5 finite samples along `axis`.*got 3"):
        diff(y, X, method="savgol")


@pytest.mark.parametrize(
    ("x", "match"),
    [
        (X[::-1].copy()[np.r_[1, 0, 2:40]], r"`x` must be strictly monotonic"),
        (np.r_[X[:-1], X[-2]], r"`x` must be strictly monotonic, found duplicated"),
        (X[:-1], r"`x` must have the same length as the data along the axis \(40\)"),
        (np.r_[X[:-1], np.nan], r"`x` must contain only finite values"),
        (np.ones((40, 2)), r"`x` must be one-dimensional"),
    ],
)
def test_bad_x(x, match):
    with pytest.raises(ValueError, match=match):
        diff(Y, x, method="savgol")


@pytest.mark.parametrize(
    ("method", "size", "match"),
    [
        ("savgol", 4, r"at least 5 samples along `axis` for method 'savgol'"),
        ("spline", 3, r"at least 4 samples along `axis` for method 'spline'"),
        ("tikhonov", 4, r"at least 5 samples along `axis` for method 'tikhonov'"),
        ("kalman", 3, r"at least 4 samples along `axis` for method 'kalman'"),
        ("tv", 3, r"at least 4 samples along `axis` for method 'tv'"),
        ("spectral", 3, r"at least 4 samples along `axis` for method 'spectral'"),
        ("auto", 3, r"at least 4 samples along `axis` for method 'auto'"),
    ],
)
def test_too_few_points(method, size, match):
    with pytest.raises(ValueError, match=match):
        diff(Y[:size], X[:size], method=method)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "magic"}, r"`method` must be one of 'auto', 'savgol'"),
        ({"n": 0}, r"`n` must be a positive integer, got 0"),
        ({"n": 1.5}, r"`n` must be a positive integer, got 1.5"),
        ({"axis": 2}, r"`axis` must be in the range \[-1, 1\)"),
        ({"method": "auto", "window": 5}, r"method 'auto' takes no parameters \(got window\)"),
        ({"method": "savgol", "lam": 1.0}, r"method 'savgol' got unexpected parameter\(s\) lam"),
        ({"method": "tv", "n": 2}, r"`n` must be at most 1 for method 'tv'"),
        ({"method": "savgol", "window": 4}, r"`window` must be odd"),
        ({"method": "savgol", "window": 41}, r"`window` must be odd, at least"),
        ({"method": "savgol", "degree": 1, "n": 2}, r"`n` = 2 needs `degree` >= 2"),
        ({"method": "savgol", "degree": -1}, r"`degree` must be a non-negative integer"),
        ({"method": "spline", "degree": 4}, r"`degree` must be odd for method 'spline'"),
        ({"method": "spline", "degree": 3, "n": 2}, r"`n` = 2 needs `degree` >= 5"),
        ({"method": "kalman", "order": 1, "n": 2}, r"`n` = 2 needs `order` >= 2"),
        ({"method": "kalman", "order": 0}, r"`order` must be a positive integer"),
        ({"method": "tikhonov", "order": 0}, r"`order` must be a positive integer"),
        ({"method": "kalman", "lam": -1.0}, r"`lam` must be positive and finite"),
        ({"method": "spline", "lam": np.inf}, r"`lam` must be positive and finite"),
        ({"method": "kalman", "lam": 1.0, "bin": 20}, r"`bin` = 20 leaves 2 bins"),
        ({"method": "kalman", "bin": 0}, r"`bin` must be a positive integer"),
        ({"method": "kalman", "noise_std": -1.0}, r"`noise_std` must be non-negative"),
        ({"method": "tv", "alpha": -1.0}, r"`alpha` must be non-negative and finite"),
        ({"method": "spectral", "cutoff": -1}, r"`cutoff` must be a non-negative integer"),
        ({"method": "kalman", "lam": [1.0, 2.0]}, r"`lam` must be a scalar or have one value"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        diff(Y, X, **kwargs)


def test_spectral_needs_uniform_x():
    x = X**2
    with pytest.raises(ValueError, match=r"`x` must be uniformly spaced for method 'spectral'"):
        diff(Y, x, method="spectral")


def test_bad_y():
    with pytest.raises(ValueError, match=r"`y` must have at least one dimension"):
        diff(1.0)
    with pytest.raises(TypeError, match=r"`y` must be real"):
        diff(Y + 1j, X)
    with pytest.raises(ValueError, match=r"at least 6 samples along `axis` for method"):
        estimate_noise(Y[:5])
