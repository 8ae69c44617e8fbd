"""Rule table: linear algebra, forward AND reverse (so forward-over-reverse works everywhere).

Primitives: matmul, einsum, inv, solve, det, slogdet, cholesky, eigh, svd, qr.
Composites: dot, vdot, inner, outer, tensordot, kron, trace, cross, norm,
pinv, matrix_power, multi_dot, eigvalsh, ...  The reverse rules apply the
transpose (not the conjugate transpose), matching ``grad``'s convention.
``cholesky`` and ``eigh`` read only one triangle of their input in NumPy; here
they are differentiated as functions of a symmetric matrix (the tangent is
symmetrised), as in JAX and autograd.  ``eigh`` assumes distinct eigenvalues
and ``svd`` distinct non-zero singular values.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from dfdx.ad._helpers import bnb, is_complex, shape_of, unbroadcast
from dfdx.ad._primitive import Primitive, TracingError, implements
from dfdx.ad._rules_shape import _diagonal, _moveaxis, _ravel, _reshape_to
from dfdx.ad._trace import is_identity
from dfdx.ad._tracer import OPS, raw

__all__ = ["EINSUM", "MATMUL"]

_mT = np.matrix_transpose


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
INV = Primitive("inv", np.linalg.inv).rules(
    0, lambda t, ans, a: -(ans @ t @ ans), lambda g, ans, a: -(_mT(ans) @ g @ _mT(ans))
)


def _solve_jvp_a(t: Any, ans: Any, a: Any, b: Any) -> Any:
    return (
        -_solvevec(a, np.squeeze(t @ ans[..., None], -1))
        if _nd(b) == 1
        else -np.linalg.solve(a, t @ ans)
    )


def _solve_jvp_b(t: Any, ans: Any, a: Any, b: Any) -> Any:
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


def _real_only(name: str, a: Any) -> None:
    if is_complex(a):
        raise TracingError(
            f"the derivative of np.linalg.{name} is implemented for real matrices only"
        )


def _slogdet_impl(a: Any) -> Any:
    return tuple(np.linalg.slogdet(a))


SLOGDET = Primitive("slogdet", _slogdet_impl, multiple=True).rules(
    0,
    lambda t, ans, a: (None, np.sum(_mT(np.linalg.inv(a)) * t, axis=(-2, -1))),
    lambda g, ans, a: g[1][..., None, None] * _mT(np.linalg.inv(a)),
)


def _sym(t: Any) -> Any:
    return 0.5 * (t + _mT(t))


def _phi(x: Any) -> Any:
    n = shape_of(x)[-1]
    return np.where(np.tri(n, dtype=bool), x, 0.0) - 0.5 * np.where(np.eye(n, dtype=bool), x, 0.0)


def _chol_jvp(t: Any, ans: Any, a: Any) -> Any:
    _real_only("cholesky", a)
    s = np.linalg.solve(ans, _mT(np.linalg.solve(ans, _sym(t))))  # L^-1 sym(t) L^-T
    return ans @ _phi(s)


def _chol_vjp(g: Any, ans: Any, a: Any) -> Any:
    _real_only("cholesky", a)
    p = _phi(_mT(ans) @ g)
    linv = np.linalg.inv(ans)
    return _sym(_mT(linv) @ p @ linv)


CHOLESKY = Primitive("cholesky", np.linalg.cholesky).rules(0, _chol_jvp, _chol_vjp)


def _gap(w: Any) -> Any:
    """F[i, j] = 1 / (w[j] - w[i]) off the diagonal, 0 on it (plain values suffice? no: traced)."""
    d = w[..., None, :] - w[..., :, None]
    n = shape_of(w)[-1]
    eye = np.eye(n, dtype=bool)
    return np.where(eye, 0.0, 1.0 / np.where(eye, 1.0, d))


def _eigh_impl(a: Any, UPLO: str = "L") -> Any:
    return tuple(np.linalg.eigh(a, UPLO=UPLO))


def _eigh_jvp(t: Any, ans: Any, a: Any, UPLO: str = "L") -> Any:
    _real_only("eigh", a)
    w, v = ans
    p = _mT(v) @ _sym(t) @ v
    dw = np.diagonal(p, axis1=-2, axis2=-1)
    return dw, v @ (_gap(w) * p)


def _eigh_vjp(g: Any, ans: Any, a: Any, UPLO: str = "L") -> Any:
    _real_only("eigh", a)
    w, v = ans
    gw, gv = g
    n = shape_of(w)[-1]
    inner = _gap(w) * (_mT(v) @ gv) + gw[..., None, :] * np.eye(n)
    return _sym(v @ inner @ _mT(v))


EIGH = Primitive("eigh", _eigh_impl, multiple=True).rules(0, _eigh_jvp, _eigh_vjp)


def _svd_impl(a: Any) -> Any:
    return tuple(np.linalg.svd(a, full_matrices=False))


def _svd_parts(s: Any) -> tuple[Any, Any]:
    s2 = s * s
    return _gap(s2), s


def _svd_jvp(t: Any, ans: Any, a: Any) -> Any:
    _real_only("svd", a)
    u, s, vh = ans
    v = _mT(vh)
    f, _ = _svd_parts(s)
    dp = _mT(u) @ t @ v
    ds = np.diagonal(dp, axis1=-2, axis2=-1)
    sr = s[..., None, :]  # right-multiplication by S
    sl = s[..., :, None]  # left-multiplication by S
    du = u @ (f * (dp * sr + sl * _mT(dp)))
    dv = v @ (f * (sl * dp + _mT(dp) * sr))
    m, n = shape_of(a)[-2:]
    if m > n:
        du = du + (t @ v - u @ (_mT(u) @ t @ v)) / sr
    if n > m:
        dv = dv + (_mT(t) @ u - v @ (_mT(v) @ _mT(t) @ u)) / sr
    return du, ds, _mT(dv)


def _svd_vjp(g: Any, ans: Any, a: Any) -> Any:
    _real_only("svd", a)
    u, s, vh = ans
    gu, gs, gvh = g
    v, gv = _mT(vh), _mT(gvh)
    f, _ = _svd_parts(s)
    sr = s[..., None, :]
    sl = s[..., :, None]
    n = shape_of(s)[-1]
    ju = f * (_mT(u) @ gu - _mT(gu) @ u)
    jv = f * (_mT(v) @ gv - _mT(gv) @ v)
    core = ju * sr + gs[..., None, :] * np.eye(n) + sl * jv
    out = u @ core @ vh
    m, k = shape_of(a)[-2:]
    if m > k:
        out = out + ((gu - u @ (_mT(u) @ gu)) / sr) @ vh
    if k > m:
        out = out + u @ _mT((gv - v @ (_mT(v) @ gv)) / sr)
    return out


SVD = Primitive("svd", _svd_impl, multiple=True).rules(0, _svd_jvp, _svd_vjp)


def _qr_impl(a: Any) -> Any:
    return tuple(np.linalg.qr(a, mode="reduced"))


def _qr_check(a: Any) -> None:
    _real_only("qr", a)
    m, n = shape_of(a)[-2:]
    if m < n:
        raise TracingError("the derivative of np.linalg.qr needs rows >= columns")


def _qr_jvp(t: Any, ans: Any, a: Any) -> Any:
    _qr_check(a)
    q, r = ans
    x_rinv = _mT(np.linalg.solve(_mT(r), _mT(t)))  # t @ r^-1
    c = _mT(q) @ x_rinv
    low = np.tril(c, -1)
    om = low - _mT(low)
    return q @ (om - c) + x_rinv, (c - om) @ r


def _qr_vjp(g: Any, ans: Any, a: Any) -> Any:
    _qr_check(a)
    q, r = ans
    gq, gr = g
    m = r @ _mT(gr) - _mT(gq) @ q
    low = np.tril(m, -1)
    m = low + _mT(low) + np.where(np.eye(shape_of(m)[-1], dtype=bool), m, 0.0)
    return _mT(np.linalg.solve(r, _mT(gq + q @ m)))


QR = Primitive("qr", _qr_impl, multiple=True).rules(0, _qr_jvp, _qr_vjp)


# ------------------------------------------------------------------ einsum
def _parse(subscripts: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str]:
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        ins, out = subscripts.split("->")
    else:
        ins, out = subscripts, None
    terms = ins.split(",")
    used = set(subscripts) - set(",.->")
    free = [c for c in string.ascii_letters if c not in used]
    ell_n = max(
        (
            len(s) - len(t.replace("...", ""))
            for t, s in zip(terms, shapes, strict=True)
            if "..." in t
        ),
        default=0,
    )
    ell = "".join(free[:ell_n])
    del free[:ell_n]
    fixed = []
    for t, s in zip(terms, shapes, strict=True):
        if "..." in t:
            k = len(s) - len(t.replace("...", ""))
            t = t.replace("...", ell[ell_n - k :] if k else "")
        fixed.append(t)
    if out is None:
        letters = "".join(fixed)
        out = ell + "".join(
            sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ell)
        )
    else:
        out = out.replace("...", ell)
    return fixed, out


def _fresh(spec: str, k: int) -> str:
    return "".join([c for c in string.ascii_letters if c not in spec][:k])


def _einsum_impl(*ops: Any, terms: tuple[str, ...], out: str) -> Any:
    return np.einsum(",".join(terms) + "->" + out, *ops, optimize=len(ops) > 2)


def _einsum_jvp(i: int) -> Any:
    def jvp(t: Any, ans: Any, *ops: Any, terms: tuple[str, ...], out: str) -> Any:
        nb = bnb(t, ops[i])
        b = _fresh("".join(terms) + out, nb)
        tt = list(terms)
        tt[i] = b + tt[i]
        return EINSUM(*ops[:i], t, *ops[i + 1 :], terms=tuple(tt), out=b + out)

    return jvp


def _einsum_vjp(i: int) -> Any:
    def vjp(g: Any, ans: Any, *ops: Any, terms: tuple[str, ...], out: str) -> Any:
        target = terms[i]
        if len(set(target)) != len(target):
            raise TracingError(
                "einsum with a repeated index in one operand (a diagonal) has no reverse rule"
            )
        others = [terms[j] for j in range(len(ops)) if j != i]
        have = set(out).union(*others) if others else set(out)
        kept = "".join(c for c in target if c in have)
        r = EINSUM(g, *ops[:i], *ops[i + 1 :], terms=(out, *others), out=kept)
        if kept != target:
            shp = tuple(shape_of(ops[i])[k] if c in kept else 1 for k, c in enumerate(target))
            r = np.broadcast_to(np.reshape(r, shp), shape_of(ops[i]))
        return r

    return vjp


EINSUM = Primitive("einsum", _einsum_impl)
for _i in range(16):
    EINSUM.rules(_i, _einsum_jvp(_i), _einsum_vjp(_i))


@implements(np.einsum)
def _einsum(
    subscripts: Any, *operands: Any, out: Any = None, optimize: Any = False, **kw: Any
) -> Any:
    if not isinstance(subscripts, str):
        raise TracingError(
            "np.einsum in the interleaved (operand, sublist) form is not supported when traced"
        )
    if out is not None:
        raise TracingError("np.einsum(..., out=...) cannot store a traced value")
    terms, o = _parse(subscripts, [shape_of(a) for a in operands])
    return EINSUM(*operands, terms=tuple(terms), out=o)


@implements(np.matmul, np.linalg.matmul)
def _matmul(x1: Any, x2: Any, **kw: Any) -> Any:
    return MATMUL(x1, x2)


@implements(np.dot)
def _dot(a: Any, b: Any, out: Any = None) -> Any:
    if out is not None:
        raise TracingError("np.dot(..., out=...) cannot store a traced value")
    if _nd(a) == 0 or _nd(b) == 0:
        return a * b
    if _nd(b) <= 2:
        return MATMUL(a, b)
    return _tensordot(a, b, axes=([-1], [-2]))


@implements(np.vdot)
def _vdot(a: Any, b: Any) -> Any:
    return np.sum(
        np.conj(_ravel(a) if hasattr(a, "_trace") else np.ravel(a))
        * (_ravel(b) if hasattr(b, "_trace") else np.ravel(b))
    )


@implements(np.inner)
def _inner(a: Any, b: Any) -> Any:
    if _nd(a) == 0 or _nd(b) == 0:
        return a * b
    return _tensordot(a, b, axes=([-1], [-1]))


@implements(np.outer, np.linalg.outer)
def _outer(a: Any, b: Any, out: Any = None) -> Any:
    ra = _reshape_to(a, (-1, 1)) if hasattr(a, "_trace") else np.reshape(a, (-1, 1))
    rb = _ravel(b) if hasattr(b, "_trace") else np.ravel(b)
    return ra * rb


@implements(np.tensordot, np.linalg.tensordot)
def _tensordot(a: Any, b: Any, axes: Any = 2) -> Any:
    na, nb_ = _nd(a), _nd(b)
    if isinstance(axes, (int, np.integer)):
        ax_a, ax_b = list(range(na - axes, na)), list(range(axes))
    else:
        ax_a, ax_b = axes
        ax_a = [ax_a] if isinstance(ax_a, (int, np.integer)) else list(ax_a)
        ax_b = [ax_b] if isinstance(ax_b, (int, np.integer)) else list(ax_b)
    ax_a = [i % na for i in ax_a]
    ax_b = [i % nb_ for i in ax_b]
    letters = string.ascii_letters
    ta = letters[:na]
    tb = list(letters[na : na + nb_])
    for i, j in zip(ax_a, ax_b, strict=True):
        tb[j] = ta[i]
    tb = "".join(tb)
    o = "".join(c for k, c in enumerate(ta) if k not in ax_a) + "".join(
        c for k, c in enumerate(tb) if k not in ax_b
    )
    return EINSUM(a, b, terms=(ta, tb), out=o)


@implements(np.kron)
def _kron(a: Any, b: Any) -> Any:
    nd = max(_nd(a), _nd(b))
    sa = (1,) * (nd - _nd(a)) + tuple(shape_of(a))
    sb = (1,) * (nd - _nd(b)) + tuple(shape_of(b))
    ea = np.reshape(a, sum(((n, 1) for n in sa), ()))
    eb = np.reshape(b, sum(((1, n) for n in sb), ()))
    return np.reshape(ea * eb, tuple(x * y for x, y in zip(sa, sb, strict=True)))


@implements(np.trace, np.linalg.trace)
def _trace(
    a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None, out: Any = None
) -> Any:
    if out is not None:
        raise TracingError("np.trace(..., out=...) cannot store a traced value")
    return np.sum(_diagonal(a, offset, axis1, axis2), axis=-1)


@implements(np.cross, np.linalg.cross)
def _cross(
    a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: Any = None
) -> Any:
    if axis is not None:
        axisa = axisb = axisc = axis
    a = _moveaxis(a, axisa, -1) if hasattr(a, "_trace") else np.moveaxis(a, axisa, -1)
    b = _moveaxis(b, axisb, -1) if hasattr(b, "_trace") else np.moveaxis(b, axisb, -1)
    if shape_of(a)[-1] != 3 or shape_of(b)[-1] != 3:
        raise TracingError("np.cross of traced values supports 3-vectors only")
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    c = np.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)
    return np.moveaxis(c, -1, axisc)


@implements(np.linalg.inv)
def _inv(a: Any) -> Any:
    return INV(a)


@implements(np.linalg.solve)
def _solve(a: Any, b: Any) -> Any:
    return SOLVE(a, b)


@implements(np.linalg.det)
def _det(a: Any) -> Any:
    return DET(a)


@implements(np.linalg.slogdet)
def _slogdet(a: Any) -> Any:
    _real_only("slogdet", raw(a))
    return SLOGDET(a)


@implements(np.linalg.cholesky)
def _cholesky(a: Any, upper: bool = False) -> Any:
    L = CHOLESKY(a)
    return _mT(L) if upper else L


@implements(np.linalg.eigh)
def _eigh(a: Any, UPLO: str = "L") -> Any:
    return EIGH(a, UPLO=UPLO)


@implements(np.linalg.eigvalsh)
def _eigvalsh(a: Any, UPLO: str = "L") -> Any:
    return EIGH(a, UPLO=UPLO)[0]


@implements(np.linalg.svd)
def _svd(
    a: Any, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False
) -> Any:
    m, n = shape_of(a)[-2:]
    if compute_uv and full_matrices and m != n:
        raise TracingError(
            "the derivative of np.linalg.svd needs full_matrices=False for non-square input"
        )
    u, s, vh = SVD(a)
    return (u, s, vh) if compute_uv else s


@implements(np.linalg.svdvals)
def _svdvals(x: Any) -> Any:
    return SVD(x)[1]


@implements(np.linalg.qr)
def _qr(a: Any, mode: str = "reduced") -> Any:
    if mode not in ("reduced", "r"):
        raise TracingError(
            f"np.linalg.qr(mode={mode!r}) is not supported when traced; use 'reduced'"
        )
    q, r = QR(a)
    return r if mode == "r" else (q, r)


@implements(np.linalg.pinv)
def _pinv(a: Any, rcond: Any = None, hermitian: bool = False, *, rtol: Any = None) -> Any:
    u, s, vh = SVD(a)
    cut = (1e-15 if rcond is None else rcond) * np.max(raw(s), axis=-1, keepdims=True)
    big = raw(s) > cut
    inv_s = np.where(big, 1.0 / np.where(big, s, 1.0), 0.0)
    return _mT(vh) @ (inv_s[..., :, None] * _mT(u))


@implements(np.linalg.matrix_power)
def _matrix_power(a: Any, n: int) -> Any:
    if n < 0:
        a, n = INV(a), -n
    if n == 0:
        return np.broadcast_to(np.eye(shape_of(a)[-1]), shape_of(a)) + 0 * a
    out = a
    for _ in range(n - 1):
        out = MATMUL(out, a)
    return out


@implements(np.linalg.multi_dot)
def _multi_dot(arrays: Any, *, out: Any = None) -> Any:
    arrays = list(arrays)
    res = arrays[0]
    for b in arrays[1:]:
        res = _dot(res, b)
    return res


def _abs2(x: Any) -> Any:
    return np.real(x * np.conj(x)) if is_complex(x) else x * x


def _vector_norm(x: Any, ord: Any, axis: Any, keepdims: bool) -> Any:
    if ord is None or ord == 2:
        return np.sqrt(np.sum(_abs2(x), axis=axis, keepdims=keepdims))
    if ord == np.inf:
        return np.max(np.abs(x), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return np.min(np.abs(x), axis=axis, keepdims=keepdims)
    if ord == 1:
        return np.sum(np.abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:
        raise TracingError("np.linalg.norm(ord=0) counts non-zeros and has no derivative")
    return np.sum(np.abs(x) ** ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)


def _matrix_norm(x: Any, ord: Any, axis: tuple[int, int], keepdims: bool) -> Any:
    r0, r1 = axis
    if ord in (None, "fro"):
        res = np.sqrt(np.sum(_abs2(x), axis=axis, keepdims=True))
    elif ord in (1, -1):
        s = np.sum(np.abs(x), axis=r0, keepdims=True)
        res = (np.max if ord == 1 else np.min)(s, axis=r1, keepdims=True)
    elif ord in (np.inf, -np.inf):
        s = np.sum(np.abs(x), axis=r1, keepdims=True)
        res = (np.max if ord == np.inf else np.min)(s, axis=r0, keepdims=True)
    elif ord in (2, -2, "nuc"):
        xm = _moveaxis(x, (r0, r1), (-2, -1))
        s = SVD(xm)[1]
        red = {2: np.max, -2: np.min, "nuc": np.sum}[ord](s, axis=-1)
        res = np.expand_dims(np.expand_dims(red, -1), -1)
        res = _moveaxis(res, (-2, -1), (r0, r1))
    else:
        raise ValueError(f"invalid norm order {ord!r} for matrices")
    return res if keepdims else np.squeeze(res, axis=axis)


@implements(np.linalg.norm)
def _norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
    nd = _nd(x)
    if axis is None:
        if ord is None or (ord == "fro" and nd == 2):
            r = np.sqrt(np.sum(_abs2(x)))
            return np.reshape(r, (1,) * nd) if keepdims else r
        axis = tuple(range(nd))
    if isinstance(axis, (int, np.integer)) or len(axis) == 1:
        ax = axis if isinstance(axis, (int, np.integer)) else axis[0]
        return _vector_norm(x, ord, ax, keepdims)
    return _matrix_norm(x, ord, tuple(a % nd for a in axis), keepdims)


@implements(np.linalg.vector_norm)
def _vnorm(x: Any, /, *, axis: Any = None, keepdims: bool = False, ord: Any = 2) -> Any:
    if axis is None:
        r = _vector_norm(_ravel(x), ord, 0, False)
        return np.reshape(r, (1,) * _nd(x)) if keepdims else r
    return _vector_norm(x, ord, axis, keepdims)


@implements(np.linalg.matrix_norm)
def _mnorm(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> Any:
    return _matrix_norm(x, ord, (_nd(x) - 2, _nd(x) - 1), keepdims)


@implements(np.linalg.diagonal)
def _ldiagonal(x: Any, /, *, offset: int = 0) -> Any:
    return _diagonal(x, offset, -2, -1)


@implements(np.linalg.vecdot, np.vecdot)
def _vecdot(x1: Any, x2: Any, /, *, axis: int = -1, **kw: Any) -> Any:
    return np.sum(np.conj(x1) * x2, axis=axis)


if hasattr(np, "matvec"):  # NumPy >= 2.2

    @implements(np.matvec)
    def _matvec(x1: Any, x2: Any, /, **kw: Any) -> Any:
        return np.einsum("...ij,...j->...i", x1, x2)

    @implements(np.vecmat)
    def _vecmat(x1: Any, x2: Any, /, **kw: Any) -> Any:
        return np.einsum("...j,...ji->...i", np.conj(x1), x2)


@implements(np.linalg.matrix_transpose)
def _lmT(x: Any) -> Any:
    return _mT(x)


OPS["matmul"] = MATMUL
