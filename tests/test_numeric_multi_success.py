"""``success`` of the multivariate functions means the tolerance was met, per entry.

The same test as :func:`dfdx.numeric.derivative`: an entry is a success only
where its error bound is within ``atol + rtol * |df|``, with per-order default
tolerances (second derivatives: those of ``n=2``); float32 keeps float32.
References are analytic.
"""

from __future__ import annotations

import numpy as np
import pytest

from dfdx._core.result import Status
from dfdx.numeric import directional, gradient, hessdiag, hessian, jacobian
from dfdx.numeric._tolerance import default_atol, success_rtol

X = np.array([0.7, -0.4, 1.3])


def _f(x):
    return np.exp(x[0]) * np.sin(x[1]) + x[2] ** 3 * x[0]


def _grad(x):
    return np.array(
        [np.exp(x[0]) * np.sin(x[1]) + x[2] ** 3, np.exp(x[0]) * np.cos(x[1]), 3 * x[2] ** 2 * x[0]]
    )


def _hess(x):
    e, s, c = np.exp(x[0]), np.sin(x[1]), np.cos(x[1])
    return np.array(
        [
            [e * s, e * c, 3 * x[2] ** 2],
            [e * c, -e * s, 0.0],
            [3 * x[2] ** 2, 0.0, 6 * x[2] * x[0]],
        ]
    )


def _vec(x):
    return np.stack([_f(x), x[0] * x[1], np.cos(x[2])])


CASES = [
    (lambda **k: gradient(_f, X, **k), _grad(X), 1),
    (lambda **k: jacobian(_vec, X, **k), None, 1),
    (lambda **k: hessdiag(_f, X, **k), np.diag(_hess(X)), 2),
    (lambda **k: hessian(_f, X, **k), _hess(X), 2),
    (lambda **k: hessian(_f, X, method="complex", **k), _hess(X), 2),
    (lambda **k: directional(_f, X, [1.0, 2.0, -1.0], n=3, **k), None, 3),
]


def _expected(res, rtol, atol):
    usable = (res.status >= 0) | (res.status == Status.NOT_CONVERGED)
    usable &= res.status != Status.FIXED_STEP
    return usable & (res.error <= atol + rtol * np.abs(res.df))


@pytest.mark.parametrize(("call", "exact", "n"), CASES)
def test_success_is_the_default_tolerance_per_entry(call, exact, n):
    res = call()
    rtol, atol = success_rtol(np.finfo(float).eps, n), default_atol(np.float64)
    np.testing.assert_array_equal(res.success, _expected(res, rtol, atol))
    if exact is not None:
        ok = res.success
        assert ok[exact != 0].all()  # a nonzero entry of a smooth f meets it
        assert np.all(np.abs(res.df - exact)[ok] <= rtol * np.abs(exact[ok]))


@pytest.mark.parametrize(("call", "exact", "n"), CASES)
def test_a_tight_rtol_turns_entries_not_converged(call, exact, n):
    res = call(rtol=1e-15)
    np.testing.assert_array_equal(res.success, _expected(res, 1e-15, default_atol(np.float64)))
    assert (res.status == Status.NOT_CONVERGED).any()
    loose = call(rtol=1e-3, atol=1e-3)
    np.testing.assert_array_equal(loose.success, _expected(loose, 1e-3, 1e-3))
    assert loose.success.all()


def test_zero_entries_of_a_hessian_need_an_atol():
    res = hessian(_f, X)
    assert not res.success[1, 2]
    assert res.status[1, 2] == Status.NOT_CONVERGED
    assert abs(res.df[1, 2]) <= res.error[1, 2] < 1e-8
    assert hessian(_f, X, atol=1e-8).success.all()


def test_structural_zeros_of_a_jacobian_are_exact_and_successful():
    # an output that does not move along a variable: 0 exactly, error 0
    res = jacobian(lambda x: np.stack([np.sin(x[0]), x[1] ** 2]), [1.0, 2.0])
    assert res.df[0, 1] == 0.0
    assert res.error[0, 1] == 0.0
    assert res.success.all()


def test_float32_keeps_float32_and_its_tolerance():
    x32 = X.astype(np.float32)
    eps = float(np.finfo(np.float32).eps)
    for res, exact, n in (
        (gradient(_f, x32), _grad(X), 1),
        (hessian(_f, x32, atol=1e-2), _hess(X), 2),
    ):
        assert res.df.dtype == np.float32
        assert res.error.dtype == np.float32
        rtol = success_rtol(eps, n)
        atol = default_atol(np.float32) if n == 1 else 1e-2
        np.testing.assert_array_equal(res.success, _expected(res, rtol, atol))
        ok = res.success & (exact != 0)
        assert ok.any()
        assert np.all(np.abs(res.df - exact)[ok] <= 2 * rtol * np.abs(exact[ok]))


@pytest.mark.parametrize("method", ["auto", "complex"])
def test_a_function_that_is_not_deterministic_is_not_a_success(method):
    # a factor that changes per call looks smooth within one call: f(x) is
    # evaluated once more and compared with the first call
    rng = np.random.default_rng(2)

    def f(x):
        return np.sum(x**2, axis=0) * (1.0 + rng.random())

    for call in (gradient, hessdiag):
        res = call(f, [1.0, 2.0], vectorized=True, method=method)
        assert (res.status == Status.NOT_CONVERGED).all()
        assert (res.error >= np.abs(res.df)).all()
        assert "not deterministic" in res.message
    many = gradient(f, np.ones((2, 100)), vectorized=True)  # a sample of the points: all flagged
    assert not many.success.any()
    same = gradient(lambda x: np.sum(x**2, axis=0), np.ones((2, 100)), vectorized=True)
    assert same.success.all()
    assert "deterministic" not in same.message


def test_determinism_check_at_one_point_of_a_squeezing_function():
    # .squeeze() turns one column (m, 1) into shape (2,): the check evaluates
    # its single point twice, never a lone column
    def f(xy):
        return np.array([np.cos(xy[0] * xy[1]), np.sin(xy[0] * xy[1])]).squeeze()

    x, y = 0.7, 1.3
    res = hessian(f, [x, y], atol=1e-8)
    c, s = np.cos(x * y), np.sin(x * y)
    true = np.array(
        [
            [[-y * y * c, -s - x * y * c], [-s - x * y * c, -x * x * c]],
            [[-y * y * s, c - x * y * s], [c - x * y * s, -x * x * s]],
        ]
    )
    np.testing.assert_allclose(res.df, true, rtol=1e-8)
    assert res.success.all()
