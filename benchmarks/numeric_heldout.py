"""Held-out check of ``dfdx.numeric.derivative`` at n = 1-4: is ``success`` honest?

Functions the engine was not tuned on: special functions, oscillatory ones,
points near singularities, huge and tiny ``|x|``.  The truth comes from
mpmath (analytic formulas where the argument is extreme, else ``mp.diff`` at
90 digits with a step relative to ``x``).  Per order, two rates over every
point whose true derivative is finite and nonzero:

* ``success`` with a relative error above the threshold of that order
  (1e-6 for n = 1 and 2, 1e-5 for n = 3, 1e-4 for n = 4): at most 0.5%;
* an error estimate below the true error: at most 1%.

Run with ``python -m benchmarks numeric_heldout`` (``--quick``: fewer points).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from benchmarks._harness import optional, table
from dfdx.numeric import derivative

THRESHOLD = {1: 1e-6, 2: 1e-6, 3: 1e-5, 4: 1e-4}


def _sin_n(x, n):
    """The ``n``-th derivative of ``sin`` (analytic: no cancellation at tiny ``x``)."""
    mp = _mp()
    return [mp.sin, mp.cos, lambda t: -mp.sin(t), lambda t: -mp.cos(t)][n % 4](x)


def _mp():
    mp = optional("mpmath")
    if mp is None:
        raise SystemExit("the held-out check needs mpmath: pip install mpmath")
    return mp


def _cases():
    """``(name, f, truth(x_mp, n), sampler(rng, size))`` per case."""
    mp = _mp()
    sp = optional("scipy.special")

    def diff(g):
        def truth(x, n):
            h = abs(x) * mp.mpf(2) ** -60 if x else mp.mpf(2) ** -60
            return mp.diff(g, x, n, h=h)

        return truth

    def uni(a, b):
        return lambda rng, k: rng.uniform(a, b, k)

    def logu(a, b, sign=1.0, shift=0.0):
        return lambda rng, k: shift + sign * 10 ** rng.uniform(a, b, k)

    def power(p):
        def truth(x, n):
            c = mp.mpf(1)
            for k in range(n):
                c *= mp.mpf(p) - k
            return c * x ** (mp.mpf(p) - n)

        return truth

    return [
        ("J0 on [0.1, 30]", sp.j0, diff(lambda t: mp.besselj(0, t)), uni(0.1, 30)),
        ("erf on [-3, 3]", sp.erf, diff(mp.erf), uni(-3, 3)),
        ("gammaln on [0.1, 20]", sp.gammaln, diff(mp.loggamma), uni(0.1, 20)),
        ("Ai on [-10, 3]", lambda x: sp.airy(x)[0], diff(mp.airyai), uni(-10, 3)),
        ("expit on [-20, 20]", sp.expit, diff(lambda t: 1 / (1 + mp.exp(-t))), uni(-20, 20)),
        (
            "sin(10x) on [-5, 5]",
            lambda x: np.sin(10 * x),
            diff(lambda t: mp.sin(10 * t)),
            uni(-5, 5),
        ),
        ("cos(x^2) on [0, 6]", lambda x: np.cos(x * x), diff(lambda t: mp.cos(t * t)), uni(0, 6)),
        (
            "sin(1/x) on [0.05, 1]",
            lambda x: np.sin(1 / x),
            diff(lambda t: mp.sin(1 / t)),
            uni(0.05, 1),
        ),
        ("log near 0", np.log, diff(mp.log), logu(-6, -1)),
        ("1/(1-x) near 1", lambda x: 1 / (1 - x), diff(lambda t: 1 / (1 - t)), logu(-6, -1, -1, 1)),
        ("tan near pi/2", np.tan, diff(mp.tan), logu(-5, -1, -1, math.pi / 2)),
        ("sqrt near 0", np.sqrt, power(0.5), logu(-8, -1)),
        ("x^0.7 at 1e100-1e300", lambda x: x**0.7, power(0.7), logu(100, 300)),
        ("log at 1e50-1e300", np.log, diff(mp.log), logu(50, 300)),
        (
            "1/(1+x^2) at 1e20-1e150",
            lambda x: 1 / (1 + x * x),
            diff(lambda t: 1 / (1 + t * t)),
            logu(20, 150),
        ),
        ("sin at 1e-300-1e-100", np.sin, _sin_n, logu(-300, -100)),
        ("exp at -1e-300..1e-50", np.exp, lambda x, n: _mp().exp(x), logu(-300, -50, -1)),
        ("tanh on [-20, 20]", np.tanh, diff(mp.tanh), uni(-20, 20)),
    ]


def _truth(truth, x: np.ndarray, n: int) -> np.ndarray:
    mp = _mp()
    out = np.empty(x.size)
    with mp.workdps(90):
        for i, xi in enumerate(x.tolist()):
            out[i] = float(truth(mp.mpf(xi), n))
    return out


def run(quick: bool = False) -> None:
    size = 40 if quick else 200
    rng = np.random.default_rng(2026)
    rows, worst = [], []
    totals = {n: [0, 0, 0, 0] for n in THRESHOLD}
    for name, f, truth, sampler in _cases():
        x = sampler(rng, size)
        for n in THRESHOLD:
            true = _truth(truth, x, n)
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                res = derivative(f, x, n=n)
            keep = np.isfinite(true) & (true != 0)
            err = np.abs(res.df - true)
            with np.errstate(all="ignore"):
                rel = err / np.abs(true)
            false_ok = keep & res.success & ~(rel <= THRESHOLD[n])
            finite = keep & np.isfinite(res.df)
            under = finite & ~(res.error >= err)
            t = totals[n]
            t[0] += int(keep.sum())
            t[1] += int(false_ok.sum())
            t[2] += int(under.sum())
            t[3] += int((keep & res.success).sum())
            if false_ok.any() or under.any():
                worst.append(
                    [
                        name,
                        n,
                        f"{res.success[keep].mean():.0%}",
                        int(false_ok.sum()),
                        int(under.sum()),
                        f"{np.max(rel[false_ok]) if false_ok.any() else 0:.1e}",
                    ]
                )
    for n, (count, bad, under, ok) in totals.items():
        rows.append(
            [
                n,
                count,
                f"{ok / count:.1%}",
                f"{THRESHOLD[n]:.0e}",
                f"{bad / count:.2%}",
                f"{under / count:.2%}",
                "ok" if bad <= 0.005 * count and under <= 0.01 * count else "FAILS",
            ]
        )
    table(
        f"held-out functions ({size} points per case and order): success above the "
        "threshold (target <= 0.5%), estimate below the true error (target <= 1%)",
        [
            "n",
            "points",
            "success",
            "threshold",
            "success, error above",
            "estimate < error",
            "verdict",
        ],
        rows,
    )
    if worst:
        table(
            "cases with a flagged point",
            ["case", "n", "success", "success above threshold", "estimate < error", "max rel"],
            worst,
        )
