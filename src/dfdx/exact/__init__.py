"""Exact derivatives of polynomial and spline objects.

``derivative(obj, n)`` returns an object of the same kind that represents the
``n``-th derivative exactly: NumPy's ``poly1d`` and every ``numpy.polynomial``
class (domain and window respected), SciPy's ``BSpline``, ``PPoly`` and its
subclasses, ``BPoly`` and ``UnivariateSpline``.
"""

from dfdx.exact._dispatch import SUPPORTED_KINDS, derivative, is_exact_object

__all__ = ["SUPPORTED_KINDS", "derivative", "is_exact_object"]
