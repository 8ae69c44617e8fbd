"""Multivariate numeric derivatives at many points, per-entry status, one-point functions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import rosen_der, rosen_hess

from dfdx._core.result import Status
from dfdx.numeric import directional, gradient, hessdiag, hessian, jacobian


def _rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2, axis=0)


def _vec(x):
    return np.stack([x[0] * np.sin(x[1]), np.exp(x[0] - x[2]), x[1] * x[2] ** 2])


def _vec_jac(x):
    return np.array(
        [
            [np.sin(x[1]), x[0] * np.cos(x[1]), 0.0],
            [np.exp(x[0] - x[2]), 0.0, -np.exp(x[0] - x[2])],
            [0.0, x[2] ** 2, 2 * x[1] * x[2]],
        ]
    )


def _vec_hess(x):
    e = np.exp(x[0] - x[2])
    return np.array(
        [
            [[0, np.cos(x[1]), 0], [np.cos(x[1]), -x[0] * np.sin(x[1]), 0], [0, 0, 0]],
            [[e, 0, -e], [0, 0, 0], [-e, 0, e]],
            [[0, 0, 0], [0, 0, 2 * x[2]], [0, 2 * x[2], 2 * x[1]]],
        ]
    )


_X = np.random.default_rng(7).uniform(-1.5, 1.5, (3, 4, 5))  # 20 points of R^3
_CASES = [
    (gradient, _rosen, {}),
    (jacobian, _vec, {}),
    (hessian, _rosen, {}),
    (hessian, _vec, {}),
    (hessian, _rosen, {"method": "complex"}),
    (hessdiag, _vec, {}),
    (gradient, _rosen, {"method": "complex"}),
]


@pytest.mark.parametrize(("func", "f", "kw"), _CASES)
def test_batched_equals_a_loop_over_points(func, f, kw):
    res = func(f, _X, **kw)
    pts = _X.reshape(3, -1)
    loop = [func(f, pts[:, j], **kw) for j in range(pts.shape[1])]
    for name in ("df", "error", "status"):
        looped = np.stack([getattr(r, name) for r in loop], axis=-1)
        batched = getattr(res, name)
        assert batched.shape == (*looped.shape[:-1], 4, 5)
        np.testing.assert_allclose(batched.reshape(looped.shape), looped, rtol=1e-14, atol=0)


def test_batched_directional_and_shapes():
    v = np.array([1.0, -2.0, 0.5])
    res = directional(_vec, _X, v)
    assert res.df.shape == (3, 4, 5)
    pts = _X.reshape(3, -1)
    exact = np.stack([_vec_jac(pts[:, j]) @ v for j in range(20)], axis=-1).reshape(3, 4, 5)
    assert np.all(np.abs(res.df - exact) <= res.error)
    assert np.max(np.abs(res.df - exact)) < 1e-11


def test_batched_accuracy_against_exact_derivatives():
    pts = _X.reshape(3, -1)
    g = gradient(_rosen, _X)
    G = np.stack([rosen_der(pts[:, j]) for j in range(20)], axis=-1).reshape(3, 4, 5)
    assert g.success.all()
    assert np.all(np.abs(g.df - G) <= g.error)
    J = jacobian(_vec, _X)
    JJ = np.stack([_vec_jac(pts[:, j]) for j in range(20)], axis=-1).reshape(3, 3, 4, 5)
    assert J.df.shape == (3, 3, 4, 5)
    assert np.all(np.abs(J.df - JJ) <= J.error)
    H = hessian(_vec, _X)
    HH = np.stack([_vec_hess(pts[:, j]) for j in range(20)], axis=-1).reshape(3, 3, 3, 4, 5)
    assert H.df.shape == (3, 3, 3, 4, 5)
    assert np.max(np.abs(H.df - HH)) < 1e-8
    assert np.all(np.abs(H.df - HH) <= H.error)


def test_calls_of_f_do_not_grow_with_the_points():
    counts = []
    for P in (1, 1000):
        calls = []

        def f(x, calls=calls):
            calls.append(x.shape)
            return _rosen(x)

        x = np.random.default_rng(P).uniform(-1, 1, (4, P))
        gradient(f, x if P > 1 else x[:, 0])
        counts.append(len(calls))
        assert all(len(s) <= 2 and s[0] == 4 for s in calls)
    assert counts[1] <= counts[0] + 2


def test_one_nonfinite_output_flags_only_its_entries():
    def f(x):
        return np.stack([x[0] * x[1], np.log(x[0] - 10.0), np.where(x[1] > 2.5, np.nan, x[1] ** 2)])

    res = jacobian(f, [1.0, 2.5])
    assert res.status[0].tolist() == [Status.SUCCESS, Status.SUCCESS]
    np.testing.assert_allclose(res.df[0], [2.5, 1.0], rtol=1e-13)
    assert (res.status[1] == Status.NONFINITE_VALUE).all()
    assert np.isnan(res.df[1]).all()
    # the third output is finite at the point but NaN just to its right
    assert res.status[2, 0] == Status.SUCCESS
    assert res.df[2, 0] == 0.0
    assert res.status[2, 1] in (Status.ONE_SIDED, Status.NONFINITE_VALUE)
    if res.status[2, 1] == Status.ONE_SIDED:
        assert abs(res.df[2, 1] - 5.0) <= res.error[2, 1] <= 1e-6
    assert not res.success.all()


def test_failures_are_flagged_per_point():
    x = np.array([[1.0, np.nan, -1.0, 2.0], [1.0, 1.0, 1.0, 1.0]])

    def f(p):
        if np.any(p[0] == 2.0):
            raise ValueError("no")
        return np.log(p[0]) * p[1]

    res = gradient(f, x)
    assert res.status[:, 1].tolist() == [Status.NONFINITE_INPUT] * 2
    assert (res.status[:, 2] == Status.NONFINITE_VALUE).all()
    assert (res.status[:, 3] == Status.FUNCTION_ERROR).all()
    np.testing.assert_allclose(res.df[:, 0], [1.0, 0.0], rtol=1e-12, atol=1e-14)
    assert res.success[:, 0].all()
    assert not res.success[:, 1:].any()


@pytest.mark.parametrize("func", [gradient, jacobian, hessian, hessdiag])
def test_float32_in_float32_out(func):
    x = np.array([0.3, -0.2, 0.8], dtype=np.float32)
    res = func(_rosen, x)
    ref = func(_rosen, x.astype(np.float64))
    assert res.df.dtype == res.error.dtype == np.float32
    assert np.all(np.abs(res.df - ref.df) <= res.error + 1e-6 * np.abs(ref.df))
    assert np.max(np.abs(res.df - ref.df)) <= 1e-3 * np.max(np.abs(ref.df))


def test_jacobian_order_2():
    # adaptive: the order is the extrapolation's highest, 6 to 16; a second-order
    # stencil is the fixed-step one (documented under `order`)
    x = np.array([0.5, 1.0, -0.5])
    with pytest.raises(ValueError, match=r"even integer from 6 to 16 for n=1.*got 2.*needs `step`"):
        jacobian(_vec, x, order=2)
    with pytest.raises(ValueError, match=r"even integer from 6 to 16 for n=2.*got 2"):
        hessian(_rosen, x, order=2)
    res = jacobian(_vec, x, order=2, step=1e-5)
    assert (res.status == Status.FIXED_STEP).all()
    true = _vec_jac(x)
    # a second-order stencil: error ~ h**2 times the third derivative
    assert np.max(np.abs(res.df - true)) < 1e-9
    six = jacobian(_vec, x, order=6)
    np.testing.assert_allclose(six.df, true, rtol=1e-12, atol=1e-14)


_A = np.array([[2.0, 0.5, 0.0], [0.5, 3.0, 1.0], [0.0, 1.0, 4.0]])


@pytest.mark.parametrize(
    ("f", "why"),
    [
        (lambda w: float(w @ _A @ w), "raised"),
        (lambda w: np.sum(w**2 * np.arange(1, 4)), "output of shape"),
        (lambda w: w[0] ** 2 * w[1] + np.sum(w), "other values"),
        (lambda w: np.linalg.norm(w) ** 2, "output of shape"),
        (lambda w: w[0] * w[1] + w.ravel()[0], "other values"),
    ],
)
def test_one_point_functions_are_found_out(f, why):
    x = np.array([[0.5, 1.0, -0.3], [0.2, -1.0, 2.0], [1.5, 0.0, 0.7]])  # 3 points
    res = gradient(f, x)
    pts = [x[:, j] for j in range(3)]
    loop = np.stack([gradient(f, p, vectorized=False).df for p in pts], axis=-1)
    np.testing.assert_array_equal(res.df, loop)
    assert "one call per point" in res.message
    assert why in res.message
    assert "vectorized=False" in res.message
    one = gradient(f, pts[0])
    np.testing.assert_array_equal(one.df, loop[:, 0])
    assert "one call per point" in one.message
    H = hessian(f, pts[0], atol=1e-8)  # (zero entries: success needs an atol)
    assert H.success.all()
    assert "one call per point" in H.message


def test_vectorised_functions_are_not_flagged():
    for f in (_rosen, lambda p: p[0] ** 2 + p[1], lambda p: np.sum(p**2, axis=0)):
        res = gradient(f, np.ones((3, 4)))
        assert "one call per point" not in res.message
    calls = []

    def f(x):
        calls.append(x.shape)
        return _rosen(x)

    gradient(f, np.ones(3), vectorized=True)
    assert (3,) not in calls  # no single-point probe when the user says so


def test_shape_errors_name_vectorized_false():
    with pytest.raises(ValueError, match=r"got shape \(\); pass vectorized=False"):
        gradient(lambda w: np.sum(w**2), [1.0, 2.0], vectorized=True)
    with pytest.raises(ValueError, match=r"`step` must be a scalar or have one entry per"):
        gradient(_rosen, [1.0, 2.0], step=[0.1, 0.1, 0.1])


def test_complex_step_hessian_is_exact_to_rounding():
    x = np.random.default_rng(3).uniform(-1, 1, 8)
    res = hessian(_rosen, x, method="complex")
    H = rosen_hess(x)
    assert np.array_equal(res.df, res.df.T)
    assert res.success[H != 0].all()
    assert hessian(_rosen, x, method="complex", atol=1e-8).success.all()
    assert np.max(np.abs(res.df - H)) <= 1e-13 * np.max(np.abs(H))
    assert np.all(np.abs(res.df - H) <= res.error)
    plain = hessian(_rosen, x)
    assert np.max(np.abs(res.df - H)) < np.max(np.abs(plain.df - H))


def test_complex_step_hessian_of_transcendental_function():
    def f(x):
        return np.exp(x[0] * x[1]) * np.sin(x[2]) + np.log1p(x[0] ** 2)

    x = np.array([0.4, -0.7, 1.1])
    a, b, c = x
    e, s, co = np.exp(a * b), np.sin(c), np.cos(c)
    H = np.array(
        [
            [b * b * e * s + (2 - 2 * a * a) / (1 + a * a) ** 2, (1 + a * b) * e * s, b * e * co],
            [(1 + a * b) * e * s, a * a * e * s, a * e * co],
            [b * e * co, a * e * co, -e * s],
        ]
    )
    res = hessian(f, x, method="complex")
    assert np.max(np.abs(res.df - H)) <= 4e-14 * np.max(np.abs(H))
    assert np.all(np.abs(res.df - H) <= res.error)
    d = hessdiag(f, x, method="complex")
    np.testing.assert_allclose(d.df, np.diag(H), rtol=1e-13)


@pytest.mark.parametrize(
    ("f", "match"),
    [
        (lambda x: (1 + 1j) * x[0] ** 2 + x[1], "needs f real on the real axis"),
        (lambda x: np.abs(x[0] * x[1]), "drops the imaginary part"),
    ],
)
def test_complex_step_refuses_unsuitable_functions(f, match):
    for func in (hessian, gradient):
        with pytest.raises(ValueError, match=match):
            func(f, [1.0, 2.0], method="complex")


def test_hessian_of_vector_function_matches_each_output():
    x = np.array([0.5, 1.0, -0.5])
    res = hessian(_vec, x)
    assert res.df.shape == res.status.shape == (3, 3, 3)
    for k in range(3):
        one = hessian(lambda p, k=k: _vec(p)[k], x)
        assert np.all(np.abs(res.df[k] - one.df) <= res.error[k] + one.error)
    np.testing.assert_allclose(res.df, _vec_hess(x), rtol=1e-8, atol=1e-9)


def test_complex_valued_functions_keep_their_imaginary_part():
    x = np.array([0.3, -0.7, 1.2])
    res = hessian(lambda p: 1j * np.sum(p * p, axis=0) + p[0] * p[1], x)
    assert res.df.dtype == np.complex128
    exact = 2j * np.eye(3)
    exact[0, 1] = exact[1, 0] = 1.0
    np.testing.assert_allclose(res.df, exact, atol=1e-9)
    J = jacobian(lambda p: np.stack([np.exp(1j * p[0]), p[1] * p[2]]), x)
    np.testing.assert_allclose(J.df[0], [1j * np.exp(0.3j), 0, 0], atol=1e-12)


def test_one_point_output_with_singleton_axes_is_still_vectorised():
    # np.vstack of scalars gives (2, 1) for one point, (2, K) for a batch
    def f(x):
        return np.vstack((x[0] * x[1] * x[2] ** 2, x[0] * x[1] * x[2]))

    x = np.array([[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]])
    res = jacobian(f, x)
    assert res.df.shape == (2, 3, 2)
    assert "one call per point" not in res.message
    exact = [[[18.0, 180.0], [9.0, 144.0], [12.0, 240.0]], [[6.0, 30.0], [3.0, 24.0], [2.0, 20.0]]]
    np.testing.assert_allclose(res.df, exact, rtol=1e-12)


@pytest.mark.parametrize("method", ["forward", "backward", "central"])
def test_outputs_independent_of_a_variable_have_exact_zero_derivatives(method):
    def f(w):
        return np.stack([7.3 * w[0], 2.0 * w[1], w[1] ** 3])

    res = jacobian(f, [1.0, 2.0], method=method)
    assert res.df[0, 1] == 0.0
    assert res.df[1, 0] == 0.0
    assert res.df[2, 0] == 0.0
    np.testing.assert_allclose(res.df[2, 1], 12.0, rtol=1e-10)


def test_complex_points_of_a_holomorphic_function():
    z = np.array([[1 + 1j, 0.5], [2 - 0.5j, -1j]])  # two points of C^2

    def f(p):
        return np.sin(p[0]) * p[1]

    g = gradient(f, z)
    exact = np.stack([np.cos(z[0]) * z[1], np.sin(z[0])])
    assert g.df.dtype == np.complex128
    np.testing.assert_allclose(g.df, exact, rtol=1e-12)
    assert np.all(np.abs(g.df - exact) <= g.error)
    H = hessian(f, z)
    np.testing.assert_allclose(H.df[0, 1], np.cos(z[0]), rtol=1e-9)


@pytest.mark.parametrize("func", [gradient, hessian, hessdiag])
def test_complex_step_of_code_that_drops_the_imaginary_part_is_flagged(func):
    # abs() keeps the result complex here (x[1] is complex) but loses d/dx0
    res = func(lambda x: np.abs(x[0]) * x[1] + x[1] ** 2, [1.0, 2.0], method="complex")
    assert not res.success.any()
    assert (res.status == Status.NOT_DIFFERENTIABLE).all()
    assert "disagrees with a central difference" in res.message
    ok = func(lambda x: np.sin(300 * x[0]) * x[1] + x[1] ** 2, [0.3, 0.7], method="complex")
    assert ok.success.all()
