"""The lean 1-D kernels (dfdx.grid._fast1d) against the generic N-D paths.

A 1-D array takes the cache-blocked kernels; the same data as one row of a
2-D array (differentiated along axis 1) takes the generic blocked slice
arithmetic, so the two must agree to rounding for every stencil, dtype,
layout and across block boundaries.  Every test runs twice: with the NumPy
kernels and with the compiled (numba) kernels that replace them for long
data when numba is installed.
"""

from __future__ import annotations

import numpy as np
import pytest

from dfdx.grid import diff
from dfdx.grid._compiled import kernels
from dfdx.grid._fast1d import BLOCK, horner_ratios, two_slopes_1d, uniform_1d
from dfdx.grid._stencils import uniform_stencil

SIZE = 2 * BLOCK + 37  # three blocks, the last one short


@pytest.fixture(autouse=True, params=["numpy", "numba"])
def engine(request, monkeypatch):
    """Run the test with the NumPy kernels, then with the compiled ones."""
    monkeypatch.setenv("DFDX_NUMBA", "0" if request.param == "numpy" else "1")
    if request.param == "numba" and kernels() is None:
        pytest.skip("numba is not installed (the optional `fast` extra)")
    return request.param


def _rows(y, x=None, **kwargs):
    """Reference: the generic path, through a 2-D array of two identical rows."""
    two = np.stack([y, y])
    return diff(two, x, axis=1, **kwargs)[0]


def _close(a, b):
    scale = np.abs(b).max()
    return np.allclose(a, b, rtol=1e-12, atol=1e-12 * scale)


@pytest.mark.parametrize(
    ("n", "acc"), [(1, 2), (1, 6), (2, 2), (2, 4), (3, 2), (4, 4), (1, 8), (1, 10), (2, 12)]
)
@pytest.mark.parametrize("use_out", [False, True])
def test_uniform_matches_generic(n, acc, use_out):
    rng = np.random.default_rng(n * 10 + acc)
    y = rng.standard_normal(SIZE)
    out = np.full_like(y, np.nan) if use_out else None
    got = diff(y, dx=0.37, n=n, acc=acc, out=out)
    assert not np.isnan(got).any()
    assert _close(got, _rows(y, dx=0.37, n=n, acc=acc))


@pytest.mark.parametrize("dtype", [np.float32, np.complex128])
def test_uniform_dtypes(dtype):
    rng = np.random.default_rng(3)
    y = rng.standard_normal(SIZE).astype(dtype)
    if dtype == np.complex128:
        y = y + 1j * rng.standard_normal(SIZE)
    out = np.empty_like(y)
    got = diff(y, dx=2.0, acc=4, out=out)
    assert got.dtype == dtype
    ref = _rows(y, dx=2.0, acc=4)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert np.allclose(got, ref, rtol=tol, atol=tol * np.abs(ref).max())


def test_strided_view_and_polynomial_exactness():
    x = np.linspace(-1.0, 1.0, 2 * SIZE)
    y = (x**3 - 2 * x)[::2]  # a non-contiguous 1-D view
    h = 2 * (x[1] - x[0])
    got = diff(y, dx=h, acc=2)
    want = 3 * x[::2] ** 2 - 2
    assert np.allclose(got, want, rtol=0, atol=1e-7)
    assert np.allclose(diff(y, dx=h, acc=4), want, rtol=0, atol=1e-9)


def test_horner_needs_nonzero_taps():
    assert horner_ratios(np.array([1.0, -2.0, 1.0])).size == 0
    assert np.allclose(horner_ratios(np.array([-1.0, 8.0, 0.0, -8.0, 1.0])), [-1 / 8])
    assert horner_ratios(np.array([1.0, 0.0, -2.0, 0.0, 1.0])) is None
    y = np.arange(10.0) ** 2
    out = np.zeros(10)
    assert not uniform_1d(y, out, np.array([1.0, 0.0, -2.0, 0.0, 1.0]), 2, 1.0)
    assert np.all(out == 0)
    st = uniform_stencil(2, 2)
    assert uniform_1d(y, out, st.central, 2, 1.0)
    assert np.allclose(out[1:-1], 2.0)


@pytest.mark.parametrize("direction", [1, -1])
def test_two_slopes_matches_generic(direction):
    rng = np.random.default_rng(5)
    x = np.cumsum(rng.uniform(0.2, 1.8, SIZE))[::direction].copy()
    y = np.sin(x / 50) + rng.standard_normal(SIZE) * 1e-3
    got = diff(y, x)
    assert _close(got, _rows(y, x))
    quad = 0.5 * x**2 - 3 * x
    assert np.allclose(diff(quad, x), x - 3, rtol=1e-9, atol=1e-9 * np.abs(x).max())


@pytest.mark.parametrize("scale", [1e-300, 1e300])
def test_two_slopes_scale_invariant(scale):
    rng = np.random.default_rng(6)
    x = np.cumsum(rng.uniform(0.5, 1.5, 100))
    y = np.cos(x / 10)
    base = diff(y, x)
    got = diff(y * scale, x * scale)
    assert np.allclose(got, base, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("where", [5, BLOCK + 10, SIZE - 4])
def test_two_slopes_rejects_non_monotonic_in_any_block(where):
    x = np.arange(SIZE, dtype=float)
    x[where] = x[where - 2]
    y = np.zeros(SIZE)
    with pytest.raises(ValueError, match="`x` must be strictly monotonic"):
        diff(y, x)
    with pytest.raises(ValueError, match="`x` must be strictly monotonic"):
        two_slopes_1d(y, x, np.empty(SIZE))
