"""A derivative of noisy, irregular samples with its error band (dfdx.noisy.diff)."""

import numpy as np

import dfdx.plot
from dfdx import noisy

rng = np.random.default_rng(1)
x = np.sort(rng.uniform(0, 6, 300))
y = np.sin(x) + rng.normal(0, 0.02, x.size)
r = noisy.diff(y, x)
fig = dfdx.plot.derivative(r, x, y, reference=np.cos(x), title=f"method={r.method}")
