"""Hypothesis properties of dfdx.ad: linearity, product rule, forward == reverse, exactness."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dfdx.ad import derivative, grad, jacobian, jvp, vjp

SETTINGS = settings(max_examples=30, deadline=None)

POOL = [
    np.sin,
    np.exp,
    np.tanh,
    np.arctan,
    lambda x: x**2,
    lambda x: np.log1p(x**2),
    lambda x: np.sqrt(1 + x**2),
    lambda x: x * np.cos(x),
]

floats = st.floats(-1.5, 1.5, allow_nan=False)
vec = st.lists(floats, min_size=3, max_size=3).map(np.array)
picks = st.lists(st.integers(0, len(POOL) - 1), min_size=1, max_size=3)


def _compose(idx):
    M = np.array([[1.0, -0.5, 0.2], [0.3, 0.8, -0.4], [-0.6, 0.1, 0.9]])

    def f(x):
        for i in idx:
            x = POOL[i](M @ x) * 0.8
        return x

    return f


@SETTINGS
@given(picks, vec, vec, vec, floats, floats)
def test_jvp_is_linear_in_the_tangent(idx, x, u, v, a, b):
    f = _compose(idx)
    lhs = jvp(f, (x,), (a * u + b * v,))[1]
    rhs = a * jvp(f, (x,), (u,))[1] + b * jvp(f, (x,), (v,))[1]
    np.testing.assert_allclose(lhs, rhs, rtol=1e-9, atol=1e-9)


@SETTINGS
@given(picks, vec, vec, vec)
def test_forward_equals_reverse(idx, x, u, v):
    f = _compose(idx)
    t = jvp(f, (x,), (v,))[1]
    _, back = vjp(f, x)
    assert np.isclose(u @ t, back(u)[0] @ v, rtol=1e-9, atol=1e-9)


@SETTINGS
@given(picks, picks, vec)
def test_product_rule(i1, i2, x):
    f, g = _compose(i1), _compose(i2)

    def fs(x):
        return np.sum(f(x))

    def gs(x):
        return np.sum(g(x))

    lhs = grad(lambda x: fs(x) * gs(x))(x)
    rhs = grad(fs)(x) * gs(x) + fs(x) * grad(gs)(x)
    np.testing.assert_allclose(lhs, rhs, rtol=1e-9, atol=1e-9)


@SETTINGS
@given(picks, vec)
def test_batched_jacobian_equals_looped_jvps(idx, x):
    f = _compose(idx)
    J = jacobian(f, mode="forward")(x)
    cols = np.stack([jvp(f, (x,), (e,))[1] for e in np.eye(3)], axis=1)
    np.testing.assert_allclose(J, cols, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(jacobian(f, mode="reverse")(x), J, rtol=1e-10, atol=1e-12)


@SETTINGS
@given(st.lists(st.floats(-3, 3), min_size=1, max_size=6), st.integers(0, 7), vec)
def test_taylor_mode_exact_on_polynomials(coefs, n, x):
    p = np.poly1d(coefs)
    np.testing.assert_allclose(derivative(p, n)(x), p.deriv(n)(x), rtol=1e-9, atol=1e-8)


@SETTINGS
@given(st.integers(0, len(POOL) - 1), vec)
def test_vectorised_equals_looped(i, x):
    f = POOL[i]
    vectorised = grad(lambda x: np.sum(f(x)))(x)
    looped = np.array([grad(f)(xi) for xi in x])
    np.testing.assert_allclose(vectorised, looped, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(derivative(f, 1)(x), looped, rtol=1e-12, atol=1e-14)
