"""Regressions of issue 12 found by autograd's suite after the merge: Fortran-order reshapes,
solve with batch axes on both sides, nested reverse-mode Jacobians, foreign array containers
and the names in error messages; each exact against an independent reference."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg

from dfdx.ad import TracingError, grad, jacobian

RNG = np.random.default_rng(12)
X = RNG.normal(size=(2, 3, 4))


def _reading(f, x):
    """The exact Jacobian of an index permutation ``f``: which input each output reads."""
    idx = np.arange(x.size, dtype=float).reshape(x.shape)
    if x.flags.f_contiguous and not x.flags.c_contiguous:
        idx = np.asfortranarray(idx)  # the same memory layout: "A" and "K" read the same way
    read = f(idx).astype(int)
    ref = np.zeros(read.shape + x.shape)
    ref.reshape(read.size, x.size)[np.arange(read.size), read.ravel()] = 1.0
    return ref


LAYOUTS = {"C": X, "F": np.asfortranarray(X), "strided": X.transpose(2, 0, 1)}


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("order", ["C", "F", "A"])
@pytest.mark.parametrize("shape", [(4, 6), (24,), (3, 2, 4), (-1, 2)])
@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_reshape_in_every_order(layout, order, shape, mode):
    x = LAYOUTS[layout]

    def f(z):
        return np.reshape(z, shape, order=order)

    assert np.array_equal(jacobian(f, mode=mode)(x), _reading(f, x))


@pytest.mark.parametrize("layout", ["C", "F"])
@pytest.mark.parametrize("order", ["C", "F", "A", "K"])
def test_ravel_flatten_and_method_reshape_in_every_order(layout, order):
    x = LAYOUTS[layout]
    for f in (
        lambda z: np.ravel(z, order=order),
        lambda z: z.flatten(order=order),
        lambda z: z.reshape(6, 4, order=order if order != "K" else "C"),
    ):
        for mode in ("forward", "reverse"):
            assert np.array_equal(jacobian(f, mode=mode)(x), _reading(f, x))


def test_ravel_k_of_a_strided_value_is_refused():
    with pytest.raises(TracingError, match=r"np.ravel\(\.\.\., order='K'\) is not supported"):
        grad(lambda z: np.sum(np.ravel(z[:, ::2].T, order="K")))(X)


def _spd(*shape):
    return RNG.normal(size=shape) + 4.0 * np.eye(shape[-1])


@pytest.mark.parametrize(
    ("ashape", "bshape"),
    [((3, 3), (4, 3, 2)), ((4, 3, 3), (3, 2)), ((2, 1, 3, 3), (4, 3, 2)), ((4, 3, 3), (3,))],
)
@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_solve_with_batch_axes_on_either_side(ashape, bshape, mode):
    a, b = _spd(*ashape), RNG.normal(size=bshape)
    x = np.linalg.solve(a, b)
    ja, jb = jacobian(np.linalg.solve, argnums=(0, 1), mode=mode)(a, b)
    # references: dx = -A^-1 dA x and dx = A^-1 db, one unit direction at a time
    for k in np.ndindex(a.shape):
        da = np.zeros_like(a)
        da[k] = 1.0
        xm = x[..., None] if b.ndim == 1 else x
        ref = -np.linalg.solve(a, da @ xm)
        ref = ref[..., 0] if b.ndim == 1 else ref
        np.testing.assert_allclose(ja[(..., *k)], ref, rtol=1e-13, atol=1e-15)
    for k in np.ndindex(b.shape):
        db = np.zeros_like(b)
        db[k] = 1.0
        np.testing.assert_allclose(jb[(..., *k)], np.linalg.solve(a, db), rtol=1e-13, atol=1e-15)


def test_nested_jacobian_with_reverse_mode_inside():
    x, y = np.array([0.3, 0.5, 0.7]), np.array([1.1, 0.4, 0.9])

    def f(x, y):  # 2 outputs of 3 inputs: the inner jacobian picks reverse mode
        return np.sin(x[:2] * y[0]) * np.sum(y**2)

    # analytic d2 f_i / dx_j dy_k
    s2 = np.sum(y**2)
    ref = np.zeros((2, 3, 3))
    for i in range(2):
        c, s = np.cos(x[i] * y[0]), np.sin(x[i] * y[0])
        ref[i, i, :] = 2 * y * c * y[0]
        ref[i, i, 0] += c * s2 - x[i] * y[0] * s * s2
    for inner in ("reverse", "auto"):
        for outer in ("forward", "reverse"):
            got = jacobian(jacobian(f, argnums=0, mode=inner), argnums=1, mode=outer)(x, y)
            np.testing.assert_allclose(got, ref, rtol=1e-14, atol=1e-15)


def test_convolve_valid_nested():
    a, v = RNG.normal(size=5), RNG.normal(size=3)
    got = jacobian(jacobian(lambda p, q: np.convolve(p, q, mode="valid")), argnums=1)(a, v)
    # out[n] = sum_m p[n + 2 - m] q[m]: d2 out[n] / dp[j] dq[m] = [j == n + 2 - m]
    ref = np.zeros((3, 5, 3))
    for n in range(3):
        for m in range(3):
            ref[n, n + 2 - m, m] = 1.0
    assert np.array_equal(got, ref)


class _Box:
    """A container of arrays in NumPy's ufunc protocol without being one (like xarray's)."""

    def __init__(self, data):
        self.data = data

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        inputs = [i.data if isinstance(i, _Box) else i for i in inputs]
        return _Box(getattr(ufunc, method)(*inputs, **kwargs))

    def __mul__(self, other):
        return _Box(self.data * other)

    def __rmul__(self, other):
        return _Box(other * self.data)


def test_operators_leave_foreign_containers_to_their_own_reflected_method():
    base = np.array([1.0, 2.0, 3.0])
    for f in (lambda x: np.sum((x * _Box(base)).data), lambda x: np.sum((_Box(base) * x).data)):
        assert f(2.0) == 12.0
        assert grad(f)(2.0) == 6.0


def test_a_function_behind_scipys_decorator_is_named():
    a = _spd(3, 3)
    with pytest.raises(TracingError, match=r"in scipy\.linalg\._matfuncs\.logm, called from"):
        grad(lambda m: np.sum(scipy.linalg.logm(m)))(a @ a.T)
