import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dfdx import fd_weights
from dfdx._core.weights import fornberg_table

# Classic tables (Fornberg 1988, Table 1 and 3): central and forward stencils.
CLASSIC = [
    ([-1, 0, 1], 1, [-1 / 2, 0, 1 / 2]),
    ([-2, -1, 0, 1, 2], 1, [1 / 12, -2 / 3, 0, 2 / 3, -1 / 12]),
    ([-3, -2, -1, 0, 1, 2, 3], 1, [-1 / 60, 3 / 20, -3 / 4, 0, 3 / 4, -3 / 20, 1 / 60]),
    ([-1, 0, 1], 2, [1, -2, 1]),
    ([-2, -1, 0, 1, 2], 2, [-1 / 12, 4 / 3, -5 / 2, 4 / 3, -1 / 12]),
    ([-2, -1, 0, 1, 2], 3, [-1 / 2, 1, 0, -1, 1 / 2]),
    ([-2, -1, 0, 1, 2], 4, [1, -4, 6, -4, 1]),
    ([0, 1], 1, [-1, 1]),
    ([0, 1, 2], 1, [-3 / 2, 2, -1 / 2]),
    ([0, 1, 2, 3], 1, [-11 / 6, 3, -3 / 2, 1 / 3]),
    ([0, 1, 2, 3, 4], 1, [-25 / 12, 4, -3, 4 / 3, -1 / 4]),
    ([0, 1, 2, 3], 2, [2, -5, 4, -1]),
    ([-1, 0], 1, [-1, 1]),
]


@pytest.mark.parametrize(("offsets", "n", "expected"), CLASSIC)
def test_classic_tables(offsets, n, expected):
    np.testing.assert_allclose(fd_weights(offsets, n), expected, rtol=1e-13, atol=1e-14)


def _distinct_offsets(draw, size):
    gaps = draw(st.lists(st.floats(0.1, 2.0), min_size=size, max_size=size))
    start = draw(st.floats(-3.0, 0.0))
    return start + np.cumsum(gaps)


@st.composite
def stencils(draw):
    m = draw(st.integers(2, 7))
    offsets = _distinct_offsets(draw, m)
    n = draw(st.integers(0, m - 1))
    return offsets, n


@given(stencils())
@settings(max_examples=60, deadline=None)
def test_exact_on_monomials_up_to_stencil_degree(case):
    offsets, n = case
    w = fd_weights(offsets, n)
    m = len(offsets)
    for degree in range(m):
        # d^n/dx^n of x**degree at x = 0 is n! when degree == n, else 0.
        exact = math.factorial(n) if degree == n else 0.0
        approx = float(np.dot(w, offsets**degree))
        scale = np.sum(np.abs(w) * np.abs(offsets) ** degree) + 1.0
        assert abs(approx - exact) <= 1e-11 * scale


@given(stencils(), st.floats(-5, 5))
@settings(max_examples=40, deadline=None)
def test_exact_on_shifted_polynomials(case, x0):
    # The weights differentiate any polynomial of degree < m exactly at any point.
    offsets, n = case
    m = len(offsets)
    rng = np.random.default_rng(abs(hash((m, n))) % 2**32)
    p = np.polynomial.Polynomial(rng.standard_normal(m))
    w = fd_weights(offsets, n)
    values = p(x0 + offsets)
    approx = np.dot(w, values)
    exact = p.deriv(n)(x0)
    # Only rounding remains: bounded by a few ulps of the terms that are summed.
    assert abs(approx - exact) <= 1e-12 * (np.sum(np.abs(w * values)) + abs(exact))


def test_batch_equals_loop_and_table_has_all_orders():
    rng = np.random.default_rng(1)
    offsets = np.sort(rng.uniform(-2, 2, size=(4, 3, 5)), axis=-1)
    batch = fd_weights(offsets, 2)
    assert batch.shape == (4, 3, 5)
    for idx in np.ndindex(4, 3):
        np.testing.assert_allclose(batch[idx], fd_weights(offsets[idx], 2), rtol=1e-12)
    table = fornberg_table(offsets, 4)
    assert table.shape == (4, 3, 5, 5)
    np.testing.assert_allclose(table[..., 2], batch, rtol=1e-12)
    np.testing.assert_allclose(table[..., 0].sum(axis=-1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("scale", [1e-300, 1e-150, 1e-8, 1.0, 1e8, 1e150, 1e300])
def test_scale_invariance(scale):
    w = fd_weights(np.array([-2.0, -1.0, 0.0, 1.0, 2.0]) * scale, 1)
    np.testing.assert_allclose(w * scale, [1 / 12, -2 / 3, 0, 2 / 3, -1 / 12], rtol=1e-12)


def test_unsorted_offsets_keep_their_order():
    np.testing.assert_allclose(fd_weights([1, -1, 0]), [0.5, -0.5, 0.0], atol=1e-15)


def test_validation_messages():
    with pytest.raises(ValueError, match="`n` must be a non-negative integer, got -1"):
        fd_weights([0, 1], -1)
    with pytest.raises(ValueError, match="`n` must be a non-negative integer, got True"):
        fd_weights([0, 1], True)
    with pytest.raises(ValueError, match=r"more than n=2 nodes per stencil .* got 2"):
        fd_weights([0, 1], 2)
    with pytest.raises(ValueError, match="`offsets` must be distinct within each stencil"):
        fd_weights([0, 1, 1])
    with pytest.raises(ValueError, match="`offsets` must be finite"):
        fd_weights([0, np.nan, 1])
    with pytest.raises(ValueError, match="`offsets` must have at least one dimension"):
        fd_weights(1.0)
    with pytest.raises(TypeError, match="`offsets` must be real"):
        fd_weights([0, 1j])
