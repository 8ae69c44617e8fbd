"""The front door's cost over the engines, and propagation against jacobi.

* ``dfdx.derivative(f, x)`` against ``dfdx.ad.derivative(f)(x)`` and
  ``dfdx.numeric.derivative(f, x)`` in the same process: the overhead of the
  front door, most of it the elementwise check (one forward pass on up to 64
  points for AD, seven evaluations on up to 64 points for numeric).
* ``dfdx.propagate`` against ``jacobi.propagate`` (time and agreement).
"""

from __future__ import annotations

import numpy as np

from benchmarks._harness import median_time, optional


def _smooth(x):
    return np.sin(x) * np.exp(-x / 3) + x**2


def _black_box(x):
    x = np.asarray(x, dtype=float)
    return np.sin(x) * np.exp(-x / 3)


def run(quick: bool = False) -> None:
    import dfdx

    heldout(40 if quick else 200)
    sizes = (10, 1000) if quick else (10, 1000, 100_000)
    print(f"{'points':>8} {'engine':>8} {'engine us':>11} {'front us':>10} {'ratio':>6}")
    for size in sizes:
        x = np.linspace(0.1, 3.0, size)
        for n in (1, 2):
            engine = median_time(lambda: dfdx.ad.derivative(_smooth, n)(x))  # noqa: B023
            front = median_time(lambda: dfdx.derivative(_smooth, x, n=n))  # noqa: B023
            print(
                f"{size:>8} {'ad n=' + str(n):>8} {engine * 1e6:>11.0f} {front * 1e6:>10.0f} "
                f"{front / engine:>6.2f}"
            )
        engine = median_time(lambda: dfdx.numeric.derivative(_black_box, x), repeat=3)  # noqa: B023
        front = median_time(lambda: dfdx.derivative(_black_box, x), repeat=3)  # noqa: B023
        print(
            f"{size:>8} {'numeric':>8} {engine * 1e6:>11.0f} {front * 1e6:>10.0f} "
            f"{front / engine:>6.2f}"
        )
    jacobi = optional("jacobi")
    if jacobi is None:
        return

    def f(v):
        return np.stack([v[0] * v[1], np.sin(v[0]) * np.exp(v[2]), v[1] ** 2 / v[2]])

    x = np.array([0.7, 1.3, 2.1])
    a = np.array([[0.3, 0.1, 0.0], [0.1, 0.2, 0.05], [0.0, 0.05, 0.4]])
    cov = a @ a.T
    ours = median_time(lambda: dfdx.propagate(f, x, cov))
    theirs = median_time(lambda: jacobi.propagate(f, x, cov))
    diff = np.max(np.abs(dfdx.propagate(f, x, cov).cov - jacobi.propagate(f, x, cov)[1]))
    print(
        f"propagate: dfdx {ours * 1e6:.0f} us, jacobi {theirs * 1e6:.0f} us, "
        f"ratio {ours / theirs:.2f}; max |difference| {diff:.2g}"
    )


def _heldout_functions(rng):
    """Random elementwise compositions, and the same made non-elementwise."""
    unary = [np.sin, np.cos, np.exp, np.tanh, np.arctan, np.log1p, np.sqrt, np.cbrt, np.square]
    couplings = [
        ("sum", lambda x: np.sum(x) * 1e-3),
        ("mean", lambda x: np.mean(x)),
        ("roll", lambda x: np.roll(x, 1)),
        ("reverse", lambda x: x[::-1]),
        ("cumsum", lambda x: np.cumsum(x) * 1e-2),
        ("first", lambda x: x[0] * np.ones_like(x)),
        ("diff", lambda x: np.concatenate([np.diff(x), x[:1]])),
        ("norm", lambda x: np.linalg.norm(x) * 1e-2),
    ]
    picks = [unary[i] for i in rng.integers(0, len(unary), 3)]
    scale = rng.uniform(0.5, 2.0, 3)

    def smooth(x):
        y = picks[0](np.abs(x) + 0.1) * scale[0]
        return y + picks[1](scale[1] * x) * picks[2](np.abs(x) + 0.2) + scale[2] * x

    name, coupling = couplings[rng.integers(0, len(couplings))]

    def coupled(x):
        return smooth(x) + 0.1 * coupling(x) * x

    return smooth, coupled, name


def heldout(trials: int = 200, seed: int = 2026) -> None:
    """Held-out check: elementwise never refused, coupled always refused (both engines)."""
    import dfdx

    rng = np.random.default_rng(seed)
    kept = refused = total = unanswered = 0
    missed: list[str] = []
    for _ in range(trials):
        smooth, coupled, name = _heldout_functions(rng)
        size = int(rng.choice([2, 3, 5, 8, 17, 64, 65, 300]))
        x = np.sort(rng.uniform(-2, 2, size))
        for method in ("auto", "numeric"):
            total += 1
            try:
                dfdx.derivative(smooth, x, method=method)
                kept += 1
            except ValueError:
                missed.append(f"refused elementwise ({method}, {size} points)")
            try:
                r = dfdx.derivative(coupled, x, method=method)
            except ValueError:
                refused += 1
                continue
            if np.any(r.success):
                missed.append(f"accepted {name} ({method}, {size} points)")
            else:
                unanswered += 1  # f is NaN everywhere: no value, every point failed
    print(
        f"held-out: elementwise kept {kept}/{total}; coupled refused {refused}/{total}, "
        f"{unanswered} without any answer (f NaN everywhere), "
        f"{len(missed) - (total - kept)} answered"
    )
    for line in missed[:10]:
        print("  ", line)
