"""dfdx.noisy: NaN and inf samples are dropped with their x, flagged per point."""

from __future__ import annotations

import numpy as np
import pytest

from dfdx import Status
from dfdx.noisy import diff

RNG = np.random.default_rng(7)
X = np.sort(RNG.uniform(0, 6, 160))
Y = np.sin(X) + 0.02 * RNG.standard_normal(X.size)
HOLES = np.array([0, 17, 18, 90, 159])


@pytest.mark.parametrize("method", ["auto", "savgol", "spline", "tikhonov", "kalman", "tv"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_missing_samples_equal_removed_samples(method, bad):
    y = Y.copy()
    y[HOLES] = bad
    keep = np.ones(X.size, dtype=bool)
    keep[HOLES] = False
    res = diff(y, X, method=method)
    ref = diff(Y[keep], X[keep], method=method)
    np.testing.assert_allclose(res.df[keep], ref.df, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(res.error[keep], ref.error, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(res.y_smooth[keep], ref.y_smooth, rtol=1e-12, atol=1e-14)
    assert np.all(np.isnan(res.df[HOLES]))
    assert np.all(np.isnan(res.error[HOLES]))
    assert np.all(res.status[HOLES] == Status.NONFINITE_INPUT)
    assert not res.success[HOLES].any()
    assert res.success[keep].all()
    assert res.method == ref.method
    assert "5 non-finite sample(s) dropped" in res.message
    again = diff(y, X, method=res.method, **res.params)
    np.testing.assert_array_equal(again.df, res.df)


def test_series_with_different_holes_match_one_by_one():
    rows = np.stack([Y, np.cos(X) + 0.05 * RNG.standard_normal(X.size), 2 * Y])
    rows[0, [3, 50]] = np.nan
    rows[2, 100] = np.inf
    res = diff(rows.T, X, method="kalman", axis=0)
    for i in range(3):
        keep = np.isfinite(rows[i])
        ref = diff(rows[i][keep], X[keep], method="kalman")
        np.testing.assert_allclose(res.df[keep, i], ref.df, rtol=1e-12, atol=1e-14)
        assert np.all(res.status[~keep, i] == Status.NONFINITE_INPUT)
        assert res.params["lam"][i] == pytest.approx(ref.params["lam"], rel=1e-12)
