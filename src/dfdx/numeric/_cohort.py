"""Per-point state of the refinement loop: cohorts of points that share a window.

Points that share a stencil kind and a number of levels in their window form
a *cohort* whose arrays are contiguous, so that the common path of the loop
has no gathers or scatters.  A cohort stores, per level, the combination of
node values the extrapolation needs, and the extrapolation coefficients of
every window length are computed once (:func:`coefficients`).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from dfdx.numeric._stencils import CENTRAL, window_weights

__all__ = ["Cohort", "anomaly_row", "coefficients", "merge", "upgrade"]


@cache
def coefficients(mode: int, n: int, m: int, window: int) -> tuple[np.ndarray, float, float, bool]:
    """Rows over the stored vectors, ``sum |w|``, ``sum |a|`` and whether row 3 is usable.

    Stored vectors: index 0 is ``f(x)``; central levels store two vectors, the
    part of ``f(x+h), f(x-h)`` the derivative uses (``f(x+h) - f(x-h)`` for odd
    ``n``, ``f(x+h) + f(x-h)`` for even ``n``) and the other one; one-sided
    levels store both nodes.  Rows: ``E_m``, ``E_m - E_{m-1}``, and for
    central stencils the non-smoothness measures of :func:`anomaly_row` over
    ``m`` and ``m - 1`` levels.
    """
    c = np.zeros((4 if mode == CENTRAL else 2, 1 + 2 * window))
    w, w0 = window_weights(mode, n, m)
    v, v0 = window_weights(mode, n, m - 1)
    c[0, 0], c[1, 0] = w0, w0 - v0
    if mode == CENTRAL:
        c[0, 1 : 1 + 2 * m : 2] = w[:, 0]
        c[1, 1 : 1 + 2 * m : 2] = w[:, 0]
        c[1, 1 : 2 * m - 1 : 2] -= v[:, 0]
        c[2, 2 : 2 + 2 * m : 2] = anomaly_row(n, m, m)
        if m >= 3:
            c[3, 2 : 2 * m : 2] = anomaly_row(n, m - 1, m)
    else:
        c[0, 1 : 1 + 2 * m] = w.ravel()
        c[1, 1 : 1 + 2 * m] = w.ravel()
        c[1, 1 : 2 * m - 1] -= v.ravel()
    used = c[:, : 1 + 2 * m].copy()
    used.flags.writeable = False
    sabs_a = float(np.abs(c[2]).sum()) if mode == CENTRAL else 0.0
    return used, float(np.abs(w).sum() + abs(w0)), sabs_a, m >= 3


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

    Per-point integers live in one table ``ints`` (index, shrinks, nfev, nit) and
    floats in ``R`` (first step, floor, previous difference, best error), so
    that dropping converged points costs few copies.
    """

    idx, shrinks, nfev, nit = (_row("ints", i) for i in range(4))
    H, floor, d_prev, best_tot, xabs = (_row("R", i) for i in range(5))

    def __init__(self, ints, R, mode, V, best_E, best_err, has_f0):
        self.ints, self.R, self.mode, self.m = ints, R, mode, 0
        self.V, self.best_E, self.best_err, self.has_f0 = V, best_E, best_err, has_f0

    @classmethod
    def start(cls, idx, H, floor, mode, q, window, xabs):
        a = idx.size
        ints = np.zeros((4, a), dtype=np.intp)
        ints[0] = idx
        R = np.stack([H, floor, np.full(a, np.inf), np.full(a, np.inf), xabs])
        V = np.zeros((1 + 2 * window, q, a))
        return cls(ints, R, mode, V, np.full((q, a), np.nan), np.full((q, a), np.nan), False)

    def take(self, keep):
        """Keep only the points where ``keep`` is True."""
        ik = np.flatnonzero(keep)
        self.ints = np.take(self.ints, ik, axis=1)
        self.R = np.take(self.R, ik, axis=1)
        used = 1 + 2 * self.m
        V = np.zeros((*self.V.shape[:2], ik.size), dtype=self.V.dtype)
        V[:used] = np.take(self.V[:used], ik, axis=-1)
        self.V = V
        self.best_E = np.take(self.best_E, ik, axis=1)
        self.best_err = np.take(self.best_err, ik, axis=1)

    def split(self, sel, mode, H, window):
        """A new cohort (window restarted) with the points ``sel``; they leave this one."""
        ints, R = self.ints[:, sel], self.R[:, sel]
        R[0], R[2] = H, np.inf
        V = np.zeros((1 + 2 * window, *self.V.shape[1:-1], ints.shape[1]), dtype=self.V.dtype)
        V[0] = self.V[0][:, sel]
        new = Cohort(ints, R, mode, V, self.best_E[:, sel], self.best_err[:, sel], self.has_f0)
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
        base = group[0]
        order = np.argsort(np.concatenate([c.idx for c in group]), kind="stable")
        for name in ("ints", "R", "V", "best_E", "best_err"):
            merged = np.concatenate([getattr(c, name) for c in group], axis=-1)
            setattr(base, name, np.take(merged, order, axis=-1))  # idx stays sorted
        others.append(base)
    return others


def upgrade(cohorts: list[Cohort]) -> None:
    """Store complex values from now on (``f`` returned complex numbers)."""
    for co in cohorts:
        co.V = co.V.astype(np.complex128)
        co.best_E = co.best_E.astype(np.complex128)
