"""Numerical derivatives of black-box functions: dfdx.numeric against its peers.

Peers, measured in the same process on the same cases: ``scipy.differentiate``
(derivative, and hessian), numdifftools and jacobi.  Columns: median relative
error and median evaluations of ``f`` per point (counted by wrapping ``f``),
and for the timing tables the ratio to one ``np.sin(x)`` call or seconds.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable

import numpy as np

from benchmarks._harness import fmt_time, median_time, numpy_only, optional, table
from dfdx._core.compiled import load
from dfdx.numeric import derivative, hessian


class _Counted:
    """Wrap ``f`` to count evaluated points (array elements)."""

    def __init__(self, f: Callable) -> None:
        self.f, self.count = f, 0

    def __call__(self, x, *args):
        x = np.asarray(x)
        self.count += max(x.size, 1)
        return self.f(x, *args)


SMOOTH = [
    ("exp", np.exp, np.exp, np.linspace(-2, 2, 20)),
    ("sin", np.sin, np.cos, np.linspace(-3, 3, 20)),
    ("log at 0.5", np.log, lambda x: 1 / x, np.array([0.5])),
    (
        "1/(1+x^2)",
        lambda x: 1 / (1 + x * x),
        lambda x: -2 * x / (1 + x * x) ** 2,
        np.linspace(-2, 2, 20),
    ),
    ("x^2+1 at 5", lambda x: x * x + 1, lambda x: 2 * x, np.array([5.0])),
    (
        "exp(-x^2)cos(10x)",
        lambda x: np.exp(-x * x) * np.cos(10 * x),
        lambda x: np.exp(-x * x) * (-2 * x * np.cos(10 * x) - 10 * np.sin(10 * x)),
        np.linspace(-1, 1, 20),
    ),
]

EDGE = [
    ("log at 1e-3", np.log, lambda x: 1 / x, np.array([1e-3])),
    ("sqrt at 1e-4", np.sqrt, lambda x: 0.5 / np.sqrt(x), np.array([1e-4])),
    ("x**(1/3) at 1e-3", lambda x: x ** (1 / 3), lambda x: x ** (-2 / 3) / 3, np.array([1e-3])),
    ("tan at 1.5", np.tan, lambda x: 1 / np.cos(x) ** 2, np.array([1.5])),
    ("log at 1e10", np.log, lambda x: 1 / x, np.array([1e10])),
    ("sin at 1e8", np.sin, np.cos, np.array([1e8])),
    (
        "sin(1000x) at 0.1",
        lambda x: np.sin(1000 * x),
        lambda x: 1000 * np.cos(1000 * x),
        np.array([0.1]),
    ),
]


def _peers():
    out = {}
    sd = optional("scipy.differentiate")
    nd = optional("numdifftools")
    jac = optional("jacobi")

    def run_dfdx(f, x, n=1):
        return np.asarray(derivative(f, x, n=n).df)

    out["dfdx"] = run_dfdx
    if sd is not None:

        def run_scipy(f, x, n=1):
            g = f
            for _ in range(n - 1):
                g = (lambda inner: lambda t: sd.derivative(inner, t).df)(g)
            return np.asarray(sd.derivative(g, x).df)

        out["scipy"] = run_scipy
    if nd is not None:
        out["numdifftools"] = lambda f, x, n=1: np.asarray(nd.Derivative(f, n=n)(x))
    if jac is not None:

        def run_jacobi(f, x, n=1):
            if n != 1:
                return None
            return np.asarray(jac.jacobi(f, x, diagonal=True)[0]).reshape(np.shape(x))

        out["jacobi"] = run_jacobi
    return out


def _accuracy(peers, cases, n=1, truth=None):
    rows = []
    allrel = {k: [] for k in peers}
    allnf = {k: [] for k in peers}
    for name, f, fp, x in cases:
        row = [name]
        true = fp(x) if truth is None else truth(name, x)
        for key, run in peers.items():
            cf = _Counted(f)
            try:
                with np.errstate(all="ignore"):
                    got = run(cf, x, n)
            except Exception as exc:  # a peer failing on a case is a result too
                row.append(f"fails: {type(exc).__name__}")
                continue
            if got is None:
                row.append("-")
                continue
            rel = np.abs(got - true) / np.abs(true)
            nf = cf.count / x.size
            allrel[key].extend(rel.tolist())
            allnf[key].append(nf)
            row.append(f"{np.nanmedian(rel) if np.isfinite(rel).any() else np.nan:.1e} / {nf:.0f}")
        rows.append(row)
    med = ["median (all points)"]
    for key in peers:
        if allrel[key]:
            rel = np.array(allrel[key])
            rel = np.where(np.isnan(rel), np.inf, rel)
            med.append(f"{np.median(rel):.1e} / {np.median(allnf[key]):.0f}")
        else:
            med.append("-")
    rows.append(med)
    return rows


def _higher(n):
    d = {
        "exp": (np.exp, lambda x: np.exp(x)),
        "sin": (
            np.sin,
            lambda x: [np.cos, lambda t: -np.sin(t), lambda t: -np.cos(t), np.sin][n - 1](x),
        ),
        "1/(1+x^2)": (
            lambda x: 1 / (1 + x * x),
            lambda x: [
                -2 * x / (1 + x * x) ** 2,
                (6 * x * x - 2) / (1 + x * x) ** 3,
                24 * x * (1 - x * x) / (1 + x * x) ** 4,
                24 * (5 * x**4 - 10 * x * x + 1) / (1 + x * x) ** 5,
            ][n - 1],
        ),
    }
    x = np.linspace(0.2, 2.2, 8) if n < 4 else np.linspace(0.2, 2.2, 3)
    return [(k, f, fp, x) for k, (f, fp) in d.items()]


def _sin_speed(peers, size):
    x = np.linspace(-np.pi, np.pi, size)
    t_sin = median_time(lambda: np.sin(x))
    rows = []
    runs = list(peers.items())
    if load("numeric._jitlook") is not None:  # both ways: compiled test and NumPy only
        runs[0] = ("dfdx [numba]", peers["dfdx"])
        runs.insert(1, ("dfdx [NumPy only]", numpy_only(peers["dfdx"])))
    for key, run in runs:
        slow = key in ("numdifftools", "jacobi")
        t = median_time(
            lambda run=run: run(np.sin, x), repeat=1 if slow else 5, min_time=0 if slow else 0.05
        )
        err = np.max(np.abs(run(np.sin, x) - np.cos(x)))
        rows.append([key, fmt_time(t), t / t_sin, f"{err:.1e}"])
    return t_sin, rows


RANGES = [
    ("sin on [-pi, pi]", np.sin, -np.pi, np.pi),
    ("sin on [0, 100]", np.sin, 0.0, 100.0),
    ("cos on [0, 100]", np.cos, 0.0, 100.0),
    ("exp on [-5, 5]", np.exp, -5.0, 5.0),
    ("j0 on [0, 50]", "j0", 0.0, 50.0),
    ("tanh on [-20, 20]", np.tanh, -20.0, 20.0),
]


def _range_speed(sizes):
    """Ratio to one call of f, per case and size: dfdx (numba, NumPy only), scipy."""
    special = optional("scipy.special")
    sd = optional("scipy.differentiate")
    compiled = load("numeric._jitlook") is not None
    rows = []
    for name, f, a, b in RANGES:
        f = getattr(special, f) if isinstance(f, str) else f
        if f is None:
            continue
        for size in sizes:
            x = np.linspace(a, b, size)
            many = size <= 10**5
            t_f = median_time(lambda f=f, x=x: f(x))
            runs = [("numba", lambda f=f, x=x: derivative(f, x))] if compiled else []
            runs.append(("numpy", numpy_only(lambda f=f, x=x: derivative(f, x))))
            if sd is not None and size <= 10**6:
                runs.append(("scipy", lambda f=f, x=x: sd.derivative(f, x)))
            cells = {}
            for key, run in runs:
                with np.errstate(all="ignore"):
                    run()  # (first touches, compilation)
                    t = median_time(run, repeat=5 if many else 1, min_time=0.05 if many else 0)
                cells[key] = f"{t / t_f:.1f}"
            rows.append(
                [
                    name,
                    f"{size:.0e}",
                    cells.get("numba", "-"),
                    cells["numpy"],
                    cells.get("scipy", "-"),
                ]
            )
    return rows


def _family(n, seed=0):
    """Random smooth cases (as in tests/test_numeric_calibration.py)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, n) * 10 ** rng.uniform(-1, 1, n)
    scale = np.maximum(np.abs(x), 1) * 10 ** rng.uniform(-0.5, 1.5, n)
    a, c, r = rng.normal(size=(3, n))
    b, x0 = rng.uniform(-2, 2, (2, n))
    w, s = 10 ** rng.uniform(-1, 1, n), 10 ** rng.uniform(-1, 1.5, n)
    ph = rng.uniform(0, 2 * np.pi, n)
    p0, p1, p2, p3 = rng.normal(size=(4, n))
    args = (a, b, c, w, ph, p0, p1, p2, p3, r, x0, s, scale)
    return x, args


def _fam_f(x, a, b, c, w, ph, p0, p1, p2, p3, r, x0, s, scale):
    u = x / scale
    poly = ((p3 * u + p2) * u + p1) * u + p0
    return a * np.exp(b * np.tanh(u)) + c * np.sin(w * u + ph) + poly + r / (1 + s * (u - x0) ** 2)


def _fam_f1(x, a, b, c, w, ph, p0, p1, p2, p3, r, x0, s, scale):
    u = x / scale
    t = np.tanh(u)
    d = (
        a * np.exp(b * t) * b * (1 - t * t)
        + c * w * np.cos(w * u + ph)
        + (3 * p3 * u + 2 * p2) * u
        + p1
        - r * 2 * s * (u - x0) / (1 + s * (u - x0) ** 2) ** 2
    )
    return d / scale


def _honesty(n_cases):
    """How often each library's own error estimate is below its true error."""
    x, args = _family(n_cases)
    true = _fam_f1(x, *args)
    runs = [("dfdx", lambda: (lambda r: (r.df, r.error))(derivative(_fam_f, x, args=args)))]
    sd = optional("scipy.differentiate")
    nd = optional("numdifftools")
    jac = optional("jacobi")
    if sd is not None:
        runs.append(
            ("scipy", lambda: (lambda r: (r.df, r.error))(sd.derivative(_fam_f, x, args=args)))
        )
    if nd is not None:
        runs.append(
            (
                "numdifftools",
                lambda: (lambda r: (r.estimate, r.error_estimate))(
                    nd.Derivative(_fam_f, full_output=True)(x, *args)
                ),
            )
        )
    if jac is not None:
        runs.append(("jacobi", lambda: jac.jacobi(_fam_f, x, *args, diagonal=True)))
    rows = []
    for key, run in runs:
        with np.errstate(all="ignore"):
            df, est = (np.asarray(v, dtype=float) for v in run())
        err = np.abs(df - true)
        ratio = err / np.where(est > 0, est, np.nan)
        ratio = np.where(np.isnan(ratio) & (err > 0), np.inf, ratio)
        rows.append(
            [
                key,
                f"{np.mean(ratio > 1):.1%}",
                f"{np.mean(ratio > 10):.1%}",
                f"{np.nanmax(ratio):.1e}",
                f"{np.median(err / np.abs(true)):.1e}",
            ]
        )
    return rows


KINKS = [
    ("|x| at 0", np.abs, 0.0, False),
    ("max(x, 0) at 0", lambda x: np.maximum(x, 0.0), 0.0, False),
    ("sign at 0", np.sign, 0.0, False),
    ("floor at 1", np.floor, 1.0, False),
    ("|x|^1.5 at 0 (f'=0)", lambda x: np.abs(x) ** 1.5, 0.0, True),
]


def _kinks():
    """Value and verdict where f' does not exist (and one case where it does)."""
    sd = optional("scipy.differentiate")
    nd = optional("numdifftools")
    jac = optional("jacobi")
    rows = []
    for name, f, x, exists in KINKS:
        res = derivative(f, x)
        row = [name, "yes" if exists else "no", f"{float(res.df):.3g}, {_verdict(res.success)}"]
        if sd is not None:
            r = sd.derivative(f, np.float64(x))
            row.append(f"{float(r.df):.3g}, {_verdict(r.success)}")
        if nd is not None:
            row.append(f"{float(nd.Derivative(f)(x)):.3g}, no flag")
        if jac is not None:
            row.append(f"{float(np.ravel(jac.jacobi(f, x)[0])[0]):.3g}, no flag")
        rows.append(row)
    return rows


def _verdict(success) -> str:
    return "success" if bool(success) else "flagged"


def _rosen(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2, axis=0)


def _lse_sin(x):
    top = x.max(axis=0)
    return top + np.log(np.sum(np.exp(x - top), axis=0)) + np.sum(np.sin(x[:-1] * x[1:]), axis=0)


def _lse_sin_hess(x):
    p = np.exp(x - x.max())
    p /= p.sum()
    H = np.diag(p) - np.outer(p, p)
    i = np.arange(x.size - 1)
    s, c = np.sin(x[i] * x[i + 1]), np.cos(x[i] * x[i + 1])
    H[i, i] -= s * x[i + 1] ** 2
    H[i + 1, i + 1] -= s * x[i] ** 2
    H[i, i + 1] += c - s * x[i] * x[i + 1]
    H[i + 1, i] += c - s * x[i] * x[i + 1]
    return H


def _hessians(m):
    from scipy.optimize import rosen_hess

    sd = optional("scipy.differentiate")
    nd = optional("numdifftools")
    x = np.random.default_rng(0).uniform(-1, 1, m)
    rows = []
    for name, f, exact in (
        ("Rosenbrock", _rosen, rosen_hess),
        ("logsumexp+sin", _lse_sin, _lse_sin_hess),
    ):
        H = exact(x)
        runs = [("dfdx", lambda f=f: hessian(f, x).df)]
        if sd is not None:
            runs.append(("scipy", lambda f=f: sd.hessian(f, x).ddf))
        if nd is not None:
            runs.append(("numdifftools", lambda f=f: nd.Hessian(f)(x)))
        for key, run in runs:
            t0 = time.perf_counter()
            with np.errstate(all="ignore"):
                got = run()
            dt = time.perf_counter() - t0
            rel = np.max(np.abs(got - H)) / np.max(np.abs(H))
            rows.append([name, key, fmt_time(dt), f"{rel:.1e}"])
    return rows


def run(quick: bool = False) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # peers warn loudly on the domain-edge cases
        _run(quick)


def _run(quick: bool) -> None:
    peers = _peers()
    header = ["case", *[f"{k} relerr / evals" for k in peers]]
    table(
        "f' on smooth cases: median relative error / evaluations per point",
        header,
        _accuracy(peers, SMOOTH),
    )
    table("f' at domain edges, extreme scales, fast oscillation", header, _accuracy(peers, EDGE))
    for n in (2, 3, 4):
        table(
            f"n={n}: median relative error / evaluations per point (scipy nested)",
            header,
            _accuracy(peers, _higher(n), n=n),
        )
    names = [k for k in ("scipy", "numdifftools", "jacobi") if k in peers]
    table(
        "kinks and jumps: value, and whether the library flags it",
        ["case", "f' exists", "dfdx", *names],
        _kinks(),
    )
    n_cases = 500 if quick else 3000
    table(
        f"error estimates on {n_cases} random smooth cases (f'): true error > estimate",
        ["library", "> 1x", "> 10x", "max ratio", "median rel error"],
        _honesty(n_cases),
    )
    size = 10**5 if quick else 10**6
    t_sin, rows = _sin_speed(peers, size)
    table(
        f"f' of np.sin at {size} points; one np.sin(x) takes {fmt_time(t_sin).strip()}",
        ["library", "time", "ratio to np.sin(x)", "max abs error"],
        rows,
    )
    sizes = [10**3, 10**4, 10**5] if quick else [10**3, 10**4, 10**5, 10**6, 10**7]
    table(
        "f' on several ranges and sizes: time over one call of f (scipy up to 1e6)",
        ["case", "points", "dfdx [numba]", "dfdx [NumPy only]", "scipy.differentiate"],
        _range_speed(sizes),
    )
    m = 30 if quick else 100
    table(
        f"Hessian of {m}-variable functions (one run each)",
        ["function", "library", "time", "rel error (max-norm)"],
        _hessians(m),
    )
