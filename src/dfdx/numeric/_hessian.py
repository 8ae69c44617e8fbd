"""Public second-derivative functions of several variables: hessian, hessdiag."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dfdx._core.result import DerivativeResult
from dfdx.numeric._multiapi import combine_status, document, package, parse, size_of
from dfdx.numeric._multivariate import Along, along

__all__ = ["hessdiag", "hessian"]


@document
def hessdiag(
    f: Callable,
    x: Any,
    *,
    method: str = "auto",
    order: int | None = None,
    step: Any = None,
    scale: Any = None,
    rtol: float | None = None,
    atol: float | None = None,
    args: tuple = (),
    kwargs: dict | None = None,
    vectorized: bool | None = None,
    maxiter: int | None = None,
    workers: Any = None,
) -> DerivativeResult:
    """Diagonal of the Hessian of ``f: R^m -> R``: ``d^2 f / dx_i^2``.

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)``, scalar; see the calling contract below.
    x : array_like, shape (m,) or (m, ...)
        One point, or points with the variables along the first axis
        (SciPy's convention); float32 gives float32 results.
    {params}

    Returns
    -------
    DerivativeResult
        ``df`` of shape ``(*out, m, ...)`` (``out`` the shape of one output
        of ``f``, empty for a scalar f; ``...`` the shape of the points).

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
    >>> res = hessdiag(lambda x: np.sum(x**3, axis=0), [1.0, 2.0], method="complex")
    >>> res.df.round(12).tolist()
    [6.0, 12.0]
    """
    opt = _options(method, order, step, rtol, atol, maxiter, kwargs, vectorized, scale)
    m = size_of(x)
    eye = np.eye(m)
    A = _along(f, x, eye, eye, opt, step, args, vectorized, workers)
    arrays = (A.df, A.error, A.status, A.nfev, A.nit)
    params = {"method": opt.method, "order": opt.order, "step": step}
    return package(A, arrays, (m,), x, opt, params, atol=atol, n=2)


@document
def hessian(
    f: Callable,
    x: Any,
    *,
    method: str = "auto",
    order: int | None = None,
    step: Any = None,
    scale: Any = None,
    rtol: float | None = None,
    atol: float | None = None,
    args: tuple = (),
    kwargs: dict | None = None,
    vectorized: bool | None = None,
    maxiter: int | None = None,
    workers: Any = None,
) -> DerivativeResult:
    """Hessian of ``f: R^m -> R`` (or ``R^k``) at one point or many.

    Diagonal entries are second derivatives along ``e_i``; off-diagonal ones
    come from second derivatives along ``e_i + e_j`` and ``e_i - e_j``
    (``H_ij = (D_{i+j} - D_{i-j}) / 4``), all ``m**2`` directions refined
    together in a few calls of ``f`` with up to ``2 m**2`` columns each (for
    ``m = 100``, an input of 100 x 20000 floats per call; memory grows like
    ``m**3``, so for ``m`` in the several hundreds prefer an analytic or
    automatic gradient and :func:`jacobian` of it).

    ``method='complex'`` differentiates complex-step first derivatives
    instead: ``H_ij`` is the adaptive central first derivative in ``t`` of
    ``Im f(x + t e_j + i h e_i) / h`` (``h`` about ``1e-20 |x|``, which is
    ``df/dx_i`` exact to rounding), one direction per ``i <= j``.  Second
    derivatives then come with the accuracy of first ones (about 1e-13
    relative instead of 1e-9 to 1e-10), for ``f`` analytic, real on the real
    axis and written to propagate complex numbers.

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)``, scalar; see the calling contract below.
    x : array_like, shape (m,) or (m, ...)
        One point, or points with the variables along the first axis
        (SciPy's convention); float32 gives float32 results.
    {params}

    Returns
    -------
    DerivativeResult
        ``df`` of shape ``(*out, m, m, ...)``, symmetric in its two ``m``
        axes (``out`` the shape of one output of ``f``, ``...`` that of the
        points), with per-entry ``error``,
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

    Many points at once (variables along the first axis), here with the
    complex step:

    >>> x = np.array([[1.0, 2.0, 3.0], [0.0, 0.5, 1.0]])  # three points of R^2
    >>> res = hessian(f, x, method="complex")
    >>> res.df.shape
    (2, 2, 3)
    >>> bool(np.allclose(res.df[0, 1], 2 * x[0], rtol=1e-13))
    True
    """
    opt = _options(method, order, step, rtol, atol, maxiter, kwargs, vectorized, scale)
    m = size_of(x)
    if opt.method == "complex":
        # H_ij = d/dt Im f(x + t e_j + i h e_i) / h, one direction per i <= j
        iu, ju = np.triu_indices(m)
        A = _along(f, x, np.eye(m)[ju], np.eye(m)[iu], opt, step, args, vectorized, workers)
        arrays = tuple(_symmetric(m, iu, ju, a) for a in (A.df, A.error, A.status, A.nfev, A.nit))
    else:
        A, arrays = _polarised(m, f, x, opt, step, args, vectorized, workers)
    params = {"method": opt.method, "order": opt.order, "step": step}
    return package(A, arrays, (m, m), x, opt, params, atol=atol, n=2)


def _options(method, order, step, rtol, atol, maxiter, kwargs, vectorized, scale):
    """Second derivatives: n=2 differences, or n=1 differences of a complex step."""
    n = 1 if method == "complex" else 2
    return parse(n, method, order, step, rtol, atol, maxiter, kwargs, vectorized, scale)


def _along(f, x, V, W, opt, step, args, vectorized, workers) -> Along:
    complex_step = opt.method == "complex"
    return along(
        f,
        x,
        V,
        n=1 if complex_step else 2,
        opt=opt,
        step=step,
        args=args,
        vectorized=vectorized,
        workers=workers,
        W=W if complex_step else None,
    )


def _symmetric(m: int, iu: np.ndarray, ju: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Entries ``(D, P, Q)`` of the upper triangle -> a symmetric ``(m, m, P, Q)``."""
    H = np.empty((m, m, *a.shape[1:]), dtype=a.dtype)
    H[iu, ju] = a
    H[ju, iu] = a
    return H


def _polarised(m, f, x, opt, step, args, vectorized, workers) -> tuple[Along, tuple]:
    """Diagonal along ``e_i``, off-diagonal from ``e_i + e_j`` and ``e_i - e_j``."""
    iu, ju = np.triu_indices(m, 1)
    p = iu.size
    V = np.zeros((m + 2 * p, m))
    V[np.arange(m), np.arange(m)] = 1.0
    rows = np.arange(p)
    V[m + rows, iu] = 1.0
    V[m + rows, ju] = 1.0
    V[m + p + rows, iu] = 1.0
    V[m + p + rows, ju] = -1.0
    A = _along(f, x, V, None, opt, step, args, vectorized, workers)
    plus, minus = slice(m, m + p), slice(m + p, None)
    off = (
        (A.df[plus] - A.df[minus]) / 4,
        (A.error[plus] + A.error[minus]) / 4,
        combine_status(A.status[plus], A.status[minus]),
        A.nfev[plus] + A.nfev[minus],
        np.maximum(A.nit[plus], A.nit[minus]),
    )
    out = []
    d = np.arange(m)
    for a, o in zip((A.df, A.error, A.status, A.nfev, A.nit), off, strict=True):
        H = _symmetric(m, iu, ju, o) if p else np.empty((m, m, *a.shape[1:]), dtype=a.dtype)
        H[d, d] = a[:m]
        out.append(H)
    return A, tuple(out)
