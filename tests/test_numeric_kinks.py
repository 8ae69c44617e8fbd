"""Kinks and jumps: no value is reported as a success where f' does not exist."""

from __future__ import annotations

import numpy as np
import pytest

from dfdx._core.result import Status
from dfdx.numeric import derivative, gradient
from dfdx.numeric._cohort import anomaly_row


def relu(x):
    return np.maximum(x, 0.0)


def abs15(x):
    return np.abs(x) ** 1.5


@pytest.mark.parametrize(
    ("f", "x", "left", "right"),
    [
        (np.abs, 0.0, -1.0, 1.0),
        (relu, 0.0, 0.0, 1.0),
        (lambda x: np.abs(x - 0.3) * 2.0 + x, 0.3, -1.0, 3.0),
        (lambda x: np.maximum(np.sin(x), 0.5 * x), 0.0, 0.5, 1.0),
    ],
)
def test_kink_is_flagged_with_both_one_sided_slopes_inside_the_error(f, x, left, right):
    res = derivative(f, x)
    assert int(res.status) == Status.NOT_DIFFERENTIABLE
    assert not bool(res.success)
    # the value is the mean of the one-sided derivatives, the error covers both
    assert abs(float(res.df) - (left + right) / 2) < 1e-9
    assert float(res.error) >= abs(right - left) / 2 * (1 - 1e-9)
    assert int(res.nfev) <= 8 + 1  # (and one node again: f deterministic?)


@pytest.mark.parametrize(
    ("f", "x"),
    [(np.sign, 0.0), (np.floor, 1.0), (np.floor, 0.0), (np.ceil, -2.0), (np.round, 0.5)],
)
@pytest.mark.parametrize("n", [1, 2, 3])
def test_jump_is_never_a_success(f, x, n):
    res = derivative(f, x, n=n)
    assert not bool(res.success)
    assert int(res.status) in (Status.NOT_CONVERGED, Status.NOT_DIFFERENTIABLE)


def test_jump_invisible_to_the_even_part_is_flagged_for_even_n():
    # sign is odd about 0: f(h) + f(-h) - 2 f(0) = 0 at every step
    res = derivative(np.sign, 0.0, n=2)
    assert int(res.status) == Status.NOT_DIFFERENTIABLE


def test_kink_invisible_to_the_odd_part_is_flagged_for_n_3():
    res = derivative(np.abs, 0.0, n=3)
    assert int(res.status) == Status.NOT_DIFFERENTIABLE


@pytest.mark.parametrize(
    ("f", "fp", "x"),
    [
        (np.abs, np.sign, [-0.7, -1e-3, 1e-3, 2.0, 1e5]),
        (relu, lambda x: (x > 0).astype(float), [-1.0, -1e-2, 1e-2, 0.3]),
        (np.floor, np.zeros_like, [0.5, 2.5, -3.25]),
        (np.sign, np.zeros_like, [-1e-3, 1e-3, 4.0]),
        (abs15, lambda x: 1.5 * np.sign(x) * np.sqrt(np.abs(x)), [0.0, -1e-3, 1e-3, 0.5]),
    ],
)
def test_near_a_kink_the_derivative_is_found(f, fp, x):
    # (a zero derivative meets a relative tolerance only within an absolute one)
    res = derivative(f, x, atol=1e-10)
    assert res.success.all()
    assert np.allclose(res.df, fp(np.asarray(x)), rtol=1e-10, atol=1e-10)
    assert (np.abs(res.df - fp(np.asarray(x))) <= res.error).all()


def test_differentiable_power_is_not_flagged_at_zero():
    res = derivative(abs15, 0.0, atol=1e-12)
    assert int(res.status) == Status.SUCCESS
    assert abs(float(res.df)) <= float(res.error) < 1e-12


@pytest.mark.parametrize("f", [np.abs, relu])
def test_points_approaching_the_kink_are_right_or_flagged(f):
    # never a silent wrong answer: every success is within its error estimate
    rng = np.random.default_rng(5)
    d = rng.choice([-1.0, 1.0], 400) * 10 ** rng.uniform(-15, 0, 400)
    x = np.concatenate([d, [0.0, -0.0]])
    res = derivative(f, x)
    true = np.sign(x) if f is np.abs else (x > 0).astype(float)
    ok = res.success
    assert (np.abs(res.df[ok] - true[ok]) <= res.error[ok]).all()
    assert (res.status[x == 0] == Status.NOT_DIFFERENTIABLE).all()
    assert ok[np.abs(x) > 1e-3].all()


def test_kink_at_random_places_in_one_vectorised_call():
    rng = np.random.default_rng(6)
    c = rng.uniform(-5, 5, 300)
    slope = rng.uniform(0.5, 3.0, 300)
    res = derivative(lambda x, c, s: s * np.abs(x - c) + np.sin(x), c, args=(c, slope))
    assert (res.status == Status.NOT_DIFFERENTIABLE).all()
    assert np.allclose(res.df, np.cos(c), atol=1e-6)
    assert (res.error >= slope * (1 - 1e-6)).all()


def test_gradient_flags_only_the_kinked_component():
    res = gradient(lambda x: np.abs(x[0]) + x[1] ** 2, [0.0, 1.0])
    assert res.status.tolist() == [Status.NOT_DIFFERENTIABLE, Status.SUCCESS]
    assert abs(float(res.df[1]) - 2.0) < 1e-10


def test_message_names_the_new_status():
    res = derivative(np.abs, [0.0, 1.0])
    assert "1 NOT_DIFFERENTIABLE" in res.message
    assert Status.NOT_DIFFERENTIABLE == -5


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("m", [2, 3, 5])
def test_anomaly_row_ignores_regular_powers_and_measures_the_irregular_one(n, m):
    k = n % 2
    u = 2.0 ** -np.arange(m)
    row = anomaly_row(n, m, m)
    # regular powers of the complementary part (as many as the fit holds)
    for p in range(1 - k, 2 * m - 2, 2):
        assert abs(row @ u**p) < 1e-9 * np.abs(row).sum()
    # the irregular power gives n!/2 * h_min**(k - n) (in units of the top step)
    expected = np.prod(np.arange(1, n + 1)) / 2 * u[-1] ** (k - n)
    assert row @ u**k == pytest.approx(expected, rel=1e-9)


def test_size_of_the_slope_jump_decides_the_verdict():
    x = [0.0]
    big = derivative(lambda t: t + 1e-3 * np.abs(t), x)
    assert big.status.tolist() == [Status.NOT_DIFFERENTIABLE]
    assert big.error[0] >= 1e-3 * (1 - 1e-9)
    # one-sided slopes apart by more than the tolerance but not clearly: refine, then give up
    small = derivative(lambda t: t + 1e-9 * np.abs(t), x)
    assert small.status.tolist() == [Status.NOT_CONVERGED]
    # apart by less than the tolerance: the value is as good as asked for
    tiny = derivative(lambda t: t + 1e-14 * np.abs(t), x)
    assert tiny.status.tolist() == [Status.SUCCESS]
    assert abs(tiny.df[0] - 1.0) < 1e-12
