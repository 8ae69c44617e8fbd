"""dfdx: derivatives with NumPy, done right.

Exact derivatives of polynomial and spline objects, automatic differentiation
of plain NumPy code, adaptive numerical derivatives of black boxes, grid
derivatives of sampled data and regularised derivatives of noisy data, each
with an honest error estimate.
"""

from dfdx import exact, testing
from dfdx._core import DerivativeResult, Status, fd_weights
from dfdx._front import derivative

__version__ = "0.1.0"

__all__ = [
    "DerivativeResult",
    "Status",
    "__version__",
    "derivative",
    "exact",
    "fd_weights",
    "testing",
]
