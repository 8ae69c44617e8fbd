"""Exact derivatives: dfdx.exact.derivative against the numpy/scipy methods it wraps.

The ratio column is time(dfdx) / time(direct call): the cost of one front door.
"""

from __future__ import annotations

import numpy as np
from numpy.polynomial import Chebyshev, Hermite, Legendre, Polynomial
from scipy.interpolate import CubicSpline, PchipInterpolator, UnivariateSpline, make_interp_spline

import dfdx
from benchmarks._harness import fmt_time, median_time, table


def _cases(size: int) -> list[tuple[str, object, object]]:
    rng = np.random.default_rng(0)
    coef = rng.standard_normal(size)
    x = np.linspace(0.0, 1.0, size)
    y = np.sin(3 * x)
    return [
        ("poly1d.deriv", np.poly1d(coef), lambda p: p.deriv(2)),
        ("Polynomial.deriv", Polynomial(coef), lambda p: p.deriv(2)),
        ("Chebyshev.deriv", Chebyshev(coef, domain=[0, 2]), lambda p: p.deriv(2)),
        ("Legendre.deriv", Legendre(coef), lambda p: p.deriv(2)),
        ("Hermite.deriv", Hermite(coef), lambda p: p.deriv(2)),
        ("BSpline.derivative", make_interp_spline(x, y), lambda s: s.derivative(2)),
        ("CubicSpline.derivative", CubicSpline(x, y), lambda s: s.derivative(2)),
        ("Pchip.derivative", PchipInterpolator(x, y), lambda s: s.derivative(2)),
        ("UnivariateSpline.derivative", UnivariateSpline(x, y, s=0), lambda s: s.derivative(2)),
    ]


def run(quick: bool = False) -> None:
    rows = []
    for size in (20,) if quick else (20, 2000):
        for name, obj, direct in _cases(size):
            t_direct = median_time(lambda obj=obj, direct=direct: direct(obj))
            t_dfdx = median_time(lambda obj=obj: dfdx.derivative(obj, n=2))
            rows.append([name, size, fmt_time(t_direct), fmt_time(t_dfdx), t_dfdx / t_direct])
    table(
        "second derivative of polynomial/spline objects (median of 7)",
        ["wrapped method", "size", "direct", "dfdx.derivative", "ratio"],
        rows,
    )
