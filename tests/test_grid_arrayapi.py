"""Array-API arrays (array-api-strict): uniform spacing, computed in their own namespace."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from dfdx import DerivativeResult
from dfdx.grid import diff

xps = pytest.importorskip("array_api_strict")
pytest.importorskip("array_api_compat")


@pytest.mark.parametrize("n", [0, 1, 2, 3])
@pytest.mark.parametrize("acc", [2, 4, 6])
@pytest.mark.parametrize("periodic", [False, True])
@pytest.mark.parametrize("axis", [0, -1])
def test_equals_numpy(n, acc, periodic, axis):
    y = np.random.default_rng(n + acc).standard_normal((12, 14))
    got = diff(xps.asarray(y), dx=0.3, n=n, acc=acc, periodic=periodic, axis=axis)
    assert type(got).__module__.startswith("array_api_strict")
    assert np.allclose(
        np.from_dlpack(got), diff(y, dx=0.3, n=n, acc=acc, periodic=periodic, axis=axis)
    )


def test_dtypes_coordinates_errors():
    ints = xps.asarray(np.arange(10) ** 2)
    got = diff(ints, np.linspace(0, 9, 10))
    assert got.dtype == xps.float64
    assert np.allclose(np.from_dlpack(got), 2 * np.arange(10.0))
    f32 = diff(xps.asarray(np.linspace(0, 1, 9, dtype=np.float32)), dx=0.125)
    assert f32.dtype == xps.float32
    tiny = diff(xps.asarray(np.exp(np.linspace(0, 1, 9)) * 1e-300), dx=1e-160, n=2)
    ref = diff(np.exp(np.linspace(0, 1, 9)), dx=1.0, n=2)
    assert np.allclose(np.from_dlpack(tiny) * 1e-20, ref, rtol=1e-10)  # h**2 is subnormal
    r = diff(xps.asarray(np.sin(np.linspace(0, 1, 30))), dx=1 / 29, return_error=True)
    assert isinstance(r, DerivativeResult)
    assert np.all(r.error < 1e-3)
    with pytest.raises(
        ValueError, match=r"`method` must be 'fd' for array-API input, got 'spline'"
    ):
        diff(ints, method="spline")
    with pytest.raises(ValueError, match=r"`x` must be uniformly spaced for array-API input"):
        diff(ints, np.arange(10.0) ** 2)


def test_missing_array_api_compat(monkeypatch):
    arr = xps.asarray(np.arange(5.0))
    monkeypatch.setitem(sys.modules, "array_api_compat", None)
    with pytest.raises(ImportError, match=r"pip install array-api-compat"):
        diff(arr)
