"""``scipy.misc.derivative``, with its exact semantics (fixed step, central weights)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dfdx._core.validate import check_int
from dfdx._core.weights import fd_weights

__all__ = ["misc_derivative"]

# The tables hard-coded in scipy.misc.derivative for n = 1, 2 (exact rationals).
_TABLE = {
    (1, 3): np.array([-1, 0, 1]) / 2.0,
    (1, 5): np.array([1, -8, 0, 8, -1]) / 12.0,
    (1, 7): np.array([-1, 9, -45, 0, 45, -9, 1]) / 60.0,
    (1, 9): np.array([3, -32, 168, -672, 0, 672, -168, 32, -3]) / 840.0,
    (2, 3): np.array([1, -2.0, 1]),
    (2, 5): np.array([-1, 16, -30, 16, -1]) / 12.0,
    (2, 7): np.array([2, -27, 270, -490, 270, -27, 2]) / 180.0,
    (2, 9): np.array([-9, 128, -1008, 8064, -14350, 8064, -1008, 128, -9]) / 5040.0,
}


def misc_derivative(
    func: Callable, x0: Any, dx: float = 1.0, n: int = 1, args: tuple = (), order: int = 3
) -> Any:
    """The ``n``-th derivative at ``x0`` by a central difference with fixed spacing ``dx``.

    A faithful replacement for ``scipy.misc.derivative`` (removed from SciPy):
    the same defaults (``dx=1.0``, ``order=3`` points), the same weights, the
    same calls of ``func`` (one per stencil point, the centre included, in
    order from ``x0 - (order // 2) * dx``), so migrated code gives identical
    numbers, including the large truncation error of the default ``dx=1.0``.

    Parameters
    ----------
    func : callable
        ``func(x, *args)``.
    x0 : float or array_like
        Point(s) at which to differentiate; passed through arithmetic to
        ``func`` as in SciPy (arrays work when ``func`` accepts them).
    dx : float, optional
        Spacing.  Default 1.0 (rarely what you want; see below).
    n : int, optional
        Derivative order.  Default 1.
    args : tuple, optional
        Extra arguments for ``func``.
    order : int, optional
        Number of points, odd, at least ``n + 1``.  Default 3.

    Returns
    -------
    float or ndarray
        The finite-difference value (no error estimate).

    Raises
    ------
    ValueError
        If ``order`` is even or smaller than ``n + 1``, or ``n`` is not a
        positive integer.

    See Also
    --------
    dfdx.numeric.derivative : adaptive step, error estimate, vectorised.

    Notes
    -----
    Moving to dfdx is a one-line change; the adaptive routine picks the step
    and reports how accurate the value is::

        # before: scipy.misc.derivative(f, x0, dx=1e-3, n=1, args=(a,))
        dfdx.numeric.derivative(f, x0, n=1, args=(a,)).df

    ``dfdx.numeric.derivative`` calls ``f`` with arrays (pass
    ``vectorized=False`` for scalar-only code).  To keep the old fixed-step
    stencil instead, use ``derivative(f, x0, step=dx, order=order - 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.compat import misc_derivative
    >>> round(float(misc_derivative(np.exp, 1.0, dx=1e-3)), 6)
    2.718282
    >>> float(misc_derivative(lambda x: x**3, 1.0))  # the default dx=1.0: 4, not 3
    4.0
    >>> float(misc_derivative(lambda x: x**3, 1.0, dx=0.5, order=5))
    3.0

    The replacement, with an error estimate:

    >>> from dfdx.numeric import derivative
    >>> res = derivative(lambda x: x**3, 1.0)
    >>> round(float(res.df), 12), bool(res.error < 1e-10)
    (3.0, True)
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise ValueError(f"`n` must be a positive integer, got {n!r}")
    n = check_int(n, "n", minimum=1)
    order = check_int(order, "order", minimum=1)
    if order < n + 1:
        raise ValueError(
            f"'order' (the number of points used to compute the derivative) must be at "
            f"least the derivative order 'n' + 1 = {n + 1}, got {order}"
        )
    if order % 2 == 0:
        raise ValueError(
            f"'order' (the number of points used to compute the derivative) must be odd, "
            f"got {order}"
        )
    weights = _TABLE.get((n, order))
    if weights is None:
        half = order >> 1
        weights = fd_weights(np.arange(-half, half + 1.0), n)
    val = 0.0
    ho = order >> 1
    for k in range(order):
        val += weights[k] * func(x0 + (k - ho) * dx, *args)
    return val / np.prod((dx,) * n, axis=0)
