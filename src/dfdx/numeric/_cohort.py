"""Per-point state of the refinement loop: cohorts of points that share a window.

Points that share a stencil kind and a number of levels in their window form
a *cohort* whose arrays are contiguous, so that the common path of the loop
has no gathers or scatters.  A cohort stores, per level, the combination of
node values the extrapolation needs (``V``) and, for central stencils, the
other combination, which only the kink test reads (``C``); the coefficients
of every window length are computed once (:func:`coefficients`,
:func:`kink_coefficients`).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from dfdx.numeric._stencils import CENTRAL, window_weights

__all__ = ["Cohort", "anomaly_row", "coefficients", "kink_coefficients", "merge", "upgrade"]


@cache
def coefficients(mode: int, n: int, m: int, window: int) -> tuple[np.ndarray, float]:
    """Rows ``(E_m, E_m - E_{m-1})`` over the stored vectors, and ``sum |w|``.

    Stored vectors: index 0 is ``f(x)``; central levels store one vector
    (``f(x+h) - f(x-h)`` for odd ``n``, ``f(x+h) + f(x-h)`` for even ``n``),
    one-sided levels store both nodes.
    """
    per = 1 if mode == CENTRAL else 2
    c = np.zeros((2, 1 + per * window))
    w, w0 = window_weights(mode, n, m)
    v, v0 = window_weights(mode, n, m - 1)
    full = w[:, 0] if per == 1 else w.ravel()
    prev = v[:, 0] if per == 1 else v.ravel()
    c[0, 0], c[0, 1 : 1 + full.size] = w0, full
    c[1, 0] = w0 - v0
    c[1, 1 : 1 + full.size] = full
    c[1, 1 : 1 + prev.size] -= prev
    used = c[:, : 1 + full.size].copy()
    return used, float(np.abs(w).sum() + abs(w0))


@cache
def kink_coefficients(n: int, m: int) -> tuple[np.ndarray, float, bool]:
    """Rows over the ``m`` stored complementary vectors of a central window.

    Row 0 is :func:`anomaly_row` over the window, row 1 over the window
    without its smallest step (zeros, and ``False`` returned, when that has
    fewer than two levels); also ``sum |row 0|``.
    """
    c = np.zeros((2, m))
    c[0] = anomaly_row(n, m, m)
    if m >= 3:
        c[1, : m - 1] = anomaly_row(n, m - 1, m)
    c.flags.writeable = False
    return c, float(np.abs(c[0]).sum()), m >= 3


def anomaly_row(n: int, levels: int, m: int) -> np.ndarray:
    """Weights over the first ``levels`` central levels measuring non-smoothness.

    For a smooth ``f`` the part of ``f(x+h), f(x-h)`` that the ``n``-th
    derivative does not use (``f(x+h) + f(x-h)`` for odd ``n``, the
    difference for even ``n``) holds only even (odd) powers of ``h``.  A kink
    adds ``(f'_+ - f'_-) h`` to the sum, a jump adds ``f(x+) - f(x-)`` to the
    difference: the power ``k = n % 2`` is the sign of a point where the
    derivative does not exist.  The row fits ``h**k`` and the lowest regular
    powers to the levels and returns that coefficient, scaled (times
    ``H**-n``) to the discrepancy it makes in the ``n``-th derivative at the
    smallest step of a window of ``m`` levels (``n! / 2 * h**(k - n)``).
    """
    k = n % 2
    powers = [k, *range(1 - k, 2 * levels, 2)][:levels]
    u = 2.0 ** -np.arange(levels)
    vander = u[:, None] ** np.array(powers, dtype=float)
    row = np.linalg.inv(vander)[0]
    return row * (math.factorial(n) / 2 * 2.0 ** ((m - 1) * (n - k)))


def _row(table: str, i: int) -> property:
    def get(self):
        return getattr(self, table)[i]

    def set_(self, value):
        getattr(self, table)[i] = value

    return property(get, set_)


class Cohort:
    """Points sharing a stencil kind and window length; arrays are contiguous, ``idx`` sorted.

    Per-point integers live in one table ``ints`` (index, shrinks, nit) and
    floats in ``R`` (first step, floor, previous difference, best error), so
    that dropping converged points costs few copies.  Levels done by every
    point are counted once per cohort (``lev``) and added to the table when
    it splits or merges.
    """

    idx, shrinks, nit = (_row("ints", i) for i in range(3))
    H, floor, d_prev, best_tot, xabs = (_row("R", i) for i in range(5))

    def __init__(self, ints, R, mode, V, C, best_E, best_err, has_f0, nit_top=0):
        self.ints, self.R, self.mode, self.m = ints, R, mode, 0
        # levels done by every point but not yet added to nit (one
        # integer per level instead of a pass over the table), and a bound
        # on the per-point nit already in the table
        self.lev, self.nit_top = 0, nit_top
        # levels (each halving the step) that no point's step can reach its
        # floor in; 0: test every point (a new window or a new step sequence)
        self.room = 0
        self.V, self.C, self.best_E, self.best_err = V, C, best_E, best_err
        self.has_f0 = has_f0

    @classmethod
    def start(cls, idx, H, floor, mode, q, window, xabs):
        a = idx.size
        ints = np.zeros((3, a), dtype=np.intp)
        ints[0] = idx
        R = np.empty((5, a))
        R[0], R[1], R[2:4], R[4] = H, floor, np.inf, xabs
        per = 1 if mode == CENTRAL else 2
        V = np.empty((1 + per * window, q, a))  # rows are written before they are read,
        V[0] = 0.0  # except f(x), which odd central stencils weight by 0
        C = np.empty((window if mode == CENTRAL else 0, q, a))
        nan = np.full((q, a), np.nan)
        return cls(ints, R, mode, V, C, nan, nan.copy(), False)

    def counts(self, done=None):
        """``nit`` of the points ``done`` (all points if None)."""
        return (self.nit if done is None else self.nit[done]) + self.lev

    def max_nit(self):
        """An upper bound of the points' ``nit``."""
        return self.nit_top + self.lev

    def flush(self):
        """Add the pending levels to the per-point counts."""
        if self.lev:
            self.ints[2] += self.lev
            self.nit_top += self.lev
            self.lev = 0

    def take(self, keep):
        """Keep only the points where ``keep`` is True."""
        ik = np.flatnonzero(keep)
        if not ik.size:  # every point leaves: empty views, no copies
            for name in ("ints", "R", "V", "C", "best_E", "best_err"):
                setattr(self, name, getattr(self, name)[..., :0])
            return
        self.ints = np.take(self.ints, ik, axis=1)
        self.R = np.take(self.R, ik, axis=1)
        used = 1 + self.m * (1 if self.mode == CENTRAL else 2)
        V = np.empty((*self.V.shape[:2], ik.size), dtype=self.V.dtype)
        V[:used] = np.take(self.V[:used], ik, axis=-1)
        self.V = V
        C = np.empty((*self.C.shape[:2], ik.size), dtype=self.C.dtype)
        C[: self.m] = np.take(self.C[: self.m], ik, axis=-1)
        self.C = C
        self.best_E = np.take(self.best_E, ik, axis=1)
        self.best_err = np.take(self.best_err, ik, axis=1)

    def split(self, sel, mode, H, window):
        """A new cohort (window restarted) with the points ``sel``; they leave this one."""
        self.flush()
        ints, R = self.ints[:, sel], self.R[:, sel]
        R[0], R[2] = H, np.inf
        per = 1 if mode == CENTRAL else 2
        a = ints.shape[1]
        V = np.empty((1 + per * window, *self.V.shape[1:-1], a), dtype=self.V.dtype)
        V[0] = self.V[0][:, sel]
        C = np.empty((window if mode == CENTRAL else 0, *self.V.shape[1:-1], a), dtype=V.dtype)
        best_E, best_err = self.best_E[:, sel], self.best_err[:, sel]
        new = Cohort(ints, R, mode, V, C, best_E, best_err, self.has_f0, self.nit_top)
        self.take(~sel)
        return new


def merge(cohorts, q, window):
    """Merge fresh cohorts (no levels yet) of the same kind, to keep calls few."""
    fresh: dict[tuple[int, bool], list[Cohort]] = {}
    others = []
    for co in cohorts:
        if co.idx.size == 0:
            continue
        if co.m == 0:
            fresh.setdefault((co.mode, co.has_f0), []).append(co)
        else:
            others.append(co)
    for group in fresh.values():
        if len(group) == 1:
            others.append(group[0])
            continue
        for co in group:
            co.flush()
        base = group[0]
        base.nit_top = max(co.nit_top for co in group)
        base.room = 0
        order = np.argsort(np.concatenate([c.idx for c in group]), kind="stable")
        for name in ("ints", "R", "V", "C", "best_E", "best_err"):
            merged = np.concatenate([getattr(c, name) for c in group], axis=-1)
            setattr(base, name, np.take(merged, order, axis=-1))  # idx stays sorted
        others.append(base)
    return others


def upgrade(cohorts: list[Cohort]) -> None:
    """Store complex values from now on (``f`` returned complex numbers)."""
    for co in cohorts:
        co.V = co.V.astype(np.complex128)
        co.C = co.C.astype(np.complex128)
        co.best_E = co.best_E.astype(np.complex128)
