"""Derivatives through an interpolating spline (scipy's B-splines)."""

from __future__ import annotations

import numpy as np
from scipy.interpolate import make_interp_spline

__all__ = ["spline_diff"]


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
