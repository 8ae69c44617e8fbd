"""Public second-derivative functions of several variables: hessian, hessdiag."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dfdx._core.result import DerivativeResult
from dfdx.numeric._multivariate import (
    along,
    combine_status,
    document,
    no_complex,
    parse,
    require_scalar,
    result,
    size_of,
)

__all__ = ["hessdiag", "hessian"]


@document
def hessdiag(
    f: Callable,
    x: Any,
    *,
    method: str = "auto",
    order: int | None = None,
    step: Any = None,
    rtol: float | None = None,
    atol: float | None = None,
    args: tuple = (),
    kwargs: dict | None = None,
    vectorized: bool = True,
    maxiter: int | None = None,
    workers: Any = None,
) -> DerivativeResult:
    """Diagonal of the Hessian of ``f: R^m -> R``: ``d^2 f / dx_i^2``.

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)``, scalar; see the calling contract below.
    x : array_like, shape (m,)
        The point.
    {params}

    Returns
    -------
    DerivativeResult
        ``df`` of shape ``(m,)``.

    Notes
    -----
    {contract}

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.numeric import hessdiag
    >>> res = hessdiag(lambda x: np.sum(x**3, axis=0), [1.0, 2.0])
    >>> res.df.round(9).tolist()
    [6.0, 12.0]
    """
    opt = parse(2, no_complex(method), order, step, rtol, atol, maxiter, kwargs, vectorized)
    m = size_of(x)
    df, err, st, nfev, nit, qshape = along(
        f,
        x,
        np.eye(m),
        n=2,
        opt=opt,
        step=step,
        args=args,
        vectorized=vectorized,
        workers=workers,
    )
    require_scalar(qshape, "hessdiag")
    return result(
        df[:, 0],
        err[:, 0],
        st,
        nfev,
        nit,
        opt.method,
        {"method": opt.method, "order": opt.order, "step": step},
    )


@document
def hessian(
    f: Callable,
    x: Any,
    *,
    method: str = "auto",
    order: int | None = None,
    step: Any = None,
    rtol: float | None = None,
    atol: float | None = None,
    args: tuple = (),
    kwargs: dict | None = None,
    vectorized: bool = True,
    maxiter: int | None = None,
    workers: Any = None,
) -> DerivativeResult:
    """Hessian of a scalar function ``f: R^m -> R`` at one point.

    Diagonal entries are second derivatives along ``e_i``; off-diagonal ones
    come from second derivatives along ``e_i + e_j`` and ``e_i - e_j``
    (``H_ij = (D_{i+j} - D_{i-j}) / 4``), all ``m**2`` directions refined
    together in a few calls of ``f`` with up to ``2 m**2`` columns each (for
    ``m = 100``, an input of 100 x 20000 floats per call; memory grows like
    ``m**3``, so for ``m`` in the several hundreds prefer an analytic or
    automatic gradient and :func:`jacobian` of it).

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)``, scalar; see the calling contract below.
    x : array_like, shape (m,)
        The point.
    {params}

    Returns
    -------
    DerivativeResult
        ``df`` of shape ``(m, m)``, symmetric, with per-entry ``error``,
        ``status``, ``nfev`` and ``nit``.

    Notes
    -----
    {contract}

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.numeric import hessian
    >>> def f(x):
    ...     return x[0] ** 2 * x[1] + np.exp(x[1])
    >>> res = hessian(f, [1.0, 0.0])
    >>> res.df.round(9).tolist()
    [[0.0, 2.0], [2.0, 1.0]]
    """
    opt = parse(2, no_complex(method), order, step, rtol, atol, maxiter, kwargs, vectorized)
    m = size_of(x)
    iu, ju = np.triu_indices(m, 1)
    p = iu.size
    V = np.zeros((m + 2 * p, m))
    V[np.arange(m), np.arange(m)] = 1.0
    rows = np.arange(p)
    V[m + rows, iu] = 1.0
    V[m + rows, ju] = 1.0
    V[m + p + rows, iu] = 1.0
    V[m + p + rows, ju] = -1.0
    df, err, st, nfev, nit, qshape = along(
        f, x, V, n=2, opt=opt, step=step, args=args, vectorized=vectorized, workers=workers
    )
    require_scalar(qshape, "hessian")
    df, err = df[:, 0], err[:, 0]
    H = np.empty((m, m), dtype=df.dtype)
    E = np.empty((m, m))
    S = np.empty((m, m), dtype=np.int8)
    F = np.empty((m, m), dtype=np.intp)
    K = np.empty((m, m), dtype=np.intp)
    d = np.arange(m)
    H[d, d], E[d, d], S[d, d], F[d, d], K[d, d] = df[:m], err[:m], st[:m], nfev[:m], nit[:m]
    plus, minus = slice(m, m + p), slice(m + p, None)
    off = (df[plus] - df[minus]) / 4
    eoff = (err[plus] + err[minus]) / 4
    soff = combine_status(st[plus], st[minus])
    foff = nfev[plus] + nfev[minus]
    koff = np.maximum(nit[plus], nit[minus])
    for A, v in ((H, off), (E, eoff), (S, soff), (F, foff), (K, koff)):
        A[iu, ju] = v
        A[ju, iu] = v
    return result(
        H, E, S, F, K, opt.method, {"method": opt.method, "order": opt.order, "step": step}
    )
