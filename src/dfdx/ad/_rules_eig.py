"""Rule table: ``np.linalg.eig`` and ``eigvals`` of general (non-symmetric) matrices.

With ``A V = V diag(w)`` and ``P = V^-1 dA V``: ``dw = diag(P)`` and
``dV = V (F o P) + V diag(c)``, ``F[i, j] = 1 / (w[j] - w[i])`` off the diagonal
(distinct eigenvalues assumed).  ``c`` keeps LAPACK's normalisation, so the
derivative is that of the eigenvectors NumPy returns: every column has unit
2-norm and its largest entry (in modulus) real.  The eigenvalues are
holomorphic in ``A``; the normalised eigenvectors are not, and the reverse rule
is the adjoint for the pairing ``Re sum(a * b)`` (the convention of ``grad``).
The cotangent of a real matrix is the real part.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx.ad._helpers import shape_of
from dfdx.ad._primitive import Primitive, implements
from dfdx.ad._tracer import raw

__all__ = ["EIG"]

_mT = np.matrix_transpose


def _gap(w: Any) -> Any:
    d = w[..., None, :] - w[..., :, None]
    eye = np.eye(shape_of(w)[-1], dtype=bool)
    return np.where(eye, 0.0, 1.0 / np.where(eye, 1.0, d))


def _big(v: Any) -> Any:
    """Row index of the largest entry of every column (plain), shaped (..., 1, n)."""
    return np.argmax(np.abs(raw(v)), axis=-2)[..., None, :]


def _eig_impl(a: Any) -> Any:
    w, v = np.linalg.eig(a)
    return w, v


def _eig_jvp(t: Any, ans: Any, a: Any) -> Any:
    w, v = ans
    p = np.linalg.inv(v) @ t @ v
    dw = np.diagonal(p, axis1=-2, axis2=-1)
    dv0 = v @ (_gap(w) * p)
    if not np.iscomplexobj(raw(v)):  # real eigenvectors: unit norm only
        return dw, dv0 - v * np.sum(v * dv0, axis=-2, keepdims=True)
    k = _big(v)
    vk = np.take_along_axis(v, k, axis=-2)  # real (LAPACK's normalisation)
    kb = np.broadcast_to(k, shape_of(dv0)[:-2] + k.shape[-2:])  # batch axes of the tangent
    dk = np.take_along_axis(dv0, kb, axis=-2)
    c = -np.real(np.sum(np.conj(v) * dv0, axis=-2, keepdims=True)) - 1j * np.imag(dk) / np.real(vk)
    return dw, dv0 + v * c


def _eig_vjp(g: Any, ans: Any, a: Any) -> Any:
    w, v = ans
    gw, gv = g
    n = shape_of(w)[-1]
    s = np.sum(gv * v, axis=-2, keepdims=True)
    if np.iscomplexobj(raw(v)):
        k = _big(v)
        vk = np.real(np.take_along_axis(v, k, axis=-2))
        rows = np.arange(n)[:, None] == k  # (..., n, n): True at (k_j, j)
        g0 = gv - np.conj(v) * np.real(s) + np.where(rows, -1j * np.imag(s) / vk, 0)
    else:
        g0 = gv - v * s
    inner = _gap(w) * (_mT(v) @ g0) + gw[..., None, :] * np.eye(n)
    ga = _mT(np.linalg.inv(v)) @ inner @ _mT(v)
    return ga if np.iscomplexobj(raw(a)) else np.real(ga)


EIG = Primitive("eig", _eig_impl, multiple=True).rules(0, _eig_jvp, _eig_vjp)


def _eigvals_jvp(t: Any, ans: Any, a: Any) -> Any:
    _, v = np.linalg.eig(a)
    return np.diagonal(np.linalg.inv(v) @ t @ v, axis1=-2, axis2=-1)


def _eigvals_vjp(g: Any, ans: Any, a: Any) -> Any:
    _, v = np.linalg.eig(a)
    ga = _mT(np.linalg.inv(v)) @ (g[..., :, None] * _mT(v))
    return ga if np.iscomplexobj(raw(a)) else np.real(ga)


EIGVALS = Primitive("eigvals", np.linalg.eigvals).rules(0, _eigvals_jvp, _eigvals_vjp)


@implements(np.linalg.eig)
def _eig(a: Any) -> Any:
    w, v = EIG(a)
    return np.linalg._linalg.EigResult(w, v)


@implements(np.linalg.eigvals)
def _eigvals(a: Any) -> Any:
    return EIGVALS(a)
