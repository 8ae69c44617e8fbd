"""Finite-difference derivatives of black-box callables, with error estimates.

``derivative`` differentiates an elementwise function at many points at once;
``gradient``, ``jacobian``, ``hessian``, ``hessdiag`` and ``directional`` handle
functions of several variables, refining every direction together.  Every
function returns a :class:`dfdx.DerivativeResult` carrying the values, an
estimated error, and per-point status, evaluation and iteration counts.
"""

from dfdx.numeric._derivative import derivative
from dfdx.numeric._functions import directional, gradient, jacobian
from dfdx.numeric._hessian import hessdiag, hessian

__all__ = ["derivative", "directional", "gradient", "hessdiag", "hessian", "jacobian"]
