"""The first call of the adaptive engine holds several levels of every point."""

import numpy as np
import pytest

from dfdx._core.result import Status
from dfdx.numeric import derivative, hessian
from dfdx.numeric._repeat import sampled


def _recording(f, seen):
    def g(x):
        seen.append(x.shape)
        return f(x)

    return g


@pytest.mark.parametrize(("n", "width"), [(1, 8), (2, 11), (3, 12), (4, 11)])
def test_first_call_holds_the_first_levels(n, width):
    seen = []
    x = np.linspace(0.2, 2.0, 50)
    res = derivative(_recording(np.exp, seen), x, n=n)
    assert seen[0] == (50, width)
    assert np.allclose(res.df, np.exp(x), rtol=10.0 ** (-13 + 2 * n))
    assert np.all(res.nfev >= width)


def test_looser_tolerances_hold_fewer_levels():
    seen = []
    derivative(_recording(np.exp, seen), [0.5, 1.0], rtol=1e-6)
    assert seen[0] == (2, 6)
    seen.clear()
    derivative(_recording(np.exp, seen), [0.5, 1.0], atol=1e-8)  # one level fewer
    assert seen[0] == (2, 6)


def test_points_that_go_on_refining_match_a_loop():
    # smooth points end in the first call; the fast oscillation, the domain
    # edge and the kink are replayed through the level-by-level loop
    def f(x):
        with np.errstate(invalid="ignore"):
            return np.sin(300 * x) * (x > 1.5) + np.sqrt(x) + np.abs(x - 1.0)

    x = np.concatenate([np.linspace(0.1, 0.9, 40), [1e-4, 1.0], np.linspace(1.6, 2.0, 9)])
    res = derivative(f, x)
    for i in range(x.size):
        one = derivative(f, x[i])
        assert int(one.status) == int(res.status[i])
        assert float(one.df) == pytest.approx(float(res.df[i]), rel=1e-12, abs=1e-12)
        assert int(one.nfev) == int(res.nfev[i])
    assert res.status[x.size - 10] == Status.NOT_DIFFERENTIABLE  # |x - 1| at 1
    assert np.all(res.nfev >= 8)  # every point paid for the first call
    assert res.nfev[40] > 8  # the domain edge refined further (one-sided)
    assert np.all(res.nfev[42:] > 8)  # ... and the fast oscillation
    assert res.nfev[41] == 8 + 1  # the kink was seen in the first call (+ the check node)
    exact = 0.5 / np.sqrt(x) + np.sign(x - 1.0) + 300 * np.cos(300 * x) * (x > 1.5)
    ok = res.status == Status.SUCCESS
    assert np.all(np.abs(res.df[ok] - exact[ok]) <= res.error[ok])


def test_values_returned_by_f_are_left_alone():
    kept = []

    def f(x):
        out = np.cos(x)
        kept.append((x.copy(), out))
        return out

    derivative(f, np.linspace(-1.0, 1.0, 40))
    for nodes, values in kept:
        assert np.array_equal(values, np.cos(nodes))


def test_read_only_and_complex_values():
    def f(x):
        out = np.sin(x)
        out.flags.writeable = False
        return out

    x = np.linspace(0.0, 1.0, 30)
    assert np.allclose(derivative(f, x).df, np.cos(x), rtol=1e-13, atol=1e-14)
    res = derivative(lambda t: np.exp(1j * t), x)
    assert np.allclose(res.df, 1j * np.exp(1j * x), rtol=1e-12)


def test_counts_over_blocks():
    x = np.linspace(-1.0, 1.0, 40000)  # more than one block
    res = derivative(np.sin, x)
    assert res.nfev.shape == res.nit.shape == x.shape
    probed = np.isin(np.arange(x.size), sampled(x.size))  # one node again (f deterministic?)
    assert np.all(res.nfev == 8 + probed)
    assert np.all(res.nit == 4)
    assert res.message == "auto: 40000 SUCCESS"


def test_hessian_of_even_order_directions():
    def f(x):
        return np.sum(x**2, axis=0) * np.exp(x[0])

    x0 = np.array([0.3, -0.7, 1.1])
    e = np.exp(x0[0])
    s = np.sum(x0**2)
    H = np.diag([2 * e] * 3).astype(float)
    H[0, 0] = e * (s + 4 * x0[0] + 2)
    H[0, 1:] = H[1:, 0] = 2 * x0[1:] * e
    assert np.allclose(hessian(f, x0).df, H, rtol=1e-9)
