import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.polynomial import Chebyshev, Hermite, HermiteE, Laguerre, Legendre, Polynomial
from scipy import interpolate

import dfdx
from dfdx.exact import derivative, is_exact_object

SERIES = [Polynomial, Chebyshev, Legendre, Laguerre, Hermite, HermiteE]


def _power_derivative(coef, n):
    """Reference: the n-th derivative of sum c_k x**k, by the power rule."""
    k = np.arange(len(coef))
    falling = np.array([math.perm(int(j), n) for j in k], dtype=float)
    return (coef * falling)[n:] if n < len(coef) else np.zeros(1)


def _power_eval(coef, x):
    return np.polynomial.polynomial.polyval(x, coef)


@st.composite
def series_cases(draw):
    cls = draw(st.sampled_from(SERIES))
    degree = draw(st.integers(0, 7))
    coef = np.array(draw(st.lists(st.floats(-3, 3), min_size=degree + 1, max_size=degree + 1)))
    lo = draw(st.floats(-5, 4))
    width = draw(st.floats(0.5, 5))
    n = draw(st.integers(0, 9))
    return cls, coef, [lo, lo + width], n


@given(series_cases())
@settings(max_examples=80, deadline=None)
def test_every_numpy_series_kind_is_exact(case):
    cls, coef, domain, n = case
    p = cls(coef, domain=domain)
    d = derivative(p, n)
    assert type(d) is cls
    np.testing.assert_array_equal(d.domain, p.domain)
    np.testing.assert_array_equal(d.window, p.window)
    # Independent reference: the same function in the plain power basis of x.
    power = p.convert(kind=Polynomial, domain=[-1, 1], window=[-1, 1]).coef
    ref = _power_derivative(power, n)
    x = np.linspace(domain[0], domain[1], 7)
    scale = np.abs(_power_eval(np.abs(_power_derivative(np.abs(power), n)), np.abs(x))) + 1
    np.testing.assert_allclose(d(x), _power_eval(ref, x), atol=1e-9 * scale.max())


@given(
    st.lists(st.floats(-10, 10), min_size=1, max_size=9),
    st.integers(0, 10),
)
@settings(max_examples=60, deadline=None)
def test_poly1d_is_exact(coeffs, n):
    p = np.poly1d(coeffs)
    d = derivative(p, n)
    assert isinstance(d, np.poly1d)
    ref = _power_derivative(np.array(coeffs[::-1], dtype=float), n)
    x = np.linspace(-2, 2, 5)
    np.testing.assert_allclose(d(x), _power_eval(ref, x), rtol=1e-12, atol=1e-9)


def test_poly1d_example_from_the_issue():
    assert dfdx.derivative(np.poly1d([1, 0, 1]))(5) == 10


def test_n_zero_returns_an_equal_copy():
    p = Chebyshev([1, 2, 3], domain=[0, 4])
    q = derivative(p, 0)
    assert q is not p
    assert q == p
    q.coef[0] = 99.0
    assert p.coef[0] == 1.0
    p1 = np.poly1d([1.0, 2.0])
    c = derivative(p1, 0)
    assert c is not p1
    assert c == p1


@pytest.mark.parametrize("cls", SERIES)
def test_beyond_degree_gives_the_zero_series_of_the_same_kind(cls):
    d = derivative(cls([1, 2, 3], domain=[2, 3]), 5)
    assert type(d) is cls
    assert not np.any(d.coef)
    np.testing.assert_array_equal(d.domain, [2, 3])


def _splines():
    x = np.linspace(0.0, 2.0, 12)
    y = np.sin(2 * x) + x**2
    yd = 2 * np.cos(2 * x) + 2 * x
    return [
        ("make_interp_spline", interpolate.make_interp_spline(x, y, k=3)),
        ("make_interp_spline k=5", interpolate.make_interp_spline(x, y, k=5)),
        ("make_smoothing_spline", interpolate.make_smoothing_spline(x, y, lam=1e-4)),
        ("BSpline", interpolate.BSpline(np.r_[[0] * 3, x, [2] * 3], np.r_[y, y[:2]], 3)),
        ("CubicSpline", interpolate.CubicSpline(x, y)),
        ("CubicSpline periodic", interpolate.CubicSpline(x, np.cos(np.pi * x), bc_type="periodic")),
        ("Akima1DInterpolator", interpolate.Akima1DInterpolator(x, y)),
        ("PchipInterpolator", interpolate.PchipInterpolator(x, y)),
        ("CubicHermiteSpline", interpolate.CubicHermiteSpline(x, y, yd)),
        ("PPoly", interpolate.PPoly.from_spline(interpolate.splrep(x, y))),
        ("BPoly", interpolate.BPoly.from_derivatives(x, np.c_[y, yd])),
        ("UnivariateSpline", interpolate.UnivariateSpline(x, y, s=0.01)),
        ("InterpolatedUnivariateSpline", interpolate.InterpolatedUnivariateSpline(x, y, k=4)),
    ]


def _degree(obj):
    if isinstance(obj, interpolate.BSpline):
        return obj.k
    if isinstance(obj, interpolate.PPoly | interpolate.BPoly):
        return obj.c.shape[0] - 1
    return obj._eval_args[2]


@pytest.mark.parametrize(("name", "spline"), _splines(), ids=[n for n, _ in _splines()])
def test_splines_every_order(name, spline):
    x = np.linspace(0.05, 1.95, 23)
    base = {
        interpolate.BSpline: interpolate.BSpline,
        interpolate.PPoly: interpolate.PPoly,
        interpolate.BPoly: interpolate.BPoly,
        interpolate.UnivariateSpline: interpolate.UnivariateSpline,
    }
    kind = next(k for k in base if isinstance(spline, k))
    for n in range(_degree(spline) + 3):
        d = derivative(spline, n)
        assert isinstance(d, kind), name
        if n <= _degree(spline):
            expected = spline(x, n) if n else spline(x)
            np.testing.assert_allclose(d(x), expected, rtol=1e-10, atol=1e-10)
        else:
            np.testing.assert_array_equal(d(x), 0.0)
    copy = derivative(spline, 0)
    assert copy is not spline
    np.testing.assert_array_equal(copy(x), spline(x))


def test_spline_derivative_matches_finite_difference_weights():
    # A second, independent check on the spline path: Fornberg weights on a
    # local stencil are exact for the cubic pieces away from knots.
    x = np.linspace(0, 1, 6)
    s = interpolate.CubicSpline(x, x**3 - x)
    at = 0.5
    nodes = at + np.array([-0.02, -0.01, 0.0, 0.01])
    w = dfdx.fd_weights(nodes - at, 1)
    assert abs(float(derivative(s)(at)) - float(w @ s(nodes))) < 1e-10


def test_vector_valued_bspline_keeps_axis():
    x = np.linspace(0, 1, 8)
    y = np.c_[x**2, x**3]
    b = interpolate.make_interp_spline(x, y, axis=0)
    d = derivative(b, 5)
    assert d(np.array([0.3, 0.4])).shape == (2, 2)
    assert not np.any(d(np.array([0.3, 0.4])))


@pytest.mark.parametrize("n", [-1, 1.5, True, False, "1", None])
def test_invalid_n(n):
    with pytest.raises(ValueError, match="`n` must be a non-negative integer, got"):
        derivative(np.poly1d([1, 2]), n)


@pytest.mark.parametrize("obj", [np.sin, [1, 2, 3], np.array([1.0, 2.0]), "x**2", 3.0])
def test_unsupported_objects_list_the_supported_kinds(obj):
    with pytest.raises(TypeError, match=r"(?s)does not support objects of type .*numpy\.poly1d"):
        derivative(obj)
    assert not is_exact_object(obj)


def test_front_door_dispatches_and_refuses_what_is_not_built():
    p = Legendre([0, 0, 1])
    assert dfdx.derivative(p, n=2) == derivative(p, 2)
    with pytest.raises(TypeError, match="takes only `n`"):
        dfdx.derivative(p, np.linspace(0, 1, 3))
