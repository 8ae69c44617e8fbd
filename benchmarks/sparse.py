"""Sparse Jacobians and Hessians: dfdx.ad against one evaluation and against SciPy's coloring.

1. 1-D reaction-diffusion right-hand side (tridiagonal Jacobian): the sparse AD
   Jacobian with pattern detection and coloring, the reusable object per new
   point, and ``scipy.optimize._numdiff.approx_derivative(f, x, sparsity=S)``
   with the pattern given, as ratios to one evaluation of f.
2. Chained Rosenbrock: the sparse AD Hessian (pattern, coloring, products)
   as a ratio to one gradient.
3. 2-D Brusselator with ``solve_ivp(method="BDF")``: the analytic Jacobian,
   the reusable sparse AD Jacobian, and SciPy's own finite differences with
   ``jac_sparsity``; solutions and step counts side by side.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
from scipy.integrate import solve_ivp
from scipy.optimize._numdiff import approx_derivative, group_columns

from benchmarks._harness import median_time, table
from dfdx import ad


def reaction_diffusion(u: np.ndarray) -> np.ndarray:
    """u_t = D u_xx + u (1 - u) on [0, 1], zero-flux ends, second differences."""
    h = 1.0 / (u.shape[0] - 1)
    lap = np.concatenate(
        [2 * (u[1:2] - u[:1]), u[2:] - 2 * u[1:-1] + u[:-2], 2 * (u[-2:-1] - u[-1:])]
    )
    return 0.1 * lap / h**2 + u * (1 - u)


def rosenbrock(x: np.ndarray) -> np.ndarray:
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def _laplacian_1d(n: int) -> sp.csr_array:
    main = np.full(n, -2.0)
    lap = sp.diags_array([np.ones(n - 1), main, np.ones(n - 1)], offsets=[-1, 0, 1]).tolil()
    lap[0, 1] = lap[-1, -2] = 2.0
    return lap.tocsr()


def brusselator(N: int, alpha: float = 0.02):
    """Right-hand side and analytic Jacobian of the 2-D Brusselator on an N x N grid."""
    h2 = (1.0 / (N - 1)) ** 2
    eye = sp.eye_array(N)
    lap = sp.csr_array(sp.kron(_laplacian_1d(N), eye) + sp.kron(eye, _laplacian_1d(N))) * (
        alpha / h2
    )

    def lap2(w):
        w = np.reshape(w, (N, N))
        wx = np.concatenate(
            [2 * (w[1:2] - w[:1]), w[2:] - 2 * w[1:-1] + w[:-2], 2 * (w[-2:-1] - w[-1:])], axis=0
        )
        wy = np.concatenate(
            [
                2 * (w[:, 1:2] - w[:, :1]),
                w[:, 2:] - 2 * w[:, 1:-1] + w[:, :-2],
                2 * (w[:, -2:-1] - w[:, -1:]),
            ],
            axis=1,
        )
        return np.reshape(wx + wy, (N * N,)) * (alpha / h2)

    def rhs(t, y):
        u, v = y[: N * N], y[N * N :]
        uuv = u * u * v
        return np.concatenate([1.0 + uuv - 4.4 * u + lap2(u), 3.4 * u - uuv + lap2(v)])

    def jac(t, y):
        u, v = y[: N * N], y[N * N :]
        duu = sp.diags_array(2 * u * v - 4.4)
        duv = sp.diags_array(u * u)
        dvu = sp.diags_array(3.4 - 2 * u * v)
        dvv = sp.diags_array(-u * u)
        return sp.csc_array(sp.block_array([[lap + duu, duv], [dvu, lap + dvv]]))

    x = np.linspace(0, 1, N)
    X, Y = np.meshgrid(x, x, indexing="ij")
    y0 = np.concatenate([(0.5 + Y).ravel(), (1 + 5 * X).ravel()])
    return rhs, jac, y0


def _rd(quick: bool) -> None:
    rows = []
    for n in (10**4,) if quick else (10**4, 10**5):
        rng = np.random.default_rng(0)
        u = rng.random(n)
        t_f = median_time(lambda u=u: reaction_diffusion(u))
        t_ad = median_time(lambda u=u: ad.sparse_jacobian(reaction_diffusion)(u), repeat=5)
        J = ad.SparseJacobian(reaction_diffusion, u)
        t_re = median_time(lambda u=u, J=J: J(u + 0.1), repeat=5)
        J0 = ad.SparseJacobian(reaction_diffusion, u, check=False)
        t_re0 = median_time(lambda u=u, J=J0: J(u + 0.1), repeat=5)
        S = J.sparsity
        t_sp = median_time(
            lambda u=u, S=S: approx_derivative(reaction_diffusion, u, sparsity=S), repeat=5
        )
        groups = group_columns(S)
        t_sp_re = median_time(
            lambda u=u, S=S, groups=groups: approx_derivative(
                reaction_diffusion, u, sparsity=(S, groups)
            ),
            repeat=5,
        )
        t_pat = median_time(lambda u=u: ad.jacobian_sparsity(reaction_diffusion)(u), repeat=5)
        exact = sp.csr_array(_laplacian_1d(n) * (0.1 * (n - 1) ** 2)) + sp.diags_array(1 - 2 * u)
        err = abs(J(u) - exact).max() / abs(exact).max()
        rows.append(
            [
                n,
                J.ncolors,
                t_ad / t_f,
                t_pat / t_f,
                t_re / t_f,
                t_re0 / t_f,
                t_sp / t_f,
                t_sp_re / t_f,
                err,
            ]
        )
    table(
        "1-D reaction-diffusion Jacobian (times in units of one f evaluation; SciPy's "
        "approx_derivative with the pattern, and with its column groups computed once)",
        [
            "n",
            "colors",
            "sparse_jacobian",
            "  of it pattern",
            "SparseJacobian(x)",
            "  check=False",
            "scipy (pattern S)",
            "scipy (S, groups)",
            "rel. error",
        ],
        rows,
    )


def _rosenbrock(quick: bool) -> None:
    rows = []
    g = ad.grad(rosenbrock)
    for n in (10**4,) if quick else (10**4, 5 * 10**4):
        x = np.random.default_rng(1).random(n)
        t_g = median_time(lambda x=x: g(x), repeat=5)
        t_h = median_time(lambda x=x: ad.sparse_hessian(rosenbrock)(x), repeat=5)
        H = ad.SparseHessian(rosenbrock, x)
        t_re = median_time(lambda x=x, H=H: H(x), repeat=5)
        H0 = ad.SparseHessian(rosenbrock, x, check=False)
        t_re0 = median_time(lambda x=x, H=H0: H(x), repeat=5)
        d = np.zeros(n)
        d[:-1] += 1200 * x[:-1] ** 2 - 400 * x[1:] + 2
        d[1:] += 200
        off = -400 * x[:-1]
        exact = sp.csr_array(sp.diags_array([off, d, off], offsets=[-1, 0, 1]))
        err = abs(H(x) - exact).max() / abs(exact).max()
        rows.append([n, H.ncolors, t_h / t_g, t_re / t_g, t_re0 / t_g, err])
    table(
        "Chained Rosenbrock Hessian (times in units of one dfdx.ad gradient)",
        ["n", "colors", "sparse_hessian", "SparseHessian(x)", "  check=False", "rel. error"],
        rows,
    )


def _brusselator(quick: bool) -> None:
    N = 32 if quick else 128
    rhs, jac, y0 = brusselator(N)
    t_end = 1.0
    S = jac(0.0, y0) != 0
    J = ad.SparseJacobian(lambda y: rhs(0.0, y), y0)
    ad_jac = lambda t, y: sp.csc_array(J(y))  # noqa: E731
    runs = []
    for name, kw in (
        ("analytic jac", {"jac": jac}),
        ("dfdx.ad SparseJacobian", {"jac": ad_jac}),
        ("scipy FD, jac_sparsity", {"jac_sparsity": S}),
    ):
        t0 = time.perf_counter()
        sol = solve_ivp(rhs, (0, t_end), y0, method="BDF", rtol=1e-6, atol=1e-8, **kw)
        runs.append((name, time.perf_counter() - t0, sol))
    ref = runs[0][2].y[:, -1]
    groups = group_columns(S)  # as solve_ivp does once
    f0 = lambda y: rhs(0.0, y)  # noqa: E731
    per_call = [
        median_time(lambda: jac(0.0, y0), repeat=3),
        median_time(lambda: ad_jac(0.0, y0), repeat=3),
        median_time(lambda: approx_derivative(f0, y0, sparsity=(S, groups)), repeat=3),
    ]
    t_f = median_time(lambda: f0(y0), repeat=3)
    rows = [
        [
            name,
            dt,
            c / t_f,
            sol.t.size - 1,
            sol.nfev,
            sol.njev,
            sol.nlu,
            float(np.max(np.abs(sol.y[:, -1] - ref))),
        ]
        for (name, dt, sol), c in zip(runs, per_call, strict=True)
    ]
    table(
        f"2-D Brusselator {N}x{N} (n = {2 * N * N}), solve_ivp BDF to t = {t_end}; "
        f"sparse AD: {J.ncolors} colors (one jac call in units of one f call; the SciPy row "
        "times approx_derivative with the pattern and its column groups)",
        ["jac", "seconds", "one jac / f", "steps", "nfev", "njev", "nlu", "max |y - y_analytic|"],
        rows,
    )


def run(quick: bool = False) -> None:
    _rd(quick)
    _rosenbrock(quick)
    _brusselator(quick)
