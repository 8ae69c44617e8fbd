"""Public multivariate functions: gradient, jacobian, hessian, hessdiag, directional."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dfdx._core.result import DerivativeResult
from dfdx.numeric._multivariate import along, parse, point_array, result

__all__ = ["directional", "gradient", "hessdiag", "hessian", "jacobian"]

_CONTRACT = """
    Calling contract (``vectorized=True``, the default): ``f`` receives a 2-D
    array of shape ``(m, K)``, a batch of ``K`` points stacked along a new
    last axis (column ``j`` is one point of ``R^m``), and must return shape
    ``(K,)`` for a scalar function or ``(*out, K)`` for a vector one.  Write
    ``f`` indexing ``x[0], x[1], ...`` or reducing with ``axis=0``, e.g.
    ``lambda x: x[0] ** 2 * x[1]`` or ``lambda x: np.sum(x**2, axis=0)``.
    One call evaluates every node of every direction of one refinement level,
    so the cost is a few calls of ``f``, not ``m``.  ``f`` never receives the
    caller's own array.  With ``vectorized=False`` ``f`` receives a 1-D array
    of shape ``(m,)`` per point (one call per node per direction).
"""

_PARAMS = """
    method : {'auto', 'central', 'forward', 'backward', 'complex'}, optional
        As in :func:`derivative`.
    order, step, rtol, atol, maxiter : optional
        As in :func:`derivative`, per direction.
    args : tuple, optional
        Extra positional arguments, passed to ``f`` unchanged.
    kwargs : dict, optional
        Extra keyword arguments of ``f``.
    vectorized : bool, optional
        Whether ``f`` accepts a batch of points (see the calling contract).
    workers : int, executor or callable, optional
        For ``vectorized=False``: evaluate the points in threads or processes,
        as in :func:`derivative`.
"""


def _doc(func: Callable) -> Callable:
    func.__doc__ = func.__doc__.replace("    {contract}", _CONTRACT.strip("\n")).replace(
        "    {params}", _PARAMS.strip("\n")
    )
    return func


def _status(*codes: np.ndarray) -> np.ndarray:
    """Combine per-direction status codes: the worst failure, else the largest code."""
    stack = np.stack(codes)
    return np.where((stack < 0).any(axis=0), stack.min(axis=0), stack.max(axis=0))


@_doc
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
) -> DerivativeResult:
    """Jacobian of ``f: R^m -> R^k`` at one point.

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
        ``df`` of shape ``(*out, m)`` (``out`` the shape of one output of
        ``f``), ``error``, ``status`` (per entry), ``nfev``, ``nit``.

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
    """
    opt = parse(1, method, order, step, rtol, atol, maxiter, kwargs, vectorized)
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


@_doc
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


@_doc
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
    opt = parse(2, _no_complex(method), order, step, rtol, atol, maxiter, kwargs, vectorized)
    m = _size(x)
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
    _scalar(qshape, "hessdiag")
    return result(
        df[:, 0],
        err[:, 0],
        st,
        nfev,
        nit,
        opt.method,
        {"method": opt.method, "order": opt.order, "step": step},
    )


@_doc
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
    opt = parse(2, _no_complex(method), order, step, rtol, atol, maxiter, kwargs, vectorized)
    m = _size(x)
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
    _scalar(qshape, "hessian")
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
    soff = _status(st[plus], st[minus])
    foff = nfev[plus] + nfev[minus]
    koff = np.maximum(nit[plus], nit[minus])
    for A, v in ((H, off), (E, eoff), (S, soff), (F, foff), (K, koff)):
        A[iu, ju] = v
        A[ju, iu] = v
    return result(
        H, E, S, F, K, opt.method, {"method": opt.method, "order": opt.order, "step": step}
    )


@_doc
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
    m = _size(x)
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


def _no_complex(method: Any) -> Any:
    if method == "complex":
        raise ValueError("`method='complex'` gives first derivatives only; not for Hessians")
    return method


def _size(x: Any) -> int:
    return point_array(x).size


def _scalar(qshape: tuple, name: str) -> None:
    if qshape != ():
        raise ValueError(
            f"`f` must return one value per point for {name}(), got outputs of shape {qshape}"
        )
