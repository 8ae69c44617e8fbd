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


def unbroadcast(c: Any, x: Any) -> Any:
    """Sum ``c`` over the axes along which ``x`` was broadcast, back to ``x``'s shape."""
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


def is_complex(a: Any) -> bool:
    dt = getattr(a, "dtype", None)
    return isinstance(a, complex) if dt is None else dt.kind == "c"
