"""Rule table: reductions and scans (sum, prod, max/min, cumsum, cumprod) and composites.

``max``/``min`` share the derivative equally among tied maxima; ``prod`` uses
products of the other factors (exact with zeros); ``cumprod`` divides by the
input and refuses (TracingError) inputs containing zeros.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx.ad._helpers import neg_axes, shape_of
from dfdx.ad._primitive import Primitive, TracingError, implements
from dfdx.ad._rules_indexing import _flip
from dfdx.ad._rules_shape import CONCAT, RESHAPE, _moveaxis, _no, _ravel
from dfdx.ad._tracer import Tracer, raw

__all__ = ["CUMSUM", "SUM"]


def _kept(x: Any, axes: tuple[int, ...]) -> tuple[int, ...]:
    s = list(shape_of(x))
    for a in axes:
        s[a] = 1
    return tuple(s)


def _expand(g: Any, x: Any, axes: tuple[int, ...], keepdims: bool) -> Any:
    return g if keepdims else np.reshape(g, _kept(x, axes))


# name      impl                                     forward rule / reverse rule
SUM = Primitive("sum", lambda x, axes, keepdims: np.sum(x, axes, keepdims=keepdims), linear=True)
SUM.rules(
    0,
    lambda t, ans, x, axes, keepdims: np.sum(t, axis=axes, keepdims=keepdims),
    lambda g, ans, x, axes, keepdims: np.broadcast_to(_expand(g, x, axes, keepdims), shape_of(x)),
)


SUM.keep = {0: ()}


def _share(x: Any, ans: Any, axes: tuple[int, ...], keepdims: bool) -> Any:
    """Weights 1/k on the k tied extreme entries (plain array: no derivative)."""
    hit = raw(x) == _expand(raw(ans), x, axes, keepdims)
    return hit / np.sum(hit, axis=axes, keepdims=True)


def _extreme(name: str, fn: Any) -> Primitive:
    prim = Primitive(name, lambda x, axes, keepdims: fn(x, axes, keepdims=keepdims))
    return prim.rules(
        0,
        lambda t, ans, x, axes, keepdims: np.sum(
            t * _share(x, ans, axes, keepdims), axis=axes, keepdims=keepdims
        ),
        lambda g, ans, x, axes, keepdims: (
            _expand(g, x, axes, keepdims) * _share(x, ans, axes, keepdims)
        ),
    )


MAX = _extreme("max", np.max)
MIN = _extreme("min", np.min)


def _others(x: Any, axis: int) -> Any:
    """Product of all other entries along ``axis`` (exact when entries are zero)."""
    xm = _moveaxis(x, axis, -1) if type(x) is Tracer else np.moveaxis(x, axis, -1)
    ones = np.ones_like(raw(xm)[..., :1])
    left = np.cumprod(CONCAT(ones, xm[..., :-1], axis=-1), axis=-1)
    right = _flip(np.cumprod(CONCAT(ones, _flip(xm[..., 1:], -1), axis=-1), axis=-1), -1)
    o = left * right
    return _moveaxis(o, -1, axis) if type(o) is Tracer else np.moveaxis(o, -1, axis)


PROD = Primitive("prod", lambda x, axis, keepdims: np.prod(x, axis, keepdims=keepdims))
PROD.rules(
    0,
    lambda t, ans, x, axis, keepdims: np.sum(t * _others(x, axis), axis=axis, keepdims=keepdims),
    lambda g, ans, x, axis, keepdims: _expand(g, x, (axis,), keepdims) * _others(x, axis),
)


def _rcumsum(g: Any, axis: int) -> Any:
    return _flip(np.cumsum(_flip(g, axis), axis=axis), axis)


def _no_zeros(x: Any) -> Any:
    if np.any(raw(x) == 0):
        raise TracingError("the derivative of np.cumprod at zero entries is not supported")
    return x


CUMSUM = Primitive("cumsum", lambda x, axis: np.cumsum(x, axis=axis), linear=True).rules(
    0,
    lambda t, ans, x, axis: np.cumsum(t, axis=axis),
    lambda g, ans, x, axis: _rcumsum(g, axis),
)
CUMPROD = Primitive("cumprod", lambda x, axis: np.cumprod(x, axis=axis)).rules(
    0,
    lambda t, ans, x, axis: ans * np.cumsum(t / _no_zeros(x), axis=axis),
    lambda g, ans, x, axis: _rcumsum(g * ans, axis) / _no_zeros(x),
)


# ------------------------------------------------------------------ handlers
def _axes(a: Any, axis: Any) -> tuple[int, ...]:
    return neg_axes(axis, len(shape_of(a)))


def _cast(r: Any, dtype: Any) -> Any:
    return r if dtype is None else r.astype(dtype)


@implements(np.sum)
def _sum(
    a: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: bool = False,
    initial: Any = np._NoValue,
    where: Any = np._NoValue,
) -> Any:
    _no("sum", out=out, initial=initial, where=where)
    return _cast(SUM(a, axes=_axes(a, axis), keepdims=bool(keepdims)), dtype)


@implements(np.mean)
def _mean(
    a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kw: Any
) -> Any:
    _no("mean", out=out, where=kw.get("where"))
    axes = _axes(a, axis)
    n = int(np.prod([shape_of(a)[i] for i in axes]))
    return _cast(SUM(a, axes=axes, keepdims=bool(keepdims)) * (1.0 / n), dtype)


def _extreme_handler(prim: Primitive, name: str) -> Any:
    def handler(
        a: Any,
        axis: Any = None,
        out: Any = None,
        keepdims: bool = False,
        initial: Any = np._NoValue,
        where: Any = np._NoValue,
    ) -> Any:
        _no(name, out=out, initial=initial, where=where)
        return prim(a, axes=_axes(a, axis), keepdims=bool(keepdims))

    return handler


implements(np.max, np.amax)(_extreme_handler(MAX, "max"))
implements(np.min, np.amin)(_extreme_handler(MIN, "min"))


@implements(np.prod)
def _prod(
    a: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: bool = False,
    initial: Any = np._NoValue,
    where: Any = np._NoValue,
) -> Any:
    _no("prod", out=out, initial=initial, where=where)
    if axis is None:
        r = PROD(_ravel(a), axis=-1, keepdims=False)
        return _cast(np.reshape(r, (1,) * len(shape_of(a))) if keepdims else r, dtype)
    axes = _axes(a, axis)
    nd = len(shape_of(a))
    for ax in axes:
        a = PROD(a, axis=ax, keepdims=True)
    if not keepdims:
        shape = tuple(n for i, n in enumerate(shape_of(a)) if i - nd not in axes)
        a = RESHAPE(a, shape=shape)
    return _cast(a, dtype)


def _scan(prim: Primitive, name: str) -> Any:
    def handler(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
        _no(name, out=out)
        if axis is None:
            a, axis = _ravel(a), -1
        return _cast(prim(a, axis=neg_axes(axis, len(shape_of(a)))[0]), dtype)

    return handler


implements(np.cumsum)(_scan(CUMSUM, "cumsum"))
implements(np.cumprod)(_scan(CUMPROD, "cumprod"))
if hasattr(np, "cumulative_sum"):  # NumPy >= 2.1
    implements(np.cumulative_sum)(_scan(CUMSUM, "cumsum"))
    implements(np.cumulative_prod)(_scan(CUMPROD, "cumprod"))


@implements(np.var)
def _var(
    a: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    ddof: float = 0,
    keepdims: bool = False,
    **kw: Any,
) -> Any:
    _no("var", out=out, where=kw.get("where"), mean=kw.get("mean"))
    axes = _axes(a, axis)
    n = int(np.prod([shape_of(a)[i] for i in axes]))
    d = a - SUM(a, axes=axes, keepdims=True) * (1.0 / n)
    sq = np.real(d * np.conj(d)) if np.iscomplexobj(raw(a)) else d * d
    return _cast(
        SUM(sq, axes=axes, keepdims=bool(keepdims)) * (1.0 / (n - kw.get("correction", ddof))),
        dtype,
    )


@implements(np.std)
def _std(
    a: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    ddof: float = 0,
    keepdims: bool = False,
    **kw: Any,
) -> Any:
    var = _var(a, axis, dtype, out, ddof, keepdims, **kw)
    if int(np.prod([shape_of(a)[i] for i in _axes(a, axis)])) == 1:
        return var  # one element: identically 0 (as is its derivative), like sqrt(var)
    return np.sqrt(var)


@implements(np.nansum)
def _nansum(
    a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kw: Any
) -> Any:
    return _sum(np.where(np.isnan(raw(a)), 0.0, a), axis, dtype, out, keepdims)


@implements(np.nanmean)
def _nanmean(
    a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kw: Any
) -> Any:
    ok = ~np.isnan(raw(a))
    return _sum(np.where(ok, a, 0.0), axis, dtype, out, keepdims) / np.sum(
        ok, axis=axis, keepdims=keepdims
    )


@implements(np.average)
def _average(
    a: Any, axis: Any = None, weights: Any = None, returned: bool = False, keepdims: bool = False
) -> Any:
    if weights is None:
        avg = _mean(a, axis, keepdims=keepdims)
        wsum = np.broadcast_to(
            np.float64(np.size(raw(a)) / max(np.size(raw(avg)), 1)), np.shape(raw(avg))
        )
    else:
        w = weights
        if len(shape_of(w)) != len(shape_of(a)):
            shp = [1] * len(shape_of(a))
            shp[axis % len(shape_of(a))] = shape_of(w)[0]
            w = np.reshape(w, shp)
        wsum = np.sum(w * np.ones_like(raw(a)), axis=axis, keepdims=keepdims)
        avg = np.sum(a * w, axis=axis, keepdims=keepdims) / wsum
    return (avg, wsum) if returned else avg


@implements(np.ptp)
def _ptp(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False) -> Any:
    return np.max(a, axis, keepdims=keepdims) - np.min(a, axis, keepdims=keepdims)


@implements(np.trapezoid)
def _trapezoid(y: Any, x: Any = None, dx: float = 1.0, axis: int = -1) -> Any:
    nd = len(shape_of(y))
    ax = axis % nd
    lo = (slice(None),) * ax + (slice(None, -1),)
    hi = (slice(None),) * ax + (slice(1, None),)
    if x is None:
        d = dx
    else:
        d = np.diff(x) if len(shape_of(x)) == 1 else np.diff(x, axis=axis)
        if len(shape_of(x)) == 1 and nd > 1:
            shp = [1] * nd
            shp[ax] = shape_of(d)[0]
            d = np.reshape(d, shp)
    return np.sum(d * (y[hi] + y[lo]) / 2.0, axis=axis)


@implements(np.median)
def _median(
    a: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False, keepdims: bool = False
) -> Any:
    _no("median", out=out)
    if axis is None:
        a, axis = _ravel(a), 0
    s = np.sort(a, axis=axis)
    n = shape_of(a)[axis]
    pre = (slice(None),) * (axis % len(shape_of(a)))
    mid = s[(*pre, slice((n - 1) // 2, n // 2 + 1))]
    return np.mean(mid, axis=axis, keepdims=keepdims)


@implements(np.polyval)
def _polyval(p: Any, x: Any) -> Any:
    """Horner's scheme; both the coefficients and the points may be traced."""
    y = 0.0 * x
    for c in p:  # an array, a traced array or a list of numbers and traced values
        y = y * x + c
    return y
