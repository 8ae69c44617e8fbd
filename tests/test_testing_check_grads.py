"""dfdx.testing.check_grads: its finite-difference reference and its verdicts."""

from __future__ import annotations

import numpy as np
import pytest

from dfdx import ad
from dfdx.ad._tracer import raw
from dfdx.testing import check_grads, observed_order
from dfdx.testing._check_grads import _directional


def test_reference_is_fourth_order():
    x = (np.array([0.3, 1.1]),)
    v = [np.array([1.0, -0.5])]
    exact = np.cos(x[0]) * v[0] * np.exp(np.sin(x[0]))
    steps = np.array([0.2, 0.1, 0.05])
    errors = [
        np.max(np.abs(_directional(lambda x: np.exp(np.sin(x)), x, v, h) - exact)) for h in steps
    ]
    assert observed_order(steps, errors) == pytest.approx(4.0, abs=0.3)


@pytest.mark.parametrize("order", [1, 2, 3])
def test_passes_on_correct_rules_any_order(order):
    check_grads(lambda x, y: np.sum(np.tanh(x) * y**2), (np.array([0.2, -0.4]), 0.7), order=order)


def test_structured_arguments_and_outputs():
    def f(p):
        return {"a": p["w"] * p["b"], "b": (np.sin(p["w"]),)}

    check_grads(f, ({"w": np.array([0.1, 0.2]), "b": 1.5},), order=1)


def test_catches_a_rule_that_is_right_but_not_differentiable():
    # the rules read the raw value of x: first order is right, second order is not
    p = ad.primitive(np.sin, name="sin_opaque_rule")
    ad.defjvp(p, lambda t, ans, x: t * np.cos(raw(x)))
    ad.defvjp(p, lambda g, ans, x: g * np.cos(raw(x)))
    x = np.array([0.3, 0.9])
    check_grads(p, (x,), order=1)
    with pytest.raises(AssertionError, match="order 1"):
        check_grads(p, (x,), order=2)
