"""Small shape helpers shared by the rule tables (batched tangents, broadcasting)."""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx.ad._trace import shape_of

__all__ = ["align", "bidx", "bnb", "is_complex", "neg_axes", "shape_of", "unbroadcast"]


def bnb(t: Any, x: Any) -> int:
    """Number of leading batch axes of tangent ``t`` of primal ``x``."""
    return len(shape_of(t)) - len(shape_of(x))


def align(t: Any, x: Any, ans: Any) -> Any:
    """Insert unit axes after the batch axes so ``t`` broadcasts like ``x`` against ``ans``."""
    xs = shape_of(x)
    extra = len(shape_of(ans)) - len(xs)
    if extra > 0:
        nb = len(shape_of(t)) - len(xs)
        if nb:
            ts = shape_of(t)
            t = np.reshape(t, ts[:nb] + (1,) * extra + xs)
    return t


_SCALARS = (np.float64, float, np.float32, np.complex128)


def unbroadcast(c: Any, x: Any) -> Any:
    """Sum ``c`` over the axes along which ``x`` was broadcast, back to ``x``'s shape."""
    if type(c) is type(x) and type(c) in _SCALARS:
        return c
    xs = shape_of(x)
    cs = shape_of(c)
    if cs == xs:
        return c
    lead = len(cs) - len(xs)
    if lead < 0:
        return np.broadcast_to(c, xs)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(xs) if n == 1 and cs[lead + i] != 1
    )
    if axes:
        c = np.sum(c, axis=axes)
    return np.reshape(c, xs)


def neg_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    """Axes as negative integers (so they also address batched tangents); None = all."""
    if axis is None:
        return tuple(range(-ndim, 0))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    out = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(a, ndim)
        out.append(a - ndim if a >= 0 else a)
    return tuple(out)


def bidx(idx: Any, nb: int) -> Any:
    """Index ``idx`` of a primal shifted past ``nb`` leading batch axes."""
    if not nb:
        return idx
    items = idx if isinstance(idx, tuple) else (idx,)
    return (slice(None),) * nb + items


def split_advanced(idx: Any) -> int | None:
    """For an index whose advanced (array) entries are separated by basic ones - NumPy
    then puts the broadcast index dimensions first - their number of dimensions, else None."""
    items = idx if isinstance(idx, tuple) else (idx,)
    pos = [
        k
        for k, i in enumerate(items)
        if not (isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis)
    ]
    if len(pos) < 2 or pos[-1] - pos[0] == len(pos) - 1:
        return None
    arrays = [np.asarray(items[k]) for k in pos]
    return len(
        np.broadcast_shapes(*[a.shape if a.dtype != bool else (int(a.sum()),) for a in arrays])
    )


def batched_getitem(t: Any, idx: Any, nb: int) -> Any:
    """``t[idx]`` for a tangent with ``nb`` leading batch axes, batch axes kept first."""
    r = t[bidx(idx, nb)]
    k = split_advanced(idx) if nb else None
    if k:
        r = np.moveaxis(r, tuple(range(k, k + nb)), tuple(range(nb)))
    return r


def batch_to_numpy_layout(v: Any, idx: Any, nb: int) -> Any:
    """Inverse of the axis move in :func:`batched_getitem` (for assignments at ``idx``)."""
    k = split_advanced(idx) if nb else None
    if k:
        v = np.moveaxis(v, tuple(range(nb)), tuple(range(k, k + nb)))
    return v


def is_complex(a: Any) -> bool:
    dt = getattr(a, "dtype", None)
    return isinstance(a, complex) if dt is None else dt.kind == "c"
