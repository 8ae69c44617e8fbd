"""Rule table: shape changes, indexing (including ``y[idx] = v``), joining and selection.

Primitives (all linear in their array arguments, forward rule beside reverse rule):
reshape, transpose, broadcast_to, getitem, index_add, setitem, concatenate,
where, astype, real, imag.  Every other function here is a composite of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx.ad._cotangents import NEG_AWARE, NegCt, SparseCt
from dfdx.ad._helpers import (
    align,
    batch_to_numpy_layout,
    batched_getitem,
    bidx,
    bnb,
    neg_axes,
    shape_of,
    unbroadcast,
)
from dfdx.ad._primitive import EveryArg, Primitive, TracingError, implements
from dfdx.ad._tracer import OPS, Tracer, inexact_dtype, raw

__all__ = ["GETITEM", "INDEX_ADD", "RESHAPE", "SETITEM", "TRANSPOSE", "constant_like"]


def _batch(t: Any, x: Any) -> tuple[int, ...]:
    return tuple(shape_of(t)[: bnb(t, x)])


# ------------------------------------------------------------------ primitives
def _index_add_impl(g: Any, idx: Any, shape: tuple[int, ...]) -> Any:
    z = np.zeros(shape, dtype=inexact_dtype(g))
    if _basic(idx):
        z[idx] = g
    else:
        np.add.at(z, idx, g)
    return z


def _setitem_impl(x: Any, v: Any, idx: Any) -> Any:
    out = np.array(x, dtype=np.result_type(x, v), copy=True)
    out[idx] = v
    return out


def _basic(idx: Any) -> bool:
    items = idx if isinstance(idx, tuple) else (idx,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in items)


def _vshape(x: Any, idx: Any) -> tuple[int, ...]:
    return np.broadcast_to(np.empty((), bool), shape_of(x))[idx].shape


# name                  impl                                     forward rule / reverse rule
RESHAPE = Primitive("reshape", lambda x, shape: np.reshape(x, shape), linear=True).rules(
    0,
    lambda t, ans, x, shape: np.reshape(t, _batch(t, x) + shape_of(ans)),
    lambda g, ans, x, shape: np.reshape(g, shape_of(x)),
)
TRANSPOSE = Primitive("transpose", lambda x, axes: np.transpose(x, axes), linear=True).rules(
    0,
    lambda t, ans, x, axes: np.transpose(
        t, tuple(range(bnb(t, x))) + tuple(bnb(t, x) + a for a in axes)
    ),
    lambda g, ans, x, axes: np.transpose(g, tuple(np.argsort(axes))),
)
BROADCAST = Primitive("broadcast_to", lambda x, shape: np.broadcast_to(x, shape), linear=True)
BROADCAST.rules(
    0,
    lambda t, ans, x, shape: np.broadcast_to(align(t, x, ans), _batch(t, x) + tuple(shape)),
    lambda g, ans, x, shape: unbroadcast(g, x),
)
GETITEM = Primitive("getitem", lambda x, idx: x[idx], linear=True)
INDEX_ADD = Primitive("index_add", _index_add_impl, linear=True)


def _getitem_vjp(g: Any, ans: Any, x: Any, idx: Any) -> Any:
    if type(g) is NegCt:  # -g (see NegCt): subtracted in place by the backward pass
        if _basic(idx):
            return SparseCt(g.g, idx, shape_of(x), neg=True)
        g = g.dense()
    tg = type(g)
    if (tg is np.ndarray or tg is np.float64 or tg is np.complex128) and _basic(idx):
        return SparseCt(g, idx, shape_of(x))  # accumulated in place by the backward pass
    return INDEX_ADD(g, idx=idx, shape=shape_of(x))


GETITEM.rules(0, lambda t, ans, x, idx: batched_getitem(t, idx, bnb(t, x)), _getitem_vjp)
NEG_AWARE.add(GETITEM)
INDEX_ADD.rules(
    0,
    lambda t, ans, g, idx, shape: INDEX_ADD(
        batch_to_numpy_layout(t, idx, bnb(t, g)),
        idx=bidx(idx, bnb(t, g)),
        shape=_batch(t, g) + tuple(shape),
    ),
    lambda c, ans, g, idx, shape: c[idx],
)
SETITEM = Primitive("setitem", _setitem_impl, linear=True).rules(
    0,
    lambda t, ans, x, v, idx: SETITEM(t, 0.0, idx=bidx(idx, bnb(t, x))),
    lambda g, ans, x, v, idx: SETITEM(g, 0.0, idx=idx),
)
SETITEM.rules(
    1,
    lambda t, ans, x, v, idx: SETITEM(
        np.zeros(_batch(t, v) + shape_of(x), dtype=np.result_type(raw(t), raw(x))),
        batch_to_numpy_layout(
            np.broadcast_to(align(t, v, np.empty(_vshape(x, idx))), _batch(t, v) + _vshape(x, idx)),
            idx,
            bnb(t, v),
        ),
        idx=bidx(idx, bnb(t, v)),
    ),
    lambda g, ans, x, v, idx: unbroadcast(g[idx], v),
)
CONCAT = Primitive("concatenate", lambda *xs, axis: np.concatenate(xs, axis), linear=True)
WHERE = Primitive("where", np.where, linear=True)
WHERE.rules(
    1,
    lambda t, ans, c, x, y: np.where(c, align(t, x, ans), 0.0),
    lambda g, ans, c, x, y: unbroadcast(np.where(c, g, 0.0), x),
)
WHERE.rules(
    2,
    lambda t, ans, c, x, y: np.where(c, 0.0, align(t, y, ans)),
    lambda g, ans, c, x, y: unbroadcast(np.where(c, 0.0, g), y),
)
ASTYPE = Primitive("astype", lambda x, dtype: np.asarray(x).astype(dtype), linear=True).rules(
    0,
    lambda t, ans, x, dtype: OPS["astype"](t, dtype=np.result_type(dtype, np.float32)),
    lambda g, ans, x, dtype: OPS["astype"](g, dtype=np.result_type(x)),
)
REAL = Primitive("real", np.real, linear=True).rules(
    0, lambda t, ans, x: np.real(t), lambda g, ans, x: g
)
IMAG = Primitive("imag", np.imag, linear=True).rules(
    0, lambda t, ans, x: np.imag(t), lambda g, ans, x: -1j * g
)


def _concat_jvp(tans: list, ans: Any, *xs: Any, axis: int) -> Any:
    batch = next(_batch(t, x) for t, x in zip(tans, xs, strict=True) if t is not None)
    parts = [
        np.zeros(batch + shape_of(x), dtype=np.result_type(raw(ans))) if t is None else t
        for t, x in zip(tans, xs, strict=True)
    ]
    return np.concatenate(parts, axis=axis)


def _concat_vjp(i: int) -> Any:
    def vjp(g: Any, ans: Any, *xs: Any, axis: int) -> Any:
        start = sum(shape_of(x)[axis] for x in xs[:i])
        stop = start + shape_of(xs[i])[axis]
        return g[(Ellipsis, slice(start, stop)) + (slice(None),) * (-axis - 1)]

    return vjp


CONCAT.jvp_all = _concat_jvp
CONCAT.vjps = EveryArg(_concat_vjp)  # any number of arrays
OPS.update(getitem=GETITEM, setitem=SETITEM, astype=ASTYPE)
# reverse rules that read shapes only (or only the condition of where)
for _p in (RESHAPE, TRANSPOSE, BROADCAST, GETITEM, INDEX_ADD, SETITEM, CONCAT):
    _p.keep = EveryArg(lambda i: ())
WHERE.keep = {1: (0,), 2: (0,)}


def constant_like(value: Any, like: Any) -> Any:
    """A tracer holding ``value`` with zero derivative, in the trace of ``like``."""
    tr = like._trace
    if hasattr(tr, "tape"):
        return tr.new(value)
    return Tracer(value, tr, None)


OPS["asarray"] = lambda value, like: constant_like(raw(value), like)


# ------------------------------------------------------------------ handlers
def _no(name: str, **given: Any) -> None:
    for k, v in given.items():
        if v is not None and v is not np._NoValue:
            raise TracingError(f"np.{name}(..., {k}=...) is not supported on traced values")


def _dummy(x: Any) -> np.ndarray:
    return np.broadcast_to(np.empty((), bool), shape_of(x))


def _reshape_to(x: Any, shape: tuple[int, ...]) -> Any:
    return x if shape_of(x) == tuple(shape) else RESHAPE(x, shape=tuple(shape))


def _index_order(a: Any, order: Any, name: str) -> str:
    """The index order, "C" or "F", in which ``np.<name>(a, order=order)`` reads ``a``: "A"
    (and "K" for ravel) follow the memory layout of the value NumPy holds, as NumPy does."""
    if order is None or order in ("C", "F"):
        return order or "C"
    v = raw(a)
    while isinstance(v, Tracer):
        v = v.value
    v = np.asarray(v)
    fortran = v.flags.f_contiguous and not v.flags.c_contiguous
    if order == "A" or (order == "K" and name == "ravel" and (fortran or v.flags.c_contiguous)):
        return "F" if fortran else "C"
    raise TracingError(f"np.{name}(..., order={order!r}) is not supported on traced values")


@implements(np.reshape)
def _reshape(a: Any, shape: Any = None, order: str = "C", newshape: Any = None, **kw: Any) -> Any:
    shape = newshape if shape is None else shape
    shape = np.reshape(_dummy(a), shape).shape
    if _index_order(a, order, "reshape") == "F":  # reversed axes, C order, axes reversed back
        return _transpose(_reshape_to(_transpose(a), shape[::-1]))
    return _reshape_to(a, shape)


@implements(np.ravel)
def _ravel(a: Any, order: str = "C") -> Any:
    order = _index_order(a, order, "ravel")
    return _reshape(a, (-1,), order=order)


@implements(np.squeeze)
def _squeeze(a: Any, axis: Any = None) -> Any:
    return _reshape_to(a, np.squeeze(_dummy(a), axis).shape)


@implements(np.expand_dims)
def _expand_dims(a: Any, axis: Any) -> Any:
    return _reshape_to(a, np.expand_dims(_dummy(a), axis).shape)


def _atleast(n: int) -> Any:
    fn = {1: np.atleast_1d, 2: np.atleast_2d, 3: np.atleast_3d}[n]

    def handler(*arys: Any) -> Any:
        outs = [_reshape_to(a, fn(_dummy(a)).shape) for a in arys]
        return outs[0] if len(outs) == 1 else tuple(outs)

    return handler


implements(np.atleast_1d)(_atleast(1))
implements(np.atleast_2d)(_atleast(2))
implements(np.atleast_3d)(_atleast(3))


@implements(np.transpose, np.permute_dims)
def _transpose(a: Any, axes: Any = None) -> Any:
    nd = len(shape_of(a))
    axes = tuple(range(nd))[::-1] if axes is None else tuple(int(i) % nd for i in axes)
    return a if axes == tuple(range(nd)) else TRANSPOSE(a, axes=axes)


@implements(np.swapaxes)
def _swapaxes(a: Any, axis1: int, axis2: int) -> Any:
    perm = list(range(len(shape_of(a))))
    perm[axis1], perm[axis2] = perm[axis2], perm[axis1]
    return _transpose(a, perm)


@implements(np.moveaxis)
def _moveaxis(a: Any, source: Any, destination: Any) -> Any:
    src = neg_axes(source, len(shape_of(a)))
    dst = neg_axes(destination, len(shape_of(a)))
    nd = len(shape_of(a))
    src = [s % nd for s in src]
    dst = [d % nd for d in dst]
    order = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        order.insert(d, s)
    return _transpose(a, order)


@implements(np.rollaxis)
def _rollaxis(a: Any, axis: int, start: int = 0) -> Any:
    nd = len(shape_of(a))
    axis %= nd
    start = start % (nd + 1) if start < 0 else start
    if axis < start:
        start -= 1
    return _moveaxis(a, axis, start)


@implements(np.matrix_transpose)
def _matrix_transpose(x: Any) -> Any:
    return _swapaxes(x, -1, -2)


@implements(np.broadcast_to)
def _broadcast_to(array: Any, shape: Any, subok: bool = False) -> Any:
    shape = tuple(np.broadcast_to(_dummy(array), shape).shape)
    return array if shape_of(array) == shape else BROADCAST(array, shape=shape)


@implements(np.broadcast_arrays)
def _broadcast_arrays(*args: Any, subok: bool = False) -> Any:
    shape = np.broadcast_shapes(*[shape_of(a) for a in args])
    return tuple(
        _broadcast_to(a, shape) if type(a) is Tracer else np.broadcast_to(a, shape) for a in args
    )
