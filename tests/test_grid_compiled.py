"""The optional compiled 1-D kernels (numba): when they run, and that they agree.

The kernels replace the NumPy ones for long contiguous 1-D data; the NumPy
kernels (``DFDX_NUMBA=0``) are the reference: equal to rounding for uniform
stencils, bitwise for the non-uniform two-slope formula.
"""

from __future__ import annotations

import numpy as np
import pytest

from dfdx.grid import diff
from dfdx.grid._compiled import HEAVY_MIN_SIZE, MIN_SIZE, kernels, usable

pytest.importorskip("numba")

SIZE = MIN_SIZE + 4101  # a long array, not a multiple of any block


def _numpy(monkeypatch, fn):
    monkeypatch.setenv("DFDX_NUMBA", "0")
    try:
        return fn()
    finally:
        monkeypatch.setenv("DFDX_NUMBA", "1")


@pytest.fixture(autouse=True)
def compiled(monkeypatch):
    monkeypatch.setenv("DFDX_NUMBA", "1")
    assert kernels() is not None


def test_dispatch_rules(monkeypatch):
    y = np.zeros(SIZE)
    assert usable(y, np.empty_like(y)) is not None
    assert usable(y[: MIN_SIZE - 1], np.empty(MIN_SIZE - 1)) is None  # too short
    assert usable(np.zeros(2 * SIZE)[::2], np.empty(SIZE)) is None  # strided
    assert usable(y, np.empty(SIZE, np.float32)) is None  # dtype change
    # a heavy kernel (weights on the fly) also takes short data once numba is imported
    short = np.zeros(HEAVY_MIN_SIZE)
    assert usable(short, np.empty_like(short), heavy=True) is not None
    assert usable(short, np.empty_like(short)) is None
    assert usable(short[:-1], np.empty(HEAVY_MIN_SIZE - 1), heavy=True) is None
    assert usable(y.astype(np.int64), np.empty(SIZE, np.int64)) is None
    monkeypatch.setenv("DFDX_NUMBA", "0")
    assert kernels() is None
    assert usable(y, np.empty_like(y)) is None


@pytest.mark.parametrize(
    ("n", "acc"),
    [(1, 2), (1, 4), (1, 6), (1, 8), (1, 10), (2, 2), (2, 4), (2, 8), (3, 2), (3, 6), (4, 4)],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
def test_uniform_equals_numpy_kernels(monkeypatch, n, acc, dtype):
    rng = np.random.default_rng(10 * n + acc)
    y = rng.standard_normal(SIZE).astype(dtype)
    if dtype == np.complex128:
        y = y + 1j * rng.standard_normal(SIZE)
    got = diff(y, dx=0.31, n=n, acc=acc)
    want = _numpy(monkeypatch, lambda: diff(y, dx=0.31, n=n, acc=acc))
    assert got.dtype == want.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-13
    assert np.allclose(got, want, rtol=tol, atol=tol * np.abs(want).max())
    out = np.full_like(y, np.nan)
    assert diff(y, dx=0.31, n=n, acc=acc, out=out) is out
    assert np.array_equal(out, got)


@pytest.mark.parametrize("direction", [1, -1])
def test_nonuniform_bitwise_equal(monkeypatch, direction):
    rng = np.random.default_rng(7)
    x = np.cumsum(rng.uniform(0.1, 1.9, SIZE))[::direction].copy()
    y = np.cos(x / 300) + 1e-3 * rng.standard_normal(SIZE)
    got = diff(y, x)
    assert np.array_equal(got, _numpy(monkeypatch, lambda: diff(y, x)))


@pytest.mark.parametrize(("n", "acc"), [(1, 2), (1, 4), (2, 6), (1, 10)])
def test_exact_on_polynomials(n, acc):
    # degree acc + n - 1 is differentiated exactly by the stencil (edges included)
    x = np.linspace(-1.0, 1.0, SIZE)
    deg = acc + n - 1
    c = np.polynomial.Polynomial(np.arange(1.0, deg + 2) / (deg + 1))
    got = diff(c(x), dx=x[1] - x[0], n=n, acc=acc)
    want = c.deriv(n)(x)
    # (the rounding of y is amplified by h**-n: relative to that, exact)
    noise = np.finfo(float).eps * np.abs(c(x)).max() / (x[1] - x[0]) ** n * 2**acc
    assert np.max(np.abs(got - want)) < 100 * noise + 1e-12


@pytest.mark.parametrize("acc", [2, 4, 6])
def test_observed_order(acc):
    errs = []
    sizes = np.array([MIN_SIZE, 2 * MIN_SIZE])
    for size in sizes:
        x = np.linspace(0.0, 1.0, size)
        w = 0.2 * MIN_SIZE  # w h = 0.2, then 0.1: truncation far above rounding
        y = np.sin(w * x)
        errs.append(np.max(np.abs(diff(y, dx=x[1] - x[0], acc=acc) - w * np.cos(w * x))))
    order = np.log(errs[0] / errs[1]) / np.log(sizes[1] / sizes[0])
    assert abs(order - acc) < 0.2


def test_inf_and_nan_stay_in_the_stencil(monkeypatch):
    y = np.linspace(0.0, 1.0, SIZE)
    y[1000], y[20000] = np.inf, np.nan
    for kwargs in ({"acc": 2}, {"acc": 6}, {"n": 2, "acc": 4}, {"acc": 12}):
        got = diff(y, dx=1.0, **kwargs)
        # (the NumPy Horner kernel, into out=, also skips a zero centre weight)
        buf = np.empty_like(y)
        want = _numpy(monkeypatch, lambda kw=kwargs, o=buf: diff(y, dx=1.0, out=o, **kw))
        assert np.array_equal(np.isfinite(got), np.isfinite(want))
    # non-finite samples are left out: NaN there, their neighbours unaffected
    got = diff(y, dx=1.0)
    assert np.isnan(got[1000])
    assert np.isnan(got[20000])
    assert np.all(np.isfinite(got[[999, 1001, 19999, 20001]]))


def test_nonuniform_rejects_bad_coordinates():
    x = np.arange(SIZE, dtype=float)
    y = np.zeros(SIZE)
    mid = SIZE // 2
    for bad, what in ((x[mid - 1], "duplicated values"), (x[5], "sorted"), (np.nan, "NaN")):
        xb = x.copy()
        xb[mid] = bad
        with pytest.raises(ValueError, match=f"`x` must .*{what}"):
            diff(y, xb)
    xb = x.copy()
    xb[1] = -1.0  # the first spacing too
    with pytest.raises(ValueError, match="`x` must be strictly monotonic"):
        diff(y, xb)


@pytest.mark.parametrize("dtype", [">f8", np.longdouble])
def test_dtypes_numba_lacks_take_the_numpy_kernels(monkeypatch, dtype):
    y = np.sin(np.linspace(0.0, 3.0, SIZE)).astype(dtype)
    assert usable(y, np.empty_like(y)) is None
    assert usable(y.astype(np.float16), np.empty(SIZE, np.float16)) is None
    got = diff(y, dx=0.5, acc=4)
    want = _numpy(monkeypatch, lambda: diff(y, dx=0.5, acc=4))
    assert np.array_equal(got, want)


def test_read_only_input():
    y = np.sin(np.linspace(0.0, 3.0, SIZE))
    y.flags.writeable = False
    x = np.cumsum(np.full(SIZE, 0.5)) + 0.01 * np.sin(np.arange(SIZE))
    x.flags.writeable = False
    assert usable(y, np.empty_like(y)) is not None
    assert np.allclose(diff(y, dx=0.5, acc=4), diff(y.copy(), dx=0.5, acc=4), rtol=0, atol=0)
    assert np.array_equal(diff(y, x), diff(y.copy(), x.copy()))


@pytest.mark.parametrize(("n", "acc"), [(1, 4), (1, 6), (2, 2), (2, 4), (3, 2), (4, 4), (2, 8)])
@pytest.mark.parametrize("direction", [1, -1])
@pytest.mark.parametrize("size", [SIZE, HEAVY_MIN_SIZE + 37])
def test_nonuniform_lagrange_equals_numpy_kernels(monkeypatch, n, acc, direction, size):
    rng = np.random.default_rng(100 * n + acc)
    x = np.cumsum(rng.uniform(0.3, 1.7, size))[::direction].copy() / size
    y = np.sin(7 * x) + np.cos(3 * x)
    got = diff(y, x, n=n, acc=acc)
    want = _numpy(monkeypatch, lambda: diff(y, x, n=n, acc=acc))
    assert np.array_equal(got, want)  # the same operations in the same order


@pytest.mark.parametrize("dtype", [np.float32, np.complex128])
def test_nonuniform_lagrange_dtypes(monkeypatch, dtype):
    rng = np.random.default_rng(9)
    x = np.cumsum(rng.uniform(0.3, 1.7, SIZE)) / SIZE
    y = (np.sin(5 * x) + (1j * np.cos(2 * x) if dtype == np.complex128 else 0)).astype(dtype)
    got = diff(y, x, n=2, acc=4)
    want = _numpy(monkeypatch, lambda: diff(y, x, n=2, acc=4))
    assert got.dtype == want.dtype == dtype
    # both round every product and sum to the data's precision: they agree
    # to that rounding, amplified by h**-2
    eps = np.finfo(dtype).eps
    h = np.diff(x).min()
    assert np.allclose(got, want, rtol=0, atol=256 * eps * np.abs(y).max() / h**2)


@pytest.mark.parametrize(("n", "acc"), [(1, 4), (2, 4), (3, 2)])
def test_nonuniform_lagrange_exact_on_polynomials(n, acc):
    rng = np.random.default_rng(n + acc)
    x = np.cumsum(rng.uniform(0.5, 1.5, SIZE)) / SIZE  # in (0, ~1]
    p = np.polynomial.Polynomial(rng.standard_normal(n + acc))  # degree n + acc - 1
    got = diff(p(x), x, n=n, acc=acc)
    want = p.deriv(n)(x)
    h = 1.0 / SIZE
    noise = np.finfo(float).eps * np.abs(p(x)).max() / h**n * 4 ** (n + acc)
    assert np.max(np.abs(got - want)) < noise + 1e-9 * np.abs(want).max()


@pytest.mark.parametrize("m", [2, 3, 5, 8, 11])
def test_edge_weights_kernel_equals_numpy_recursion(m):
    from dfdx.grid._stencils import fornberg_last

    rng = np.random.default_rng(m)
    offsets = rng.uniform(-3.0, 3.0, (m, 40))
    for order in range(min(m, 5)):
        got = np.empty((m, 40))
        kernels().fornberg_columns(offsets, order, got)
        assert np.array_equal(got, fornberg_last(offsets, order))  # same operations, same order
