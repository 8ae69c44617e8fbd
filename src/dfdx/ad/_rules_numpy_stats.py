"""Rule table: NumPy's statistics functions (``cov``, ``corrcoef``, ``quantile``, nan-reductions).

Written as compositions of traced operations that follow NumPy's own
arithmetic (same values to rounding):

* ``cov``/``corrcoef``: centred rows, ``X X^H / (N - ddof)``; ``corrcoef``
  divides by the standard deviations and clips the real part to [-1, 1] as
  NumPy does.  Weights (``fweights``/``aweights``) carry no derivative.
* ``quantile``/``percentile`` (``method="linear"``): a gather from the sorted
  values and a linear interpolation; the derivative in ``q`` is the slope
  between the two order statistics.
* ``nanmax``/``nanmin``/``nanprod``/``nancumsum``/``nancumprod``/``nanvar``/
  ``nanstd``: NaN entries are replaced by the neutral value (decided on the
  plain values) and carry a zero derivative.
* ``np.i0``: ``scipy.special.i0``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.special as sc

from dfdx.ad._helpers import neg_axes, shape_of
from dfdx.ad._primitive import TracingError, implements
from dfdx.ad._tracer import Tracer, raw

__all__: list[str] = []


def _arr(a: Any) -> Any:
    return a if type(a) is Tracer else np.asarray(a)


@implements(np.cov)
def _cov(
    m: Any,
    y: Any = None,
    rowvar: bool = True,
    bias: bool = False,
    ddof: Any = None,
    fweights: Any = None,
    aweights: Any = None,
    *,
    dtype: Any = None,
) -> Any:
    if type(fweights) is Tracer or type(aweights) is Tracer:
        raise TracingError("np.cov: the weights carry no derivative rule; pass plain values")
    x = np.atleast_2d(_arr(m))
    if not rowvar and shape_of(x)[0] != 1:
        x = np.transpose(x)
    if y is not None:
        yy = np.atleast_2d(_arr(y))
        if not rowvar and shape_of(yy)[0] != 1:
            yy = np.transpose(yy)
        x = np.concatenate([x, yy], axis=0)
    if ddof is None:
        ddof = 0 if bias else 1
    n = shape_of(x)[1]
    w = None
    if fweights is not None:
        w = np.asarray(fweights, dtype=float)
    if aweights is not None:
        aw = np.asarray(aweights, dtype=float)
        w = aw if w is None else w * aw
    if w is None:
        avg = np.mean(x, axis=1)
        fact = n - ddof
        xc = x - avg[:, None]
        c = xc @ np.conj(np.transpose(xc)) * (1.0 / fact)
    else:
        w_sum = np.sum(w)
        avg = np.sum(x * w, axis=1) / w_sum
        if aweights is None:
            fact = w_sum - ddof
        else:
            fact = w_sum - ddof * np.sum(w * np.asarray(aweights, dtype=float)) / w_sum
        xc = x - avg[:, None]
        c = xc @ np.conj(np.transpose(xc * w)) * (1.0 / fact)
    if dtype is not None:
        c = c * np.ones((), dtype)
    return np.squeeze(c)


@implements(np.corrcoef)
def _corrcoef(x: Any, y: Any = None, rowvar: bool = True, *, dtype: Any = None) -> Any:
    c = _cov(x, y, rowvar, dtype=dtype)
    if len(shape_of(c)) == 0:
        return c / c
    d = np.diagonal(c)
    std = np.sqrt(np.real(d))
    c = c / std[:, None] / std[None, :]
    if np.iscomplexobj(raw(c)):
        return np.clip(np.real(c), -1, 1) + 1j * np.clip(np.imag(c), -1, 1)
    return np.clip(c, -1, 1)


def _quantile_core(a: Any, q: Any, axis: Any, keepdims: bool) -> Any:
    if axis is None:
        a, axis = np.ravel(a), 0
    nd = len(shape_of(a))
    ax = neg_axes(axis, nd)[0] % nd
    srt = np.take_along_axis(a, np.argsort(raw(a), axis=ax), axis=ax)
    n = shape_of(a)[ax]
    qr = np.asarray(raw(q), dtype=float)
    if np.any((qr < 0) | (qr > 1)):
        raise ValueError("Quantiles must be in the range [0, 1]")
    virtual = qr * (n - 1)
    lo = np.floor(virtual).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    t = q * (n - 1) - lo  # traced when q is
    below = np.take(srt, np.ravel(lo), axis=ax)
    above = np.take(srt, np.ravel(hi), axis=ax)
    shape = [1] * nd
    shape[ax] = -1
    tt = np.reshape(t, shape) if np.ndim(qr) else t
    diff = above - below
    out = np.where(
        np.reshape(np.ravel(raw(t)), shape) >= 0.5, above - diff * (1 - tt), below + diff * tt
    )
    out = np.moveaxis(out, ax, 0)
    out = np.reshape(out, qr.shape + shape_of(out)[1:])
    if keepdims:
        out = np.expand_dims(out, axis=len(qr.shape) + ax)
    return out


@implements(np.quantile)
def _quantile(
    a: Any,
    q: Any,
    axis: Any = None,
    out: Any = None,
    overwrite_input: bool = False,
    method: str = "linear",
    keepdims: bool = False,
    *,
    weights: Any = None,
    interpolation: Any = None,
) -> Any:
    if method != "linear" or interpolation is not None or weights is not None or out is not None:
        raise TracingError("np.quantile of traced values supports method='linear' only")
    if isinstance(axis, (tuple, list)):
        raise TracingError("np.quantile of traced values supports one axis (or None)")
    return _quantile_core(_arr(a), _arr(q), axis, keepdims)


@implements(np.percentile)
def _percentile(a: Any, q: Any, axis: Any = None, out: Any = None, *args: Any, **kw: Any) -> Any:
    return _quantile(a, _arr(q) / 100, axis, out, *args, **kw)


def _nan_fill(a: Any, value: float) -> Any:
    r = raw(a)
    if not np.issubdtype(np.result_type(r), np.inexact):
        return a
    return np.where(np.isnan(r), value, a)


def _nanreduce(name: str, fn: Any, value: float) -> None:
    @implements(getattr(np, name))
    def handler(a: Any, *args: Any, **kw: Any) -> Any:
        return fn(_nan_fill(_arr(a), value), *args, **kw)

    handler.__name__ = name


_nanreduce("nanmax", np.max, -np.inf)
_nanreduce("nanmin", np.min, np.inf)
_nanreduce("nanprod", np.prod, 1.0)
_nanreduce("nancumsum", np.cumsum, 0.0)
_nanreduce("nancumprod", np.cumprod, 1.0)


@implements(np.nanvar)
def _nanvar(
    a: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    ddof: Any = 0,
    keepdims: bool = False,
    **kw: Any,
) -> Any:
    if out is not None or kw.get("where") is not None:
        raise TracingError("np.nanvar(..., out=/where=) of traced values is not supported")
    a = _arr(a)
    mask = np.isnan(raw(a))
    arr = np.where(mask, 0.0, a)
    cnt = np.sum(~mask, axis=axis, keepdims=True)
    avg = np.sum(arr, axis=axis, keepdims=True) / cnt
    dev = np.where(mask, 0.0, arr - avg)
    sqr = np.real(dev * np.conj(dev)) if np.iscomplexobj(raw(a)) else dev * dev
    var = np.sum(sqr, axis=axis, keepdims=keepdims)
    dof = np.sum(~mask, axis=axis, keepdims=keepdims) - ddof
    return var / dof


@implements(np.nanstd)
def _nanstd(
    a: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    ddof: Any = 0,
    keepdims: bool = False,
    **kw: Any,
) -> Any:
    return np.sqrt(_nanvar(a, axis, dtype, out, ddof, keepdims, **kw))


@implements(np.i0)
def _i0(x: Any) -> Any:
    return sc.i0(x)
