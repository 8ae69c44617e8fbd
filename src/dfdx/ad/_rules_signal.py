"""Rule table: convolution (``scipy.signal.convolve``/``fftconvolve``, ``np.convolve``).

One primitive, the full N-d convolution ``CONV(x, y)`` computed by SciPy
(``method`` as the caller chose it).  It is bilinear, so its forward rules
are convolutions again (the batch axes of a tangent get unit kernel axes, a
convolution with a length-1 kernel being the identity along them) and its
reverse rules are correlations: the valid part of ``CONV(g, flip(y))``.  The
``same`` and ``valid`` modes are slices of the full result.  Importing
``scipy.signal`` (before or after ``dfdx.ad``) hooks ``convolve`` and
``fftconvolve``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.signal as ss

from dfdx.ad._helpers import bnb, shape_of
from dfdx.ad._hooks import ORIGINALS, as_array, hook
from dfdx.ad._primitive import Primitive, TracingError
from dfdx.ad._tracer import raw

__all__ = ["CONV", "conv_mode"]


def _impl(x: Any, y: Any, method: str) -> Any:
    return ss.convolve(x, y, mode="full", method=method)


def _lift(y: Any, nb: int) -> Any:
    return np.reshape(y, (1,) * nb + shape_of(y)) if nb else y


def _valid(full: Any, start: tuple[int, ...], size: tuple[int, ...]) -> Any:
    nd = len(size)
    idx = tuple(slice(s, s + n) for s, n in zip(start, size, strict=True))
    return full[(Ellipsis, *idx)] if nd else full


def _flip(y: Any) -> Any:
    return np.flip(y, axis=tuple(range(len(shape_of(y))))) if shape_of(y) else y


def _vjp(g: Any, other: Any, mine: Any, method: str) -> Any:
    full = CONV(g, _flip(other), method=method)
    return _valid(full, tuple(n - 1 for n in shape_of(other)), shape_of(mine))


CONV = Primitive("convolve", _impl)
CONV.rules(
    0,
    lambda t, ans, x, y, method: CONV(t, _lift(y, bnb(t, x)), method=method),
    lambda g, ans, x, y, method: _vjp(g, y, x, method),
)
CONV.rules(
    1,
    lambda t, ans, x, y, method: CONV(t, _lift(x, bnb(t, y)), method=method),
    lambda g, ans, x, y, method: _vjp(g, x, y, method),
)


def conv_mode(full: Any, n1: tuple[int, ...], n2: tuple[int, ...], mode: str, numpy: bool) -> Any:
    """The ``mode`` part of a full convolution of shapes ``n1`` and ``n2``
    (``numpy``: np.convolve's centring of ``same``, else SciPy's)."""
    if mode == "full":
        return full
    nf = shape_of(full)
    if mode == "same":
        if numpy:
            size = tuple(max(a, b) for a, b in zip(n1, n2, strict=True))
            start = tuple((min(a, b) - 1) // 2 for a, b in zip(n1, n2, strict=True))
        else:
            size = n1
            start = tuple((f - a) // 2 for f, a in zip(nf, n1, strict=True))
        return _valid(full, start, size)
    if mode == "valid":
        size = tuple(abs(a - b) + 1 for a, b in zip(n1, n2, strict=True))
        start = tuple(min(a, b) - 1 for a, b in zip(n1, n2, strict=True))
        return _valid(full, start, size)
    raise ValueError("acceptable mode flags are 'valid', 'same', or 'full'")


def _prepare(in1: Any, in2: Any) -> tuple[Any, Any]:
    x, y = as_array(in1), as_array(in2)
    if len(shape_of(x)) != len(shape_of(y)):
        raise ValueError("in1 and in2 should have the same dimensionality")
    return x, y


def _convolve(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Any:
    x, y = _prepare(in1, in2)
    if mode == "valid":  # SciPy's checks of the shapes
        ORIGINALS["scipy.signal.convolve"](
            np.zeros(shape_of(x)), np.zeros(shape_of(y)), mode, method="direct"
        )
    if method == "auto":
        method = ss.choose_conv_method(raw(x), raw(y), mode=mode)
    full = CONV(x, y, method=method)
    return conv_mode(full, shape_of(x), shape_of(y), mode, numpy=False)


def _fftconvolve(in1: Any, in2: Any, mode: str = "full", axes: Any = None) -> Any:
    x, y = _prepare(in1, in2)
    nd = len(shape_of(x))
    if axes is not None and sorted(int(a) % nd for a in np.atleast_1d(axes)) != list(range(nd)):
        raise TracingError(
            "scipy.signal.fftconvolve with axes (a subset of the axes) has no rule in dfdx.ad"
        )
    full = CONV(x, y, method="fft")
    return conv_mode(full, shape_of(x), shape_of(y), mode, numpy=False)


hook(ss.convolve, "scipy.signal.convolve", _convolve)
hook(ss.fftconvolve, "scipy.signal.fftconvolve", _fftconvolve)
