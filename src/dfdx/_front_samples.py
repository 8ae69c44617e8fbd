"""The front door for arrays of samples: noise test, NaN samples, time coordinates.

NumPy-like samples are decided here: noisy-looking data go to
:mod:`dfdx.noisy`, the others to :mod:`dfdx.grid` (see :func:`decide`).
Non-finite samples are left out with their coordinates before the test and
the fit (the result there is NaN with status ``NONFINITE_INPUT``), and time
coordinates become floats in ``time_unit`` first.  pandas and xarray objects
are unwrapped and wrapped again by :mod:`dfdx._front_labelled`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx._core.finite import differentiate_finite
from dfdx._core.result import DerivativeResult
from dfdx._front_noise import AGREEMENT, NOISE_THRESHOLD, noise_ratio, order_agreement

__all__ = ["ARRAY_METHODS", "decide", "numpy_samples", "samples_derivative"]

GRID_METHODS = ("fd", "spectral", "spline")
NOISY_METHODS = ("savgol", "tv", "tikhonov", "kalman")
NOISY_PREFIXED = (
    "noisy",
    "noisy:auto",
    "noisy:savgol",
    "noisy:spline",
    "noisy:tv",
    "noisy:tikhonov",
    "noisy:kalman",
    "noisy:spectral",
)
ARRAY_METHODS = ("auto", *GRID_METHODS, *NOISY_METHODS, *NOISY_PREFIXED)

#: How the result's message names each ``time_unit``.
UNIT_NAMES = {
    "ns": "nanosecond",
    "us": "microsecond",
    "ms": "millisecond",
    "s": "second",
    "min": "minute",
    "h": "hour",
    "D": "day",
}

#: Accuracy order used for clean samples with ``method="auto"`` unless ``acc`` is given
#: (2 when the axis is too short for it).
AUTO_ACC = 4
#: Fewest samples along the axis for the noise test (its 6th differences need 7).
MIN_NOISE_TEST = 12


def _noted(result: DerivativeResult, note: str) -> DerivativeResult:
    message = f"{note}; {result.message}" if result.message else note
    return result.replace(message=message)


def samples_derivative(y, x, n, method, dx, axis, options) -> Any:
    """The front door's entry for samples (NumPy, pandas, xarray, dask)."""
    from dfdx import _front_labelled as labelled

    if labelled.is_pandas(y):
        return labelled.pandas_derivative(y, x, n, method, dx, axis, options)
    if labelled.is_lazy_or_labelled(y):
        return labelled.labelled_derivative(y, x, n, method, dx, axis, options)
    options = dict(options)
    time_unit = options.pop("time_unit", "s")
    return numpy_samples(y, x, n, method, dx, axis, options, time_unit)


def numpy_samples(y, x, n, method, dx, axis, options, time_unit="s") -> DerivativeResult:
    """Samples as NumPy arrays: times to floats, non-finite samples left out, then decide."""
    from dfdx.grid._time import check_time_unit, is_time, time_spacing, time_to_float

    check_time_unit(time_unit)
    timed = is_time(x) or is_time(dx)
    x, dx = time_to_float(x, time_unit), time_spacing(dx, time_unit)
    ys = np.asarray(y)
    if ys.dtype.kind in "biu":
        ys = ys.astype(float)
    if ys.ndim and ys.dtype.kind in "fc" and not np.all(np.isfinite(ys)):
        if x is None:
            x = np.arange(ys.shape[axis]) * (1.0 if dx is None else float(dx))
        ax = axis % ys.ndim

        def fn(lanes: np.ndarray, xs: np.ndarray) -> DerivativeResult:
            return decide(lanes, xs, n, method, None, -1, options)

        result = differentiate_finite(ys, np.asarray(x, dtype=float), ax, fn)
        message = result.message.replace("along axis 1", f"along axis {ax}")
        result = result.replace(message=message, params={**result.params, "axis": ax})
    else:
        result = decide(ys, x, n, method, dx, axis, options)
    if timed:
        result = _noted(result, f"time coordinate: derivative per {UNIT_NAMES[time_unit]}")
        result = result.replace(params={**result.params, "time_unit": time_unit})
    return result


def decide(ys, x, n, method, dx, axis, options) -> DerivativeResult:
    """Finite samples: grid, noisy, or the noise test's choice between them."""
    from dfdx import grid, noisy

    if method in GRID_METHODS:
        return grid.diff(ys, x, dx=dx, n=n, axis=axis, method=method, return_error=True, **options)
    if method in NOISY_METHODS or method.startswith("noisy"):
        sub = method.split(":", 1)[1] if ":" in method else method
        sub = "auto" if sub == "noisy" else sub
        return noisy.diff(ys, coords(x, dx, ys, axis), method=sub, n=n, axis=axis, **options)
    why = _skip_noise_test(ys, axis)
    if why is None:
        noisy_note, why = noise_test(ys, x, dx, axis, n)
        if noisy_note is not None:
            result = noisy.diff(ys, coords(x, dx, ys, axis), method="auto", n=n, axis=axis)
            return _noted(result, noisy_note)
    size = ys.shape[axis] if ys.ndim else 0
    acc = AUTO_ACC if size >= n + AUTO_ACC + 1 else 2
    options = {"acc": acc, **options}
    result = grid.diff(ys, x, dx=dx, n=n, axis=axis, return_error=True, **options)
    return _noted(result, f"{why}: finite differences")


def noise_test(ys, x, dx, axis, n) -> tuple[str | None, str]:
    """``(note, None)`` when the samples look noisy, else ``(None, why they do not)``."""
    ratio = noise_ratio(ys, x, dx, axis, n)
    agreement = order_agreement(ys, x, axis) if ratio > NOISE_THRESHOLD else 0.0
    if ratio > NOISE_THRESHOLD and AGREEMENT <= agreement <= 1 / AGREEMENT:
        note = (
            f"data look noisy (estimated noise amplified by a finite difference is "
            f"{ratio:.2g} of the derivative's scale, above {NOISE_THRESHOLD:g}, and "
            f"behaves like noise: 6th/4th-difference spread {agreement:.2f}): used dfdx.noisy"
        )
        return note, ""
    why = f"clean data (noise ratio {ratio:.2g}" + (
        f", but the residual is not noise-like (6th/4th-difference spread {agreement:.2f}))"
        if ratio > NOISE_THRESHOLD
        else f" <= {NOISE_THRESHOLD:g})"
    )
    return None, why


def _skip_noise_test(ys: np.ndarray, axis: int) -> str | None:
    """Why the noise test cannot be run on these samples (None when it can)."""
    if ys.ndim == 0 or ys.dtype.kind not in "f":
        return "noise test skipped for non-real or scalar data"
    if ys.shape[axis % ys.ndim] < MIN_NOISE_TEST:
        return f"noise test skipped: fewer than {MIN_NOISE_TEST} samples"
    return None


def coords(x: Any, dx: Any, y: Any, axis: int) -> Any:
    """Coordinates for the noisy engine (which takes no spacing)."""
    if x is not None or dx is None:
        return x
    return np.arange(np.shape(y)[axis]) * float(dx)
