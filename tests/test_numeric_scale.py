"""``scale``: the first adaptive step follows the length on which f varies."""

from __future__ import annotations

import numpy as np
import pytest

from dfdx._core.result import Status
from dfdx.numeric import derivative, gradient, hessian

W = 1e-6  # width of a narrow bump on a smooth background


def _bump(x):
    return np.sin(x) + 1e-8 * np.exp(-((x / W) ** 2))


def _bump_prime(x):
    return np.cos(x) - 2e-8 * x / W**2 * np.exp(-((x / W) ** 2))


def test_default_first_step_misses_a_narrow_feature_and_scale_finds_it():
    x = np.array([1e-6, -5e-7, 2e-6])
    true = _bump_prime(x)
    blind = derivative(_bump, x)  # the first steps (~0.05) only see sin
    assert np.all(np.abs(blind.df - np.cos(x)) < 1e-9)
    res = derivative(_bump, x, scale=W)
    np.testing.assert_allclose(res.df, true, rtol=1e-11)
    assert res.success.all()
    assert np.all(np.abs(res.df - true) <= res.error)


def test_scale_broadcasts_with_x_and_keeps_accuracy_elsewhere():
    x = np.linspace(0.1, 3.0, 40)
    res = derivative(np.exp, x, scale=np.full((1,), 0.01), n=2)
    # steps from 0.005 instead of 0.5: more rounding, within the bound and the tolerance
    assert res.success.all()
    assert np.all(np.abs(res.df - np.exp(x)) <= res.error)
    np.testing.assert_allclose(res.df, np.exp(x), rtol=1e-6)
    cx = derivative(np.sin, x, scale=0.1, method="complex")
    np.testing.assert_allclose(cx.df, np.cos(x), rtol=1e-14)


def test_scale_per_variable_in_the_multivariate_functions():
    def f(p):
        return _bump(p[0]) + p[1] ** 2

    x = np.array([1e-6, 0.5])
    g = gradient(f, x, scale=[W, 1.0])
    true = np.array([_bump_prime(1e-6), 1.0])
    np.testing.assert_allclose(g.df, true, rtol=1e-8)
    assert np.all(np.abs(g.df - true) <= g.error)
    assert g.success.all()
    blind = gradient(f, x)
    assert abs(blind.df[0] - np.cos(1e-6)) < 1e-9  # the bump unseen
    H = hessian(lambda p: np.exp(p[0] * p[1]), [0.3, 0.2], scale=0.05)
    e = np.exp(0.06)
    true = [[0.04 * e, e * (1 + 0.06)], [e * (1 + 0.06), 0.09 * e]]
    np.testing.assert_allclose(H.df, true, rtol=1e-8)
    assert (H.status == Status.SUCCESS).all()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"scale": 0.0}, ValueError, r"`scale` must be positive and finite, got 0\.0"),
        ({"scale": [1.0, np.inf]}, ValueError, r"`scale` must be positive and finite"),
        ({"scale": "big"}, TypeError, r"`scale` must be a positive number or array"),
        ({"scale": 1.0, "step": 0.1}, ValueError, r"`scale` sets the first adaptive step"),
        ({"scale": [1.0, 2.0, 3.0]}, ValueError, r"`scale` must broadcast with `x` of shape"),
    ],
)
def test_invalid_scales_are_refused(kwargs, error, match):
    with pytest.raises(error, match=match):
        derivative(np.sin, [1.0, 2.0], **kwargs)


def test_invalid_scales_are_refused_per_variable():
    with pytest.raises(ValueError, match=r"one entry per variable \(2\), got shape \(3,\)"):
        gradient(lambda p: p[0] * p[1], [1.0, 2.0], scale=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"`scale` must be positive and finite"):
        hessian(lambda p: p[0] * p[1], [1.0, 2.0], scale=-1.0)
