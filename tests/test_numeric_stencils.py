"""Fixed-step stencils converge at their nominal order (observed log-log slope)."""

from __future__ import annotations

import numpy as np
import pytest

from dfdx.numeric import derivative
from dfdx.testing import observed_order

CASES = [
    ("central", 1, 2),
    ("central", 1, 4),
    ("central", 1, 6),
    ("central", 1, 8),
    ("central", 2, 2),
    ("central", 2, 4),
    ("central", 3, 2),
    ("central", 4, 2),
    ("forward", 1, 1),
    ("forward", 1, 2),
    ("forward", 1, 3),
    ("forward", 2, 1),
    ("forward", 2, 2),
    ("backward", 1, 1),
    ("backward", 1, 2),
    ("backward", 2, 2),
]


@pytest.mark.parametrize(("method", "n", "order"), CASES)
def test_observed_order_matches_nominal(method, n, order):
    x0 = 0.7
    true = [np.cos, lambda t: -np.sin(t), lambda t: -np.cos(t), np.sin][n - 1](x0)
    # steps large enough that truncation, not rounding, dominates
    steps = 0.4 * 2.0 ** -np.arange(4) * (1.0 if order >= 4 else 0.25)
    errors = [
        abs(float(derivative(np.sin, x0, n=n, method=method, order=order, step=h).df) - true)
        for h in steps
    ]
    assert observed_order(steps, errors) == pytest.approx(order, abs=0.3)


def test_complex_step_is_second_order_then_exact():
    # Im f(x + ih)/h has error ~ h**2 f'''/6; the default tiny step is exact to rounding
    res = derivative(np.sin, 0.7, method="complex")
    assert abs(float(res.df) - np.cos(0.7)) <= 2 * np.spacing(np.cos(0.7))


def test_fixed_step_error_estimate_tracks_truncation():
    res = derivative(np.exp, 1.0, step=0.1, order=4)
    err = abs(float(res.df) - np.e)
    assert err <= float(res.error) <= 1000 * err
    none = derivative(np.exp, 1.0, step=0.1, order=2)
    assert np.isnan(none.error)


def test_complex_step_with_a_fixed_step_is_second_order():
    steps = 0.2 * 2.0 ** -np.arange(4)
    errors = [
        abs(float(derivative(np.sin, 0.7, method="complex", step=h).df) - np.cos(0.7))
        for h in steps
    ]
    assert observed_order(steps, errors) == pytest.approx(2, abs=0.2)
    res = derivative(np.sin, 0.7, method="complex", step=0.1)
    assert res.status == 3
    assert np.isnan(res.error)
