"""A cross-check of the complex step against one central difference.

The complex step ``Im f(x + i h u) / h`` is exact for code that carries the
imaginary part through; code that drops it on the way (``abs``,
``np.real``, ``float()``, comparisons that pick a branch) returns a wrong
derivative that looks perfect.  One central difference per direction and
point, at a step ``eps**(1/3)`` times the point's scale, must agree with it
to about ``1e-3`` relative (its own truncation and rounding are far below
that for any function a step of that size resolves); where it does not, the
entries built on that point and output are flagged.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["complex_step_disagrees"]

_RTOL = 1e-3  # agreement required between the complex step and the difference
_ROUND = 1e3  # rounding allowance of the difference, in units of eps |f| / s


def complex_step_disagrees(
    cols: Callable, Xg: np.ndarray, U: np.ndarray, eps: float
) -> tuple[np.ndarray, int]:
    """Outputs whose complex-step derivative along a row of ``U`` fails the check.

    ``cols(X)`` evaluates ``f`` on the columns of ``X`` and returns values
    ``(K, Q)``; ``Xg`` holds the points ``(m, P)``.  Returns a boolean array
    ``(P, Q)`` (True: some direction disagrees at that point and output)
    and the number of evaluations spent per direction (3).
    """
    m, P = Xg.shape
    r = U.shape[0]
    scale = np.maximum(np.abs(Xg).max(axis=0), 1.0)  # (P,)
    h = 1e-20 * scale
    s = eps ** (1 / 3) * scale
    # columns: for each direction, the complex step, x + s u and x - s u
    shift = np.stack([1j * h, s + 0j, -s + 0j])  # (3, P)
    X = Xg[:, None, None, :] + U.T[:, :, None, None] * shift[None, None]  # (m, r, 3, P)
    vals, _ = cols(X.reshape(m, -1).astype(np.result_type(Xg, 1j)))  # failures: NaN
    V = vals.reshape(r, 3, P, -1)  # (r, 3, P, Q)
    cs = V[:, 0].imag / h[:, None]
    fp, fm = V[:, 1].real, V[:, 2].real
    cd = (fp - fm) / (2 * s[:, None])
    size = np.maximum(np.abs(fp), np.abs(fm))
    tol = _RTOL * np.maximum(np.abs(cs), np.abs(cd)) + _ROUND * eps * size / s[:, None]
    with np.errstate(invalid="ignore"):
        bad = np.abs(cs - cd) > tol  # NaN (a failed evaluation) does not count
    return bad.any(axis=0), 3
