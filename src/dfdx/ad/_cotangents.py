"""Lazy cotangents of reverse mode and their accumulation.

A cotangent that is zero outside an indexed part (``SparseCt``) or the negation
of another (``NegCt``) stays lazy until a rule needs it dense, so accumulating
it costs one in-place pass over the part that matters.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx.ad import _pool as pool
from dfdx.ad._tracer import Tracer, inexact_dtype

__all__ = ["NEG_AWARE", "NegCt", "SparseCt", "accumulate", "dense"]


class SparseCt:
    """A cotangent that is zero except ``[idx] = g`` (reverse of basic indexing), kept lazy
    so that accumulating it costs one in-place add on the indexed part only."""

    __slots__ = ("g", "idx", "neg", "shape")

    def __init__(self, g: np.ndarray, idx: Any, shape: tuple[int, ...], neg: bool = False) -> None:
        self.g, self.idx, self.shape, self.neg = g, idx, shape, neg

    def dense(self) -> np.ndarray:
        """The cotangent as an array (the SparseCt is spent: its part goes to the pool)."""
        dtype = inexact_dtype(self.g)
        rest = _complement(self.idx, self.shape)
        if rest is None:
            z = pool.zeros(self.shape, dtype)
        else:  # a band of one axis: zero only the rest
            z = pool.empty(self.shape, dtype)
            for r in rest:
                z[r] = 0
        if self.neg:
            np.negative(self.g, out=z[self.idx])  # basic index: a view
        else:
            z[self.idx] = self.g
        cand = [self.g]
        self.g = None
        pool.release(cand)
        return z


class NegCt:
    """The cotangent ``-g`` kept lazy (reverse of ``a - b`` for ``b``, when ``g`` is shared
    with ``a``): rules in ``NEG_AWARE`` fold the sign into their own pass, an in-place
    accumulation subtracts; anything else gets ``dense()``."""

    __slots__ = ("g",)

    def __init__(self, g: np.ndarray) -> None:
        self.g = g

    def dense(self) -> np.ndarray:
        g = self.g
        return np.negative(g, out=pool.empty(g.shape, g.dtype))


# primitives whose reverse rules accept a NegCt cotangent
NEG_AWARE: set[Any] = set()


def _complement(idx: Any, shape: tuple[int, ...]) -> list[tuple[slice, ...]] | None:
    """For ``idx`` selecting a contiguous band ``start:stop`` of one axis (full slices
    elsewhere), the indices of the rest; None for any other index."""
    items = idx if type(idx) is tuple else (idx,)
    if len(items) > len(shape) or any(type(i) is not slice for i in items):
        return None
    band = [k for k, i in enumerate(items) if i != _FULL]
    if len(band) > 1:
        return None
    if not band:
        return []
    k = band[0]
    start, stop, step = items[k].indices(shape[k])
    if step != 1:
        return None
    stop = max(start, stop)
    pre = (slice(None),) * k
    return [(*pre, slice(0, start)), (*pre, slice(stop, None))]


_FULL = slice(None)


def dense(c: Any) -> Any:
    t = type(c)
    return c.dense() if t is SparseCt or t is NegCt else c


def accumulate(cts: list[Any], p: int, c: Any, owned: set[int]) -> None:
    """cts[p] += c, in place when cts[p] is a buffer the backward pass created itself."""
    old = cts[p]
    if old is None:
        cts[p] = c
        return
    if type(old) is SparseCt or type(old) is NegCt:
        old = old.dense()
        owned.add(id(old))
    if id(old) in owned and type(old) is np.ndarray:
        if type(c) is SparseCt:
            if np.can_cast(c.g.dtype, old.dtype, "same_kind"):
                if c.neg:
                    old[c.idx] -= c.g
                else:
                    old[c.idx] += c.g
                cts[p] = old
                cand = [c.g]
                c.g = None
                pool.release(cand)
                return
            c = c.dense()
        elif type(c) is NegCt:
            if c.g.shape == old.shape and np.can_cast(c.g.dtype, old.dtype, "same_kind"):
                old -= c.g
                cts[p] = old
                return
            c = c.dense()
        if (
            type(c) is not Tracer
            and np.shape(c) == old.shape
            and np.can_cast(np.result_type(c), old.dtype, "same_kind")
        ):
            old += c
            cts[p] = old
            return
    new = old + dense(c)
    if type(new) is np.ndarray:
        owned.add(id(new))
    cts[p] = new
