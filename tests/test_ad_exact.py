"""Exactness of every rule: forward == reverse to a few ulp, both == a high-precision reference.

Finite-difference checks (``check_grads``) cannot see a rounding to float32 or
an error of 1e-8; these tests can.  One row per primitive (append rows for new
rules): a function ``f`` of one float64 array, the point, and the same function
written with mpmath.  The reference Jacobian is a central difference computed
by mpmath at 40 digits with step 1e-15 (error far below 1e-25), so it shares
nothing with dfdx's rules.  Errors are normwise: ``max|J - J_ref| <= rtol *
max|J_ref|``, with ``rtol = 1e-14`` between forward and reverse mode and
``1e-13`` against the reference (looser only where a row says why).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import scipy.special as sc
from hypothesis import given, settings
from hypothesis import strategies as st

from dfdx import ad
from dfdx.ad import grad, jacobian

# the independent reference: mpmath (a dependency of the test extra)
mp = pytest.importorskip("mpmath", reason="the high-precision reference needs mpmath")

DPS = 40
STEP = mp.mpf(10) ** -15


@dataclass
class Row:
    name: str
    f: Callable[[np.ndarray], Any]  # NumPy code, as a user writes it
    x: np.ndarray
    ref: Callable[[list], list]  # the same function on a flat list of mpf, flat output
    rtol: float = 1e-13
    scalar: Callable | None = None  # for elementwise rows: the scalar mpmath function


def _flat_out(f: Callable, x: np.ndarray) -> tuple[int, ...]:
    return np.shape(f(x))


def reference_jacobian(row: Row) -> np.ndarray:
    """d out / d x by mpmath central differences at DPS digits."""
    x = row.x
    if row.scalar is not None:  # elementwise: the diagonal only
        with mp.workdps(DPS):
            d = [
                float(
                    (row.scalar(mp.mpf(float(v)) + STEP) - row.scalar(mp.mpf(float(v)) - STEP))
                    / (2 * STEP)
                )
                for v in x.ravel()
            ]
        return np.diag(d).reshape(x.shape + x.shape)
    with mp.workdps(DPS):
        base = [mp.mpf(float(v)) for v in x.ravel()]
        cols = []
        for k in range(len(base)):
            up, dn = list(base), list(base)
            up[k] += STEP
            dn[k] -= STEP
            fu, fd = row.ref(up), row.ref(dn)
            cols.append([float((a - b) / (2 * STEP)) for a, b in zip(fu, fd, strict=True)])
    jac = np.array(cols).T  # (out, in)
    return jac.reshape(_flat_out(row.f, x) + x.shape)


def _map(g: Callable) -> Callable[[list], list]:
    return lambda xs: [g(v) for v in xs]


def _pairs(g: Callable) -> Callable[[list], list]:
    """x of shape (2, n): g(x[0, j], x[1, j])."""

    def ref(xs: list) -> list:
        n = len(xs) // 2
        return [g(xs[j], xs[n + j]) for j in range(n)]

    return ref


def _pts(lo: float, hi: float, n: int = 3, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return lo + (hi - lo) * rng.random(n)


def _unary(uf: Any, g: Callable, lo: float, hi: float, rtol: float = 1e-13) -> Row:
    return Row(getattr(uf, "__name__", str(uf)), uf, _pts(lo, hi), _map(g), rtol, g)


def _binary(uf: Any, g: Callable, dx: tuple, dy: tuple, rtol: float = 1e-13) -> Row:
    x = np.stack([_pts(*dx), _pts(*dy, seed=1)])
    return Row(uf.__name__, lambda a, uf=uf: uf(a[0], a[1]), x, _pairs(g), rtol)


def _ndtri(p: Any) -> Any:
    return mp.sqrt(2) * mp.erfinv(2 * p - 1)


UNARY_ROWS = [
    _unary(np.sin, mp.sin, -2, 2),
    _unary(np.cos, mp.cos, -2, 2),
    _unary(np.tan, mp.tan, -1, 1),
    _unary(np.arcsin, mp.asin, -0.8, 0.8),
    _unary(np.arccos, mp.acos, -0.8, 0.8),
    _unary(np.arctan, mp.atan, -2, 2),
    _unary(np.sinh, mp.sinh, -2, 2),
    _unary(np.cosh, mp.cosh, -2, 2),
    _unary(np.tanh, mp.tanh, -2, 2),
    _unary(np.arcsinh, mp.asinh, -2, 2),
    _unary(np.arccosh, mp.acosh, 1.2, 3),
    _unary(np.arctanh, mp.atanh, -0.8, 0.8),
    _unary(np.exp, mp.exp, -2, 2),
    _unary(np.exp2, lambda v: mp.mpf(2) ** v, -2, 2),
    _unary(np.expm1, mp.expm1, -2, 2),
    _unary(np.log, mp.log, 0.5, 3),
    _unary(np.log2, lambda v: mp.log(v, 2), 0.5, 3),
    _unary(np.log10, mp.log10, 0.5, 3),
    _unary(np.log1p, mp.log1p, 0, 2),
    _unary(np.sqrt, mp.sqrt, 0.5, 3),
    _unary(np.cbrt, mp.cbrt, 0.5, 3),
    _unary(np.square, lambda v: v * v, -2, 2),
    _unary(np.reciprocal, lambda v: 1 / v, 0.5, 3),
    _unary(np.negative, lambda v: -v, -2, 2),
    _unary(np.positive, lambda v: v, -2, 2),
    _unary(np.deg2rad, mp.radians, -2, 2),
    _unary(np.rad2deg, mp.degrees, -2, 2),
    _unary(np.absolute, abs, 0.5, 2),
    _unary(np.fabs, abs, -2, -0.5),
    _unary(np.sinc, lambda v: mp.sinpi(v) / (mp.pi * v), 0.2, 2),
    _unary(np.floor, mp.floor, 0.1, 0.9),
    _unary(np.sign, mp.sign, 0.1, 0.9),
    _unary(sc.gammaln, mp.loggamma, 0.5, 3),
    _unary(sc.gamma, mp.gamma, 0.5, 3),
    _unary(sc.rgamma, mp.rgamma, 0.5, 3),
    _unary(sc.digamma, mp.digamma, 0.5, 3),
    _unary(sc.erf, mp.erf, -2, 2),
    _unary(sc.erfc, mp.erfc, -2, 2),
    _unary(sc.erfi, mp.erfi, -1, 1),
    _unary(sc.erfcx, lambda v: mp.exp(v * v) * mp.erfc(v), -1, 2),
    _unary(sc.erfinv, mp.erfinv, -0.8, 0.8),
    _unary(sc.dawsn, lambda v: mp.sqrt(mp.pi) / 2 * mp.exp(-v * v) * mp.erfi(v), -2, 2),
    _unary(sc.expit, lambda v: 1 / (1 + mp.exp(-v)), -3, 3),
    _unary(sc.logit, lambda v: mp.log(v / (1 - v)), 0.2, 0.8),
    _unary(sc.log_expit, lambda v: -mp.log1p(mp.exp(-v)), -3, 3),
    _unary(sc.entr, lambda v: -v * mp.log(v), 0.2, 2),
    _unary(sc.ndtr, mp.ncdf, -2, 2),
    _unary(sc.log_ndtr, lambda v: mp.log(mp.ncdf(v)), -2, 2),
    _unary(sc.ndtri, _ndtri, 0.2, 0.8),
    _unary(sc.i0, lambda v: mp.besseli(0, v), -2, 2),
    _unary(sc.i1, lambda v: mp.besseli(1, v), -2, 2),
    _unary(sc.i0e, lambda v: mp.exp(-abs(v)) * mp.besseli(0, v), 0.3, 2),
    _unary(sc.j0, lambda v: mp.besselj(0, v), 0.5, 3),
    _unary(sc.j1, lambda v: mp.besselj(1, v), 0.5, 3),
    _unary(sc.y0, lambda v: mp.bessely(0, v), 0.5, 3),
    _unary(sc.k0, lambda v: mp.besselk(0, v), 0.5, 3),
    _unary(sc.k1, lambda v: mp.besselk(1, v), 0.5, 3),
    _unary(sc.exp1, lambda v: mp.e1(v), 0.5, 3),
    _unary(sc.expi, mp.ei, 0.5, 3),
    _unary(sc.ellipk, mp.ellipk, 0.1, 0.8),
    _unary(sc.ellipe, mp.ellipe, 0.1, 0.8),
    _unary(sc.exp10, lambda v: mp.mpf(10) ** v, -1, 1),
    _unary(sc.cosm1, lambda v: mp.cos(v) - 1, -2, 2),
    _unary(sc.sindg, lambda v: mp.sin(mp.radians(v)), -60, 60),
    _unary(sc.cosdg, lambda v: mp.cos(mp.radians(v)), -60, 60),
    _unary(sc.tandg, lambda v: mp.tan(mp.radians(v)), -60, 60),
    _unary(sc.cotdg, lambda v: mp.cot(mp.radians(v)), 20, 70),
    _unary(np.degrees, mp.degrees, -2, 2),
    _unary(np.radians, mp.radians, -2, 2),
    _unary(np.conjugate, lambda v: v, -2, 2),
    _unary(np.ceil, mp.ceil, 0.1, 0.9),
    _unary(np.trunc, lambda v: mp.mpf(int(v)), 0.1, 0.9),
    _unary(np.rint, mp.nint, 0.1, 0.4),
    _unary(sc.erfcinv, lambda v: mp.erfinv(1 - v), 0.2, 1.8),
    _unary(sc.loggamma, mp.loggamma, 0.5, 3),
    _unary(sc.i1e, lambda v: mp.exp(-abs(v)) * mp.besseli(1, v), 0.3, 2),
    _unary(sc.k0e, lambda v: mp.exp(v) * mp.besselk(0, v), 0.5, 3),
    _unary(sc.k1e, lambda v: mp.exp(v) * mp.besselk(1, v), 0.5, 3),
    _unary(sc.y1, lambda v: mp.bessely(1, v), 0.5, 3),
    _unary(sc.spence, lambda v: mp.polylog(2, 1 - v), 0.5, 3),
]


def _param(uf: Any, p: float, g: Callable, lo: float, hi: float) -> Row:
    """A ufunc differentiated in its second argument, the first held at ``p``."""
    return Row(f"{uf.__name__}({p}, x)", lambda x: uf(p, x), _pts(lo, hi), _map(g), scalar=g)


UNARY_ROWS += [
    _param(sc.jv, 1.5, lambda v: mp.besselj(1.5, v), 0.5, 3),
    _param(sc.yv, 1.5, lambda v: mp.bessely(1.5, v), 0.5, 3),
    _param(sc.iv, 1.5, lambda v: mp.besseli(1.5, v), 0.5, 3),
    _param(sc.kv, 1.5, lambda v: mp.besselk(1.5, v), 0.5, 3),
    _param(sc.ive, 1.5, lambda v: mp.exp(-v) * mp.besseli(1.5, v), 0.5, 3),
    _param(sc.kve, 1.5, lambda v: mp.exp(v) * mp.besselk(1.5, v), 0.5, 3),
    _param(sc.gammainc, 2.5, lambda v: mp.gammainc(2.5, 0, v, regularized=True), 0.5, 3),
    _param(sc.gammaincc, 2.5, lambda v: mp.gammainc(2.5, v, mp.inf, regularized=True), 0.5, 3),
    _param(sc.expn, 2, lambda v: mp.expint(2, v), 0.5, 3),
    Row(
        "boxcox(x, 0.7)",
        lambda x: sc.boxcox(x, 0.7),
        _pts(0.5, 2),
        _map(lambda v: (v**0.7 - 1) / 0.7),
    ),
]

BINARY_ROWS = [
    _binary(np.add, lambda a, b: a + b, (-2, 2), (-2, 2)),
    _binary(np.subtract, lambda a, b: a - b, (-2, 2), (-2, 2)),
    _binary(np.multiply, lambda a, b: a * b, (-2, 2), (-2, 2)),
    _binary(np.divide, lambda a, b: a / b, (-2, 2), (0.5, 2)),
    _binary(np.power, lambda a, b: a**b, (0.5, 2), (-2, 2)),
    _binary(np.float_power, lambda a, b: a**b, (0.5, 2), (-2, 2)),
    _binary(np.arctan2, mp.atan2, (0.5, 2), (0.5, 2)),
    _binary(np.hypot, mp.hypot, (0.5, 2), (0.5, 2)),
    _binary(np.logaddexp, lambda a, b: mp.log(mp.exp(a) + mp.exp(b)), (-2, 2), (-2, 2)),
    _binary(np.maximum, max, (0, 1), (2, 3)),
    _binary(np.minimum, min, (0, 1), (2, 3)),
    _binary(sc.xlogy, lambda a, b: a * mp.log(b), (0.5, 2), (0.5, 2)),
    _binary(sc.xlog1py, lambda a, b: a * mp.log1p(b), (0.5, 2), (0.5, 2)),
    _binary(sc.beta, mp.beta, (0.5, 2), (0.5, 2)),
    _binary(sc.betaln, lambda a, b: mp.log(mp.beta(a, b)), (0.5, 2), (0.5, 2)),
    _binary(np.logaddexp2, lambda a, b: mp.log(2**a + 2**b, 2), (-2, 2), (-2, 2)),
    _binary(np.copysign, lambda a, b: abs(a) * mp.sign(b), (0.5, 2), (-2, -0.5)),
    _binary(np.fmax, max, (2, 3), (0, 1)),
    _binary(np.fmin, min, (2, 3), (0, 1)),
    _binary(np.fmod, lambda a, b: a - b * int(a / b), (2.1, 2.9), (1.1, 1.4)),
    _binary(np.remainder, lambda a, b: a - b * mp.floor(a / b), (2.1, 2.9), (1.1, 1.4)),
    _binary(np.floor_divide, lambda a, b: mp.floor(a / b), (2.1, 2.9), (1.1, 1.4)),
    _binary(np.heaviside, lambda a, b: mp.mpf(1), (0.5, 2), (0.2, 0.8)),
    _binary(sc.rel_entr, lambda a, b: a * mp.log(a / b), (0.5, 2), (0.5, 2)),
    _binary(sc.kl_div, lambda a, b: a * mp.log(a / b) - a + b, (0.5, 2), (0.5, 2)),
    _binary(sc.poch, mp.rf, (0.5, 2), (0.5, 2)),
    _binary(sc.powm1, lambda a, b: a**b - 1, (0.5, 2), (0.5, 2)),
    _binary(
        sc.owens_t,
        lambda h, a: (
            mp.quad(lambda t: mp.exp(-h * h * (1 + t * t) / 2) / (1 + t * t), [0, a]) / (2 * mp.pi)
        ),
        (0.5, 2),
        (0.5, 2),
    ),
]


# ---------------------------------------------------------------- arrays, linear algebra
def _m(xs: list, n: int, m: int | None = None) -> mp.matrix:
    m = n if m is None else m
    return mp.matrix([[xs[i * m + j] for j in range(m)] for i in range(n)])


def _flat(a: mp.matrix) -> list:
    return [a[i, j] for i in range(a.rows) for j in range(a.cols)]


def _sym_lower(xs: list, n: int) -> mp.matrix:
    a = _m(xs, n)
    return mp.matrix([[a[max(i, j), min(i, j)] for j in range(n)] for i in range(n)])


def _sym_upper(xs: list, n: int) -> mp.matrix:
    a = _m(xs, n)
    return mp.matrix([[a[min(i, j), max(i, j)] for j in range(n)] for i in range(n)])


def _solve_col(xs: list, j: int) -> list:
    return list(mp.lu_solve(_m(xs, 3), mp.matrix(_B[:, j].tolist())))


def _eigvals(s: mp.matrix) -> list:
    return sorted(mp.eigsy(s)[0])


rng = np.random.default_rng(7)
_A = rng.standard_normal((3, 3)) + 3 * np.eye(3)  # well conditioned, not symmetric
_S = _A @ _A.T  # symmetric positive definite
_V = rng.standard_normal(4)
_B = rng.standard_normal((3, 2))
_W = rng.standard_normal((4, 2))

ARRAY_ROWS = [
    Row("sum", lambda x: np.sum(x**2), _V, lambda xs: [mp.fsum(v * v for v in xs)]),
    Row("prod", np.prod, _V, lambda xs: [mp.fprod(xs)]),
    Row("cumsum", np.cumsum, _V, lambda xs: [mp.fsum(xs[: k + 1]) for k in range(len(xs))]),
    Row("cumprod", np.cumprod, _V, lambda xs: [mp.fprod(xs[: k + 1]) for k in range(len(xs))]),
    Row("mean", np.mean, _V, lambda xs: [mp.fsum(xs) / len(xs)]),
    Row(
        "var",
        np.var,
        _V,
        lambda xs: [mp.fsum((v - mp.fsum(xs) / len(xs)) ** 2 for v in xs) / len(xs)],
    ),
    Row(
        "std",
        np.std,
        _V,
        lambda xs: [mp.sqrt(mp.fsum((v - mp.fsum(xs) / len(xs)) ** 2 for v in xs) / len(xs))],
    ),
    Row("max", np.max, _V, lambda xs: [max(xs)]),
    Row("sort", np.sort, _V, sorted),
    Row("diff", np.diff, _V, lambda xs: [xs[k + 1] - xs[k] for k in range(len(xs) - 1)]),
    Row("norm", np.linalg.norm, _V, lambda xs: [mp.sqrt(mp.fsum(v * v for v in xs))]),
    Row("getitem", lambda x: x[1:3] * x[0], _V, lambda xs: [xs[1] * xs[0], xs[2] * xs[0]]),
    Row(
        "concatenate",
        lambda x: np.concatenate([x, x[:2] ** 2]),
        _V,
        lambda xs: [*xs, xs[0] ** 2, xs[1] ** 2],
    ),
    Row(
        "matmul", lambda x: _W.T @ x, _V, lambda xs: _flat(mp.matrix(_W.T.tolist()) * mp.matrix(xs))
    ),
    Row("inv", np.linalg.inv, _A, lambda xs: _flat(mp.inverse(_m(xs, 3)))),
    Row("det", np.linalg.det, _A, lambda xs: [mp.det(_m(xs, 3))]),
    Row(
        "slogdet",
        lambda a: np.linalg.slogdet(a).logabsdet,
        _A,
        lambda xs: [mp.log(abs(mp.det(_m(xs, 3))))],
    ),
    Row(
        "solve",
        lambda a: np.linalg.solve(a, _B),
        _A,
        lambda xs: [
            v
            for row in zip(
                *[mp.lu_solve(_m(xs, 3), mp.matrix(_B[:, j].tolist())) for j in (0, 1)],
                strict=False,
            )
            for v in row
        ],
    ),
    Row(
        "eigh (reads the lower triangle)",
        lambda a: np.linalg.eigh(a).eigenvalues,
        _A,
        lambda xs: _eigvals(_sym_lower(xs, 3)),
    ),
    Row(
        "eigvalsh UPLO='U' (reads the upper triangle)",
        lambda a: np.linalg.eigvalsh(a, UPLO="U"),
        _A,
        lambda xs: _eigvals(_sym_upper(xs, 3)),
    ),
    Row(
        "cholesky (reads the lower triangle)",
        np.linalg.cholesky,
        _S + np.triu(_A, 1),
        lambda xs: _flat(mp.cholesky(_sym_lower(xs, 3))),
    ),
    Row(
        "svd (singular values)",
        lambda a: np.linalg.svd(a, compute_uv=False),
        _B,
        lambda xs: sorted(mp.svd_r(_m(xs, 3, 2), compute_uv=False), reverse=True),
    ),
    Row(
        "qr (R)",
        lambda a: np.abs(np.linalg.qr(a).R),
        _B,
        lambda xs: [abs(v) for v in _flat(mp.qr(_m(xs, 3, 2))[1][:2, :2])],
    ),
]

_W2 = rng.standard_normal((2, 4))


def _sv(xs: list, n: int, m: int) -> list:
    return sorted(mp.svd_r(_m(xs, n, m), compute_uv=False), reverse=True)


def _lse(xs: list) -> Any:
    return mp.log(mp.fsum(mp.exp(v) for v in xs))


ARRAY_ROWS += [
    Row(
        "einsum",
        lambda x: np.einsum("ij,j->i", _W2, x),
        _V,
        lambda xs: [mp.fsum(float(_W2[i, j]) * xs[j] for j in range(4)) for i in range(2)],
    ),
    Row(
        "tensordot",
        lambda x: np.tensordot(_W2, x * x, axes=1),
        _V,
        lambda xs: [mp.fsum(float(_W2[i, j]) * xs[j] ** 2 for j in range(4)) for i in range(2)],
    ),
    Row("outer", lambda x: np.outer(x, x[:2]), _V, lambda xs: [a * b for a in xs for b in xs[:2]]),
    Row(
        "kron",
        lambda x: np.kron(x[:2], x[2:]),
        _V,
        lambda xs: [a * b for a in xs[:2] for b in xs[2:]],
    ),
    Row(
        "dot",
        lambda x: np.dot(x, x[::-1]),
        _V,
        lambda xs: [mp.fsum(a * b for a, b in zip(xs, xs[::-1], strict=True))],
    ),
    Row("trace", np.trace, _A, lambda xs: [xs[0] + xs[4] + xs[8]]),
    Row(
        "where",
        lambda x: np.where(x > 0, x**2, -x),
        _V,
        lambda xs: [v * v if v > 0 else -v for v in xs],
    ),
    Row(
        "transpose/reshape",
        lambda a: a.T.reshape(-1) * a.reshape(-1),
        _A,
        lambda xs: [xs[3 * (k % 3) + k // 3] * xs[k] for k in range(9)],
    ),
    Row(
        "clip",
        lambda x: np.clip(x, -0.5, 0.5) * x,
        _V,
        lambda xs: [min(max(v, -0.5), 0.5) * v for v in xs],
    ),
    Row("abs", np.abs, _V, lambda xs: [abs(v) for v in xs]),
    Row(
        "roll/flip",
        lambda x: np.roll(x, 1) * np.flip(x),
        _V,
        lambda xs: [xs[k - 1] * xs[3 - k] for k in range(4)],
    ),
    Row(
        "tile/repeat",
        lambda x: np.tile(x[:2], 2) * np.repeat(x[2:], 2),
        _V,
        lambda xs: [xs[k % 2] * xs[2 + k // 2] for k in range(4)],
    ),
    Row(
        "pad",
        lambda x: np.pad(x, 1) + 1,
        _V,
        lambda xs: [mp.mpf(1), *[v + 1 for v in xs], mp.mpf(1)],
    ),
    Row(
        "diagonal/triu",
        lambda a: np.diagonal(a) * np.sum(np.triu(a)),
        _A,
        lambda xs: [
            xs[4 * k] * mp.fsum(xs[3 * i + j] for i in range(3) for j in range(i, 3))
            for k in range(3)
        ],
    ),
    Row("logsumexp", sc.logsumexp, _V, lambda xs: [_lse(xs)]),
    Row("softmax", sc.softmax, _V, lambda xs: [mp.exp(v - _lse(xs)) for v in xs]),
    Row("norm 1", lambda x: np.linalg.norm(x, 1), _V, lambda xs: [mp.fsum(abs(v) for v in xs)]),
    Row("norm inf", lambda x: np.linalg.norm(x, np.inf), _V, lambda xs: [max(abs(v) for v in xs)]),
    Row(
        "norm fro",
        lambda a: np.linalg.norm(a, "fro"),
        _A,
        lambda xs: [mp.sqrt(mp.fsum(v * v for v in xs))],
    ),
    Row("norm 2 (matrix)", lambda a: np.linalg.norm(a, 2), _B, lambda xs: [_sv(xs, 3, 2)[0]]),
    Row("norm nuc", lambda a: np.linalg.norm(a, "nuc"), _B, lambda xs: [mp.fsum(_sv(xs, 3, 2))]),
    Row(
        "matrix_power", lambda a: np.linalg.matrix_power(a, 3), _A, lambda xs: _flat(_m(xs, 3) ** 3)
    ),
    Row(
        "pinv",
        np.linalg.pinv,
        _B,
        lambda xs: _flat(mp.inverse(_m(xs, 3, 2).T * _m(xs, 3, 2)) * _m(xs, 3, 2).T),
    ),
    Row(
        "cross",
        lambda x: np.cross(x[:3], x[1:]),
        _V,
        lambda xs: [
            xs[1] * xs[3] - xs[2] * xs[2],
            xs[2] * xs[1] - xs[0] * xs[3],
            xs[0] * xs[2] - xs[1] * xs[1],
        ],
    ),
    Row(
        "mean axis",
        lambda a: np.mean(a, axis=0),
        _A,
        lambda xs: [(xs[j] + xs[3 + j] + xs[6 + j]) / 3 for j in range(3)],
    ),
    Row(
        "sum axis keepdims",
        lambda a: np.sum(a**2, axis=1, keepdims=True),
        _A,
        lambda xs: [mp.fsum(xs[3 * i + j] ** 2 for j in range(3)) for i in range(3)],
    ),
    Row(
        "prod axis",
        lambda a: np.prod(a, axis=0),
        _A,
        lambda xs: [xs[j] * xs[3 + j] * xs[6 + j] for j in range(3)],
    ),
    Row(
        "cumsum axis",
        lambda a: np.cumsum(a, axis=1),
        _A,
        lambda xs: [mp.fsum(xs[3 * i : 3 * i + j + 1]) for i in range(3) for j in range(3)],
    ),
    Row(
        "var ddof",
        lambda x: np.var(x, ddof=1),
        _V,
        lambda xs: [mp.fsum((v - mp.fsum(xs) / 4) ** 2 for v in xs) / 3],
    ),
    Row(
        "min axis",
        lambda a: np.min(a, axis=1),
        _A,
        lambda xs: [min(xs[3 * i : 3 * i + 3]) for i in range(3)],
    ),
    Row(
        "np.array of traced scalars",
        lambda x: np.array([x[0] * x[1], x[2], 2.0]),
        _V,
        lambda xs: [xs[0] * xs[1], xs[2], mp.mpf(2)],
    ),
]

ROWS = UNARY_ROWS + BINARY_ROWS + ARRAY_ROWS


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_forward_equals_reverse_equals_reference(row: Row) -> None:
    jf = ad.jacobian(row.f, mode="forward")(row.x)
    jr = ad.jacobian(row.f, mode="reverse")(row.x)
    ref = reference_jacobian(row)
    scale = max(float(np.max(np.abs(ref))), 1e-300)
    assert jf.dtype == jr.dtype == np.float64
    assert np.max(np.abs(jf - jr)) <= 1e-14 * scale, (jf, jr)
    assert np.max(np.abs(jf - ref)) <= row.rtol * scale, (jf, ref)


@pytest.mark.parametrize("row", UNARY_ROWS, ids=[r.name for r in UNARY_ROWS])
def test_taylor_mode_equals_forward(row: Row) -> None:
    d = ad.derivative(row.f)(row.x)
    jf = np.diagonal(ad.jacobian(row.f, mode="forward")(row.x))
    assert np.max(np.abs(d - jf)) <= 1e-14 * max(float(np.max(np.abs(jf))), 1e-300)


# ------------------------------------------------------------------ random compositions
# (NumPy function, the same in mpmath), safe on the whole real line
_OPS = [
    (np.sin, mp.sin),
    (np.tanh, mp.tanh),
    (np.arctan, mp.atan),
    (lambda v: np.exp(0.5 * v), lambda v: mp.exp(v / 2)),
    (lambda v: np.log1p(v * v), lambda v: mp.log1p(v * v)),
    (lambda v: v * np.cos(v), lambda v: v * mp.cos(v)),
    (sc.expit, lambda v: 1 / (1 + mp.exp(-v))),
    (sc.erf, mp.erf),
]
_MIX = np.array([[0.9, -0.4, 0.2], [0.3, 0.7, -0.5], [-0.6, 0.1, 0.8]])


def _mixed(v, mp_mode=False):
    if mp_mode:
        return [mp.fsum(float(_MIX[i, j]) * v[j] for j in range(3)) for i in range(3)]
    return _MIX @ v


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(0, len(_OPS) - 1), min_size=1, max_size=4),
    st.lists(st.floats(-1.5, 1.5), min_size=3, max_size=3),
)
def test_random_compositions_exact(ops, x0):
    x = np.array(x0)

    def f(v):
        for i in ops:
            v = _OPS[i][0](_mixed(v))
        return v[0] * v[1] + np.sum(v)

    def f_mp(v):
        for i in ops:
            v = [_OPS[i][1](u) for u in _mixed(v, True)]
        return v[0] * v[1] + mp.fsum(v)

    gf = jacobian(f, mode="forward")(x)
    gr = grad(f)(x)
    with mp.workdps(50):
        h = mp.mpf(10) ** -20
        base = [mp.mpf(float(u)) for u in x]
        ref = []
        for k in range(3):
            up, dn = list(base), list(base)
            up[k] += h
            dn[k] -= h
            ref.append(float((f_mp(up) - f_mp(dn)) / (2 * h)))
    # normwise; a gradient much smaller than the function's terms (near a stationary
    # point) is ill-conditioned: there the tolerance is relative to 0.01
    scale = max(np.max(np.abs(ref)), 1e-2)
    assert np.max(np.abs(gf - gr)) <= 1e-14 * scale
    assert np.max(np.abs(gf - np.array(ref))) <= 1e-13 * scale
