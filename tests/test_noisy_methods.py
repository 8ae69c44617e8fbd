"""dfdx.noisy: exactness on noise-free data, parameters, N-D, non-uniform x, n=2."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dfdx import DerivativeResult
from dfdx.noisy import METHODS, diff

NONUNIFORM = ("savgol", "spline", "tikhonov", "kalman", "tv")
SECOND = ("savgol", "spline", "tikhonov", "kalman")


def _grid(kind: str, size: int = 101) -> np.ndarray:
    u = np.linspace(0.0, 1.0, size)
    if kind == "warped":
        u = u + 0.08 * np.sin(2 * np.pi * u)
    return 2 * np.pi * u


# Polynomials each method reproduces exactly (the null space of its penalty or
# the degree of its local fit), for n = 1 and n = 2.
EXACT_POLY = {
    ("savgol", 1): 3,
    ("savgol", 2): 3,
    ("spline", 1): 1,
    ("spline", 2): 2,
    ("tikhonov", 1): 1,
    ("tikhonov", 2): 2,
    ("kalman", 1): 2,
    ("kalman", 2): 2,
    ("tv", 1): 1,
}

# Max error on sin(x) (noise-free, 101 samples on [0, 2 pi]); end effects dominate.
SINE_TOL = {
    ("savgol", 1): 3e-4,
    ("savgol", 2): 6e-3,
    ("spline", 1): 2e-5,
    ("spline", 2): 0.15,
    ("tikhonov", 1): 1e-4,
    ("tikhonov", 2): 5e-3,
    ("kalman", 1): 5e-3,
    ("kalman", 2): 0.15,
    ("tv", 1): 5e-3,
}


def test_methods_tuple():
    assert METHODS[0] == "auto"
    assert set(METHODS) == {"auto", "savgol", "spline", "tv", "tikhonov", "kalman", "spectral"}


@pytest.mark.parametrize("grid", ["uniform", "warped"])
@pytest.mark.parametrize(("method", "n"), sorted(EXACT_POLY))
def test_polynomials_exact(method, n, grid):
    x = _grid(grid)
    degree = EXACT_POLY[(method, n)]
    coef = np.array([0.7, -1.3, 0.4, -0.05])[: degree + 1]
    poly = np.polynomial.Polynomial(coef)
    res = diff(poly(x), x, method=method, n=n)
    expected = poly.deriv(n)(x)
    np.testing.assert_allclose(res.df, expected, rtol=0, atol=1e-7 * np.abs(expected).max())
    np.testing.assert_allclose(res.y_smooth, poly(x), atol=1e-7 * np.abs(poly(x)).max())


@pytest.mark.parametrize("grid", ["uniform", "warped"])
@pytest.mark.parametrize(("method", "n"), sorted(SINE_TOL))
def test_sines_noise_free(method, n, grid):
    x = _grid(grid)
    res = diff(np.sin(x), x, method=method, n=n)
    expected = np.cos(x) if n == 1 else -np.sin(x)
    assert np.max(np.abs(res.df - expected)) < SINE_TOL[(method, n)]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_spectral_exact_on_trig_polynomials(n):
    x = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    y = np.sin(3 * x) + 0.5 * np.cos(5 * x)
    res = diff(y, x, method="spectral", n=n)
    expected = {
        1: 3 * np.cos(3 * x) - 2.5 * np.sin(5 * x),
        2: -9 * np.sin(3 * x) - 12.5 * np.cos(5 * x),
        3: -27 * np.cos(3 * x) + 62.5 * np.sin(5 * x),
    }[n]
    np.testing.assert_allclose(res.df, expected, atol=1e-10)


def _noisy(size=150, seed=0, sigma=0.02):
    x = np.linspace(0, 4, size)
    return x, np.sin(2 * x) + np.random.default_rng(seed).normal(0, sigma, size)


@pytest.mark.parametrize("method", [m for m in METHODS if m != "auto"])
def test_params_reproduce_result(method):
    x, y = _noisy()
    res = diff(y, x, method=method)
    assert isinstance(res, DerivativeResult)
    assert res.method == method
    again = diff(y, x, method=method, **res.params)
    np.testing.assert_array_equal(again.df, res.df)
    np.testing.assert_array_equal(again.y_smooth, res.y_smooth)
    np.testing.assert_array_equal(again.error, res.error)
    assert again.params == res.params


def test_auto_reports_a_method_whose_params_reproduce():
    x, y = _noisy()
    res = diff(y, x)
    assert res.method in METHODS[1:]
    assert "auto chose" in res.message
    again = diff(y, x, method=res.method, **res.params)
    np.testing.assert_array_equal(again.df, res.df)


@pytest.mark.parametrize("method", [*NONUNIFORM, "spectral"])
def test_nd_along_axis_matches_loop(method):
    x, y = _noisy(size=96)
    stack = np.stack([y, 2 * y + 1, y[::-1]], axis=0)  # (3, 96)
    cube = np.moveaxis(np.stack([stack, -stack]), 2, 1)  # (2, 96, 3)
    res = diff(cube, x, method=method, axis=1)
    assert res.df.shape == cube.shape
    assert res.error.shape == cube.shape
    for i in range(2):
        for j in range(3):
            single = diff(cube[i, :, j], x, method=method)
            np.testing.assert_allclose(res.df[i, :, j], single.df, rtol=1e-6, atol=1e-8)
    again = diff(cube, x, method=method, axis=1, **res.params)
    np.testing.assert_array_equal(again.df, res.df)


@pytest.mark.parametrize("method", NONUNIFORM)
def test_decreasing_x_same_derivative(method):
    x, y = _noisy(size=80)
    up = diff(y, x, method=method)
    down = diff(y[::-1], x[::-1], method=method)
    np.testing.assert_allclose(down.df[::-1], up.df, rtol=1e-9, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(
    scale=st.floats(0.1, 10.0),
    shift=st.floats(-5.0, 5.0),
    method=st.sampled_from(["savgol", "kalman", "tikhonov", "spline"]),
)
def test_linear_in_data_at_fixed_params(scale, shift, method):
    # At fixed parameters each of these is a linear smoother: scaling the data
    # scales the derivative, adding a constant leaves it unchanged.
    x, y = _noisy(size=60)
    base = diff(y, x, method=method)
    params = {k: v for k, v in base.params.items() if k != "noise_std"}
    moved = diff(scale * y + shift, x, method=method, **params)
    np.testing.assert_allclose(moved.df, scale * base.df, rtol=1e-6, atol=1e-8 * scale)


@pytest.mark.parametrize("method", SECOND)
def test_second_derivative_with_noise(method):
    x, y = _noisy(size=200, sigma=0.005)
    res = diff(y, x, method=method, n=2)
    inner = slice(20, -20)
    rmse = np.sqrt(np.mean((res.df[inner] + 4 * np.sin(2 * x[inner])) ** 2))
    assert rmse < 0.5


@pytest.mark.parametrize("method", ["kalman", "spline", "tikhonov", "savgol"])
def test_large_noisy_data_uses_bins(method):
    x = np.linspace(0, 10, 20_000)
    y = np.sin(x) + np.random.default_rng(3).normal(0, 0.1, x.size)
    res = diff(y, x, method=method)
    assert res.params["bin"] > 1
    assert np.sqrt(np.mean((res.df - np.cos(x)) ** 2)) < 0.05
