"""A function that is not deterministic is never a success; a constant differentiates to 0."""

from __future__ import annotations

import numpy as np
import pytest

from dfdx._core.result import Status
from dfdx.numeric import derivative
from dfdx.numeric._repeat import SAMPLE, sampled


def _random_factor(seed):
    rng = np.random.default_rng(seed)
    return lambda x: np.exp(x) * rng.random()  # one random number per call


@pytest.mark.parametrize("rtol", [1e-14, None, 1e-6])
def test_a_random_factor_per_call_is_not_a_success(rtol):
    # smooth within each call, so the levels of the first call agree
    res = derivative(_random_factor(5), [1.0, 2.0], rtol=rtol)
    assert (res.status == Status.NOT_CONVERGED).all()
    assert not res.success.any()
    assert (res.error >= np.abs(res.df)).all()  # the value means nothing
    assert "not deterministic" in res.message


def test_only_the_points_that_change_are_flagged():
    # scipy's test_flags: one function per point, only the second is random
    rng = np.random.default_rng(5651219684984213)
    funcs = [lambda x: x - 2.5, lambda x: np.exp(x) * rng.random(), np.exp]

    def f(xs, js):
        return np.stack([funcs[int(j)](x) for x, j in zip(xs, js.ravel(), strict=True)])

    res = derivative(f, np.ones(3), args=(np.arange(3),))
    assert res.status.tolist() == [Status.SUCCESS, Status.NOT_CONVERGED, Status.SUCCESS]
    np.testing.assert_allclose(res.df[[0, 2]], [1.0, np.e], rtol=1e-13)


def test_many_points_are_all_flagged_from_a_sample():
    x = np.linspace(0.0, 1.0, 1000)
    res = derivative(_random_factor(1), x)
    assert (res.status == Status.NOT_CONVERGED).all()
    # the sampled points paid one more evaluation
    probed = np.isin(np.arange(x.size), sampled(x.size))
    assert probed.sum() == SAMPLE
    assert (res.nfev[probed] == res.nfev[~probed].max() + 1).all()


def test_state_kept_between_calls_is_found_point_by_point():
    calls = []

    def f(x):  # a counter of calls: deterministic within each call
        calls.append(1)
        return np.sin(x) * (1 + 1e-3 * len(calls))

    res = derivative(f, 0.5, vectorized=True)
    assert int(res.status) == Status.NOT_CONVERGED
    scalar = derivative(lambda t: f(np.asarray(t)).item(), 0.5, vectorized=False)
    assert int(scalar.status) == Status.NOT_CONVERGED


@pytest.mark.parametrize("vectorized", [True, False])
def test_deterministic_functions_are_untouched(vectorized):
    x = np.array([0.3, 1.0, 2.0])
    seen = []

    def f(t):
        seen.append(np.size(t))
        return np.sin(t)

    res = derivative(f, x, vectorized=vectorized)
    assert res.success.all()
    assert "deterministic" not in res.message
    np.testing.assert_allclose(res.df, np.cos(x), rtol=1e-13)
    assert int(res.nfev.sum()) == sum(seen)  # the check's evaluations are counted
    vec = derivative(lambda t: np.stack([np.sin(t), np.exp(t)]), x)
    assert vec.success.all()


@pytest.mark.parametrize("method", ["forward", "backward"])
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_one_sided_derivative_of_a_constant_is_exactly_zero(method, n):
    # the weights are applied to f(x + h) - f(x): a constant cancels exactly
    res = derivative(lambda t: 0 * t + 7.3, [1.0, -250.0, 3e5], method=method, n=n)
    assert (res.df == 0.0).all()
    lin = derivative(lambda t: 3.0 * t + 7.3, [1.0, 2.0], method=method)
    np.testing.assert_allclose(lin.df, 3.0, rtol=1e-13)
    x = np.linspace(0.1, 3.0, 50)  # and accuracy where f is not constant
    ref = [np.cos, lambda t: -np.sin(t), lambda t: -np.cos(t), np.sin][n - 1](x)
    sin = derivative(np.sin, x, method=method, n=n)
    assert np.all(np.abs(sin.df - ref) <= sin.error)
    assert np.all(np.abs(sin.df - ref)[sin.success] <= [1e-6, 1e-6, 1e-5, 1e-4][n - 1])
