"""gradient, laplacian, divergence and curl on N-D grids."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dfdx.grid import curl, diff, divergence, gradient, laplacian


def _axes(shape, uniform):
    rng = np.random.default_rng(len(shape))
    out = []
    for size in shape:
        u = np.linspace(-1.0, 1.0, size)
        out.append(u if uniform else u + 0.3 / size * np.sin(rng.uniform(0, 6) + np.arange(size)))
    return out


@settings(max_examples=25, deadline=None)
@given(
    shape=st.lists(st.integers(7, 11), min_size=1, max_size=3),
    acc=st.sampled_from([2, 4]),
    uniform=st.booleans(),
    periodic=st.booleans(),
)
def test_gradient_and_laplacian_equal_per_axis_diff(shape, acc, uniform, periodic):
    rng = np.random.default_rng(sum(shape))
    f = rng.standard_normal(shape)
    coords = _axes(shape, uniform or periodic)
    if periodic:
        coords = [np.linspace(0, 1, s, endpoint=False) for s in shape]
    grads = gradient(f, *coords, acc=acc, periodic=periodic)
    grads = (grads,) if f.ndim == 1 else grads
    lap = laplacian(f, *coords, acc=acc, periodic=periodic)
    ref = 0
    for ax, x in enumerate(coords):
        assert np.allclose(grads[ax], diff(f, x, axis=ax, acc=acc, periodic=periodic))
        ref = ref + diff(f, x, axis=ax, n=2, acc=acc, periodic=periodic)
    assert np.allclose(lap, ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())


@pytest.mark.parametrize("acc", [2, 4, 6])
@pytest.mark.parametrize("uniform", [True, False])
def test_laplacian_exact_on_quadratics_3d(acc, uniform):
    x, y, z = _axes((9, 10, 11), uniform)
    X, Y, Z = np.meshgrid(x, y, z, indexing="ij")
    f = 3 * X**2 - Y**2 + 0.5 * Z**2 + X * Y * Z + 2 * X
    assert np.allclose(laplacian(f, x, y, z, acc=acc), 6 - 2 + 1.0, atol=1e-8)
    fx, fy, fz = gradient(f, x, y, z, acc=acc)
    assert np.allclose(fx, 6 * X + Y * Z + 2, atol=1e-9)
    assert np.allclose(fy, -2 * Y + X * Z, atol=1e-9)
    assert np.allclose(fz, Z + X * Y, atol=1e-9)


def test_laplacian_spacings_forms_and_extreme_scales():
    f = np.random.default_rng(1).standard_normal((8, 9, 10))
    a = laplacian(f, 0.5)
    b = laplacian(f, 0.5, 0.5, 0.5)
    c = laplacian(f, *(np.arange(s) * 0.5 for s in f.shape))
    assert np.allclose(a, b)
    assert np.allclose(a, c)
    fortran = np.asfortranarray(f)
    assert np.allclose(laplacian(fortran, 0.5, 0.3, 0.2, acc=4), laplacian(f, 0.5, 0.3, 0.2, acc=4))
    view = f[:, ::2, 1:]
    assert np.allclose(laplacian(view, 0.5), laplacian(view.copy(), 0.5))
    tiny = laplacian(f * 1e-300, 1e-150)  # 1/h**2 overflows: the safe path is taken
    assert np.allclose(tiny, laplacian(f, 1.0), rtol=1e-10)


def test_laplacian_int_and_float32():
    f = np.arange(60, dtype=np.int16).reshape(5, 12) ** 2
    assert laplacian(f).dtype == np.float64
    assert laplacian(f.astype(np.float32)).dtype == np.float32


def test_laplacian_memory_one_output_sized_array():
    f = np.random.default_rng(2).standard_normal((64, 64, 64))
    tracemalloc.start()
    try:
        out = laplacian(f, 0.1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.shape == f.shape
    assert peak < 2 * f.nbytes  # the output plus small block buffers


def test_diff_memory():
    y = np.random.default_rng(3).standard_normal(1_000_000)
    x = np.cumsum(np.random.default_rng(4).uniform(0.5, 1.5, y.size))
    for kwargs in ({}, {"acc": 6}, {"x": x}, {"x": x, "acc": 4}, {"n": 2, "acc": 4}):
        tracemalloc.start()
        try:
            diff(y, kwargs.pop("x", None), **kwargs)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 2 * y.nbytes + 2**20


def test_divergence_and_curl():
    x = np.linspace(-1, 1, 9)
    X, Y, Z = np.meshgrid(x, x, x, indexing="ij")
    field = np.stack([X * Y, Y * Z, Z * X])
    assert np.allclose(divergence(field, x[1] - x[0]), Y + Z + X)
    assert np.allclose(divergence(list(field), x, x, x, acc=4), Y + Z + X)
    cx, cy, cz = curl(field, x, x, x)
    assert np.allclose(cx, -Y)
    assert np.allclose(cy, -Z)
    assert np.allclose(cz, -X)
    # curl of a gradient vanishes (to rounding with an exact quadratic potential)
    phi = X**2 * Y + Z**2
    g = gradient(phi, x, x, x)
    assert all(np.allclose(c, 0, atol=1e-10) for c in curl(g, x, x, x))
    X2, Y2 = np.meshgrid(x, x, indexing="ij")
    assert np.allclose(curl([-Y2, X2], x, x), 2.0)


def test_gradient_one_dimensional_returns_array():
    x = np.linspace(0, 1, 7)
    g = gradient(x**2, x)
    assert isinstance(g, np.ndarray)
    assert np.allclose(g, 2 * x)
    assert np.allclose(gradient(x**2, x[1]), 2 * x)
