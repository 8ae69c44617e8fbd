"""scipy.special.logsumexp / softmax / log_softmax: Python functions hooked by dfdx.ad.

Derivatives checked by check_grads in both modes to second order; the hook
must leave SciPy's behaviour on plain inputs untouched.
"""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import numpy as np
import pytest
import scipy.special as sc
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import logsumexp

from dfdx import ad
from dfdx.ad import TracingError
from dfdx.ad._rules_scipy import ORIGINALS
from dfdx.testing import check_grads

# name, function, argument shapes
TABLE = [
    ("lse", lambda x: logsumexp(x), [(4,)]),
    ("lse_scalar", lambda x: sc.logsumexp(x[0]), [(1,)]),
    ("lse_axis", lambda x: sc.logsumexp(x, axis=1), [(2, 3)]),
    ("lse_axis_neg", lambda x: sc.logsumexp(x, axis=-2), [(2, 3)]),
    ("lse_axes_keep", lambda x: sc.logsumexp(x, axis=(0, 2), keepdims=True), [(2, 3, 2)]),
    ("lse_keep_all", lambda x: sc.logsumexp(x, keepdims=True), [(2, 3)]),
    ("lse_b_const", lambda x: sc.logsumexp(x, axis=0, b=np.arange(1.0, 4.0)), [(2, 3)]),
    ("lse_b_traced", lambda x, b: sc.logsumexp(x, b=b * b + 0.5), [(2, 3), (2, 3)]),
    ("lse_b_only", lambda b: sc.logsumexp(np.arange(3.0), b=b + 1), [(3,)]),
    ("lse_b_broadcast", lambda x, b: sc.logsumexp(x, axis=1, b=b + 2), [(2, 1), (3,)]),
    ("lse_sign", lambda x, b: _signed(x, b), [(4,), (4,)]),
    (
        "lse_b_list",
        lambda x: sc.logsumexp(x, axis=-1, b=[[1.0, 2.0, 0.5], [3.0, 1.0, 1.0]]),
        [(3,)],
    ),
    ("lse_a_list", lambda b: sc.logsumexp([[0.1, 0.2], [0.3, -1.0]], axis=0, b=b + 1), [(2,)]),
    ("softmax", lambda x: sc.softmax(x), [(4,)]),
    ("softmax_axis", lambda x: sc.softmax(x, axis=0) * np.arange(6.0).reshape(2, 3), [(2, 3)]),
    ("log_softmax", lambda x: sc.log_softmax(x, axis=-1), [(2, 3)]),
    ("log_softmax_all", lambda x: sc.log_softmax(x) ** 2, [(2, 3)]),
    ("nested_in_numpy", lambda x: np.sum(sc.softmax(x, axis=1) * np.sin(x)), [(2, 3)]),
]


def _signed(x, b):
    out, sgn = sc.logsumexp(x, b=b - 0.8, return_sign=True)
    return out * sgn


def _args(shapes, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return tuple((rng.random(s) * 1.6 - 0.8).astype(dtype) for s in shapes)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("name", "f", "shapes"), TABLE, ids=[r[0] for r in TABLE])
def test_check_grads(name, f, shapes, dtype):
    check_grads(f, _args(shapes, dtype))


@pytest.mark.parametrize(
    "f",
    [
        lambda z: sc.logsumexp(z),
        lambda z: sc.logsumexp(z, axis=0, b=z[0] + 2),
        lambda z: sc.softmax(z, axis=1),
        lambda z: sc.log_softmax(z),
    ],
)
def test_complex_holomorphic(f):
    rng = np.random.default_rng(1)
    z = rng.random((2, 3)) - 0.5 + 1j * (rng.random((2, 3)) - 0.5)
    check_grads(f, (z,))


def test_gradient_of_logsumexp_is_softmax_and_hessian_matches_formula():
    x = np.array([0.3, -1.2, 2.0, 0.5])
    s = sc.softmax(x)
    np.testing.assert_allclose(ad.grad(sc.logsumexp)(x), s, rtol=1e-14)
    np.testing.assert_allclose(ad.hessian(sc.logsumexp)(x), np.diag(s) - np.outer(s, s), atol=1e-15)
    np.testing.assert_allclose(ad.jacobian(sc.softmax)(x), np.diag(s) - np.outer(s, s), atol=1e-15)


def test_large_inputs_stay_finite():
    x = np.array([1000.0, 999.0, -1000.0])
    g = ad.grad(lambda x: sc.logsumexp(x))(x)
    assert np.all(np.isfinite(g))
    # exp(a - ans) loses |a| * eps of relative precision, as softmax itself does
    np.testing.assert_allclose(g, sc.softmax(x), rtol=1e-12)
    h = ad.hessian(lambda x: np.sum(sc.log_softmax(x)))(x)
    assert np.all(np.isfinite(h))


def test_taylor_mode_third_derivative():
    # derivative() of an elementwise use: d^3/dx^3 log(e^x + e^{2x}) at x
    def f(x):
        return sc.logsumexp(np.stack([x, 2 * x]), axis=0)

    x = np.array([-0.5, 0.2])
    d3 = ad.derivative(f, 3)(x)
    h = 1e-3
    ref = (f(x + 2 * h) - 2 * f(x + h) + 2 * f(x - h) - f(x - 2 * h)) / (2 * h**3)
    np.testing.assert_allclose(d3, ref, rtol=1e-4)


def test_return_sign_value_and_zero_derivative_of_the_sign():
    x = np.array([0.1, 0.4, -0.3])
    b = np.array([1.0, -2.0, 0.5])

    def f(x):
        out, sgn = sc.logsumexp(x, b=b, return_sign=True)
        assert type(sgn) is not ad.Tracer
        return out

    ref_out, ref_sgn = ORIGINALS["logsumexp"](x, b=b, return_sign=True)
    assert ref_sgn == -1.0
    v, g = ad.value_and_grad(f)(x)
    assert float(v) == float(ref_out)
    s = b * np.exp(x)
    np.testing.assert_allclose(g, s / np.sum(s), rtol=1e-14)


def test_complex_return_sign_is_refused():
    with pytest.raises(TracingError, match=r"return_sign=True\) of complex traced values"):
        ad.grad(lambda z: sc.logsumexp(z, return_sign=True)[0])(np.array([1j, 2.0]))


# ------------------------------------------------------------------ the hook itself
@pytest.mark.parametrize("name", ["logsumexp", "softmax", "log_softmax"])
def test_hook_keeps_identity_signature_and_docs(name):
    fn = getattr(sc, name)
    orig = ORIGINALS[name]
    assert fn is getattr(importlib.import_module("scipy.special._logsumexp"), name)
    assert inspect.signature(fn) == inspect.signature(orig)
    assert fn.__doc__ == orig.__doc__
    assert fn.__name__ == name
    assert f"scipy.special.{name}" in ad.supported_functions()


def test_name_imported_before_dfdx_is_hooked():
    code = (
        "from scipy.special import logsumexp\n"
        "import numpy as np\nfrom dfdx import ad\n"
        "print(float(ad.grad(lambda x: logsumexp(2 * x))(np.zeros(2))[0]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "1.0"


_PLAIN = [
    ((np.arange(10.0),), {}),
    (([1, 2, 3],), {}),
    ((np.array([[1.0, 2.0], [3.0, -np.inf]]),), {"axis": 1}),
    ((np.array([1.0, 2.0]),), {"b": [1, -1], "return_sign": True}),
    ((np.array([1.0, 2.0]),), {"b": [1, -2]}),
    ((np.array([np.inf, 1.0]),), {"b": [0, 1]}),
    ((np.ones((2, 3), np.float32),), {"axis": (0, 1), "keepdims": True}),
    ((np.array([1 + 1j, 2 - 3j]),), {}),
    ((np.zeros((0, 2)),), {"axis": 0}),
    ((3.0,), {}),
]


@pytest.mark.parametrize(("args", "kwargs"), _PLAIN)
def test_plain_inputs_unchanged(args, kwargs):
    with np.errstate(all="ignore"):
        got = sc.logsumexp(*args, **kwargs)
        want = ORIGINALS["logsumexp"](*args, **kwargs)
    np.testing.assert_array_equal(got, want)
    assert type(got) is type(want)
    assert np.result_type(got) == np.result_type(want)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("kwargs", [{}, {"axis": 0}, {"axis": (0, 1)}])
def test_plain_softmax_unchanged(name, kwargs):
    x = np.array([[1.0, 1000.0, -3.0], [0.5, 0.2, -np.inf]])
    with np.errstate(all="ignore"):
        got = getattr(sc, name)(x, **kwargs)
        want = ORIGINALS[name](x, **kwargs)
    np.testing.assert_array_equal(got, want)


def test_plain_errors_unchanged():
    with pytest.raises(np.exceptions.AxisError):
        sc.logsumexp(np.ones(3), axis=2)


@settings(max_examples=30, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
        elements=st.floats(-30, 30),
    ),
    st.booleans(),
)
def test_traced_value_and_gradient_property(x, keepdims):
    """The traced value equals SciPy's; the gradient is the softmax, summing to one."""
    axis = x.ndim - 1
    v, g = ad.value_and_grad(lambda x: np.sum(sc.logsumexp(x, axis=axis, keepdims=keepdims)))(x)
    np.testing.assert_allclose(v, np.sum(sc.logsumexp(x, axis=axis)), rtol=1e-12)
    np.testing.assert_allclose(g, sc.softmax(x, axis=axis), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(np.sum(g, axis=axis), 1.0, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(
        st.sampled_from([np.float64, np.float32]),
        hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
        elements=st.sampled_from([-3.0, 0.0, 1.5, 2.0, 40.0, -np.inf, np.inf]),
    ),
    st.booleans(),
    st.data(),
)
def test_traced_value_is_scipys_value(x, keepdims, data):
    """The primal value of a traced call is exactly SciPy's (ties, infinities, float32)."""
    axis = data.draw(st.sampled_from([None, 0, -1, tuple(range(x.ndim))]))
    with np.errstate(all="ignore"):
        want = ORIGINALS["logsumexp"](x, axis=axis, keepdims=keepdims)
        got = ad.jvp(lambda x: sc.logsumexp(x, axis=axis, keepdims=keepdims), (x,), (x,))[0]
    np.testing.assert_array_equal(got, want)
    assert np.result_type(got) == np.result_type(want)
