"""Every error message of dfdx.grid names the parameter and the requirement."""

from __future__ import annotations

import numpy as np
import pytest

from dfdx.grid import Diff, curl, diff, divergence, gradient, laplacian

Y = np.sin(np.linspace(0, 1, 20))
X = np.linspace(0, 1, 20)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n": -1}, r"`n` must be a non-negative integer, got -1"),
        ({"n": 1.5}, r"`n` must be a non-negative integer, got 1.5"),
        ({"acc": 3}, r"`acc` must be a positive even integer, got 3"),
        ({"acc": 0}, r"`acc` must be a positive even integer, got 0"),
        ({"acc": 2.0}, r"`acc` must be a positive even integer, got 2.0"),
        ({"axis": 1}, r"`axis` must be in the range \[-1, 1\)"),
        ({"axis": 0.5}, r"`axis` must be an integer, got 0.5"),
        ({"method": "fft"}, r"`method` must be one of 'fd', 'spectral', 'spline', got 'fft'"),
        ({"periodic": "yes"}, r"`periodic` must be True or False, got 'yes'"),
        ({"dx": 0.0}, r"`dx` must be a nonzero finite number, got 0.0"),
        ({"dx": np.nan}, r"`dx` must be a nonzero finite number"),
        ({"dx": "1"}, r"`dx` must be a nonzero finite number"),
        ({"dx": np.timedelta64(1)}, r"`dx` must be a timedelta with an explicit unit"),
        ({"dx": 0.1, "x": X}, r"give either `x` \(coordinates\) or `dx` \(a spacing\), not both"),
        ({"dim": "t"}, r"`dim` is only meaningful for an xarray.DataArray"),
    ],
)
def test_parameter_messages(kwargs, match):
    x = kwargs.pop("x", None)
    with pytest.raises(ValueError, match=match):
        diff(Y, x, **kwargs)


@pytest.mark.parametrize(
    ("x", "match"),
    [
        (X[::-1].copy()[np.r_[0:5, 6, 5, 7:20]], r"`x` must be strictly monotonic \(sorted"),
        (np.r_[X[:10], X[9:19]], r"`x` must be strictly monotonic, found duplicated values"),
        (np.r_[X[:10], np.nan, X[11:]], r"`x` must contain only finite values"),
        (np.r_[np.nan, X[1:]], r"`x` must contain only finite values"),
        (np.r_[X[:19], np.inf], r"`x` must contain only finite values"),
        (X[:19], r"`x` must have the same length as the data along the axis \(20\), got 19"),
        (np.ones((20, 2)), r"`x` must be one-dimensional, got shape \(20, 2\)"),
        (np.full(20, np.datetime64("NaT", "s")), r"`x` must contain only finite values"),
    ],
)
def test_coordinate_messages(x, match):
    with pytest.raises(ValueError, match=match):
        diff(Y, x)


@pytest.mark.parametrize("acc", [2, 4])
@pytest.mark.parametrize("n", [1, 2])
def test_bad_coordinates_caught_in_every_kernel(n, acc):
    x = np.cumsum(np.linspace(1.0, 2.0, 5000))
    x[3000] = x[2999]
    with pytest.raises(ValueError, match="found duplicated values"):
        diff(np.sin(x), x, n=n, acc=acc)
    x[3000] = np.nan
    with pytest.raises(ValueError, match="must contain only finite values"):
        diff(np.sin(x), x, n=n, acc=acc)


def test_generic_datetime_rejected():
    t = np.arange(20).astype("datetime64")
    assert np.datetime_data(t.dtype)[0] == "generic"
    with pytest.raises(ValueError, match=r"`x` must have an explicit time unit"):
        diff(Y, t)


@pytest.mark.parametrize(
    ("size", "kwargs", "match"),
    [
        (2, {}, r"`y` is too short along axis 0 for n=1, acc=2 with method='fd': needs at least 3"),
        (
            5,
            {"n": 2, "acc": 4},
            r"for n=2, acc=4 with method='fd': needs at least 6 samples, got 5",
        ),
        (4, {"n": 1, "acc": 4, "periodic": True}, r"needs at least 5 samples, got 4"),
        (3, {"method": "spline"}, r"with method='spline': needs at least 4 samples, got 3"),
    ],
)
def test_too_short(size, kwargs, match):
    with pytest.raises(ValueError, match=match):
        diff(np.ones(size), **kwargs)


def test_too_short_non_uniform():
    with pytest.raises(ValueError, match=r"n=2, acc=2 with method='fd': needs at least 4 samples"):
        diff(np.ones(3), [0.0, 0.1, 0.5], n=2)


def test_uniform_needed():
    xn = X**2
    with pytest.raises(ValueError, match=r"`x` must be uniformly spaced for method='spectral'"):
        diff(Y, xn, method="spectral")
    with pytest.raises(ValueError, match=r"`x` must be uniformly spaced for periodic=True"):
        diff(Y, xn, periodic=True)


def test_kinds_of_input():
    with pytest.raises(ValueError, match=r"`y` must have at least one dimension, got a scalar"):
        diff(1.0)
    with pytest.raises(TypeError, match=r"`y` must be array-like of numbers, got dtype <U1"):
        diff(np.array(["a", "b", "c"]))
    with pytest.raises(TypeError, match=r"`x` must be real, got complex dtype"):
        diff(Y, X + 0j)


def test_vector_messages():
    f = np.ones((6, 7))
    with pytest.raises(ValueError, match=r"`spacings_or_coords` must have 0, 1 or 2 entries"):
        gradient(f, 0.1, 0.2, 0.3)
    with pytest.raises(ValueError, match=r"`periodic` must be a bool or one bool per axis \(2\)"):
        gradient(f, periodic=[True])
    with pytest.raises(ValueError, match=r"`field` must have one component per axis \(2\)"):
        divergence([f], 0.1)
    with pytest.raises(ValueError, match=r"`field` must be 3 components on a 3-D grid"):
        curl([f, f, f])
    with pytest.raises(ValueError, match=r"`f` must have at least one dimension"):
        laplacian(1.0)
    with pytest.raises(ValueError, match=r"`acc` must be a positive even integer, got 5"):
        laplacian(f, acc=5)
    with pytest.raises(ValueError, match=r"`y` is too short along axis 1"):
        laplacian(np.ones((6, 2)))


def test_operator_messages():
    with pytest.raises(ValueError, match=r"`acc` must be a positive even integer, got 1"):
        Diff(0, acc=1)
    with pytest.raises(ValueError, match=r"`axis` must be an integer, got 'x'"):
        Diff("x")
    with pytest.raises(ValueError, match=r"give either `x` \(coordinates\) or `dx`"):
        Diff(0, x=X, dx=0.1)
    with pytest.raises(TypeError, match=r"operators combine with operators and numbers, not str"):
        Diff(0) + "d"
    with pytest.raises(TypeError, match=r"operators combine with operators and numbers, not list"):
        [1] * Diff(0)
    with pytest.raises(ValueError, match=r"`power` must be a non-negative integer, got -1"):
        Diff(0) ** -1
    with pytest.raises(ValueError, match=r"`shape` must be a positive integer, got 0"):
        Diff(0).matrix((0, 3))
    with pytest.raises(ValueError, match=r"`axis` must be in the range \[-2, 2\)"):
        Diff(2).matrix((4, 4))
    with pytest.raises(ValueError, match=r"`x` must have the same length as the data"):
        Diff(0, x=X).matrix((5,))


def test_out_messages():
    with pytest.raises(
        ValueError,
        match=r"`out` must be an ndarray of shape \(20,\) and dtype float64, got ndarray "
        r"of shape \(19,\)",
    ):
        diff(Y, out=np.empty(19))
    with pytest.raises(
        ValueError, match=r"`out` must be an ndarray of shape \(20,\) and dtype float64, got list"
    ):
        diff(Y, out=[0.0] * 20)
    with pytest.raises(
        ValueError, match=r"and dtype float64, got ndarray of shape \(20,\) and dtype float32"
    ):
        diff(Y, out=np.empty(20, np.float32))
    y = Y.copy()
    with pytest.raises(ValueError, match=r"`out` must not overlap `y`"):
        diff(y, out=y)
