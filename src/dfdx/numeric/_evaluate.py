"""Calling the user's function: batching, per-point isolation, thread/process pools.

Every call gets a freshly built array (never the caller's own), inside
``np.errstate`` that silences the floating-point warnings of probing near a
domain edge.  When a batched call raises, the batch is re-run one point at a
time so that only the points where ``f`` fails are flagged; if it fails at
every point the original exception propagates (it is then a bug, not a
property of the function).
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

__all__ = ["Caller", "KeywordArrays", "make_mapper"]


def make_mapper(workers: Any) -> Callable[[Callable, Iterable], Iterable]:
    """Turn ``workers`` (None, int, executor or map-like callable) into a ``map``."""
    if isinstance(workers, bool | np.bool_):
        raise ValueError(
            f"`workers` must be an int, an executor or a map-like callable, got {workers!r}"
        )
    if workers is None or (isinstance(workers, int) and workers == 1):
        return map
    if isinstance(workers, int):
        if workers < 1:
            raise ValueError(f"`workers` must be a positive integer, got {workers}")

        def thread_map(func: Callable, items: Iterable) -> list:
            with concurrent.futures.ThreadPoolExecutor(workers) as pool:
                return list(pool.map(func, items))

        return thread_map
    if isinstance(workers, concurrent.futures.Executor):
        return workers.map
    if callable(workers):
        return workers
    raise ValueError(
        f"`workers` must be an int, an executor or a map-like callable, got {workers!r}"
    )


class KeywordArrays:
    """``f`` whose last positional arguments are keyword arrays: ``f(x, *args, name=array)``.

    :func:`dfdx.numeric._validate.split_kwargs` moved the numeric arrays of
    ``kwargs`` after ``args`` so that they broadcast with ``x`` and reach
    ``f`` as matching rows; this gives them back by name (picklable when
    ``f`` is, for process pools).
    """

    def __init__(self, f: Callable, nargs: int, names: list[str]) -> None:
        self.f, self.nargs, self.names = f, nargs, names

    def __call__(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        k = self.nargs
        return self.f(x, *args[:k], **dict(zip(self.names, args[k:], strict=True)), **kwargs)


class _PointCall:
    """Picklable ``f(x, *args, **kwargs)`` for one point (process pools)."""

    def __init__(self, f: Callable, kwargs: dict) -> None:
        self.f = f
        self.kwargs = kwargs

    def __call__(self, item: tuple) -> Any:
        x, args = item
        with np.errstate(all="ignore"):
            try:
                return self.f(x, *args, **self.kwargs)
            except Exception as exc:  # reported per point by the caller
                return _Raised(exc)


class _Raised:
    def __init__(self, exc: Exception) -> None:
        self.exc = exc


class Caller:
    """Evaluate ``f`` on batches, vectorised or point by point.

    Parameters
    ----------
    f : callable
        The user's function.
    kwargs : dict
        Keyword arguments passed unchanged.
    vectorized : bool
        Whether ``f`` accepts arrays (one call per batch) or scalars only.
    mapper : callable
        ``map``-like used for scalar calls.
    """

    def __init__(self, f: Callable, kwargs: dict, vectorized: bool, mapper: Callable) -> None:
        self.f = f
        self.kwargs = kwargs
        self.vectorized = vectorized
        self.mapper = mapper
        self.point = _PointCall(f, kwargs)
        self.ever_ok = False  # once f has worked somewhere, failures are per point

    def batch(
        self, X: np.ndarray, args: Sequence[Any], per_point: Sequence[bool], shape: tuple
    ) -> tuple[np.ndarray, np.ndarray]:
        """Call ``f(X, *args)`` where the first axis of ``X`` indexes points.

        ``args[i]`` is sliced along its first axis with ``X`` where
        ``per_point[i]``.  The output must broadcast to ``shape`` (whose first
        axis is that of ``X``).  Returns ``(values, raised)``; ``raised[i]`` is
        True where ``f`` raised for point ``i`` (its values are NaN).
        """
        a = X.shape[0]
        try:
            out = self._call(X, args, shape)
        except Exception as exc:
            if a <= 1 and not self.ever_ok:
                raise
            first = exc
        else:
            self.ever_ok = True
            return out, np.zeros(a, dtype=bool)
        # A failure at both ends with the same exception is a bug, not a domain issue.
        ends = []
        for i in (0, a - 1):
            try:
                self._call(*self._rows(X, args, per_point, slice(i, i + 1)), (1, *shape[1:]))
            except Exception as exc:
                ends.append(type(exc))
        if not self.ever_ok and len(ends) == 2 and all(e is type(first) for e in ends):
            raise first
        values = np.full(shape, np.nan, dtype=complex)
        raised = np.zeros(a, dtype=bool)
        kinds: set[str] = set()
        self._bisect(X, args, per_point, shape, 0, a, values, raised, kinds)
        if raised.all() and not self.ever_ok:
            raise first
        self.ever_ok = self.ever_ok or not raised.all()
        return (values if "c" in kinds else values.real.copy()), raised

    def _bisect(self, X, args, per_point, shape, lo, hi, values, raised, kinds) -> None:
        sl = slice(lo, hi)
        try:
            out = self._call(*self._rows(X, args, per_point, sl), (hi - lo, *shape[1:]))
        except Exception:
            if hi - lo == 1:
                raised[lo] = True
                return
            mid = (lo + hi) // 2
            self._bisect(X, args, per_point, shape, lo, mid, values, raised, kinds)
            self._bisect(X, args, per_point, shape, mid, hi, values, raised, kinds)
            return
        kinds.add(out.dtype.kind)
        values[sl] = out

    @staticmethod
    def _rows(X, args, per_point, sl):
        rows = [arg[sl] if p else arg for arg, p in zip(args, per_point, strict=True)]
        return X[sl].copy(), rows

    def _call(self, X: np.ndarray, args: Sequence[Any], shape: tuple) -> np.ndarray:
        with np.errstate(all="ignore"):
            out = self.f(X, *args, **self.kwargs)
        return self._check(out, shape)

    def scalars(self, items: list[tuple]) -> tuple[list, np.ndarray]:
        """Call ``f`` once per ``(x, args)`` item through the mapper."""
        results = list(self.mapper(self.point, items))
        raised = np.array([isinstance(r, _Raised) for r in results], dtype=bool)
        if raised.all() and results and not self.ever_ok:
            raise results[0].exc
        self.ever_ok = self.ever_ok or not raised.all()
        return results, raised

    @staticmethod
    def _check(out: Any, shape: tuple) -> np.ndarray:
        arr = np.asarray(out)
        if arr.dtype.kind not in "biufc":
            raise TypeError(f"`f` must return numbers, got an array of dtype {arr.dtype}")
        if arr.dtype.kind in "biu":
            arr = arr.astype(np.float64)
        if arr.shape == shape:
            return arr
        try:
            return np.broadcast_to(arr, shape)
        except ValueError:
            raise ValueError(
                f"`f` returned shape {arr.shape} for an input of shape {shape[:2]}; "
                f"expected {shape} (see the calling contract in the docstring)"
            ) from None
