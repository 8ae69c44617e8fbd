"""The compiled (numba) test of the lookahead against the NumPy one.

With numba installed, long blocks of real float64 values are tested by
:func:`dfdx.numeric._jitlook.settle`; the points that are not plain (not
converged, not finite, a kink to look into) go on to the NumPy test.  Both
ways must give the same statuses and counts, and values within the error
bound of each other (the sums are rounded in a different order).
"""

from __future__ import annotations

import numpy as np
import pytest

from dfdx._core.result import Status
from dfdx.numeric import _lookahead, derivative
from dfdx.numeric._repeat import sampled

pytest.importorskip("numba")

SIZE = _lookahead.JIT_MIN + 1000


@pytest.fixture
def settled(monkeypatch):
    """Record, per block, the fraction of points the compiled test settled (None: not run)."""
    seen = []
    real = _lookahead._settled

    def spy(*args, **kwargs):
        result = real(*args, **kwargs)
        seen.append(None if result is None else float(result.mean()))
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
    # the level test on differently rounded sums may decide a point exactly
    # at its threshold the other way (it then refines one level more or less)
    differ = (fast.nfev != slow.nfev) | (fast.nit != slow.nit)
    assert differ.mean() <= 1e-3
    scale = np.nanmax(np.abs(slow.df))
    # the same estimate up to the rounding of its sums: inside the error bound
    assert np.array_equal(np.isnan(fast.df), np.isnan(slow.df))
    ok = ~np.isnan(slow.df)
    gap = np.abs(fast.df[ok] - slow.df[ok])
    bound = np.maximum(fast.error[ok], slow.error[ok])
    assert np.all(gap <= 1e-13 * np.abs(slow.df[ok]) + 0.5 * bound)
    # error bounds: the same terms, the change between the last two estimates
    # being at rounding level for a polynomial (then equal within a factor 2)
    same = ok & ~differ
    tiny = 1e-14 * scale
    assert np.all(fast.error[same] <= 2 * slow.error[same] + tiny)
    assert np.all(slow.error[same] <= 2 * fast.error[same] + tiny)


@pytest.mark.parametrize(
    ("f", "n"),
    [
        (np.sin, 1),
        (np.exp, 1),
        (np.exp, 2),
        (np.cos, 3),
        (np.exp, 4),
        (np.arctan, 1),
        (np.square, 1),  # kink measures at rounding level: plain, not kinks
        (lambda x: x**3 - 2 * x, 1),
        (lambda x: x**3 - 2 * x, 2),
        (lambda x: np.abs(x) ** 2.5, 1),  # differentiable, f'' not: a block of its own
    ],
)
def test_compiled_equals_numpy(monkeypatch, settled, f, n):
    x = np.linspace(-2.0, 2.0, SIZE)
    fast, slow = _both(monkeypatch, f, x, n=n)
    _same(fast, slow)
    assert fast.success.all()


@pytest.mark.parametrize(
    ("f", "fp"), [(np.sin, np.cos), (np.square, lambda x: 2 * x), (np.exp, np.exp)]
)
def test_plain_blocks_are_settled_compiled(monkeypatch, settled, f, fp):
    x = np.linspace(0.1, 3.0, SIZE)
    res = derivative(f, x)
    assert settled == [1.0, None]  # a full block, then a short one (NumPy test)
    assert res.message == f"auto: {SIZE} SUCCESS"
    probed = np.isin(np.arange(SIZE), sampled(SIZE))  # one node again (f deterministic?)
    assert np.all(res.nfev == 8 + probed)
    assert np.all(np.abs(res.df - fp(x)) <= res.error)


def test_blocks_with_a_special_point_take_the_numpy_test(monkeypatch, settled):
    # a kink, a domain edge and a fast oscillation inside one long block
    def f(x):
        with np.errstate(invalid="ignore"):
            return np.sqrt(x) + np.abs(x - 1.0) + np.sin(300 * x) * (x > 1.5)

    x = np.linspace(1e-4, 2.0, SIZE)
    x[SIZE // 3] = 1.0
    fast, slow = _both(monkeypatch, f, x)
    assert 0.0 < settled[0] < 1.0  # the plain points settled, the special ones not
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
    assert 0.5 < settled[0] < 1.0
    _same(fast, slow)
    assert not fast.success.all()


def test_not_used_for_short_float32_or_complex_values(monkeypatch, settled):
    derivative(np.sin, np.linspace(0.0, 1.0, 100))
    derivative(np.sin, np.linspace(0.0, 1.0, SIZE, dtype=np.float32))
    derivative(lambda x: np.exp(1j * x), np.linspace(0.0, 1.0, SIZE))
    assert settled == [None] * len(settled)
    monkeypatch.setenv("DFDX_NUMBA", "0")
    derivative(np.sin, np.linspace(0.0, 1.0, SIZE))
    assert settled[-1] is None


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_first_steps_equal_numpy(n):
    from dfdx._core.compiled import load
    from dfdx.numeric._derivative import _CARRY, _H0, EXPONENT_BITS, first_step

    jit = load("numeric._jitlook")
    rng = np.random.default_rng(n)
    x = np.concatenate(
        [[0.0, -0.0, 1.0, -1.0, 1e300, -1e-300, 5e-324], rng.standard_normal(500) * 10.0**n]
    )
    h0, xabs = np.empty_like(x), np.empty_like(x)
    jit.first_steps(x, _H0[n], _CARRY, EXPONENT_BITS, h0, xabs)
    assert np.array_equal(xabs, np.abs(x))
    assert np.array_equal(h0, first_step(np.maximum(np.abs(x), 1.0), n))


def test_big_endian_and_read_only_points(monkeypatch, settled):
    x = np.linspace(0.1, 3.0, SIZE)
    want = derivative(np.sin, x)
    big = derivative(np.sin, x.astype(">f8"))
    assert np.array_equal(big.df, want.df)
    frozen = x.copy()
    frozen.flags.writeable = False

    def f(t):
        out = np.sin(t)
        out.flags.writeable = False  # read-only values reach the compiled test
        return out

    got = derivative(f, frozen)
    assert np.array_equal(got.df, want.df)
    assert np.array_equal(got.status, want.status)


def test_broadcast_and_strided_points(monkeypatch, settled):
    a = np.linspace(1.0, 2.0, SIZE)
    res = derivative(lambda x, a: np.sin(a * x), 0.5, args=(a,))  # x broadcast to (SIZE,)
    assert settled[0] == 1.0
    assert np.all(np.abs(res.df - a * np.cos(0.5 * a)) <= res.error)
    x = np.linspace(0.0, 1.0, 2 * SIZE).reshape(2, SIZE).T  # a transposed view
    res = derivative(np.sin, x)
    assert res.df.shape == x.shape
    assert np.all(np.abs(res.df - np.cos(x)) <= res.error)


def test_the_compiled_convergence_test_is_the_numpy_one():
    # _jitlook.converged1 is the compiled twin of _tolerance.converged:
    # element by element the same verdict and the same tolerance, NaN,
    # infinities, zeros and an absolute tolerance included
    from dfdx.numeric._jitlook import converged1
    from dfdx.numeric._tolerance import converged

    rng = np.random.default_rng(7)
    size = 4000
    E = rng.normal(size=size) * 10.0 ** rng.integers(-300, 300, size)
    d = np.abs(rng.normal(size=size)) * 10.0 ** rng.integers(-310, 300, size)
    rnd = np.abs(rng.normal(size=size)) * 10.0 ** rng.integers(-320, 300, size)
    special = [0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324]
    for arr in (E, d, rnd):
        arr[rng.integers(0, size, 200)] = rng.choice(special, 200)
    rnd = np.abs(rnd)
    for rtol in (0.0, 4e-11, 1e-3):
        for atol in (0.0, 1e-12, np.full(size, 1e-9)):
            with np.errstate(invalid="ignore"):  # (inf * 0)
                ok, tol = converged(E, d, rnd, rtol, atol)
            at = np.broadcast_to(atol, (size,))
            pairs = [converged1(E[i], d[i], rnd[i], rtol, float(at[i])) for i in range(size)]
            assert ok.tolist() == [p[0] for p in pairs]
            np.testing.assert_array_equal(tol, [p[1] for p in pairs])


def test_an_absolute_tolerance_is_honoured_by_every_path(monkeypatch):
    # the lookahead (compiled and NumPy) applies atol as the loop does: at a
    # loose atol every point of a long block ends in the first call
    x = np.linspace(0.5, 3.0, SIZE)
    for numba in ("1", "0"):
        monkeypatch.setenv("DFDX_NUMBA", numba)
        res = derivative(np.sin, x, atol=1e-6, rtol=0)
        assert res.success.all()
        assert (res.error <= 1e-6).all()
        assert (np.abs(res.df - np.cos(x)) <= res.error).all()
        assert (np.asarray(res.nit) == 3).all()
