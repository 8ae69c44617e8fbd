"""Rule table: discrete Fourier transforms (linear, so forward rule = the transform itself).

The complex DFT matrix is symmetric, so under the transpose convention the
reverse rule of ``fft`` is ``fft`` again (and ``ifft`` for ``ifft``); the
``norm`` argument scales both alike.  ``n``/``s`` crop or zero-pad the
input first (traced slicing and concatenation), as NumPy does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx.ad._helpers import neg_axes, shape_of
from dfdx.ad._primitive import Primitive, implements
from dfdx.ad._tracer import raw

__all__ = ["FFTN", "IFFTN"]


def _fftn_impl(x: Any, axes: tuple[int, ...], norm: Any) -> Any:
    return np.fft.fftn(x, axes=axes, norm=norm)


def _ifftn_impl(x: Any, axes: tuple[int, ...], norm: Any) -> Any:
    return np.fft.ifftn(x, axes=axes, norm=norm)


# name     impl            forward rule / reverse rule (axes are negative: batch-safe)
FFTN = Primitive("fftn", _fftn_impl, linear=True).rules(
    0,
    lambda t, ans, x, axes, norm: FFTN(t, axes=axes, norm=norm),
    lambda g, ans, x, axes, norm: FFTN(g, axes=axes, norm=norm),
)
IFFTN = Primitive("ifftn", _ifftn_impl, linear=True).rules(
    0,
    lambda t, ans, x, axes, norm: IFFTN(t, axes=axes, norm=norm),
    lambda g, ans, x, axes, norm: IFFTN(g, axes=axes, norm=norm),
)


def resize(a: Any, sizes: Any, axes: tuple[int, ...]) -> Any:
    """``a`` cropped or zero-padded at the end to ``sizes`` along ``axes`` (NumPy's n/s)."""
    for n, ax in zip(sizes, axes, strict=True):
        n = int(n)
        if n < 1:
            raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
        m = shape_of(a)[ax]
        if n < m:
            a = a[(Ellipsis, slice(0, n)) + (slice(None),) * (-ax - 1)]
        elif n > m:
            shape = list(shape_of(a))
            shape[ax] = n - m
            zeros = np.zeros(shape, dtype=np.result_type(raw(a)))
            a = np.concatenate([a, zeros], axis=ax)
    return a


def fft_axes(a: Any, s: Any, axes: Any, default: Any) -> tuple[Any, tuple[int, ...]]:
    """NumPy's defaults for ``s`` and ``axes``: the negative axes, and ``a`` resized to ``s``."""
    nd = len(shape_of(a))
    if axes is None and s is not None:
        axes = tuple(range(-len(s), 0))
    elif axes is None:
        axes = default
    ax = neg_axes(axes, nd)
    if s is not None:
        if len(s) != len(ax):
            raise ValueError("Shape and axes have different lengths.")
        a = resize(a, s, ax)
    return a, ax


def _one_axis(prim: Primitive, name: str) -> Any:
    def handler(a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> Any:
        a, ax = fft_axes(a, None if n is None else (n,), (axis,), None)
        return prim(a, axes=ax, norm=norm)

    return handler


def _many_axes(prim: Primitive, name: str, default: Any) -> Any:
    def handler(
        a: Any, s: Any = None, axes: Any = default, norm: Any = None, out: Any = None
    ) -> Any:
        a, ax = fft_axes(a, s, axes, default)
        return prim(a, axes=ax, norm=norm)

    return handler


implements(np.fft.fft)(_one_axis(FFTN, "fft"))
implements(np.fft.ifft)(_one_axis(IFFTN, "ifft"))
implements(np.fft.fft2)(_many_axes(FFTN, "fft2", (-2, -1)))
implements(np.fft.ifft2)(_many_axes(IFFTN, "ifft2", (-2, -1)))
implements(np.fft.fftn)(_many_axes(FFTN, "fftn", None))
implements(np.fft.ifftn)(_many_axes(IFFTN, "ifftn", None))


@implements(np.fft.fftshift)
def _fftshift(x: Any, axes: Any = None) -> Any:
    nd = len(shape_of(x))
    axes = tuple(a % nd for a in neg_axes(axes, nd))
    return np.roll(x, [shape_of(x)[a] // 2 for a in axes], axes)


@implements(np.fft.ifftshift)
def _ifftshift(x: Any, axes: Any = None) -> Any:
    nd = len(shape_of(x))
    axes = tuple(a % nd for a in neg_axes(axes, nd))
    return np.roll(x, [-(shape_of(x)[a] // 2) for a in axes], axes)
