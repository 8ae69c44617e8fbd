"""Arrays in ``kwargs`` broadcast with ``x`` as those in ``args`` do; ``n`` beyond 6 is refused."""

from __future__ import annotations

import numpy as np
import pytest

from dfdx.numeric import derivative, directional


def _f(x, c, *, p, tag="a"):
    assert tag == "a"
    return x**p + c * x


@pytest.mark.parametrize("vectorized", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kwargs_arrays_broadcast_with_x_and_args(vectorized, dtype):
    # SciPy's test_kwargs: x scalar, c (3,), p (3, 1): results (3, 3)
    x = dtype(1.23)
    c = np.array([1.0, 2.0, 3.0], dtype=dtype)
    p = np.array([2.0, 3.0, 4.0])[:, None]
    res = derivative(_f, x, args=(c,), kwargs={"p": p, "tag": "a"}, vectorized=vectorized)
    true = p * np.float64(x) ** (p - 1) + c
    assert res.df.shape == (3, 3)
    assert res.df.dtype == dtype
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(res.df, true, rtol=rtol)
    assert res.success.all()
    assert np.all(np.abs(res.df - true) <= res.error + 4 * np.finfo(dtype).eps * np.abs(true))


def test_kwargs_arrays_match_the_rows_of_every_call():
    x = np.linspace(0.5, 2.0, 7)
    seen = []

    def f(t, *, k):
        seen.append((t.shape[0], k.shape))
        return np.sin(k * t)

    k = np.arange(1.0, 8.0)
    res = derivative(f, x, kwargs={"k": k})
    np.testing.assert_allclose(res.df, k * np.cos(k * x), rtol=1e-12)
    assert all(ks == (rows, 1) for rows, ks in seen)  # (p, 1): the rows of the points


def test_scalar_kwargs_are_passed_unchanged():
    res = derivative(lambda t, *, s: np.exp(s * t), 0.0, kwargs={"s": 2.0})
    assert float(res.df) == pytest.approx(2.0, rel=1e-13)


def test_kwargs_arrays_that_do_not_broadcast_are_refused_by_name():
    with pytest.raises(ValueError, match=r"`args` and the arrays of `kwargs` \(p\) must broadcast"):
        derivative(_f, [1.0, 2.0], args=(1.0,), kwargs={"p": [1.0, 2.0, 3.0]})


@pytest.mark.parametrize("n", [7, 8, 20])
def test_orders_beyond_six_are_refused_naming_the_range(n):
    with pytest.raises(ValueError, match=rf"`n` must be an integer from 1 to 6, got {n}"):
        derivative(np.sin, 1.0, n=n)
    with pytest.raises(ValueError, match=rf"from 1 to 6, got {n}: .*dfdx\.ad"):
        directional(lambda x: np.sin(x[0]), [1.0], [1.0], n=n)
    six = derivative(np.sin, 1.0, n=6)  # the highest order works: sin^(6) = -sin
    assert abs(float(six.df) + np.sin(1.0)) <= float(six.error)
