"""Rule table (composites): vector and matrix norms (np.linalg.norm and the array-API norms).

The 2-norm is ``sqrt(sum(|x|^2))`` (derivative undefined at 0, as mathematically);
matrix 2-/nuclear norms go through the singular values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx.ad._helpers import is_complex
from dfdx.ad._primitive import TracingError, implements
from dfdx.ad._rules_indexing import _diagonal
from dfdx.ad._rules_linalg import SVD, _nd
from dfdx.ad._rules_shape import _moveaxis, _ravel

__all__: list[str] = []


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
