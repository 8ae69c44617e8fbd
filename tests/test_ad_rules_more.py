"""Rule tables of scipy.linalg, scipy.signal, more NumPy, real FFTs and scipy.special.

One row per rule: the traced value equals NumPy's/SciPy's, forward equals
reverse mode to a few ulp, both equal an independent reference at 1e-13:
complex step (holomorphic functions whose algorithms are holomorphic too),
exact linearity (``f(e_i) - f(0)`` for linear functions) or mpmath (40 digits).
"""

from __future__ import annotations

import inspect

import mpmath as mp
import numpy as np
import pytest
import scipy.linalg as sl
import scipy.signal as ss
import scipy.special as sc

from _ad_reference import check_row, cstep_jac, linear_jac, mp_jac
from dfdx import ad
from dfdx.ad import TracingError

RNG = np.random.default_rng(11)
A = RNG.normal(size=(3, 3)) + 3 * np.eye(3)
S = A @ A.T
B = RNG.normal(size=(3, 2))
BV = RNG.normal(size=3)
Q = RNG.normal(size=(3, 2))
B2 = RNG.normal(size=(2, 2)) + 3 * np.eye(2)
AB = RNG.normal(size=(4, 4)) + np.array([[0.0], [0.0], [5.0], [0.0]])  # (l, u) = (1, 2)
X6 = RNG.normal(size=6)
X23 = RNG.normal(size=(2, 3))
M = RNG.normal(size=(5, 3))
Y5 = RNG.normal(size=5)


def _mpm(a):
    return mp.matrix([[a[i][j] for j in range(len(a[0]))] for i in range(len(a))])


def _rows(q, n, m):
    return [[q[i * m + j] for j in range(m)] for i in range(n)]


def _flatten(mat):
    return [mat[i, j] for i in range(mat.rows) for j in range(mat.cols)]


def _sym_upper(a):
    return np.triu(a) + np.triu(a, 1).T


def _mp_cho_factor(q):
    a = _rows(q, 3, 3)
    low = mp.cholesky(_mpm([[a[min(i, j)][max(i, j)] for j in range(3)] for i in range(3)]))
    return [low[j, i] if j >= i else a[i][j] for i in range(3) for j in range(3)]


def _mp_sylvester(a, b, q):
    """Solve a x + x b = q through the Kronecker system (row-major vec)."""
    n, m = len(a), len(b)
    k = mp.matrix(n * m, n * m)
    for i in range(n):
        for j in range(m):
            for r in range(n):
                k[i * m + j, r * m + j] += a[i][r]
            for c in range(m):
                k[i * m + j, i * m + c] += b[c][j]
    return list(mp.lu_solve(k, mp.matrix([q[i][j] for i in range(n) for j in range(m)])))


def _eig_order(a):
    """mpmath's eigenvalues reordered like NumPy's at ``a``, and NumPy's eigenvectors."""
    w, v = np.linalg.eig(a)
    e, _ = mp.eig(_mpm(a.tolist()))
    order = [int(np.argmin([abs(complex(x) - wi) for x in e])) for wi in w]
    return order, v


def _mp_eig(a0, vectors):
    order, v0 = _eig_order(a0)

    def fmp(q):
        e, er = mp.eig(_mpm(_rows(q, 3, 3)))
        out = [e[k] for k in order]
        if not vectors:
            return [mp.re(x) for x in out] + [mp.im(x) for x in out]
        if vectors:
            for col, k in enumerate(order):
                vec = [er[i, k] for i in range(3)]
                norm = mp.sqrt(mp.fsum(abs(x) ** 2 for x in vec))
                big = int(np.argmax(np.abs(v0[:, col])))
                phase = vec[big] / abs(vec[big]) * np.sign(v0[big, col].real)
                vec = [x / norm / phase for x in vec]
                out += vec
        w = out[:3]
        vs = out[3:]
        vm = [vs[c * 3 + i] for i in range(3) for c in range(3)]  # row-major V
        return [mp.re(x) for x in w + vm] + [mp.im(x) for x in w + vm]

    return fmp


def _eig_flat(f):
    def g(a):
        r = f(a)
        parts = r if isinstance(r, tuple) else (r,)
        re = [np.ravel(np.real(p)) for p in parts]
        im = [np.ravel(np.imag(p)) for p in parts]
        return np.concatenate(re + im)

    return g


ANR = np.array([[2.0, 1.0, 0.5], [-1.0, 1.5, 0.3], [0.2, 0.4, -1.0]])  # a complex pair
AR = np.array([[3.0, 1.0, 0.2], [0.5, 2.0, 0.1], [0.3, 0.2, 1.0]])  # real eigenvalues

# name, function, point, reference Jacobian (a function of the point)
LINALG = [
    ("solve_a", lambda a: sl.solve(a, B), A, lambda p: cstep_jac(lambda a: sl.solve(a, B), p)),
    ("solve_b", lambda b: sl.solve(A, b), BV, lambda p: linear_jac(lambda b: sl.solve(A, b), p)),
    (
        "solve_sym",
        lambda a: sl.solve(a, B, assume_a="sym"),
        S,
        lambda p: cstep_jac(lambda a: sl.solve(a, B, assume_a="sym"), p),
    ),
    (
        "solve_pos_lower",
        lambda a: sl.solve(a, B, assume_a="pos", lower=True),
        S,
        lambda p: cstep_jac(lambda a: sl.solve(np.tril(a) + np.tril(a, -1).T, B), p),
    ),
    (
        "solve_transposed",
        lambda a: sl.solve(a, BV, transposed=True),
        A,
        lambda p: cstep_jac(lambda a: sl.solve(a.T, BV), p),
    ),
    (
        "solve_triangular",
        lambda a: sl.solve_triangular(a, B, lower=True),
        A,
        lambda p: cstep_jac(lambda a: sl.solve_triangular(a, B, lower=True), p),
    ),
    (
        "solve_triangular_trans_unit",
        lambda a: sl.solve_triangular(a, BV, trans=1, unit_diagonal=True),
        A,
        lambda p: cstep_jac(lambda a: sl.solve_triangular(a, BV, trans=1, unit_diagonal=True), p),
    ),
    (
        "cho_factor",
        lambda a: sl.cho_factor(a)[0],
        S,
        lambda p: mp_jac(_mp_cho_factor, p),
    ),
    (
        "cho_solve",
        lambda a: sl.cho_solve(sl.cho_factor(a), B),
        S,
        lambda p: cstep_jac(lambda a: sl.solve(_sym_upper(a), B), p),
    ),
    (
        "cho_solve_lower",
        lambda a: sl.cho_solve(sl.cho_factor(a, lower=True), BV),
        S,
        lambda p: cstep_jac(lambda a: sl.solve(np.tril(a) + np.tril(a, -1).T, BV), p),
    ),
    (
        "lu_factor",
        lambda a: sl.lu_factor(a)[0],
        A.T,
        lambda p: cstep_jac(lambda a: sl.lu_factor(a)[0], p),
    ),
    (
        "lu_solve",
        lambda a: sl.lu_solve(sl.lu_factor(a), B),
        A.T,
        lambda p: cstep_jac(lambda a: sl.solve(a, B), p),
    ),
    (
        "lu_solve_trans",
        lambda a: sl.lu_solve(sl.lu_factor(a), BV, trans=1),
        A.T,
        lambda p: cstep_jac(lambda a: sl.solve(a.T, BV), p),
    ),
    ("expm", lambda a: sl.expm(a / 3), A, lambda p: cstep_jac(lambda a: sl.expm(a / 3), p)),
    (
        "sqrtm",
        lambda a: sl.sqrtm(a),
        S,
        lambda p: mp_jac(lambda q: _flatten(mp.sqrtm(_mpm(_rows(q, 3, 3)))), p),
    ),
    (
        "solve_sylvester_a",
        lambda a: sl.solve_sylvester(a, B2, Q),
        A,
        lambda p: mp_jac(lambda q: _mp_sylvester(_rows(q, 3, 3), B2.tolist(), Q.tolist()), p),
    ),
    (
        "solve_sylvester_b",
        lambda b: sl.solve_sylvester(A, b, Q),
        B2,
        lambda p: mp_jac(lambda q: _mp_sylvester(A.tolist(), _rows(q, 2, 2), Q.tolist()), p),
    ),
    (
        "solve_sylvester_q",
        lambda q: sl.solve_sylvester(A, B2, q),
        Q,
        lambda p: linear_jac(lambda q: sl.solve_sylvester(A, B2, q), p),
    ),
    (
        "solve_banded",
        lambda ab: sl.solve_banded((1, 2), ab, BV[:4] if BV.size >= 4 else np.r_[BV, 1.0]),
        AB,
        lambda p: cstep_jac(lambda ab: sl.solve_banded((1, 2), ab, np.r_[BV, 1.0]), p),
    ),
    (
        "block_diag",
        lambda a: sl.block_diag(a, 2.0, a[0], a[:2, :1]),
        A,
        lambda p: linear_jac(lambda a: sl.block_diag(a, 0.0, a[0], a[:2, :1]), p),
    ),
    ("inv", lambda a: sl.inv(a), A, lambda p: cstep_jac(sl.inv, p)),
    ("det", lambda a: sl.det(a), A, lambda p: cstep_jac(sl.det, p)),
    (
        "np.linalg.eig_pair",
        _eig_flat(np.linalg.eig),
        ANR,
        lambda p: mp_jac(_mp_eig(ANR, True), p),
    ),
    ("np.linalg.eig_real", _eig_flat(np.linalg.eig), AR, lambda p: mp_jac(_mp_eig(AR, True), p)),
    (
        "np.linalg.eigvals",
        _eig_flat(np.linalg.eigvals),
        ANR,
        lambda p: mp_jac(_mp_eig(ANR, False), p),
    ),
    (
        "np.linalg.lstsq_x",
        lambda m: np.linalg.lstsq(m, Y5)[0],
        M,
        lambda p: mp_jac(lambda q: list(mp.qr_solve(_mpm(_rows(q, 5, 3)), mp.matrix(Y5))[0]), p),
    ),
    (
        "np.linalg.lstsq_residuals",
        lambda m: np.linalg.lstsq(m, Y5)[1],
        M,
        lambda p: mp_jac(lambda q: [mp.qr_solve(_mpm(_rows(q, 5, 3)), mp.matrix(Y5))[1] ** 2], p),
    ),
    (
        "np.linalg.matrix_power",
        lambda a: np.linalg.matrix_power(a, 3),
        A,
        lambda p: cstep_jac(lambda a: np.linalg.matrix_power(a, 3), p),
    ),
]


def _mp_chol(q, lower):
    a = _rows(q, 3, 3)
    pick = (
        (lambda i, j: a[max(i, j)][min(i, j)]) if lower else (lambda i, j: a[min(i, j)][max(i, j)])
    )
    low = mp.cholesky(_mpm([[pick(i, j) for j in range(3)] for i in range(3)]))
    return [low[i, j] if lower else low[j, i] for i in range(3) for j in range(3)]


def _mp_eigvalsh_upper(q):
    a = _rows(q, 3, 3)
    e, _ = mp.eigsy(_mpm([[a[min(i, j)][max(i, j)] for j in range(3)] for i in range(3)]))
    return sorted(e[i] for i in range(3))


def _mp_qr(m0):
    _, r0 = np.linalg.qr(m0)

    def fmp(q):
        qm, rm = mp.qr(_mpm(_rows(q, 5, 3)), mode="skinny")
        signs = [np.sign(r0[i, i]) * mp.sign(rm[i, i]) for i in range(3)]
        qs = [qm[i, j] * signs[j] for i in range(5) for j in range(3)]
        rs = [rm[i, j] * signs[i] for i in range(3) for j in range(3)]
        return qs + rs

    return fmp


def _mp_pinv(q):
    m = _mpm(_rows(q, 5, 3))
    return _flatten(mp.inverse(m.T * m) * m.T)


_U, _S, _VH = np.linalg.svd(M, full_matrices=False)

DECOMP = [
    ("cholesky", lambda a: sl.cholesky(a), S, lambda p: mp_jac(lambda q: _mp_chol(q, False), p)),
    (
        "cholesky_lower",
        lambda a: sl.cholesky(a, lower=True),
        S,
        lambda p: mp_jac(lambda q: _mp_chol(q, True), p),
    ),
    (
        "eigvalsh_upper",
        lambda a: sl.eigh(a, lower=False, eigvals_only=True),
        S,
        lambda p: mp_jac(_mp_eigvalsh_upper, p),
    ),
    (
        "svdvals",
        lambda a: sl.svdvals(a),
        M,
        lambda p: mp_jac(lambda q: list(mp.svd_r(_mpm(_rows(q, 5, 3)), compute_uv=False)), p),
    ),
    (
        "qr_economic",
        lambda a: np.concatenate([np.ravel(x) for x in sl.qr(a, mode="economic")]),
        M,
        lambda p: mp_jac(_mp_qr(M), p),
    ),
    (
        "lu",
        lambda a: np.concatenate([np.ravel(x) for x in sl.lu(a)[1:]]),
        A.T,
        lambda p: cstep_jac(lambda a: np.concatenate([np.ravel(x) for x in sl.lu(a)[1:]]), p),
    ),
    ("pinv", lambda a: sl.pinv(a), M, lambda p: mp_jac(_mp_pinv, p)),
    ("norm_fro", lambda a: sl.norm(a), M, lambda p: np.ravel(p) / np.linalg.norm(p)),
    ("norm_2", lambda a: sl.norm(a, 2), M, lambda p: np.ravel(np.outer(_U[:, 0], _VH[0]))),
    (
        "lstsq",
        lambda m: sl.lstsq(m, Y5)[0],
        M,
        lambda p: mp_jac(lambda q: list(mp.qr_solve(_mpm(_rows(q, 5, 3)), mp.matrix(Y5))[0]), p),
    ),
]


@pytest.mark.parametrize(("name", "f", "p", "ref"), DECOMP, ids=[r[0] for r in DECOMP])
def test_decompositions(name, f, p, ref):
    check_row(f, p, ref(p))


@pytest.mark.parametrize(("name", "f", "p", "ref"), LINALG, ids=[r[0] for r in LINALG])
def test_linalg(name, f, p, ref):
    check_row(f, p, ref(p))


K3 = np.array([1.0, -2.0, 0.5])
K23 = np.array([[1.0, 0.5, -1.0], [0.3, 2.0, 1.0]])
X45 = RNG.normal(size=(4, 5))
XS = np.cumsum(RNG.uniform(0.5, 1.0, size=6))
NANS = np.array([0.0, np.nan, np.inf, 0.0, -np.inf, 0.0])

# name, function, point; the reference is exact linearity (these are linear or affine)
LINEAR = [
    ("np.convolve_full", lambda x: np.convolve(x, K3), X6),
    ("np.convolve_same", lambda x: np.convolve(x, K3, "same"), X6),
    ("np.convolve_valid", lambda x: np.convolve(K3, x, "valid"), X6),
    ("np.convolve_v", lambda v: np.convolve(X6, v, "same"), K3),
    ("signal.convolve_full", lambda x: ss.convolve(x, K23), X45),
    ("signal.convolve_same", lambda x: ss.convolve(x, K23, "same"), X45),
    ("signal.convolve_valid", lambda x: ss.convolve(x, K23, "valid"), X45),
    ("signal.convolve_kernel", lambda k: ss.convolve(X45, k, "same", method="direct"), K23),
    ("signal.fftconvolve", lambda x: ss.fftconvolve(x, K23, "same"), X45),
    ("linspace", lambda p: np.linspace(p[0], p[1], 7), X6[:2]),
    ("linspace_arrays", lambda p: np.linspace(p[:2], p[2:4], 4, endpoint=False, axis=1), X6[:4]),
    ("real_if_close", lambda x: np.real_if_close(x + 0j), X6),
    ("gradient", lambda x: np.gradient(x), X6),
    ("gradient_step_order2", lambda x: np.gradient(x, 0.3, edge_order=2), X6),
    ("gradient_coords", lambda x: np.gradient(x, XS), X6),
    ("gradient_coords_order2", lambda x: np.gradient(x, XS, edge_order=2), X6),
    ("gradient_2d", lambda x: np.stack(np.gradient(x, 0.5, XS[:5])), X45),
    ("rfft", lambda x: np.fft.rfft(x), X6),
    ("rfft_odd_ortho", lambda x: np.fft.rfft(x[:5], norm="ortho"), X6),
    ("rfft_pad", lambda x: np.fft.rfft(x, n=9), X6),
    ("rfft_crop_forward", lambda x: np.fft.rfft(x, 4, norm="forward"), X6),
    ("rfft2", lambda x: np.fft.rfft2(x), X45),
    ("rfftn_s", lambda x: np.fft.rfftn(x, s=(3, 8), axes=(0, 1)), X45),
    ("rfft_axis0", lambda x: np.fft.rfft(x, axis=0), X45),
    ("irfft", lambda p: np.fft.irfft(p[:4] + 1j * p[2:]), X6),
    ("irfft_n_odd", lambda p: np.fft.irfft(p[:4] + 1j * p[2:], n=7, norm="ortho"), X6),
    ("irfft_n_crop", lambda p: np.fft.irfft(p[:4] + 1j * p[2:], n=5, norm="forward"), X6),
    ("irfft2", lambda x: np.fft.irfft2(x + 1j * x[::-1]), X45),
    ("irfftn_s", lambda x: np.fft.irfftn(x + 1j * x[::-1], s=(5, 7), axes=(0, 1)), X45),
    ("fft_pad", lambda x: np.fft.fft(x, n=8), X6),
    ("ifft_crop", lambda x: np.fft.ifft(x, 4, norm="ortho"), X6),
    ("fft2_s", lambda x: np.fft.fft2(x, s=(5, 3)), X45),
    ("ifftn_s", lambda x: np.fft.ifftn(x, s=(2, 8), axes=(0, 1)), X45),
]


@pytest.mark.parametrize(("name", "f", "p"), LINEAR, ids=[r[0] for r in LINEAR])
def test_linear(name, f, p):
    check_row(f, p, linear_jac(f, p))


def _angle_ref(p):
    x, y = p[:3], p[3:]
    r2 = x**2 + y**2
    return np.hstack([np.diag(-y / r2), np.diag(x / r2)]) * 180 / np.pi


def _partition_kth(x):
    """The k-th smallest value and the sum of the smaller ones (unique, unlike their order)."""
    part = np.partition(x, 2)
    return np.stack([part[2], np.sum(part[:2])])


def _partition_ref(p):
    order = np.argsort(p)
    ref = np.zeros((2, p.size))
    ref[0, order[2]] = 1.0
    ref[1, order[:2]] = 1.0
    return ref


# name, function, point, reference Jacobian
OTHER = [
    (
        "partition",
        _partition_kth,
        X6,
        _partition_ref,
    ),
    (
        "einsum_interleaved",
        lambda a: np.einsum(a, [0, 1], a, [1, 2], [0, 2]),
        A,
        lambda p: cstep_jac(lambda a: a @ a, p),
    ),
    (
        "einsum_interleaved_ellipsis",
        lambda a: np.einsum(a, [Ellipsis, 1], A, [1, 2]),
        A,
        lambda p: linear_jac(lambda a: a @ A, p),
    ),
    (
        "nan_to_num",
        lambda x: np.nan_to_num(x + NANS),
        X6,
        lambda p: np.diag(np.isfinite(NANS) * 1.0),
    ),
    ("angle_deg", lambda p: np.angle(p[:3] + 1j * p[3:], deg=True), X6, _angle_ref),
    (
        "special.betainc",
        lambda x: sc.betainc(2.5, 1.5, x),
        np.array([0.2, 0.5, 0.8]),
        lambda p: mp_jac(lambda q: [mp.betainc(2.5, 1.5, 0, v, regularized=True) for v in q], p),
    ),
    (
        "special.betaincc",
        lambda x: sc.betaincc(0.7, 3.0, x),
        np.array([0.2, 0.5, 0.8]),
        lambda p: mp_jac(lambda q: [mp.betainc(0.7, 3.0, v, 1, regularized=True) for v in q], p),
    ),
    (
        "special.yn",
        lambda x: sc.yn(2, x),
        np.array([0.7, 2.0, 5.5]),
        lambda p: mp_jac(lambda q: [mp.bessely(2, v) for v in q], p),
    ),
    (
        "special.polygamma",
        lambda x: sc.polygamma(2, x),
        np.array([0.7, 2.0, 5.5]),
        lambda p: mp_jac(lambda q: [mp.psi(2, v) for v in q], p),
    ),
    (
        "special.multigammaln",
        lambda x: sc.multigammaln(x, 3),
        np.array([1.7, 2.0, 5.5]),
        lambda p: mp_jac(
            lambda q: [
                3 * mp.log(mp.pi) / 2 + mp.fsum(mp.loggamma(v - j / 2) for j in range(3)) for v in q
            ],
            p,
        ),
    ),
    (
        "special.gammasgn",
        lambda x: sc.gammasgn(x),
        np.array([-1.5, 0.5, 2.0]),
        lambda p: np.zeros((3, 3)),
    ),
]


P3 = np.array([0.3, 0.7, 1.6])


def _mpv(fn):
    """mp_jac of an elementwise mpmath function."""
    return lambda p: mp_jac(lambda q: [fn(v) for v in q], p)


OTHER += [
    ("special.binom_n", lambda n: sc.binom(n, 2.5), P3 + 4, _mpv(lambda n: mp.binomial(n, 2.5))),
    ("special.binom_k", lambda k: sc.binom(6.3, k), P3 + 1, _mpv(lambda k: mp.binomial(6.3, k))),
    (
        "special.hyp2f1",
        lambda z: sc.hyp2f1(1.5, 0.7, 2.2, z),
        np.array([0.1, 0.4, -0.6]),
        _mpv(lambda z: mp.hyp2f1(1.5, 0.7, 2.2, z)),
    ),
    (
        "special.hyp1f1",
        lambda x: sc.hyp1f1(1.5, 0.7, x),
        P3,
        _mpv(lambda x: mp.hyp1f1(1.5, 0.7, x)),
    ),
    (
        "special.huber",
        lambda r: sc.huber(1.0, r),
        np.array([-2.0, 0.3, 1.5]),
        lambda p: np.diag(np.where(np.abs(p) <= 1, p, np.sign(p))),
    ),
    (
        "special.pseudo_huber",
        lambda p: sc.pseudo_huber(p[0], p[1:]),
        np.array([0.8, -2.0, 0.3, 1.5]),
        lambda p: mp_jac(
            lambda q: [q[0] ** 2 * (mp.sqrt(1 + (r / q[0]) ** 2) - 1) for r in q[1:]], p
        ),
    ),
    (
        "special.boxcox1p",
        lambda x: sc.boxcox1p(x, 0.4),
        P3,
        _mpv(lambda x: ((1 + x) ** 0.4 - 1) / 0.4),
    ),
    (
        "special.inv_boxcox",
        lambda y: sc.inv_boxcox(y, 0.4),
        P3,
        _mpv(lambda y: (1 + 0.4 * y) ** 2.5),
    ),
    (
        "special.inv_boxcox1p",
        lambda y: sc.inv_boxcox1p(y, 0.4),
        P3,
        _mpv(lambda y: (1 + 0.4 * y) ** 2.5 - 1),
    ),
    (
        "special.ndtri_exp",
        lambda y: sc.ndtri_exp(y),
        -P3,
        lambda p: np.diag([float(mp.ncdf(v) / mp.npdf(v)) for v in sc.ndtri_exp(p)]),
    ),
    ("special.zeta_q", lambda q: sc.zeta(3.0, q), P3 + 0.2, _mpv(lambda q: mp.zeta(3, q))),
]


@pytest.mark.parametrize(("name", "f", "p", "ref"), OTHER, ids=[r[0] for r in OTHER])
def test_other(name, f, p, ref):
    check_row(f, p, ref(p))


# second order: the Hessian (forward over reverse) equals reverse mode applied to jvp
SECOND = [
    ("expm", lambda a: np.sum(sl.expm(a / 3) ** 2), A),
    ("sqrtm", lambda a: np.sum(sl.sqrtm(a) ** 3), S),
    ("lu_solve", lambda a: np.sum(sl.lu_solve(sl.lu_factor(a), B) ** 2), A.T),
    ("cho_solve", lambda a: np.sum(sl.cho_solve(sl.cho_factor(a), B) ** 2), S),
    ("eigvals", lambda a: np.sum(np.abs(np.linalg.eigvals(a)) ** 2), ANR),
    ("rfft", lambda x: np.sum(np.abs(np.fft.rfft(x, n=8)) ** 2 * np.arange(5)), X6),
    ("convolve", lambda x: np.sum(np.convolve(x, x[:3]) ** 2), X6),
]


@pytest.mark.parametrize(("name", "f", "p"), SECOND, ids=[r[0] for r in SECOND])
def test_second_order(name, f, p):
    h = np.reshape(ad.hessian(f)(p), (p.size, p.size))
    g = ad.grad(f)
    cols = [np.ravel(ad.jvp(g, (p,), (e,))[1]) for e in np.eye(p.size).reshape(p.size, *p.shape)]
    fwd = np.stack(cols, axis=-1)
    scale = np.max(np.abs(h))
    assert np.max(np.abs(h - fwd)) <= 1e-13 * scale
    assert np.max(np.abs(h - h.T)) <= 1e-13 * scale


@pytest.mark.parametrize(
    ("f", "match"),
    [
        (lambda a: sl.lu_factor(a[:2]), r"lu_factor: the derivative needs a square"),
        (lambda a: sl.eigh(a, a), r"scipy\.linalg\.eigh\(b=\.\.\., subset"),
        (lambda a: sl.qr(a[:, :2]), r"scipy\.linalg\.qr\(mode='full'"),
        (lambda a: sl.svd(a[:, :2]), r"scipy\.linalg\.svd\(full_matrices=True"),
        (lambda a: sc.polygamma(a[0, 0], 1.0), r"polygamma: .* the order n"),
        (lambda a: sc.betainc(a[0, 0], 1.0, 0.5), r"betainc has no reverse rule for argument 0"),
        (lambda a: ss.fftconvolve(a, a, axes=0), r"fftconvolve with axes"),
        (lambda a: np.partition(a.ravel(), 1, order="x"), r"np\.partition\(\.\.\., order=\.\.\.\)"),
        (lambda a: np.linspace(a[0, 0], 1.0, 3, dtype=int), r"np\.linspace with an integer dtype"),
        (lambda a: np.gradient(a[0], a[1]), r"np\.gradient: the spacing"),
        (lambda a: np.fft.hfft(a[0]), r"numpy\.fft\.hfft has no derivative rule"),
        (lambda a: np.quantile(a, 0.5, method="nearest"), r"np\.quantile .* method='linear' only"),
        (lambda a: np.cov(a, aweights=a[0]), r"np\.cov: the weights carry no derivative"),
        (lambda a: sc.zeta(a, 2.0), r"scipy\.special\.zeta: .* x"),
    ],
)
def test_no_rule_is_loud(f, match):
    with pytest.raises(TracingError, match=match):
        ad.grad(lambda a: np.sum(np.real(f(a))))(A)


def test_bad_arguments_raise_as_numpy_and_scipy_do():
    with pytest.raises(ValueError, match="assume_a="):
        ad.grad(lambda a: np.sum(sl.solve(a, BV, assume_a="nonsense")))(A)
    with pytest.raises(ValueError, match="trans must be"):
        ad.grad(lambda a: np.sum(sl.solve_triangular(a, BV, trans=7)))(A)
    with pytest.raises(ValueError, match="Invalid number of FFT data points"):
        ad.grad(lambda x: np.sum(np.abs(np.fft.fft(x, n=0))))(X6)
    with pytest.raises(ValueError, match="acceptable mode flags"):
        ad.grad(lambda x: np.sum(np.convolve(x, K3, mode="wide")))(X6)
    with pytest.raises(ValueError, match="'edge_order' greater than 2"):
        ad.grad(lambda x: np.sum(np.gradient(x, edge_order=3)))(X6)
    with pytest.raises(ValueError, match="positive definite"):
        ad.grad(lambda a: np.sum(sl.cho_factor(a)[0]))(-S)


def test_hooked_functions_behave_as_scipy_on_plain_input():
    from dfdx.ad._hooks import ORIGINALS

    for name in ("solve", "solve_triangular", "cho_factor", "lu_factor", "expm", "sqrtm"):
        fn = getattr(sl, name)
        assert ORIGINALS[f"scipy.linalg.{name}"].__code__ is not fn.__code__
        assert fn.__name__ == name
    np.testing.assert_array_equal(sl.solve(A, B), ORIGINALS["scipy.linalg.solve"](A, B))
    np.testing.assert_array_equal(
        sl.solve_triangular(A, B, lower=True),
        ORIGINALS["scipy.linalg.solve_triangular"](A, B, lower=True),
    )
    assert "lower" in str(inspect.signature(sl.solve))
    with pytest.raises(np.linalg.LinAlgError):
        sl.solve(np.zeros((2, 2)), np.ones(2))
    # batched input still goes through SciPy's batching decorator
    assert sl.solve_triangular(np.stack([A, A]), BV, lower=True).shape == (2, 3)


def test_full_like_with_keywords():
    # SciPy writes np.full_like(a, fill_value=..., dtype=...) (truncnorm's normalisation)
    g = ad.grad(lambda x: np.sum(np.full_like(x, fill_value=2.0, dtype=float) * x))(X6)
    np.testing.assert_array_equal(g, np.full(6, 2.0))


X36 = RNG.normal(size=(3, 6))
NAN7 = np.where(np.arange(7) % 3 == 1, np.nan, 0.0)  # added to the data: NaN at 1 and 4
X7 = RNG.normal(size=7)
AW = RNG.uniform(0.5, 1.0, size=6)


def _mp_cov(q, rows, cols, ddof=1, w=None):
    x = _rows(q, rows, cols)
    w = [1] * cols if w is None else [mp.mpf(float(v)) for v in w]
    sw = mp.fsum(w)
    avg = [mp.fsum(w[j] * x[i][j] for j in range(cols)) / sw for i in range(rows)]
    fact = sw - ddof
    return [
        mp.fsum(w[k] * (x[i][k] - avg[i]) * (x[j][k] - avg[j]) for k in range(cols)) / fact
        for i in range(rows)
        for j in range(rows)
    ]


def _mp_corr(q):
    c = _mp_cov(q, 3, 6)
    return [c[3 * i + j] / mp.sqrt(c[4 * i] * c[4 * j]) for i in range(3) for j in range(3)]


def _quantile_ref(x, qs):
    order = np.argsort(x)
    ref = np.zeros((len(qs), x.size))
    for k, q in enumerate(qs):
        v = q * (x.size - 1)
        lo = int(np.floor(v))
        hi = min(lo + 1, x.size - 1)
        ref[k, order[lo]] += 1 - (v - lo)
        ref[k, order[hi]] += v - lo
    return ref


def _nan_ref(name, x):
    ok = ~np.isnan(x + NAN7)
    xs = np.where(ok, x, 0.0)
    n = ok.sum()
    if name == "nanmax":
        return np.eye(x.size)[np.argmax(np.where(ok, x, -np.inf))][None]
    if name == "nanprod":
        return (np.prod(xs[ok]) / np.where(ok, x, 1.0) * ok)[None]
    if name == "nancumsum":
        return np.tril(np.ones((x.size, x.size))) * ok
    dvar = 2 * (xs - xs.sum() / n) * ok / (n - 1)
    if name == "nanvar":
        return dvar[None]
    std = np.sqrt(np.sum((xs - xs.sum() / n) ** 2 * ok) / (n - 1))
    return (dvar / (2 * std))[None]


STATS = [
    ("np.cov", lambda x: np.cov(x), X36, lambda p: mp_jac(lambda q: _mp_cov(q, 3, 6), p)),
    (
        "np.cov_weights",
        lambda x: np.cov(x, fweights=[1, 2, 1, 3, 1, 1]),
        X36,
        lambda p: mp_jac(lambda q: _mp_cov(q, 3, 6, w=[1, 2, 1, 3, 1, 1]), p),
    ),
    (
        "np.cov_rowvar_bias",
        lambda x: np.cov(x.reshape(6, 3), rowvar=False, bias=True),
        X36,
        lambda p: mp_jac(
            lambda q: _mp_cov([q[3 * j + i] for i in range(3) for j in range(6)], 3, 6, ddof=0),
            p,
        ),
    ),
    ("np.corrcoef", lambda x: np.corrcoef(x), X36, lambda p: mp_jac(_mp_corr, p)),
    (
        "np.quantile",
        lambda x: np.quantile(x, [0.1, 0.5, 0.95]),
        X7,
        lambda p: _quantile_ref(p, [0.1, 0.5, 0.95]),
    ),
    ("np.percentile", lambda x: np.percentile(x, 30.0), X7, lambda p: _quantile_ref(p, [0.3])),
    (
        "np.quantile_q",
        lambda q: np.quantile(X7, q),
        np.array([0.3, 0.77]),
        lambda p: np.diag([np.diff(np.sort(X7)[[int(v), int(v) + 1]])[0] * 6 for v in p * 6]),
    ),
    ("np.nanmax", lambda x: np.nanmax(x + NAN7), X7, lambda p: _nan_ref("nanmax", p)),
    ("np.nanprod", lambda x: np.nanprod(x + NAN7), X7, lambda p: _nan_ref("nanprod", p)),
    ("np.nancumsum", lambda x: np.nancumsum(x + NAN7), X7, lambda p: _nan_ref("nancumsum", p)),
    ("np.nanvar", lambda x: np.nanvar(x + NAN7, ddof=1), X7, lambda p: _nan_ref("nanvar", p)),
    ("np.nanstd", lambda x: np.nanstd(x + NAN7, ddof=1), X7, lambda p: _nan_ref("nanstd", p)),
    ("np.i0", lambda x: np.i0(x), X7, lambda p: mp_jac(lambda q: [mp.besseli(0, v) for v in q], p)),
]


@pytest.mark.parametrize(("name", "f", "p", "ref"), STATS, ids=[r[0] for r in STATS])
def test_numpy_statistics(name, f, p, ref):
    check_row(f, p, ref(p))
