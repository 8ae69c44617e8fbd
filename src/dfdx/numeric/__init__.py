"""Finite-difference derivatives of black-box callables, with error estimates.

Not built yet: this subpackage is reserved for the adaptive engine (issue 3).
"""

__all__: list[str] = []
