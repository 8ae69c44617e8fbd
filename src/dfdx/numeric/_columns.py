"""Calling a function of several variables on a batch of points (columns).

The batch is a 2-D array ``X`` of shape ``(m, K)``: column ``j`` is one point
of ``R^m``.  A vectorised ``f`` returns ``(*out, K)``; a function written for
one point (``float(w @ A @ w)``, ``np.sum(w**2)``) is called once per column
with a 1-D array of shape ``(m,)``.

With ``vectorized=None`` (the default of the public functions) the first call
decides which kind ``f`` is: ``f`` gets one point alone (shape ``(m,)``) and
the batch of points (at least two columns); if the batch raises, returns the
wrong shape, or gives a value at the first point that differs from the
single-point value, ``f`` is treated as written for one point from then on,
and :attr:`Columns.note` says so.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import numpy as np

from dfdx.numeric._evaluate import Caller, make_mapper

__all__ = ["Columns"]

_HINT = "pass vectorized=False if `f` is written for one point of shape (m,)"


class Columns:
    """Evaluate ``f`` on the columns of ``X``: batched, or one column per call.

    Parameters
    ----------
    f, args, kwargs
        The user's function and its extra arguments.
    vectorized : bool or None
        True: one call per batch (trusted); False: one call per column;
        None: decided on the first call (see the module docstring).
    workers
        Mapper for the per-column calls (as in :func:`derivative`).
    """

    def __init__(self, f: Callable, args: Any, kwargs: dict, vectorized, workers) -> None:
        self.args = tuple(args) if isinstance(args, tuple | list) else (args,)
        self.kwargs = kwargs
        self.caller = Caller(f, kwargs, bool(vectorized), make_mapper(workers))
        self.f = f
        self.vectorized = vectorized
        self.qshape: tuple | None = None
        self.note = ""
        self.calls = 0

    # -- the first call: f at the points themselves ------------------------
    def first(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Values ``(P, Q)`` and ``raised`` ``(P,)`` at the points ``X`` ``(m, P)``."""
        if self.vectorized is None:
            self.vectorized = self._detect(X)
            if not self.vectorized:
                self.note = (
                    "f treated as written for one point (one call per point): "
                    + self._why
                    + "; pass vectorized=False to skip the check, or write f for "
                    "arrays of shape (m, ...)"
                )
            if self._first is not None:
                return self._first
        return self(X)

    def _detect(self, X: np.ndarray) -> bool:
        """True when ``f`` evaluates a batch of points as it evaluates each one.

        The batch is the points themselves (a nearby second point when there
        is one only), and its first and last columns are compared with
        single-point calls.
        """
        self._first = None
        P = X.shape[1]
        if P > 1:
            B = X
        else:
            other = X + np.where(X == 0, 2.0**-10, X * 2.0**-10).astype(X.dtype)
            B = np.concatenate([X, other], axis=1)
        singles = []
        for j in (0, B.shape[1] - 1):
            with contextlib.suppress(Exception):  # f may fail here: judge by the batch
                singles.append((j, self._one(B[:, j].copy())))
        try:
            self.calls += 1
            with np.errstate(all="ignore"):
                out = _numbers(self.f(B.copy(), *self.args, **self.kwargs))
        except Exception as exc:
            self._why = f"a batch of shape {B.shape} raised {type(exc).__name__}"
            return False
        if out.shape[-1:] != (B.shape[1],):
            self._why = f"a batch of shape {B.shape} gave an output of shape {out.shape}"
            return False
        for j, single in singles:
            if single.size == np.prod(out.shape[:-1]):  # (2, 1) for (2,): singleton axes
                single = single.reshape(out.shape[:-1])
            if out.shape[:-1] != single.shape:
                self._why = (
                    f"one point gave an output of shape {single.shape}, a batch of "
                    f"shape {B.shape} one of shape {out.shape}"
                )
                return False
            a, b = out[..., j], single
            tol = 1e3 * np.finfo(np.float64).eps * np.maximum(np.abs(a), np.abs(b))
            same = (np.abs(a - b) <= tol) | (a == b) | (np.isnan(a) & np.isnan(b))
            if not np.all(same):
                self._why = "a batch gave other values than its points one at a time"
                return False
        self.caller.ever_ok = True
        self._set_shape(out.shape[:-1])
        Q = int(np.prod(self.qshape or ()))
        self._first = out[..., :P].reshape(Q, P).T, np.zeros(P, dtype=bool)
        return True

    def _one(self, x: np.ndarray) -> np.ndarray:
        self.calls += 1
        with np.errstate(all="ignore"):
            return _numbers(self.f(x, *self.args, **self.kwargs))

    # -- every later call ----------------------------------------------------
    def __call__(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``X`` of shape ``(m, K)`` -> values ``(K, Q)`` and per-column ``raised``."""
        K = X.shape[1]
        if self.vectorized:
            vals, raised = self._batched(X)
        else:
            vals, raised = self._columns(X)
        Q = int(np.prod(self.qshape or ()))
        return vals.reshape(Q, K).T, raised

    def _columns(self, X):
        K = X.shape[1]
        self.calls += K
        items = [(X[:, j].copy(), self.args) for j in range(K)]
        results, raised = self.caller.scalars(items)
        if raised.all():
            return np.full((int(np.prod(self.qshape or ())), K), np.nan), raised
        cols = [None if bad else _numbers(r) for r, bad in zip(results, raised, strict=True)]
        for c in cols:
            if c is not None:
                self._set_shape(c.shape)
        nan = np.full(self.qshape, np.nan)
        return np.stack([nan if c is None else c for c in cols], axis=-1), raised

    def _batched(self, X):
        K = X.shape[1]
        try:
            out = self._call(X)
        except _ShapeError:
            raise
        except Exception as exc:
            if not self.caller.ever_ok:
                raise
            first = exc
        else:
            self.caller.ever_ok = True
            return out, np.zeros(K, dtype=bool)
        # isolate the failing columns by bisection
        parts: list = []
        raised = np.zeros(K, dtype=bool)
        self._bisect(X, 0, K, parts, raised)
        if self.qshape is None:
            raise first
        vals = np.full(
            (*self.qshape, K), np.nan, dtype=np.result_type(np.float64, *[p for *_, p in parts])
        )
        for lo, hi, part in parts:
            vals[..., lo:hi] = part
        return vals, raised

    def _bisect(self, X, lo, hi, parts, raised):
        try:
            out = self._call(X[:, lo:hi].copy())
        except _ShapeError:
            raise
        except Exception:
            if hi - lo == 1:
                raised[lo] = True
                return
            mid = (lo + hi) // 2
            self._bisect(X, lo, mid, parts, raised)
            self._bisect(X, mid, hi, parts, raised)
            return
        parts.append((lo, hi, out))

    def _call(self, X: np.ndarray) -> np.ndarray:
        self.calls += 1
        with np.errstate(all="ignore"):
            out = _numbers(self.f(X, *self.args, **self.kwargs))
        K = X.shape[1]
        if out.shape[-1:] != (K,):
            raise _ShapeError(
                f"`f` must return an array whose last axis has length {K} (one value "
                f"per column of its input of shape {X.shape}), got shape {out.shape}; " + _HINT
            )
        self._set_shape(out.shape[:-1])
        return out

    def _set_shape(self, shape):
        if self.qshape is None:
            self.qshape = tuple(shape)
        elif tuple(shape) != self.qshape:
            raise _ShapeError(
                f"`f` returned outputs of shape {tuple(shape)}, earlier {self.qshape}; " + _HINT
            )


class _ShapeError(ValueError):
    """A shape error of ``f``'s output: never isolated per column."""


def _numbers(out: Any) -> np.ndarray:
    arr = np.asarray(out)
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"`f` must return numbers, got an array of dtype {arr.dtype}")
    return arr.astype(np.float64) if arr.dtype.kind in "biu" else arr
