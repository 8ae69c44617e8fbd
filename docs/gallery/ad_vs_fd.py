"""Automatic differentiation against finite differences: error along x."""

import matplotlib.pyplot as plt
import numpy as np

from dfdx import ad, numeric


def f(x):
    return np.exp(np.sin(x)) / (1 + x**2)


def exact(x):
    return f(x) * (np.cos(x) - 2 * x / (1 + x**2))


x = np.linspace(-4, 4, 401)
h = 1e-6
curves = {
    "dfdx.ad.derivative (exact)": ad.derivative(f)(x),
    "dfdx.numeric.derivative": numeric.derivative(f, x).df,
    "central difference, h=1e-6": (f(x + h) - f(x - h)) / (2 * h),
    "np.gradient on the 401 points": np.gradient(f(x), x),
}
fig, ax = plt.subplots()
for label, d in curves.items():
    ax.semilogy(x, np.maximum(abs(d - exact(x)), 1e-18), label=label)
ax.set(xlabel="x", ylabel="absolute error of f'(x)", ylim=(1e-18, 1))
ax.set_title("f(x) = exp(sin x) / (1 + x^2)")
ax.legend(fontsize="small", loc="upper right")
