"""The tolerances of the numerical engine, and the one test of ``success``.

Two tolerances are at work.  The *refinement* target (``rtol``, default
``eps**(2/3)``) says how far the adaptive loop refines a point before it
stops: usually to the rounding floor of ``f``.  The *success* test then
compares the error bound reported for the point with ``atol + rtol * |df|``,
where the default ``rtol`` depends on the derivative order: rounding grows
with the order (a difference divided by ``h**n``), so the same relative
tolerance cannot be met at every order.  A point that stopped at its
rounding floor with a bound above that tolerance is ``NOT_CONVERGED``: the
estimate says the tolerance was not met, and so does the flag.
"""

from __future__ import annotations

import math

import numpy as np

from dfdx._core.result import Status

__all__ = ["default_rtol", "meet_tolerance", "success_rtol"]

# relative tolerance of ``success`` for float64, per derivative order (other
# precisions: the same power of their eps)
_SUCCESS = {1: 1e-6, 2: 1e-6, 3: 1e-5, 4: 1e-4, 5: 1e-3, 6: 1e-2}
_EPS64 = float(np.finfo(np.float64).eps)
_SUBNORMAL = float(np.finfo(np.float64).smallest_subnormal)


def default_rtol(eps: float) -> float:
    """Refinement target: stop when the truncation estimate is below this (relative)."""
    return eps ** (2 / 3)


def success_rtol(eps: float, n: int) -> float:
    """Default relative tolerance of ``success`` for the ``n``-th derivative.

    For float64: 1e-6 for ``n=1`` and ``n=2``, then 1e-5, 1e-4, 1e-3, 1e-2
    for ``n = 3 ... 6``; for another precision the same power of its ``eps``
    (float32: 2e-3 for ``n=1``).
    """
    power = math.log(_SUCCESS[min(max(n, 1), 6)]) / math.log(_EPS64)
    return eps**power


def meet_tolerance(
    df: np.ndarray,
    error: np.ndarray,
    status: np.ndarray,
    rtol: float,
    atol: float | None,
    *,
    fsum: np.ndarray | None = None,
    xabs: np.ndarray | None = None,
    n: int = 1,
) -> np.ndarray:
    """Turn ``SUCCESS`` and ``ONE_SIDED`` into ``NOT_CONVERGED`` where the tolerance is not met.

    The tolerance is ``atol + rtol * |df|``.  Without an ``atol`` (``None``)
    it is ``rtol * max(|df|, |f| / max(|x|, 1)**n)``, with ``|f|`` half of
    ``fsum`` (``|f(x + h)| + |f(x - h)|`` at the last step): a derivative
    that is zero (or nearly) is judged against the size of ``f`` on the
    scale of ``x``.  A NaN error fails.  ``df``, ``error`` and ``fsum``
    have shape ``(N, q)`` (every component must meet it), ``status`` and
    ``xabs`` shape ``(N,)``.  ``status`` is changed in place.
    """
    usable = status >= 0
    usable &= status != Status.FIXED_STEP
    if not usable.any():
        return status
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        bound = np.abs(df)
        if atol is None and fsum is not None and xabs is not None:
            # (and the engine's floor for subnormal values, see _level.advance)
            size = fsum + 2.0 * _SUBNORMAL / _EPS64 if fsum.dtype.kind != "c" else np.abs(fsum)
            size *= 0.5
            size /= np.maximum(xabs, 1.0).reshape(-1, *([1] * (size.ndim - 1))) ** n
            np.maximum(bound, size, out=bound)
        bound *= rtol
        if atol:
            bound += atol
        ok = error <= bound
    if ok.ndim > 1:
        ok = ok.all(axis=tuple(range(1, ok.ndim)))
    fail = usable & ~ok
    if fail.any():
        status[fail] = Status.NOT_CONVERGED
    return status
