"""Long series on tightly clustered coordinates (random sorted x: tiny gaps)."""

import numpy as np
import pytest

from dfdx import noisy


@pytest.mark.parametrize("method", ["kalman", "spline", "tikhonov"])
def test_clustered_coordinates_keep_a_usable_bin_level(method):
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(0, 40, 40_000))  # smallest gaps ~1e-8: weights cap out
    y = np.sin(x) + rng.normal(0, 0.01, x.size)
    r = noisy.diff(y, x, method=method)
    rmse = float(np.sqrt(np.mean((r.df - np.cos(x))[200:-200] ** 2)))
    assert rmse < 0.03
    again = noisy.diff(y, x, method=method, **r.params)
    np.testing.assert_array_equal(again.df, r.df)
