"""dfdx.numeric.jacobian(..., sparsity=S): colored directions, per-entry error estimates."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from dfdx import numeric


def _rhs(u):  # vectorized: u has shape (n, K)
    lap = np.concatenate([u[1:2] - u[:1], u[2:] - 2 * u[1:-1] + u[:-2], u[-2:-1] - u[-1:]])
    return lap + np.sin(u) * u[::-1]


def _exact(x):
    n = x.size
    lap = sp.diags_array([np.ones(n - 1), -2.0 * np.ones(n), np.ones(n - 1)], offsets=[-1, 0, 1])
    lap = lap.tolil()
    lap[0, 0] = lap[-1, -1] = -1.0
    J = lap.toarray()
    J[np.arange(n), np.arange(n)] += np.cos(x) * x[::-1]
    J[np.arange(n), np.arange(n)[::-1]] += np.sin(x)
    return J


@pytest.mark.parametrize("n", [7, 40])
def test_sparse_numeric_jacobian_is_within_its_error(n):
    x = np.linspace(-1.0, 2.0, n)
    J = _exact(x)
    S = J != 0
    res = numeric.jacobian(_rhs, x, sparsity=S)
    M = res.params["jacobian"]
    assert sp.issparse(M)
    assert M.format == "csr"
    assert M.shape == (n, n)
    assert res.df.shape == (np.count_nonzero(S),)
    true = np.abs(M.toarray() - J)[S]
    assert res.success.all()
    assert np.all(true <= np.maximum(res.error, 1e-15))
    assert np.max(true) < 1e-10
    dense = numeric.jacobian(_rhs, x)
    np.testing.assert_allclose(M.toarray(), dense.df, rtol=1e-9, atol=1e-11)


def test_evaluations_grow_with_colors_not_n():
    counts = []
    for n in (20, 400):
        x = np.linspace(0.1, 1.0, n)
        S = sp.diags_array([1.0, 1.0, 1.0], offsets=[-1, 0, 1], shape=(n, n))
        calls = []

        def f(u, calls=calls):
            calls.append(u.shape)
            return np.concatenate([u[:1], u[2:] - u[:-2], u[-1:]]) + u**3

        res = numeric.jacobian(f, x, sparsity=S)
        assert res.params["ncolors"] == 3
        # points evaluated, all batches together (a 1-D call is the one-point vectorisation check)
        counts.append(sum(s[1] if len(s) > 1 else 1 for s in calls))
    assert counts[1] <= counts[0] * 1.5


def test_failed_direction_is_flagged_per_entry():
    def f(u):
        return np.stack([np.sqrt(u[0]) + u[1], u[1] ** 2])  # sqrt: no derivative at 0

    S = np.array([[1, 1], [0, 1]])
    res = numeric.jacobian(f, [0.0, 1.0], sparsity=S)
    assert res.params["ncolors"] == 2
    assert res.df.shape == (3,)  # entries (0, 0), (0, 1), (1, 1)
    assert res.success.tolist() == [False, True, True]
    np.testing.assert_allclose(res.df[1:], [1.0, 2.0], rtol=1e-10)


def test_sparse_numeric_messages():
    with pytest.raises(ValueError, match="`sparsity` must have 3 columns"):
        numeric.jacobian(lambda u: u, np.ones(3), sparsity=np.eye(2))
    with pytest.raises(ValueError, match="`sparsity` must have 3 rows"):
        numeric.jacobian(lambda u: u, np.ones(3), sparsity=np.ones((2, 3)))


def test_a_pattern_missing_nonzeros_is_flagged():
    def f(u):
        return u * u[::-1]  # anti-diagonal entries besides the diagonal

    x = np.linspace(1.0, 2.0, 6)
    res = numeric.jacobian(f, x, sparsity=np.eye(6))
    assert not res.success.any()
    good = numeric.jacobian(f, x, sparsity=np.eye(6) + np.eye(6)[::-1])
    assert good.success.all()
    assert good.params["ncolors"] == 2
