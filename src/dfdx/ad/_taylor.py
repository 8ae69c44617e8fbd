"""Taylor mode: ``derivative(f, n)``, the elementwise n-th derivative in one pass.

A traced value carries its normalised Taylor coefficients ``c_k = f^(k)(x)/k!``
(k = 1..n) along the all-ones direction as a list whose entries may be plain
Python numbers (exact zeros and ones are skipped).  Nonlinear elementwise
primitives propagate them with the classical recurrences (Griewank & Walther,
ch. 13), each O(n^2); linear primitives reuse their forward rule on the
stacked coefficients.  A primitive without a Taylor rule makes
``derivative`` fall back to nested forward mode (exact, cost 2^n).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from dfdx._core.validate import check_int
from dfdx.ad import _pool as pool
from dfdx.ad._objects import pack_tree
from dfdx.ad._primitive import UFUNCS, Primitive, TracingError, bind
from dfdx.ad._taylor_series import (
    _PRIVATE,
    _PRODUCTS,
    Lin,
    _add,
    _const,
    _dot,
    _m,
    _Prod,
    _real,
    owned,
    private_call,
    recycle,
    t_div,
    t_exp,
    t_integrate,
    t_log,
    t_mul,
    t_pow,
    t_sincos,
)
from dfdx.ad._trace import ForwardTrace, shape_of
from dfdx.ad._tracer import OPS, Tracer
from dfdx.ad._tree import as_input

__all__ = ["derivative"]


def _series_fn(name: str) -> Callable[[list, Any, Any], list]:
    def recip(s: list) -> list:
        return t_div(_const(1.0, len(s)), s)

    def sq(s: list) -> list:
        return t_mul(s, s)

    def shift(s: list, c: float, scale: float = 1.0) -> list:
        return [_add(c, _m(scale, s[0]))] + [_m(scale, v) for v in s[1:]]

    table: dict[str, Callable[[list, Any, Any], list]] = {
        "exp": lambda a, x, ans: t_exp(a, ans),
        "expm1": lambda a, x, ans: [ans, *t_exp(a, ans + 1)[1:]],
        "exp2": lambda a, x, ans: t_exp([_m(math.log(2), v) for v in a], ans),
        "log": lambda a, x, ans: t_log(a, ans),
        "log1p": lambda a, x, ans: [ans, *t_log(shift(a, 1.0), ans)[1:]],
        "log2": lambda a, x, ans: [_m(1 / math.log(2), v) for v in t_log(a, np.log(x))],
        "log10": lambda a, x, ans: [_m(1 / math.log(10), v) for v in t_log(a, np.log(x))],
        "sin": lambda a, x, ans: t_sincos(a, ans, private_call(np.cos, x))[0],
        "cos": lambda a, x, ans: t_sincos(a, private_call(np.sin, x), ans)[1],
        "sinh": lambda a, x, ans: t_sincos(a, ans, private_call(np.cosh, x), 1.0)[0],
        "cosh": lambda a, x, ans: t_sincos(a, private_call(np.sinh, x), ans, 1.0)[1],
        "sqrt": lambda a, x, ans: t_pow(a, 0.5, ans),
        "cbrt": lambda a, x, ans: t_pow(a, 1.0 / 3.0, ans),
        "square": lambda a, x, ans: t_mul(a, a),
        "reciprocal": lambda a, x, ans: recip(a),
        "arctan": lambda a, x, ans: t_integrate(a, _lazy(lambda: recip(shift(sq(a), 1.0))), ans),
        "arcsinh": lambda a, x, ans: t_integrate(
            a, _lazy(lambda: t_pow(shift(sq(a), 1.0), -0.5, (1 + x * x) ** -0.5)), ans
        ),
        "arctanh": lambda a, x, ans: t_integrate(
            a, _lazy(lambda: recip(shift(sq(a), 1.0, -1.0))), ans
        ),
        "arcsin": lambda a, x, ans: t_integrate(
            a, _lazy(lambda: t_pow(shift(sq(a), 1.0, -1.0), -0.5, (1 - x * x) ** -0.5)), ans
        ),
        "arccos": lambda a, x, ans: t_integrate(
            a,
            _lazy(
                lambda: [
                    _m(-1.0, v) for v in t_pow(shift(sq(a), 1.0, -1.0), -0.5, (1 - x * x) ** -0.5)
                ]
            ),
            ans,
        ),
        "tan": lambda a, x, ans: _tan(a, ans, 1.0),
        "tanh": lambda a, x, ans: _tan(a, ans, -1.0),
    }
    return table[name]


def _lazy(make: Callable[[], list]) -> Callable[[int], Any]:
    cache: list = []

    def get(m: int) -> Any:
        if not cache:
            cache.append(make())
        return cache[0][m]

    return get


def _tan(a: list, ans: Any, sign: float) -> list:
    b = [ans]
    d = [_add(1.0, _m(sign, ans * ans))]
    for k in range(1, len(a)):
        b.append(_m(_dot([(_m(float(j), a[j]), d[k - j]) for j in range(1, k + 1)]), 1.0 / k))
        d.append(_m(sign, _dot([(b[i], b[k - i]) for i in range(k + 1)])))
    return b


def _binary(name: str) -> Callable[..., list]:
    def rule(sa: list | None, sb: list | None, x: Any, y: Any, ans: Any, n: int) -> list:
        a = sa if sa is not None else _const(x, n)
        b = sb if sb is not None else _const(y, n)
        if name == "mul":
            if type(x) is np.ndarray and type(y) is np.ndarray and type(ans) is np.ndarray:
                key = (id(x), id(y)) if id(x) <= id(y) else (id(y), id(x))
                _PRODUCTS.setdefault(key, _Prod(x, y, ans))  # the primal product, reused
            if sa is None:
                return [ans] + [_m(x, v) for v in b[1:]]
            if sb is None:
                return [ans] + [_m(y, v) for v in a[1:]]
            return [ans, *t_mul(a, b)[1:]]
        if name == "div":
            if sb is None:
                return [ans] + [_m(v, 1.0 / y) for v in a[1:]]
            return [ans, *t_div(a, b)[1:]]
        # power
        if sb is None:
            return [ans, *t_pow(a, y, ans)[1:]]
        loga = t_log(a, np.log(x)) if sa is not None else _const(np.log(x), n)
        return [ans, *t_exp(t_mul(loga, b), ans)[1:]]

    return rule


_UNARY = {
    np.exp: "exp",
    np.expm1: "expm1",
    np.exp2: "exp2",
    np.log: "log",
    np.log1p: "log1p",
    np.log2: "log2",
    np.log10: "log10",
    np.sin: "sin",
    np.cos: "cos",
    np.sinh: "sinh",
    np.cosh: "cosh",
    np.sqrt: "sqrt",
    np.cbrt: "cbrt",
    np.square: "square",
    np.reciprocal: "reciprocal",
    np.arctan: "arctan",
    np.arcsinh: "arcsinh",
    np.arctanh: "arctanh",
    np.arcsin: "arcsin",
    np.arccos: "arccos",
    np.tan: "tan",
    np.tanh: "tanh",
}
_BINARY = {np.multiply: "mul", np.divide: "div", np.power: "pow", np.float_power: "pow"}
_TAYLOR: dict[Primitive, Any] = {}
for _uf, _nm in _UNARY.items():
    _TAYLOR[UFUNCS[_uf]] = ("unary", _series_fn(_nm))
for _uf, _nm in _BINARY.items():
    _TAYLOR[UFUNCS[_uf]] = ("binary", _binary(_nm))
for _op, _nm in (("mul", "mul"), ("truediv", "div"), ("pow", "pow")):
    _TAYLOR[OPS[_op]] = ("binary", _binary(_nm))


_UFUNC_OF = {
    OPS[k]: u for k, u in (("mul", np.multiply), ("truediv", np.divide), ("pow", np.power))
}


def _pooled(prim: Primitive, vals: list, params: dict) -> Any:
    """The primal value, written into a recycled buffer for large plain float arrays."""
    uf = _UFUNC_OF.get(prim, prim.impl)
    if not params and isinstance(uf, np.ufunc) and uf.nout == 1:
        out = pool.call(uf, vals)
        if out is not None:
            return owned(out)
        ans = bind(prim, *vals, **params)
        return owned(ans) if type(ans) is np.ndarray and ans.nbytes >= pool.MIN_BYTES else ans
    return bind(prim, *vals, **params)


class TaylorTrace(ForwardTrace):
    """Forward trace whose tangent is the list of Taylor coefficients 1..n."""

    def __init__(self, order: int) -> None:
        super().__init__((order,))
        self.order = order

    def process(self, prim: Primitive, args: Any, params: dict[str, Any]) -> Any:
        rule = _TAYLOR.get(prim)
        vals = [a.value if type(a) is Tracer and a._trace is self else a for a in args]
        series = [
            [a.value, *a.aux]
            if type(a) is Tracer and a._trace is self and a.aux is not None
            else None
            for a in args
        ]
        if all(s is None for s in series):
            return Tracer(bind(prim, *vals, **params), self, None)
        if rule is None:
            if not prim.linear:
                raise TracingError(f"{prim.name} has no Taylor-mode rule")
            stacked = [
                Tracer(a.value, self, None if a.aux is None else self._stack(a.aux, a.value))
                if type(a) is Tracer and a._trace is self
                else a
                for a in args
            ]
            out = ForwardTrace.process(self, prim, stacked, params)
            outs = out if isinstance(out, tuple) else (out,)
            for o in outs:
                o.aux = None if o.aux is None else list(o.aux)
            return out
        ans = _pooled(prim, vals, params)
        n = self.order + 1
        if rule[0] == "unary":
            res = rule[1](series[0], vals[0], ans)
        else:
            res = rule[1](series[0], series[1], vals[0], vals[1], ans, n)
        return Tracer(ans, self, res[1:])

    @staticmethod
    def _stack(coefs: list, value: Any) -> Any:
        shp = shape_of(value)
        return np.stack([np.broadcast_to(_real(c), shp) for c in coefs])


def derivative(f: Callable[..., Any], n: int = 1) -> Callable[..., Any]:
    """The elementwise ``n``-th derivative of a scalar or elementwise function.

    Uses Taylor-mode arithmetic: one pass whose cost grows quadratically in
    ``n`` (nesting first derivatives grows exponentially).  Functions using a
    primitive without a Taylor rule are differentiated by nested forward mode.

    Parameters
    ----------
    f : callable
        ``f(x)`` acting elementwise on an array (or a scalar function).
    n : int, default 1
        Order of the derivative (``n = 0`` returns ``f`` itself).

    Returns
    -------
    callable
        ``x -> d^n f / dx^n`` evaluated elementwise at ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.ad import derivative
    >>> d4 = derivative(np.sin, 4)
    >>> np.allclose(d4(np.array([0.1, 0.2])), np.sin([0.1, 0.2]))
    True
    >>> round(float(derivative(lambda x: x**3, 2)(2.0)), 12)
    12.0
    """
    n = check_int(n, "n")

    def dn(x: Any) -> Any:
        x = as_input(x)
        if n == 0:
            return f(x)
        try:
            return _taylor(f, x, n)
        except TracingError:
            return _nested(f, x, n)

    dn.__name__ = f"derivative({getattr(f, '__name__', 'f')}, {n})"
    return dn


# the product caches and buffer pool are module state: one Taylor pass at a time
_LOCK = threading.RLock()


def _taylor(f: Callable[..., Any], x: Any, n: int) -> Any:
    with _LOCK:
        return _taylor_locked(f, x, n)


def _taylor_locked(f: Callable[..., Any], x: Any, n: int) -> Any:
    saved = dict(_PRODUCTS), dict(_PRIVATE)  # a derivative nested in another one
    _PRODUCTS.clear()
    _PRIVATE.clear()
    c = None
    try:
        trace = TaylorTrace(n)
        out = pack_tree(f(Tracer(x, trace, [1.0] + [0.0] * (n - 1))))
        if type(out) is not Tracer or out._trace is not trace or out.aux is None:
            return np.zeros_like(out.value if type(out) is Tracer else out)
        shape = shape_of(out.value)
        dtype = np.result_type(out.value)
        c = out.aux[n - 1]
        del out
        fact = math.factorial(n)
        c = c.materialize(fact, reuse=True) if type(c) is Lin else c * fact
    finally:
        _PRODUCTS.clear()
        recycle(c)
        _PRODUCTS.update(saved[0])
        _PRIVATE.update(saved[1])
    if shape_of(c) == shape and type(c) is np.ndarray:
        return c
    return np.broadcast_to(c, shape) + np.zeros(shape, np.result_type(c, dtype))


def _nested(f: Callable[..., Any], x: Any, n: int) -> Any:
    def d1(g: Callable[..., Any]) -> Callable[..., Any]:
        def h(y: Any) -> Any:
            tr = ForwardTrace()
            out = pack_tree(g(Tracer(y, tr, np.ones_like(y) if shape_of(y) else 1.0)))
            if type(out) is not Tracer or out._trace is not tr or out.aux is None:
                return 0.0 * (out.value if type(out) is Tracer else out)
            return out.aux

        return h

    g = f
    for _ in range(n):
        g = d1(g)
    return g(x)
