"""Rule table: real FFTs (``rfft``, ``irfft``, ``rfft2``, ``irfft2``, ``rfftn``, ``irfftn``).

Both are linear, so their forward rules are the transforms themselves.  The
reverse rules are the transposes for the pairing ``Re sum(a * b)``:

* ``rfftn`` keeps the first ``n // 2 + 1`` entries of the complex FFT along the
  last axis of a real input: its transpose zero-pads the cotangent back to ``n``
  entries, applies the (symmetric) complex FFT with the same ``norm`` and keeps
  the real part;
* ``irfftn`` is only real-linear (it reads the Hermitian half spectrum and
  ignores the imaginary parts of the zero and Nyquist terms): its transpose is
  ``c * conj(rfftn(g))`` with the dual normalisation (``backward`` <->
  ``forward``), where ``c = 2`` for the terms that stand for a conjugate pair
  and ``c = 1`` for the zero and Nyquist terms.

``n``/``s`` crop or zero-pad the input as NumPy does (``irfft``: the half
spectrum to ``n // 2 + 1`` terms, output length ``n``, default ``2 (m - 1)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx.ad._helpers import shape_of
from dfdx.ad._primitive import Primitive, implements
from dfdx.ad._rules_fft import FFTN, fft_axes, resize

__all__ = ["IRFFTN", "RFFTN"]

_DUAL = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


def _rfftn_impl(x: Any, axes: tuple[int, ...], norm: Any) -> Any:
    return np.fft.rfftn(x, axes=axes, norm=norm)


def _irfftn_impl(a: Any, axes: tuple[int, ...], norm: Any, n: int) -> Any:
    s = [shape_of(a)[ax] for ax in axes[:-1]] + [n]
    return np.fft.irfftn(a, s=s, axes=axes, norm=norm)


def _rfftn_vjp(g: Any, ans: Any, x: Any, axes: tuple[int, ...], norm: Any) -> Any:
    full = resize(g, (shape_of(x)[axes[-1]],), (axes[-1],))
    return np.real(FFTN(full, axes=axes, norm=norm))


def _pair_weights(m: int, n: int, ax: int, nd: int) -> Any:
    c = np.full(m, 2.0)
    c[0] = 1.0
    if n % 2 == 0:
        c[-1] = 1.0
    return np.reshape(c, (m,) + (1,) * (-ax - 1))


def _irfftn_vjp(g: Any, ans: Any, a: Any, axes: tuple[int, ...], norm: Any, n: int) -> Any:
    r = RFFTN(g, axes=axes, norm=_DUAL[norm])
    m = shape_of(r)[axes[-1]]
    return _pair_weights(m, n, axes[-1], len(shape_of(a))) * np.conj(r)


RFFTN = Primitive("rfftn", _rfftn_impl, linear=True).rules(
    0, lambda t, ans, x, axes, norm: RFFTN(t, axes=axes, norm=norm), _rfftn_vjp
)
IRFFTN = Primitive("irfftn", _irfftn_impl, linear=True).rules(
    0, lambda t, ans, a, axes, norm, n: IRFFTN(t, axes=axes, norm=norm, n=n), _irfftn_vjp
)


def _rfftn(a: Any, s: Any, axes: Any, norm: Any, default: Any) -> Any:
    a, ax = fft_axes(a, s, axes, default)
    return RFFTN(a, axes=ax, norm=norm)


def _irfftn(a: Any, s: Any, axes: Any, norm: Any, default: Any) -> Any:
    nd = len(shape_of(a))
    if axes is None:
        axes = tuple(range(-len(s), 0)) if s is not None else default
    a, ax = fft_axes(a, None, axes, tuple(range(-nd, 0)))
    if s is not None:
        if len(s) != len(ax):
            raise ValueError("Shape and axes have different lengths.")
        a = resize(a, tuple(s[:-1]), ax[:-1])
    n = 2 * (shape_of(a)[ax[-1]] - 1) if s is None else int(s[-1])
    a = resize(a, (n // 2 + 1,), (ax[-1],))
    return IRFFTN(a, axes=ax, norm=norm, n=n)


@implements(np.fft.rfft)
def _rfft(a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> Any:
    return _rfftn(a, None if n is None else (n,), (axis,), norm, None)


@implements(np.fft.irfft)
def _irfft(a: Any, n: Any = None, axis: int = -1, norm: Any = None, out: Any = None) -> Any:
    return _irfftn(a, None if n is None else (n,), (axis,), norm, None)


@implements(np.fft.rfft2)
def _rfft2(a: Any, s: Any = None, axes: Any = (-2, -1), norm: Any = None, out: Any = None) -> Any:
    return _rfftn(a, s, axes, norm, (-2, -1))


@implements(np.fft.irfft2)
def _irfft2(a: Any, s: Any = None, axes: Any = (-2, -1), norm: Any = None, out: Any = None) -> Any:
    return _irfftn(a, s, axes, norm, (-2, -1))


@implements(np.fft.rfftn)
def _rfftn_h(a: Any, s: Any = None, axes: Any = None, norm: Any = None, out: Any = None) -> Any:
    return _rfftn(a, s, axes, norm, None)


@implements(np.fft.irfftn)
def _irfftn_h(a: Any, s: Any = None, axes: Any = None, norm: Any = None, out: Any = None) -> Any:
    return _irfftn(a, s, axes, norm, None)
