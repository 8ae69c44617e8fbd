"""Recycled buffers for large intermediate arrays.

A fresh large array costs page faults on first touch, which dominate traced
computations whose intermediates must stay alive (NumPy's own temporary
elision cannot apply to them).  Buffers that a finished transformation
created and that nobody refers to any more are kept here (a few per shape and
dtype) and reused by the next call.  Reference counts decide "nobody": this
is enabled on CPython up to 3.13 only (3.14 borrows references on its stack).
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

__all__ = ["MIN_BYTES", "call", "empty", "large", "release", "take", "zeros"]

MIN_BYTES = 1 << 18
_PER_KEY = 16
_MAX_BYTES = 1 << 28  # at most 256 MiB kept in all
_RELIABLE = sys.implementation.name == "cpython" and sys.version_info < (3, 14)
_POOL: dict[tuple[Any, Any], list[np.ndarray]] = {}


def take(shape: tuple[int, ...], dtype: Any) -> np.ndarray | None:
    free = _POOL.get((shape, dtype))
    return free.pop() if free else None


def empty(shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """``np.empty``, from a recycled buffer when one is available."""
    buf = take(shape, dtype) if _RELIABLE else None
    return np.empty(shape, dtype) if buf is None else buf


def zeros(shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """``np.zeros``, from a recycled buffer when one is available."""
    buf = take(shape, dtype) if _RELIABLE else None
    if buf is None:
        return np.zeros(shape, dtype)
    buf.fill(0)
    return buf


def large(a: Any) -> bool:
    return type(a) is np.ndarray and a.nbytes >= MIN_BYTES and a.dtype.kind in "fc"


def call(ufunc: Any, vals: list[Any], reclaim: Any = None) -> Any:
    """``ufunc(*vals)`` into a recycled buffer when the inputs are large float arrays of one
    shape and dtype (Python numbers allowed); None when it does not apply.  ``reclaim()``,
    if given, is called once when no buffer is free, to refill the pool."""
    arrays = [v for v in vals if type(v) is np.ndarray]
    if not arrays or not _RELIABLE:
        return None
    a0 = arrays[0]
    if a0.nbytes < MIN_BYTES or a0.dtype.kind != "f":
        return None
    for v in vals:
        if type(v) is np.ndarray:
            if v.shape != a0.shape or v.dtype != a0.dtype:
                return None
        elif type(v) is not float and type(v) is not int:
            return None
    buf = take(a0.shape, a0.dtype)
    if buf is None:
        if reclaim is None:
            return None
        reclaim()
        buf = take(a0.shape, a0.dtype)
        if buf is None:
            return None
    if ufunc is np.power and type(vals[1]) is int and vals[1] == 2 and vals[0] is a0:
        return np.square(a0, out=buf)  # what ndarray.__pow__(2) does
    return ufunc(*vals, out=buf)


def release(candidates: list[Any], keep: Any = None) -> None:
    """Keep for reuse the arrays of ``candidates`` (the caller's only references) that
    nobody else refers to; the list is emptied."""
    if not _RELIABLE:
        candidates.clear()
        return
    while candidates:
        arr = candidates.pop()
        if type(arr) is not np.ndarray or arr is keep or arr.nbytes < MIN_BYTES:
            continue
        # references: this name and getrefcount's argument
        if sys.getrefcount(arr) == 2 and arr.base is None and arr.flags.writeable:
            free = _POOL.setdefault((arr.shape, arr.dtype), [])
            total = sum(b.nbytes for bufs in _POOL.values() for b in bufs)
            if (
                len(free) < _PER_KEY
                and total + arr.nbytes <= _MAX_BYTES
                and all(b is not arr for b in free)
            ):
                free.append(arr)
