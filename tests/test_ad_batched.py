"""jacobian(f, batched=True): one small Jacobian per point in one forward pass."""

from __future__ import annotations

import numpy as np
import pytest

from dfdx import ad


def _lorenz(u, sigma=10.0):
    x, y, z = u[0], u[1], u[2]
    return np.stack([sigma * (y - x), x * (28.0 - z) - y, x * y - 8.0 / 3.0 * z])


@pytest.mark.parametrize("points", [(5,), (2, 3), ()])
def test_batched_equals_one_jacobian_per_point(points):
    X = np.random.default_rng(0).normal(size=(3, *points))
    J = ad.jacobian(_lorenz, batched=True)(X)
    assert J.shape == (3, 3, *points)
    for p in np.ndindex(*points):
        ref = ad.jacobian(_lorenz)(X[(slice(None), *p)])
        np.testing.assert_array_equal(J[(slice(None), slice(None), *p)], ref)
    x, y, _ = X
    np.testing.assert_array_equal(J[1, 2], -x)
    np.testing.assert_array_equal(J[2, 0], y)


def test_batched_scalar_output_extra_args_and_constant():
    X = np.linspace(0.5, 2.0, 8).reshape(2, 4)
    G = ad.jacobian(lambda u, a: a * u[0] ** 2 * u[1], batched=True)(X, 3.0)
    assert G.shape == (2, 4)
    np.testing.assert_allclose(G[0], 6 * X[0] * X[1], rtol=1e-15)
    np.testing.assert_allclose(G[1], 3 * X[0] ** 2, rtol=1e-15)
    Z = ad.jacobian(lambda u: np.ones((2, 4)), batched=True)(X)
    assert Z.shape == (2, 2, 4)
    assert not Z.any()


def test_batched_messages():
    f = ad.jacobian(lambda u: u, batched=True)
    with pytest.raises(ValueError, match="got a scalar"):
        f(1.0)
    with pytest.raises(ValueError, match="must return shape"):
        ad.jacobian(lambda u: np.sum(u), batched=True)(np.ones((2, 3)))
    with pytest.raises(ValueError, match="`argnums` must be an int"):
        ad.jacobian(lambda u, v: u, argnums=(0, 1), batched=True)
    with pytest.raises(ValueError, match="`mode` must be 'auto' or 'forward'"):
        ad.jacobian(lambda u: u, mode="reverse", batched=True)
