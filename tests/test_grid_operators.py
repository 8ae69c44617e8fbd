"""Diff operator algebra: application equals direct diff, matrix equals application."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from dfdx.grid import Diff, diff

RNG = np.random.default_rng(7)
F = RNG.standard_normal((9, 10, 11))
XN = np.cumsum(RNG.uniform(0.5, 1.5, 10))


def _ops():
    d0, d1n, d2 = Diff(0, dx=0.3), Diff(1, x=XN, acc=4), Diff(2, n=2, dx=0.2, acc=4)
    return {
        "single": (d0, diff(F, dx=0.3, axis=0)),
        "sum": (d0 + d1n, diff(F, dx=0.3, axis=0) + diff(F, XN, axis=1, acc=4)),
        "difference": (d0 - d2, diff(F, dx=0.3, axis=0) - diff(F, dx=0.2, axis=2, n=2, acc=4)),
        "scaled": (
            2.5 * d2 - d0 * 3,
            2.5 * diff(F, dx=0.2, axis=2, n=2, acc=4) - 3 * diff(F, dx=0.3, axis=0),
        ),
        "product": (d0 * d1n, diff(diff(F, XN, axis=1, acc=4), dx=0.3, axis=0)),
        "power": (d0**2, diff(diff(F, dx=0.3, axis=0), dx=0.3, axis=0)),
        "shift": (1 + d0 - 2, F + diff(F, dx=0.3, axis=0) - 2 * F),
        "negate": (-Diff(2, periodic=True, acc=6), -diff(F, axis=2, periodic=True, acc=6)),
        "identity": (d0**0, F),
    }


@pytest.mark.parametrize("name", list(_ops()))
def test_algebra_equals_direct_diff_and_matrix(name):
    op, expect = _ops()[name]
    got = op(F)
    assert np.allclose(got, expect, rtol=1e-12, atol=1e-10)
    mat = op.matrix(F.shape)
    assert sparse.issparse(mat)
    assert mat.shape == (F.size, F.size)
    assert np.allclose(mat @ F.ravel(), got.ravel(), rtol=1e-12, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(
    axis=st.integers(0, 1),
    n=st.integers(0, 3),
    acc=st.sampled_from([2, 4, 6]),
    kind=st.sampled_from(["uniform", "nonuniform", "periodic"]),
    size=st.integers(10, 16),
)
def test_matrix_matches_application(axis, n, acc, kind, size):
    f = np.random.default_rng(size).standard_normal((size, size + 1) if axis else (size, 3))
    length = f.shape[axis]
    x = np.cumsum(np.linspace(1.0, 2.0, length)) if kind == "nonuniform" else None
    op = Diff(axis, n, x=x, dx=None if x is not None else 0.7, acc=acc, periodic=kind == "periodic")
    got = op(f)
    assert np.allclose(op.matrix(f.shape) @ f.ravel(), got.ravel(), rtol=1e-10, atol=1e-10)


def test_matrix_is_sparse_banded():
    mat = Diff(0, 2, acc=4).matrix(50)
    assert mat.nnz <= 50 * 6
    assert repr(Diff(0, 2, acc=4)) == "Diff(axis=0, n=2, acc=4)"
    assert "periodic=True" in repr(Diff(1, periodic=True, dx=0.5))
