"""Derivatives from a global fit of the samples: Fourier series or interpolating spline.

Unlike finite differences, every output value depends on every sample.  The
FFT route is spectrally accurate for smooth periodic data on a uniform grid;
the spline route works on any strictly monotonic grid.
"""

from __future__ import annotations

import numpy as np
from scipy.interpolate import make_interp_spline

from dfdx.grid._stencils import scale_factor

__all__ = ["spectral_diff", "spline_diff"]


def _multiplier(size: int, n: int, real: bool) -> np.ndarray:
    """``(i k)**n`` for integer wavenumbers; the Nyquist mode is dropped for odd ``n``."""
    k = np.fft.rfftfreq(size, 1.0 / size) if real else np.fft.fftfreq(size, 1.0 / size)
    if size % 2 == 0 and n % 2 == 1:
        k = k.copy()
        k[size // 2 if not real else -1] = 0.0
    return (1j * k) ** n


def spectral_diff(y: np.ndarray, axis: int, n: int, h: float, *, tail: float = 0.0):
    """``n``-th derivative along ``axis`` of samples of one period (spacing ``h``).

    With ``tail > 0`` also returns the contribution of the top ``tail``
    fraction of the resolved wavenumbers, a measure of how well the signal is
    resolved (small when the spectrum has decayed to rounding).
    """
    size = y.shape[axis]
    real = y.dtype.kind != "c"
    forward, backward = (np.fft.rfft, np.fft.irfft) if real else (np.fft.fft, np.fft.ifft)
    coef = forward(y, axis=axis)
    shape = [1] * y.ndim
    shape[axis] = coef.shape[axis]
    mult = _multiplier(size, n, real).reshape(shape)
    coef *= mult
    kwargs = {"n": size} if real else {}
    df = backward(coef, axis=axis, **kwargs)
    period = h * size
    # d/dx = (2 pi / period) d/dk: apply the factor safely for extreme spacings
    unit = period / (2 * np.pi)
    c = scale_factor(unit, n, df.dtype)
    df = _scaled(df, c, unit, n)
    df = df.astype(y.dtype, copy=False)
    if not tail:
        return df
    kmax = np.abs(np.fft.fftfreq(size, 1.0 / size)).max() if size > 1 else 0.0
    keep = np.abs(np.fft.rfftfreq(size, 1.0 / size) if real else np.fft.fftfreq(size, 1.0 / size))
    high = (keep > (1.0 - tail) * kmax).reshape(shape)
    err = backward(np.where(high, coef, 0), axis=axis, **kwargs)
    err = np.abs(_scaled(err, c, unit, n))
    return df, err


def _scaled(arr: np.ndarray, c: float | None, unit: float, n: int) -> np.ndarray:
    if c is not None:
        return arr * c
    for _ in range(n):
        arr = arr / unit
    return arr


def spline_diff(y: np.ndarray, axis: int, n: int, x: np.ndarray, k: int, *, periodic: bool):
    """``n``-th derivative of the degree-``k`` interpolating spline through ``(x, y)``.

    Coordinates are divided by their mean spacing first, so the spline is
    built on numbers of order one; the derivative is scaled back afterwards.
    With ``periodic=True`` the first sample is repeated one step past the end
    and periodic end conditions are used.
    """
    size = x.size
    # signed mean spacing: xs increases even for decreasing x
    scale = x[-1] / (size - 1) - x[0] / (size - 1) if size > 1 else 1.0
    xs = (x - x[0]) / scale
    ys = y
    bc = None
    if periodic:
        step = xs[1] - xs[0]
        xs = np.append(xs, xs[-1] + step)
        first = np.take(y, [0], axis=axis)
        ys = np.concatenate([y, first], axis=axis)
        bc = "periodic"
    spl = make_interp_spline(xs, ys, k=k, axis=axis, bc_type=bc)
    df = spl.derivative(n)(xs[:size])
    for _ in range(n):
        df = df / scale
    return np.asarray(df, dtype=np.result_type(y.dtype, np.float32))
