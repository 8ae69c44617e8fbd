"""Truncated Taylor series arithmetic (normalised coefficients ``c_k = f^(k)/k!``).

Series are lists of coefficients whose entries may be Python numbers (exact
zeros and ones are skipped), arrays, or :class:`Lin` - lazy linear
combinations of a few arrays - so that the series of sin, cos, exp... cost
scalar operations and products become a handful of (deferred) array products.
Recurrences: Griewank & Walther, *Evaluating Derivatives*, ch. 13.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dfdx.ad import _pool as pool


class Lin:
    """A lazy linear combination ``sum(c * base)`` of arrays with scalar weights.

    Taylor coefficients of sin, cos, exp... are scalar multiples of a few
    arrays; keeping them symbolic turns most array operations into scalar ones
    and products into a handful of cached array products.
    """

    __slots__ = ("terms",)

    def __init__(self, terms: dict[int, tuple[float, Any]]) -> None:
        self.terms = terms

    def materialize(self, scale: float = 1.0, reuse: bool = False) -> Any:
        """The array ``scale * sum(c * base)``.

        With ``reuse`` (the final coefficient, when every other intermediate is dead)
        products still pending are computed into a private factor used nowhere
        else, and private buffers are scaled and summed in place.
        """
        terms = [(c * scale, b) for c, b in self.terms.values() if c * scale != 0]
        if not terms:
            return np.zeros_like(_value(next(iter(self.terms.values()))[1]))
        if not reuse:
            arrays = [(c, _value(b), False) for c, b in terms]
        else:
            uses: dict[int, int] = {}
            for _, b in terms:
                for f in (b.a, b.b) if type(b) is _Prod and b.arr is None else (b,):
                    uses[id(f)] = uses.get(id(f), 0) + 1
            arrays = []
            for c, b in terms:
                if type(b) is _Prod:
                    if b.arr is None:
                        fa, fb = _value(b.a), _value(b.b)
                        target = next(
                            (
                                f
                                for f, src in ((fa, b.a), (fb, b.b))
                                if uses.get(id(src)) == 1 and _private(src, f, fa, fb)
                            ),
                            None,
                        )
                        b.arr = fa * fb if target is None else np.multiply(fa, fb, out=target)
                    arrays.append((c, b.arr, uses.get(id(b), 0) <= 1))
                else:
                    arrays.append((c, b, uses.get(id(b), 0) <= 1 and id(b) in _PRIVATE))
        out: Any = None
        tmp: Any = None
        for c, arr, mine in arrays:
            if out is None:
                if mine:
                    out = arr
                    if c != 1:
                        out *= c
                else:
                    out = arr * c  # a fresh buffer, accumulated in place below
            elif c == 1:
                out += arr
            elif mine:
                arr *= c
                out += arr
            else:
                tmp = np.multiply(arr, c, out=tmp)
                out += tmp
        return out


class _Prod:
    """A product of two bases, computed only when needed (or in place at the end)."""

    __slots__ = ("a", "arr", "b")

    def __init__(self, a: Any, b: Any, arr: Any = None) -> None:
        self.a, self.b, self.arr = a, b, arr


def _value(b: Any) -> Any:
    if type(b) is _Prod:
        if b.arr is None:
            b.arr = _value(b.a) * _value(b.b)
        return b.arr
    return b


def _private(src: Any, arr: Any, fa: Any, fb: Any) -> bool:
    """Whether ``arr`` may be overwritten by the product ``fa * fb``."""
    if type(arr) is not np.ndarray or not arr.flags.writeable:
        return False
    if arr.shape != np.broadcast_shapes(np.shape(fa), np.shape(fb)):
        return False
    if arr.dtype != np.result_type(fa, fb):
        return False
    return type(src) is _Prod or id(src) in _PRIVATE


def private(a: Any) -> Any:
    """Mark an array created inside a Taylor rule (no one else refers to it)."""
    if type(a) is np.ndarray:
        _PRIVATE[id(a)] = a
    return a


def private_call(ufunc: Any, x: Any) -> Any:
    """``private(ufunc(x))``, written into a recycled buffer when one is available."""
    out = pool.call(ufunc, [x])
    return private(ufunc(x) if out is None else out)


def owned(a: Any) -> Any:
    """Record a primal value the Taylor trace computed itself (candidate for recycling)."""
    if type(a) is np.ndarray:
        _OWNED[id(a)] = a
    return a


def recycle(keep: Any) -> None:
    """Return buffers nobody refers to any more (not ``keep``) to the pool."""
    candidates = list(_PRIVATE.values()) + list(_OWNED.values())
    _PRIVATE.clear()
    _OWNED.clear()
    pool.release(candidates, keep if getattr(keep, "base", None) is None else keep.base)


_PRODUCTS: dict[tuple[int, int], _Prod] = {}
_PRIVATE: dict[int, Any] = {}
_OWNED: dict[int, Any] = {}
_MAX_TERMS = 6


def _lin(a: Any) -> Lin:
    return a if type(a) is Lin else Lin({id(a): (1.0, a)})


def _scalar(a: Any) -> bool:
    return type(a) in (int, float)


def _zero(a: Any) -> bool:
    return _scalar(a) and a == 0


def _one(a: Any) -> bool:
    return _scalar(a) and a == 1


def _m(a: Any, b: Any) -> Any:
    if _zero(a) or _zero(b):
        return 0.0
    if _one(a):
        return b
    if _one(b):
        return a
    if _scalar(a):
        a, b = b, a
    if _scalar(b):
        if type(a) is Lin:
            return Lin({k: (c * b, v) for k, (c, v) in a.terms.items()})
        if isinstance(a, np.ndarray):
            return Lin({id(a): (float(b), a)})
        return a * b
    if not isinstance(a, (np.ndarray, Lin)) or not isinstance(b, (np.ndarray, Lin)):
        a = a.materialize() if type(a) is Lin else a
        b = b.materialize() if type(b) is Lin else b
        return a * b
    la, lb = _lin(a), _lin(b)
    if len(la.terms) * len(lb.terms) > len(la.terms) + len(lb.terms) + 1:
        la, lb = _lin(la.materialize()), _lin(lb.materialize())
    terms: dict[int, tuple[float, Any]] = {}
    for ka, (ca, va) in la.terms.items():
        for kb, (cb, vb) in lb.terms.items():
            key = (ka, kb) if ka <= kb else (kb, ka)
            prod = _PRODUCTS.get(key)
            if prod is None:
                prod = _PRODUCTS[key] = _Prod(va, vb)  # holds its factors: ids stay unique
            pk = id(prod)
            c0 = terms[pk][0] if pk in terms else 0.0
            terms[pk] = (c0 + ca * cb, prod)
    return Lin(terms)


def _add(a: Any, b: Any) -> Any:
    if _zero(a):
        return b
    if _zero(b):
        return a
    if _scalar(a) or _scalar(b):
        a = a.materialize() if type(a) is Lin else a
        b = b.materialize() if type(b) is Lin else b
        return a + b
    if not isinstance(a, (np.ndarray, Lin)) or not isinstance(b, (np.ndarray, Lin)):
        a = a.materialize() if type(a) is Lin else a
        b = b.materialize() if type(b) is Lin else b
        return a + b
    terms = dict(_lin(a).terms)
    for k, (c, v) in _lin(b).terms.items():
        terms[k] = (terms[k][0] + c, v) if k in terms else (c, v)
    out = Lin(terms)
    return _lin(out.materialize()) if len(terms) > _MAX_TERMS else out


def _real(a: Any) -> Any:
    return a.materialize() if type(a) is Lin else a


def _dot(terms: list[tuple[Any, Any]]) -> Any:
    out: Any = 0.0
    for a, b in terms:
        out = _add(out, _m(a, b))
    return out


def t_mul(a: list, b: list) -> list:
    n = len(a)
    return [_dot([(a[j], b[k - j]) for j in range(k + 1)]) for k in range(n)]


def t_div(a: list, b: list) -> list:
    c = [a[0] / b[0]]
    for k in range(1, len(a)):
        s = _dot([(b[j], c[k - j]) for j in range(1, k + 1)])
        c.append(_m(_add(a[k], _m(-1.0, s)), 1.0 / b[0]))
    return c


def t_integrate(a: list, d: Callable[[int], Any], b0: Any) -> list:
    """Series of b with b' = d * a' (d's coefficients produced on demand up to k-1)."""
    b = [b0]
    for k in range(1, len(a)):
        b.append(_m(_dot([(_m(float(j), a[j]), d(k - j)) for j in range(1, k + 1)]), 1.0 / k))
    return b


def t_exp(a: list, b0: Any) -> list:
    b = [b0]
    return t_integrate_self(a, b)


def t_integrate_self(a: list, b: list) -> list:
    for k in range(1, len(a)):
        b.append(_m(_dot([(_m(float(j), a[j]), b[k - j]) for j in range(1, k + 1)]), 1.0 / k))
    return b


def t_sincos(a: list, s0: Any, c0: Any, sign: float = -1.0) -> tuple[list, list]:
    s, c = [s0], [c0]
    for k in range(1, len(a)):
        ja = [_m(float(j), a[j]) for j in range(1, k + 1)]
        s.append(_m(_dot([(ja[j - 1], c[k - j]) for j in range(1, k + 1)]), 1.0 / k))
        c.append(_m(_dot([(ja[j - 1], s[k - j]) for j in range(1, k + 1)]), sign / k))
    return s, c


def _int_exponent(r: Any) -> int | None:
    """``r`` as a Python int when it is a non-negative integral real scalar (any type)."""
    real = isinstance(r, (int, float, np.integer, np.floating)) and not isinstance(r, bool)
    if real and np.isfinite(r) and float(r).is_integer() and r >= 0:
        return int(r)
    return None


def t_pow(a: list, r: Any, b0: Any) -> list:
    p = _int_exponent(r)
    if p is not None:  # products only: exact everywhere, x = 0 included
        out: list = [1.0] + [0.0] * (len(a) - 1)
        base = a
        while p:
            if p & 1:
                out = t_mul(out, base)
            p >>= 1
            if p:
                base = t_mul(base, base)
        return out
    a0 = _value(a[0].materialize() if type(a[0]) is Lin else a[0])
    at0 = None
    if isinstance(r, (int, float, np.integer, np.floating)):
        zero = np.asarray(_raw(a0)) == 0
        if zero.any():
            at0 = zero
            a0 = np.where(zero, 1.0, a0)
    b = [b0]
    inv = 1.0 / a0
    for k in range(1, len(a)):
        s = _dot([(_m(r * j - (k - j), a[j]), b[k - j]) for j in range(1, k + 1)])
        b.append(_m(s, inv / k))
    if at0 is not None:  # x = 0: coefficients of (a1 t + ...)^r, t -> 0+
        a1 = np.asarray(_raw(_value(a[1].materialize() if type(a[1]) is Lin else a[1])))
        falling = 1.0
        for k in range(1, len(a)):
            falling *= float(r) - (k - 1)
            if k < r:
                limit: Any = 0.0
            else:  # unbounded (x^(r-k), r - k < 0), signed; undefined unless x grows
                limit = np.where(a1 > 0, np.copysign(np.inf, falling), np.nan)
            b[k] = np.where(at0, limit, b[k].materialize() if type(b[k]) is Lin else b[k])
    return b


def _raw(a: Any) -> Any:
    while hasattr(a, "_trace") and hasattr(a, "aux"):
        a = a.value
    return a


def t_log(a: list, b0: Any) -> list:
    return t_integrate(a, lambda m: t_div([1.0] + [0.0] * (len(a) - 1), a)[m], b0)


def _const(v: Any, n: int) -> list:
    return [v] + [0.0] * (n - 1)
