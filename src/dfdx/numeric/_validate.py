"""Checking and normalising the options shared by the public functions."""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from dfdx._core.validate import as_float_array, check_choice, check_int, check_positive
from dfdx.numeric._stencils import BACKWARD, CENTRAL, FORWARD, first_level

__all__ = [
    "METHODS",
    "Options",
    "check_function",
    "check_scale",
    "options",
    "split_args",
    "split_kwargs",
    "window_order",
]

METHODS = ("auto", "central", "forward", "backward", "complex")
_MODE = {"auto": CENTRAL, "central": CENTRAL, "forward": FORWARD, "backward": BACKWARD}
_MAX_N = 6
_MAX_WINDOW = 8  # levels an extrapolation window may hold


@dataclass(frozen=True)
class Options:
    """Validated options of one call."""

    n: int
    method: str
    mode: int
    order: int | None
    rtol: float | None
    atol: float
    maxiter: int
    window: int
    kwargs: dict
    scale: Any = None  # the multivariate functions' first-step scale (check_scale)


def check_function(f: Any) -> None:
    """Raise ``TypeError`` unless ``f`` is callable."""
    if not callable(f):
        raise TypeError(f"`f` must be callable, got {type(f).__name__}")


def options(
    *,
    n: Any,
    method: Any,
    order: Any,
    step: Any,
    rtol: Any,
    atol: Any,
    maxiter: Any,
    kwargs: Any,
    vectorized: Any,
    max_n: int = _MAX_N,
    complex_n: tuple[int, ...] = (1,),
) -> Options:
    """Validate the keyword options common to every public function."""
    n = check_int(n, "n", minimum=1)
    if n > max_n:
        raise ValueError(
            f"`n` must be an integer from 1 to {max_n}, got {n}: differences of higher "
            "order lose all digits to rounding; use automatic differentiation (dfdx.ad) "
            "or an exact representation (dfdx.exact) for them"
        )
    method = check_choice(method, "method", METHODS)
    if method == "complex" and n not in complex_n:
        which = "first derivatives only (n=1)" if complex_n == (1,) else "n=1 and n=2 only"
        raise ValueError(f"`method='complex'` gives {which}, got n={n}")
    mode = _MODE.get(method, CENTRAL)
    window = 6
    if order is not None:
        if method == "complex":
            raise ValueError("`order` does not apply to `method='complex'` (always order 2)")
        if step is not None:  # one fixed stencil of that order
            if mode == CENTRAL:
                order = check_int(order, "order", minimum=2, even=True)
            else:
                order = check_int(order, "order", minimum=1)
        else:
            window = _window(check_int(order, "order"), n, mode)
    if rtol is not None:  # 0: an absolute tolerance only (as in SciPy)
        bad = isinstance(rtol, bool | np.bool_) or not isinstance(rtol, numbers.Real)
        if bad or not (np.isfinite(float(rtol)) and float(rtol) >= 0):
            raise ValueError(f"`rtol` must be a finite number >= 0, got {rtol!r}")
        rtol = float(rtol)
    if atol is None:
        atol = 0.0
    elif atol != 0:
        atol = check_positive(atol, "atol")
    if maxiter is None:
        maxiter = 24
    maxiter = check_int(maxiter, "maxiter", minimum=1)
    if kwargs is None:
        kwargs = {}
    if not isinstance(kwargs, dict):
        raise TypeError(f"`kwargs` must be a dict, got {type(kwargs).__name__}")
    if not isinstance(vectorized, bool | np.bool_):
        raise TypeError(f"`vectorized` must be True or False, got {vectorized!r}")
    return Options(n, method, mode, order, rtol, float(atol), maxiter, window, kwargs)


def check_scale(scale: Any, step: Any) -> np.ndarray | None:
    """``scale`` as a float64 array of positive finite values (or None).

    The length scale of ``f`` near each point: the first step is a fixed
    fraction of it (default ``max(|x|, 1)``).  It does not combine with a
    fixed ``step``.
    """
    if scale is None:
        return None
    if step is not None:
        raise ValueError("`scale` sets the first adaptive step; it does not apply with `step`")
    try:
        arr = np.asarray(scale, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"`scale` must be a positive number or array, got {scale!r}") from None
    tiny = float(np.finfo(np.float64).tiny)
    if arr.size == 0 or not (np.all(np.isfinite(arr)) and np.all(arr >= tiny)):
        raise ValueError(f"`scale` must be positive and finite, got {scale!r}")
    return arr


def window_order(m: int, n: int, mode: int) -> int:
    """Accuracy order of an extrapolation over ``m`` levels (nodes minus ``n``, made even)."""
    if mode == CENTRAL:  # 2 m nodes (+ the centre for even n), symmetric: an even order
        return 2 * m - 2 * ((n - 1) // 2)
    return 2 * m + 1 - n  # 1 + 2 m nodes on one side


def _window(order: int, n: int, mode: int) -> int:
    """Levels of the extrapolation window whose order is ``order`` (rounded up)."""
    low = first_level(mode, n) + 2  # two estimates to compare, and one more to see a trend
    orders = [window_order(m, n, mode) for m in range(low, _MAX_WINDOW + 1)]
    if mode == CENTRAL and order % 2 == 0 and orders[0] <= order <= orders[-1]:
        return low + orders.index(order)
    if mode != CENTRAL and orders[0] <= order <= orders[-1]:
        return low + int(np.searchsorted(orders, order))
    kind = "even integer" if mode == CENTRAL else "integer"
    raise ValueError(
        f"`order` without `step` must be an {kind} from {orders[0]} to {orders[-1]} for n={n} "
        f"(the highest order of the extrapolation; the adaptive estimate compares two), "
        f"got {order!r}; a lower-order fixed stencil needs `step`"
    )


def split_kwargs(args: Any, kwargs: dict) -> tuple[tuple, dict, list[str]]:
    """Move the numeric arrays of ``kwargs`` after ``args``, to broadcast as they do.

    Returns ``(args + arrays, other kwargs, names of the arrays)``; with
    :class:`~dfdx.numeric._evaluate.KeywordArrays` ``f`` gets them back by
    name.  Scalars and non-numeric values stay keyword arguments, unchanged.
    """
    if not isinstance(args, tuple | list):
        args = (args,)
    names = [k for k, v in kwargs.items() if _numeric(v) and np.ndim(v) > 0]
    if not names:
        return tuple(args), kwargs, []
    rest = {k: v for k, v in kwargs.items() if k not in names}
    return (*args, *(kwargs[k] for k in names)), rest, names


def split_args(args: Any, shape: tuple, names: tuple = ()) -> tuple[list, list[bool], tuple]:
    """Split ``args`` into per-point arrays (broadcast with ``shape``) and constants.

    Numeric arrays with at least one dimension broadcast against ``x``; their
    flattened broadcast has shape ``(N, 1)`` so that a slice of points lines up
    with the node axis.  Anything else (scalars, strings, objects) is passed to
    ``f`` unchanged.  Returns ``(args, per_point, broadcast_shape)``.
    """
    if not isinstance(args, tuple | list):
        args = (args,)
    arrays = []
    for a in args:
        arr = np.asarray(a) if _numeric(a) else None
        arrays.append(arr if arr is not None and arr.ndim > 0 else None)
    try:
        full = np.broadcast_shapes(shape, *[a.shape for a in arrays if a is not None])
    except ValueError:
        shapes = ", ".join(str(a.shape) for a in arrays if a is not None)
        what = "`args`" if not names else f"`args` and the arrays of `kwargs` ({', '.join(names)})"
        raise ValueError(
            f"{what} must broadcast with `x` of shape {shape}, got shapes {shapes}"
        ) from None
    out, per_point = [], []
    for a, arr in zip(args, arrays, strict=True):
        if arr is None:
            out.append(a)
            per_point.append(False)
        else:
            out.append(np.broadcast_to(arr, full).reshape(-1, 1))
            per_point.append(True)
    return out, per_point, full


def _numeric(a: Any) -> bool:
    if isinstance(a, np.ndarray | list | tuple | int | float | complex | np.generic):
        try:
            return np.asarray(a).dtype.kind in "biufc"
        except Exception:
            return False
    return False


def as_point_array(x: Any, *, allow_complex: bool) -> np.ndarray:
    """``x`` as a float (or complex, where allowed) array.

    Not copied: the engines only read it, and ``f`` always gets fresh arrays.
    """
    arr = as_float_array(x, "x", allow_complex=True)
    if arr.dtype.kind == "c" and not allow_complex:
        raise TypeError(
            f"`x` must be real for this method, got complex dtype {arr.dtype}; "
            "complex points are accepted by derivative() with a real-axis stencil "
            "('auto', 'central', 'forward', 'backward'), for holomorphic f"
        )
    return arr
