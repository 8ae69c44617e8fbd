"""Public first-derivative functions of several variables: jacobian, gradient, directional."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dfdx._core.result import DerivativeResult
from dfdx.numeric._multivariate import along, document, parse, point_array, result, size_of
from dfdx.numeric._sparse import sparse_jacobian

__all__ = ["directional", "gradient", "jacobian"]


@document
def jacobian(
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
    sparsity: Any = None,
) -> DerivativeResult:
    """Jacobian of ``f: R^m -> R^k`` at one point.

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)``; see the calling contract below.
    x : array_like, shape (m,)
        The point.
    {params}
    sparsity : array_like or scipy.sparse matrix, optional
        Structural nonzeros of the Jacobian, shape ``(k, m)`` (outputs
        flattened); columns sharing no row are differentiated together (one
        direction per color of a column coloring), so the evaluations grow
        with the number of colors, not with m.  See the Returns section.

    Returns
    -------
    DerivativeResult
        ``df`` of shape ``(*out, m)`` (``out`` the shape of one output of
        ``f``), ``error``, ``status`` (per entry), ``nfev``, ``nit``.  With
        ``sparsity``: ``df``, ``error``, ``status``, ``nfev`` and ``nit`` hold one
        value per structural nonzero, in the order of the CSR pattern
        ``params["sparsity"]``; ``params["jacobian"]`` is the Jacobian as a
        ``scipy.sparse.csr_array`` and ``params["ncolors"]`` the number of directions.

    Notes
    -----
    {contract}

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.numeric import jacobian
    >>> def f(x):  # R^2 -> R^3; x has shape (2, K)
    ...     return np.stack([x[0] * x[1], np.sin(x[0]), x[1] ** 2])
    >>> res = jacobian(f, [1.0, 2.0])
    >>> res.df.shape
    (3, 2)
    >>> bool(np.allclose(res.df, [[2, 1], [np.cos(1), 0], [0, 4]], rtol=1e-12, atol=1e-14))
    True

    A tridiagonal Jacobian from three directions, whatever the size:

    >>> import scipy.sparse as sp
    >>> def g(u):  # u has shape (50, K)
    ...     return np.concatenate([u[:1], u[2:] - 2 * u[1:-1] + u[:-2], u[-1:]]) + np.sin(u)
    >>> S = sp.diags_array([1.0, 1.0, 1.0], offsets=[-1, 0, 1], shape=(50, 50))
    >>> res = jacobian(g, np.zeros(50), sparsity=S)
    >>> res.params["ncolors"], res.params["jacobian"].shape, bool(res.success.all())
    (3, (50, 50), True)
    >>> round(float(res.params["jacobian"][10, 10]), 9)
    -1.0
    """
    opt = parse(1, method, order, step, rtol, atol, maxiter, kwargs, vectorized)
    if sparsity is not None:
        return sparse_jacobian(
            f, x, sparsity, opt=opt, step=step, args=args, vectorized=vectorized, workers=workers
        )
    V = np.eye(point_array(x).size)
    df, err, st, nfev, nit, qshape = along(
        f, x, V, n=1, opt=opt, step=step, args=args, vectorized=vectorized, workers=workers
    )
    shape = (*qshape, V.shape[0])
    q = df.shape[1]
    bcast = np.broadcast_to
    return result(
        df.T.reshape(shape),
        err.T.reshape(shape),
        bcast(st, (q, V.shape[0])).reshape(shape),
        bcast(nfev, (q, V.shape[0])).reshape(shape),
        bcast(nit, (q, V.shape[0])).reshape(shape),
        opt.method,
        {"method": opt.method, "order": opt.order, "step": step},
    )


@document
def gradient(
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
    """Gradient of a scalar function ``f: R^m -> R`` at one point.

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)``; see the calling contract below.
    x : array_like, shape (m,)
        The point.
    {params}

    Returns
    -------
    DerivativeResult
        ``df`` of shape ``(m,)`` with ``error``, ``status``, ``nfev`` and
        ``nit`` per component.

    Raises
    ------
    ValueError
        If ``f`` does not return one value per point.

    Notes
    -----
    {contract}

    Examples
    --------
    The batch of points arrives as the columns of ``x``:

    >>> import numpy as np
    >>> from dfdx.numeric import gradient
    >>> def f(x):  # x has shape (3, K): K points of R^3
    ...     return x[0] ** 2 + np.sin(x[1]) * x[2]
    >>> res = gradient(f, [1.0, 0.0, 2.0])
    >>> res.df.round(12).tolist()
    [2.0, 2.0, 0.0]
    >>> int(res.nfev.max()) < 20
    True
    """
    res = jacobian(
        f,
        x,
        method=method,
        order=order,
        step=step,
        rtol=rtol,
        atol=atol,
        args=args,
        kwargs=kwargs,
        vectorized=vectorized,
        maxiter=maxiter,
        workers=workers,
    )
    if res.df.ndim != 1:
        raise ValueError(
            f"`f` must return one value per point for gradient(), got outputs of shape "
            f"{res.df.shape[:-1]}; use jacobian() for vector-valued functions"
        )
    return res


@document
def directional(
    f: Callable,
    x: Any,
    v: Any,
    *,
    n: int = 1,
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
    """Directional derivative ``d^n/dt^n f(x + t v)`` at ``t = 0``.

    ``v`` is not normalised: for ``n=1`` the result is ``grad f(x) . v``.

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)``; see the calling contract below.  Vector
        outputs give one value per output.
    x : array_like, shape (m,)
        The point.
    v : array_like, shape (m,)
        The direction (not all zero).
    n : int, optional
        Derivative order (default 1).
    {params}

    Returns
    -------
    DerivativeResult
        ``df`` of the shape of one output of ``f`` (a 0-d array for scalar f).

    Notes
    -----
    {contract}

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.numeric import directional
    >>> res = directional(lambda x: x[0] * x[1], [1.0, 2.0], [1.0, 1.0])
    >>> round(float(res.df), 12)
    3.0
    """
    opt = parse(n, method, order, step, rtol, atol, maxiter, kwargs, vectorized)
    m = size_of(x)
    va = np.asarray(v, dtype=np.float64)
    if va.shape != (m,):
        raise ValueError(f"`v` must have the shape of `x`, ({m},), got {va.shape}")
    if not (np.all(np.isfinite(va)) and np.any(va != 0)):
        raise ValueError("`v` must be finite and not all zero")
    df, err, st, nfev, nit, qshape = along(
        f,
        x,
        va[None].copy(),
        n=opt.n,
        opt=opt,
        step=step,
        args=args,
        vectorized=vectorized,
        workers=workers,
    )
    return result(
        df[0].reshape(qshape),
        err[0].reshape(qshape),
        np.broadcast_to(st[0], qshape),
        np.broadcast_to(nfev[0], qshape),
        np.broadcast_to(nit[0], qshape),
        opt.method,
        {"method": opt.method, "n": opt.n, "order": opt.order, "step": step},
    )
