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
from typing import TYPE_CHECKING, Any

import numpy as _np

if int(_np.__version__.split(".")[0]) < 2:
    raise ImportError(
        f"dfdx needs NumPy >= 2.0 (found NumPy {_np.__version__}); "
        "upgrade it with `pip install -U numpy`"
    )

from dfdx import exact, testing
from dfdx._core import DerivativeResult, Status, fd_weights
from dfdx._front import ARRAY_METHODS, CALLABLE_METHODS, NOISE_THRESHOLD, derivative
from dfdx._front_propagate import Propagation, hessp, propagate

if TYPE_CHECKING:  # the lazy attributes, as type checkers should see them
    from dfdx import ad, compat, grid, noisy, numeric
    from dfdx import cli as cli
    from dfdx import plot as plot
    from dfdx.ad import grad, hessian, hvp, jacobian, jvp, value_and_grad, vjp

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
    return sorted(set(__all__) | set(_SUBPACKAGES))
