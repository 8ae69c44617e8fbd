"""dfdx.propagate against analytic propagation; dfdx.hessp and the SciPy recipes."""

import math

import numpy as np
import pytest
from scipy import optimize

import dfdx


def _f(v):
    return np.stack([v[0] * v[1], np.sin(v[0]) * np.exp(v[2]), v[1] ** 2 / v[2]])


def _jac(v):
    a, b, c = v
    return np.array(
        [
            [b, a, 0.0],
            [np.cos(a) * np.exp(c), 0.0, np.sin(a) * np.exp(c)],
            [0.0, 2 * b / c, -(b**2) / c**2],
        ]
    )


X = np.array([0.7, 1.3, 2.1])
A = np.array([[0.3, 0.1, 0.0], [0.1, 0.2, 0.05], [0.0, 0.05, 0.4]])
COV = A @ A.T


def test_vector_function_by_ad_matches_analytic():
    r = dfdx.propagate(_f, X, COV)
    assert r.method == "ad"
    assert "automatic differentiation" in r.message
    J = _jac(X)
    np.testing.assert_allclose(r.cov, J @ COV @ J.T, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(r.y, _f(X), rtol=1e-15)
    np.testing.assert_array_equal(r.error, 0.0)
    y, cov_y = r
    assert cov_y is r.cov
    assert y is r.y
    np.testing.assert_allclose(cov_y, cov_y.T, rtol=0, atol=0)


def test_numeric_jacobian_error_estimate_bounds_the_true_error():
    def f(v):  # math.exp does not trace: numerical Jacobian
        a, b, c = (float(t) for t in v)
        return np.array([a * b, math.sin(a) * math.exp(c), b**2 / c])

    r = dfdx.propagate(f, X, COV)
    assert r.method == "numeric"
    assert "numerical differentiation" in r.message
    assert "TypeError" in r.message or "Error" in r.message
    J = _jac(X)
    true = J @ COV @ J.T
    err = np.abs(r.cov - true)
    assert np.all(err <= r.error + 1e-15 * np.abs(true))
    assert np.all(r.error < 1e-8 * np.max(np.abs(true)))
    forced = dfdx.propagate(_f, X, COV, method="numeric")
    assert forced.method == "numeric"
    assert "method='numeric' given" in forced.message
    assert np.all(np.abs(forced.cov - true) <= forced.error + 1e-15)


def test_scalar_function_and_variances():
    sig = np.array([0.1, 0.2])
    y, var = dfdx.propagate(lambda v: v[0] * v[1], [2.0, 3.0], sig**2)
    assert np.ndim(var) == 0
    assert float(y) == 6.0
    assert float(var) == pytest.approx(3**2 * 0.1**2 + 2**2 * 0.2**2, rel=1e-15)
    # scalar x, scalar variance: var(exp(x)) = exp(2x) s^2
    y, var = dfdx.propagate(np.exp, 0.5, 0.01)
    assert float(var) == pytest.approx(np.exp(1.0) * 0.01, rel=1e-15)
    # linear f: exact
    M = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])
    _, cov_y = dfdx.propagate(lambda v: M @ v, X, COV)
    np.testing.assert_allclose(cov_y, M @ COV @ M.T, rtol=1e-15, atol=1e-16)


def test_propagate_agrees_with_jacobi():
    jacobi = pytest.importorskip("jacobi")
    y_ref, cov_ref = jacobi.propagate(_f, X, COV)
    y, cov = dfdx.propagate(_f, X, COV)
    np.testing.assert_allclose(y, y_ref, rtol=1e-14)
    np.testing.assert_allclose(cov, cov_ref, rtol=1e-8)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"cov": np.ones(2)}, ValueError, r"`cov` as variances must have 3 entries"),
        ({"cov": np.ones((2, 2))}, ValueError, r"`cov` must be a \(3, 3\) covariance"),
        ({"cov": np.diag([1.0, -1.0, 1.0])}, ValueError, r"`cov` must be positive semi-definite"),
        ({"cov": np.triu(np.ones((3, 3)))}, ValueError, r"`cov` must be symmetric"),
        ({"cov": np.full(3, np.nan)}, ValueError, r"`cov` must contain only finite"),
        ({"cov": np.array(["a"] * 3)}, TypeError, r"`cov` must be an array of real numbers"),
        ({"x": np.ones((3, 1))}, ValueError, r"`x` must be a scalar or 1-D"),
        ({"method": "fd"}, ValueError, r"`method` must be one of"),
        ({"f": 3}, TypeError, r"`f` must be callable"),
    ],
)
def test_propagate_bad_input(kwargs, error, match):
    call = {"f": _f, "x": X, "cov": COV, **kwargs}
    with pytest.raises(error, match=match):
        dfdx.propagate(call.pop("f"), call.pop("x"), call.pop("cov"), **call)


def _rosen(x, a, b):
    return np.sum(b * (x[1:] - x[:-1] ** 2) ** 2 + (a - x[:-1]) ** 2)


def test_hessp_has_scipy_signature_and_matches_the_hessian():
    x = np.array([-1.2, 1.0, 0.8, 1.1])
    p = np.array([0.3, -1.0, 2.0, 0.5])
    hp = dfdx.hessp(_rosen)
    got = hp(x, p, 1.0, 100.0)
    H = dfdx.hessian(_rosen)(x, 1.0, 100.0)
    np.testing.assert_allclose(got, H @ p, rtol=1e-14)
    np.testing.assert_allclose(
        got, optimize.rosen_hess_prod(x, p), rtol=1e-14
    )  # SciPy's own analytic product
    with pytest.raises(ValueError, match=r"`p` must have the shape of `x`"):
        hp(x, p[:2], 1.0, 100.0)
    with pytest.raises(TypeError, match=r"`f` must be callable"):
        dfdx.hessp(None)


@pytest.mark.parametrize("method", ["Newton-CG", "trust-krylov", "trust-ncg"])
def test_minimize_with_jac_hess_and_hessp_and_args(method):
    x0 = np.array([1.3, 0.7, 0.8, 1.9])
    args = (1.0, 100.0)
    r = optimize.minimize(
        _rosen, x0, args, method, dfdx.grad(_rosen), hessp=dfdx.hessp(_rosen), tol=1e-8
    )
    assert r.success
    np.testing.assert_allclose(r.x, 1.0, atol=1e-5)
    r2 = optimize.minimize(
        _rosen, x0, args, method, dfdx.grad(_rosen), hess=dfdx.hessian(_rosen), tol=1e-8
    )
    assert r2.success
    np.testing.assert_allclose(r2.x, 1.0, atol=1e-5)
