"""dfdx.grid.diff on NumPy arrays: exactness, convergence order, periodic/spectral/spline."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dfdx import DerivativeResult, Status
from dfdx.grid import diff
from dfdx.testing import observed_order

SETTINGS = settings(max_examples=40, deadline=None)


def _poly(x, degree, n):
    """x**degree and its n-th derivative."""
    c = math.perm(degree, n) if degree >= n else 0
    return x**degree, c * x ** max(degree - n, 0)


def _grid(kind, size, rng):
    if kind == "uniform":
        return np.linspace(-1.0, 1.5, size)
    inner = np.sort(rng.uniform(-1.0, 1.5, size - 2))
    x = np.r_[-1.0, inner, 1.5]
    if np.any(np.diff(x) < 0.05 / size):  # keep nodes apart: weights stay tame
        x = np.linspace(-1.0, 1.5, size) + 0.3 / size * np.sin(np.arange(size))
    return x


@SETTINGS
@given(
    n=st.integers(1, 3),
    acc=st.sampled_from([2, 4, 6]),
    kind=st.sampled_from(["uniform", "nonuniform"]),
    size=st.integers(12, 30),
    seed=st.integers(0, 2**16),
    data=st.data(),
)
def test_exact_on_polynomials_up_to_stencil_degree(n, acc, kind, size, seed, data):
    x = _grid(kind, size, np.random.default_rng(seed))
    degree = data.draw(st.integers(0, n + acc - 1), label="degree")
    y, expect = _poly(x, degree, n)
    got = diff(y, x, n=n, acc=acc)
    # exact up to rounding, which grows like eps * |y| / h_min**n
    hmin = np.diff(x).min()
    tol = 1e-12 * max(1.0, np.abs(y).max()) / hmin**n + 1e-12 * np.abs(expect).max()
    assert np.allclose(got, expect, rtol=0, atol=tol)
    # edges (one-sided stencils) are exact too
    assert np.allclose(got[:3], expect[:3], rtol=0, atol=tol)
    assert np.allclose(got[-3:], expect[-3:], rtol=0, atol=tol)


@pytest.mark.parametrize("n", [1, 2])
@pytest.mark.parametrize("acc", [2, 4])
def test_beyond_stencil_degree_is_not_exact(n, acc):
    x = np.linspace(0.0, 1.0, 20)
    y, expect = _poly(x, n + acc + 1, n)
    assert not np.allclose(diff(y, x, n=n, acc=acc), expect, atol=1e-9)


CASES = [(1, 2), (1, 4), (1, 6), (2, 2), (2, 4), (3, 2)]


@pytest.mark.parametrize(("n", "acc"), CASES)
@pytest.mark.parametrize("uniform", [True, False])
def test_observed_order_equals_acc_interior_and_edges(n, acc, uniform):
    a, b = 2.0, 0.7
    sizes = [40, 48, 56, 64] if acc == 6 else [40, 56, 80, 112]
    steps, left, mid, right = [], [], [], []
    for size in sizes:
        u = np.linspace(0.0, 1.0, size)
        x = u if uniform else u + 0.08 * np.sin(np.pi * u)
        err = np.abs(
            diff(np.sin(a * x + b), x, n=n, acc=acc) - a**n * np.sin(a * x + b + n * np.pi / 2)
        )
        steps.append(1.0 / (size - 1))
        left.append(err[: acc // 2 + 1].max())
        right.append(err[-acc // 2 - 1 :].max())
        mid.append(err[size // 4 : 3 * size // 4].max())
    for errors in (left, mid, right):
        assert abs(observed_order(steps, errors) - acc) < 0.2


@pytest.mark.parametrize("acc", [2, 4, 6, 8])
@pytest.mark.parametrize("n", [1, 2])
def test_periodic_is_central_everywhere(acc, n):
    size = 64
    x = np.linspace(0, 2 * np.pi, size, endpoint=False)
    y = np.sin(3 * x) + np.cos(x)
    got = diff(y, dx=x[1], n=n, acc=acc, periodic=True)
    # equal to the interior stencil applied to the wrapped signal
    pad = np.r_[y[-8:], y, y[:8]]
    ref = diff(pad, dx=x[1], n=n, acc=acc)[8:-8]
    assert np.allclose(got, ref, rtol=0, atol=1e-11)


def test_periodic_reaches_machine_precision_on_band_limited_signal():
    size = 48
    x = np.linspace(0, 2 * np.pi, size, endpoint=False)
    y = np.sin(x) + 0.5 * np.cos(2 * x)
    exact = np.cos(x) - np.sin(2 * x)
    errors = [np.abs(diff(y, dx=x[1], acc=acc, periodic=True) - exact).max() for acc in (8, 16, 24)]
    assert errors[-1] < 1e-12
    assert errors[0] > errors[1] > errors[2]


@pytest.mark.parametrize("size", [31, 32])
@pytest.mark.parametrize("n", [1, 2, 3])
def test_spectral_machine_precision(size, n):
    x = np.linspace(0, 2 * np.pi, size, endpoint=False)
    y = np.sin(3 * x + 0.2) + 0.25 * np.cos(5 * x)
    exact = 3**n * np.sin(3 * x + 0.2 + n * np.pi / 2) + 0.25 * 5**n * np.cos(5 * x + n * np.pi / 2)
    got = diff(y, x, n=n, method="spectral")
    assert np.abs(got - exact).max() < 1e-12 * 5**n
    r = diff(y, x, n=n, method="spectral", return_error=True)
    assert r.method == "spectral"
    assert np.all(r.error < 1e-10 * 5**n)
    zc = diff(y + 1j * y, x, n=n, method="spectral")
    assert np.allclose(zc, exact + 1j * exact, atol=1e-11 * 5**n)


def test_spectral_scales_with_period():
    period = 1e-3
    x = np.arange(40) * period / 40
    y = np.sin(2 * np.pi * x / period)
    got = diff(y, x, method="spectral")
    assert np.allclose(got, 2 * np.pi / period * np.cos(2 * np.pi * x / period), atol=1e-9 / period)


@pytest.mark.parametrize("periodic", [False, True])
def test_spline_method(periodic):
    x = np.linspace(0, 2 * np.pi, 80, endpoint=not periodic)
    y = np.sin(x)
    r = diff(y, x, method="spline", periodic=periodic, return_error=True)
    assert np.abs(r.df - np.cos(x)).max() < 1e-4
    assert np.all(r.error < 1e-3)
    xc = np.linspace(0, 1, 12)
    assert np.allclose(diff(xc**3, xc, method="spline"), 3 * xc**2, atol=1e-10)  # cubic: exact
    assert np.allclose(diff(xc**3, -xc, method="spline"), -3 * xc**2, atol=1e-10)


def test_return_error_result():
    x = np.linspace(0, 1, 30)
    r = diff(np.exp(x), x, acc=2, return_error=True)
    assert isinstance(r, DerivativeResult)
    assert r.method == "fd"
    assert np.all(r.nfev == 0)
    true = np.abs(r.df - np.exp(x))
    # the estimate is of the right size: within a factor 3 of the true error
    assert np.all(r.error < 3 * true + 1e-14)
    assert np.all(true < 3 * r.error + 1e-14)
    assert np.all(r.status[[0, -1]] == Status.ONE_SIDED)
    assert np.all(r.status[1:-1] == Status.SUCCESS)
    assert r.params["acc"] == 2
    short = diff(np.arange(3.0), acc=2, return_error=True)
    assert np.all(np.isnan(short.error))
    assert "no error estimate" in short.message


def test_nan_spreads_no_further_than_stencil_when_periodic():
    y = np.sin(np.linspace(0, 2 * np.pi, 40, endpoint=False))
    y[20] = np.nan
    for acc, half in ((2, 1), (4, 2), (6, 3)):
        d = diff(y, acc=acc, periodic=True)
        bad = np.flatnonzero(~np.isfinite(d))
        assert bad.min() >= 20 - half
        assert bad.max() <= 20 + half
        r = diff(y, acc=acc, return_error=True, periodic=True)
        assert np.all(r.status[~np.isfinite(r.df)] == Status.NONFINITE_VALUE)


@pytest.mark.parametrize("sx", [1e-300, 1e-150, 1.0, 1e150, 1e300])
@pytest.mark.parametrize("sy", [1e-300, 1.0, 1e300])
@pytest.mark.parametrize("uniform", [True, False])
@pytest.mark.parametrize("n", [1, 2])
@pytest.mark.parametrize("acc", [2, 4])
def test_scale_invariance(sx, sy, uniform, n, acc):
    u = np.linspace(0.0, 1.0, 25)
    if not uniform:
        u = u + 0.1 * np.sin(np.pi * u)
    base = diff(np.exp(u), u, n=n, acc=acc)
    if not -300 < np.log10(sy) - n * np.log10(sx) < 300:
        return  # the answer itself is not representable
    got = diff(sy * np.exp(u), sx * u, n=n, acc=acc)
    for _ in range(n):  # undo the scales in an order that cannot overflow
        got = got * sx
    assert np.allclose(got / sy, base, rtol=1e-10, atol=0)  # rounding: eps / h**n


def test_dtypes():
    ints = np.array([0, 1, 4, 9, 16, 25], dtype=np.uint8)
    d = diff(ints, acc=2)
    assert d.dtype == np.float64
    assert np.allclose(d, 2 * np.arange(6.0))
    big = np.array([250, 251, 252], dtype=np.uint8)  # uint8 differences would wrap
    assert np.allclose(diff(big), 1.0)
    f32 = np.linspace(0, 1, 20, dtype=np.float32) ** 2
    assert diff(f32, dx=1 / 19).dtype == np.float32
    z = np.exp(1j * np.linspace(0, 1, 30))
    assert np.allclose(diff(z, dx=1 / 29, acc=6), 1j * z, atol=1e-9)
    assert np.allclose(diff([0.0, 1.0, 4.0, 9.0]), [0.0, 2.0, 4.0, 6.0])
    assert np.array_equal(diff(np.arange(4), n=0), np.arange(4.0))


def test_datetime_coordinates_per_second_whatever_the_dtype():
    t = np.array(["2024-01-01T00:00", "2024-01-01T00:01", "2024-01-01T00:03"], dtype="M8[s]")
    y = np.array([0.0, 120.0, 360.0])  # 2 units per second
    for unit in ("s", "m", "ms", "us", "ns"):
        np.testing.assert_allclose(diff(y, t.astype(f"M8[{unit}]")), 2.0, rtol=1e-14)
        np.testing.assert_allclose(
            diff(y, t.astype(f"M8[{unit}]"), time_unit="min"), 120, rtol=1e-14
        )
    assert np.allclose(diff(y, dx=np.timedelta64(60, "s")), [1.0, 3.0, 5.0])
    assert np.allclose(diff(y, dx=np.timedelta64(1, "m"), time_unit="min"), [60, 180, 300])
    with pytest.raises(ValueError, match=r"`time_unit` must be one of ns, us, ms, s, min, h, D"):
        diff(y, t, time_unit="seconds")


def test_nan_samples_are_left_out_with_their_x():
    x = np.linspace(0, 3, 40)
    y = np.sin(x)
    clean = diff(y, x, acc=4, return_error=True)
    for bad in (0, 20, 39):
        for value in (np.nan, np.inf):
            yb = y.copy()
            yb[bad] = value
            r = diff(yb, x, acc=4, return_error=True)
            assert np.isnan(r.df[bad])
            assert r.status[bad] == Status.NONFINITE_INPUT
            assert not r.success[bad]
            keep = np.arange(40) != bad
            assert np.all(np.isfinite(r.df[keep]))
            want = diff(y[keep], x[keep], acc=4)
            np.testing.assert_allclose(r.df[keep], want, rtol=1e-13, atol=1e-15)
            assert np.max(np.abs(r.df[keep] - np.cos(x[keep]))) < 20 * np.max(clean.error)
            assert "non-finite sample left out" in r.message
    # 2-D, different NaN positions per lane, uniform spacing, out=
    Y = np.tile(y, (3, 1))
    Y[0, 5], Y[2, 30] = np.nan, np.inf
    buf = np.empty_like(Y)
    got = diff(Y, dx=x[1], axis=1, out=buf)
    assert got is buf
    np.testing.assert_array_equal(np.isnan(got), ~np.isfinite(Y))
    np.testing.assert_allclose(got[1], diff(y, dx=x[1]), rtol=1e-13, atol=1e-15)


def test_axis_and_decreasing_coordinates():
    x = np.linspace(0, 1, 9)
    field = np.add.outer(x**2, 3 * x)
    assert np.allclose(diff(field, x, axis=0), 2 * x[:, None] + 0 * x)
    assert np.allclose(diff(field, x, axis=-1), 3.0)
    assert np.allclose(diff(x**2, x[::-1]), -2 * x)
    xn = np.sort(np.random.default_rng(3).uniform(0, 1, 15))
    assert np.allclose(diff(xn**2, -xn), -2 * xn, atol=1e-9)


@pytest.mark.parametrize("layout", ["C", "F", "view"])
@pytest.mark.parametrize("axis", [0, 1, 2])
@pytest.mark.parametrize(("n", "acc", "periodic"), [(1, 2, False), (2, 4, False), (1, 6, True)])
def test_memory_layouts_agree_with_one_dimensional_rows(layout, axis, n, acc, periodic):
    base = np.random.default_rng(axis).standard_normal((9, 12, 10))
    f = {"C": base, "F": np.asfortranarray(base), "view": base[:, ::-1, 1:]}[layout]
    got = diff(f, dx=0.3, axis=axis, n=n, acc=acc, periodic=periodic)
    rows = np.moveaxis(np.ascontiguousarray(f), axis, -1).reshape(-1, f.shape[axis])
    ref = np.stack([diff(r, dx=0.3, n=n, acc=acc, periodic=periodic) for r in rows])
    ref = np.moveaxis(ref.reshape(np.moveaxis(f, axis, -1).shape), -1, axis)
    assert np.allclose(got, ref, rtol=1e-12, atol=1e-12)
    xn = np.cumsum(np.linspace(1.0, 2.0, f.shape[axis]))
    if not periodic:
        got_n = diff(f, xn, axis=axis, n=n, acc=acc)
        ref_n = np.stack([diff(r, xn, n=n, acc=acc) for r in rows])
        ref_n = np.moveaxis(ref_n.reshape(np.moveaxis(f, axis, -1).shape), -1, axis)
        assert np.allclose(got_n, ref_n, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"acc": 6}, {"n": 2, "acc": 4}, {"periodic": True}, {"method": "spectral"}, {"n": 0}],
)
@pytest.mark.parametrize("coords", ["spacing", "nonuniform"])
def test_out_is_filled_and_returned(kwargs, coords):
    y = np.random.default_rng(8).standard_normal((2000,))
    x = None
    if coords == "nonuniform":
        if kwargs.get("periodic") or kwargs.get("method") == "spectral":
            return
        x = np.cumsum(np.random.default_rng(9).uniform(0.5, 1.5, y.size))
    buf = np.full_like(y, np.nan)
    got = diff(y, x, out=buf, **kwargs)
    assert got is buf
    r = diff(y, x, out=buf, return_error=True, **kwargs)
    assert np.shares_memory(r.df, buf)
    assert buf.flags.writeable
    # equal to rounding: a 1-D fresh result of a wide stencil takes another kernel
    assert np.allclose(buf, diff(y, x, **kwargs), rtol=1e-13, atol=1e-13 * np.abs(buf).max())
    field = y.reshape(40, 50)
    buf2 = np.empty_like(field)
    diff(field, x[:40] if x is not None else None, axis=0, out=buf2, **kwargs)
    assert np.allclose(buf2, diff(field, x[:40] if x is not None else None, axis=0, **kwargs))


@pytest.mark.parametrize("method", ["spectral", "spline"])
@pytest.mark.parametrize(("sx", "sy"), [(1e-300, 1e-300), (1e300, 1e300), (1e-150, 1e-300)])
@pytest.mark.parametrize("n", [1, 2])
def test_scale_invariance_global_methods(method, sx, sy, n):
    u = np.linspace(0, 2 * np.pi, 32, endpoint=False)
    base = diff(np.sin(u), u, n=n, method=method)
    if not -300 < np.log10(sy) - n * np.log10(sx) < 300:
        return  # the answer itself is not representable
    got = diff(sy * np.sin(u), sx * u, n=n, method=method)
    for _ in range(n):
        got = got * sx
    assert np.allclose(got / sy, base, rtol=0, atol=1e-11)
