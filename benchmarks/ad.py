"""Automatic differentiation: dfdx.ad against autograd, mygrad (and JAX/PyTorch if installed).

Every ratio compares numbers measured in this process:
  * tiny gradient: time per call of grad(lambda x: x**2 + 1)(1.0), ratio to autograd;
  * Rosenbrock: time(grad)/time(f) for each library, peak memory (tracemalloc);
  * dense Hessian (n variables) and Jacobian R^n -> R^n: ratio to autograd;
  * derivative(sin(x)*exp(x), k) at many points: ratio to nested autograd;
  * grad of scipy.special.logsumexp (user code unchanged): time(grad)/time(f);
  * arrays built from traced scalars (np.array([e0, e1, ...]), np.zeros(n, dtype=object)
    filled element by element): cost per element, against np.stack and autograd.
"""

from __future__ import annotations

import tracemalloc

import numpy as np

from benchmarks._harness import fmt_time, median_time, optional, table
from dfdx import ad


def _peak(fn) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def _tiny(ag, mg, torch, jax) -> None:
    rows = []
    g = ad.grad(lambda x: x**2 + 1)
    t_dfdx = median_time(lambda: g(1.0))
    t_ag = None
    if ag is not None:
        ga = ag.grad(lambda x: x**2 + 1)
        t_ag = median_time(lambda: ga(1.0))
    rows.append(["dfdx.ad.grad", fmt_time(t_dfdx), t_dfdx / t_ag if t_ag else "-"])
    if t_ag:
        rows.append(["autograd.grad", fmt_time(t_ag), 1.0])
    if mg is not None:

        def mygrad_call() -> float:
            x = mg.tensor(1.0)
            y = x**2 + 1
            y.backward()
            return x.grad

        t = median_time(mygrad_call)
        rows.append(["mygrad backward", fmt_time(t), t / t_ag if t_ag else "-"])
    if torch is not None:

        def torch_call() -> float:
            x = torch.tensor(1.0, requires_grad=True)
            (x**2 + 1).backward()
            return x.grad

        t = median_time(torch_call)
        rows.append(["torch backward", fmt_time(t), t / t_ag if t_ag else "-"])
    if jax is not None:
        gj = jax.grad(lambda x: x**2 + 1)
        t = median_time(lambda: gj(1.0).block_until_ready())
        rows.append(["jax.grad (eager)", fmt_time(t), t / t_ag if t_ag else "-"])
    table(
        "grad(lambda x: x**2 + 1)(1.0): time per call (target: dfdx <= 0.25x autograd)",
        ["library", "time", "ratio to autograd"],
        rows,
    )


def _rosen(n: int, ag, mg) -> None:
    rng = np.random.default_rng(0)
    x = rng.random(n)

    def f(x):
        return np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)

    rows = []
    t_f = median_time(lambda: f(x), repeat=5)
    g = ad.grad(f)
    peak = _peak(lambda: g(x))  # first call: no recycled buffers yet, every array is new
    t_g = median_time(lambda: g(x), repeat=5)
    rows.append(["dfdx.ad", fmt_time(t_f), fmt_time(t_g), t_g / t_f, peak])
    if ag is not None:
        anp = ag.numpy

        def fa(x):
            return anp.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)

        ga = ag.grad(fa)
        t_a = median_time(lambda: ga(x), repeat=5)
        rows.append(["autograd", fmt_time(t_f), fmt_time(t_a), t_a / t_f, _peak(lambda: ga(x))])
    if mg is not None:

        def mygrad_call():
            xt = mg.tensor(x)
            y = mg.sum(100 * (xt[1:] - xt[:-1] ** 2) ** 2 + (1 - xt[:-1]) ** 2)
            y.backward()
            return xt.grad

        t_m = median_time(mygrad_call, repeat=5)
        rows.append(["mygrad", fmt_time(t_f), fmt_time(t_m), t_m / t_f, _peak(mygrad_call)])
    table(
        f"Rosenbrock gradient, n = {n} (targets: dfdx ratio <= 3.0, peak <= autograd's)",
        ["library", "time(f)", "time(grad)", "grad/f", "peak MiB"],
        rows,
    )


def _dense(n: int, ag) -> None:
    rng = np.random.default_rng(1)
    A = rng.standard_normal((n, n)) / np.sqrt(n)
    x = rng.standard_normal(n)

    def h(x):
        return np.sum(np.tanh(A @ x)) + np.sum(x**3) / 3

    def j(x):
        return np.sin(A @ x) * x

    rows = []
    t_h = median_time(lambda: ad.hessian(h)(x), repeat=3, min_time=0.0)
    t_j = median_time(lambda: ad.jacobian(j)(x), repeat=3, min_time=0.0)
    if ag is not None:
        anp = ag.numpy

        def ha(x):
            return anp.sum(anp.tanh(anp.dot(A, x))) + anp.sum(x**3) / 3

        def ja(x):
            return anp.sin(anp.dot(A, x)) * x

        t_ha = median_time(lambda: ag.hessian(ha)(x), repeat=3, min_time=0.0)
        t_ja = median_time(lambda: ag.jacobian(ja)(x), repeat=3, min_time=0.0)
        rows.append([f"Hessian, n={n}", fmt_time(t_h), fmt_time(t_ha), t_h / t_ha])
        rows.append([f"Jacobian R^{n}->R^{n}", fmt_time(t_j), fmt_time(t_ja), t_j / t_ja])
    else:
        rows.append([f"Hessian, n={n}", fmt_time(t_h), "-", "-"])
        rows.append([f"Jacobian R^{n}->R^{n}", fmt_time(t_j), "-", "-"])
    table(
        "dense Hessian (forward-over-reverse) and Jacobian (batched forward) (target <= 0.25)",
        ["case", "dfdx.ad", "autograd", "ratio"],
        rows,
    )


def _sin_exp_autograd(anp):
    def f(x):
        return anp.sin(x) * anp.exp(x)

    return f


def _taylor(m: int, orders: tuple[int, ...], ag) -> None:
    x = np.linspace(0.0, 1.0, m)
    rows = []
    for k in orders:
        d = ad.derivative(lambda x: np.sin(x) * np.exp(x), k)
        t_d = median_time(lambda d=d: d(x), repeat=5)
        t_a = None
        if ag is not None and k <= 5:
            fa = _sin_exp_autograd(ag.numpy)
            for _ in range(k):
                fa = ag.elementwise_grad(fa)
            t_a = median_time(lambda fa=fa: fa(x), repeat=3)
        rows.append([k, fmt_time(t_d), fmt_time(t_a) if t_a else "-", t_a / t_d if t_a else "-"])
    table(
        f"derivative(sin(x)*exp(x), k) at {m} points: Taylor mode vs nested autograd "
        "(target at k=4: speed-up >= 10)",
        ["order k", "dfdx.ad.derivative", "nested autograd", "speed-up"],
        rows,
    )


def _logsumexp(n: int, ag) -> None:
    import scipy.special as sc

    rng = np.random.default_rng(2)
    x = rng.standard_normal((n // 100, 100))

    def f(x):
        return np.sum(sc.logsumexp(x, axis=1))

    t_f = median_time(lambda: f(x), repeat=5)
    t_g = median_time(lambda: ad.grad(f)(x), repeat=5)
    rows = [["dfdx.ad", fmt_time(t_f), fmt_time(t_g), t_g / t_f]]
    if ag is not None:
        import autograd.scipy.special as asc

        ga = ag.grad(lambda x: ag.numpy.sum(asc.logsumexp(x, axis=1)))
        t_a = median_time(lambda: ga(x), repeat=5)
        rows.append(["autograd", fmt_time(t_f), fmt_time(t_a), t_a / t_f])
    table(
        f"grad of sum(scipy.special.logsumexp(x, axis=1)), x of {n} entries",
        ["library", "time(f)", "time(grad)", "grad/f"],
        rows,
    )


def _built(sizes: tuple[int, ...], ag) -> None:
    rows = []
    for n in sizes:
        x = np.linspace(0.1, 1.0, n)

        def f_array(x, n=n):  # how ODE right-hand sides and vector functions are written
            return np.sum(np.array([x[i] * x[(i + 1) % n] for i in range(n)]) ** 2)

        def f_fill(x, n=n):
            d = np.zeros(n, dtype=object)
            for i in range(n):
                d[i] = x[i] * x[(i + 1) % n]
            return np.sum(d**2)

        def f_stack(x, n=n):
            return np.sum(np.stack([x[i] * x[(i + 1) % n] for i in range(n)]) ** 2)

        t_f = median_time(lambda f=f_array, x=x: f(x), repeat=3)
        t_a = median_time(lambda f=f_array, x=x: ad.grad(f)(x), repeat=3)
        t_o = median_time(lambda f=f_fill, x=x: ad.grad(f)(x), repeat=3)
        t_s = median_time(lambda f=f_stack, x=x: ad.grad(f)(x), repeat=3)
        t_j = median_time(lambda f=f_array, x=x: ad.jacobian(f, mode="forward")(x), repeat=3)
        t_ag = "-"
        if ag is not None:

            def fa(x, n=n, anp=ag.numpy):
                return anp.sum(anp.array([x[i] * x[(i + 1) % n] for i in range(n)]) ** 2)

            t_ag = fmt_time(median_time(lambda x=x: ag.grad(fa)(x), repeat=3))
        rows.append(
            [
                n,
                fmt_time(t_f),
                fmt_time(t_a),
                f"{(t_a - t_f) / n * 1e6:.2f}",
                fmt_time(t_o),
                fmt_time(t_s),
                fmt_time(t_j),
                t_ag,
            ]
        )
    table(
        "arrays built from n traced scalars: grad of sum(np.array([x[i]*x[i+1] ...])**2) "
        "(per element: (grad - f) / n)",
        [
            "n",
            "f (NumPy)",
            "grad np.array",
            "us/element",
            "grad dtype=object fill",
            "grad np.stack",
            "forward jacobian",
            "autograd grad",
        ],
        rows,
    )


def run(quick: bool = False) -> None:
    ag = optional("autograd")
    mg = optional("mygrad")
    torch = optional("torch")
    jax = optional("jax")
    _tiny(ag, mg, torch, jax)
    _rosen(10**5 if quick else 10**6, ag, mg)
    _dense(200 if quick else 1000, ag)
    _taylor(10**4 if quick else 10**5, (1, 2, 4) if quick else (1, 2, 3, 4, 6, 8), ag)
    _logsumexp(10**4 if quick else 10**6, ag)
    _built((3, 30, 300) if quick else (3, 10, 100, 1000), ag)
