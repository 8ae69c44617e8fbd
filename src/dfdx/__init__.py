"""dfdx: derivatives with NumPy, done right.

Exact derivatives of polynomial and spline objects, automatic differentiation
of plain NumPy code, adaptive numerical derivatives of black boxes, grid
derivatives of sampled data and regularised derivatives of noisy data, each
with an honest error estimate.  ``dfdx.derivative`` is the front door.

The engines (``ad``, ``numeric``, ``grid``, ``noisy``, ``compat``) and the
automatic-differentiation operators re-exported here are imported on first
use, so ``import dfdx`` stays fast.
"""

import importlib
from typing import Any

from dfdx import exact, testing
from dfdx._core import DerivativeResult, Status, fd_weights
from dfdx._front import ARRAY_METHODS, CALLABLE_METHODS, NOISE_THRESHOLD, derivative
from dfdx._front_propagate import Propagation, hessp, propagate

__version__ = "0.1.0"

_SUBPACKAGES = ("ad", "compat", "grid", "noisy", "numeric", "plot", "cli")
_FROM_AD = ("grad", "hessian", "hvp", "jacobian", "jvp", "value_and_grad", "vjp")

__all__ = [
    "ARRAY_METHODS",
    "CALLABLE_METHODS",
    "NOISE_THRESHOLD",
    "DerivativeResult",
    "Propagation",
    "Status",
    "__version__",
    "ad",
    "compat",
    "derivative",
    "exact",
    "fd_weights",
    "grad",
    "grid",
    "hessian",
    "hessp",
    "hvp",
    "jacobian",
    "jvp",
    "noisy",
    "numeric",
    "propagate",
    "testing",
    "value_and_grad",
    "vjp",
]


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        module = importlib.import_module(f"dfdx.{name}")
        globals()[name] = module
        return module
    if name in _FROM_AD:
        value = getattr(importlib.import_module("dfdx.ad"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'dfdx' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(_SUBPACKAGES))
