"""Loud failure modes of dfdx.ad: never a silently wrong derivative."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg
import scipy.special as sc

from dfdx import ad
from dfdx.ad import TracingError, grad, hessian, jacobian, jvp, vjp
from dfdx.testing import check_grads


def test_tracing_error_is_type_error():
    assert issubclass(TracingError, TypeError)


@pytest.mark.parametrize(
    ("f", "match"),
    [
        (
            lambda x: np.sum(np.fft.hfft(x)),
            r"numpy\.fft\.hfft has no derivative rule.*defjvp",
        ),
        (lambda x: np.sum(np.nextafter(x, 2.0)), r"ufunc nextafter has no derivative rule.*defvjp"),
        (lambda x: np.sum(sc.struve(1.0, x)), r"ufunc struve has no derivative rule"),
        (lambda x: np.sum(sc.jv(x, 1.0)), r"jv has no reverse rule for argument 0.*defvjp"),
    ],
)
def test_function_without_rule(f, match):
    with pytest.raises(TracingError, match=match):
        grad(f)(np.eye(2) + 0.5)


def test_missing_forward_rule_of_custom_primitive():
    p = ad.primitive(np.sin, name="only_reverse")
    ad.defvjp(p, lambda g, ans, x: g * np.cos(x))
    assert float(grad(p)(0.0)) == 1.0
    with pytest.raises(TracingError, match=r"only_reverse has no forward rule.*defjvp"):
        jvp(p, (0.0,), (1.0,))


@pytest.mark.parametrize(
    ("f", "match"),
    [
        (lambda x: float(x), r"float\(\) of a traced value drops its derivative"),
        (lambda x: int(x), r"int\(\) of a traced value"),
        (lambda x: complex(x), r"complex\(\) of a traced value"),
        (lambda x: math.sin(x), r"float\(\) of a traced value.*math\.\* functions"),
        (lambda x: x.item(), r"item\(\) of a traced value"),
        (lambda x: x.tolist(), r"tolist\(\) of a traced value"),
        (lambda x: range(x), r"operator\.index\(\) of a traced value"),
        (
            lambda x: np.sum(np.asarray(x, dtype=float)),
            r"plain NumPy array of dtype float64 in <lambda> \(.*test_ad_failures.py.*np\.stack",
        ),
    ],
)
def test_dropping_the_trace(f, match):
    with pytest.raises(TracingError, match=match):
        grad(f)(1.5)


def test_library_function_that_converts_is_named():
    # scipy.linalg.funm is a Python function (behind SciPy's batching decorator) that stores
    # into a plain float array, not a ufunc
    with pytest.raises(
        TracingError, match=r"in scipy\.linalg\._matfuncs\.funm, called from <lambda>"
    ):
        grad(lambda x: np.sum(scipy.linalg.funm(x, np.sin)))(np.eye(2))
    # toeplitz builds its matrix from the traced entries in an object array: exact
    assert grad(lambda x: np.sum(scipy.linalg.toeplitz(x) * [[1, 2], [4, 8]]))(
        np.array([1.0, 3.0])
    ).tolist() == [9.0, 6.0]
    # a list of traced values given to a hooked SciPy function is one traced array
    g = grad(lambda x: sc.logsumexp([x[0], 2 * x[1]]))(np.zeros(2))
    assert g.tolist() == [0.5, 1.0]


def _store_scalar(x):
    c = np.zeros(2)
    c[0] = x
    return np.sum(c)


def _store_row(x):
    c = np.zeros((2, 3))
    c[0] = x
    return np.sum(c)


@pytest.mark.parametrize(("f", "x"), [(_store_scalar, 1.5), (_store_row, np.ones(3))])
def test_storing_into_plain_array_shows_alternative(f, x):
    with pytest.raises(
        TracingError,
        match=r"plain .*array.* in _store_\w+ \(.*test_ad_failures.py:\d+\).*object.*zeros_like",
    ):
        grad(f)(x)


def test_unsupported_ndarray_attribute():
    with pytest.raises(TracingError, match=r"ndarray\.flat is not supported on traced values"):
        grad(lambda x: x.flat[0])(np.ones(2))
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        grad(lambda x: x.nonsense)(np.ones(2))


def test_printing_and_python_builtins_work_while_tracing():
    def f(x):
        text = f"{x[0]:.2f} {x}"
        assert text.startswith("2.00")
        _, r = divmod(x[0], 1.5)
        return round(x[1]) * x[1] + r + max(x[0], x[1]) + abs(-x[0]) + sum(x) + x.nbytes * 0

    np.testing.assert_allclose(grad(f)(np.array([2.0, 3.0])), [3.0, 5.0])


def test_out_argument_into_plain_array():
    def f(x):
        c = np.empty(3)
        np.sin(x, out=c)
        return np.sum(c)

    with pytest.raises(TracingError, match=r"sin\(\.\.\., out=\.\.\.\) would store a traced value"):
        grad(f)(np.ones(3))


def test_ufunc_at_and_where_refused():
    with pytest.raises(TracingError, match=r"add\.at on traced values is not supported"):
        grad(lambda x: np.add.at(x, [0], 1.0))(np.ones(3))
    with pytest.raises(TracingError, match=r"where=\.\.\.\) is not supported.*np\.where"):
        grad(lambda x: np.sum(np.sin(x, where=x > 0)))(np.ones(3))


def test_out_argument_into_traced_array_is_in_place():
    def f(x):
        y = x * 1.0
        np.sin(x, out=y)
        return np.sum(y)

    x = np.array([0.1, 0.2])
    np.testing.assert_allclose(grad(f)(x), np.cos(x))


def test_writing_through_a_view_is_refused():
    def f(x):
        y = x * 1.0
        row = y[0]
        row[1] = 5.0
        return np.sum(y)

    with pytest.raises(TracingError, match=r"writing through a view.*y\[0, 1\] = v"):
        grad(f)(np.ones((2, 2)))


def test_stale_view_after_assignment_is_refused():
    def f(x):
        y = x * 1.0
        tail = y[1:]
        y[1] = 7.0
        return np.sum(tail)

    with pytest.raises(TracingError, match=r"view of a traced array was used after"):
        grad(f)(np.ones(3))


def test_view_taken_after_assignment_is_fine():
    def f(x):
        y = x * 1.0
        y[1] = 7.0 * x[0]
        return np.sum(y[1:] ** 2)

    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(grad(f)(x), [98.0, 0.0, 6.0])


def test_grad_of_vector_output_suggests_jacobian():
    with pytest.raises(ValueError, match=r"shape \(3,\).*use dfdx\.ad\.jacobian"):
        grad(lambda x: x**2)(np.ones(3))
    with pytest.raises(ValueError, match=r"scalar.*jacobian"):
        grad(lambda x: np.ones(2))(1.0)
    with pytest.raises(ValueError, match=r"output of tuple.*jacobian"):
        grad(lambda x: (x**2, 1.0))(1.0)


def test_in_place_change_of_a_used_array_is_detected():
    A = np.array([1.0, 2.0, 3.0])

    def f(x):
        y = np.sum(A * x)
        A[0] = 100.0
        return y

    with pytest.raises(TracingError, match=r"modified in place an array.*A = A\.copy\(\)"):
        grad(f)(np.ones(3))
    assert A.flags.writeable  # restored
    np.testing.assert_array_equal(A, [1.0, 2.0, 3.0])
    # the same modification after the call is harmless
    g = grad(lambda x: np.sum(A * x))(np.ones(3))
    A[0] = 100.0
    np.testing.assert_array_equal(g, [1.0, 2.0, 3.0])


def test_vjp_keeps_what_it_needs():
    A = np.array([1.0, 2.0, 3.0])
    _, back = vjp(lambda x: A * x, np.ones(3))
    A[:] = 100.0  # modified between the forward and the backward pass
    np.testing.assert_array_equal(back(np.ones(3))[0], [1.0, 2.0, 3.0])


def test_plain_numpy_functions_are_differentiated_not_object_arrays():
    A = np.arange(6.0).reshape(2, 3)
    J = jacobian(lambda x: np.dot(A, x))(np.ones(3))
    assert J.dtype == np.float64
    np.testing.assert_array_equal(J, A)
    g = grad(lambda x: np.sum(np.dot(A, x)))(np.ones(3))
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g, A.sum(axis=0))


def test_unsupported_variants():
    with pytest.raises(TracingError, match="cumprod at zero entries"):
        grad(lambda x: np.sum(np.cumprod(x)))(np.array([1.0, 0.0, 2.0]))
    with pytest.raises(TracingError, match=r"order='K'\) is not supported"):
        grad(lambda x: np.sum(np.ravel(x[:, ::2].T, order="K")))(np.ones((3, 4)))
    with pytest.raises(TracingError, match="full_matrices=False"):
        grad(lambda a: np.sum(np.linalg.svd(a)[0]))(np.ones((3, 2)))
    with pytest.raises(TracingError, match="rows >= columns"):
        grad(lambda a: np.sum(np.linalg.qr(a)[0]))(np.ones((2, 3)))
    with pytest.raises(TracingError, match="ord=0"):
        grad(lambda x: np.linalg.norm(x, 0))(np.ones(3))


def test_bad_arguments():
    with pytest.raises(TypeError, match="`argnums` must be an int"):
        grad(np.sin, argnums="x")
    with pytest.raises(TypeError, match="out of range"):
        grad(np.sin, argnums=2)(1.0)
    with pytest.raises(ValueError, match="`mode` must be one of"):
        jacobian(np.sin, mode="sideways")
    with pytest.raises(TypeError, match="tuples of the arguments"):
        jvp(np.sin, 1.0, 1.0)
    with pytest.raises(ValueError, match="same structure"):
        jvp(lambda a, b: a * b, (1.0, 2.0), (1.0,))
    with pytest.raises(ValueError, match="does not match primal"):
        jvp(np.sin, (np.ones(2),), (np.ones(3),))
    with pytest.raises(
        TypeError, match="cannot differentiate with respect to an argument of dtype"
    ):
        grad(lambda s: 1.0)(np.array(["a"]))
    with pytest.raises(TypeError, match=r"is not a dfdx\.ad primitive"):
        ad.defjvp(np.linalg.eig, lambda t, ans, x: t)
    _, back = vjp(lambda x: 2 * x, np.ones(2))
    with pytest.raises(ValueError, match="cotangent shape"):
        back(np.ones(3))
    with pytest.raises(ValueError, match="structure of f's output"):
        back((np.ones(2), np.ones(2)))


def test_check_grads_detects_wrong_rules_and_bad_modes():
    wrong = ad.primitive(np.sin, name="wrong_sin")
    ad.defjvp(wrong, lambda t, ans, x: t * np.cos(x))
    ad.defvjp(wrong, lambda g, ans, x: g * np.cos(x) * 1.01)
    with pytest.raises(AssertionError, match=r"reverse \(vjp\), order 2"):
        check_grads(wrong, (np.array([0.3, 0.5]),))
    bad_fwd = ad.primitive(np.exp, name="bad_exp")
    ad.defjvp(bad_fwd, lambda t, ans, x: t * ans * 0.99)
    ad.defvjp(bad_fwd, lambda g, ans, x: g * ans)
    with pytest.raises(AssertionError, match=r"forward \(jvp\), order 2: automatic derivative"):
        check_grads(bad_fwd, (np.array([0.3, 0.5]),))
    with pytest.raises(ValueError, match="`modes` entries must be"):
        check_grads(np.sin, (1.0,), modes=("sideways",))


def test_nested_failure_propagates():
    with pytest.raises(TracingError, match="float"):
        hessian(lambda x: float(x))(1.0)
