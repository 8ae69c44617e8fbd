"""Low-pass spectral differentiation of periodic, uniformly sampled data.

The samples are taken as one period (``x[0]`` to ``x[-1] + dx``).  The FFT
coefficients above the cutoff are discarded and the rest multiplied by
``(i omega)^n``.  Without ``cutoff``, each series keeps the harmonics up to the
highest one whose power exceeds ``2 ln(N)`` times the white-noise floor
``N * noise_std^2`` (pure noise exceeds that level in any of the N/2 bins with
probability about ``1/(2N)``).  ``error`` is the noise passed by the kept
band, ``noise_std * sqrt(2 sum omega_k^(2n) / N)``; leakage from a
non-periodic signal is not included.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx._core.validate import check_int
from dfdx.noisy._noise import noise_rows
from dfdx.noisy._validate import per_row

__all__ = ["spectral"]


def spectral(
    y2: np.ndarray,
    x: np.ndarray,
    n: int,
    *,
    cutoff: Any = None,
    noise_std: Any = None,
    uniform: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """Spectral derivative; parameters ``cutoff`` (harmonics kept) and ``noise_std``."""
    if not uniform:
        raise ValueError("`x` must be uniformly spaced for method 'spectral'")
    rows, size = y2.shape
    sigma = noise_rows(y2, x) if noise_std is None else per_row(noise_std, rows, "noise_std")
    period = size * (x[1] - x[0])
    coef = np.fft.rfft(y2, axis=1)
    k = np.arange(coef.shape[1])
    if cutoff is None:
        power = np.abs(coef) ** 2
        floor = 2 * np.log(size) * size * sigma[:, None] ** 2
        above = (power > floor) & (k > 0)
        kc = np.where(above.any(axis=1), np.max(np.where(above, k, 0), axis=1), 0)
    else:
        kc = np.array([check_int(c, "cutoff") for c in per_row(cutoff, rows, "cutoff").astype(int)])
    if size % 2 == 0 and n % 2 == 1:
        kc = np.minimum(kc, size // 2 - 1)  # the Nyquist term has no odd derivative
    keep = k[None, :] <= kc[:, None]
    omega = 2 * np.pi * k / period
    kept = coef * keep
    smooth = np.fft.irfft(kept, n=size, axis=1)
    deriv = np.fft.irfft(kept * (1j * omega) ** n, n=size, axis=1)
    band = np.sum(keep * omega[None, :] ** (2 * n), axis=1)
    error = np.broadcast_to((sigma * np.sqrt(2 * band / size))[:, None], y2.shape).copy()
    return smooth, deriv, error, {"cutoff": kc, "noise_std": sigma}
