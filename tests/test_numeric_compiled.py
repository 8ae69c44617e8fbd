"""The compiled (numba) test of the lookahead against the NumPy one.

With numba installed, long blocks of real float64 values are tested by
:func:`dfdx.numeric._jitlook.settle`; a block where any point is not plain
(not converged, not finite, a hint of a kink) goes to the NumPy test.  Both
ways must give the same statuses and counts, and values equal to rounding.
"""

from __future__ import annotations

import numpy as np
import pytest

from dfdx._core.result import Status
from dfdx.numeric import _lookahead, derivative

pytest.importorskip("numba")

SIZE = _lookahead._JIT_MIN + 1000


@pytest.fixture
def settled(monkeypatch):
    """Record, per block, whether the compiled test settled it."""
    seen = []
    real = _lookahead._settled

    def spy(*args, **kwargs):
        result = real(*args, **kwargs)
        seen.append(result)
        return result

    monkeypatch.setattr(_lookahead, "_settled", spy)
    monkeypatch.setenv("DFDX_NUMBA", "1")
    return seen


def _both(monkeypatch, f, x, **kwargs):
    monkeypatch.setenv("DFDX_NUMBA", "1")
    fast = derivative(f, x, **kwargs)
    monkeypatch.setenv("DFDX_NUMBA", "0")
    slow = derivative(f, x, **kwargs)
    monkeypatch.setenv("DFDX_NUMBA", "1")
    return fast, slow


def _same(fast, slow):
    assert np.array_equal(fast.status, slow.status)
    assert np.array_equal(fast.nfev, slow.nfev)
    assert np.array_equal(fast.nit, slow.nit)
    scale = np.nanmax(np.abs(slow.df))
    assert np.allclose(fast.df, slow.df, rtol=1e-13, atol=1e-14 * scale, equal_nan=True)
    assert np.allclose(fast.error, slow.error, rtol=0.05, atol=1e-14 * scale, equal_nan=True)


@pytest.mark.parametrize(
    ("f", "n"),
    [(np.sin, 1), (np.exp, 1), (np.exp, 2), (np.cos, 3), (np.exp, 4), (np.arctan, 1)],
)
def test_compiled_equals_numpy(monkeypatch, settled, f, n):
    x = np.linspace(-2.0, 2.0, SIZE)
    fast, slow = _both(monkeypatch, f, x, n=n)
    _same(fast, slow)
    assert fast.success.all()


def test_plain_blocks_are_settled_compiled(monkeypatch, settled):
    x = np.linspace(0.1, 3.0, SIZE)
    res = derivative(np.sin, x)
    assert settled == [True]
    assert res.message == f"auto: {SIZE} SUCCESS"
    assert np.all(res.nfev == 8)
    assert np.all(np.abs(res.df - np.cos(x)) <= res.error)


def test_blocks_with_a_special_point_take_the_numpy_test(monkeypatch, settled):
    # a kink, a domain edge and a fast oscillation inside one long block
    def f(x):
        with np.errstate(invalid="ignore"):
            return np.sqrt(x) + np.abs(x - 1.0) + np.sin(300 * x) * (x > 1.5)

    x = np.linspace(1e-4, 2.0, SIZE)
    x[SIZE // 3] = 1.0
    fast, slow = _both(monkeypatch, f, x)
    assert settled[0] is False
    _same(fast, slow)
    assert fast.status[SIZE // 3] == Status.NOT_DIFFERENTIABLE


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nonfinite_values_take_the_numpy_test(monkeypatch, settled, bad):
    def f(x):
        out = np.exp(x)
        out[(x > 0.49) & (x < 0.51)] = bad
        return out

    x = np.linspace(0.0, 1.0, SIZE)
    fast, slow = _both(monkeypatch, f, x)
    assert settled[0] is False
    _same(fast, slow)
    assert not fast.success.all()


def test_not_used_for_short_float32_or_complex_values(monkeypatch, settled):
    derivative(np.sin, np.linspace(0.0, 1.0, 100))
    derivative(np.sin, np.linspace(0.0, 1.0, SIZE, dtype=np.float32))
    derivative(lambda x: np.exp(1j * x), np.linspace(0.0, 1.0, SIZE))
    assert not any(settled)
    monkeypatch.setenv("DFDX_NUMBA", "0")
    derivative(np.sin, np.linspace(0.0, 1.0, SIZE))
    assert settled[-1] is False
