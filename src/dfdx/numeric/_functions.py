"""Public first-derivative functions of several variables: jacobian, gradient, directional."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dfdx._core.result import DerivativeResult
from dfdx.numeric._multiapi import document, package, parse, size_of
from dfdx.numeric._multivariate import along
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
    scale: Any = None,
    rtol: float | None = None,
    atol: float | None = None,
    args: tuple = (),
    kwargs: dict | None = None,
    vectorized: bool | None = None,
    maxiter: int | None = None,
    workers: Any = None,
    sparsity: Any = None,
) -> DerivativeResult:
    """Jacobian of ``f: R^m -> R^k`` at one point or a batch of points.

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)``; see the calling contract below.
    x : array_like, shape (m,) or (m, ...)
        One point, or points with the variables along the first axis
        (SciPy's convention); float32 gives float32 results.
    {params}
    sparsity : array_like or scipy.sparse matrix, optional
        Structural nonzeros of the Jacobian, shape ``(k, m)`` (outputs
        flattened); columns sharing no row are differentiated together (one
        direction per color of a column coloring), so the evaluations grow
        with the number of colors, not with m.  See the Returns section.

    Returns
    -------
    DerivativeResult
        ``df`` of shape ``(*out, m, ...)`` (``...`` the shape of the points,
        ``out`` the shape of one output of
        ``f``), ``error``, ``status`` (per entry), ``nfev``, ``nit``.  With
        ``sparsity`` (one point): ``df``, ``error``, ``status``, ``nfev`` and
        ``nit`` hold one value per structural nonzero, in the order of the CSR
        pattern ``params["sparsity"]``; ``params["jacobian"]`` is the Jacobian
        as a ``scipy.sparse.csr_array`` and ``params["ncolors"]`` the number of
        directions.

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
    opt = parse(1, method, order, step, rtol, atol, maxiter, kwargs, vectorized, scale)
    if sparsity is not None:
        return sparse_jacobian(
            f,
            x,
            sparsity,
            opt=opt,
            step=step,
            args=args,
            vectorized=vectorized,
            workers=workers,
            atol=atol,
        )
    return _jacobian(f, x, opt, step, args, vectorized, workers, atol)


def _jacobian(f, x, opt, step, args, vectorized, workers, atol, name=None) -> DerivativeResult:
    m = size_of(x)
    A = along(
        f, x, np.eye(m), n=1, opt=opt, step=step, args=args, vectorized=vectorized, workers=workers
    )
    if name and A.qshape != ():
        raise ValueError(
            f"`f` must return one value per point for {name}(), got outputs of shape "
            f"{A.qshape}; use jacobian() for vector-valued functions"
        )
    arrays = (A.df, A.error, A.status, A.nfev, A.nit)
    params = {"method": opt.method, "order": opt.order, "step": step}
    return package(A, arrays, (m,), x, opt, params, atol=atol, n=1)


@document
def gradient(
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
    """Gradient of a scalar function ``f: R^m -> R`` at one point or many.

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)``; see the calling contract below.
    x : array_like, shape (m,) or (m, ...)
        One point, or points with the variables along the first axis
        (SciPy's convention); float32 gives float32 results.
    {params}

    Returns
    -------
    DerivativeResult
        ``df`` of shape ``(m, ...)`` with ``error``, ``status``, ``nfev`` and
        ``nit`` per component and point.

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

    Many points: ``x`` of shape ``(m, ...)``, the gradient of shape
    ``(m, ...)``; ``f`` sees them all in each of its few calls:

    >>> x = np.stack([np.linspace(0, 1, 5), np.zeros(5), np.full(5, 2.0)])
    >>> gradient(f, x).df[0].round(12).tolist()
    [0.0, 0.5, 1.0, 1.5, 2.0]

    A function written for one point (``float``, a reduction over every
    axis) is found out on the first call and evaluated point by point:

    >>> res = gradient(lambda w: float(np.sum(w**2)), [1.0, 2.0])
    >>> res.df.round(12).tolist()
    [2.0, 4.0]
    >>> "one call per point" in res.message
    True
    """
    opt = parse(1, method, order, step, rtol, atol, maxiter, kwargs, vectorized, scale)
    return _jacobian(f, x, opt, step, args, vectorized, workers, atol, name="gradient")


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
    scale: Any = None,
    rtol: float | None = None,
    atol: float | None = None,
    args: tuple = (),
    kwargs: dict | None = None,
    vectorized: bool | None = None,
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
    x : array_like, shape (m,) or (m, ...)
        One point, or points with the variables along the first axis
        (SciPy's convention); float32 gives float32 results.
    v : array_like, shape (m,)
        The direction (not all zero).
    n : int, optional
        Derivative order (default 1).
    {params}

    Returns
    -------
    DerivativeResult
        ``df`` of shape ``(*out, ...)``: one value per output of ``f`` and
        per point (a 0-d array for a scalar f at one point).

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
    opt = parse(n, method, order, step, rtol, atol, maxiter, kwargs, vectorized, scale)
    m = size_of(x)
    va = np.asarray(v, dtype=np.float64)
    if va.shape != (m,):
        raise ValueError(f"`v` must have shape ({m},) (the first axis of `x`), got {va.shape}")
    if not (np.all(np.isfinite(va)) and np.any(va != 0)):
        raise ValueError("`v` must be finite and not all zero")
    A = along(
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
    arrays = tuple(a[0] for a in (A.df, A.error, A.status, A.nfev, A.nit))
    params = {"method": opt.method, "n": opt.n, "order": opt.order, "step": step}
    return package(A, arrays, (), x, opt, params, atol=atol, n=opt.n)
