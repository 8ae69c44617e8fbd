"""The tolerances of the numerical engine, and the one test of ``success``.

Two tolerances are at work.  The *refinement* target (``rtol``, default
``eps**(2/3)``) says how far the adaptive loop refines a point before it
stops: usually to the rounding floor of ``f``.  The *success* test then
compares the error bound reported for the point with ``atol + rtol * |df|``,
where the default ``rtol`` depends on the derivative order (rounding grows
with the order: a difference divided by ``h**n``, so the same relative
tolerance cannot be met at every order) and the default ``atol`` is the
smallest normal number (a derivative that is zero, or tiny next to ``f``,
as ``tanh'`` at 20, is judged relative to itself and seldom passes).  A point that stopped at its
rounding floor with a bound above that tolerance is ``NOT_CONVERGED``: the
estimate says the tolerance was not met, and so does the flag.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from dfdx._core.result import Status

__all__ = ["converged", "default_atol", "default_rtol", "meet_tolerance", "success_rtol"]

# relative tolerance of ``success`` for float64, per derivative order (other
# precisions: the same power of their eps)
_SUCCESS = {1: 1e-6, 2: 1e-6, 3: 1e-5, 4: 1e-4, 5: 1e-3, 6: 1e-2}
_EPS64 = float(np.finfo(np.float64).eps)
_FIXED_STEP, _NOT_CONVERGED = int(Status.FIXED_STEP), int(Status.NOT_CONVERGED)


def converged(
    E: np.ndarray, d: np.ndarray, rnd: np.ndarray, rtol: float, atol: float
) -> tuple[np.ndarray, np.ndarray]:
    """The one convergence test of the refinement: ``d <= max(rtol |E|, atol, rnd)``.

    ``E`` is the estimate, ``d`` its change from the window without the
    smallest step and ``rnd`` the rounding floor of the values, all in the
    same units (``atol`` too: the lookahead tests before scaling by
    ``h**-n`` and passes ``atol * h**n``).  Returns ``(ok, tol)``; NaN
    anywhere fails.  Every path uses it: :func:`dfdx.numeric._level.advance`,
    the lookahead's NumPy test and, compiled, ``_jitlook.converged1``
    (the same operations per element; a test checks they agree).
    """
    tol = np.abs(E)
    tol *= rtol
    if np.ndim(atol) or atol:
        np.maximum(tol, atol, out=tol)
    np.maximum(tol, rnd, out=tol)
    return d <= tol, tol


def default_rtol(eps: float) -> float:
    """Refinement target: stop when the truncation estimate is below this (relative)."""
    return eps ** (2 / 3)


@cache
def default_atol(dtype) -> float:
    """Default absolute tolerance of ``success``: the smallest normal number of ``dtype``.

    Only a derivative that is zero to within the subnormal range passes on
    it (``f`` constant or zero near the point); any other ``success`` is
    relative to ``|df|``, as in SciPy.
    """
    return float(np.finfo(dtype).tiny)


@cache
def success_rtol(eps: float, n: int) -> float:
    """Default relative tolerance of ``success`` for the ``n``-th derivative.

    For float64: 1e-6 for ``n=1`` and ``n=2``, then 1e-5, 1e-4, 1e-3, 1e-2
    for ``n = 3 ... 6``; for another precision the same power of its ``eps``
    (float32: 2e-3 for ``n=1``).
    """
    power = math.log(_SUCCESS[min(max(n, 1), 6)]) / math.log(_EPS64)
    return eps**power


def meet_tolerance(
    df: np.ndarray, error: np.ndarray, status: np.ndarray, rtol: float, atol: float
) -> np.ndarray:
    """Turn usable statuses into ``NOT_CONVERGED`` where ``error > atol + rtol * |df|``.

    ``SUCCESS`` and ``ONE_SIDED`` are tested (``FIXED_STEP`` is an estimate
    only, by definition); a NaN error fails.  ``df`` and ``error`` have shape
    ``(N, q)`` (every component must meet the tolerance) or ``(N,)``,
    ``status`` shape ``(N,)``; it is changed in place and returned.
    """
    if df.ndim == 2 and df.shape[1] == 1:
        df, error = df[:, 0], error[:, 0]
    # (call under np.errstate(all="ignore") where |df| may be inf or rtol 0)
    bound = np.abs(df)
    bound *= rtol
    if atol:
        bound += atol
    ok = error <= bound  # (False for a NaN error)
    if ok.all():  # the common case: nothing to change
        return status
    fail = ~ok
    if fail.ndim > 1:
        fail = fail.any(axis=tuple(range(1, fail.ndim)))
    fail &= status >= 0
    fail &= status != _FIXED_STEP
    if fail.any():
        status[fail] = _NOT_CONVERGED
    return status
