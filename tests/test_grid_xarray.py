"""xarray DataArrays: dims select the axis and coordinate; DataArrays come back."""

from __future__ import annotations

import numpy as np
import pytest

from dfdx import DerivativeResult
from dfdx.grid import diff, gradient

xr = pytest.importorskip("xarray")


def _field():
    t = np.linspace(0.0, 2.0, 21)
    s = np.cumsum(np.linspace(0.1, 0.3, 8))
    data = np.sin(t)[:, None] * s[None, :] ** 2
    return xr.DataArray(
        data,
        dims=("t", "s"),
        coords={"t": t, "s": s, "label": "demo"},
        name="v",
        attrs={"units": "m"},
    )


def test_round_trip_keeps_dims_coords_name():
    arr = _field()
    for dim, axis in (("t", 0), ("s", 1)):
        got = diff(arr, dim=dim, acc=4)
        assert isinstance(got, xr.DataArray)
        assert got.dims == arr.dims
        assert got.name == "v"
        assert got.attrs == {}
        xr.testing.assert_identical(got.coords.to_dataset(), arr.coords.to_dataset())
        coord = arr.coords[dim].values
        assert np.allclose(got.values, diff(arr.values, coord, axis=axis, acc=4))
    by_axis = diff(arr, axis=0)
    assert np.allclose(by_axis.values, diff(arr, dim="t").values)
    transposed = diff(arr.transpose("s", "t"), dim="t")
    assert np.allclose(transposed.transpose("t", "s").values, diff(arr, dim="t").values)


def test_without_coordinate_uses_spacing_and_datetime():
    arr = xr.DataArray(np.arange(6.0) ** 2, dims="i")
    assert np.allclose(diff(arr).values, 2 * np.arange(6.0))
    assert np.allclose(diff(arr, dx=0.5).values, 4 * np.arange(6.0))
    time = np.datetime64("2024-01-01T00:00:00", "s") + np.arange(6) * np.timedelta64(2, "s")
    series = xr.DataArray(3.0 * np.arange(6), dims="time", coords={"time": time})
    unit = np.datetime_data(series.coords["time"].dtype)[0]
    per_unit = 1.5 / {"s": 1, "ms": 1e3, "us": 1e6, "ns": 1e9}[unit]
    assert np.allclose(diff(series).values, per_unit)


def test_dask_backed_and_error_and_messages():
    arr = _field().chunk({"t": 5})
    got = diff(arr, dim="t")
    assert type(got.data).__module__.startswith("dask")
    assert np.allclose(got.values, diff(_field(), dim="t").values)
    r = diff(_field(), dim="s", return_error=True)
    assert isinstance(r, DerivativeResult)
    assert r.params["dim"] == "s"
    gt, gs = gradient(_field())
    assert isinstance(gt, xr.DataArray)
    assert np.allclose(gs.values, diff(_field(), dim="s").values)
    with pytest.raises(ValueError, match=r"`dim` must be one of the array's dimensions"):
        diff(_field(), dim="z")
