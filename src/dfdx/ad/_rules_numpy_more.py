"""Rule table: more NumPy functions, written as compositions of traced operations.

``linspace`` (traced endpoints), ``convolve`` (the convolution primitive of
``_rules_signal``), ``partition`` (a gather at ``argpartition`` of the plain
values), ``nan_to_num`` (derivative 1 at finite points, 0 where a value is
replaced), ``angle`` (``arctan2(imag, real)``), ``real_if_close``, ``gradient``
(NumPy's own finite-difference formulas: linear in the values; the spacing
carries no derivative) and ``linalg.lstsq`` (``x = pinv(a) b``, NumPy's
residuals, rank and singular values).  Each follows NumPy's own arithmetic, so
the values agree with NumPy's to rounding.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx.ad._helpers import neg_axes, shape_of
from dfdx.ad._primitive import TracingError, implements
from dfdx.ad._tracer import Tracer, raw

__all__ = ["einsum_subscripts"]


@implements(np.linspace)
def _linspace(
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    retstep: bool = False,
    dtype: Any = None,
    axis: int = 0,
    *,
    device: Any = None,
) -> Any:
    if dtype is not None and np.dtype(dtype).kind not in "fc":
        raise TracingError("np.linspace with an integer dtype has no derivative")
    num = int(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    div = (num - 1) if endpoint else num
    delta = stop - start
    shape = np.broadcast_shapes(shape_of(start), shape_of(stop))
    k = np.reshape(np.arange(0, num, dtype=float), (-1,) + (1,) * len(shape))
    step = delta / div if div > 0 else np.nan * delta
    y = k * step + start if div > 0 else k * delta + start
    if endpoint and num > 1:
        y = np.concatenate([y[:-1], np.broadcast_to(stop, (1, *shape))], axis=0)
    if axis != 0:
        y = np.moveaxis(y, 0, axis)
    if dtype is not None:
        y = y.astype(dtype) if isinstance(y, np.ndarray) else y * np.ones((), dtype)
    return (y, step) if retstep else y


@implements(np.convolve)
def _convolve(a: Any, v: Any, mode: str = "full") -> Any:
    from dfdx.ad._rules_signal import CONV, conv_mode

    a = a if type(a) is Tracer else np.asarray(a)
    v = v if type(v) is Tracer else np.asarray(v)
    if len(shape_of(a)) > 1 or len(shape_of(v)) > 1:
        raise ValueError("object too deep for desired array")
    a, v = np.atleast_1d(a), np.atleast_1d(v)
    if not shape_of(a)[0] or not shape_of(v)[0]:
        raise ValueError("a cannot be empty" if not shape_of(a)[0] else "v cannot be empty")
    full = CONV(a, v, method="direct")
    return conv_mode(full, shape_of(a), shape_of(v), mode, numpy=True)


@implements(np.partition)
def _partition(
    a: Any, kth: Any, axis: Any = -1, kind: str = "introselect", order: Any = None
) -> Any:
    if order is not None:
        raise TracingError("np.partition(..., order=...) of a traced value is not supported")
    if axis is None:
        a, axis = np.ravel(a), -1
    idx = np.argpartition(raw(a), kth, axis=axis, kind=kind)
    return np.take_along_axis(a, idx, axis=axis)


def _finite_or(x: Any, nan: Any, posinf: Any, neginf: Any) -> Any:
    r = raw(x)
    info = np.finfo(r.dtype if np.issubdtype(np.result_type(r), np.floating) else float)
    out = np.where(np.isnan(r), nan, x)
    out = np.where(np.isposinf(r), info.max if posinf is None else posinf, out)
    return np.where(np.isneginf(r), info.min if neginf is None else neginf, out)


@implements(np.nan_to_num)
def _nan_to_num(
    x: Any, copy: bool = True, nan: float = 0.0, posinf: Any = None, neginf: Any = None
) -> Any:
    if np.iscomplexobj(raw(x)):
        re = _finite_or(np.real(x), nan, posinf, neginf)
        im = _finite_or(np.imag(x), nan, posinf, neginf)
        return re + 1j * im
    if not np.issubdtype(np.result_type(raw(x)), np.inexact):
        return x
    return _finite_or(x, nan, posinf, neginf)


@implements(np.angle)
def _angle(z: Any, deg: bool = False) -> Any:
    a = np.arctan2(np.imag(z), np.real(z))
    return a * (180 / np.pi) if deg else a


@implements(np.real_if_close)
def _real_if_close(a: Any, tol: float = 100) -> Any:
    r = raw(a)
    if not np.iscomplexobj(r):
        return a
    if tol > 1:
        tol = np.finfo(np.result_type(r).type).eps * tol
    return np.real(a) if np.all(np.absolute(r.imag) < tol) else a


def _spacing(f: Any, varargs: tuple[Any, ...], axes: tuple[int, ...]) -> list[Any]:
    """Per axis: a scalar step or the array of steps (NumPy's rules)."""
    if any(type(v) is Tracer for v in varargs):
        raise TracingError("np.gradient: the spacing carries no derivative rule; pass plain values")
    n = len(varargs)
    if n == 0:
        return [1.0] * len(axes)
    if n == 1 and np.ndim(varargs[0]) == 0:
        return [varargs[0]] * len(axes)
    if n != len(axes):
        raise TypeError("invalid number of arguments")
    out = []
    for v, ax in zip(varargs, axes, strict=True):
        v = np.asarray(v)
        if v.ndim == 0:
            out.append(v[()])
            continue
        if len(v) != shape_of(f)[ax]:
            raise ValueError(
                "when 1d, distances must match the length of the corresponding dimension"
            )
        d = np.diff(v.astype(np.float64) if v.dtype.kind in "iub" else v)
        out.append(d[0] if (d == d[0]).all() else d)
    return out


def _take(f: Any, ax: int, sl: Any) -> Any:
    idx = [slice(None)] * len(shape_of(f))
    idx[ax] = sl
    return f[tuple(idx)]


def _shape_steps(d: Any, f: Any, ax: int) -> Any:
    """Step array ``d`` as a column along axis ``ax`` of ``f``."""
    s = [1] * len(shape_of(f))
    s[ax] = -1
    return np.reshape(d, s)


def _grad_axis(f: Any, dx: Any, ax: int, edge_order: int) -> Any:
    n = shape_of(f)[ax]
    if n < edge_order + 1:
        raise ValueError(
            "Shape of array too small to calculate a numerical gradient, "
            "at least (edge_order + 1) elements are required."
        )
    uniform = np.ndim(dx) == 0
    f0, f1, f2 = (_take(f, ax, slice(k, k + 1)) for k in range(3)) if n > 2 else (None,) * 3
    if uniform:
        inner = (_take(f, ax, slice(2, None)) - _take(f, ax, slice(None, -2))) / (2.0 * dx)
    else:
        dx1, dx2 = dx[:-1], dx[1:]
        a = _shape_steps(-(dx2) / (dx1 * (dx1 + dx2)), f, ax)
        b = _shape_steps((dx2 - dx1) / (dx1 * dx2), f, ax)
        c = _shape_steps(dx1 / (dx2 * (dx1 + dx2)), f, ax)
        inner = (
            a * _take(f, ax, slice(None, -2))
            + b * _take(f, ax, slice(1, -1))
            + c * _take(f, ax, slice(2, None))
        )
    last = [_take(f, ax, slice(k, k + 1 if k != -1 else None)) for k in (-3, -2, -1)]
    if edge_order == 1:
        d0 = dx if uniform else dx[0]
        dn = dx if uniform else dx[-1]
        first = (_take(f, ax, slice(1, 2)) - _take(f, ax, slice(0, 1))) / d0
        end = (last[2] - last[1]) / dn
    else:
        if uniform:
            a, b, c = -1.5 / dx, 2.0 / dx, -0.5 / dx
            first = a * f0 + b * f1 + c * f2
            a, b, c = 0.5 / dx, -2.0 / dx, 1.5 / dx
        else:
            d1, d2 = dx[0], dx[1]
            a = -(2.0 * d1 + d2) / (d1 * (d1 + d2))
            b = (d1 + d2) / (d1 * d2)
            c = -d1 / (d2 * (d1 + d2))
            first = a * f0 + b * f1 + c * f2
            d1, d2 = dx[-2], dx[-1]
            a = d2 / (d1 * (d1 + d2))
            b = -(d2 + d1) / (d1 * d2)
            c = (2.0 * d2 + d1) / (d2 * (d1 + d2))
        end = a * last[0] + b * last[1] + c * last[2]
    return np.concatenate([first, inner, end], axis=ax)


@implements(np.gradient)
def _gradient(f: Any, *varargs: Any, axis: Any = None, edge_order: int = 1) -> Any:
    if edge_order not in (1, 2):
        raise ValueError("'edge_order' greater than 2 not supported")
    nd = len(shape_of(f))
    axes = tuple(a % nd for a in neg_axes(axis, nd))
    if not np.issubdtype(np.result_type(raw(f)), np.inexact):
        f = f * 1.0
    steps = _spacing(f, varargs, axes)
    out = tuple(_grad_axis(f, dx, ax, edge_order) for dx, ax in zip(steps, axes, strict=True))
    return out[0] if len(out) == 1 else out


@implements(np.linalg.lstsq)
def _lstsq(a: Any, b: Any, rcond: Any = None) -> Any:
    ar = raw(a)
    m, n = ar.shape[-2:]
    if rcond is None:
        rcond = np.finfo(np.result_type(ar, float)).eps * max(m, n)
    _, _, rank, _ = np.linalg.lstsq(ar, raw(b), rcond=rcond)
    x = np.linalg.pinv(a, rcond=rcond) @ b
    s = np.linalg.svd(a, compute_uv=False)
    if rank == n and m > n:
        r = b - a @ x
        res = np.sum(np.real(r * np.conj(r)) if np.iscomplexobj(raw(r)) else r * r, axis=0)
        res = np.reshape(res, (-1,)) if len(shape_of(b)) == 1 else res
    else:
        res = np.empty((0,), dtype=np.result_type(ar, float).type(0).real.dtype)
    return x, res, rank, s


def einsum_subscripts(args: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """Interleaved ``einsum(op0, sublist0, op1, sublist1, ..., [out])`` as a subscripts string."""
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def word(sub: Any) -> str:
        return "".join("..." if s is Ellipsis else letters[int(s)] for s in sub)

    ops, subs = args[0::2], args[1::2]
    out = None
    if len(args) % 2 == 1:
        ops, subs, out = args[0:-1:2], args[1:-1:2], args[-1]
    text = ",".join(word(s) for s in subs)
    if out is not None:
        text += "->" + word(out)
    return text, tuple(ops)
