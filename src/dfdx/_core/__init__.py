"""Shared core of dfdx: the result type, validation helpers and finite-difference weights.

Nothing in here imports from any other part of dfdx; every other part may import from here.
"""

from dfdx._core.result import DerivativeResult, Status
from dfdx._core.weights import fd_weights

__all__ = ["DerivativeResult", "Status", "fd_weights"]
