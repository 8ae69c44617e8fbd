"""The front door on samples: NaN and inf, labelled and lazy data, time coordinates."""

import numpy as np
import pytest

import dfdx
from dfdx import Status

pd = pytest.importorskip("pandas")
xr = pytest.importorskip("xarray")


def _noisy(size=200, sigma=0.05, seed=3):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0, 10, size))
    return x, 5 * np.sin(x) + sigma * rng.standard_normal(size), 5 * np.cos(x)


@pytest.mark.parametrize("bad_value", [np.nan, -np.inf])
def test_one_bad_sample_does_not_turn_off_the_noise_test(bad_value):
    # before: noise test skipped, plain finite differences, worst error 4975 "+- 1.06"
    x, y, truth = _noisy()
    yb = y.copy()
    yb[[7, 120]] = bad_value
    r = dfdx.derivative(yb, x)
    assert "data look noisy" in r.message
    assert "2 non-finite samples left out" in r.message
    np.testing.assert_array_equal(np.isnan(r.df), np.isin(np.arange(200), [7, 120]))
    np.testing.assert_array_equal(r.status[[7, 120]], Status.NONFINITE_INPUT)
    assert not r.success[[7, 120]].any()
    keep = np.isfinite(yb)
    err = np.abs(r.df[keep] - truth[keep])
    assert np.sqrt(np.mean(err**2)) < 0.1 * np.std(truth)
    assert np.max(err) < 0.5 * np.max(np.abs(truth))  # was 4975 against a truth of 5.48
    # the same as differentiating the finite samples alone
    alone = dfdx.derivative(yb[keep], x[keep])
    np.testing.assert_allclose(r.df[keep], alone.df, rtol=1e-12, atol=1e-12)


def test_bad_samples_in_some_lanes_of_a_2d_array():
    x, y, _truth = _noisy()
    Y = np.stack([y, y[::-1], y])
    Y[0, 3] = np.nan
    Y[2, 150] = np.inf
    r = dfdx.derivative(Y, x, axis=1)
    assert r.df.shape == Y.shape
    np.testing.assert_array_equal(np.isnan(r.df), ~np.isfinite(Y))
    assert r.params["axis"] == 1
    clean = dfdx.derivative(Y[1], x)
    np.testing.assert_allclose(r.df[1], clean.df, rtol=1e-12, atol=1e-12)
    rt = dfdx.derivative(Y.T, x, axis=0)
    np.testing.assert_allclose(rt.df.T, r.df, rtol=1e-12, atol=1e-12)
    assert rt.params["axis"] == 0
    clean_fd = np.sin(np.stack([x, x]))
    clean_fd[0, 5] = np.nan
    assert "along axis 1" in dfdx.derivative(clean_fd, x, axis=1).message
    assert "along axis 0" in dfdx.derivative(clean_fd.T, x, axis=0).message


def test_nan_in_clean_samples_gives_finite_differences_elsewhere():
    x = np.linspace(0, 3, 60)
    y = np.sin(x)
    y[30] = np.nan
    r = dfdx.derivative(y, x)
    assert r.method == "fd"
    assert np.isnan(r.df[30])
    keep = np.arange(60) != 30
    assert np.max(np.abs(r.df[keep] - np.cos(x[keep]))) < 1e-5


def test_dataarray_gets_the_noise_test_and_the_numpy_answer():
    # before: no noise test for DataArrays, RMSE 13x the signal's scale
    x, y, truth = _noisy()
    da = xr.DataArray(y, dims="t", coords={"t": x}, name="position")
    out = dfdx.derivative(da)
    ref = dfdx.derivative(y, x)
    assert isinstance(out, xr.DataArray)
    assert out.dims == ("t",)
    np.testing.assert_array_equal(out.values, ref.df)
    assert "data look noisy" in out.attrs["dfdx_message"]
    assert np.sqrt(np.mean((out.values - truth) ** 2)) < 0.1 * np.std(truth)
    ds = dfdx.derivative(da, return_error=True)
    assert isinstance(ds, xr.Dataset)
    np.testing.assert_array_equal(ds["error"].values, ref.error)
    np.testing.assert_array_equal(ds["t"].values, x)


def test_dask_backed_dataarray_stays_lazy_and_agrees():
    x, y, _truth = _noisy(size=120)
    Y = xr.DataArray(np.stack([y, 2 * y]), dims=("k", "t"), coords={"t": x})
    lazy = Y.chunk({"t": 40, "k": 1})
    out = dfdx.derivative(lazy, dim="t")
    assert type(out.data).__module__.startswith("dask")
    assert "noise test on 2 lanes" in out.attrs["dfdx_message"]
    eager = dfdx.derivative(Y, dim="t")
    np.testing.assert_allclose(out.values, eager.values, rtol=1e-12, atol=1e-12)
    ds = dfdx.derivative(lazy, dim="t", return_error=True)
    assert type(ds["error"].data).__module__.startswith("dask")
    assert np.all(ds["error"].values > 0)
    clean = xr.DataArray(np.sin(x), dims="t", coords={"t": x}).chunk({"t": 40})
    dc = dfdx.derivative(clean)
    assert type(dc.data).__module__.startswith("dask")
    assert "clean data" in dc.attrs["dfdx_message"]
    assert np.max(np.abs(dc.values - np.cos(x))) < 1e-3


def test_plain_dask_array_gets_the_noise_test():
    da = pytest.importorskip("dask.array")
    xu = np.linspace(0, 10, 120)
    yu = 5 * np.sin(xu) + 0.05 * np.random.default_rng(0).standard_normal(120)
    lazy = dfdx.derivative(da.from_array(yu, chunks=40), dx=xu[1])
    assert type(lazy).__module__.startswith("dask")
    np.testing.assert_allclose(lazy.compute(), dfdx.derivative(yu, dx=xu[1]).df, rtol=1e-12)


def test_pandas_series_with_a_datetime_index_is_per_second():
    # before: the DatetimeIndex was ignored (derivative per row)
    idx = pd.date_range("2024-01-01", periods=50, freq="1min")
    s = pd.Series(np.arange(50.0) * 6.0, index=idx, name="position")
    out = dfdx.derivative(s)
    assert isinstance(out, pd.Series)
    assert out.index.equals(idx)
    assert out.name == "position"
    np.testing.assert_allclose(out.to_numpy(), 0.1, rtol=1e-13)
    assert "derivative per second" in out.attrs["dfdx"]
    per_min = dfdx.derivative(s, time_unit="min")
    np.testing.assert_allclose(per_min.to_numpy(), 6.0, rtol=1e-13)
    assert "per minute" in per_min.attrs["dfdx"]
    per_hour = dfdx.derivative(s, time_unit="h")
    np.testing.assert_allclose(per_hour.to_numpy(), 360.0, rtol=1e-13)


def test_pandas_time_as_x_dx_and_tz_aware():
    # before: dfdx.derivative(s, s.index) raised on datetime64
    idx = pd.date_range("2024-03-31 00:00", periods=40, freq="15min", tz="Europe/Berlin")
    y = np.arange(40.0) * 900.0  # 1 per second, across the DST change
    for x in (idx, idx.to_numpy(), idx.tz_convert(None), pd.Series(idx)):
        r = dfdx.derivative(y, x)
        np.testing.assert_allclose(r.df, 1.0, rtol=1e-13)
        assert "per second" in r.message
    r = dfdx.derivative(y, dx=pd.Timedelta(minutes=15))
    np.testing.assert_allclose(r.df, 1.0, rtol=1e-13)
    r = dfdx.derivative(y, dx=np.timedelta64(15, "m"), time_unit="ms")
    np.testing.assert_allclose(r.df, 1e-3, rtol=1e-13)
    assert r.params["time_unit"] == "ms"


def test_grid_diff_of_pandas_is_per_second_under_any_pandas_resolution():
    # before: per microsecond (pandas 3) or per nanosecond (pandas 2), silently
    idx = pd.date_range("2024-01-01", periods=10, freq="2s")
    s = pd.Series(np.arange(10.0), index=idx)
    np.testing.assert_allclose(dfdx.grid.diff(s, s.index), 0.5, rtol=1e-13)
    for unit in ("s", "ms", "us", "ns"):
        t = idx.to_numpy().astype(f"datetime64[{unit}]")
        np.testing.assert_allclose(dfdx.grid.diff(s.to_numpy(), t), 0.5, rtol=1e-13)


def test_dataframe_in_dataframe_out():
    idx = pd.date_range("2024-01-01", periods=30, freq="1s")
    t = np.arange(30.0)
    frame = pd.DataFrame({"a": t**2, "b": 3 * t}, index=idx)
    out = dfdx.derivative(frame)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["a", "b"]
    np.testing.assert_allclose(out["a"], 2 * t, atol=1e-9)
    np.testing.assert_allclose(out["b"], 3.0, rtol=1e-13)
    full = dfdx.derivative(frame, return_error=True)
    assert set(full.columns.get_level_values(0)) == {"derivative", "error", "success", "status"}
    assert full["success"]["a"].all()
    s = dfdx.derivative(frame["a"], return_error=True)
    assert list(s.columns) == ["derivative", "error", "success", "status"]
    # a default RangeIndex is no coordinate: spacing 1, or dx
    plain = pd.Series(t**2)
    np.testing.assert_allclose(dfdx.derivative(plain, dx=0.5), 4 * t, atol=1e-9)


def test_xarray_datetime_coordinate_and_datetime_unit():
    time = np.datetime64("2024-01-01T00:00:00", "ns") + np.arange(20) * np.timedelta64(2, "s")
    da = xr.DataArray(3.0 * np.arange(20), dims="time", coords={"time": time})
    np.testing.assert_allclose(dfdx.derivative(da).values, 1.5, rtol=1e-13)
    np.testing.assert_allclose(dfdx.derivative(da, datetime_unit="min").values, 90.0, rtol=1e-13)
    np.testing.assert_allclose(dfdx.grid.diff(da).values, 1.5, rtol=1e-13)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda y, x: dfdx.derivative(y, x, time_unit="sec"), ValueError, r"`time_unit` must be"),
        (
            lambda y, x: dfdx.derivative(pd.Series(y), return_error="yes"),
            TypeError,
            r"`return_error` must be True or False",
        ),
        (
            lambda y, x: dfdx.derivative(pd.DataFrame({"a": y}), axis=1),
            ValueError,
            r"`axis` must be 0 for a DataFrame",
        ),
        (
            lambda y, x: dfdx.derivative(pd.Series(["a"] * y.size)),
            TypeError,
            r"`obj` must hold numbers",
        ),
        (
            lambda y, x: dfdx.derivative(
                xr.DataArray(y, dims="t"), time_unit="s", datetime_unit="s"
            ),
            ValueError,
            r"give `time_unit` or `datetime_unit`",
        ),
        (
            lambda y, x: dfdx.derivative(xr.DataArray(y, dims="t"), dim="u"),
            ValueError,
            r"`dim` must be one of",
        ),
        (
            lambda y, x: dfdx.derivative(y, x.astype("datetime64")),
            ValueError,
            r"explicit time unit",
        ),
    ],
)
def test_bad_input_names_the_parameter(call, error, match):
    y = np.arange(20.0)
    x = np.arange(20)
    with pytest.raises(error, match=match):
        call(y, x)


def test_pandas_and_xarray_stay_optional():
    import subprocess
    import sys

    code = (
        "import sys, numpy as np, dfdx\n"
        "t = np.datetime64('2024-01-01', 'ns') + np.arange(30) * np.timedelta64(1, 's')\n"
        "y = np.arange(30.0) ** 2\n"
        "y[3] = np.nan\n"
        "dfdx.derivative(y, t)\n"
        "dfdx.grid.diff(y, t, time_unit='min')\n"
        "dfdx.derivative(np.sin, np.linspace(0, 1, 5))\n"
        "dfdx.propagate(lambda v: v[0] * v[1], [1.0, 2.0], [0.1, 0.1])\n"
        "bad = [m for m in ('pandas', 'xarray', 'dask') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
