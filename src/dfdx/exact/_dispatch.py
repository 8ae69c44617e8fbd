"""Exact derivatives of NumPy polynomial and SciPy spline objects, by kind."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.polynomial._polybase import ABCPolyBase

from dfdx._core.validate import check_int

__all__ = ["SUPPORTED_KINDS", "derivative", "is_exact_object"]

SUPPORTED_KINDS = (
    "numpy.poly1d",
    "numpy.polynomial.{Polynomial, Chebyshev, Legendre, Laguerre, Hermite, HermiteE}",
    "scipy.interpolate.BSpline (make_interp_spline, make_smoothing_spline, ...)",
    "scipy.interpolate.PPoly and subclasses (CubicSpline, Akima1DInterpolator, "
    "PchipInterpolator, CubicHermiteSpline)",
    "scipy.interpolate.BPoly",
    "scipy.interpolate.UnivariateSpline and subclasses",
)


def _poly1d(p: np.poly1d, n: int) -> np.poly1d:
    if n == 0:
        return copy.deepcopy(p)
    return p.deriv(m=n)


def _polybase(p: ABCPolyBase, n: int) -> ABCPolyBase:
    # ``deriv`` applies the chain rule of the domain -> window map itself, and
    # returns the zero series of the same class beyond the degree.
    return p.copy() if n == 0 else p.deriv(n)


def _bspline(b: Any, n: int) -> Any:
    from scipy.interpolate import BSpline

    if n == 0:
        return BSpline(b.t.copy(), b.c.copy(), b.k, extrapolate=b.extrapolate, axis=b.axis)
    if n <= b.k:
        return b.derivative(n)
    last = b.derivative(b.k)
    return BSpline(last.t, np.zeros_like(last.c), 0, extrapolate=last.extrapolate, axis=last.axis)


def _piecewise(p: Any, n: int) -> Any:
    # PPoly.derivative and BPoly.derivative already give zero pieces past the order.
    return copy.deepcopy(p) if n == 0 else p.derivative(n)


def _univariate(s: Any, n: int) -> Any:
    if n == 0:
        return copy.deepcopy(s)
    k = s._eval_args[2]
    if n <= k:
        return s.derivative(n)
    last = s.derivative(k)
    t, c, k0 = last._eval_args
    return type(last)._from_tck((t, np.zeros_like(c), k0), ext=last.ext)


@functools.cache
def _handlers() -> tuple[tuple[type, Callable[[Any, int], Any]], ...]:
    from scipy.interpolate import BPoly, BSpline, PPoly, UnivariateSpline

    return (
        (np.poly1d, _poly1d),
        (ABCPolyBase, _polybase),
        (BSpline, _bspline),
        (PPoly, _piecewise),
        (BPoly, _piecewise),
        (UnivariateSpline, _univariate),
    )


def _handler_for(obj: Any) -> Callable[[Any, int], Any] | None:
    for kind, handler in _handlers():
        if isinstance(obj, kind):
            return handler
    return None


def is_exact_object(obj: Any) -> bool:
    """Whether ``obj`` is a polynomial or spline object that dfdx differentiates exactly.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.exact import is_exact_object
    >>> is_exact_object(np.poly1d([1, 2])), is_exact_object(np.sin)
    (True, False)
    """
    return _handler_for(obj) is not None


def derivative(obj: Any, n: int = 1) -> Any:
    """Exact ``n``-th derivative of a polynomial or spline object, of the same kind.

    Parameters
    ----------
    obj : polynomial or spline object
        One of the kinds listed in ``dfdx.exact.SUPPORTED_KINDS``.
    n : int, optional
        Derivative order, a non-negative integer.  ``n=0`` returns an equal
        copy; ``n`` beyond the degree returns the zero polynomial of that kind.

    Returns
    -------
    object
        The derivative, of the same kind as ``obj``: ``poly1d`` gives ``poly1d``,
        a ``numpy.polynomial`` series the same class with the same domain and
        window, a ``BSpline`` a ``BSpline``, a ``PPoly`` (``CubicSpline``,
        ``PchipInterpolator``, ...) a piecewise polynomial, a ``BPoly`` a
        ``BPoly`` and a ``UnivariateSpline`` a ``UnivariateSpline``.

    Raises
    ------
    ValueError
        If ``n`` is negative, not an integer, or a boolean.
    TypeError
        If ``obj`` is not a supported kind; the message lists the kinds.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.exact import derivative
    >>> p = np.poly1d([1, 0, 1])            # x**2 + 1
    >>> int(derivative(p)(5))
    10
    >>> from numpy.polynomial import Chebyshev
    >>> c = Chebyshev.fit(np.linspace(0, 2, 9), np.linspace(0, 2, 9) ** 3, 3)
    >>> float(derivative(c, 2)(1.5))      # d2/dx2 x**3 = 6x, domain [0, 2] respected
    9.0...
    >>> from scipy.interpolate import CubicSpline
    >>> x = np.linspace(0, 1, 11)
    >>> s = CubicSpline(x, x**3)
    >>> float(derivative(s)(0.5))
    0.75...
    """
    n = check_int(n, "n")
    handler = _handler_for(obj)
    if handler is None:
        kinds = "\n  - ".join(SUPPORTED_KINDS)
        raise TypeError(
            f"dfdx.exact.derivative does not support objects of type "
            f"{type(obj).__module__}.{type(obj).__qualname__}; supported kinds:\n  - {kinds}"
        )
    return handler(obj, n)
