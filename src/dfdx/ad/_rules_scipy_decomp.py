"""Rule table: ``scipy.linalg`` decompositions and their relatives, through NumPy's rules.

``cholesky``, ``eigh``/``eigvalsh``, ``svd``/``svdvals``, ``qr``, ``lu``, ``pinv``,
``norm`` and ``lstsq`` of traced matrices are written with ``np.linalg`` (whose
rules are in ``_rules_linalg``) on the matrix SciPy actually reads: one
triangle for ``cholesky`` and ``eigh`` (``lower``), the row pivots of the plain
computation for ``lu``.  Options without a rule (generalized or subset
eigenproblems, full ``Q``/``U`` of a rectangular matrix, column pivoting) raise
:class:`~dfdx.ad.TracingError`.  Values agree with SciPy's to rounding.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.linalg as sl

from dfdx.ad._helpers import shape_of
from dfdx.ad._hooks import ORIGINALS, hook
from dfdx.ad._primitive import TracingError
from dfdx.ad._rules_scipy_linalg import LU, _from_triangle, _lu_parts, _perm
from dfdx.ad._tracer import raw

__all__: list[str] = []

_mT = np.matrix_transpose


def _no(name: str, what: str) -> TracingError:
    return TracingError(f"scipy.linalg.{name}({what}) of a traced matrix has no rule in dfdx.ad")


def _cholesky(
    a: Any, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True
) -> Any:
    cplx = np.iscomplexobj(raw(a))
    low = np.linalg.cholesky(_from_triangle(a, lower, cplx))
    if lower:
        return low
    return np.conj(_mT(low)) if cplx else _mT(low)


def _eigh(
    a: Any,
    b: Any = None,
    *,
    lower: bool = True,
    eigvals_only: bool = False,
    overwrite_a: bool = False,
    overwrite_b: bool = False,
    type: int = 1,
    check_finite: bool = True,
    subset_by_index: Any = None,
    subset_by_value: Any = None,
    driver: Any = None,
) -> Any:
    if b is not None or subset_by_index is not None or subset_by_value is not None:
        raise _no("eigh", "b=..., subset_by_index/subset_by_value=...")
    w, v = np.linalg.eigh(_from_triangle(a, lower, np.iscomplexobj(raw(a))))
    return w if eigvals_only else (w, v)


def _eigvalsh(a: Any, b: Any = None, **kw: Any) -> Any:
    return _eigh(a, b, eigvals_only=True, **kw)


def _svd(
    a: Any,
    full_matrices: bool = True,
    compute_uv: bool = True,
    overwrite_a: bool = False,
    check_finite: bool = True,
    lapack_driver: str = "gesdd",
) -> Any:
    if not compute_uv:
        return np.linalg.svd(a, compute_uv=False)
    m, n = shape_of(a)[-2:]
    if full_matrices and m != n:
        raise _no("svd", "full_matrices=True, a rectangular matrix")
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return u, s, vh


def _qr(
    a: Any,
    overwrite_a: bool = False,
    lwork: Any = None,
    mode: str = "full",
    pivoting: bool = False,
    check_finite: bool = True,
) -> Any:
    m, n = shape_of(a)[-2:]
    if pivoting or mode == "raw" or (mode == "full" and m > n):
        raise _no("qr", f"mode={mode!r}, pivoting={pivoting}")
    q, r = np.linalg.qr(a)
    if mode == "r":  # the full (m, n) R, zero below the first n rows
        if m > n:
            r = np.concatenate([r, np.zeros((m - n, n), dtype=np.result_type(raw(r)))], axis=0)
        return (r,)
    return q, r


def _lu(
    a: Any,
    permute_l: bool = False,
    overwrite_a: bool = False,
    check_finite: bool = True,
    p_indices: bool = False,
) -> Any:
    if len(shape_of(a)) != 2 or shape_of(a)[0] != shape_of(a)[1]:
        raise TracingError("scipy.linalg.lu: the derivative needs a square 2-D matrix")
    _, piv = ORIGINALS["scipy.linalg.lu_factor"](raw(a))
    low, up = _lu_parts(LU(a, piv=piv))
    perm = _perm(piv)  # a[perm] = L U
    if permute_l:
        return low[np.argsort(perm)], up
    if p_indices:
        return perm, low, up
    p = np.zeros(raw(a).shape, dtype=np.result_type(raw(a)).type(0).real.dtype)
    p[perm, np.arange(len(perm))] = 1.0
    return p, low, up


def _pinv(
    a: Any,
    *,
    atol: Any = None,
    rtol: Any = None,
    return_rank: bool = False,
    check_finite: bool = True,
) -> Any:
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    sr = raw(s)
    smax = np.max(sr, axis=-1, keepdims=True) if sr.size else 0.0
    atol = 0.0 if atol is None else atol
    if rtol is None:
        rtol = max(shape_of(a)[-2:]) * np.finfo(sr.dtype).eps if atol == 0 else 0.0
    big = sr > atol + rtol * smax
    inv_s = np.where(big, 1.0 / np.where(big, s, 1.0), 0.0)
    adj = (lambda x: np.conj(_mT(x))) if np.iscomplexobj(raw(a)) else _mT
    out = adj(vh) @ (inv_s[..., :, None] * adj(u))
    return (out, int(np.sum(big))) if return_rank else out


def _norm(
    a: Any, ord: Any = None, axis: Any = None, keepdims: bool = False, check_finite: bool = True
) -> Any:
    return np.linalg.norm(a, ord=ord, axis=axis, keepdims=keepdims)


def _lstsq(
    a: Any,
    b: Any,
    cond: Any = None,
    overwrite_a: bool = False,
    overwrite_b: bool = False,
    check_finite: bool = True,
    lapack_driver: Any = None,
) -> Any:
    x, res, rank, s = np.linalg.lstsq(a, b, rcond=cond)
    if len(shape_of(b)) == 1 and shape_of(res) == (1,):
        res = res[0]
    return x, res, rank, s


TRACED: dict[str, Callable[..., Any]] = {
    "cholesky": _cholesky,
    "eigh": _eigh,
    "eigvalsh": _eigvalsh,
    "svd": _svd,
    "svdvals": lambda a, overwrite_a=False, check_finite=True: np.linalg.svd(a, compute_uv=False),
    "qr": _qr,
    "lu": _lu,
    "pinv": _pinv,
    "norm": _norm,
    "lstsq": _lstsq,
}

for _name, _fn in TRACED.items():
    hook(getattr(sl, _name), f"scipy.linalg.{_name}", _fn)
