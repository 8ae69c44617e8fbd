"""Rule table: linear algebra, forward AND reverse (so forward-over-reverse works everywhere).

Primitives: matmul, einsum, inv, solve, det, slogdet, cholesky, eigh, svd, qr.
Composites: dot, vdot, inner, outer, tensordot, kron, trace, cross, norm,
pinv, matrix_power, multi_dot, eigvalsh, ...  The reverse rules apply the
transpose (not the conjugate transpose), matching ``grad``'s convention.
``cholesky`` and ``eigh`` read only one triangle of their input in NumPy: the
handlers (``_rules_products``) first build the Hermitian matrix NumPy reads
from that triangle, so derivatives are those of the function NumPy computes;
the primitives below then see a symmetric (complex: Hermitian) matrix.
``eigh`` assumes distinct eigenvalues and ``svd`` distinct non-zero singular
values.

Complex matrices: these factorisations are not holomorphic.  Forward rules are
the real-linear derivatives; eigenvectors and singular vectors are determined
up to a phase per column (a gauge), and the rules pick the phase that makes
``diag(V^H dV)`` (``eigh``, ``svd``: of ``V``) zero, so only gauge-invariant
functions of them (``|v|``, ``v v^H``, or a phase fixed by the caller) have
meaningful derivatives.  Reverse rules are the adjoints for the pairing
``Re sum(a * b)`` (no conjugation, the convention of ``grad``): written as
``conj(adjoint_H(conj(g)))`` from the usual adjoints ``adjoint_H`` for the
pairing ``Re sum(conj(a) * b)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx.ad._helpers import align, bnb, is_complex, shape_of, unbroadcast
from dfdx.ad._primitive import Primitive, TracingError, implements
from dfdx.ad._trace import is_identity
from dfdx.ad._tracer import OPS

__all__ = ["MATMUL"]

_mT = np.matrix_transpose


def _mH(x: Any) -> Any:
    return np.conj(_mT(x))


def _cplx(a: Any) -> bool:
    return is_complex(a)


def _conj_adjoint(rule: Any) -> Any:
    """Reverse rule ``conj(rule(conj(g), ...))`` for complex inputs (see the module notes);
    ``rule`` itself for real ones."""

    def vjp(g: Any, ans: Any, a: Any, **params: Any) -> Any:
        if not _cplx(a):
            return rule(g, ans, a, **params)
        gc = tuple(np.conj(c) for c in g) if type(g) is tuple else np.conj(g)
        return np.conj(rule(gc, ans, a, **params))

    return vjp


def _nd(a: Any) -> int:
    return len(shape_of(a))


def _solvevec(a: Any, b: Any) -> Any:
    return np.linalg.solve(a, b[..., None])[..., 0]


def _lift_vec(t: Any, x: Any, y: Any) -> Any:
    """Batched 1-D tangent ``t`` of ``x`` as a row matrix broadcasting against ``y``."""
    nb = bnb(t, x)
    return np.reshape(t, shape_of(t)[:nb] + (1,) * (_nd(y) - 2) + (1, shape_of(x)[0]))


def _mm_jvp_x(t: Any, ans: Any, x: Any, y: Any) -> Any:
    if _nd(x) == 1 and _nd(y) == 2 and is_identity(t):
        return y
    if _nd(x) == 1 and _nd(y) > 2:
        return np.squeeze(_lift_vec(t, x, y) @ y, -2)
    return t @ y  # batch axes of t act as extra rows: one matrix product


def _mm_jvp_y(t: Any, ans: Any, x: Any, y: Any) -> Any:
    if _nd(y) == 1:
        if _nd(x) == 2 and is_identity(t):
            return _mT(x)
        if _nd(x) <= 2:
            return t @ _mT(x) if _nd(x) == 2 else t @ x
        nb = bnb(t, y)
        col = np.reshape(t, shape_of(t)[:nb] + (1,) * (_nd(x) - 2) + (shape_of(y)[0], 1))
        return np.squeeze(x @ col, -1)
    return x @ t


def _mm_vjp_x(g: Any, ans: Any, x: Any, y: Any) -> Any:
    if _nd(x) == 1:
        if _nd(y) == 1:
            c = g * y
        elif _nd(y) == 2:
            c = y @ g
        else:
            c = np.squeeze(y @ g[..., None], -1)
    else:
        c = g[..., None] * y if _nd(y) == 1 else g @ _mT(y)
    return unbroadcast(c, x)


def _mm_vjp_y(g: Any, ans: Any, x: Any, y: Any) -> Any:
    if _nd(y) == 1:
        if _nd(x) == 1:
            c = g * x
        elif _nd(x) == 2:
            c = g @ x
        else:
            c = np.squeeze(_mT(x) @ g[..., None], -1)
    else:
        c = x[:, None] * g[..., None, :] if _nd(x) == 1 else _mT(x) @ g
    return unbroadcast(c, y)


# name        impl            forward rule / reverse rule, per argument
MATMUL = (
    Primitive("matmul", np.matmul).rules(0, _mm_jvp_x, _mm_vjp_x).rules(1, _mm_jvp_y, _mm_vjp_y)
)
MATMUL.keep = {0: (1,), 1: (0,)}
INV = Primitive("inv", np.linalg.inv).rules(
    0, lambda t, ans, a: -(ans @ t @ ans), lambda g, ans, a: -(_mT(ans) @ g @ _mT(ans))
)


def _solve_jvp_a(t: Any, ans: Any, a: Any, b: Any) -> Any:
    if _nd(b) == 1:
        return -_solvevec(a, np.squeeze(t @ ans[..., None], -1))
    t = align(t, a, ans)  # batch axes of the tangent before those b adds
    return -np.linalg.solve(a, t @ ans)


def _solve_jvp_b(t: Any, ans: Any, a: Any, b: Any) -> Any:
    t = align(t, b, ans)  # batch axes of the tangent before those a adds
    return _solvevec(a, t) if _nd(b) == 1 else np.linalg.solve(a, t)


def _solve_vjp_b(g: Any, ans: Any, a: Any, b: Any) -> Any:
    return unbroadcast(_solvevec(_mT(a), g) if _nd(b) == 1 else np.linalg.solve(_mT(a), g), b)


def _solve_vjp_a(g: Any, ans: Any, a: Any, b: Any) -> Any:
    gb = _solvevec(_mT(a), g) if _nd(b) == 1 else np.linalg.solve(_mT(a), g)
    c = -gb[..., :, None] * ans[..., None, :] if _nd(b) == 1 else -(gb @ _mT(ans))
    return unbroadcast(c, a)


SOLVE = Primitive("solve", np.linalg.solve).rules(0, _solve_jvp_a, _solve_vjp_a)
SOLVE.rules(1, _solve_jvp_b, _solve_vjp_b)
DET = Primitive("det", np.linalg.det).rules(
    0,
    lambda t, ans, a: ans * np.sum(_mT(np.linalg.inv(a)) * t, axis=(-2, -1)),
    lambda g, ans, a: (g * ans)[..., None, None] * _mT(np.linalg.inv(a)),
)


def _slogdet_impl(a: Any) -> Any:
    return tuple(np.linalg.slogdet(a))


def _slogdet_jvp(t: Any, ans: Any, a: Any) -> Any:
    tau = np.sum(_mT(np.linalg.inv(a)) * t, axis=(-2, -1))  # tr(A^-1 dA)
    if not _cplx(a):
        return None, tau
    # sign = det/|det| turns by i Im(tau); log|det| changes by Re(tau)
    return ans[0] * (1j * np.imag(tau)), np.real(tau)


def _slogdet_vjp(g: Any, ans: Any, a: Any) -> Any:
    gs, gl = g
    if not _cplx(a):
        return gl[..., None, None] * _mT(np.linalg.inv(a))
    w = np.real(gl) + 1j * np.imag(gs * ans[0])
    return w[..., None, None] * _mT(np.linalg.inv(a))


SLOGDET = Primitive("slogdet", _slogdet_impl, multiple=True).rules(0, _slogdet_jvp, _slogdet_vjp)


def _sym(t: Any) -> Any:
    """The symmetric (complex: Hermitian) part."""
    return 0.5 * (t + (_mH(t) if is_complex(t) else _mT(t)))


def _adj(x: Any, cplx: bool) -> Any:
    return _mH(x) if cplx else _mT(x)


def _phi(x: Any) -> Any:
    n = shape_of(x)[-1]
    return np.where(np.tri(n, dtype=bool), x, 0.0) - 0.5 * np.where(np.eye(n, dtype=bool), x, 0.0)


def _chol_jvp(t: Any, ans: Any, a: Any) -> Any:
    c = _cplx(a)
    s = np.linalg.solve(ans, _adj(np.linalg.solve(ans, _sym(t)), c))  # L^-1 sym(t) L^-H
    return ans @ _phi(s)


def _chol_vjp(g: Any, ans: Any, a: Any) -> Any:
    c = _cplx(a)
    p = _phi(_adj(ans, c) @ g)
    linv = np.linalg.inv(ans)
    return _sym(_adj(linv, c) @ p @ linv)


CHOLESKY = Primitive("cholesky", np.linalg.cholesky).rules(0, _chol_jvp, _conj_adjoint(_chol_vjp))


def _gap(w: Any) -> Any:
    """F[i, j] = 1 / (w[j] - w[i]) off the diagonal, 0 on it (plain values suffice? no: traced)."""
    d = w[..., None, :] - w[..., :, None]
    n = shape_of(w)[-1]
    eye = np.eye(n, dtype=bool)
    return np.where(eye, 0.0, 1.0 / np.where(eye, 1.0, d))


def _eigh_impl(a: Any, UPLO: str = "L") -> Any:
    return tuple(np.linalg.eigh(a, UPLO=UPLO))


def _eigh_jvp(t: Any, ans: Any, a: Any, UPLO: str = "L") -> Any:
    c = _cplx(a)
    w, v = ans
    p = _adj(v, c) @ _sym(t) @ v
    dw = np.diagonal(p, axis1=-2, axis2=-1)
    return (np.real(dw) if c else dw), v @ (_gap(w) * p)


def _eigh_vjp(g: Any, ans: Any, a: Any, UPLO: str = "L") -> Any:
    c = _cplx(a)
    w, v = ans
    gw, gv = g
    n = shape_of(w)[-1]
    gw = np.real(gw) if c else gw
    inner = _gap(w) * (_adj(v, c) @ gv) + gw[..., None, :] * np.eye(n)
    return _sym(v @ inner @ _adj(v, c))


EIGH = Primitive("eigh", _eigh_impl, multiple=True).rules(0, _eigh_jvp, _conj_adjoint(_eigh_vjp))


def _svd_impl(a: Any) -> Any:
    return tuple(np.linalg.svd(a, full_matrices=False))


def _svd_parts(s: Any) -> tuple[Any, Any]:
    s2 = s * s
    return _gap(s2), s


def _svd_jvp(t: Any, ans: Any, a: Any) -> Any:
    c = _cplx(a)
    u, s, vh = ans
    v = _adj(vh, c)
    f, _ = _svd_parts(s)
    dp = _adj(u, c) @ t @ v
    ds = np.diagonal(dp, axis1=-2, axis2=-1)
    sr = s[..., None, :]  # right-multiplication by S
    sl = s[..., :, None]  # left-multiplication by S
    du = u @ (f * (dp * sr + sl * _adj(dp, c)))
    dv = v @ (f * (sl * dp + _adj(dp, c) * sr))
    if c:  # the phase gauge: diag(V^H dV) = 0, diag(U^H dU) = i Im(diag(dP)) / s
        du = du + u * (1j * np.imag(ds) / s)[..., None, :]
        ds = np.real(ds)
    m, n = shape_of(a)[-2:]
    if m > n:
        du = du + (t @ v - u @ (_adj(u, c) @ t @ v)) / sr
    if n > m:
        th = _adj(t, c)
        dv = dv + (th @ u - v @ (_adj(v, c) @ th @ u)) / sr
    return du, ds, _adj(dv, c)


def _svd_vjp(g: Any, ans: Any, a: Any) -> Any:
    c = _cplx(a)
    u, s, vh = ans
    gu, gs, gvh = g
    v, gv = _adj(vh, c), _adj(gvh, c)
    f, _ = _svd_parts(s)
    sr = s[..., None, :]
    sl = s[..., :, None]
    n = shape_of(s)[-1]
    uhgu = _adj(u, c) @ gu
    ju = f * (uhgu - _adj(gu, c) @ u)
    jv = f * (_adj(v, c) @ gv - _adj(gv, c) @ v)
    gs = np.real(gs) if c else gs
    core = ju * sr + gs[..., None, :] * np.eye(n) + sl * jv
    if c:
        d = np.diagonal(uhgu, axis1=-2, axis2=-1)
        core = core + (1j * np.imag(d) / s)[..., None, :] * np.eye(n)
    out = u @ core @ vh
    m, k = shape_of(a)[-2:]
    if m > k:
        out = out + ((gu - u @ uhgu) / sr) @ vh
    if k > m:
        out = out + u @ _adj((gv - v @ (_adj(v, c) @ gv)) / sr, c)
    return out


SVD = Primitive("svd", _svd_impl, multiple=True).rules(0, _svd_jvp, _conj_adjoint(_svd_vjp))


def _qr_impl(a: Any) -> Any:
    return tuple(np.linalg.qr(a, mode="reduced"))


def _qr_check(a: Any) -> None:
    m, n = shape_of(a)[-2:]
    if m < n:
        raise TracingError("the derivative of np.linalg.qr needs rows >= columns")


def _qr_jvp(t: Any, ans: Any, a: Any) -> Any:
    _qr_check(a)
    cx = _cplx(a)
    q, r = ans
    x_rinv = _mT(np.linalg.solve(_mT(r), _mT(t)))  # t @ r^-1
    c = _adj(q, cx) @ x_rinv
    low = np.tril(c, -1)
    om = low - _adj(low, cx)  # Q^H dQ: anti-Hermitian; diag(R) stays real (LAPACK)
    if cx:
        eye = np.eye(shape_of(c)[-1], dtype=bool)
        om = om + np.where(eye, 1j * np.imag(c), 0.0)
    return q @ (om - c) + x_rinv, (c - om) @ r


def _qr_vjp(g: Any, ans: Any, a: Any) -> Any:
    _qr_check(a)
    cx = _cplx(a)
    q, r = ans
    gq, gr = g
    m = r @ _adj(gr, cx) - _adj(gq, cx) @ q
    low = np.tril(m, -1)
    diag = np.where(np.eye(shape_of(m)[-1], dtype=bool), np.real(m) if cx else m, 0.0)
    m = low + _adj(low, cx) + diag
    return _adj(np.linalg.solve(r, _adj(gq + q @ m, cx)), cx)


QR = Primitive("qr", _qr_impl, multiple=True).rules(0, _qr_jvp, _conj_adjoint(_qr_vjp))


OPS["matmul"] = MATMUL


@implements(np.matmul, np.linalg.matmul)
def _matmul(x1: Any, x2: Any, **kw: Any) -> Any:
    return MATMUL(x1, x2)
