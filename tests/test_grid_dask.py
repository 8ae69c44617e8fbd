"""Dask arrays: lazy, chunk-by-chunk derivatives equal to the NumPy path."""

from __future__ import annotations

import itertools
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dfdx import DerivativeResult
from dfdx.grid import diff, gradient, laplacian

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")


@st.composite
def chunkings(draw, size):
    """Random chunk sizes summing to ``size``: ragged, with chunks of 1."""
    cuts = draw(st.lists(st.integers(1, size - 1), max_size=6, unique=True))
    edges = [0, *sorted(cuts), size]
    return tuple(b - a for a, b in itertools.pairwise(edges))


@settings(max_examples=40, deadline=None)
@given(
    data=st.data(),
    size=st.integers(12, 40),
    n=st.integers(1, 3),
    acc=st.sampled_from([2, 4, 6]),
    kind=st.sampled_from(["uniform", "nonuniform", "periodic"]),
    axis=st.integers(0, 1),
)
def test_dask_equals_numpy_under_any_chunking(data, size, n, acc, kind, axis):
    rng = np.random.default_rng(size * 10 + n)
    shape = (size, 5) if axis == 0 else (4, size)
    y = rng.standard_normal(shape)
    chunks = [
        data.draw(chunkings(s), label=f"chunks{i}") if s > 1 else (s,) for i, s in enumerate(shape)
    ]
    x = np.cumsum(rng.uniform(0.5, 1.5, size)) if kind == "nonuniform" else None
    kw = {"axis": axis, "n": n, "acc": acc, "periodic": kind == "periodic"}
    if x is None:
        kw["dx"] = 0.25
    lazy = diff(da.from_array(y, chunks=tuple(chunks)), x, **kw)
    assert isinstance(lazy, da.Array)
    assert lazy.chunks == tuple(chunks)
    with dask.config.set(scheduler="threads"):
        got = lazy.compute()
    expect = diff(y, x, **kw)
    assert np.allclose(got, expect, rtol=1e-12, atol=1e-12 * np.abs(expect).max())


def test_dask_other_methods_and_error_and_dtypes():
    x = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    y = np.sin(x)[None, :] * np.arange(1, 6)[:, None]
    dy = da.from_array(y, chunks=(2, 7))
    with dask.config.set(scheduler="threads"):
        for method in ("spectral", "spline"):
            got = diff(dy, x, method=method)
            assert isinstance(got, da.Array)
            assert np.allclose(got.compute(), diff(y, x, method=method))
        r = diff(dy, x, acc=4, return_error=True)
        ref = diff(y, x, acc=4, return_error=True)
        assert isinstance(r, DerivativeResult)
        assert np.allclose(r.df, ref.df)
        assert np.allclose(r.error, ref.error, atol=1e-15)
        assert np.array_equal(r.status, ref.status)
        ints = da.arange(20, chunks=3) ** 2
        assert np.allclose(diff(ints).compute(), diff(np.arange(20) ** 2))
        assert diff(ints).dtype == np.float64
        lap = laplacian(dy, x[1], 0.5)
        assert np.allclose(lap.compute(), laplacian(y, x[1], 0.5))
        gx, _ = gradient(dy, 1.0, x[1])
        assert np.allclose(gx.compute(), gradient(y, 1.0, x[1])[0])


def test_dask_validation_is_eager():
    dy = da.zeros(10, chunks=3)
    with pytest.raises(ValueError, match=r"`x` must be strictly monotonic"):
        diff(dy, np.r_[0.0, 2.0, 1.0, np.arange(3.0, 10.0)])
    with pytest.raises(ValueError, match=r"`acc` must be a positive even integer"):
        diff(dy, acc=3)
    with pytest.raises(ValueError, match=r"`out` is only supported for NumPy input"):
        diff(dy, out=np.empty(10))
    with pytest.raises(ValueError, match=r"`y` is too short along axis 0"):
        diff(da.zeros(3, chunks=1), n=2)


def test_distributed_local_cluster_processes():
    distributed = pytest.importorskip("distributed")
    y = np.cumsum(np.random.default_rng(5).standard_normal(4000))
    x = np.cumsum(np.random.default_rng(6).uniform(0.5, 1.5, y.size))
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        lazy = diff(da.from_array(y, chunks=333), x, acc=4)
        got = client.compute(lazy).result()
    assert np.allclose(got, diff(y, x, acc=4), rtol=1e-12, atol=1e-12)


def test_dask_messages(monkeypatch):
    with pytest.raises(TypeError, match=r"`y` must be array-like of numbers, got dtype <U1"):
        diff(da.from_array(np.array(["a", "b", "c"]), chunks=2))
    lazy = da.zeros(10, chunks=5)
    monkeypatch.setitem(sys.modules, "dask.array", None)
    with pytest.raises(ImportError, match=r'pip install "dfdx\[dask\]"'):
        diff(lazy)
