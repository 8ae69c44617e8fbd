"""The dfdx.ad API: grad, value_and_grad, jacobian, hessian, hvp, jvp, vjp, derivative."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sc

from dfdx import ad
from dfdx.ad import derivative, grad, hessian, hvp, jacobian, jvp, value_and_grad, vjp
from dfdx.testing import check_grads


def rosen(x):
    return np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def rosen_grad(x):
    g = np.zeros_like(x)
    g[:-1] = -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
    g[1:] += 200 * (x[1:] - x[:-1] ** 2)
    return g


def test_grad_scalar_and_type():
    g = grad(lambda x: x**2 + 1)(3.0)
    assert isinstance(g, np.float64)
    assert g == 6.0
    assert grad(lambda x: x**2)(np.int64(3)) == 6.0


def test_grad_rosenbrock_matches_hand_gradient():
    x = np.linspace(-1.0, 1.5, 7)
    np.testing.assert_allclose(grad(rosen)(x), rosen_grad(x), rtol=1e-13)


def test_value_and_grad():
    v, g = value_and_grad(rosen)(np.array([1.0, 2.0]))
    assert v == rosen(np.array([1.0, 2.0]))
    np.testing.assert_allclose(g, rosen_grad(np.array([1.0, 2.0])))


def test_float32_gradient_keeps_dtype():
    x = np.array([0.5, 1.0], dtype=np.float32)
    g = grad(lambda x: np.sum(np.sin(x) * 2.0))(x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 2 * np.cos(x), rtol=1e-6)


def test_argnums_and_kwargs():
    def f(a, b, c, scale=1.0):
        return scale * np.sum(a * b**2) + c

    ga, gb = grad(f, argnums=(0, 1))(np.ones(2), np.array([1.0, 2.0]), 5.0, scale=2.0)
    np.testing.assert_allclose(ga, [2.0, 8.0])
    np.testing.assert_allclose(gb, [4.0, 8.0])


def test_nested_structures():
    def f(p):
        return np.sum(p["w"] * p["xs"][0]) + p["xs"][1][0] ** 2 * p["b"]

    p = {"w": np.array([1.0, 2.0]), "xs": (np.array([3.0, 4.0]), [5.0]), "b": 2.0}
    g = grad(f)(p)
    assert set(g) == {"w", "xs", "b"}
    np.testing.assert_allclose(g["w"], [3.0, 4.0])
    np.testing.assert_allclose(g["xs"][0], [1.0, 2.0])
    assert isinstance(g["xs"], tuple)
    assert isinstance(g["xs"][1], list)
    assert g["xs"][1][0] == 20.0
    assert g["b"] == 25.0


def test_control_flow_on_values():
    def f(x):
        return x**2 if x > 0 else -(x**3)

    assert grad(f)(2.0) == 4.0
    assert grad(f)(-2.0) == -12.0

    def loop(x):
        while x < 10:
            x = x * 2
        return x

    assert grad(loop)(3.0) == 4.0


@pytest.mark.parametrize("mode", ["forward", "reverse", "auto"])
def test_jacobian_modes_agree(mode):
    A = np.arange(12.0).reshape(4, 3) / 10

    def f(x):
        return np.tanh(A @ x) * x[0]

    x = np.array([0.3, -0.2, 0.5])
    J = jacobian(f, mode=mode)(x)
    assert J.shape == (4, 3)
    rows = np.array([grad(lambda x, i=i: f(x)[i])(x) for i in range(4)])
    np.testing.assert_allclose(J, rows, rtol=1e-12)


def test_jacobian_shapes_and_structures():
    x = np.ones((2, 3))
    J = jacobian(lambda x: x.T * 2)(x)
    assert J.shape == (3, 2, 2, 3)
    J = jacobian(lambda a, b: (a * b, np.sum(a)), argnums=(0, 1))(np.ones(2), 3.0)
    (daa, dab), (dsa, dsb) = J
    np.testing.assert_allclose(daa, 3 * np.eye(2))
    np.testing.assert_allclose(dab, [1.0, 1.0])
    np.testing.assert_allclose(dsa, [1.0, 1.0])
    assert dsb == 0.0


def test_hessian_quadratic_and_cubic():
    A = np.array([[2.0, 1.0], [0.0, 3.0]])
    H = hessian(lambda x: x @ A @ x)(np.array([0.5, -1.0]))
    np.testing.assert_allclose(H, A + A.T)
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(hessian(lambda x: np.sum(x**3))(x), np.diag(6 * x))


@pytest.mark.parametrize(
    "f",
    [
        lambda x: np.sum(np.linalg.inv(np.outer(x, x) + 3 * np.eye(3))),
        lambda x: np.linalg.det(np.outer(x, x) + np.eye(3)),
        lambda x: np.sum(np.linalg.solve(np.outer(x, x) + np.eye(3), x)),
        lambda x: np.sum(np.linalg.eigh(np.outer(x, x) + np.diag([1.0, 2.0, 4.0]))[0] ** 2),
        lambda x: np.sum(np.linalg.cholesky(np.outer(x, x) + np.eye(3))),
    ],
    ids=["inv", "det", "solve", "eigh", "cholesky"],
)
def test_forward_over_reverse_hessian_of_linalg(f):
    # autograd has no forward rules for these; here forward-over-reverse equals
    # reverse-over-reverse
    x = np.array([0.3, -0.5, 0.8])
    H = hessian(f)(x)
    H_rr = jacobian(grad(f), mode="reverse")(x)
    np.testing.assert_allclose(H, H_rr, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(H, H.T, rtol=1e-10, atol=1e-12)


def test_hvp():
    x = np.array([0.5, -0.3, 1.2])
    v = np.array([1.0, 2.0, -1.0])
    np.testing.assert_allclose(hvp(rosen)(x, v), hessian(rosen)(x) @ v, rtol=1e-12)


def test_jvp_and_vjp_transpose_each_other():
    A = np.arange(6.0).reshape(2, 3)

    def f(x):
        return np.sin(A @ x)

    x = np.array([0.1, 0.2, 0.3])
    u = np.array([1.0, -2.0])
    v = np.array([0.5, 1.0, -1.0])
    y, t = jvp(f, (x,), (v,))
    y2, back = vjp(f, x)
    np.testing.assert_allclose(y, y2)
    assert np.isclose(u @ t, back(u)[0] @ v)


def test_higher_order_nesting():
    # third derivative by reverse-over-reverse-over-reverse and by mixed modes
    d3 = grad(grad(grad(lambda x: np.sin(x) * x)))
    x = 0.7
    exact = -3 * np.sin(x) - x * np.cos(x)
    assert np.isclose(d3(x), exact)

    def d2_fwd(x):
        return jvp(grad(lambda y: np.sin(y) * y), (x,), (1.0,))[1]

    assert np.isclose(grad(d2_fwd)(x), exact)


def test_no_perturbation_confusion():
    # d/dx [ x * d/dy (x + y) ] = 1 (the inner derivative is 1, not x-dependent)
    assert grad(lambda x: x * grad(lambda y: x + y)(1.0))(2.0) == 1.0
    assert jvp(lambda x: x * jvp(lambda y: x * y, (1.0,), (1.0,))[1], (2.0,), (1.0,))[1] == 4.0


def test_constant_function_gives_zero_gradient():
    assert grad(lambda x: 3.0)(1.0) == 0.0
    np.testing.assert_array_equal(grad(lambda x: np.float64(2.0))(np.ones(2)), [0.0, 0.0])
    np.testing.assert_array_equal(jacobian(lambda x: np.ones(2))(np.ones(3)), np.zeros((2, 3)))


def test_complex_convention():
    # holomorphic: grad == f'(z)
    z = 0.3 + 0.4j
    assert np.isclose(grad(lambda z: z**3)(z), 3 * z**2)
    assert np.isclose(grad(np.exp)(z), np.exp(z))
    # real-valued f(z): grad = df/dx - i df/dy  (the conjugate of the ascent direction)
    assert np.isclose(grad(lambda z: np.abs(z) ** 2)(z), 2 * np.conj(z))
    assert np.isclose(grad(np.abs)(3.0 + 4.0j), 0.6 - 0.8j)
    # the real part of a holomorphic function of a real variable
    assert np.isclose(grad(lambda x: np.real(np.exp(1j * x)))(0.5), -np.sin(0.5))


def test_conventions_at_kinks():
    assert grad(np.abs)(0.0) == 0.0
    assert grad(np.abs)(0j) == 0.0
    gx, gy = grad(np.maximum, argnums=(0, 1))(1.0, 1.0)
    assert (gx, gy) == (0.5, 0.5)
    gx, gy = grad(np.minimum, argnums=(0, 1))(1.0, 1.0)
    assert (gx, gy) == (0.5, 0.5)
    np.testing.assert_array_equal(grad(np.max)(np.array([1.0, 3.0, 3.0])), [0.0, 0.5, 0.5])
    # clip: derivative 1 on the closed interval, 0 outside
    np.testing.assert_array_equal(
        grad(lambda x: np.sum(np.clip(x, 0.0, 1.0)))(np.array([-1.0, 0.0, 0.5, 1.0, 2.0])),
        [0.0, 1.0, 1.0, 1.0, 0.0],
    )
    # forward mode agrees with reverse at the kinks
    assert jvp(np.maximum, (1.0, 1.0), (1.0, 0.0))[1] == 0.5


def test_prod_with_zero_is_exact():
    np.testing.assert_array_equal(grad(np.prod)(np.array([2.0, 0.0, 3.0])), [0.0, 6.0, 0.0])


def test_assignment_is_differentiated():
    def f(x):
        y = np.zeros_like(x)
        y[0] = x[0]
        for i in range(1, len(x)):
            y[i] = y[i - 1] * x[i]
        return y[-1]

    x = np.array([2.0, 3.0, 4.0])
    np.testing.assert_allclose(grad(f)(x), [12.0, 8.0, 6.0])
    np.testing.assert_allclose(
        jacobian(lambda x: f(x) * np.ones(1), mode="forward")(x)[0], [12.0, 8.0, 6.0]
    )


def test_sort_method_sorts_in_place():
    def f(x):
        y = x * 1.0
        y.sort()
        return y[0] * 10 + y[-1]

    np.testing.assert_array_equal(grad(f)(np.array([3.0, 1.0, 2.0])), [1.0, 10.0, 0.0])


def test_user_primitive_extension():
    cube = ad.primitive(lambda x: x**3, name="cube")
    ad.defjvp(cube, lambda t, ans, x: 3 * x**2 * t)
    ad.defvjp(cube, lambda g, ans, x: 3 * x**2 * g)
    assert grad(cube)(2.0) == 12.0
    assert hessian(cube)(2.0) == 12.0  # rules written with numpy are differentiable again
    np.testing.assert_allclose(jacobian(cube)(np.array([1.0, 2.0])), np.diag([3.0, 12.0]))


def test_registering_a_rule_for_a_scipy_ufunc():
    # DLMF 11.4.26 for the modified Struve function: L_v' = L_{v-1} - (v / x) L_v
    def d(ans, v, x):
        return sc.modstruve(v - 1, x) - v / x * ans

    ad.defjvp(sc.modstruve, None, lambda t, ans, v, x: t * d(ans, v, x))
    ad.defvjp(sc.modstruve, None, lambda g, ans, v, x: g * d(ans, v, x))
    assert "scipy.special.modstruve" in ad.supported_functions()
    x = np.array([0.5, 1.5])
    check_grads(lambda x: sc.modstruve(1.0, x), (x,))


@pytest.mark.parametrize("n", range(9))
def test_derivative_taylor_sin(n):
    x = np.linspace(-1, 1, 5)
    expected = np.sin(x + n * np.pi / 2)
    np.testing.assert_allclose(derivative(np.sin, n)(x), expected, atol=1e-12)


@pytest.mark.parametrize(
    ("f", "name"),
    [
        (lambda x: np.exp(x) * np.sin(x), "expsin"),
        (lambda x: np.tanh(x) / (1 + x**2), "tanh_over"),
        (lambda x: np.log1p(x) * np.sqrt(x + 2) - np.arctan(x), "mix"),
        (lambda x: np.cos(x) ** 3 + x**2.5, "powers"),
        (lambda x: np.arcsin(x / 2) + np.arccos(x / 3) + np.arcsinh(x) + np.arctanh(x / 2), "arcs"),
        (lambda x: np.tan(x) + np.sinh(x) * np.cosh(x) + np.expm1(x) + np.log2(x + 2), "more"),
        (lambda x: 2.0**x + x**x + np.reciprocal(x + 2) + np.cbrt(x + 2), "pow2"),
        (lambda x: sc.erf(x) + np.sum(x) * 0 + np.cumsum(x) * 0, "fallback"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_derivative_matches_nested_forward(f, name, n):
    x = np.array([0.3, 0.6, 0.9])
    nested = x
    fn = f
    for _ in range(n):
        fn = (lambda g: lambda y: jvp(g, (y,), (np.ones_like(y),))[1])(fn)
    nested = fn(x)
    np.testing.assert_allclose(derivative(f, n)(x), nested, rtol=1e-10, atol=1e-12)


def test_derivative_order_zero_and_polynomials():
    assert derivative(np.sin, 0)(0.5) == np.sin(0.5)
    p = np.poly1d([3.0, -2.0, 1.0, 5.0, 0.5])
    x = np.linspace(-2, 2, 7)
    for n in range(6):
        np.testing.assert_allclose(
            derivative(p, n)(x), p.deriv(n)(x) if n <= 4 else 0 * x, atol=1e-9
        )
    with pytest.raises(ValueError, match="`n` must be a non-negative integer"):
        derivative(np.sin, -1)


def test_hessian_with_several_arguments():
    def f(a, b):
        return np.sum(a**2 * b) + b[0] ** 3

    a, b = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    (haa, hab), (hba, hbb) = hessian(f, argnums=(0, 1))(a, b)
    np.testing.assert_allclose(haa, np.diag(2 * b))
    np.testing.assert_allclose(hab, np.diag(2 * a))
    np.testing.assert_allclose(hba, np.diag(2 * a))
    np.testing.assert_allclose(hbb, [[18.0, 0.0], [0.0, 0.0]])


def test_derivative_nested_in_derivative_and_in_grad():
    x = np.array([0.2, 0.7])
    # d/dx [ x * sin''(x) ] = -sin(x) - x cos(x)
    inner = derivative(np.sin, 2)
    np.testing.assert_allclose(
        derivative(lambda x: x * inner(x), 1)(x), -np.sin(x) - x * np.cos(x), rtol=1e-12
    )
    np.testing.assert_allclose(
        grad(lambda x: np.sum(derivative(np.exp, 3)(x) * x))(x), np.exp(x) * (1 + x), rtol=1e-12
    )


def test_jacobian_keeps_float32():
    x = np.array([0.5, 1.0], dtype=np.float32)
    J = jacobian(lambda x: np.sin(x) * x[0], mode="forward")(x)
    assert J.dtype == np.float32
    np.testing.assert_allclose(
        J, jacobian(lambda x: np.sin(x) * x[0])(x.astype(np.float64)), rtol=1e-6
    )


def test_derivative_results_stay_valid_across_calls():
    # large arrays go through recycled buffers: earlier results must never be reused
    x = np.linspace(0.0, 1.0, 50_000)
    d4 = derivative(lambda x: np.sin(x) * np.exp(x) + np.cosh(x), 4)
    first = d4(x)
    kept = first.copy()
    for _ in range(3):
        again = d4(x)
        assert again is not first
        np.testing.assert_array_equal(first, kept)
        np.testing.assert_allclose(
            again, -4 * np.sin(x) * np.exp(x) + np.cosh(x), rtol=1e-12, atol=1e-12
        )


def test_grad_buffers_are_recycled_safely():
    # large intermediates are recycled between calls, but never one still referenced
    x = np.linspace(0.0, 1.0, 100_000)
    kept = []

    def f(x):
        y = np.sin(x) * 2.0
        kept.append(y)  # the user keeps a traced intermediate
        return np.sum(y**2 + np.exp(x) * x)

    g1 = grad(f)(x)
    g1_copy, y1_copy = g1.copy(), kept[0].value.copy()
    for _ in range(3):
        g = grad(f)(x)
        assert g is not g1
        np.testing.assert_allclose(g, g1_copy, rtol=1e-15)
    np.testing.assert_array_equal(g1, g1_copy)
    np.testing.assert_array_equal(kept[0].value, y1_copy)


def test_dead_intermediates_are_reused_without_changing_the_gradient():
    # a long chain of large temporaries (recycled while the function runs) against the
    # same chain on arrays too small for recycling
    def f(x):
        y = x
        for k in range(30):
            y = np.sin(y) * 0.9 + x * (0.01 * k)
        return np.sum(y**2)

    x = np.linspace(-1.0, 1.0, 60_000)
    g = grad(f)(x)
    small = np.concatenate([grad(f)(part) for part in np.split(x, 600)])
    np.testing.assert_allclose(g, small, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(grad(f)(x), g)


@pytest.mark.parametrize(
    "idx",
    [
        (slice(None), slice(1, None)),
        (slice(3, -2),),
        (slice(None), slice(None, -7)),
        (slice(None, None, 2), slice(5, 9)),
        (slice(10, 5),),
        (slice(-4, None), slice(None)),
        (slice(None), slice(None)),
        (slice(2, 4), slice(1, 3)),
    ],
    ids=str,
)
def test_cotangents_of_slices(idx):
    # the reverse of basic indexing writes a band and zeroes only the rest: check both
    rng = np.random.default_rng(0)
    for shape in [(300, 400), (6, 10)]:  # large (recycled buffers) and small
        x = rng.random(shape)
        w = rng.random(x[idx].shape)
        g = grad(lambda x, idx=idx, w=w: np.sum(x[idx] * w) + np.sum(x[idx] ** 2))(x)
        want = np.zeros(shape)
        want[idx] = w + 2 * x[idx]
        np.testing.assert_array_equal(g, want)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    ("f", "df"),
    [
        (lambda x: np.sum(3 * x**2) - np.sum(-x), lambda x: 6 * x + 1),
        (lambda x: np.sum(x**2), lambda x: 2 * x),
        (lambda x: np.sum(-x) * 2.0, lambda x: -2 * np.ones_like(x)),
        (lambda x: np.mean((1 - x) ** 2), lambda x: -2 * (1 - x) / x.size),
    ],
)
def test_broadcast_scalar_cotangents_give_plain_gradients(f, df, dtype):
    # the cotangent of np.sum is a broadcast scalar and stays one through scalings:
    # the returned gradient must still be an ordinary writeable array
    x = np.linspace(-1.0, 1.0, 70_000).astype(dtype)
    g = grad(f)(x)
    assert g.dtype == dtype
    assert g.flags.writeable
    assert g.flags.c_contiguous
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-13}
    np.testing.assert_allclose(g, df(x), **tol)
    _, vjp_fn = vjp(lambda x: -3 * x, x)
    (c,) = vjp_fn(np.broadcast_to(np.ones((), dtype), x.shape))
    assert c.flags.writeable
    assert c.flags.c_contiguous
    np.testing.assert_allclose(c, -3.0)


def _chunked_grad(f, x, parts=100):
    # the same elementwise gradient from arrays too small for buffer recycling / lazy signs
    return np.concatenate([grad(f)(p) for p in np.split(x, parts)])


@pytest.mark.parametrize(
    "f",
    [
        lambda x: np.sum((np.cos(x) - np.sin(x)) ** 2),  # -g folded into x**2's pass
        lambda x: np.sum((x - x**3) ** 2),  # -g into x**3 (dense)
        lambda x: np.sum(np.exp(x) * (x - np.sin(x))),  # -g into sin (dense)
        lambda x: np.sum((x - np.exp(x)) * x - (x - np.cos(x)) ** 2),  # accumulations
        lambda x: np.sum((np.exp(x) - x) ** 2),  # a lazy -g reaching the input
        lambda x: np.sum((np.cos(x) - x**2) ** 2),  # -g folded into x**2's pass
        lambda x: np.sum((2.0 - x ** np.cos(x)) ** 2),  # -g into x ** y with y traced
    ],
)
def test_lazy_negated_cotangents(f):
    x = np.linspace(0.1, 1.0, 80_000)
    np.testing.assert_allclose(grad(f)(x), _chunked_grad(f, x), rtol=1e-13, atol=1e-13)


def test_lazy_negated_cotangents_through_slices():
    x = np.linspace(-1.0, 1.0, 70_000)

    def f(x):
        return np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2) + np.sum(
            (x[::2] - np.exp(x[[0, 2]]).sum()) ** 2
        )

    g = grad(f)(x)
    a, b = x[:-1], x[1:]
    want = np.zeros_like(x)
    want[1:] += 200 * (b - a**2)
    want[:-1] += -400 * a * (b - a**2) - 2 * (1 - a)
    r = x[::2] - np.exp(x[[0, 2]]).sum()
    want[::2] += 2 * r
    want[[0, 2]] -= 2 * r.sum() * np.exp(x[[0, 2]])
    np.testing.assert_allclose(g, want, rtol=1e-12, atol=1e-9)
    # -g through advanced indexing (made dense) with repeated indices
    p = np.random.default_rng(0).integers(0, x.size, x.size)
    g = grad(lambda x: np.sum((np.exp(x) - x[p]) ** 2))(x)
    r = np.exp(x) - x[p]
    want = 2 * r * np.exp(x)
    np.add.at(want, p, -2 * r)
    np.testing.assert_allclose(g, want, rtol=1e-12, atol=1e-9)


def test_lazy_negated_cotangents_under_forward_over_reverse():
    def f(x):
        return np.sum((np.cos(x) - x**2) ** 2 + (x - np.exp(x)) * x)

    x = np.linspace(0.1, 1.0, 60_000)
    v = np.cos(np.arange(x.size))
    want = np.concatenate(
        [hvp(f)(a, b) for a, b in zip(np.split(x, 100), np.split(v, 100), strict=True)]
    )
    np.testing.assert_allclose(hvp(f)(x, v), want, rtol=1e-13, atol=1e-13)
