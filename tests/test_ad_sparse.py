"""Sparse Jacobians and Hessians by AD: detected patterns, coloring, exact values."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from dfdx import ad
from dfdx._core.coloring import (
    as_pattern,
    check_coloring,
    color_columns,
    color_symmetric,
    symmetric_positions,
)


def _close(actual, desired):
    """A few ulp: matrix products may sum in another order than the dense reference."""
    scale = max(1.0, float(np.max(np.abs(desired), initial=0.0)))
    np.testing.assert_allclose(actual, desired, rtol=4e-16, atol=4e-16 * scale)


# ------------------------------------------------------------------ coloring
@settings(max_examples=60, deadline=None)
@given(
    m=st.integers(1, 30),
    n=st.integers(1, 30),
    density=st.floats(0.0, 0.6),
    seed=st.integers(0, 2**16),
    order=st.sampled_from(["best", "largest_first", "smallest_last", "natural", "random"]),
)
def test_coloring_is_valid_and_above_the_lower_bound(m, n, density, seed, order):
    S = np.random.default_rng(seed).random((m, n)) < density
    colors, k = color_columns(S, order=order)
    assert colors.shape == (n,)
    assert check_coloring(S, colors)
    assert colors.min() >= 0
    assert colors.max() == k - 1
    assert k >= S.sum(axis=1).max(initial=0)


@pytest.mark.parametrize("width", [1, 2, 3, 5, 8])
def test_banded_and_block_patterns_reach_the_lower_bound(width):
    n = 200
    band = sp.diags_array([np.ones(n - abs(k)) for k in range(width)], offsets=list(range(width)))
    block = sp.block_diag([np.ones((width, width))] * 40)
    for S in (band, block):
        colors, k = color_columns(S)
        assert check_coloring(S, colors)
        assert k == np.diff(sp.csr_array(S).indptr).max()


def test_greedy_reaches_lower_bound_on_a_permuted_band():
    # a permutation hides the band from the cyclic coloring: the greedy must do the work
    n = 300
    perm = np.random.default_rng(3).permutation(n)
    band = sp.csr_array(
        sp.diags_array([np.ones(n - 1), np.ones(n), np.ones(n - 1)], offsets=[-1, 0, 1])
    )
    S = band[:, perm]
    for order in ("best", "largest_first", "smallest_last", "natural"):
        colors, k = color_columns(S, order=order)
        assert check_coloring(S, colors)
        assert k <= 5


def test_smallest_last_on_a_long_path_stops_peeling():
    # a permuted band of 1200 columns takes 600 peeling rounds: beyond the cap
    n = 1200
    band = sp.csr_array(sp.diags_array([np.ones(n - 1), np.ones(n)], offsets=[-1, 0]))
    S = band[:, np.random.default_rng(5).permutation(n)]
    colors, k = color_columns(S, order="smallest_last")
    assert check_coloring(S, colors)
    assert k <= 4


def test_check_coloring_finds_a_clash():
    S = np.eye(4, dtype=bool)
    S[0, 1] = True
    assert not check_coloring(S, [0, 0, 1, 2])
    assert check_coloring(S, [0, 1, 0, 0])


def test_coloring_messages():
    with pytest.raises(ValueError, match="`order` must be one of"):
        color_columns(np.eye(2), order="smallest")
    with pytest.raises(ValueError, match="`sparsity` must be a 2-D array"):
        color_columns(np.ones(3))


# ------------------------------------------------------------------ patterns
def _random_function(m: int, n: int, density: float, seed: int):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(m, n)) * (rng.random((m, n)) < density)
    B = rng.normal(size=(m, n)) * (rng.random((m, n)) < density)
    pick = rng.integers(0, n, size=m)

    def f(x):
        return A @ np.sin(x) + x[pick] * (B @ x) + np.exp(x[pick]) * 0.5

    S = (A != 0) | (B != 0)
    S[np.arange(m), pick] = True
    return f, S


@settings(max_examples=40, deadline=None)
@given(
    m=st.integers(1, 12),
    n=st.integers(1, 12),
    density=st.floats(0.0, 0.5),
    seed=st.integers(0, 2**16),
)
def test_sparse_jacobian_equals_dense_on_random_structures(m, n, density, seed):
    f, S = _random_function(m, n, density, seed)
    x = np.random.default_rng(seed + 1).normal(size=n)
    P = ad.jacobian_sparsity(f)(x)
    assert P.dtype == bool
    assert P.shape == (m, n)
    np.testing.assert_array_equal(P.toarray(), S)
    dense = ad.jacobian(f)(x)
    for mode in ("auto", "forward", "reverse"):
        J = ad.sparse_jacobian(f, mode=mode)(x)
        assert sp.issparse(J)
        assert J.format == "csr"
        _close(J.toarray(), dense)
    assert not np.any(dense[~S])


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 12), density=st.floats(0.0, 0.5), seed=st.integers(0, 2**16))
def test_sparse_hessian_equals_dense_on_random_structures(n, density, seed):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n, n)) * (rng.random((n, n)) < density)
    pairs = rng.integers(0, n, size=(2, n))

    def f(x):
        return np.sum(np.cos(A @ x)) + np.sum(x[pairs[0]] * x[pairs[1]]) + np.sum(x**3)

    x = rng.normal(size=n)
    dense = ad.hessian(f)(x)
    P = ad.hessian_sparsity(f)(x).toarray()
    assert not np.any(dense[~P])
    np.testing.assert_array_equal(P, P.T)
    H = ad.sparse_hessian(f)(x)
    _close(H.toarray(), dense)


def _lap(u):
    return np.concatenate([u[:1], u[2:] - 2 * u[1:-1] + u[:-2], u[-1:]])


PATTERN_CASES = [
    # (function, input shape, expected pattern builder)
    (lambda x: np.sum(x), (5,), lambda n: np.ones((1, n), bool)),
    (lambda x: np.cumsum(x), (4,), lambda n: np.tril(np.ones((n, n), bool))),
    (lambda x: np.flip(x) ** 2, (5,), lambda n: np.eye(n, dtype=bool)[::-1]),
    (lambda x: np.floor(x) + 1.0, (3,), lambda n: np.zeros((n, n), bool)),
    (
        _lap,
        (6,),
        lambda n: (
            (np.abs(np.subtract.outer(np.arange(n), np.arange(n))) <= 1)
            & ~np.isin(np.arange(n), [0, n - 1])[:, None]
            | np.diag(np.isin(np.arange(n), [0, n - 1]))
        ),
    ),
    (
        lambda x: np.reshape(x, (2, 3)).T.ravel(),
        (6,),
        lambda n: np.eye(n, dtype=bool)[[0, 3, 1, 4, 2, 5]],
    ),
    (
        lambda x: np.sum(np.reshape(x, (2, 3)) ** 2, axis=0),
        (6,),
        lambda n: np.array([[1, 0, 0, 1, 0, 0], [0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 0, 1]], bool),
    ),
    (
        lambda x: np.prod(np.reshape(x, (3, 2)), axis=1),
        (6,),
        lambda n: np.kron(np.eye(3, dtype=bool), np.ones((1, 2), bool)),
    ),
    (
        lambda x: np.where(x > 0, x, 2 * x[::-1]),
        (3,),
        lambda n: np.eye(n, dtype=bool) | np.eye(n, dtype=bool)[::-1],
    ),
    (lambda x: np.linalg.inv(np.reshape(x, (2, 2))).ravel(), (4,), lambda n: np.ones((4, 4), bool)),
    (
        lambda x: np.max(np.reshape(x, (2, 2)), axis=1),
        (4,),
        lambda n: np.array([[1, 1, 0, 0], [0, 0, 1, 1]], bool),
    ),
]


@pytest.mark.parametrize("case", range(len(PATTERN_CASES)))
def test_jacobian_sparsity_cases(case):
    f, shape, expected = PATTERN_CASES[case]
    x = np.random.default_rng(case).normal(size=shape)
    P = ad.jacobian_sparsity(f)(x).toarray()
    np.testing.assert_array_equal(P, expected(x.size))
    dense = np.reshape(ad.jacobian(f)(x), P.shape)
    assert not np.any(dense[~P])


def test_setitem_and_index_add_patterns():
    def f(x):
        y = np.zeros_like(x)
        y[1:] = x[:-1] * 2
        y[0] = x[3]
        return y

    P = ad.jacobian_sparsity(f)(np.ones(4)).toarray()
    np.testing.assert_array_equal(P, np.eye(4, dtype=bool)[[3, 0, 1, 2]])
    g = ad.grad(lambda x: np.sum(x[[0, 0, 2]] ** 2))
    P = ad.jacobian_sparsity(g)(np.ones(3)).toarray()
    np.testing.assert_array_equal(P, np.diag([True, False, True]))


def test_rosenbrock_hessian_pattern_is_tridiagonal():
    def f(x):
        return np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)

    n = 7
    P = ad.hessian_sparsity(f)(np.ones(n)).toarray()
    tri = np.abs(np.subtract.outer(np.arange(n), np.arange(n))) <= 1
    np.testing.assert_array_equal(P, tri)
    H = ad.SparseHessian(f, np.zeros(n))
    assert H.ncolors == 3
    x = np.linspace(-1, 1, n)
    np.testing.assert_array_equal(H(x).toarray(), ad.hessian(f)(x))
    big = ad.SparseHessian(f, np.zeros(2000))
    for scale in (1e-8, 1.0, 1e8):
        big(np.random.default_rng(1).normal(size=2000) * scale)
    assert big.redetections == 0


def test_products_add_only_cross_pairs():
    P = ad.hessian_sparsity(lambda x: x[0] * x[1] + x[2] / 3.0 + np.abs(x[3]))(np.ones(4))
    np.testing.assert_array_equal(
        P.toarray(), np.array([[0, 1, 0, 0], [1, 0, 0, 0], [0] * 4, [0] * 4], bool)
    )


def test_matmul_with_a_constant_keeps_its_zeros():
    A = np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 3.0]])
    P = ad.jacobian_sparsity(lambda x: A @ x)(np.ones(3)).toarray()
    np.testing.assert_array_equal(P, A != 0)
    P = ad.jacobian_sparsity(lambda x: x @ A.T)(np.ones(3)).toarray()
    np.testing.assert_array_equal(P, A != 0)
    M = ad.jacobian_sparsity(lambda x: np.reshape(x, (2, 2)) @ np.reshape(x, (2, 2)))(np.ones(4))
    assert M.toarray().sum() == 12  # out[i, j] needs row i and column j: 3 entries each


# ------------------------------------------------------------------ reuse and modes
def test_reusable_jacobian_at_new_points_and_modes():
    def f(u):
        return _lap(u) + u**2

    n = 9
    J = ad.SparseJacobian(f, np.zeros(n))
    assert (J.mode, J.ncolors) == ("forward", 3)
    assert check_coloring(J.sparsity, J.colors)
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.normal(size=n)
        np.testing.assert_array_equal(J(x).toarray(), ad.jacobian(f)(x))
    assert J.redetections == 0  # the check of each evaluation raises no false alarm
    fast = ad.SparseJacobian(f, np.zeros(n), check=False)
    assert fast._seed_probe.shape == (3, n)
    np.testing.assert_array_equal(fast(x).toarray(), J(x).toarray())
    # a dense row: reverse mode needs fewer passes (one per row color)
    g = lambda x: np.concatenate([np.sum(x, keepdims=True) ** 2, x[1:] * 3])  # noqa: E731
    R = ad.SparseJacobian(g, np.ones(n))
    assert R.mode == "reverse"
    assert R.ncolors == 2
    x = rng.normal(size=n)
    np.testing.assert_array_equal(R(x).toarray(), ad.jacobian(g)(x))
    F = ad.SparseJacobian(g, np.ones(n), mode="forward")
    assert F.ncolors == n
    np.testing.assert_allclose(F(x).toarray(), ad.jacobian(g)(x), rtol=0, atol=0)


def test_given_sparsity_and_extra_arguments():
    def f(x, a, scale=1.0):
        return scale * a * x**2

    S = sp.eye_array(4)
    J = ad.sparse_jacobian(f, sparsity=S)(np.arange(4.0), 2.0, scale=3.0)
    np.testing.assert_array_equal(J.toarray(), np.diag(12.0 * np.arange(4.0)))


def test_two_dimensional_input_and_output():
    def f(X):
        return X[1:, :] * X[:-1, :]

    X = np.arange(1.0, 7.0).reshape(3, 2)
    J = ad.sparse_jacobian(f)(X)
    assert J.shape == (4, 6)
    np.testing.assert_array_equal(J.toarray(), ad.jacobian(f)(X).reshape(4, 6))


def test_constant_output():
    J = ad.sparse_jacobian(lambda x: np.ones(3))(np.ones(2))
    assert J.shape == (3, 2)
    assert J.nnz == 0
    assert ad.jacobian_sparsity(lambda x: np.ones(3))(np.ones(2)).nnz == 0


def test_messages():
    f = lambda x: x**2  # noqa: E731
    with pytest.raises(ValueError, match="`sparsity` must have 3 columns"):
        ad.SparseJacobian(f, np.ones(3), sparsity=np.eye(2))
    with pytest.raises(ValueError, match="`sparsity` must have 3 rows"):
        ad.sparse_jacobian(f, sparsity=np.ones((2, 3)))(np.ones(3))
    with pytest.raises(ValueError, match="`mode` must be one of"):
        ad.SparseJacobian(f, np.ones(3), mode="both")
    J = ad.SparseJacobian(f, np.ones(3))
    with pytest.raises(ValueError, match=r"`x` must have shape \(3,\)"):
        J(np.ones(4))
    with pytest.raises(ValueError, match="`f` must return a scalar"):
        ad.hessian_sparsity(f)(np.ones(3))
    with pytest.raises(ValueError, match=r"`sparsity` must have shape \(3, 3\)"):
        ad.SparseHessian(lambda x: np.sum(x), np.ones(3), sparsity=np.eye(2))
    H = ad.SparseHessian(lambda x: np.sum(x**4), np.ones(3))
    with pytest.raises(ValueError, match=r"`x` must have shape \(3,\)"):
        H(np.ones(2))
    with pytest.raises(TypeError, match="`f` must return one array"):
        ad.jacobian_sparsity(lambda x: (x, x))(np.ones(2))
    with pytest.raises(TypeError, match="`f` must return one array"):
        ad.SparseJacobian(lambda x: [x], np.ones(2), sparsity=np.eye(2))(np.ones(2))
    with pytest.raises(TypeError, match="`x` must be real"):
        ad.jacobian_sparsity(f)(np.ones(2, complex))


def test_untraceable_function_is_loud():
    import math

    with pytest.raises(ad.TracingError):
        ad.jacobian_sparsity(lambda x: math.sin(x[0]))(np.ones(2))


def test_hessian_pattern_through_factorisations():
    def f(x):
        w = np.linalg.eigvalsh(np.reshape(x[:4], (2, 2)) + np.reshape(x[:4], (2, 2)).T)
        return np.sum(w * np.array([1.0, 2.0])) + x[4]

    x = np.array([1.0, 0.3, -0.2, 2.0, 5.0])
    P = ad.hessian_sparsity(f)(x).toarray()
    dense = ad.hessian(f)(x)
    assert not np.any(dense[~P])
    assert P[:4, :4].all()
    assert not P[4].any()


# ------------------------------------------------------------------ star coloring
@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 40),
    density=st.floats(0.0, 0.3),
    hubs=st.integers(0, 3),
    seed=st.integers(0, 2**16),
)
def test_symmetric_coloring_recovers_every_entry(n, density, hubs, seed):
    rng = np.random.default_rng(seed)
    S = rng.random((n, n)) < density
    S[: min(hubs, n)] = True
    S = S | S.T | np.eye(n, dtype=bool)
    P = sp.csr_array(S)
    colors, k = color_symmetric(P)
    assert k <= color_columns(P)[1]
    pos = symmetric_positions(as_pattern(P), colors)  # raises unless a star coloring
    # recovery from exact products with a random symmetric matrix on the pattern
    H = np.triu(rng.normal(size=(n, n)) * S)
    H = H + np.triu(H, 1).T
    V = np.zeros((k, n))
    V[colors, np.arange(n)] = 1.0
    comp = (H @ V.T).T
    np.testing.assert_array_equal(comp.ravel()[pos], H[S])


def test_star_coloring_needs_two_colors_for_an_arrowhead():
    def f(x):
        return x[0] * np.sum(x[1:] ** 2) + np.sum(x**4)

    n = 30
    H = ad.SparseHessian(f, np.ones(n))
    assert H.ncolors == 2
    assert color_columns(H.sparsity)[1] == n
    x = np.linspace(-1, 1, n)
    _close(H(x).toarray(), ad.hessian(f)(x))


def test_symmetric_positions_rejects_a_bad_coloring():
    path = sp.csr_array(
        np.eye(4, dtype=bool) | np.eye(4, k=1, dtype=bool) | np.eye(4, k=-1, dtype=bool)
    )
    with pytest.raises(ValueError, match="not a star coloring"):
        symmetric_positions(path, np.array([0, 1, 0, 1]))


def test_user_primitive_named_like_a_builtin_is_conservative():
    from dfdx.ad import defjvp, defvjp, primitive

    weird = primitive(lambda x: np.cumsum(x[::-1]), name="sum")
    defjvp(weird, lambda t, ans, x: np.cumsum(np.flip(t, -1), axis=-1))
    defvjp(weird, lambda g, ans, x: np.flip(np.cumsum(np.flip(g)))[::-1])
    P = ad.jacobian_sparsity(lambda x: weird(x))(np.ones(3)).toarray()
    assert P.all()  # unknown primitive: everything depends on everything
    J = ad.sparse_jacobian(lambda x: weird(x))(np.arange(3.0))
    np.testing.assert_array_equal(J.toarray(), np.fliplr(np.tril(np.ones((3, 3)))))


def test_nearly_dense_row_keeps_memory_linear():
    # one row with all columns but one: the column intersection graph would be dense
    n = 1500
    first = np.delete(np.arange(n), 1)
    rows = np.concatenate([np.zeros(n - 1, dtype=np.int64), np.arange(1, n)])
    cols = np.concatenate([first, np.arange(1, n)])
    S = sp.csr_array((np.ones(rows.size, bool), (rows, cols)), shape=(n, n))
    colors, k = color_columns(S)
    assert check_coloring(S, colors)
    assert k == n  # the cyclic coloring (lower bound n - 1), without the n x n graph

    def f(x):
        return np.concatenate([np.sum(x[first]) ** 2 * np.ones(1), x[1:] * 2])

    J = ad.SparseJacobian(f, np.ones(n))
    assert (J.mode, J.ncolors) == ("reverse", 2)
    x = np.linspace(0, 1, n)
    np.testing.assert_allclose(J(x).toarray(), ad.jacobian(f)(x), rtol=1e-15, atol=0)


# ------------------------------------------------------------------ sweep of NumPy functions
def _setitem(x):
    y = np.concatenate([x, x[:2]])
    y[[1, 4]] = x[3] ** 2
    return y


_A = np.arange(12.0).reshape(3, 4) % 3
SWEEP = {
    "roll": lambda x: np.roll(x, 2) * x,
    "diff": lambda x: np.diff(x) ** 2,
    "diff2": lambda x: np.diff(x, n=2),
    "pad": lambda x: np.pad(x, 2) ** 2,
    "pad_edge": lambda x: np.pad(x, 1, mode="edge"),
    "dot": lambda x: np.dot(_A, x),
    "einsum": lambda x: np.einsum("ij,j->i", _A, x),
    "norm": lambda x: np.linalg.norm(x[:2]) + x,
    "take": lambda x: np.take(x, [0, 2, 2]),
    "clip": lambda x: np.clip(x, 0.2, 0.8),
    "sort": lambda x: np.sort(x),
    "maximum": lambda x: np.maximum(x, x[::-1]),
    "outer": lambda x: np.outer(x[:2], x[2:]).ravel(),
    "stack": lambda x: np.stack([x[:2], x[2:]]).ravel(),
    "hstack": lambda x: np.hstack([x[:1], x[3:] ** 2]),
    "tril": lambda x: np.tril(np.reshape(x, (2, 2))).ravel(),
    "cumprod": lambda x: np.cumprod(x),
    "mean_axis": lambda x: np.mean(np.reshape(x, (2, 2)), axis=1),
    "std": lambda x: np.std(x),
    "kron": lambda x: np.kron(x[:2], np.array([1.0, 0.0])),
    "trace": lambda x: np.trace(np.reshape(x, (2, 2))),
    "inv": lambda x: np.linalg.inv(np.reshape(x, (2, 2)) + 3 * np.eye(2)).ravel(),
    "solve": lambda x: np.linalg.solve(np.eye(2) * 3 + 0.1, x[:2]),
    "flip2d": lambda x: np.flip(np.reshape(x, (2, 2)), axis=0).ravel(),
    "matmul_3d": lambda x: (np.reshape(x, (1, 2, 2)) @ np.ones((2, 2))).ravel(),
    "repeat": lambda x: np.repeat(x, 2),
    "tile": lambda x: np.tile(x, 2),
    "interp": lambda x: np.interp(np.array([0.5, 1.5]), np.arange(4.0), x),
    "fft": lambda x: np.real(np.fft.fft(x)),
    "where": lambda x: np.where(x > 0.5, x**2, 0.0),
    "mask": lambda x: x[x > 0.5] * 2.0,
    "relu_mask": lambda x: (x > 0.5).astype(float) * x,
    "prod": lambda x: np.prod(x),
    "max_all": lambda x: np.max(x) * x,
    "setitem_adv": _setitem,
}


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_detected_pattern_covers_the_jacobian(name):
    f = SWEEP[name]
    for x in (np.array([0.3, 0.9, 0.6, 0.2]), np.array([0.7, -0.4, 0.55, 1.3])):
        P = ad.jacobian_sparsity(f)(x).toarray()
        J = np.reshape(ad.jacobian(f)(x), P.shape)
        assert not np.any((J != 0) & ~P)
        _close(ad.sparse_jacobian(f)(x).toarray(), J)
    # the mask-free functions keep their pattern from one point to another
    if name != "mask":
        x0, x1 = np.array([0.3, 0.9, 0.6, 0.2]), np.array([0.7, -0.4, 0.55, 1.3])
        S = ad.SparseJacobian(f, x0)
        _close(S(x1).toarray(), np.reshape(ad.jacobian(f)(x1), S.sparsity.shape))


# ------------------------------------------------------------------ stale patterns
def test_a_branch_with_new_nonzeros_is_detected_again():
    def f(x):
        return np.sort(x) ** 2  # the permutation depends on the values

    J = ad.SparseJacobian(f, np.array([1.0, 2.0, 3.0]))
    assert J.sparsity.nnz == 3
    x = np.array([3.0, 1.0, 2.0])
    np.testing.assert_array_equal(J(x).toarray(), ad.jacobian(f)(x))
    assert J.redetections == 1
    assert J.sparsity.nnz == 6  # both permutations
    J(x)
    assert J.redetections == 1

    def g(x):
        return np.sum(np.where(x > 0, x**3, x[::-1] * x))

    H = ad.SparseHessian(g, np.ones(4))
    x = np.array([1.0, -1.0, 2.0, 0.5])
    _close(H(x).toarray(), ad.hessian(g)(x))


def test_a_given_pattern_missing_nonzeros_is_an_error():
    f = lambda x: x * x[::-1]  # noqa: E731
    with pytest.raises(ValueError, match="`sparsity` misses structural nonzeros of the Jacobian"):
        ad.sparse_jacobian(f, sparsity=sp.eye_array(4))(np.arange(1.0, 5.0))
    with pytest.raises(ValueError, match="`sparsity` misses structural nonzeros of the Jacobian"):
        ad.sparse_jacobian(f, sparsity=sp.eye_array(4), mode="reverse")(np.arange(1.0, 5.0))
    h = lambda x: np.sum(x * x[::-1])  # noqa: E731
    with pytest.raises(ValueError, match="`sparsity` misses structural nonzeros of the Hessian"):
        ad.sparse_hessian(h, sparsity=sp.eye_array(4))(np.arange(1.0, 5.0))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_union_of_fixed_width_sets_equals_scipy_sum(wa, wb, n, seed):
    """The merged union of two sets with fixed row widths (disjoint, overlapping or nested
    rows) has the pattern of scipy's sum, sorted and without duplicates."""
    from dfdx.ad._sparsity import _csr, _union2

    rng = np.random.default_rng(seed)
    rows = 7
    n = max(n, wa, wb)

    def fixed(w):
        ids = np.sort(np.argsort(rng.random((rows, n)), axis=1)[:, :w], axis=1)
        return _csr(np.arange(rows + 1) * w, ids.ravel(), n)

    a, b = fixed(wa), fixed(wb)
    for x, y in ((a, b), (a, a[np.arange(rows)]), (b, a)):
        u = _union2(x, y)
        ref = sp.csr_array(x + y)
        ref.sort_indices()
        np.testing.assert_array_equal(u.toarray(), ref.toarray())
        np.testing.assert_array_equal(u.indptr, ref.indptr)  # no duplicate entries
        np.testing.assert_array_equal(u.indices, ref.indices)  # sorted within rows
