"""Multivariate numerical derivatives at many points: cost of the batch, and peers.

``gradient``, ``jacobian`` and ``hessian`` of ``dfdx.numeric`` at 10^4 points
(SciPy's convention: ``x`` of shape ``(m, P)``).  Columns: total time, the
time spent inside ``f`` (measured by wrapping ``f``), their ratio (the cost
of everything that is not ``f``), the largest difference from a loop over a
sample of points one at a time, the median relative error against the exact
derivative, and ``scipy.differentiate`` on the same points in the same
process (time ratio and error).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from scipy import special

from benchmarks._harness import fmt_time, median_time, optional, table
from dfdx.numeric import gradient, hessian, jacobian


class _Timed:
    """Wrap ``f`` to add up the seconds spent inside it."""

    def __init__(self, f):
        self.f, self.seconds, self.columns = f, 0.0, 0

    def __call__(self, x):
        t0 = time.perf_counter()
        out = self.f(x)
        self.seconds += time.perf_counter() - t0
        self.columns += x.shape[1] if x.ndim > 1 else 1
        return out


def _cheap(p):
    return p[0] ** 2 * p[1] + np.sin(p[1])


def _cheap_grad(p):
    return np.stack([2 * p[0] * p[1], p[0] ** 2 + np.cos(p[1])])


def _bessel(p):
    return special.jv(p[0], p[1]) * np.exp(-(p[2] ** 2)) + special.erf(p[0] * p[2])


def _rosen(p):
    return np.sum(100.0 * (p[1:] - p[:-1] ** 2) ** 2 + (1 - p[:-1]) ** 2, axis=0)


def _rosen_grad(p):
    g = np.zeros_like(p)
    g[:-1] += -400 * p[:-1] * (p[1:] - p[:-1] ** 2) - 2 * (1 - p[:-1])
    g[1:] += 200 * (p[1:] - p[:-1] ** 2)
    return g


def _vec(p):
    return np.stack([p[0] * np.sin(p[1]), np.exp(p[0] - p[1]), special.gamma(1.5 + p[0] ** 2)])


def _vec_jac(p):
    e = np.exp(p[0] - p[1])
    g = special.gamma(1.5 + p[0] ** 2) * special.digamma(1.5 + p[0] ** 2) * 2 * p[0]
    z = np.zeros_like(p[0])
    return np.stack(
        [np.stack([np.sin(p[1]), p[0] * np.cos(p[1])]), np.stack([e, -e]), np.stack([g, z])]
    )


def _hess_cheap(p):
    return np.stack([np.stack([2 * p[1], 2 * p[0]]), np.stack([2 * p[0], -np.sin(p[1])])])


def _relerr(got, exact):
    scale = np.maximum(np.abs(exact), 1e-300)
    return float(np.median(np.abs(got - exact) / scale))


def _row(name, func, f, x, exact, peer, quick):
    with np.errstate(all="ignore"):
        func(f, x)  # warm up (imports, compiled kernels)
        runs = []
        for _ in range(3):  # the median of three
            timed = _Timed(f)
            t0 = time.perf_counter()
            res = func(timed, x)
            runs.append((time.perf_counter() - t0, timed.seconds))
    total, in_f = sorted(runs)[1]
    sample = np.linspace(0, x.shape[1] - 1, 5 if quick else 20).astype(int)
    loop = np.stack([func(f, x[:, j]).df for j in sample], axis=-1)
    scale = np.maximum(np.abs(loop), np.finfo(float).tiny)
    diff = float(np.max(np.abs(res.df[..., sample] - loop) / scale))
    err = _relerr(res.df, exact(x)) if exact is not None else float("nan")
    row = [name, fmt_time(total), fmt_time(in_f), f"{total / in_f:.2f}"]
    row += [f"{diff:.1e}", f"{err:.1e}", f"{res.success.mean():.3f}"]
    if peer is None:
        return [*row, "-", "-"]
    with np.errstate(all="ignore"):
        got = peer(f, x)
        tp = median_time(lambda: peer(f, x), repeat=3, min_time=0.0)
    perr = _relerr(got, exact(x)) if exact is not None else float("nan")
    return [*row, f"{tp / total:.2f}", f"{perr:.1e}"]


def run(quick: bool = False) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _run(quick)


def _run(quick: bool) -> None:
    sd = optional("scipy.differentiate")
    P = 10**3 if quick else 10**4
    rng = np.random.default_rng(0)
    x2 = rng.uniform(0.5, 2.0, (2, P))
    x3 = rng.uniform(0.5, 2.0, (3, P))
    x6 = rng.uniform(-1.0, 1.0, (6, P))

    def sd_jac(f, x):
        return sd.jacobian(f, x).df

    def sd_hess(f, x):
        return sd.hessian(f, x).ddf

    jac = None if sd is None else sd_jac
    hes = None if sd is None else sd_hess
    rows = [
        _row("gradient  p0^2 p1 + sin p1", gradient, _cheap, x2, _cheap_grad, jac, quick),
        _row("gradient  Rosenbrock m=6", gradient, _rosen, x6, _rosen_grad, jac, quick),
        _row("gradient  jv, exp, erf m=3", gradient, _bessel, x3, None, jac, quick),
        _row("jacobian  3 outputs, gamma", jacobian, _vec, x2, _vec_jac, jac, quick),
        _row("hessian   p0^2 p1 + sin p1", hessian, _cheap, x2, _hess_cheap, hes, quick),
        _row(
            "hessian   complex step",
            lambda f, x: hessian(f, x, method="complex"),
            _cheap,
            x2,
            _hess_cheap,
            None,
            quick,
        ),
    ]
    table(
        f"batched multivariate derivatives at {P} points (x of shape (m, {P}))",
        [
            "case",
            "time",
            "time in f",
            "total / f",
            "vs loop (rel)",
            "median relerr",
            "success",
            "scipy time ratio",
            "scipy relerr",
        ],
        rows,
    )
