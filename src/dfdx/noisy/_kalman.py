"""Kalman (Rauch-Tung-Striebel) smoothing with an integrated random-walk model.

The signal is modelled as an ``order``-times integrated Wiener process
(``order=2``: constant acceleration with white jerk), observed with white
noise.  The ratio ``lam`` of measurement to process variance is chosen by
maximising the marginal likelihood of the data (the measurement variance is
profiled out, so both noise variances are maximum-likelihood estimates).  The
derivative of order ``n <= order`` is a smoothed state, and ``error`` is its
posterior standard deviation.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx._core.validate import check_int
from dfdx.noisy._penalised import run
from dfdx.noisy._statespace import build

__all__ = ["kalman"]


def kalman(
    y2: np.ndarray,
    x: np.ndarray,
    n: int,
    *,
    order: Any = None,
    lam: Any = None,
    bin: Any = None,
    noise_std: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """RTS smoother; parameters: ``order`` (default ``max(2, n)``), ``lam``, ``bin``."""
    order = max(2, n) if order is None else check_int(order, "order", minimum=1)
    if n > order:
        raise ValueError(f"`n` = {n} needs `order` >= {n} for method 'kalman', got {order}")
    if x.size < order + 2:
        raise ValueError(
            f"`y` must have at least {order + 2} samples along `axis` for method "
            f"'kalman' with order {order}, got {x.size}"
        )

    def make(xb: np.ndarray, w: np.ndarray) -> Any:
        return build(xb, order, w)

    smooth, deriv, error, params = run(
        make, y2, x, n, lam=lam, bin=bin, noise_std=noise_std, min_size=order + 2
    )
    return smooth, deriv, error, {"order": order, **params}
