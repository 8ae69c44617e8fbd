"""Optional compiled kernels for long 1-D data (the ``fast`` extra: numba).

With numba installed, a 1-D derivative of at least :data:`MIN_SIZE` points
runs through :mod:`dfdx.grid._jit1d`, one fused pass over the data instead
of a handful of NumPy passes per block.  Results agree with the NumPy
kernels to rounding (the non-uniform kernel bitwise).  Without numba, or
with ``DFDX_NUMBA=0``, the NumPy kernels run (see :mod:`dfdx._core.compiled`).
"""

from __future__ import annotations

import sys
from types import ModuleType

import numpy as np

from dfdx._core.compiled import DTYPES, load

__all__ = ["HEAVY_MIN_SIZE", "MIN_SIZE", "kernels", "loaded_kernels", "usable"]

#: shorter data stays with the NumPy kernels (too short to gain from compiling)
MIN_SIZE = 1 << 16

#: a kernel with much arithmetic per point (weights computed on the fly)
#: gains from compiling from this size on, once numba is imported anyway
HEAVY_MIN_SIZE = 1 << 9


def kernels() -> ModuleType | None:
    """The compiled kernels module, or ``None`` (numba missing or ``DFDX_NUMBA=0``)."""
    return load("grid._jit1d")


def loaded_kernels() -> ModuleType | None:
    """The kernels when numba is already imported (so they cost no import), else ``None``."""
    return kernels() if "numba" in sys.modules else None


def usable(y: np.ndarray, out: np.ndarray, *, heavy: bool = False) -> ModuleType | None:
    """The kernels when they apply to 1-D ``y`` and ``out``, else ``None``.

    They apply to long, contiguous float32/64 or complex64/128 data in
    native byte order, written into an array of the same dtype.  A
    ``heavy`` kernel also applies to shorter data (``HEAVY_MIN_SIZE``) when
    numba is already imported in this process, so that the one-off cost
    of importing it (about 0.4 s) is never paid for a short array.
    """
    loaded = heavy and y.size >= HEAVY_MIN_SIZE and "numba" in sys.modules
    if (
        (y.size < MIN_SIZE and not loaded)
        or y.dtype != out.dtype
        or y.dtype not in DTYPES
        or not (y.flags.c_contiguous and out.flags.c_contiguous)
    ):
        return None
    return kernels()
