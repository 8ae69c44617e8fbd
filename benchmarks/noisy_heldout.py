"""Held-out check of ``dfdx.noisy.diff(method="auto")``: accuracy, bands, noise level.

Signals designed for this check (none of them appears in tests/ or in
``benchmarks/noisy.py``): a chirp, a damped oscillation, two smoothed steps,
a cubic, a mixture of a narrow and a wide Gaussian, exponential growth and
a ``|t - 2|^1.5`` cusp, each with its exact derivative, at N = 100, 1000 and
10000 uniform samples with Gaussian noise of 0.1%, 1% and 10% of the signal's
standard deviation.

Automatic peers (none sees the true derivative):
- GCV smoothing spline: ``scipy.interpolate.make_smoothing_spline(x, y)``;
- Savitzky-Golay: ``scipy.signal.savgol_filter``, cubic, window by GCV;
- pynumdiff's optimiser (``pynumdiff.optimize.optimize``, default objective,
  ``bandlimit`` from the noisy data's spectrum) on ``splinediff``.
The oracle is ``make_smoothing_spline`` with ``lam`` chosen on a grid to
minimise the RMSE against the true derivative.

Reported per N: the geometric mean over cases of RMSE(auto) / RMSE(best
automatic peer) (goal <= 0.7, at N = 100 <= 0.9) and of RMSE(auto) /
RMSE(oracle) (goal <= 1.0 on average); the share of cases whose band
``|df - truth| <= 2 * error`` holds at >= 85% of points (goal: >= 95% of
cases); and the estimated noise level against the true one.
Run: ``python -m benchmarks noisy_heldout [--quick]`` (about 10 minutes
alone on 2 cores; --quick: N = 100 and 1000, one seed).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from scipy.interpolate import make_smoothing_spline
from scipy.signal import savgol_filter

from benchmarks._harness import optional, table
from dfdx.noisy import diff

_SIGNALS = {
    "chirp": (
        lambda t: np.sin(2 * np.pi * (0.5 * t + 0.3 * t**2)),
        lambda t: 2 * np.pi * (0.5 + 0.6 * t) * np.cos(2 * np.pi * (0.5 * t + 0.3 * t**2)),
    ),
    "damped": (
        lambda t: np.exp(-0.3 * t) * np.cos(3 * t),
        lambda t: np.exp(-0.3 * t) * (-0.3 * np.cos(3 * t) - 3 * np.sin(3 * t)),
    ),
    "steps": (
        lambda t: np.tanh(3 * (t - 1)) + 0.5 * np.tanh(5 * (t - 2.5)),
        lambda t: 3 / np.cosh(3 * (t - 1)) ** 2 + 2.5 / np.cosh(5 * (t - 2.5)) ** 2,
    ),
    "cubic": (lambda t: 0.2 * t**3 - t**2 + t, lambda t: 0.6 * t**2 - 2 * t + 1),
    "gauss_mix": (
        lambda t: np.exp(-((t - 1.2) ** 2) / 0.08) + 0.7 * np.exp(-((t - 2.8) ** 2) / 0.72),
        lambda t: (
            -(t - 1.2) / 0.04 * np.exp(-((t - 1.2) ** 2) / 0.08)
            - 0.7 * (t - 2.8) / 0.36 * np.exp(-((t - 2.8) ** 2) / 0.72)
        ),
    ),
    "growth": (lambda t: 0.1 * np.exp(0.7 * t), lambda t: 0.07 * np.exp(0.7 * t)),
    "cusp": (
        lambda t: np.abs(t - 2) ** 1.5,
        lambda t: 1.5 * np.sign(t - 2) * np.abs(t - 2) ** 0.5,
    ),
}
_LEVELS = (0.001, 0.01, 0.1)


def _rmse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean((a - b) ** 2)))


def _gcv_spline(t, y):
    return make_smoothing_spline(t, y).derivative()(t)


def _gcv_savgol(t, y):
    dt = t[1] - t[0]
    best, pick = np.inf, 5
    for window in np.unique(np.geomspace(5, max(5, t.size // 2), 16).astype(int) | 1):
        smooth = savgol_filter(y, window, 3)
        centre = np.zeros(window)
        centre[window // 2] = 1.0
        own = savgol_filter(centre, window, 3, mode="constant")[window // 2]
        score = np.mean((y - smooth) ** 2) / (1 - own) ** 2
        if score < best:
            best, pick = score, window
    return savgol_filter(y, pick, 3, deriv=1, delta=dt)


def _bandlimit(t: np.ndarray, y: np.ndarray) -> float:
    power = np.abs(np.fft.rfft(y - y.mean())) ** 2
    freq = np.fft.rfftfreq(t.size, t[1] - t[0])
    cum = np.cumsum(power) / power.sum()
    return float(max(freq[np.searchsorted(cum, 0.99)], freq[1]))


def _peers():
    peers = {"gcv_spline": _gcv_spline, "gcv_savgol": _gcv_savgol}
    pnd = optional("pynumdiff")
    if pnd is not None:
        from pynumdiff.optimize import optimize

        def splinediff(t, y):
            dt = t[1] - t[0]
            params, _ = optimize(pnd.splinediff, y, dt, bandlimit=_bandlimit(t, y), parallel=False)
            return pnd.splinediff(y, dt, **params)[1]

        peers["pynumdiff.splinediff"] = splinediff
    return peers


def _oracle(t, y, dy) -> float:
    def score(log_lam: float) -> float:
        try:
            fit = make_smoothing_spline(t, y, lam=10.0**log_lam)
            return _rmse(fit.derivative()(t), dy)
        except Exception:  # singular systems at extreme lam: not a candidate
            return np.inf

    coarse = {g: score(g) for g in np.arange(-12.0, 4.01, 1.0)}
    centre = min(coarse, key=coarse.get)
    fine = {g: score(g) for g in np.arange(centre - 0.75, centre + 0.8, 0.25)}
    return min(min(coarse.values()), min(fine.values()))


def run(quick: bool = False) -> None:
    sizes = (100, 1000) if quick else (100, 1000, 10000)
    peers = _peers()
    rows, summary = [], []
    for size in sizes:
        seeds = (0, 1) if size == 100 and not quick else (0,)
        t = np.linspace(0.0, 4.0, size)
        vs_peer, vs_oracle, covered, noise_ratio, spent = [], [], [], [], 0.0
        for name, (f, df) in _SIGNALS.items():
            y0, dy = f(t), df(t)
            for level in _LEVELS:
                sigma = level * float(np.std(y0))
                for seed in seeds:
                    y = y0 + np.random.default_rng(seed).normal(0, sigma, size)
                    t0 = time.perf_counter()
                    res = diff(y, t)
                    spent += time.perf_counter() - t0
                    ours = _rmse(res.df, dy)
                    scores = {}
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        for pname, func in peers.items():
                            try:
                                scores[pname] = _rmse(np.asarray(func(t, y)), dy)
                            except Exception:  # a failing peer is reported, not fatal
                                scores[pname] = np.inf
                        oracle = _oracle(t, y, dy)
                    best = min(scores, key=scores.get)
                    inside = float(np.mean(np.abs(res.df - dy) <= 2 * res.error))
                    est = float(np.asarray(res.params.get("noise_std", np.nan)))
                    vs_peer.append(ours / scores[best])
                    vs_oracle.append(ours / oracle)
                    covered.append(inside)
                    noise_ratio.append(est / sigma)
                    rows.append(
                        [
                            size,
                            name,
                            level,
                            seed,
                            res.method,
                            ours,
                            best,
                            scores[best],
                            oracle,
                            ours / scores[best],
                            ours / oracle,
                            inside,
                            est / sigma,
                        ]
                    )
        print(f"  N={size}: {len(vs_peer)} cases done", flush=True)
        gm = float(np.exp(np.mean(np.log(vs_peer))))
        go = float(np.exp(np.mean(np.log(vs_oracle))))
        good = float(np.mean(np.array(covered) >= 0.85))
        nr = np.array(noise_ratio)
        nr = nr[np.isfinite(nr)]
        summary.append(
            [
                size,
                len(vs_peer),
                gm,
                go,
                float(np.mean(vs_oracle)),
                good,
                float(nr.min()) if nr.size else np.nan,
                float(nr.max()) if nr.size else np.nan,
                spent,
            ]
        )
    table(
        "held-out cases (ratio < 1: auto more accurate)",
        [
            "N",
            "signal",
            "noise",
            "seed",
            "auto chose",
            "auto RMSE",
            "best peer",
            "its RMSE",
            "oracle RMSE",
            "/peer",
            "/oracle",
            "in band",
            "noise est/true",
        ],
        rows,
    )
    table(
        "summary per N (goals: /peer gmean <= 0.7, <= 0.9 at N=100; /oracle mean <= 1.0; "
        "band ok >= 0.95)",
        [
            "N",
            "cases",
            "/peer gmean",
            "/oracle gmean",
            "/oracle mean",
            "band ok",
            "noise est/true min",
            "max",
            "auto time s",
        ],
        summary,
    )
