"""Optional compiled kernels for long 1-D data (the ``fast`` extra: numba).

With numba installed, a 1-D derivative of at least :data:`MIN_SIZE` points
runs through :mod:`dfdx.grid._jit1d`, one fused pass over the data instead
of a handful of NumPy passes per block.  Results agree with the NumPy
kernels to rounding (the non-uniform kernel bitwise).  Without numba, or
with ``DFDX_NUMBA=0``, the NumPy kernels run (see :mod:`dfdx._core.compiled`).
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from dfdx._core.compiled import DTYPES, load

__all__ = ["MIN_SIZE", "kernels", "usable"]

#: shorter data stays with the NumPy kernels (too short to gain from compiling)
MIN_SIZE = 1 << 16


def kernels() -> ModuleType | None:
    """The compiled kernels module, or ``None`` (numba missing or ``DFDX_NUMBA=0``)."""
    return load("grid._jit1d")


def usable(y: np.ndarray, out: np.ndarray) -> ModuleType | None:
    """The kernels when they apply to 1-D ``y`` and ``out``, else ``None``.

    They apply to long, contiguous float32/64 or complex64/128 data in
    native byte order, written into an array of the same dtype.
    """
    if (
        y.size < MIN_SIZE
        or y.dtype != out.dtype
        or y.dtype not in DTYPES
        or not (y.flags.c_contiguous and out.flags.c_contiguous)
    ):
        return None
    return kernels()
