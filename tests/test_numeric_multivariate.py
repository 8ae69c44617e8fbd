"""gradient, jacobian, hessian, hessdiag, directional."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der, rosen_hess

from dfdx._core.result import Status
from dfdx.numeric import directional, gradient, hessdiag, hessian, jacobian


def _rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2, axis=0)


def _lse_sin(x):
    top = x.max(axis=0)
    lse = top + np.log(np.sum(np.exp(x - top), axis=0))
    return lse + np.sum(np.sin(x[:-1] * x[1:]), axis=0)


def _lse_sin_hess(x):
    p = np.exp(x - x.max())
    p /= p.sum()
    H = np.diag(p) - np.outer(p, p)
    i = np.arange(x.size - 1)
    s, c = np.sin(x[i] * x[i + 1]), np.cos(x[i] * x[i + 1])
    H[i, i] -= s * x[i + 1] ** 2
    H[i + 1, i + 1] -= s * x[i] ** 2
    H[i, i + 1] += c - s * x[i] * x[i + 1]
    H[i + 1, i] += c - s * x[i] * x[i + 1]
    return H


def test_gradient_costs_a_few_calls_not_m():
    calls = []

    def f(x):
        calls.append(x.shape)
        return _rosen(x)

    x = np.random.default_rng(0).uniform(-1, 1, 50)
    res = gradient(f, x)
    assert res.df.shape == (50,)
    assert np.max(np.abs(res.df - rosen_der(x))) <= 1e-11 * np.max(np.abs(rosen_der(x)))
    assert np.all(np.abs(res.df - rosen_der(x)) <= res.error)
    assert len(calls) < 12
    assert all(s[0] == 50 for s in calls)  # points stacked along a new last axis


@pytest.mark.parametrize(("f", "exact"), [(_rosen, rosen_hess), (_lse_sin, _lse_sin_hess)])
def test_hessian_accuracy(f, exact):
    x = np.random.default_rng(1).uniform(-1, 1, 20)
    res = hessian(f, x)
    H = exact(x)
    assert res.df.shape == (20, 20)
    assert np.array_equal(res.df, res.df.T)
    assert np.max(np.abs(res.df - H)) <= 1e-9 * np.max(np.abs(H))
    assert np.all(np.abs(res.df - H) <= res.error)
    assert res.success[H != 0].all()  # zero entries meet no relative tolerance...
    assert hessian(f, x, atol=1e-8).success.all()  # ... but an absolute one


def test_hessdiag_matches_hessian_diagonal():
    x = np.random.default_rng(2).uniform(-1, 1, 6)
    d = hessdiag(_lse_sin, x)
    assert np.allclose(d.df, np.diag(_lse_sin_hess(x)), rtol=1e-10, atol=1e-12)


def test_jacobian_of_vector_function_and_output_shapes():
    def f(x):
        return np.stack([x[0] * x[1], np.sin(x[0]) + x[2] ** 2])

    x = np.array([0.5, 2.0, -1.0])
    res = jacobian(f, x)
    expected = [[2.0, 0.5, 0.0], [np.cos(0.5), 0.0, -2.0]]
    assert res.df.shape == res.error.shape == res.status.shape == (2, 3)
    assert np.allclose(res.df, expected, rtol=1e-12, atol=1e-13)


def test_scalar_only_functions_match_vectorised():
    x = np.array([0.3, -0.2, 0.8])
    seen = []

    def scalar(x):
        seen.append(x.shape)
        return float(rosen(x))

    a = gradient(scalar, x, vectorized=False, workers=2)
    b = gradient(_rosen, x)
    assert np.allclose(a.df, b.df, rtol=1e-13, atol=1e-13)
    assert set(seen) == {(3,)}
    h = hessian(scalar, x, vectorized=False)
    assert np.allclose(h.df, rosen_hess(x), rtol=1e-9, atol=1e-9)


def test_complex_step_gradient():
    x = np.array([0.3, -0.2, 0.8])
    res = gradient(_rosen, x, method="complex")
    assert np.allclose(res.df, rosen_der(x), rtol=1e-14, atol=1e-14)
    # f(x), the complex step, the 3-point cross-check, and f(x) again as two
    # columns (is f deterministic? a lone column would make its output ambiguous)
    assert res.nfev.max() == 7


def test_directional_derivative():
    x = np.array([0.3, -0.2, 0.8])
    v = np.array([1.0, 2.0, -0.5])
    res = directional(_rosen, x, v)
    assert float(res.df) == pytest.approx(rosen_der(x) @ v, rel=1e-12)
    second = directional(_rosen, x, v, n=2)
    assert float(second.df) == pytest.approx(v @ rosen_hess(x) @ v, rel=1e-9)


def test_point_untouched_and_args():
    x = np.array([1.0, 2.0])
    x.flags.writeable = False

    def f(z, a):
        out = a * z[0] * z[1]
        z[...] = 0.0
        return out

    res = gradient(f, x, args=(3.0,))
    assert np.allclose(res.df, [6.0, 3.0], rtol=1e-13)
    assert x.tolist() == [1.0, 2.0]


def test_status_for_failing_functions():
    res = gradient(lambda x: np.where(x[0] > 0, np.nan, x[0] + x[1]), [1.0, 2.0])
    assert (res.status == Status.NONFINITE_VALUE).all()
    edge = gradient(lambda x: np.sqrt(x[0]) + x[1], [0.0, 1.0])
    assert edge.status.tolist() == [Status.NOT_CONVERGED, Status.SUCCESS]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: gradient(_rosen, np.ones(0)), ValueError, r"`x` must be a non-empty array of"),
        (lambda: gradient(_rosen, 1.0), ValueError, r"shape \(m,\) \(one point\)"),
        (lambda: gradient(lambda x: x, [1.0, 2.0]), ValueError, "use jacobian"),
        (lambda: directional(_rosen, [1.0, 2.0], [1.0]), ValueError, r"`v` must have shape \(2,\)"),
        (lambda: directional(_rosen, [1.0, 2.0], [0.0, 0.0]), ValueError, "not all zero"),
        (
            lambda: gradient(lambda x: np.ones(3), [1.0, 2.0], vectorized=True),
            ValueError,
            r"last axis has length 1 .* pass vectorized=False",
        ),
        (lambda: gradient(lambda x: np.ones(3), [1.0, 2.0]), ValueError, "use jacobian"),
        (lambda: gradient(_rosen, [1.0, 2.0], vectorized=1), TypeError, "`vectorized` must be"),
        (
            lambda: gradient(_rosen, [1.0, 2.0], step=0.0),
            ValueError,
            "`step` must be a positive finite",
        ),
        (lambda: jacobian(_rosen, [1j, 2.0], method="complex"), TypeError, "`x` must be real"),
    ],
)
def test_validation_messages(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_inconsistent_output_shapes():
    def f(x):
        return np.ones((2 if x.shape[1] == 1 else 3, x.shape[1]))

    match = r"`f` returned outputs of shape \(3,\), earlier \(2,\); pass vectorized=False"
    with pytest.raises(ValueError, match=match):
        jacobian(f, [1.0, 2.0], vectorized=True)
