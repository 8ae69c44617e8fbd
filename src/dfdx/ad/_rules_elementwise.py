"""Rule table: elementwise NumPy ufuncs.

Each row gives ``d f / d x_i`` as a function of ``(ans, *args)``.  For these
(holomorphic, or real) functions the forward rule is ``t * d`` and the reverse
rule ``unbroadcast(g * d)`` (transpose, no conjugation: see ``grad``), so one
formula serves both.  Non-holomorphic functions (abs, conj, real, imag) have
explicit forward/reverse pairs below.  Kinks: ``abs'(0) = 0``; ties in
``maximum``/``minimum`` split the derivative equally (0.5 each).
"""

from __future__ import annotations

import operator
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from dfdx.ad import _pool as pool
from dfdx.ad._cotangents import NEG_AWARE, NegCt
from dfdx.ad._helpers import align, is_complex, unbroadcast
from dfdx.ad._primitive import NONDIFF_FUNCTIONS, UFUNCS, Primitive, implements
from dfdx.ad._trace import shape_of
from dfdx.ad._tracer import OPS, raw

__all__ = ["ELEMENTWISE", "ew_primitive"]

ONE, MINUS_ONE, ZERO = "one", "minus_one", "zero"
_LN2, _LN10 = np.log(2.0), np.log(10.0)


def _where0(cond: Any, a: Any) -> Any:
    return np.where(cond, 0.0, a)


def _dpow(x: Any, y: Any) -> Any:
    if type(y) is int or type(y) is float:
        if y == 2:
            return np.multiply(x, 2.0, out=pool.empty(x.shape, x.dtype)) if pool.large(x) else 2 * x
        if y == 1:
            return 1.0
        return y * x ** (y - 1) if y != 0 else 0.0 * x
    return y * x ** np.where(y == 0, 1.0, y - 1)


# ufunc: derivative wrt each positional argument, as f(ans, *args)  (JVP: t*d, VJP: g*d)
ELEMENTWISE: dict[Any, tuple[Any, ...]] = {
    np.add: (ONE, ONE),
    np.subtract: (ONE, MINUS_ONE),
    np.multiply: (lambda ans, x, y: y, lambda ans, x, y: x),
    np.divide: (lambda ans, x, y: 1.0 / y, lambda ans, x, y: -ans / y),
    np.negative: (MINUS_ONE,),
    np.positive: (ONE,),
    np.power: (
        lambda ans, x, y: _dpow(x, y),
        lambda ans, x, y: _where0(x == 0, ans * np.log(np.where(x == 0, 1.0, x))),
    ),
    np.float_power: (
        lambda ans, x, y: y * np.float_power(x, np.where(y == 0, 1.0, y - 1)),
        lambda ans, x, y: _where0(x == 0, ans * np.log(np.where(x == 0, 1.0, x))),
    ),
    np.square: (lambda ans, x: 2 * x,),
    np.sqrt: (lambda ans, x: 0.5 / ans,),
    np.cbrt: (lambda ans, x: 1.0 / (3 * ans**2),),
    np.reciprocal: (lambda ans, x: -(ans**2),),
    np.exp: (lambda ans, x: ans,),
    np.exp2: (lambda ans, x: ans * _LN2,),
    np.expm1: (lambda ans, x: ans + 1,),
    np.log: (lambda ans, x: 1.0 / x,),
    np.log2: (lambda ans, x: 1.0 / (x * _LN2),),
    np.log10: (lambda ans, x: 1.0 / (x * _LN10),),
    np.log1p: (lambda ans, x: 1.0 / (1 + x),),
    np.logaddexp: (lambda ans, x, y: np.exp(x - ans), lambda ans, x, y: np.exp(y - ans)),
    np.logaddexp2: (lambda ans, x, y: np.exp2(x - ans), lambda ans, x, y: np.exp2(y - ans)),
    np.sin: (lambda ans, x: np.cos(x),),
    np.cos: (lambda ans, x: -np.sin(x),),
    np.tan: (lambda ans, x: 1 + ans**2,),
    np.arcsin: (lambda ans, x: 1.0 / np.sqrt(1 - x**2),),
    np.arccos: (lambda ans, x: -1.0 / np.sqrt(1 - x**2),),
    np.arctan: (lambda ans, x: 1.0 / (1 + x**2),),
    np.sinh: (lambda ans, x: np.cosh(x),),
    np.cosh: (lambda ans, x: np.sinh(x),),
    np.tanh: (lambda ans, x: 1 - ans**2,),
    np.arcsinh: (lambda ans, x: 1.0 / np.sqrt(x**2 + 1),),
    np.arccosh: (lambda ans, x: 1.0 / (np.sqrt(x - 1) * np.sqrt(x + 1)),),
    np.arctanh: (lambda ans, x: 1.0 / (1 - x**2),),
    np.arctan2: (
        lambda ans, y, x: x / (x**2 + y**2),
        lambda ans, y, x: -y / (x**2 + y**2),
    ),
    np.hypot: (lambda ans, x, y: x / ans, lambda ans, x, y: y / ans),
    np.deg2rad: (lambda ans, x: np.pi / 180,),
    np.radians: (lambda ans, x: np.pi / 180,),
    np.rad2deg: (lambda ans, x: 180 / np.pi,),
    np.degrees: (lambda ans, x: 180 / np.pi,),
    np.maximum: (
        lambda ans, x, y: (x > y) + 0.5 * (x == y),
        lambda ans, x, y: (y > x) + 0.5 * (x == y),
    ),
    np.minimum: (
        lambda ans, x, y: (x < y) + 0.5 * (x == y),
        lambda ans, x, y: (y < x) + 0.5 * (x == y),
    ),
    np.fmax: (
        lambda ans, x, y: (x > y) + 0.5 * (x == y) + np.isnan(y),
        lambda ans, x, y: (y > x) + 0.5 * (x == y) + np.isnan(x),
    ),
    np.fmin: (
        lambda ans, x, y: (x < y) + 0.5 * (x == y) + np.isnan(y),
        lambda ans, x, y: (y < x) + 0.5 * (x == y) + np.isnan(x),
    ),
    np.fmod: (ONE, lambda ans, x, y: -np.trunc(x / y)),
    np.remainder: (ONE, lambda ans, x, y: -np.floor(x / y)),
    np.copysign: (lambda ans, x, y: np.where(np.signbit(x) == np.signbit(y), 1.0, -1.0), ZERO),
    np.ldexp: (lambda ans, x, n: np.ldexp(1.0, n),),
    np.floor_divide: (ZERO, ZERO),
    np.floor: (ZERO,),
    np.ceil: (ZERO,),
    np.trunc: (ZERO,),
    np.rint: (ZERO,),
    np.sign: (ZERO,),
    np.heaviside: (ZERO, ZERO),
    np.spacing: (ZERO,),
}


# Reference counts identify temporaries on CPython up to 3.13 (3.14 borrows references)
_REUSE_TEMPORARIES = sys.implementation.name == "cpython" and sys.version_info < (3, 14)


def _spare(g: Any) -> bool:
    """Whether the cotangent ``g`` may be overwritten: a plain array referenced only by the
    backward pass's loop variable, the rule's and the helper's arguments."""
    return (
        _REUSE_TEMPORARIES
        and type(g) is np.ndarray
        and sys.getrefcount(g) == 5  # + getrefcount's argument and _spare's own
        and g.base is None
        and g.flags.writeable
    )


def _uniform(g: Any) -> bool:
    """Whether ``g`` is a broadcast scalar (as the cotangent of ``np.sum``): all strides 0."""
    return type(g) is np.ndarray and g.ndim > 0 and not any(g.strides) and g.size > 0


def _scalar_of(g: np.ndarray) -> Any:
    return g[(0,) * g.ndim]


def _neg(g: Any) -> Any:
    if _uniform(g):  # stays a broadcast scalar: no pass over memory
        return np.broadcast_to(-_scalar_of(g), g.shape)
    if _spare(g):
        return np.negative(g, out=g)
    return np.negative(g, out=pool.empty(g.shape, g.dtype)) if pool.large(g) else -g


def _neg_of(g: Any, x: Any) -> Any:
    """Reverse rule of ``a - b`` for ``b``: ``-g``, lazy (a NegCt) when ``g`` is a large
    array that cannot be overwritten (the cotangent of ``a`` shares it)."""
    if _uniform(g):
        return unbroadcast(np.broadcast_to(-_scalar_of(g), g.shape), x)
    if _spare(g):
        return unbroadcast(np.negative(g, out=g), x)
    if pool.large(g) and g.shape == shape_of(x) and g.dtype == getattr(x, "dtype", None):
        return NegCt(g)
    return unbroadcast(-g, x)


def _times(g: Any, d: Any) -> Any:
    """``g * d``, written into ``d`` when ``d`` is a temporary nobody else refers to."""
    if (type(d) is float or type(d) is int) and pool.large(g):
        if _uniform(g):
            return np.broadcast_to(_scalar_of(g) * d, g.shape)
        out = g if _spare(g) else pool.empty(g.shape, g.dtype)
        return np.multiply(g, d, out=out)
    if (
        _REUSE_TEMPORARIES
        and type(d) is np.ndarray
        and sys.getrefcount(d) == 2  # only this frame's argument (and getrefcount's own)
        and d.base is None
        and d.flags.writeable
        and (type(g) is float or (type(g) is np.ndarray and g.shape == d.shape))
        and np.result_type(g, d) == d.dtype
    ):
        return np.multiply(g, d, out=d)
    if type(g) is np.ndarray and type(d) is np.ndarray and pool.large(g):
        out = pool.take(g.shape, g.dtype) if g.ndim >= d.ndim else None
        if out is not None and np.result_type(g, d) == g.dtype:
            try:
                return np.multiply(g, d, out=out)
            except ValueError:  # d does not broadcast to g's shape
                pass
    return g * d


def _jvp(d: Any, i: int, nargs: int) -> Callable[..., Any]:
    if d is ONE:
        return (lambda t, ans, *a: t) if nargs == 1 else (lambda t, ans, *a: align(t, a[i], ans))
    if d is MINUS_ONE:
        return (lambda t, ans, *a: -t) if nargs == 1 else (lambda t, ans, *a: -align(t, a[i], ans))
    if d is ZERO:
        return lambda t, ans, *a: 0.0 * align(t, a[i], ans)
    if nargs == 1:
        return lambda t, ans, x: _times(t, d(ans, x))
    return lambda t, ans, *a: _times(align(t, a[i], ans), d(ans, *a))


def _vjp(d: Any, i: int, nargs: int) -> Callable[..., Any]:
    if d is ONE:
        return (lambda g, ans, *a: g) if nargs == 1 else (lambda g, ans, *a: unbroadcast(g, a[i]))
    if d is MINUS_ONE:
        if nargs == 1:
            return lambda g, ans, *a: _neg(g)
        return lambda g, ans, *a: _neg_of(g, a[i])
    if d is ZERO:
        return lambda g, ans, *a: np.zeros_like(a[i])
    if nargs == 1:
        return lambda g, ans, x: _times(g, d(ans, x))
    return lambda g, ans, *a: unbroadcast(_times(g, d(ans, *a)), a[i])


def ew_primitive(
    name: str, impl: Callable[..., Any], derivs: tuple[Any, ...], nargs: int | None = None
) -> Primitive:
    """An elementwise primitive whose rules come from the derivative formulas ``derivs``."""
    prim = Primitive(name, impl)
    nargs = len(derivs) if nargs is None else nargs
    for i, d in enumerate(derivs):
        prim.rules(i, _jvp(d, i, nargs), _vjp(d, i, nargs))
    prim.linear = all(d in (ONE, MINUS_ONE) for d in derivs)
    if prim.linear:  # reverse rules read shapes only
        prim.keep = dict.fromkeys(range(len(derivs)), ())
    return prim


# values read by the reverse rules of the hot arithmetic primitives (-1 = the output)
_KEEP = {
    "multiply": {0: (1,), 1: (0,)},
    "divide": {0: (1,), 1: (1, -1)},
    "power": {0: (0, 1), 1: (0, 1, -1)},
}


for _uf, _derivs in ELEMENTWISE.items():
    UFUNCS[_uf] = ew_primitive(_uf.__name__, _uf, _derivs, _uf.nin)


# ---------------------------------------------------------------- non-holomorphic
def _abs_jvp(t: Any, ans: Any, x: Any) -> Any:
    if is_complex(x):
        return np.real(np.conj(x) * t) / np.where(ans == 0, 1.0, ans)
    return t * np.sign(x)


def _abs_vjp(g: Any, ans: Any, x: Any) -> Any:
    if is_complex(x):
        return g * np.conj(x) / np.where(ans == 0, 1.0, ans)
    return g * np.sign(x)


UFUNCS[np.absolute] = Primitive("absolute", np.absolute).rules(0, _abs_jvp, _abs_vjp)
UFUNCS[np.fabs] = Primitive("fabs", np.fabs).rules(0, _abs_jvp, _abs_vjp)
UFUNCS[np.conjugate] = Primitive("conjugate", np.conjugate, linear=True).rules(
    0, lambda t, ans, x: np.conj(t), lambda g, ans, x: np.conj(g)
)

# ---------------------------------------------------------------- operator fast paths
for _name, _impl, _uf in (
    ("add", operator.add, np.add),
    ("sub", operator.sub, np.subtract),
    ("mul", operator.mul, np.multiply),
    ("truediv", operator.truediv, np.divide),
    ("pow", operator.pow, np.power),
    ("mod", operator.mod, np.remainder),
    ("floordiv", operator.floordiv, np.floor_divide),
    ("neg", operator.neg, np.negative),
):
    _p = ew_primitive(_name, _impl, ELEMENTWISE[_uf])
    _p.ufunc = _uf
    OPS[_name] = _p
OPS["abs"] = UFUNCS[np.absolute]
for _uf, _op in ((np.multiply, "mul"), (np.divide, "truediv"), (np.power, "pow")):
    UFUNCS[_uf].keep = OPS[_op].keep = _KEEP[_uf.__name__]


def _pow_vjp0(g: Any, ans: Any, x: Any, y: Any) -> Any:
    """Reverse rule of ``x ** y`` for ``x``; ``x ** 2`` under a broadcast-scalar cotangent
    (``np.sum(... ** 2)``) is one pass, ``2 c x``."""
    if type(x) is np.float64 and type(y) is int and y == 2:  # scalar fast path
        return g * (2.0 * x)
    if type(g) is NegCt:  # -g: the sign joins the constant factor
        if (
            (type(y) is int or type(y) is float)
            and y == 2
            and pool.large(x)
            and g.g.shape == x.shape
        ):
            out = pool.empty(x.shape, np.result_type(x, g.g))
            np.multiply(x, -2.0, out=out)
            return np.multiply(out, g.g, out=out)
        g = g.dense()
    if (
        (type(y) is int or type(y) is float)
        and y == 2
        and pool.large(x)
        and _uniform(g)
        and g.shape == x.shape
    ):
        out = pool.empty(x.shape, np.result_type(x, g))
        return np.multiply(x, 2 * _scalar_of(g), out=out)
    return unbroadcast(_times(g, _dpow(x, y)), x)


UFUNCS[np.power].vjps[0] = OPS["pow"].vjps[0] = _pow_vjp0


def _dense_first(rule: Callable[..., Any]) -> Callable[..., Any]:
    def vjp(g: Any, *rest: Any) -> Any:
        return rule(g.dense() if type(g) is NegCt else g, *rest)

    return vjp


for _p in (UFUNCS[np.power], OPS["pow"]):
    _p.vjps[1] = _dense_first(_p.vjps[1])
    NEG_AWARE.add(_p)

NONDIFF_FUNCTIONS.update(
    {
        np.greater,
        np.greater_equal,
        np.less,
        np.less_equal,
        np.equal,
        np.not_equal,
        np.logical_and,
        np.logical_or,
        np.logical_xor,
        np.logical_not,
        np.isfinite,
        np.isinf,
        np.isnan,
        np.signbit,
        np.bitwise_and,
        np.bitwise_or,
        np.bitwise_xor,
        np.invert,
        np.left_shift,
        np.right_shift,
        np.gcd,
        np.lcm,
        np.isnat,
        np.bitwise_count,
    }
)


@implements(np.divmod)
def _divmod(x: Any, y: Any, **kw: Any) -> Any:
    return np.floor_divide(x, y), np.remainder(x, y)


@implements(np.modf)
def _modf(x: Any, **kw: Any) -> Any:
    whole = np.trunc(x)
    return x - whole, whole


@implements(np.frexp)
def _frexp(x: Any, **kw: Any) -> Any:
    _, e = np.frexp(raw(x))
    return x * np.ldexp(1.0, -e), e
