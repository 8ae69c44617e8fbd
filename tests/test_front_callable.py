"""The front door refuses callables that are not elementwise and retries AD failures."""

import math

import numpy as np
import pytest

import dfdx
from dfdx import Status

NOT_ELEMENTWISE = [
    (lambda x: np.sum(x**2), "sum"),
    (lambda x: x[::-1] * x, "reversal"),
    (lambda x: x * np.sum(x), "scaled by a sum"),
    (lambda x: np.cumsum(x), "cumsum"),
    (lambda x: x - np.mean(x), "centred"),
    (lambda x: x + np.roll(x, 1), "roll"),
    (lambda x: np.linalg.norm(x) * x, "norm"),
]


@pytest.mark.parametrize("method", ["auto", "ad", "numeric", "central"])
@pytest.mark.parametrize(("func", "label"), NOT_ELEMENTWISE, ids=[c[1] for c in NOT_ELEMENTWISE])
def test_non_elementwise_callables_are_refused(func, label, method):
    match = r"elementwise.*dfdx\.grad.*dfdx\.jacobian.*numeric\.gradient"
    for x in (np.array([1.0, 2.0, 3.0]), np.linspace(0.5, 2.0, 200)):
        with pytest.raises(ValueError, match=match):
            dfdx.derivative(func, x, method=method)


def test_the_issue_examples_are_refused_not_answered():
    # before: 12.0 (AD) and [0, 0, 0] (numeric), both success=True
    with pytest.raises(ValueError, match=r"dfdx\.grad"):
        dfdx.derivative(lambda x: np.sum(x**2), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"dfdx\.grad"):
        dfdx.derivative(lambda x: np.sum(x**2), [1.0, 2.0, 3.0], method="numeric")
    # before: [4, 4, 4] and [5, 4, 2.5]; the Jacobian's diagonal is [3, 4, 1]
    for method in ("auto", "numeric"):
        with pytest.raises(ValueError, match=r"not diagonal|changed f at others"):
            dfdx.derivative(lambda x: x[::-1] * x, [1.0, 2.0, 3.0], method=method)


def test_a_coupling_at_one_pair_of_points_is_found():
    def f(x):
        return x**2 + 1e-3 * x[0] * (np.arange(x.size) == x.size - 1)

    for method in ("auto", "numeric"):
        for size in (2, 5, 8):
            with pytest.raises(ValueError, match="elementwise"):
                dfdx.derivative(f, np.linspace(1, 2, size), method=method)


def test_non_elementwise_scalar_only_callables_are_not_probed_on_arrays():
    r = dfdx.derivative(lambda t: math.exp(t), np.array([0.0, 1.0]))
    np.testing.assert_allclose(r.df, np.exp([0.0, 1.0]), rtol=1e-11)


@pytest.mark.parametrize("size", [1, 2, 9, 64, 65, 1000])
def test_elementwise_callables_still_work(size):
    x = np.linspace(0.1, 3.0, size)
    weights = np.linspace(1.0, 2.0, size)  # closes over an array of the shape of x
    for func, d in [
        (
            lambda t: np.sin(t) * np.exp(-t / 3),
            lambda t: np.exp(-t / 3) * (np.cos(t) - np.sin(t) / 3),
        ),
        (lambda t: weights * t**2, lambda t: 2 * weights * t),
        (lambda t: np.where(t > 1, t**3, t), lambda t: np.where(t > 1, 3 * t**2, 1.0)),
    ]:
        r = dfdx.derivative(func, x)
        assert r.method == "ad"
        np.testing.assert_allclose(r.df, d(x), rtol=1e-13)
        if func.__code__.co_freevars:  # the numeric engine evaluates f on stencil batches
            continue
        rn = dfdx.derivative(func, x, method="numeric")
        np.testing.assert_allclose(rn.df, d(x), rtol=1e-8)
        r2 = dfdx.derivative(func, x, n=2)
        assert r2.method == "ad"
        assert r2.df.shape == x.shape


def test_elementwise_on_2d_points():
    x = np.linspace(0.1, 2.0, 12).reshape(3, 4)
    r = dfdx.derivative(np.exp, x, n=2)
    np.testing.assert_allclose(r.df, np.exp(x), rtol=1e-14)


def test_ad_failures_are_retried_numerically_and_never_called_exact():
    # d/dx sqrt(x)**3 = 1.5 sqrt(x): the AD chain rule gives 0 * inf = NaN at 0
    x = np.array([0.0, 1.0, 4.0])
    f = lambda t: np.sqrt(t) ** 3  # noqa: E731
    r = dfdx.derivative(f, x)
    assert r.method == "ad"
    assert "retried by numerical differentiation" in r.message
    assert not r.message.startswith("exact")
    assert r.status[0] != Status.EXACT
    np.testing.assert_array_equal(r.status[1:], [Status.EXACT, Status.EXACT])
    np.testing.assert_allclose(r.df[1:], [1.5, 3.0], rtol=1e-15)
    # the retried point: its error estimate is honest whatever it says
    assert not (r.success[0] and abs(r.df[0]) > r.error[0] + 1e-6)


def test_ad_failure_is_repaired_by_the_retry_with_an_honest_error():
    # cbrt(t)**3 = t: the chain rule gives 0 * inf = NaN at 0, the derivative is 1
    x = np.array([-1.0, 0.0, 2.0])
    r = dfdx.derivative(lambda t: np.cbrt(t) ** 3, x)
    np.testing.assert_allclose(r.df, 1.0, rtol=1e-12)
    assert r.status[1] == Status.SUCCESS
    assert abs(r.df[1] - 1.0) <= r.error[1] + 1e-15
    assert r.error[1] > 0
    assert r.params["retried"].tolist() == [False, True, False]
    np.testing.assert_array_equal(r.status[[0, 2]], Status.EXACT)
    assert "retried by numerical differentiation" in r.message
    assert "1 succeeded" in r.message


def test_points_where_f_itself_is_nan_are_not_retried():
    r = dfdx.derivative(lambda t: np.sqrt(t) ** 3, np.array([-1.0, 1.0]))
    assert np.isnan(r.df[0])
    assert r.status[0] == Status.NONFINITE_VALUE
    assert "failed (NaN or inf) at 1" in r.message
    assert "retried" not in r.message
    assert r.df[1] == 1.5
