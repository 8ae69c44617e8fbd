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
from types import ModuleType

__all__ = ["enabled", "load"]

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
        except ImportError:  # numba missing (or broken): the NumPy code serves
            module = None
        _loaded[name] = module
    return _loaded[name]
