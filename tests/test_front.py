"""The front door on every kind of input."""

import math

import numpy as np
import pytest
from numpy.polynomial import Chebyshev
from scipy.interpolate import CubicSpline

import dfdx
from dfdx import DerivativeResult, Status


def test_exact_objects_give_the_same_kind():
    p = Chebyshev([1, 2, 3], domain=[0, 2])
    d = dfdx.derivative(p, n=2)
    assert isinstance(d, Chebyshev)
    x = np.linspace(0, 1, 5)
    s = CubicSpline(x, x**3)
    assert float(dfdx.derivative(s)(0.5)) == pytest.approx(0.75, abs=1e-2)
    with pytest.raises(TypeError, match="takes only `n`"):
        dfdx.derivative(p, np.ones(3))
    with pytest.raises(TypeError, match="takes only `n`"):
        dfdx.derivative(p, acc=4)


def test_callable_that_traces_uses_ad_and_says_exact():
    x = np.linspace(-2, 2, 7)
    r = dfdx.derivative(lambda t: np.sin(t) * np.exp(t), x)
    assert isinstance(r, DerivativeResult)
    assert r.method == "ad"
    assert "exact" in r.message
    np.testing.assert_allclose(r.df, np.exp(x) * (np.sin(x) + np.cos(x)), rtol=1e-14)
    assert np.all(r.status == Status.EXACT)
    assert np.all(r.error == 0)
    r3 = dfdx.derivative(np.sin, x, n=3)
    np.testing.assert_allclose(r3.df, -np.cos(x), rtol=1e-13, atol=1e-15)


def test_callable_that_does_not_trace_falls_back_with_the_reason():
    x = np.array([0.3, 1.2])
    r = dfdx.derivative(lambda t: math.sin(t), 0.3)
    assert r.method == "numeric"
    assert "automatic differentiation not used" in r.message
    assert "TracingError" in r.message
    assert float(r.df) == pytest.approx(math.cos(0.3), rel=1e-12)
    assert float(r.error) > 0
    vec = dfdx.derivative(lambda t: np.sin(np.asarray(t, dtype=float)), x)
    assert vec.method == "numeric"
    np.testing.assert_allclose(vec.df, np.cos(x), rtol=1e-12)


def test_scalar_only_callable_is_called_point_by_point():
    x = np.array([1.0, 2.0, 3.0])
    r = dfdx.derivative(lambda t: float(t) ** 3, x)
    assert r.method == "numeric"
    assert "called point by point" in r.message
    np.testing.assert_allclose(r.df, 3 * x**2, rtol=1e-11)


@pytest.mark.parametrize("method", ["numeric", "central", "complex", "forward"])
def test_forced_numeric_methods(method):
    x = np.array([0.5, 1.5])
    r = dfdx.derivative(np.exp, x, method=method)
    assert r.method == "numeric"
    np.testing.assert_allclose(r.df, np.exp(x), rtol=1e-8)
    assert np.all(r.error > 0)


def test_forced_ad_raises_when_the_function_does_not_trace():
    with pytest.raises(TypeError, match="float"):
        dfdx.derivative(lambda t: math.exp(t), 1.0, method="ad")
    with pytest.raises(TypeError, match="method='ad' takes no options"):
        dfdx.derivative(np.exp, 1.0, method="ad", rtol=1e-3)


def test_options_go_to_the_numeric_engine_and_say_why():
    r = dfdx.derivative(np.exp, 1.0, rtol=1e-6)
    assert r.method == "numeric"
    assert "numerical options given (rtol)" in r.message


def test_without_points_a_callable_derivative_comes_back():
    d = dfdx.derivative(np.cos, n=2)
    assert "order 2" in repr(d)
    r = d(np.array([0.0, 1.0]))
    assert isinstance(r, DerivativeResult)
    np.testing.assert_allclose(r.df, -np.cos([0.0, 1.0]), rtol=1e-14)


def test_clean_samples_use_the_grid_engine():
    x = np.linspace(0, 3, 120)
    r = dfdx.derivative(np.sin(x), x)
    assert r.method == "fd"
    assert "clean data" in r.message
    np.testing.assert_allclose(r.df, np.cos(x), atol=1e-5)
    assert np.all(np.abs(r.df - np.cos(x)) <= 10 * r.error + 1e-12)
    r2 = dfdx.derivative(np.sin(x), dx=x[1] - x[0], n=2, acc=6)
    np.testing.assert_allclose(r2.df, -np.sin(x), atol=1e-6)


def test_noisy_samples_use_the_noisy_engine():
    rng = np.random.default_rng(0)
    x = np.linspace(0, 6, 400)
    y = np.sin(x) + rng.normal(0, 0.02, x.size)
    r = dfdx.derivative(y, x)
    assert "data look noisy" in r.message
    assert r.y_smooth is not None
    inner = slice(20, -20)
    assert np.sqrt(np.mean((r.df[inner] - np.cos(x[inner])) ** 2)) < 0.1
    plain = dfdx.derivative(y, x, method="fd")
    assert np.sqrt(np.mean((plain.df[inner] - np.cos(x[inner])) ** 2)) > 0.5


@pytest.mark.parametrize("method", ["savgol", "tikhonov", "kalman", "noisy", "noisy:spline"])
def test_named_noisy_methods_with_spacing(method):
    rng = np.random.default_rng(1)
    x = np.linspace(0, 6, 300)
    y = np.sin(x) + rng.normal(0, 0.01, x.size)
    r = dfdx.derivative(y, dx=x[1] - x[0], method=method)
    inner = slice(20, -20)
    assert np.sqrt(np.mean((r.df[inner] - np.cos(x[inner])) ** 2)) < 0.1


def test_grid_methods_and_axis():
    x = np.linspace(0, 2 * np.pi, 32, endpoint=False)
    y = np.stack([np.sin(x), np.cos(2 * x)])
    r = dfdx.derivative(y, x, method="spectral", axis=1)
    np.testing.assert_allclose(r.df[1], -2 * np.sin(2 * x), atol=1e-12)
    s = dfdx.derivative(y.T, x, method="spline", axis=0)
    assert s.df.shape == (32, 2)


def test_dask_and_xarray_pass_through_lazily():
    da = pytest.importorskip("dask.array")
    xr = pytest.importorskip("xarray")

    x = np.linspace(0, 1, 50)
    lazy = dfdx.derivative(da.from_array(x**2, chunks=10), x)
    assert type(lazy).__module__.startswith("dask")
    np.testing.assert_allclose(lazy.compute(), 2 * x, atol=1e-12)
    arr = xr.DataArray(x**2, coords={"t": x}, dims="t")
    out = dfdx.derivative(arr, dim="t")
    assert isinstance(out, xr.DataArray)
    np.testing.assert_allclose(out.values, 2 * x, atol=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: dfdx.derivative(np.sin, 1.0, method="fd"), ValueError, "`method` must be one of"),
        (lambda: dfdx.derivative(np.ones(5), method="ad"), ValueError, "`method` must be one of"),
        (lambda: dfdx.derivative(np.sin, 1.0, n=-1), ValueError, "`n` must be a non-negative"),
        (lambda: dfdx.derivative(np.sin, 1.0, n=True), ValueError, "`n` must be a non-negative"),
        (lambda: dfdx.derivative("x**2"), TypeError, "cannot differentiate str"),
        (lambda: dfdx.derivative(None), TypeError, "cannot differentiate NoneType"),
        (lambda: dfdx.derivative(np.sin, dx=0.1), TypeError, "`dx` is for sampled data"),
    ],
)
def test_front_door_validation(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize(
    "signal",
    [
        lambda t: np.sin(20 * t),  # under-resolved: 8 samples a period
        lambda t: 1e6 * t**7 - t,
        lambda t: np.tanh(50 * (t - 0.5)),
        lambda t: np.abs(t - 0.5),
    ],
)
@pytest.mark.parametrize("irregular", [False, True])
def test_clean_but_rough_samples_are_not_called_noisy(signal, irregular):
    rng = np.random.default_rng(7)
    x = np.sort(rng.uniform(0, 1, 50)) if irregular else np.linspace(0, 1, 50)
    r = dfdx.derivative(signal(x), x)
    assert "clean data" in r.message


@pytest.mark.parametrize("size", [50, 200, 2000])
@pytest.mark.parametrize("sigma", [1e-4, 1e-2])
def test_noise_is_recognised(size, sigma):
    rng = np.random.default_rng(size)
    x = np.sort(rng.uniform(0, 1, size))
    y = np.sin(5 * x) + rng.normal(0, sigma, size)
    assert "data look noisy" in dfdx.derivative(y, x).message


def test_order_agreement_is_about_one_for_white_noise_only():
    from dfdx._front_noise import order_agreement

    rng = np.random.default_rng(0)
    x = np.linspace(0, 1, 500)
    assert 0.8 < order_agreement(rng.normal(size=500), x, 0) < 1.25
    assert order_agreement(np.sin(3 * x), x, 0) < 0.1
    assert order_agreement(np.sin(3 * x), None, 0) < 0.1
    assert order_agreement(np.zeros(500), x, 0) == 0.0
    assert order_agreement(np.ones(4), x[:4], 0) == 0.0


@pytest.mark.parametrize(
    ("samples", "reason"),
    [
        (np.arange(6.0) ** 3, "fewer than 12 samples"),
        (np.exp(1j * np.linspace(0, 1, 30)), "non-real"),
    ],
    ids=["short", "complex"],
)
def test_samples_the_noise_test_cannot_judge_get_finite_differences(samples, reason):
    r = dfdx.derivative(samples)
    assert r.method == "fd"
    assert reason in r.message
    assert r.df.shape == samples.shape


def test_short_clean_samples_still_get_the_best_accuracy_that_fits():
    x = np.arange(6.0)
    np.testing.assert_allclose(dfdx.derivative(x**3, x).df, 3 * x**2, atol=1e-12)
    np.testing.assert_allclose(dfdx.derivative(x[:3] ** 2, x[:3]).df, 2 * x[:3], atol=1e-12)
    with pytest.raises(ValueError, match="`y` is too short"):
        dfdx.derivative([0.0, 1.0])
