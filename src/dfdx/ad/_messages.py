"""Messages of dfdx.ad's errors: where in the user's code a problem arose, and the way out."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["BUILD_HINT", "caller", "where_called", "where_raised"]

BUILD_HINT = (
    "Build arrays from traced values with np.array([...]) / np.stack / np.concatenate, "
    "or fill an array created with dtype=object (c = np.zeros(n, dtype=object)) or as a "
    "traced one (c = np.zeros_like(x, shape=n)); use NumPy functions (np.sin, not "
    "math.sin) on traced values."
)


def where_called() -> str:
    """The user's line (and the library function called there) running the current code."""
    return caller(2)


def where_raised(exc: BaseException) -> str:
    """The user's line (and library function called there) where ``exc`` was raised."""
    tb = exc.__traceback__
    frame = None
    while tb is not None:
        frame = tb.tb_frame
        tb = tb.tb_next
    return "an unknown place" if frame is None else caller(frame=frame)


def _is_closure(frame: Any) -> bool:
    code = frame.f_code
    qualname = getattr(code, "co_qualname", None)  # Python >= 3.11
    return code.co_name == "wrapper" if qualname is None else "<locals>" in qualname


def caller(depth: int = 2, frame: Any = None) -> str:
    """Where a conversion happened: the library function the user called, and the user's line
    (``frame``: the innermost frame to start from, default the caller's ``depth``-th)."""
    frame = sys._getframe(depth) if frame is None else frame
    lib = None
    while frame is not None:
        mod = frame.f_globals.get("__name__", "")
        if mod.split(".")[0] in ("numpy", "scipy") or mod.startswith("dfdx.ad"):
            # name the library function, never dfdx's own nor a decorator's inner wrapper
            # (SciPy's batching decorator runs logm, sqrtm... as "_util.<locals>.wrapper")
            if not mod.startswith("dfdx") and (lib is None or not _is_closure(frame)):
                lib = frame
            frame = frame.f_back
            continue
        break
    if frame is None:
        frame = lib
    where = f"{frame.f_code.co_name} ({frame.f_code.co_filename}:{frame.f_lineno})"
    if lib is not None and frame is not lib:
        name = f"{lib.f_globals.get('__name__', '')}.{lib.f_code.co_name}"
        return f"{name}, called from {where}"
    return where
