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
