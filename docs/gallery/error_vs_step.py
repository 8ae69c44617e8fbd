"""The difference quotient against dfdx.numeric.derivative: error against step size."""

import matplotlib.pyplot as plt
import numpy as np

from dfdx import numeric

x0, exact = 1.0, np.exp(1.0)
h = np.logspace(-16, 0, 161)
forward = abs((np.exp(x0 + h) - np.exp(x0)) / h - exact) / exact
central = abs((np.exp(x0 + h) - np.exp(x0 - h)) / (2 * h) - exact) / exact
r = numeric.derivative(np.exp, x0)

fig, ax = plt.subplots()
ax.loglog(h, np.maximum(forward, 1e-17), label="(f(x+h) - f(x)) / h")
ax.loglog(h, np.maximum(central, 1e-17), label="(f(x+h) - f(x-h)) / 2h")
ax.axhline(max(abs(r.df - exact) / exact, 1e-17), color="k", label="dfdx.numeric.derivative")
ax.axhline(r.error / exact, color="k", ls="--", label="its error estimate")
ax.set(xlabel="step h", ylabel="relative error of f'(1), f = exp", ylim=(1e-17, 10))
ax.set_title(f"no step to choose: {int(r.nfev)} evaluations")
ax.legend(fontsize="small")
