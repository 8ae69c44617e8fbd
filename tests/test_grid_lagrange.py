"""Non-uniform interior weights in the Lagrange form (``dfdx.grid._lagrange``).

The weights are checked against the Lagrange basis evaluated in 50-digit
arithmetic (mpmath), the fused application against the weights, and the
derivative for its observed order of convergence on refined uneven grids.
"""

from __future__ import annotations

import numpy as np
import pytest

from dfdx.grid import Diff, diff
from dfdx.grid._lagrange import BLOCK, apply_interior, lagrange_weights

mp = pytest.importorskip("mpmath")

CASES = [(1, 2), (1, 4), (1, 6), (1, 8), (2, 2), (2, 4), (2, 6), (3, 2), (3, 4), (4, 2), (4, 4)]


def _reference(nodes, centre: int, n: int) -> list:
    """``L_j^(n)(x_c)`` for every node, in 50-digit arithmetic."""
    with mp.workdps(50):
        xs = [mp.mpf(float(v)) for v in nodes]
        x0 = xs[centre]
        out = []
        for j, xj in enumerate(xs):
            others = [xl for i, xl in enumerate(xs) if i != j]
            den = mp.fprod(xj - xl for xl in others)

            def poly(t, others=others, den=den):
                return mp.fprod(t - xl for xl in others) / den

            out.append(mp.diff(poly, x0, n))
        return out


@pytest.mark.parametrize(("n", "acc"), CASES)
def test_weights_match_high_precision_lagrange_basis(n, acc):
    rng = np.random.default_rng(10 * n + acc)
    x = np.cumsum(rng.uniform(0.1, 2.0, 40))  # spacings varying 20-fold
    m = n + acc
    left = (m - 1) // 2
    lo, hi = left, x.size - (m - 1 - left)
    w = lagrange_weights(x, n, acc, 1.0, lo, hi)
    assert w.shape == (hi - lo, m)
    for row, i in enumerate(range(lo, hi, 5)):
        want = np.array([float(v) for v in _reference(x[i - left : i - left + m], left, n)])
        got = w[i - lo]
        scale = np.abs(want).max()
        assert np.max(np.abs(got - want)) <= 64 * np.finfo(float).eps * scale, (i, row)


@pytest.mark.parametrize(("n", "acc"), CASES)
def test_fused_application_equals_the_weights(n, acc):
    rng = np.random.default_rng(n + 7 * acc)
    size = BLOCK + 1234  # more than one block
    x = np.cumsum(rng.uniform(0.3, 1.7, size))
    y = np.sin(x / 9) + 0.1 * x
    m = n + acc
    left = (m - 1) // 2
    out = np.full(size, np.nan)
    apply_interior(y, x, out, n, acc, 1.0, 1.0)
    w = lagrange_weights(x, n, acc, 1.0, left, size - (m - 1 - left))
    windows = np.lib.stride_tricks.sliding_window_view(y, m)
    want = np.einsum("ij,ij->i", w, windows)
    interior = out[left : size - (m - 1 - left)]
    assert np.all(np.isnan(out[:left]))
    assert np.all(np.isnan(out[size - (m - 1 - left) :]))
    scale = np.einsum("ij,ij->i", np.abs(w), np.abs(windows))
    assert np.all(np.abs(interior - want) <= 64 * np.finfo(float).eps * scale)


@pytest.mark.parametrize(("n", "acc"), [(1, 2), (1, 6), (2, 4), (3, 2)])
def test_constant_data_give_exactly_zero(n, acc):
    rng = np.random.default_rng(3)
    x = np.cumsum(rng.uniform(0.3, 1.7, 500))
    d = diff(np.full(500, 2.5), x, n=n, acc=acc)
    m = n + acc
    left = (m - 1) // 2
    assert np.all(d[left : 500 - (m - 1 - left)] == 0.0)


@pytest.mark.parametrize(("n", "acc"), [(1, 4), (1, 6), (2, 4), (3, 4)])
def test_observed_order_on_refined_uneven_grids(n, acc):
    """Halving every spacing of a perturbed grid divides the error by about ``2**acc``."""
    errors = []
    for k in (40, 80, 160):  # asymptotic, and truncation (not rounding) dominates
        t = np.linspace(0.0, 1.0, k + 1)
        x = t + 0.3 / k * np.sin(37 * t)  # uneven, spacings within 30 % of 1/k
        y = np.exp(np.sin(2 * x))
        d = diff(y, x, n=n, acc=acc)
        want = _exact_derivative(x, n)
        core = slice(k // 4, 3 * k // 4)
        errors.append(np.max(np.abs(d[core] - want[core])))
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(orders > acc - 0.5), orders


def _exact_derivative(x, n):
    """``d^n/dx^n exp(sin(2x))`` by the chain rule in mpmath (independent of dfdx)."""
    with mp.workdps(30):
        return np.array([float(mp.diff(lambda t: mp.exp(mp.sin(2 * t)), float(v), n)) for v in x])


def test_reusable_operator_equals_fresh_calls():
    rng = np.random.default_rng(5)
    x = np.cumsum(rng.uniform(0.3, 1.7, 3000))
    y = np.cos(x / 11)
    for n, acc in [(1, 6), (2, 4)]:
        op = Diff(0, n, x=x, acc=acc)
        np.testing.assert_allclose(op(y), diff(y, x, n=n, acc=acc), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("n", "acc", "want"),
    [
        (1, 6, [-1 / 60, 3 / 20, -3 / 4, 0, 3 / 4, -3 / 20, 1 / 60]),
        (2, 2, [1, -2, 1, 0]),  # four nodes, centre second: the last weight vanishes
        (4, 2, [1, -4, 6, -4, 1, 0]),
    ],
)
def test_unit_spacing_gives_the_textbook_stencils(n, acc, want):
    x = np.arange(float(n + acc))
    left = (n + acc - 1) // 2
    w = lagrange_weights(x, n, acc, 1.0, left, left + 1)[0]
    np.testing.assert_allclose(w, want, rtol=1e-14, atol=1e-13)


def test_reused_scratch_gives_the_results_of_fresh_scratch():
    """Earlier calls (other data, stencils, sizes, dtypes) leave no trace in a result."""
    from dfdx.grid import _lagrange

    rng = np.random.default_rng(11)
    x = np.cumsum(rng.uniform(0.3, 1.7, 3000))
    y = np.cos(x / 7)
    calls = [(2, 4, 3000, np.float64), (3, 4, 3000, np.float64), (2, 4, 300, np.float64)]
    calls += [(2, 4, 3000, np.complex128), (1, 6, 3000, np.float64), (2, 4, 3000, np.float64)]
    for n, acc, size, dtype in calls:
        ys = y[:size].astype(dtype)
        _lagrange._local.buffers = None  # fresh scratch
        fresh = np.full(size, np.nan, dtype)
        apply_interior(ys, x[:size], fresh, n, acc, 1.0, 1.0)
        other = np.cumsum(rng.uniform(1e-3, 1e3, 2 * size))  # dirty the same scratch
        apply_interior(
            1e300 * other.astype(dtype), other, np.empty(2 * size, dtype), n, acc, 1.0, 1.0
        )
        again = np.full(size, np.nan, dtype)
        apply_interior(ys, x[:size], again, n, acc, 1.0, 1.0)
        np.testing.assert_array_equal(again, fresh)
