"""Held-out idioms written the way SciPy users write them, exact in both modes.

Each gradient is compared with its analytic formula (written independently with
plain NumPy/SciPy) at 1e-12, in forward and reverse mode.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.signal
import scipy.stats

from dfdx import ad

RNG = np.random.default_rng(3)
T = np.sort(RNG.uniform(0, 5, 12))
Y = np.sin(T) + 0.1 * RNG.normal(size=12)


def _kernel(theta):
    amp, length, noise = np.exp(theta)
    d = T[:, None] - T[None, :]
    return amp * np.exp(-0.5 * d**2 / length**2) + noise * np.eye(T.size)


def gp_log_marginal_likelihood(theta):
    """A Gaussian-process log marginal likelihood through cho_factor/cho_solve."""
    k = _kernel(theta)
    c, low = scipy.linalg.cho_factor(k, lower=True)
    alpha = scipy.linalg.cho_solve((c, low), Y)
    return -0.5 * Y @ alpha - np.sum(np.log(np.diag(c))) - 0.5 * T.size * np.log(2 * np.pi)


def _gp_grad(theta):
    amp, length, noise = np.exp(theta)
    d = T[:, None] - T[None, :]
    base = np.exp(-0.5 * d**2 / length**2)
    dk = [amp * base, amp * base * d**2 / length**2, noise * np.eye(T.size)]
    kinv = np.linalg.inv(_kernel(theta))
    alpha = kinv @ Y
    return np.array([0.5 * np.trace((np.outer(alpha, alpha) - kinv) @ m) for m in dk])


def _both_modes(f, x):
    rev = ad.grad(f)(x)
    fwd = np.array([ad.jvp(f, (x,), (e,))[1] for e in np.eye(x.size)])
    return rev, fwd


def test_gaussian_process_likelihood():
    theta = np.array([0.2, -0.3, -2.0])
    rev, fwd = _both_modes(gp_log_marginal_likelihood, theta)
    ref = _gp_grad(theta)
    np.testing.assert_allclose(rev, ref, rtol=1e-12)
    np.testing.assert_allclose(fwd, rev, rtol=1e-14)


X = np.column_stack([np.ones(20), RNG.normal(size=20)])
COUNTS = RNG.poisson(3.0, size=20)


def poisson_regression(beta):
    return np.sum(scipy.stats.poisson.logpmf(COUNTS, np.exp(X @ beta)))


def test_poisson_regression_likelihood():
    beta = np.array([0.9, 0.2])
    rev, fwd = _both_modes(poisson_regression, beta)
    ref = X.T @ (COUNTS - np.exp(X @ beta))
    np.testing.assert_allclose(rev, ref, rtol=1e-12)
    np.testing.assert_allclose(fwd, rev, rtol=1e-14)


DATA = RNG.standard_t(4, size=30) * 1.5 + 0.3


def student_t_negloglik(p):
    """Location, log-scale and degrees of freedom of a frozen t distribution."""
    return -np.sum(scipy.stats.t(p[2], loc=p[0], scale=np.exp(p[1])).logpdf(DATA))


def test_student_t_likelihood():
    from scipy.special import digamma

    p = np.array([0.2, 0.3, 4.5])
    rev, fwd = _both_modes(student_t_negloglik, p)
    mu, s, nu = p[0], np.exp(p[1]), p[2]
    z = (DATA - mu) / s
    w = (nu + 1) / (nu + z**2)
    ref = -np.array(
        [
            np.sum(w * z / s),
            np.sum(w * z**2 - 1),
            np.sum(
                0.5 * (digamma((nu + 1) / 2) - digamma(nu / 2))
                - 0.5 / nu
                - 0.5 * np.log1p(z**2 / nu)
                + 0.5 * (nu + 1) * z**2 / (nu**2 + nu * z**2)
            ),
        ]
    )
    np.testing.assert_allclose(rev, ref, rtol=1e-12)
    np.testing.assert_allclose(fwd, rev, rtol=1e-14)


def test_spectral_smoothness_penalty():
    """A penalty on the high frequencies of a signal (rfft) plus a convolution fit."""
    kernel = np.array([0.25, 0.5, 0.25])
    target = RNG.normal(size=16)
    weights = np.arange(9.0) ** 2

    def loss(x):
        spec = np.fft.rfft(x)
        fit = scipy.signal.convolve(x, kernel, mode="same") - target
        return np.sum(weights * np.abs(spec) ** 2) / 16 + np.sum(fit**2)

    x = RNG.normal(size=16)
    rev, fwd = _both_modes(loss, x)
    n = 16
    f = np.fft.fft(np.eye(n))[: n // 2 + 1]  # rows of the DFT matrix kept by rfft
    quad = (f.conj().T * weights) @ f / 16
    conv = np.stack([np.convolve(e, kernel, mode="same") for e in np.eye(n)], axis=1)
    ref = 2 * np.real(quad) @ x + 2 * conv.T @ (conv @ x - target)
    np.testing.assert_allclose(rev, ref, rtol=1e-12)
    np.testing.assert_allclose(fwd, rev, rtol=1e-14)
