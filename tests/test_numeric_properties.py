"""Property tests: linearity, product rule, exactness on polynomials."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dfdx.numeric import derivative, gradient

finite = st.floats(-3, 3, allow_nan=False)
coef = st.floats(-5, 5, allow_nan=False, allow_subnormal=False)


@settings(max_examples=30, deadline=None)
@given(x=finite, a=coef, b=coef)
def test_linearity(x, a, b):
    f, g = np.sin, np.exp
    lhs = derivative(lambda t: a * f(t) + b * g(t), x)
    rhs = a * derivative(f, x).df + b * derivative(g, x).df
    assert abs(lhs.df - rhs) <= lhs.error + 1e-13 * (abs(a) + abs(b)) * (1 + abs(rhs))


@settings(max_examples=30, deadline=None)
@given(x=finite)
def test_product_rule(x):
    f, g = np.sin, lambda t: np.exp(0.5 * t)
    prod = derivative(lambda t: f(t) * g(t), x)
    df, dg = derivative(f, x), derivative(g, x)
    expected = df.df * g(x) + f(x) * dg.df
    bound = prod.error + df.error * abs(g(x)) + dg.error * abs(f(x)) + 1e-14
    assert abs(prod.df - expected) <= bound


@settings(max_examples=30, deadline=None)
@given(x=finite, c=st.lists(coef, min_size=1, max_size=6), n=st.integers(1, 3))
def test_polynomials(x, c, n):
    p = np.polynomial.Polynomial(c)
    true = p.deriv(n)(x)
    scale = np.polynomial.Polynomial(np.abs(c)).deriv(n)(abs(x) + 1) + 1
    # an absolute tolerance: the derivative may be zero (a constant, an extremum)
    res = derivative(p, x, n=n, atol=1e-8 * scale)
    assert res.success
    assert abs(res.df - true) <= max(float(res.error), 1e-10 * scale)


@settings(max_examples=25, deadline=None)
@given(x=st.lists(finite, min_size=1, max_size=5))
def test_gradient_of_a_quadratic_form(x):
    x = np.asarray(x)
    A = np.arange(1.0, x.size**2 + 1).reshape(x.size, x.size)
    A = A + A.T
    res = gradient(lambda z: 0.5 * np.einsum("ik,ij,jk->k", z, A, z), x)
    assert np.allclose(res.df, A @ x, rtol=1e-12, atol=1e-10 * np.abs(A).sum())
