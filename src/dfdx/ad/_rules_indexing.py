"""Rule table (composites): joining, splitting, selecting and building arrays.

concatenate/stack/split, tile/repeat/flip/roll/rot90/pad, where/take/sort,
diag/diagonal/triu/tril, zeros_like & co. (traced constants), diff, clip, sinc...
All are built from the primitives of ``_rules_shape``.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from dfdx.ad._helpers import (
    neg_axes,
    shape_of,
)
from dfdx.ad._primitive import TracingError, implements
from dfdx.ad._rules_shape import (
    ASTYPE,
    CONCAT,
    IMAG,
    INDEX_ADD,
    REAL,
    WHERE,
    _broadcast_to,
    _expand_dims,
    _moveaxis,
    _no,
    _ravel,
    _reshape_to,
    constant_like,
)
from dfdx.ad._tracer import Tracer, raw

__all__: list[str] = []


@implements(np.concatenate, np.concat)
def _concatenate(arrays: Any, axis: Any = 0, out: Any = None, **kw: Any) -> Any:
    _no("concatenate", out=out, dtype=kw.get("dtype"))
    arrays = list(arrays)
    if axis is None:
        arrays = [_ravel(a) if type(a) is Tracer else np.ravel(a) for a in arrays]
        axis = 0
    nd = len(shape_of(arrays[0]))
    return CONCAT(*arrays, axis=neg_axes(axis, nd)[0])


@implements(np.stack)
def _stack(arrays: Any, axis: int = 0, out: Any = None, **kw: Any) -> Any:
    _no("stack", out=out, dtype=kw.get("dtype"))
    arrays = list(arrays)
    nd = len(shape_of(arrays[0])) + 1
    ax = neg_axes(axis, nd)[0]
    return _concatenate(
        [_expand_dims(a, ax) if type(a) is Tracer else np.expand_dims(a, ax) for a in arrays], ax
    )


def _lift(fn: Any) -> Any:
    def apply(a: Any) -> Any:
        return fn(a) if type(a) is Tracer else fn(np.asarray(a))

    return apply


@implements(np.hstack)
def _hstack(tup: Any, **kw: Any) -> Any:
    arrs = [_lift(np.atleast_1d)(a) for a in tup]
    return _concatenate(arrs, 0 if len(shape_of(arrs[0])) == 1 else 1)


@implements(np.vstack)
def _vstack(tup: Any, **kw: Any) -> Any:
    return _concatenate([_lift(np.atleast_2d)(a) for a in tup], 0)


@implements(np.dstack)
def _dstack(tup: Any, **kw: Any) -> Any:
    return _concatenate([_lift(np.atleast_3d)(a) for a in tup], 2)


@implements(np.column_stack)
def _column_stack(tup: Any) -> Any:
    arrs = [a if type(a) is Tracer else np.asarray(a) for a in tup]
    arrs = [  # NumPy: 1-D arrays become columns, scalars 1x1 blocks
        _reshape_to(a, (*shape_of(a), 1) if len(shape_of(a)) == 1 else (1, 1))
        if len(shape_of(a)) < 2
        else a
        for a in arrs
    ]
    return _concatenate(arrs, 1)


@implements(np.append)
def _append(arr: Any, values: Any, axis: Any = None) -> Any:
    return _concatenate([arr, values], axis)


def _split_points(n: int, sections: Any, array_split: bool) -> list[int]:
    if np.ndim(sections) == 0:
        k = int(sections)
        if not array_split and n % k:
            raise ValueError("array split does not result in an equal division")
        base, extra = divmod(n, k)
        sizes = [base + 1] * extra + [base] * (k - extra)
        return list(np.cumsum(sizes)[:-1])
    return [int(s) for s in sections]


def _splitter(array_split: bool, default_axis: int | None = None) -> Any:
    def handler(ary: Any, indices_or_sections: Any, axis: int = 0) -> Any:
        if default_axis is not None:
            axis = default_axis if len(shape_of(ary)) > 1 or default_axis == 0 else 0
        ax = axis % len(shape_of(ary))
        n = shape_of(ary)[ax]
        pts = [0, *_split_points(n, indices_or_sections, array_split), n]
        pre = (slice(None),) * ax
        return [ary[(*pre, slice(a, b))] for a, b in itertools.pairwise(pts)]

    return handler


implements(np.split)(_splitter(False))
implements(np.array_split)(_splitter(True))
implements(np.vsplit)(_splitter(False, 0))
implements(np.hsplit)(_splitter(False, 1))
implements(np.dsplit)(_splitter(False, 2))


@implements(np.tile)
def _tile(A: Any, reps: Any) -> Any:
    reps = (reps,) if np.ndim(reps) == 0 else tuple(reps)
    s = shape_of(A)
    nd = max(len(s), len(reps))
    s = (1,) * (nd - len(s)) + s
    reps = (1,) * (nd - len(reps)) + reps
    a = _reshape_to(A, sum(((1, n) for n in s), ()))
    a = _broadcast_to(a, sum(((r, n) for r, n in zip(reps, s, strict=True)), ()))
    return _reshape_to(a, tuple(r * n for r, n in zip(reps, s, strict=True)))


@implements(np.repeat)
def _repeat(a: Any, repeats: Any, axis: Any = None) -> Any:
    if axis is None:
        a, axis = _ravel(a), 0
    ax = axis % len(shape_of(a))
    idx = np.repeat(np.arange(shape_of(a)[ax]), raw(repeats))
    return a[(slice(None),) * ax + (idx,)]


@implements(np.flip)
def _flip(m: Any, axis: Any = None) -> Any:
    nd = len(shape_of(m))
    axes = {a % nd for a in neg_axes(axis, nd)}
    return m[tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(nd))]


implements(np.fliplr)(lambda m: _flip(m, 1))
implements(np.flipud)(lambda m: _flip(m, 0))


@implements(np.roll)
def _roll(a: Any, shift: Any, axis: Any = None) -> Any:
    if axis is None:
        return _reshape_to(_roll(_ravel(a), shift, 0), shape_of(a))
    shifts = np.broadcast_to(shift, np.shape(axis)).ravel() if np.ndim(axis) else [shift]
    axes = np.ravel(axis)
    for s, ax in zip(shifts, axes, strict=True):
        ax = int(ax) % len(shape_of(a))
        idx = np.roll(np.arange(shape_of(a)[ax]), int(s))
        a = a[(slice(None),) * ax + (idx,)]
    return a


@implements(np.rot90)
def _rot90(m: Any, k: int = 1, axes: Any = (0, 1)) -> Any:
    idx = np.rot90(np.arange(int(np.prod(shape_of(m)))).reshape(shape_of(m)), k, axes)
    return _ravel(m)[idx]


@implements(np.pad)
def _pad(array: Any, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Any:
    if mode == "constant":
        cv = kwargs.get("constant_values", 0)
        pw = np.broadcast_to(np.asarray(pad_width), (len(shape_of(array)), 2))
        new = tuple(int(n + a + b) for n, (a, b) in zip(shape_of(array), pw, strict=True))
        idx = tuple(
            slice(int(a), int(a + n)) for n, (a, _) in zip(shape_of(array), pw, strict=True)
        )
        out = INDEX_ADD(array, idx=idx, shape=new)
        if np.any(np.asarray(raw(cv)) != 0):
            out = out + np.pad(
                np.zeros(shape_of(array)), pad_width, mode="constant", constant_values=raw(cv)
            )
        return out
    grids = [
        np.pad(np.arange(n), pw, mode=mode, **kwargs)
        for n, pw in zip(
            shape_of(array),
            np.broadcast_to(np.asarray(pad_width), (len(shape_of(array)), 2)),
            strict=True,
        )
    ]
    return array[np.ix_(*grids)]


@implements(np.where)
def _where(condition: Any, x: Any = None, y: Any = None) -> Any:
    if x is None and y is None:
        return np.where(raw(condition))
    return WHERE(raw(condition), x, y)


@implements(np.take)
def _take(a: Any, indices: Any, axis: Any = None, out: Any = None, mode: str = "raise") -> Any:
    _no("take", out=out)
    if axis is None:
        return _ravel(a)[raw(indices)]
    return a[(slice(None),) * (axis % len(shape_of(a))) + (raw(indices),)]


@implements(np.take_along_axis)
def _take_along_axis(arr: Any, indices: Any, axis: Any = -1) -> Any:
    indices = raw(indices)
    if axis is None:
        return _ravel(arr)[indices]
    nd = len(shape_of(arr))
    ax = axis % nd
    grids = list(np.ix_(*[np.arange(n) for n in np.shape(indices)])) if nd > 1 else [None]
    if nd == 1:
        return arr[indices]
    grids[ax] = indices
    return arr[tuple(grids)]


@implements(np.sort)
def _sort(a: Any, axis: Any = -1, kind: Any = None, order: Any = None, **kw: Any) -> Any:
    if axis is None:
        a, axis = _ravel(a), -1
    return _take_along_axis(a, np.argsort(raw(a), axis=axis, kind=kind), axis)


@implements(np.real)
def _real(val: Any) -> Any:
    return REAL(val)


@implements(np.imag)
def _imag(val: Any) -> Any:
    return IMAG(val)


@implements(np.copy)
def _copy(a: Any, order: str = "K", subok: bool = False) -> Any:
    return ASTYPE(a, dtype=np.result_type(raw(a)))


@implements(np.diagonal)
def _diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    a = _moveaxis(a, (axis1, axis2), (-2, -1))
    n, m = shape_of(a)[-2:]
    i = np.arange(max(0, -offset), min(n, m - offset))
    return a[..., i, i + offset]


@implements(np.diag)
def _diag(v: Any, k: int = 0) -> Any:
    if len(shape_of(v)) == 2:
        return _diagonal(v, k)
    n = shape_of(v)[0] + abs(k)
    i = np.arange(shape_of(v)[0])
    return INDEX_ADD(v, idx=(i + max(0, -k), i + max(0, k)), shape=(n, n))


def _tri(name: str, fn: Any) -> None:
    @implements(fn)
    def handler(m: Any, k: int = 0) -> Any:
        n, p = shape_of(m)[-2:]
        return WHERE(fn(np.ones((n, p), bool), k), m, 0.0)

    handler.__name__ = name


_tri("triu", np.triu)
_tri("tril", np.tril)


def _like(fill: Any) -> Any:
    def handler(a: Any, *args: Any, dtype: Any = None, shape: Any = None, **kw: Any) -> Any:
        val = fill(raw(a), *args, dtype=dtype, shape=shape, **kw)
        return constant_like(val, a) if type(a) is Tracer else val

    return handler


implements(np.zeros_like)(_like(np.zeros_like))
implements(np.ones_like)(_like(np.ones_like))
implements(np.empty_like)(_like(np.zeros_like))
implements(np.full_like)(_like(np.full_like))


@implements(np.diff)
def _diff(
    a: Any, n: int = 1, axis: int = -1, prepend: Any = np._NoValue, append: Any = np._NoValue
) -> Any:
    nd = len(shape_of(a))
    ax = axis % nd
    parts = [p for p in (prepend, a, append) if p is not np._NoValue]
    if len(parts) > 1:
        shp = list(shape_of(a))
        shp[ax] = 1
        parts = [
            p if p is a or np.ndim(raw(p)) == nd else np.broadcast_to(raw(p), shp) for p in parts
        ]
        a = _concatenate(parts, ax)
    pre = (slice(None),) * ax
    for _ in range(n):
        a = a[(*pre, slice(1, None))] - a[(*pre, slice(None, -1))]
    return a


@implements(np.ediff1d)
def _ediff1d(ary: Any, to_end: Any = None, to_begin: Any = None) -> Any:
    d = _diff(_ravel(ary))
    parts = [p for p in (to_begin, d, to_end) if p is not None]
    return _concatenate([np.ravel(raw(p)) if p is not d else p for p in parts], 0)


@implements(np.round, np.around)
def _round(a: Any, decimals: int = 0, out: Any = None) -> Any:
    _no("round", out=out)
    return constant_like(np.round(raw(a), decimals), a)


@implements(np.fix)
def _fix(x: Any, out: Any = None) -> Any:
    return np.trunc(x)


@implements(np.clip)
def _clip(a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, **kw: Any) -> Any:
    _no("clip", out=out)
    a_min = kw.pop("min", a_min)
    a_max = kw.pop("max", a_max)
    lo = -np.inf if a_min is None else a_min
    hi = np.inf if a_max is None else a_max
    r = raw(a)
    inside = (r >= raw(lo)) & (r <= raw(hi))
    out = WHERE(inside, a, 0.0) if type(a) is Tracer else np.where(inside, a, 0.0)
    below, above = r < raw(lo), r > raw(hi)
    return (
        out + WHERE(below, lo, 0.0) + WHERE(above, hi, 0.0)
        if any(type(v) is Tracer for v in (lo, hi))
        else out + np.where(below, raw(lo), 0.0) + np.where(above, raw(hi), 0.0)
    )


@implements(np.sinc)
def _sinc(x: Any) -> Any:
    r = raw(x)
    small = np.abs(r) < 0.1
    xs = WHERE(small, 1.0, x)
    y = np.pi * x
    series = 1.0 + 0 * x
    term = 1.0 + 0 * x
    for k in range(1, 10):
        term = term * (-(y * y)) / ((2 * k) * (2 * k + 1))
        series = series + term
    return WHERE(small, series, np.sin(np.pi * xs) / (np.pi * xs))


@implements(np.meshgrid)
def _meshgrid(*xi: Any, indexing: str = "xy", **kw: Any) -> Any:
    n = len(xi)
    shapes = [shape_of(x)[0] for x in xi]
    if indexing == "xy" and n > 1:
        shapes[0], shapes[1] = shapes[1], shapes[0]
    out = []
    for i, x in enumerate(xi):
        s = [1] * n
        j = i if indexing != "xy" or n < 2 else (1 - i if i < 2 else i)
        s[j] = shape_of(x)[0]
        x = _lift(lambda v: v)(x)
        out.append(
            _broadcast_to(_reshape_to(x, tuple(s)), tuple(shapes))
            if type(x) is Tracer
            else np.broadcast_to(np.reshape(x, s), shapes)
        )
    return tuple(out)


@implements(np.select)
def _select(condlist: Any, choicelist: Any, default: Any = 0) -> Any:
    out = default
    for cond, choice in zip(reversed(list(condlist)), reversed(list(choicelist)), strict=True):
        out = np.where(raw(cond), choice, out)
    return out


@implements(np.interp)
def _interp(
    x: Any, xp: Any, fp: Any, left: Any = None, right: Any = None, period: Any = None
) -> Any:
    """Piecewise-linear interpolation; differentiable in x, xp and fp (kinks at the knots
    take the slope of the segment to their right)."""
    if period is not None:
        raise TracingError("np.interp(..., period=...) is not supported when traced")
    xp, fp = (a if type(a) is Tracer else np.asarray(a, dtype=float) for a in (xp, fp))
    rx, rxp = raw(x), raw(xp)
    n = shape_of(xp)[0]
    i = np.clip(np.searchsorted(rxp, rx, side="right") - 1, 0, n - 2)
    x0, x1 = xp[i], xp[i + 1]
    f0, f1 = fp[i], fp[i + 1]
    y = f0 + (f1 - f0) * (x - x0) / (x1 - x0)
    lo = fp[0] if left is None else left
    hi = fp[n - 1] if right is None else right
    return np.where(rx < rxp[0], lo, np.where(rx > rxp[n - 1], hi, y))
