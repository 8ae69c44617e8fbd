"""dfdx.noisy on many series: per-series choices, equal to a loop; dask and xarray."""

from __future__ import annotations

import numpy as np
import pytest

from dfdx.noisy import diff

RNG = np.random.default_rng(21)
X = np.sort(RNG.uniform(0, 8, 240))
NOISE = np.array([1e-4, 3e-3, 3e-2, 0.2])
Y = np.sin(X * np.array([0.5, 1.0, 2.0, 1.5])[:, None]) + NOISE[:, None] * RNG.standard_normal(
    (4, X.size)
)


def _same(df, error, ref):
    scale = np.abs(ref.df).max()
    np.testing.assert_allclose(df, ref.df, rtol=1e-9, atol=1e-12 * scale)
    np.testing.assert_allclose(error, ref.error, rtol=1e-9, atol=1e-12 * scale)


@pytest.mark.parametrize("method", ["auto", "kalman", "spline", "savgol"])
def test_series_along_an_axis_equal_a_loop(method):
    res = diff(Y.T[:, None, :], X, method=method, axis=0)  # shape (240, 1, 4)
    assert res.df.shape == (X.size, 1, 4)
    chosen = []
    for i in range(4):
        ref = diff(Y[i], X, method=method)
        _same(res.df[:, 0, i], res.error[:, 0, i], ref)
        chosen.append(ref.method)
    if res.method == "auto":  # series chose different methods: one entry per series
        assert res.params["method"].shape == (1, 4)
        assert list(res.params["method"][0]) == chosen
    else:
        assert set(chosen) == {res.method}
    if method != "auto":
        noise = np.asarray(res.params["noise_std"]).reshape(-1)
        assert noise.size == 4
        assert np.all(np.diff(noise) > 0)  # each series its own noise level


def test_large_series_choose_on_averages_and_fit_once():
    x = np.linspace(0, 10, 20_000)
    y = np.sin(x) + 0.05 * np.random.default_rng(2).standard_normal(x.size)
    res = diff(y, x)
    assert "averages of 19 samples" in res.message
    assert res.params["bin"] >= 1
    assert np.sqrt(np.mean((res.df - np.cos(x))[200:-200] ** 2)) < 0.01
    again = diff(y, x, method=res.method, **res.params)
    np.testing.assert_array_equal(again.df, res.df)


def test_dask_stays_lazy_and_equals_numpy_on_a_cluster():
    da = pytest.importorskip("dask.array")
    distributed = pytest.importorskip("distributed")
    y = np.stack([Y, 2 * Y, Y[::-1]], axis=0)  # (3, 4, 240), axis 2
    lazy = diff(da.from_array(y, chunks=(1, 2, 60)), X, axis=2, method="kalman")
    assert isinstance(lazy, da.Array)
    assert lazy.chunks == ((1, 1, 1), (2, 2), (60, 60, 60, 60))
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        got = client.compute(lazy).result()
    ref = diff(y, X, axis=2, method="kalman").df
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-14)


def test_dask_rejects_per_series_parameters():
    da = pytest.importorskip("dask.array")
    with pytest.raises(ValueError, match=r"`lam` must be a scalar for a dask array `y`"):
        diff(da.from_array(Y, chunks=(2, 240)), X, method="kalman", lam=np.ones(4))


def test_xarray_dim_uses_the_coordinate():
    xr = pytest.importorskip("xarray")
    arr = xr.DataArray(Y.T, dims=("t", "series"), coords={"t": X}, name="signal")
    out = diff(arr, dim="t", method="savgol")
    assert isinstance(out, xr.DataArray)
    assert out.dims == ("t", "series")
    np.testing.assert_allclose(out.values, diff(Y.T, X, method="savgol", axis=0).df)
    np.testing.assert_array_equal(out.coords["t"].values, X)
    with pytest.raises(ValueError, match=r"`dim` must be one of the array's dimensions"):
        diff(arr, dim="time")
    with pytest.raises(ValueError, match=r"`dim` is only meaningful for an xarray"):
        diff(Y, X, dim="t")
