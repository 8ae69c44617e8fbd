"""Finite-difference derivatives of black-box callables, with error estimates.

Every function returns a :class:`dfdx.DerivativeResult` carrying the values,
an estimated error, and per-point status, evaluation and iteration counts.
"""

from dfdx.numeric._derivative import derivative

__all__ = ["derivative"]
