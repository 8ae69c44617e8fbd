"""The front door: one ``derivative`` for every kind of input."""

from __future__ import annotations

from typing import Any

from dfdx import exact

__all__ = ["derivative"]


def derivative(obj: Any, x: Any = None, *, n: int = 1, **options: Any) -> Any:
    """The derivative of ``obj``, by the engine that fits it.

    Parameters
    ----------
    obj : polynomial or spline object
        A ``numpy.poly1d``, a ``numpy.polynomial`` series, or a SciPy spline or
        piecewise polynomial (see ``dfdx.exact.SUPPORTED_KINDS``).
    x : None
        Points at which to evaluate; reserved for callables and sampled data.
    n : int, optional
        Derivative order (default 1).
    **options
        Reserved for the other engines.

    Returns
    -------
    object
        For polynomial and spline objects, the exact derivative of the same kind.

    Raises
    ------
    TypeError
        For inputs no engine handles yet.

    Examples
    --------
    >>> import numpy as np
    >>> import dfdx
    >>> bool(dfdx.derivative(np.poly1d([1, 0, 1]))(5) == 10)
    True
    """
    if exact.is_exact_object(obj):
        if x is not None or options:
            raise TypeError(
                "dfdx.derivative of a polynomial or spline object takes only `n`; "
                "evaluate the returned object at your points instead"
            )
        return exact.derivative(obj, n)
    raise TypeError(
        f"dfdx.derivative cannot yet differentiate objects of type "
        f"{type(obj).__qualname__}; supported now: polynomial and spline objects "
        f"({', '.join(k.split(' ')[0] for k in exact.SUPPORTED_KINDS)})"
    )
