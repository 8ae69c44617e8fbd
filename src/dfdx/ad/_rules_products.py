"""Rule table: einsum (a primitive) and the products built on it or on matmul.

dot, vdot, inner, outer, tensordot, kron, trace, cross, multi_dot, matrix_power,
pinv and the handlers of the linear-algebra primitives of ``_rules_linalg``.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from dfdx.ad._helpers import bnb, shape_of
from dfdx.ad._primitive import EveryArg, Primitive, TracingError, implements
from dfdx.ad._rules_indexing import _diagonal
from dfdx.ad._rules_linalg import (
    CHOLESKY,
    DET,
    EIGH,
    INV,
    MATMUL,
    QR,
    SLOGDET,
    SOLVE,
    SVD,
    _mH,
    _mT,
    _nd,
)
from dfdx.ad._rules_shape import _moveaxis, _ravel, _reshape_to
from dfdx.ad._tracer import inexact_dtype, raw

__all__ = ["EINSUM"]

# NumPy 2's named results (plain tuples before), built with traced members
_RESULTS = {
    "EighResult": ("eigenvalues", "eigenvectors"),
    "SlogdetResult": ("sign", "logabsdet"),
    "SVDResult": ("U", "S", "Vh"),
    "QRResult": ("Q", "R"),
}
try:
    from numpy.linalg._linalg import EighResult, QRResult, SlogdetResult, SVDResult
except ImportError:  # pragma: no cover - NumPy 1
    from collections import namedtuple

    EighResult, SlogdetResult, SVDResult, QRResult = (  # type: ignore[misc,assignment]
        namedtuple(k, v) for k, v in _RESULTS.items()
    )


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
        uniq = "".join(dict.fromkeys(target))  # letters in order of first occurrence
        others = [terms[j] for j in range(len(ops)) if j != i]
        have = set(out).union(*others) if others else set(out)
        kept = "".join(c for c in uniq if c in have)
        r = EINSUM(g, *ops[:i], *ops[i + 1 :], terms=(out, *others), out=kept)
        size = {c: shape_of(ops[i])[target.index(c)] for c in uniq}
        if kept != uniq:  # letters summed within this operand only: broadcast
            shp = tuple(size[c] if c in kept else 1 for c in uniq)
            r = np.broadcast_to(np.reshape(r, shp), tuple(size[c] for c in uniq))
        if uniq != target:  # a repeated letter (a diagonal): put r on the diagonals
            r = _on_diagonals(r, uniq, target, size, "".join(terms) + out)
        return r

    return vjp


def _on_diagonals(r: Any, uniq: str, target: str, size: dict[str, int], used: str) -> Any:
    """The array of subscripts ``target`` (repeated letters) equal to ``r`` (subscripts
    ``uniq``) on its diagonals and zero elsewhere: einsum of ``r`` with identity tensors."""
    extra = iter(_fresh(used, len(target) - len(uniq)))
    seen: dict[str, str] = {}
    spec = ""
    for c in target:
        if c in seen:
            d = next(extra)
            seen[c] += d
            spec += d
        else:
            seen[c] = c
            spec += c
    dtype = inexact_dtype(r)
    ids, id_terms = [], []
    for letters in seen.values():
        if len(letters) > 1:
            n = size[letters[0]]
            e = np.zeros((n,) * len(letters), dtype)
            e[(np.arange(n),) * len(letters)] = 1
            ids.append(e)
            id_terms.append(letters)
    return EINSUM(r, *ids, terms=(uniq, *id_terms), out=spec)


EINSUM = Primitive("einsum", _einsum_impl)
EINSUM.jvps, EINSUM.vjps = EveryArg(_einsum_jvp), EveryArg(_einsum_vjp)  # any operands


@implements(np.einsum)
def _einsum(
    subscripts: Any, *operands: Any, out: Any = None, optimize: Any = False, **kw: Any
) -> Any:
    if not isinstance(subscripts, str):  # the interleaved form (op0, sublist0, op1, ...)
        from dfdx.ad._rules_numpy_more import einsum_subscripts

        subscripts, operands = einsum_subscripts((subscripts, *operands))
    if out is not None:
        raise TracingError("np.einsum(..., out=...) cannot store a traced value")
    terms, o = _parse(subscripts, [shape_of(a) for a in operands])
    return EINSUM(*operands, terms=tuple(terms), out=o)


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
    return SlogdetResult(*SLOGDET(a))


def _hermitian_from(a: Any, lower: bool) -> Any:
    """The Hermitian matrix LAPACK reads from one triangle of ``a`` (the other triangle
    ignored, the imaginary part of the diagonal too): the function NumPy computes, so that
    derivatives at a non-symmetric argument are those of the program as it runs."""
    cplx = np.iscomplexobj(raw(a))
    part = np.tril(a, -1) if lower else np.triu(a, 1)
    eye = np.eye(shape_of(a)[-1], dtype=bool)
    diag = np.where(eye, np.real(a) if cplx else a, 0.0)
    return part + (_mH(part) if cplx else _mT(part)) + diag


@implements(np.linalg.cholesky)
def _cholesky(a: Any, upper: bool = False) -> Any:
    L = CHOLESKY(_hermitian_from(a, lower=not upper))
    return (_mH(L) if np.iscomplexobj(raw(a)) else _mT(L)) if upper else L


def _uplo(UPLO: str) -> bool:
    if UPLO not in ("L", "U"):
        raise ValueError(f"UPLO argument must be 'L' or 'U', got {UPLO!r}")
    return UPLO == "L"


@implements(np.linalg.eigh)
def _eigh(a: Any, UPLO: str = "L") -> Any:
    # the same triangle reaches LAPACK: the same eigenvectors (signs included) as NumPy's
    w, v = EIGH(_hermitian_from(a, _uplo(UPLO)), UPLO=UPLO)
    return EighResult(w, v)


@implements(np.linalg.eigvalsh)
def _eigvalsh(a: Any, UPLO: str = "L") -> Any:
    return EIGH(_hermitian_from(a, _uplo(UPLO)), UPLO=UPLO)[0]


@implements(np.linalg.svd)
def _svd(
    a: Any, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False
) -> Any:
    m, n = shape_of(a)[-2:]
    if compute_uv and full_matrices and m != n:
        raise TracingError(
            "the derivative of np.linalg.svd needs full_matrices=False for non-square input"
        )
    if hermitian and compute_uv:  # NumPy then factors through eigh: other signs than SVD's
        raise TracingError(
            "np.linalg.svd(..., hermitian=True) is not supported when traced; use "
            "hermitian=False, np.linalg.eigh, or compute_uv=False"
        )
    u, s, vh = SVD(_hermitian_from(a, lower=True) if hermitian else a)
    return SVDResult(u, s, vh) if compute_uv else s


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
    return r if mode == "r" else QRResult(q, r)


@implements(np.linalg.pinv)
def _pinv(a: Any, rcond: Any = None, hermitian: bool = False, *, rtol: Any = None) -> Any:
    u, s, vh = SVD(a)
    cut = (1e-15 if rcond is None else rcond) * np.max(raw(s), axis=-1, keepdims=True)
    big = raw(s) > cut
    inv_s = np.where(big, 1.0 / np.where(big, s, 1.0), 0.0)
    adj = _mH if np.iscomplexobj(raw(a)) else _mT
    return adj(vh) @ (inv_s[..., :, None] * adj(u))


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
