"""Regressions of issue 12: wrong answers, crashes and idioms, each against an analytic value."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sc

from dfdx import ad
from dfdx.ad import TracingError, derivative, grad, hessian, jacobian, jvp, value_and_grad, vjp

X3 = np.array([0.4, -0.7, 0.9])


def _both(f, x):
    return jacobian(f, mode="forward")(x), jacobian(f, mode="reverse")(x)


# ------------------------------------------------------------------ wrong answers
def test_reverse_mode_keeps_float64():
    g = grad(lambda x: x[0] ** 2 - x[1] - x[2])(X3)
    assert g.dtype == np.float64
    assert g.tolist() == [0.8, -1.0, -1.0]  # 2 * 0.4 is 0.8 exactly in binary
    # the same through advanced indexing, einsum diagonals and a float32 argument
    assert grad(lambda x: np.sum(x[[0, 0, 2]]) * 0.1)(X3).tolist() == [0.2, 0.0, 0.1]
    assert grad(lambda a: np.einsum("ii", a) * 0.1)(np.eye(2)).tolist() == [[0.1, 0], [0, 0.1]]
    g32 = grad(lambda x: x[0] ** 2 - x[1])(X3.astype(np.float32))
    assert g32.dtype == np.float32
    assert g32[0] == np.float32(0.4) * 2


@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_of_a_nonsymmetric_argument(uplo):
    a = np.array([[2.0, 1.0, 0.3], [0.2, 3.0, -0.5], [0.7, 0.1, 1.0]])
    tri = np.tril(a) if uplo == "L" else np.triu(a)
    s = tri + tri.T - np.diag(np.diag(a))
    w, v = np.linalg.eigh(s)
    # the value is NumPy's own (eigenvectors with NumPy's signs), the derivative that of
    # the triangle NumPy reads: dw_k/da_ij = (2 - [i == j]) v_ik v_jk on it, 0 elsewhere
    out = ad.jvp(lambda m: np.linalg.eigh(m, UPLO=uplo), (a,), (np.zeros_like(a),))[0]
    np.testing.assert_array_equal(out.eigenvectors, np.linalg.eigh(a, UPLO=uplo).eigenvectors)
    expect = np.einsum("ik,jk->kij", v, v) * (2 - np.eye(3))
    expect *= (np.tril(np.ones((3, 3))) if uplo == "L" else np.triu(np.ones((3, 3))))[None]
    for jac in _both(lambda m: np.linalg.eigvalsh(m, UPLO=uplo), a):
        np.testing.assert_allclose(jac, expect, rtol=0, atol=1e-14)
    assert np.allclose(w, np.linalg.eigvalsh(a, UPLO=uplo), rtol=1e-15, atol=0)


@pytest.mark.parametrize("fn", [np.std, np.var])
def test_std_var_over_one_element(fn):
    x = np.array([[1.0], [2.0], [5.0]])
    for jac in _both(lambda x: fn(x, axis=1), x):
        assert not np.any(np.isnan(jac))
        assert np.all(jac == 0)
    assert np.all(hessian(lambda x: np.sum(fn(x, axis=1)))(x) == 0)


@pytest.mark.parametrize("p", [np.float64(2), 2.0, 2, np.int64(3), np.float32(2)])
def test_integer_power_at_zero(p):
    n = int(p)
    for k in range(1, 4):
        expect = float(np.prod(np.arange(n, n - k, -1))) if k == n else 0.0
        assert float(derivative(lambda x, p=p: x**p, k)(0.0)) == expect
    assert float(grad(lambda x: x**p)(0.0)) == 0.0
    assert float(hessian(lambda x: x**p)(0.0)) == (2.0 if n == 2 else 0.0)


def test_fractional_power_at_zero_is_the_one_sided_limit():
    # x**1.5: 0 for k = 1, +inf for k = 2 (0.75 x**-0.5), -inf for k = 3
    got = [float(derivative(lambda x: x**1.5, k)(0.0)) for k in (1, 2, 3)]
    assert got == [0.0, np.inf, -np.inf]
    assert float(derivative(lambda x: x ** np.float64(2.5), 2)(0.0)) == 0.0
    assert float(grad(lambda x: x**1.5)(0.0)) == 0.0
    assert float(jvp(lambda x: x**1.5, (0.0,), (1.0,))[1]) == 0.0
    assert float(hessian(lambda x: x**2.5)(0.0)) == 0.0
    # away from 0 nothing changes: x**1.5 at 0.25 and 0, together
    d2 = derivative(lambda x: x**1.5, 2)(np.array([0.0, 0.25]))
    assert d2.tolist() == [np.inf, 1.5]


# ------------------------------------------------------------------ crashes
S = np.array([[2.0, 0.5], [0.5, 1.0]])


def _logdet(s):
    _, logdet = np.linalg.slogdet(s)
    return logdet


def test_slogdet_with_unused_sign():
    expect = np.linalg.inv(S).T
    np.testing.assert_allclose(grad(_logdet)(S), expect, rtol=1e-15)
    v, g = value_and_grad(_logdet)(S)
    assert v == np.log(np.linalg.det(S))
    np.testing.assert_allclose(g, expect, rtol=1e-15)
    inv = np.linalg.inv(S)
    np.testing.assert_allclose(
        hessian(_logdet)(S), -np.einsum("li,jk->ijkl", inv, inv), rtol=1e-14, atol=1e-16
    )


def test_small_crashes():
    assert float(grad(lambda x: np.polyval([1.0, 2.0, 3.0], x))(2.0)) == 6.0
    assert float(grad(lambda c: np.polyval([c, 2.0], 3.0))(1.0)) == 3.0
    gx, gy = grad(lambda x, y: x, argnums=(0, 1))(1.0, 2.0)
    assert (gx, gy) == (1.0, 0.0)
    assert type(gy) is np.float64
    g = grad(lambda x: x[0])([1.0, 2.0])
    assert g == [1.0, 0.0]
    assert all(type(c) is np.float64 for c in g)
    x = np.array([1.0, 2.0])
    j = jacobian(np.column_stack)(x)
    assert j.shape == (1, 2, 2)
    assert j[0].tolist() == [[1.0, 0.0], [0.0, 1.0]]
    j = jacobian(lambda x: np.column_stack([x, x**2]))(x)
    assert j[:, 1, :].tolist() == [[2.0, 0.0], [0.0, 4.0]]


def test_float16_gradient_is_float16():
    x = np.array([1.0, 2.0], dtype=np.float16)
    g = grad(lambda x: np.sum(x**2))(x)
    assert g.dtype == np.float16
    assert g.tolist() == [2.0, 4.0]


def test_complex_argument_inside_nested_transformations():
    z = np.array([1.0 + 1.0j, 0.5 - 2.0j])
    h = jacobian(jacobian(lambda z: z**3))(z)
    assert h.dtype == np.complex128
    np.testing.assert_allclose(np.einsum("iii->i", h), 6 * z, rtol=1e-15)
    g = grad(lambda z: grad(lambda w: np.sum(w**3))(z)[0])(z)
    assert g.dtype == np.complex128
    assert g[0] == 6 * z[0]
    assert g[1] == 0


# ------------------------------------------------------------------ idioms
def _rhs(y):  # how SciPy's documentation writes an ODE right-hand side
    return np.array([y[1], (1 - y[0] ** 2) * y[1] - y[0]])


def test_np_array_of_traced_scalars_is_exact_in_both_modes():
    y = np.array([0.3, -1.2])
    expect = np.array([[0.0, 1.0], [-2 * y[0] * y[1] - 1, 1 - y[0] ** 2]])
    for jac in _both(_rhs, y):
        assert jac.tolist() == expect.tolist()
    assert derivative(lambda t: np.sum(np.array([t, t**2, 3.0])), 1)(2.0) == 5.0


def _filled_object(x):
    d = np.zeros(2, dtype=object)
    d[0] = x[0] * x[1]
    d[1] = x[1] ** 2
    return d


def _filled_traced(x):
    d = np.zeros_like(x, shape=2)
    d[0] = x[0] * x[1]
    d[1] = x[1] ** 2
    return d


@pytest.mark.parametrize("f", [_filled_object, _filled_traced])
def test_arrays_filled_element_by_element(f):
    x = np.array([3.0, 2.0])
    for jac in _both(f, x):
        assert jac.tolist() == [[2.0, 3.0], [0.0, 4.0]]


def test_lists_of_traced_values_given_to_numpy():
    x = np.array([1.0, 2.0])
    cases = [
        (lambda x: np.stack([x[0], x[1] ** 2]), [[1, 0], [0, 4]]),
        (lambda x: np.r_[x[0], x[1] ** 2], [[1, 0], [0, 4]]),
        (lambda x: np.hstack([x[0], x[1] ** 2]), [[1, 0], [0, 4]]),
        (lambda x: np.c_[x, 2 * x].ravel(), [[1, 0], [2, 0], [0, 1], [0, 2]]),
        (lambda x: np.sum(np.array([x, x**2]), axis=0), [[3, 0], [0, 5]]),
        (lambda x: np.array([[x[0], 1.0], [2.0, x[1]]]) @ x, [[2, 1], [2, 4]]),
        (lambda x: np.sin(np.array([x[0], x[1]])), np.diag(np.cos(x))),
        (lambda x: np.asarray(x) * 2, [[2, 0], [0, 2]]),
    ]
    for f, expect in cases:
        for jac in _both(f, x):
            np.testing.assert_array_equal(jac, np.array(expect, dtype=float))
    g = grad(lambda x: sc.logsumexp([x[0], 2 * x[1]]))(np.zeros(2))
    assert g.tolist() == [0.5, 1.0]


def test_object_array_holding_other_things_is_refused():
    with pytest.raises(TracingError, match="also holds a str"):
        jacobian(lambda x: np.array([x, "a"], dtype=object))(1.0)
    with pytest.raises(TracingError, match=r"traced value of shape \(2,\)"):
        jacobian(lambda x: x * np.array([x, 1.0], dtype=object))(np.ones(2))


def test_mean_var_std_of_lists_of_traced_values():
    x = np.array([1.0, 2.0, 4.0])
    dev = x - np.mean(x)
    for f, expect in (
        (lambda x: np.mean([x[0], x[1], x[2]]), np.full(3, 1 / 3)),
        (lambda x: np.var([x[0], x[1], x[2]]), 2 * dev / 3),
        (lambda x: np.std([x[0], x[1], x[2]]), dev / 3 / np.std(x)),
    ):
        np.testing.assert_allclose(grad(f)(x), expect, rtol=1e-15, atol=1e-16)
        np.testing.assert_allclose(jacobian(f, mode="forward")(x), expect, rtol=1e-15, atol=1e-16)
    assert float(derivative(lambda t: np.mean([t, t**2]))(3.0)) == 3.5
    # NumPy itself is unchanged: plain lists still give NumPy scalars
    assert type(np.mean([1.0, 2.0])) is np.float64


def _store(x):
    d = np.zeros(2)
    d[0] = x[0]
    return d


def _float_dtype(x):
    return np.array([x[0], x[1]], dtype=float)


@pytest.mark.parametrize("f", [_store, _float_dtype])
def test_storing_into_a_float_array_names_the_line(f):
    where = rf"in {f.__name__} \(.*test_ad_regressions\.py:\d+\).*dtype=object"
    with pytest.raises(TracingError, match=where):
        jacobian(f)(np.ones(2))


def test_library_function_needing_numbers_is_named():
    import scipy.stats as st

    with pytest.raises(
        TracingError,
        match=r"scipy\.stats\.skewnorm\.logpdf has no derivative rule.*called from <lambda> "
        r"\(.*test_ad_regressions\.py",
    ):
        grad(lambda x: st.skewnorm.logpdf(x, 2.0))(0.5)


def test_numpy2_result_objects():
    a = np.array([[2.0, 0.5], [0.5, 1.0]])
    r = jvp(np.linalg.eigh, (a,), (np.eye(2),))[0]
    assert type(r).__name__ == "EighResult"
    assert type(jvp(np.linalg.slogdet, (a,), (np.eye(2),))[0]).__name__ == "SlogdetResult"
    assert type(jvp(np.linalg.svd, (a,), (np.eye(2),))[0]).__name__ == "SVDResult"
    assert type(jvp(np.linalg.qr, (a,), (np.eye(2),))[0]).__name__ == "QRResult"
    g = grad(lambda a: np.sum(np.linalg.eigh(a).eigenvalues))(a)
    np.testing.assert_allclose(g, np.eye(2), atol=1e-15)
    g = grad(lambda a: np.linalg.slogdet(a).logabsdet)(a)
    np.testing.assert_allclose(g, np.linalg.inv(a).T, rtol=1e-15)
    g = grad(lambda a: np.sum(np.linalg.svd(a).S))(a)  # = trace for an SPD matrix
    np.testing.assert_allclose(g, np.eye(2), atol=1e-15)
    g = grad(lambda a: np.sum(np.linalg.qr(a).Q @ np.linalg.qr(a).R))(a)
    np.testing.assert_allclose(g, np.ones((2, 2)), rtol=1e-14)


def test_methods_of_plain_arrays_with_traced_arguments():
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    x = np.array([1.0, -1.0])
    for f, expect in ((lambda x: w.dot(x), w), (lambda x: w.T.dot(x), w.T)):
        for jac in _both(f, x):
            np.testing.assert_array_equal(jac, expect)


def test_composition():
    x = np.array([1.0, 2.0])
    jj = jacobian(jacobian(lambda x: x**3))(x)
    np.testing.assert_array_equal(np.einsum("iii->i", jj), 6 * x)
    g = grad(lambda x: np.sum(hessian(lambda y: np.sum(y**4))(x)))(x)
    np.testing.assert_array_equal(g, 24 * x)
    assert grad(lambda x: np.sum(x**2, keepdims=True))(x).tolist() == [2.0, 4.0]
    assert grad(lambda x: x[None, :1] ** 2)(x).tolist() == [2.0, 0.0]

    def through_vjp(c):
        _, back = vjp(lambda y: y**2, x)
        return np.sum(back(c)[0] ** 2)

    # back(c) = 2 x c, so d/dc sum((2 x c)^2) = 8 x^2 c
    assert grad(through_vjp)(np.ones(2)).tolist() == [8.0, 32.0]


@pytest.mark.parametrize(
    ("f", "match"),
    [
        (lambda x: np.sum(np.unwrap(x)), r"numpy\.unwrap has no derivative rule in dfdx.ad"),
        (lambda x: np.sum(sc.struve(1.0, x)), r"ufunc struve has no derivative rule in dfdx.ad"),
        (lambda x: np.sum(sc.jv(x, 1.0)), r"jv has no reverse rule for argument 0"),
    ],
)
def test_missing_rule_names_function_and_user_line(f, match):
    # the user's line, never a frame of dfdx itself
    with pytest.raises(TracingError, match=match + r" \(called in <lambda> \(.*regressions"):
        grad(f)(np.ones(3))


def test_held_out_idioms_exact_in_both_modes():
    # a Gaussian log-likelihood in plain NumPy: d/dmu, d/dlog_sigma analytic
    data = np.array([0.3, -1.2, 2.5, 0.8])

    def loglik(p):
        mu, log_sigma = p
        sigma = np.exp(log_sigma)
        z = (data - mu) / sigma
        return np.sum(-0.5 * z**2 - log_sigma - 0.5 * np.log(2 * np.pi))

    p = np.array([0.4, -0.3])
    s = np.exp(p[1])
    expect = [np.sum(data - p[0]) / s**2, np.sum((data - p[0]) ** 2) / s**2 - data.size]
    for jac in _both(loglik, p):
        np.testing.assert_allclose(jac, expect, rtol=1e-15)
    # circular convolution through the FFT: the Jacobian is the circulant matrix of h
    h = np.array([1.0, 0.5, -0.25, 0.0])

    def conv(x):
        return np.real(np.fft.ifft(np.fft.fft(x) * np.fft.fft(h)))

    circ = np.array([np.roll(h, k) for k in range(4)]).T
    for jac in _both(conv, np.ones(4)):
        np.testing.assert_allclose(jac, circ, rtol=0, atol=1e-15)


def test_jacobian_of_a_complex_output_of_a_real_input_keeps_its_imaginary_part():
    # d exp(i x) / dx = i exp(i x): the Jacobian used to keep only its real part
    x = np.array([0.0, 1.0])
    expect = np.diag(1j * np.exp(1j * x))
    for jac in _both(lambda x: np.exp(1j * x), x):
        assert jac.dtype == np.complex128
        np.testing.assert_allclose(jac, expect, rtol=1e-15, atol=1e-16)


def test_compiled_function_given_an_array_of_traced_values():
    def det(x):
        return np.linalg.det(np.array([[x[0], x[1]], [x[1], x[0] ** 2]]))

    with pytest.raises(TracingError, match=r"linalg.*det, called from det \(.*dfdx\.ad\.asarray"):
        grad(det)(np.array([1.0, 2.0]))
    x = np.array([1.0, 2.0])
    for jac in _both(
        lambda x: np.linalg.det(ad.asarray(np.array([[x[0], x[1]], [x[1], x[0] ** 2]]))), x
    ):
        np.testing.assert_allclose(jac, [3.0, -4.0], rtol=1e-15)  # d(x0^3 - x1^2), via LU
    assert ad.asarray([1.0, 2.0]).tolist() == [1.0, 2.0]


def test_asarray_of_a_large_traced_array_warns():
    from dfdx.ad._tracer import LARGE_OBJECT_ARRAY, PerformanceWarning

    x = np.linspace(0.0, 1.0, LARGE_OBJECT_ARRAY + 1)
    with pytest.warns(PerformanceWarning, match=r"10001 elements \(in <lambda>.*drop the call"):
        g = grad(lambda x: np.sum(np.asarray(x) * 2))(x)
    assert np.all(g == 2)


def test_array_of_traced_float32_scalars_keeps_numpys_dtype():
    x = np.array([1.0, 2.0], dtype=np.float32)
    for f in (lambda x: np.array([x[0] * x[1], x[1]]), lambda x: np.array([x[0], 2.0])):
        assert jvp(f, (x,), (x,))[0].dtype == f(x).dtype
