"""Optional compiled kernels (the ``fast`` extra: numba), loaded on first use.

Hot loops that NumPy can only run as many passes over memory have a fused,
compiled twin in a module that imports numba.  :func:`load` imports such a
module the first time it is needed and returns ``None`` when numba is
missing (the NumPy code then runs) or when the environment variable
``DFDX_NUMBA`` is ``0``; the variable is read at every call, so it can be
changed at run time (benchmarks and tests compare both ways).

The first use in a process imports numba (about 0.4 s); the first use in a
fresh installation also compiles the kernels (up to about a second each),
which numba caches on disk for later processes.  Callers therefore use the
kernels only for inputs large enough to pay for that.
"""

from __future__ import annotations

import importlib
import os
import warnings
from types import ModuleType

import numpy as np

__all__ = ["DTYPES", "enabled", "load"]

_loaded: dict[str, ModuleType | None] = {}


def enabled() -> bool:
    """False when ``DFDX_NUMBA=0`` asks for the NumPy code only."""
    return os.environ.get("DFDX_NUMBA", "1").strip() != "0"


def load(name: str) -> ModuleType | None:
    """The compiled-kernel module ``dfdx.<name>``, or ``None`` (numba missing or disabled)."""
    if not enabled():
        return None
    if name not in _loaded:
        try:
            module = importlib.import_module(f"dfdx.{name}")
        except ModuleNotFoundError as exc:
            if exc.name not in ("numba", "llvmlite"):
                raise
            module = None  # numba not installed: the NumPy code serves
        except Exception as exc:  # installed but broken: say so once, then NumPy
            warnings.warn(
                f"numba is installed but could not be used ({type(exc).__name__}: {exc}); "
                "dfdx runs its NumPy code instead (set DFDX_NUMBA=0 to silence this)",
                RuntimeWarning,
                stacklevel=3,
            )
            module = None
        _loaded[name] = module
    return _loaded[name]


#: array dtypes the compiled kernels take (native byte order; numba has no
#: float16 or long double)
DTYPES = frozenset(np.dtype(t) for t in (np.float32, np.float64, np.complex64, np.complex128))
