"""Rule table: SciPy functions written in Python (``logsumexp``, ``softmax``, ``log_softmax``).

These are not ufuncs: SciPy converts their input with ``np.asanyarray``
(through its array-API helpers), which no NumPy dispatch protocol can
intercept, and ``__array_namespace__`` is consulted only when SciPy runs with
``SCIPY_ARRAY_API=1``.  So importing ``dfdx.ad`` hooks the function objects
themselves: each keeps its identity, name, signature, defaults and docstring
(``from scipy.special import logsumexp`` done earlier sees the hook too), and
its code becomes a two-line shim that runs the original code unchanged unless
an argument is a traced value.  Traced calls go to the primitive below, whose
rules are written with NumPy functions (so they nest to any order).

``logsumexp(a, axis, b, keepdims, return_sign)``: with ``p = b exp(a - ans)``
(times the sign of the sum when ``return_sign``), ``d ans = sum(p da) +
sum(p / b db)``; the sign returned by ``return_sign=True`` is piecewise
constant (no derivative).  ``softmax`` and ``log_softmax`` are
``exp(x - lse)`` and ``x - lse`` with ``lse = logsumexp(x, axis, keepdims=True)``.
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np
import scipy.special as sc

from dfdx.ad._helpers import neg_axes, shape_of
from dfdx.ad._hooks import swap_code
from dfdx.ad._objects import as_traced
from dfdx.ad._primitive import Primitive, TracingError, implements
from dfdx.ad._tracer import Tracer, raw

__all__ = ["LOGSUMEXP", "ORIGINALS"]

# the original SciPy functions (fresh function objects holding the original code)
ORIGINALS: dict[str, Any] = {}


def _original(name: str) -> Any:
    return ORIGINALS.get(name) or getattr(sc, name)


def _kept(ans: Any, x: Any, axes: tuple[int, ...], keepdims: bool) -> Any:
    """``ans`` with the reduced axes restored as unit axes."""
    if keepdims:
        return ans
    s = list(shape_of(x))
    for a in axes:
        s[a] = 1
    return np.reshape(ans, tuple(s))


def _weights(ans: Any, a: Any, b: Any, axes: tuple[int, ...], keepdims: bool, sign: bool) -> Any:
    """``exp(a - ans)`` (the softmax weights without ``b``), signed when ``sign``."""
    e = np.exp(a - _kept(ans, a, axes, keepdims))
    if sign:
        s = np.exp(raw(a) - raw(_kept(ans, a, axes, keepdims)))
        s = np.sign(np.sum(s if b is None else raw(b) * s, axis=axes, keepdims=True))
        e = e * s
    return e


def _lse_fast(a: Any, axes: tuple[int, ...], keepdims: bool) -> Any:
    """SciPy's own algorithm for real float ``a`` with finite maxima and no ``b`` (the same
    operations, so the same result), without its second pass for infinite results;
    None when it does not apply."""
    if type(a) is not np.ndarray or a.dtype.kind != "f" or a.ndim == 0 or a.size == 0:
        return None
    a_max = np.max(a, axis=axes, keepdims=True)
    if not np.all(np.isfinite(a_max)):
        return None
    hit = a == a_max
    m = np.sum(hit, axis=axes, keepdims=True, dtype=a.dtype)  # how many maxima
    e = np.where(hit, -np.inf, a)
    np.subtract(e, a_max, out=e)
    np.exp(e, out=e)
    s = np.sum(e, axis=axes, keepdims=True, dtype=e.dtype)
    s = np.where(s == 0, s, s / m)
    out = np.log1p(s) + np.log(m) + a_max
    if not keepdims:
        out = np.squeeze(out, axis=axes)
    return out[()] if out.ndim == 0 else out


def _lse_impl(a: Any, b: Any, axes: tuple[int, ...], keepdims: bool, sign: bool) -> Any:
    if b is None and not sign:
        out = _lse_fast(a, axes, keepdims)
        if out is not None:
            return out
    axis = axes if np.ndim(a) else None
    out = _original("logsumexp")(a, axis=axis, b=b, keepdims=keepdims, return_sign=sign)
    return out[0] if sign else out


def _lse_jvp_a(t: Any, ans: Any, a: Any, b: Any, axes: Any, keepdims: bool, sign: bool) -> Any:
    p = _weights(ans, a, b, axes, keepdims, sign)
    return np.sum(t * (p if b is None else b * p), axis=axes, keepdims=keepdims)


def _lse_vjp_a(g: Any, ans: Any, a: Any, b: Any, axes: Any, keepdims: bool, sign: bool) -> Any:
    p = _weights(ans, a, b, axes, keepdims, sign)
    return _kept(g, a, axes, keepdims) * (p if b is None else b * p)


# name        impl        forward rule / reverse rule, per differentiable argument (a, b)
LOGSUMEXP = Primitive("scipy.special.logsumexp", _lse_impl)
LOGSUMEXP.rules(0, _lse_jvp_a, _lse_vjp_a)
LOGSUMEXP.rules(
    1,
    lambda t, ans, a, b, axes, keepdims, sign: np.sum(
        t * _weights(ans, a, b, axes, keepdims, sign), axis=axes, keepdims=keepdims
    ),
    lambda g, ans, a, b, axes, keepdims, sign: (
        _kept(g, a, axes, keepdims) * _weights(ans, a, b, axes, keepdims, sign)
    ),
)


# ------------------------------------------------------------------ traced versions
def _logsumexp(
    a: Any, axis: Any = None, b: Any = None, keepdims: bool = False, return_sign: bool = False
) -> Any:
    """``scipy.special.logsumexp`` of traced values (``a`` and ``b`` both differentiable)."""
    if type(a) is not Tracer:
        a = np.asarray(a)
    if b is not None and type(b) is not Tracer:
        b = np.asarray(b)
    if b is not None:  # one common shape, so that the rules need no broadcasting
        shape = np.broadcast_shapes(shape_of(a), shape_of(b))
        a = np.broadcast_to(a, shape) if shape_of(a) != shape else a
        b = np.broadcast_to(b, shape) if shape_of(b) != shape else b
    nd = len(shape_of(a))
    axes = neg_axes(axis, nd)
    sign = bool(return_sign)
    if sign and np.iscomplexobj(raw(a)):
        raise TracingError(
            "scipy.special.logsumexp(..., return_sign=True) of complex traced values is not "
            "supported (log|sum| is not holomorphic); use return_sign=False"
        )
    out = LOGSUMEXP(a, b, axes=axes, keepdims=bool(keepdims), sign=sign)
    if not sign:
        return out
    sgn = _original("logsumexp")(
        raw(a), axis=axes if nd else None, b=raw(b), keepdims=keepdims, return_sign=True
    )[1]
    return out, sgn


def _softmax_parts(x: Any, axis: Any) -> tuple[Any, Any]:
    axes = neg_axes(axis, len(shape_of(x)))
    return x, LOGSUMEXP(x, None, axes=axes, keepdims=True, sign=False)


def _log_softmax(x: Any, axis: Any = None) -> Any:
    """``scipy.special.log_softmax`` of a traced value."""
    x, lse = _softmax_parts(x, axis)
    return x - lse


def _softmax(x: Any, axis: Any = None) -> Any:
    """``scipy.special.softmax`` of a traced value."""
    return np.exp(_log_softmax(x, axis))


TRACED = {"logsumexp": _logsumexp, "softmax": _softmax, "log_softmax": _log_softmax}


# ------------------------------------------------------------------ the hooks
def _traced(args: tuple[Any, ...]) -> bool:
    return any(type(a) is Tracer for a in args)


def dispatch_logsumexp(a: Any, axis: Any, b: Any, keepdims: Any, return_sign: Any) -> Any:
    a, b = as_traced(a), as_traced(b)
    if type(a) is Tracer or type(b) is Tracer:
        return _logsumexp(a, axis, b, keepdims, return_sign)
    return ORIGINALS["logsumexp"](a, axis, b, keepdims, return_sign)


def dispatch_softmax(x: Any, axis: Any) -> Any:
    x = as_traced(x)
    if type(x) is Tracer:
        return _softmax(x, axis)
    return ORIGINALS["softmax"](x, axis)


def dispatch_log_softmax(x: Any, axis: Any) -> Any:
    x = as_traced(x)
    if type(x) is Tracer:
        return _log_softmax(x, axis)
    return ORIGINALS["log_softmax"](x, axis)


# The shims' code replaces the SciPy functions' code: it must not refer to any global
# (it runs with SciPy's module globals), hence the import inside.
def logsumexp(
    a: Any, axis: Any = None, b: Any = None, keepdims: bool = False, return_sign: bool = False
) -> Any:
    from dfdx.ad._rules_scipy import dispatch_logsumexp

    return dispatch_logsumexp(a, axis, b, keepdims, return_sign)


def softmax(x: Any, axis: Any = None) -> Any:
    from dfdx.ad._rules_scipy import dispatch_softmax

    return dispatch_softmax(x, axis)


def log_softmax(x: Any, axis: Any = None) -> Any:
    from dfdx.ad._rules_scipy import dispatch_log_softmax

    return dispatch_log_softmax(x, axis)


_SHIMS = {"logsumexp": logsumexp, "softmax": softmax, "log_softmax": log_softmax}


def _signature(fn: Any) -> tuple[Any, ...]:
    code = fn.__code__
    return code.co_varnames[: code.co_argcount], code.co_kwonlyargcount


def _hook(name: str) -> None:
    """Give ``scipy.special.<name>`` the shim's code, keeping the original as ORIGINALS[name].

    Skipped (the function then raises TracingError on traced input, as before) when
    the SciPy function is not a plain Python function with the expected parameters.
    """
    fn = getattr(sc, name, None)
    shim = _SHIMS[name]
    if type(fn) is not types.FunctionType or fn.__closure__ is not None:
        return
    orig = getattr(fn, "__dfdx_original__", None)
    if orig is None:
        if _signature(fn) != _signature(shim):
            return
        orig = swap_code(fn, shim.__code__)
    ORIGINALS[name] = orig
    implements(fn)(TRACED[name])


for _name in _SHIMS:
    _hook(_name)
