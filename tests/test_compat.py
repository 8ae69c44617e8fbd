"""dfdx.compat.misc_derivative reproduces the removed scipy.misc.derivative."""

from __future__ import annotations

import numpy as np
import pytest

from dfdx.compat import misc_derivative
from dfdx.numeric import derivative


def test_small_dx_is_accurate():
    assert misc_derivative(np.exp, 1.0, dx=1e-3) == pytest.approx(np.e, rel=1e-6)


def test_default_dx_has_the_old_bias():
    # central difference with dx=1: (f(2) - f(0)) / 2 = 4 for x**3 at 1 (true 3):
    # the bias dx**2 f'''/6 = 1 that made the old default notorious
    assert misc_derivative(lambda x: x**3, 1.0) == 4.0
    assert misc_derivative(np.exp, 0.0) == pytest.approx(np.sinh(1.0), rel=1e-15)
    assert misc_derivative(lambda x: x**3, 1.0, n=2) == 6.0


@pytest.mark.parametrize("order", [3, 5, 7, 9, 11])
@pytest.mark.parametrize("n", [1, 2, 3])
def test_weights_are_the_central_ones(n, order):
    if order < n + 1:
        return
    dx = 0.25
    half = order // 2
    nodes = np.arange(-half, half + 1.0)
    # exact on polynomials of degree < order
    coef = np.arange(1.0, order + 1.0)
    poly = np.polynomial.Polynomial(coef)
    got = misc_derivative(poly, 0.3, dx=dx, n=n, order=order)
    assert got == pytest.approx(poly.deriv(n)(0.3), rel=1e-9)
    assert nodes.size == order


def test_calls_func_once_per_point_in_order_with_args():
    calls = []

    def f(x, a):
        calls.append(x)
        return a * x**2

    val = misc_derivative(f, 2.0, dx=0.5, args=(3.0,), order=5)
    assert calls == [1.0, 1.5, 2.0, 2.5, 3.0]
    assert val == pytest.approx(12.0, rel=1e-14)


def test_arrays_pass_through():
    x = np.array([0.0, 1.0])
    assert np.allclose(misc_derivative(np.sin, x, dx=1e-4, order=5), np.cos(x), rtol=1e-12)


def test_migration_gives_the_same_answer_more_accurately():
    old = misc_derivative(np.exp, 1.0, dx=1e-3)
    new = derivative(np.exp, 1.0)
    assert abs(float(new.df) - np.e) < abs(old - np.e)
    assert float(new.df) == pytest.approx(old, rel=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"order": 4}, "must be odd, got 4"),
        ({"order": 3, "n": 3}, "at least the derivative order 'n' \\+ 1 = 4, got 3"),
        ({"n": 0}, "`n` must be a positive integer, got 0"),
        ({"n": 1.0}, "`n` must be a positive integer, got 1.0"),
        ({"order": 2.5}, "`order` must be a positive integer"),
    ],
)
def test_validation_messages(kwargs, match):
    with pytest.raises(ValueError, match=match):
        misc_derivative(np.exp, 1.0, **kwargs)
