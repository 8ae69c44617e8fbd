"""Sparse numerical Jacobians: one adaptive directional derivative per column color."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp

from dfdx._core.coloring import as_pattern, color_columns, compress_seed, positions
from dfdx._core.result import DerivativeResult, Status
from dfdx.numeric._derivative import summarise
from dfdx.numeric._multiapi import goal
from dfdx.numeric._multivariate import along, point_array
from dfdx.numeric._tolerance import meet_tolerance
from dfdx.numeric._validate import Options

__all__ = ["sparse_jacobian"]


def sparse_jacobian(
    f: Callable,
    x: Any,
    sparsity: Any,
    *,
    opt: Options,
    step: Any,
    args: tuple,
    vectorized: bool,
    workers: Any,
    atol: Any = None,
) -> DerivativeResult:
    """Jacobian entries on the pattern ``sparsity``, one direction per column color.

    Columns of one color share no row, so the derivative of ``f`` along the
    sum of their unit vectors gives each of their entries; the number of
    directions (and of evaluations) grows with the number of colors, not with
    ``x.size``.  Each direction is refined adaptively, and every entry carries
    the error estimate, status and counts of its direction at its output.  One
    more direction with no zero entry checks the pattern: in a row where
    ``J @ v`` and the derivative along ``v`` differ by more than their error
    estimates (a nonzero missing from ``sparsity``), every entry is flagged
    ``NOT_CONVERGED``.
    """
    xa = point_array(x)
    if xa.ndim != 1:
        raise ValueError(
            f"`sparsity` takes one point `x` of shape (m,), got shape {xa.shape}; "
            "for a batch of points call jacobian once per point"
        )
    n = xa.size
    S = as_pattern(sparsity)
    colors, k = color_columns(S)
    if S.shape[1] != n:
        raise ValueError(f"`sparsity` must have {n} columns (x.size), got shape {S.shape}")
    seed = compress_seed(colors, max(k, 1))
    rng = np.random.default_rng(20240601)
    probe = rng.uniform(1.0, 2.0, n) * rng.choice([-1.0, 1.0], n)
    V = np.concatenate([seed, probe[None] / np.sqrt(n)])  # the last direction checks the pattern
    A = along(f, xa, V, n=1, opt=opt, step=step, args=args, vectorized=vectorized, workers=workers)
    # one point: arrays (directions, outputs)
    df, err, st, nfev, nit = (a[:, 0, :] for a in (A.df, A.error, A.status, A.nfev, A.nit))
    m = df.shape[1]
    if S.shape[0] != m:
        raise ValueError(
            f"`sparsity` must have {m} rows (the size of one output of f), got shape {S.shape}"
        )
    pos = positions(S, colors)
    values = np.ravel(df)[pos]
    errors = np.ravel(err)[pos]
    J = sp.csr_array((values, S.indices, S.indptr), shape=S.shape)
    status = np.ravel(st)[pos].copy()
    # a nonzero outside the pattern shows as J @ v differing from the derivative along v
    v = V[-1]
    bound = sp.csr_array((errors, S.indices, S.indptr), shape=S.shape) @ np.abs(v)
    gap = np.abs(J @ v - df[-1]) > 4 * (bound + err[-1]) + 1e3 * np.finfo(float).eps * (
        abs(J) @ np.abs(v) + np.abs(df[-1])
    )
    status[(gap[np.repeat(np.arange(m), np.diff(S.indptr))]) & (status >= 0)] = Status.NOT_CONVERGED
    real = np.float32 if xa.real.dtype == np.float32 else np.float64
    with np.errstate(all="ignore"):  # success per entry, as in derivative
        meet_tolerance(values, errors, status, *goal(opt, atol, real, 1))
    message = summarise(status, opt.method)
    if A.note:
        message += "; " + A.note
    return DerivativeResult(
        df=values,
        error=errors,
        status=status,
        nfev=np.ravel(nfev)[pos],
        nit=np.ravel(nit)[pos],
        method=opt.method,
        message=message,
        params={
            "method": opt.method,
            "order": opt.order,
            "step": step,
            "jacobian": J,
            "sparsity": S,
            "colors": colors,
            "ncolors": k,
            "out_shape": A.qshape,
        },
    )
