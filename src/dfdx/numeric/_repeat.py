"""Is ``f`` deterministic?  One node per sampled point, evaluated again at the end.

The adaptive engine usually decides a smooth point from its first call of
``f`` alone (several levels at once).  A function whose values change from
call to call by a common factor (``np.exp(x) * rng.random()``: random, but
one number per call) is smooth *within* that call, so the levels agree and
the estimate converges to a meaningless value with a tiny error bound.  No
test inside one call can see it; a second call can.  :class:`Probe` keeps the
first node of up to :data:`SAMPLE` points, spread over all, from the first call
that holds each, and after the
refinement evaluates ``f`` there once more: a value that differs by more than
rounding means ``f`` is not a function of its argument, and the points so
found (every point, when only a sample was checked) are not a success.  The
cost is one call of ``f`` with at most :data:`SAMPLE` nodes, counted in the
``nfev`` of the sampled points.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np

from dfdx._core.result import Status

__all__ = ["NOTE", "SAMPLE", "Probe", "agree", "sampled"]

_EMPTY = np.zeros(0, dtype=np.intp)
SAMPLE = 64  # points checked (all of them when there are no more)
_ULPS = 8.0  # values equal to this many units of rounding count as the same
_NOTE = (
    "f returned other values when called again at the same nodes (not deterministic: "
    "random, or state kept between calls); its derivative estimates are not a success"
)


@lru_cache(maxsize=64)
def sampled(total: int) -> np.ndarray:
    """The points of ``total`` whose first node is evaluated again (spread evenly).

    Increasing (the spacing of the sample is at least 1); read-only, cached.
    """
    spread = np.linspace(0, total - 1, min(total, SAMPLE))
    out = spread.astype(np.intp)
    out.flags.writeable = False
    return out


def agree(old: np.ndarray, new: np.ndarray, raised: np.ndarray, eps: float):
    """Per row (first axis): the values of two calls equal to rounding.

    Returns ``(same, change)``, ``change`` the relative change per value
    (NaN in both calls counts as the same; a raise in the second does not).
    """
    with np.errstate(all="ignore"):
        change = np.abs(new - old) / np.maximum(np.abs(old), np.abs(new))
        same = (change <= _ULPS * eps) | (old == new) | (np.isnan(old) & np.isnan(new))
    return same.reshape(same.shape[0], -1).all(axis=1) & ~raised, change


NOTE = _NOTE


class Probe:
    """The first node of a fixed sample of points, from the call that first holds each."""

    def __init__(self, total: int, eps: float, args: list, per_point: list) -> None:
        self.total, self.eps = total, eps
        self.points = sampled(total)
        s = self.points.size
        self.args = [a[self.points] if p else a for a, p in zip(args, per_point, strict=True)]
        self.per_point = list(per_point)
        self.pending = np.ones(s, dtype=bool)  # not seen in a call yet
        self.seen = False  # every sampled point seen
        self.slots = np.arange(s)
        self.usable = np.zeros(s, dtype=bool)  # seen, and f did not raise there
        self.X: np.ndarray | None = None
        self.values: np.ndarray | None = None

    def record(self, idx: np.ndarray | slice, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Keep the first node of the sampled points among the rows of ``X`` (before ``f``).

        ``idx`` are the engine's points of the rows (a slice for a run);
        returns ``(slots, rows)`` for :meth:`values_of` (empty once every
        sampled point was seen: the common case costs one test).
        """
        if self.seen:
            return _EMPTY, _EMPTY
        points = self.points
        whole = isinstance(idx, slice) and idx.start == 0 and idx.stop > points[-1]
        if whole and self.pending.all():  # the common case: the first call holds every point
            self.X = X[points, :1].copy()
            self.pending[:] = False
            self.seen = True
            return self.slots, points
        if isinstance(idx, slice):
            lo = np.searchsorted(self.points, idx.start)
            hi = np.searchsorted(self.points, idx.stop)
            slots = lo + np.flatnonzero(self.pending[lo:hi])
            rows = self.points[slots] - idx.start
        else:
            where = np.searchsorted(self.points, idx)
            where[where == self.points.size] = 0
            hit = (self.points[where] == idx) & self.pending[where]
            rows = np.flatnonzero(hit)
            slots, keep = np.unique(where[rows], return_index=True)
            rows = rows[keep]
        if slots.size:
            if self.X is None:
                self.X = np.zeros((self.points.size, 1), dtype=X.dtype)
            self.X[slots] = X[rows, :1]
            self.pending[slots] = False
            self.seen = not self.pending.any()
        return slots, rows

    def values_of(self, slots: np.ndarray, rows: np.ndarray, vals, raised) -> None:
        """Store the values of that call at the sampled rows (``vals`` ``(a, k, q)``)."""
        if not slots.size:
            return
        if self.values is None or (vals.dtype.kind == "c" and self.values.dtype.kind != "c"):
            old = self.values
            self.values = np.zeros((self.points.size, 1, vals.shape[2]), dtype=vals.dtype)
            if old is not None:
                self.values[...] = old
        self.values[slots] = vals[rows, :1]
        self.usable[slots] = ~raised[rows]

    def check(
        self,
        call: Callable[[np.ndarray, list], tuple[np.ndarray, np.ndarray]],
        df: np.ndarray,
        error: np.ndarray,
        status: np.ndarray,
        nfev: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
        """Call ``f`` again at the kept nodes; flag what differs.

        Returns ``(error, status, nfev, note)``.  A point found out is
        ``NOT_CONVERGED``, with an error of at least ``|df|`` (its value
        depends on the call, not on ``f``'s derivative).  ``status`` and
        ``nfev`` (per engine point) may be read-only views; they are copied
        when changed.
        """
        use = self.usable
        if self.values is None or self.X is None or not use.any():
            return error, status, nfev, ""
        points = self.points[use]
        again, raised = call(
            self.X[use],
            [a[use] if p else a for a, p in zip(self.args, self.per_point, strict=True)],
        )
        old, new = self.values[use], again[:, :1]
        nfev = np.array(nfev, dtype=np.intp)  # (a writable copy)
        nfev[points] += 1
        if not raised.any() and (old == new).all():  # the common case: the same bits
            return error, status, nfev, ""
        same, change = agree(old, new, raised, self.eps)
        if same.all():
            return error, status, nfev, ""
        status = np.array(status)
        if points.size == self.total:  # every point checked: flag each that differs
            bad = np.zeros(self.total, dtype=bool)
            bad[points[~same]] = True
        else:  # a sample: f as a whole is not deterministic
            bad = np.ones(self.total, dtype=bool)
        spread = np.nanmax(np.where(np.isfinite(change), change, 1.0)[~same])
        with np.errstate(all="ignore"):
            error[bad] = np.fmax(error[bad], np.abs(df[bad]) * max(spread, 1.0))
        status[bad & (status >= 0)] = Status.NOT_CONVERGED
        return error, status, nfev, _NOTE
