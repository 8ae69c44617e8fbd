"""``success`` means the tolerance was met; every documented option works.

Regression tests for the flag (per-order default tolerances, ``rtol=0``,
zero derivatives), for ``order`` at every ``n`` and method, the complex step
on functions that are not real on the real axis, and huge ``|x|`` at
``n >= 2``.  The references are analytic.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from dfdx._core.result import Status
from dfdx.numeric import derivative
from dfdx.numeric._tolerance import meet_tolerance, success_rtol
from dfdx.numeric._validate import window_order

# n-th derivatives of sin: sin(x + n pi / 2)
SIN = [np.sin, np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x)]
DEFAULT = {1: 1e-6, 2: 1e-6, 3: 1e-5, 4: 1e-4, 5: 1e-3, 6: 1e-2}


def _valid_orders(n, method):
    mode = 0 if method in ("auto", "central") else 1
    low = 3 if n <= 2 else 4 if n <= 4 else 5
    orders = sorted({window_order(m, n, mode) for m in range(low, 9)})
    return orders if mode == 0 else list(range(orders[0], orders[-1] + 1))


@pytest.mark.parametrize("method", ["auto", "central", "forward", "backward"])
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_every_documented_order_works(n, method):
    # every valid order gives a value within its error bound, and a success
    # is within the default tolerance of the order
    for order in _valid_orders(n, method):
        res = derivative(np.exp, 1.0, n=n, method=method, order=order)
        err = abs(float(res.df) - math.e)
        assert err <= float(res.error), (order, res)
        if res.success:
            assert err <= DEFAULT[n] * math.e, (order, res)


@pytest.mark.parametrize("method", ["auto", "central", "forward", "backward"])
@pytest.mark.parametrize("n", [1, 3, 6])
def test_orders_below_the_window_are_refused_naming_the_valid_ones(n, method):
    with pytest.raises(ValueError, match=r"`order` without `step` must be an .*integer from \d"):
        derivative(np.exp, 1.0, n=n, method=method, order=2)
    with pytest.raises(ValueError, match=r"`order` without `step` must be"):
        derivative(np.exp, 1.0, n=n, method=method, order=40)


def test_low_orders_with_a_fixed_step():
    # order 2 and 4 are fixed stencils: with `step` they work for every n
    for n in range(1, 7):
        for method, order in (("central", 2), ("central", 4), ("forward", 1), ("backward", 3)):
            res = derivative(np.exp, 1.0, n=n, method=method, order=order, step=0.05)
            assert res.status == Status.FIXED_STEP
            assert abs(float(res.df) - math.e) < 0.5


def test_order_sets_the_extrapolation_order():
    # central n=1: a window of 3 levels is order 6 and holds 6 nodes per estimate;
    # order 6 stops no later than the default order 12 and stays within its bound
    low = derivative(np.sin, 0.5, order=6)
    assert abs(float(low.df) - np.cos(0.5)) <= float(low.error) < 1e-9
    assert window_order(3, 1, 0) == 6
    assert window_order(6, 1, 0) == 12
    assert window_order(4, 3, 0) == 6
    assert window_order(5, 6, 0) == 6
    assert window_order(3, 1, 1) == 6
    assert window_order(3, 2, -1) == 5


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_success_implies_the_default_tolerance(n):
    # a smooth function at many points: every success meets rtol * |df| by
    # its own bound, and the true error is below the bound
    x = np.linspace(-3.0, 3.0, 401)
    res = derivative(np.sin, x, n=n)
    true = SIN[n % 4](x)
    ok = res.success
    assert ok.mean() > 0.9
    assert (res.error[ok] <= DEFAULT[n] * np.abs(res.df[ok])).all()
    assert (np.abs(res.df - true) <= res.error).all()
    assert (np.abs(res.df[ok] - true[ok]) <= DEFAULT[n] * np.abs(true[ok])).all()


def test_sixth_derivative_by_forward_differences_is_not_a_success():
    res = derivative(np.sin, 0.5, n=6, method="forward")
    assert not res.success
    assert res.status == Status.NOT_CONVERGED
    assert abs(float(res.df) + np.sin(0.5)) <= float(res.error)


def test_default_success_tolerances_per_order_and_precision():
    eps64, eps32 = (float(np.finfo(t).eps) for t in (np.float64, np.float32))
    for n, value in DEFAULT.items():
        assert success_rtol(eps64, n) == pytest.approx(value, rel=1e-12)
    assert 1e-3 < success_rtol(eps32, 1) < 1e-2
    assert success_rtol(eps32, 4) > success_rtol(eps32, 2)


def test_meet_tolerance_turns_only_usable_statuses():
    df = np.array([[1.0], [1.0], [1.0], [0.0], [1.0], [1.0]])
    err = np.array([[1e-7], [1e-5], [np.nan], [1e-300], [1.0], [1.0]])
    status = np.array([0, 2, 0, 0, 3, -2], dtype=np.int8)
    out = meet_tolerance(df, err, status, 1e-6, 1e-200)
    assert out.tolist() == [0, -1, -1, 0, 3, -2]


def test_rtol_zero_is_an_absolute_tolerance():
    res = derivative(np.sin, [0.5, 2.0], rtol=0, atol=1e-9)
    assert res.success.all()
    assert (res.error <= 1e-9).all()
    assert np.allclose(res.df, np.cos([0.5, 2.0]), rtol=0, atol=1e-9)
    # no absolute tolerance either: only an error bound of exactly 0 could pass
    assert not derivative(np.sin, 0.5, rtol=0).success


def test_a_zero_derivative_needs_an_absolute_tolerance():
    res = derivative(np.cos, 0.0)
    assert res.df == 0
    assert 0 < res.error < 1e-12
    assert res.status == Status.NOT_CONVERGED
    assert derivative(np.cos, 0.0, atol=1e-12).success
    # f zero near the point: the bound is subnormal and passes the default atol
    assert derivative(lambda x: 0.0 * x, 1.0).success


def test_a_derivative_tiny_next_to_f_is_flagged():
    # tanh' at 20 is 1.7e-17 while tanh is 1 - 8.5e-18: no digit of it survives
    res = derivative(np.tanh, [0.5, 20.0, -20.0])
    assert res.success.tolist() == [True, False, False]
    true = 1 / np.cosh([0.5, 20.0, -20.0]) ** 2
    assert (np.abs(res.df - true) <= res.error).all()


def test_complex_step_refuses_f_not_real_on_the_real_axis():
    with pytest.raises(ValueError, match=r"needs f real on the real axis.*\(1\+1j\)"):
        derivative(lambda x: (1 + 1j) * x**2, 1.0, method="complex")
    with pytest.raises(ValueError, match=r"needs f real on the real axis.*method='auto'"):
        derivative(np.sqrt, [1.0, -4.0], method="complex")
    # the real-axis method differentiates the complex-valued function
    res = derivative(lambda x: (1 + 1j) * x**2, 1.0)
    assert abs(complex(res.df) - (2 + 2j)) <= float(res.error) < 1e-10


def test_complex_step_checks_nonfinite_values_at_the_point():
    res = derivative(np.log, [2.0, 0.0], method="complex")
    assert res.status.tolist() == [Status.SUCCESS, Status.NONFINITE_VALUE]
    assert abs(res.df[0] - 0.5) < 1e-15


@pytest.mark.parametrize(("x", "n"), [(3.3e154, 2), (1e200, 2), (1e230, 2), (1e125, 3), (9e90, 4)])
def test_huge_and_tiny_x_at_higher_orders_is_never_a_silent_zero(x, n):
    # x**0.7: the n-th derivative is c x**(0.7 - n); h**n over- or underflows here
    c = math.prod(0.7 - k for k in range(n))
    true = c * x ** (0.7 - n)
    res = derivative(lambda t: t**0.7, x, n=n)
    assert float(res.df) != 0.0
    assert abs(float(res.df) - true) <= float(res.error)
    assert not res.success or abs(float(res.df) - true) <= DEFAULT[n] * abs(true)


def test_huge_x_in_a_full_block():
    # the block path (compiled test where numba is installed) scales alike
    from dfdx.numeric._lookahead import JIT_MIN

    x = np.geomspace(1e150, 1e200, JIT_MIN)
    res = derivative(lambda t: t**0.7, x, n=2)
    true = 0.7 * -0.3 * x**-1.3
    assert (res.df != 0).all()
    assert (np.abs(res.df - true) <= res.error).all()
    assert res.success.mean() > 0.9


@pytest.mark.parametrize("numba", ["1", "0"])
def test_nfev_is_every_evaluation_made(monkeypatch, numba):
    # nfev is counted where f is called: it equals the nodes f saw per point,
    # across the lookahead, replays, restarts, one-sided fallbacks and kinks
    from dfdx.numeric._lookahead import JIT_MIN

    monkeypatch.setenv("DFDX_NUMBA", numba)
    size = JIT_MIN + 500
    rng = np.random.default_rng(3)
    kind = rng.integers(0, 4, size)
    x = rng.uniform(0.2, 3.0, size)
    x[kind == 2] = rng.choice([0.0, 1e-9, 1e-6], int((kind == 2).sum()))
    x[kind == 3] = 0.0
    seen = np.zeros(size, dtype=np.intp)

    def f(t, i, c):
        rows = np.broadcast_to(i, (t.shape[0], 1))[:, 0].astype(np.intp)
        np.add.at(seen, rows, t.shape[1])
        return np.select(
            [c == 0, c == 1, c == 2],
            [np.sin(t), np.sin(300 * t), np.sqrt(t)],
            np.abs(t),
        )

    res = derivative(f, x, args=(np.arange(size), kind))
    np.testing.assert_array_equal(res.nfev, seen)
    assert len(set(res.status.tolist())) >= 3


@pytest.mark.parametrize(
    ("f", "f2"),
    [
        (np.sin, lambda x: -np.sin(x)),
        (np.exp, np.exp),
        (lambda x: 1 / (1 + x * x), lambda x: (6 * x * x - 2) / (1 + x * x) ** 3),
        (np.log1p, lambda x: -1 / (1 + x) ** 2),
    ],
)
def test_second_derivative_by_complex_step(f, f2):
    x = np.array([0.5, 1.0, 3.0, 10.0, 100.0])
    res = derivative(f, x, n=2, method="complex")
    true = f2(x)
    assert (np.abs(res.df - true) <= res.error).all()
    ok = res.success
    assert ok[:4].all()
    assert (np.abs(res.df[ok] - true[ok]) <= 1e-13 * np.abs(true[ok])).all()
    assert (res.nfev == 7).all()


def test_second_derivative_by_complex_step_flags_a_step_too_large():
    # sin at 100: the step (about 6) is far too large for sin; the bound says so
    res = derivative(np.sin, [1.0, 100.0], n=2, method="complex")
    assert res.success.tolist() == [True, False]
    assert abs(res.df[1] + np.sin(100.0)) <= res.error[1]
    with pytest.raises(ValueError, match="needs f real on the real axis"):
        derivative(lambda x: 1j * x**3, 1.0, n=2, method="complex")


def test_engine_counts_are_writable_per_point_arrays():
    # (the interface the multivariate functions read after refine)
    from dfdx.numeric._derivative import _points
    from dfdx.numeric._engine import refine

    x = np.linspace(0.5, 2.0, 7)

    def evaluate(idx, T, scratch=False, nodes=False):
        X = T if nodes else x[idx, None] + T
        return np.sin(X)[..., None], np.zeros(X.shape[0], dtype=bool)

    out = refine(
        evaluate,
        _points(x, 1),
        x.size,
        n=1,
        mode=0,
        q=1,
        fallback=True,
        rtol=4e-11,
        atol=0.0,
        maxiter=24,
        window=6,
        eps=2.0**-52,
        step_dtype=np.float64,
    )
    nfev, nit = out.counts()
    assert nfev.flags.writeable
    assert nit.flags.writeable
    assert nfev.tolist() == [8] * 7
    assert nit.tolist() == [4] * 7
    assert np.allclose(out.df[:, 0], np.cos(x), rtol=1e-12)


def _vector(x):
    return np.stack([np.sin(x), np.exp(0.5 * x)])


def _vector_prime(x):
    return np.stack([np.cos(x), 0.5 * np.exp(0.5 * x)])


def test_vector_valued_f_of_scalar_x():
    x = np.linspace(-2.0, 2.0, 7)
    res = derivative(_vector, x)
    assert res.df.shape == res.error.shape == (2, 7)
    true = _vector_prime(x)
    assert (np.abs(res.df - true) <= res.error).all()
    assert (np.abs(res.df - true) <= 1e-12 * np.abs(true) + 1e-15).all()
    assert res.success.all()
    # each component equals its scalar derivative to within both error bounds
    for i, g in enumerate((np.sin, lambda t: np.exp(0.5 * t))):
        one = derivative(g, x)
        assert (np.abs(res.df[i] - one.df) <= res.error[i] + one.error).all()


def test_vector_valued_f_shapes_and_methods():
    def f(x):  # output axes (2, 2)
        return np.stack([np.stack([x, x * x]), np.stack([np.sin(x), np.cos(x)])])

    res = derivative(f, 1.5)
    assert res.df.shape == (2, 2)
    expected = [[1.0, 3.0], [np.cos(1.5), -np.sin(1.5)]]
    assert np.allclose(res.df, expected, rtol=1e-12, atol=1e-13)
    x = np.array([[0.5, 1.0], [2.0, 3.0]])
    for kwargs in ({"method": "complex"}, {"n": 2}, {"n": 2, "method": "complex"}):
        res = derivative(_vector, x, **kwargs)
        assert res.df.shape == (2, 2, 2)
        n = kwargs.get("n", 1)
        true = _vector_prime(x) if n == 1 else np.stack([-np.sin(x), 0.25 * np.exp(0.5 * x)])
        assert (np.abs(res.df - true) <= res.error).all()
    res = derivative(_vector, [0.5, 1.0], step=1e-3, order=4)
    assert (res.status == Status.FIXED_STEP).all()
    assert np.allclose(res.df, _vector_prime(np.array([0.5, 1.0])), rtol=1e-9)


def test_vector_valued_status_covers_every_component():
    # sqrt at 0 fails; sin at 0 does not: the point's status is the failure,
    # broadcast over the components; a non-finite input is flagged as usual
    res = derivative(lambda x: np.stack([np.sin(x), np.sqrt(x)]), [1.0, 0.0, np.nan])
    assert res.status[:, 0].tolist() == [Status.SUCCESS] * 2
    assert (res.status[:, 1] < 0).all()
    assert (res.status[:, 2] == Status.NONFINITE_INPUT).all()
    assert abs(res.df[0, 1] - 1.0) <= res.error[0, 1]


def test_vector_valued_f_with_a_wrong_shape_later_is_refused():
    calls = []

    def f(x):
        calls.append(x.shape)
        if len(calls) == 1:
            return np.stack([np.sin(x), np.cos(x)])
        return np.stack([np.sin(x), np.cos(x), x])

    with pytest.raises(ValueError, match=r"a vector-valued f must return shape \(2, "):
        derivative(f, [0.5, 1.0])


def test_vector_valued_f_in_full_blocks():
    from dfdx.numeric._lookahead import JIT_MIN

    x = np.linspace(-3.0, 3.0, JIT_MIN + 10)
    res = derivative(_vector, x)
    true = _vector_prime(x)
    assert (np.abs(res.df - true) <= res.error).all()
    assert res.success.mean() > 0.99
