"""Observed convergence order of dfdx.grid.diff on uniform and non-uniform grids."""

import matplotlib.pyplot as plt
import numpy as np

from dfdx import grid

sizes = np.array([16, 32, 64, 128, 256, 512, 1024])
rng = np.random.default_rng(0)
fig, ax = plt.subplots()
for acc, color in ((2, "C0"), (4, "C1"), (6, "C2")):
    for uniform, style in ((True, "-o"), (False, "--s")):
        errors = []
        for n in sizes:
            x = np.linspace(0, 2, n)
            if not uniform:  # jitter the interior points by up to 30 % of a cell
                x[1:-1] += rng.uniform(-0.3, 0.3, n - 2) * (x[1] - x[0])
            errors.append(np.max(abs(grid.diff(np.sin(3 * x), x, acc=acc) - 3 * np.cos(3 * x))))
        above = np.array(errors) > 1e-11  # the fit leaves out the rounding floor
        slope = -np.polyfit(np.log(sizes[above]), np.log(np.array(errors)[above]), 1)[0]
        kind = "uniform" if uniform else "non-uniform"
        ax.loglog(sizes, errors, style, color=color, label=f"acc={acc}, {kind}: order {slope:.1f}")
ax.set(xlabel="points", ylabel="max error of d/dx sin(3x)")
ax.set_title("grid.diff keeps its order, edges included")
ax.legend(fontsize="small")
