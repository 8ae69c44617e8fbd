"""Rule table: ``scipy.linalg`` (solvers, factorisations, matrix functions).

These SciPy functions are written in Python and convert their input with
``np.asarray``; importing ``scipy.linalg`` after ``dfdx.ad`` (or before) hooks
them (``_hooks``).  Traced calls are written with NumPy, or are primitives:

* ``inv`` and ``det``: ``np.linalg.inv`` and ``np.linalg.det``.
* ``solve`` (with ``assume_a``, ``lower``, ``transposed``), ``solve_triangular``
  (``trans``, ``lower``, ``unit_diagonal``), ``solve_banded``, ``cho_factor``,
  ``cho_solve``, ``lu_solve``: the matrix SciPy actually reads (one triangle, the
  band, the diagonal) is built from the traced entries, then ``np.linalg.solve``
  or ``np.linalg.cholesky`` (rules in ``_rules_linalg``): the derivative is the
  derivative of what SciPy computes, never of a symmetrised stand-in.
* ``lu_factor``: with the row pivots of the plain computation held fixed,
  ``P A = L U`` gives ``dL = L tril(F, -1)``, ``dU = triu(F) U``,
  ``F = L^-1 P dA U^-1`` (square matrices).
* ``expm``: the Frechet derivative from ``expm([[A, E], [0, A]])``; its adjoint is
  the Frechet derivative at ``A^T``.
* ``sqrtm``: ``X dX + dX X = dA`` (a Sylvester equation); adjoint at ``X^T``.
* ``solve_sylvester``: ``A dX + dX B = dQ - dA X - X dB``.
* ``block_diag``: concatenation.

Values equal SciPy's to rounding (the solvers may use another LAPACK routine).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.linalg as sl

from dfdx.ad._helpers import shape_of
from dfdx.ad._hooks import ORIGINALS, hook
from dfdx.ad._primitive import Primitive, TracingError
from dfdx.ad._tracer import raw

__all__ = ["EXPM", "LU", "SQRTM", "SYLVESTER"]

_mT = np.matrix_transpose


def _from_triangle(a: Any, lower: bool, conj: bool) -> Any:
    """The symmetric (``conj``: Hermitian) matrix LAPACK reads from one triangle of ``a``."""
    tri, strict = (np.tril(a), np.tril(a, -1)) if lower else (np.triu(a), np.triu(a, 1))
    other = _mT(strict)
    if conj:
        other = np.conj(other)
        n = shape_of(a)[-1]
        tri = np.where(np.eye(n, dtype=bool), np.real(tri), tri)
    return tri + other


_ASSUME = {
    None: "gen",
    "gen": "gen",
    "general": "gen",
    "banded": "gen",
    "sym": "sym",
    "symmetric": "sym",
    "her": "her",
    "hermitian": "her",
    "pos": "pos",
    "positive definite": "pos",
    "diagonal": "diagonal",
    "tridiagonal": "tridiagonal",
    "upper triangular": "upper",
    "lower triangular": "lower",
}


def _read(a: Any, assume_a: Any, lower: bool) -> Any:
    kind = _ASSUME.get(assume_a)
    if kind is None:
        raise ValueError(f"scipy.linalg.solve: assume_a={assume_a!r} is not recognised")
    n = shape_of(a)[-1]
    if kind == "gen":
        return a
    if kind in ("sym", "her", "pos"):
        cplx = np.iscomplexobj(raw(a))
        return _from_triangle(a, lower, kind == "her" or (kind == "pos" and cplx))
    if kind == "diagonal":
        return np.where(np.eye(n, dtype=bool), a, 0)
    if kind == "tridiagonal":
        i, j = np.indices((n, n))
        return np.where(np.abs(i - j) <= 1, a, 0)
    return np.triu(a) if kind == "upper" else np.tril(a)


def _solve(
    a: Any,
    b: Any,
    lower: bool = False,
    overwrite_a: bool = False,
    overwrite_b: bool = False,
    check_finite: bool = True,
    assume_a: Any = None,
    transposed: bool = False,
) -> Any:
    m = _read(a, assume_a, lower)
    if transposed:
        m = _mT(m)
    return np.linalg.solve(m, b)


def _triangle(a: Any, lower: bool, unit_diagonal: bool) -> Any:
    t = np.tril(a) if lower else np.triu(a)
    if unit_diagonal:
        t = np.where(np.eye(shape_of(a)[-1], dtype=bool), 1.0, t)
    return t


def _transposed(t: Any, trans: Any) -> Any:
    if trans in (0, "N"):
        return t
    if trans in (1, "T"):
        return _mT(t)
    if trans in (2, "C"):
        return np.conj(_mT(t))
    raise ValueError(f"trans must be 0, 1, 2, 'N', 'T' or 'C', got {trans!r}")


def _solve_triangular(
    a: Any,
    b: Any,
    trans: Any = 0,
    lower: bool = False,
    unit_diagonal: bool = False,
    overwrite_b: bool = False,
    check_finite: bool = True,
) -> Any:
    return np.linalg.solve(_transposed(_triangle(a, lower, unit_diagonal), trans), b)


def _cho_factor(
    a: Any, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True
) -> Any:
    ORIGINALS["scipy.linalg.cho_factor"](raw(a), lower=lower)  # SciPy's checks and errors
    cplx = np.iscomplexobj(raw(a))
    low = np.linalg.cholesky(_from_triangle(a, lower, cplx))
    n = shape_of(a)[-1]
    if lower:
        return np.where(np.tri(n, dtype=bool), low, a), lower
    up = _mT(low)
    if cplx:
        up = np.conj(up)
    return np.where(np.tri(n, dtype=bool).T, up, a), lower


def _cho_solve(
    c_and_lower: Any, b: Any, overwrite_b: bool = False, check_finite: bool = True
) -> Any:
    c, lower = c_and_lower
    low = np.tril(c) if lower else _mT(np.triu(c))
    if not lower and np.iscomplexobj(raw(c)):
        low = np.conj(low)
    lh = _mT(low)
    if np.iscomplexobj(raw(c)):
        lh = np.conj(lh)
    return np.linalg.solve(lh, np.linalg.solve(low, b))


def _perm(piv: Any) -> Any:
    """Row order ``perm`` with ``P A = A[perm]`` from LAPACK's pivot indices."""
    perm = np.arange(len(piv))
    for i, p in enumerate(np.asarray(piv)):
        perm[[i, p]] = perm[[p, i]]
    return perm


def _lu_parts(lu: Any) -> tuple[Any, Any]:
    n = shape_of(lu)[-1]
    return np.tril(lu, -1) + np.eye(n), np.triu(lu)


def _lu_jvp(t: Any, ans: Any, a: Any, piv: Any) -> Any:
    low, up = _lu_parts(ans)
    f = np.linalg.inv(low) @ t[..., _perm(piv), :] @ np.linalg.inv(up)
    return low @ np.tril(f, -1) + np.triu(f) @ up


def _lu_vjp(g: Any, ans: Any, a: Any, piv: Any) -> Any:
    low, up = _lu_parts(ans)
    gf = np.tril(_mT(low) @ np.tril(g, -1), -1) + np.triu(np.triu(g) @ _mT(up))
    x = _mT(np.linalg.inv(low)) @ gf @ _mT(np.linalg.inv(up))
    return x[..., np.argsort(_perm(piv)), :]


LU = Primitive("scipy.linalg.lu_factor", lambda a, piv: sl.lu_factor(a)[0])
LU.rules(0, _lu_jvp, _lu_vjp)


def _lu_factor(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> Any:
    if len(shape_of(a)) != 2 or shape_of(a)[0] != shape_of(a)[1]:
        raise TracingError("scipy.linalg.lu_factor: the derivative needs a square 2-D matrix")
    _, piv = ORIGINALS["scipy.linalg.lu_factor"](raw(a))
    return LU(a, piv=piv), piv


def _lu_solve(
    lu_and_piv: Any, b: Any, trans: Any = 0, overwrite_b: bool = False, check_finite: bool = True
) -> Any:
    lu, piv = lu_and_piv
    perm = _perm(raw(piv))
    low, up = _lu_parts(lu)
    if trans in (0, "N"):
        return np.linalg.solve(up, np.linalg.solve(low, b[perm]))
    y = np.linalg.solve(_transposed(low, trans), np.linalg.solve(_transposed(up, trans), b))
    return y[np.argsort(perm)]


def _block(a: Any, e: Any) -> Any:
    """``[[A, E], [0, A]]`` with ``A`` broadcast to ``E``'s leading (batch) axes."""
    a = np.broadcast_to(a, shape_of(e)) if shape_of(a) != shape_of(e) else a
    z = np.zeros(shape_of(e), dtype=np.result_type(raw(a), raw(e)))
    return np.concatenate(
        [np.concatenate([a, e], axis=-1), np.concatenate([z, a], axis=-1)], axis=-2
    )


def _frechet(a: Any, e: Any) -> Any:
    n = shape_of(a)[-1]
    return EXPM(_block(a, e))[..., :n, n:]


EXPM = Primitive("scipy.linalg.expm", lambda a: sl.expm(a)).rules(
    0, lambda t, ans, a: _frechet(a, t), lambda g, ans, a: _frechet(_mT(a), g)
)

SYLVESTER = Primitive("scipy.linalg.solve_sylvester", lambda a, b, q: sl.solve_sylvester(a, b, q))
SYLVESTER.rules(
    0,
    lambda t, ans, a, b, q: SYLVESTER(a, b, -(t @ ans)),
    lambda g, ans, a, b, q: -(SYLVESTER(_mT(a), _mT(b), g) @ _mT(ans)),
)
SYLVESTER.rules(
    1,
    lambda t, ans, a, b, q: SYLVESTER(a, b, -(ans @ t)),
    lambda g, ans, a, b, q: -(_mT(ans) @ SYLVESTER(_mT(a), _mT(b), g)),
)
SYLVESTER.rules(
    2,
    lambda t, ans, a, b, q: SYLVESTER(a, b, t),
    lambda g, ans, a, b, q: SYLVESTER(_mT(a), _mT(b), g),
)

SQRTM = Primitive("scipy.linalg.sqrtm", lambda a: sl.sqrtm(a)).rules(
    0,
    lambda t, ans, a: SYLVESTER(ans, ans, t),
    lambda g, ans, a: SYLVESTER(_mT(ans), _mT(ans), g),
)


def _solve_banded(
    l_and_u: Any,
    ab: Any,
    b: Any,
    overwrite_ab: bool = False,
    overwrite_b: bool = False,
    check_finite: bool = True,
) -> Any:
    nl, nu = (int(v) for v in l_and_u)
    n = shape_of(ab)[-1]
    i, j = np.indices((n, n))
    r = nu + i - j
    inside = (r >= 0) & (r <= nl + nu)
    return np.linalg.solve(np.where(inside, ab[np.clip(r, 0, nl + nu), j], 0), b)


def _block_diag(*arrs: Any) -> Any:
    if not arrs:
        return ORIGINALS["scipy.linalg.block_diag"]()
    mats = [np.atleast_2d(a) for a in arrs]
    for k, m in enumerate(mats):
        if len(shape_of(m)) > 2:
            raise ValueError(
                f"arguments in the following positions have dimension greater than 2: [{k}]"
            )
    dtype = np.result_type(*[raw(m) for m in mats])
    cols = [shape_of(m)[1] for m in mats]
    total = sum(cols)
    rows, before = [], 0
    for m, c in zip(mats, cols, strict=True):
        r = shape_of(m)[0]
        left = np.zeros((r, before), dtype)
        right = np.zeros((r, total - before - c), dtype)
        rows.append(np.concatenate([left, m, right], axis=1))
        before += c
    return np.concatenate(rows, axis=0)


def _inv(
    a: Any,
    overwrite_a: bool = False,
    check_finite: bool = True,
    *,
    assume_a: Any = None,
    lower: bool = False,
) -> Any:
    return np.linalg.inv(_read(a, assume_a, lower))


TRACED: dict[str, Callable[..., Any]] = {
    "inv": _inv,
    "det": lambda a, overwrite_a=False, check_finite=True: np.linalg.det(a),
    "solve": _solve,
    "solve_triangular": _solve_triangular,
    "cho_factor": _cho_factor,
    "cho_solve": _cho_solve,
    "lu_factor": _lu_factor,
    "lu_solve": _lu_solve,
    "expm": lambda A: EXPM(A),
    "sqrtm": lambda A, disp=None, blocksize=None: SQRTM(A),
    "solve_sylvester": lambda a, b, q: SYLVESTER(a, b, q),
    "solve_banded": _solve_banded,
    "block_diag": _block_diag,
}

for _name, _fn in TRACED.items():
    hook(getattr(sl, _name), f"scipy.linalg.{_name}", _fn)
