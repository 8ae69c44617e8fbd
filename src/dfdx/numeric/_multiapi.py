"""Options, results and shared docstring blocks of the multivariate functions."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from dfdx._core.result import DerivativeResult
from dfdx._core.validate import check_positive
from dfdx.numeric._derivative import summarise
from dfdx.numeric._multivariate import Along, point_array
from dfdx.numeric._tolerance import default_atol, meet_tolerance, success_rtol
from dfdx.numeric._validate import Options, check_scale, options

__all__ = ["combine_status", "document", "goal", "package", "parse", "size_of"]


def parse(
    n: int,
    method: Any,
    order: Any,
    step: Any,
    rtol: Any,
    atol: Any,
    maxiter: Any,
    kwargs: Any,
    vectorized: Any,
    scale: Any = None,
) -> Options:
    """Validate the options of a multivariate call (``vectorized`` may be None)."""
    if step is not None:
        arr = np.asarray(step, dtype=np.float64).ravel()
        bad = ~(np.isfinite(arr) & (arr > 0))
        if bad.any():
            check_positive(float(arr[bad][0]), "step")  # the message `derivative` gives
    if vectorized is not None and not isinstance(vectorized, bool | np.bool_):
        raise TypeError(f"`vectorized` must be None, True or False, got {vectorized!r}")
    sc = check_scale(scale, step)
    opt = options(
        n=n,
        method=method,
        order=order,
        step=step,
        rtol=rtol,
        atol=atol,
        maxiter=maxiter,
        kwargs=kwargs,
        vectorized=True if vectorized is None else vectorized,
    )
    return opt if sc is None else dataclasses.replace(opt, scale=sc)


def goal(opt: Options, atol: Any, real: Any, n: int) -> tuple[float, float]:
    """``(rtol, atol)`` of ``success`` for an ``n``-th derivative, as in :func:`derivative`.

    Defaults: the per-order relative tolerance
    (:func:`dfdx.numeric._tolerance.success_rtol`) and the smallest normal
    number of the points' precision; ``atol`` is the caller's own value
    (``None`` when not given; ``opt.atol`` cannot tell it from 0).
    """
    eps = float(np.finfo(real).eps)
    rtol = success_rtol(eps, n) if opt.rtol is None else opt.rtol
    return rtol, default_atol(real) if atol is None else opt.atol


def package(
    A: Along,
    arrays: tuple,
    dshape: tuple,
    x: Any,
    opt: Options,
    params: dict,
    *,
    atol: Any,
    n: int,
):
    """Arrays ``(*dshape, P, Q)`` -> a result of shape ``(*out, *dshape, *points)``.

    ``out`` is the shape of one output of ``f`` and ``points`` that of the
    points (``x.shape[1:]``); float32 points give float32 values and errors.
    ``success`` is tested per entry, as in :func:`derivative`: an entry whose
    error bound exceeds ``atol + rtol * |df|`` (defaults of the ``n``-th
    derivative, :func:`goal`) becomes ``NOT_CONVERGED``.
    """
    shape = (*A.qshape, *dshape, *A.pshape)
    df, err, st, nfev, nit = (
        np.ascontiguousarray(np.moveaxis(a, -1, 0)).reshape(shape) for a in arrays
    )
    real = np.float32 if np.asarray(x).real.dtype == np.float32 else np.float64
    with np.errstate(all="ignore"):  # (|df| may be inf, rtol 0)
        meet_tolerance(df.reshape(-1), err.reshape(-1), st.reshape(-1), *goal(opt, atol, real, n))
    message = summarise(st.ravel(), opt.method)
    if A.note:
        message += "; " + A.note
    return DerivativeResult(
        df=df.astype(np.result_type(real, np.complex64) if df.dtype.kind == "c" else real),
        error=err.astype(real, copy=False),
        status=st,
        nfev=nfev,
        nit=nit,
        method=opt.method,
        message=message,
        params=params,
    )


_CONTRACT = """
    Calling contract (SciPy's, as in ``scipy.differentiate.jacobian``): ``f``
    receives a 2-D array of shape ``(m, K)``, a batch of ``K`` points (column
    ``j`` is one point of ``R^m``; every node of every direction at every
    point of ``x``), and returns shape ``(K,)`` for a scalar function or
    ``(*out, K)`` for a vector one.  Code written for one point with
    ``x[0], x[1], ...`` or reductions along ``axis=0`` works as is, e.g.
    ``lambda x: x[0] ** 2 * x[1]`` or ``lambda x: np.sum(x**2, axis=0)``.
    One call evaluates one refinement level of everything, so the cost is a
    few calls of ``f``, not ``m`` or one per point.  ``f`` never receives the
    caller's own array.

    Functions written for one point only (``float(w @ A @ w)``,
    ``np.sum(w**2)``) work too: with ``vectorized=None`` (default) the first
    call gives ``f`` one point (shape ``(m,)``) and the batch of points; if
    the batch raises, has the wrong shape or gives other values, ``f`` is
    called once per point of shape ``(m,)`` from then on and ``message``
    says so.  ``vectorized=True`` skips that check (one call fewer);
    ``vectorized=False`` calls ``f`` once per point always.
"""

_PARAMS = """
    method : {'auto', 'central', 'forward', 'backward', 'complex'}, optional
        As in :func:`derivative`.
    order, step, maxiter : optional
        As in :func:`derivative`, per direction and point.
    scale : float or array_like of shape (m,), optional
        The length on which ``f`` varies along each variable (one for all, or
        one per variable): the adaptive steps start at a fixed fraction of it
        (along a direction ``v``: of the smallest ``scale_i / |v_i|`` over its
        nonzero components).  Default ``max(|x_i|, 1)`` over the components
        a direction moves.  Give it when ``f`` has features much narrower
        than that (see :func:`derivative`); with ``step`` it does not apply.
    rtol, atol : float, optional
        As in :func:`derivative`, per entry: ``success`` is True only where
        the entry's ``error`` is within ``atol + rtol * |df|``.  Defaults as
        in :func:`derivative` for the order of the derivative (``rtol``
        1e-6 for first and second derivatives in float64, the same power of
        eps for float32; ``atol`` the smallest normal number, so an entry
        that is zero is a success only with an ``atol``).  They also set where
        refinement stops when given.
    args : tuple, optional
        Extra positional arguments, passed to ``f`` unchanged.
    kwargs : dict, optional
        Extra keyword arguments of ``f``.
    vectorized : bool or None, optional
        Whether ``f`` accepts a batch of points; None (default) finds out on
        the first call (see the calling contract).
    workers : int, executor or callable, optional
        For functions called once per point: evaluate the points in threads
        or processes, as in :func:`derivative`.
"""


def document(func: Callable) -> Callable:
    """Fill the shared ``{params}`` and ``{contract}`` blocks of a docstring."""
    func.__doc__ = (
        (func.__doc__ or "")
        .replace("    {contract}", _CONTRACT.strip("\n"))
        .replace("    {params}", _PARAMS.strip("\n"))
    )
    return func


def combine_status(*codes: np.ndarray) -> np.ndarray:
    """Combine per-direction status codes: the worst failure, else the largest code."""
    stack = np.stack(codes)
    return np.where((stack < 0).any(axis=0), stack.min(axis=0), stack.max(axis=0))


def size_of(x: Any) -> int:
    """Number of variables of ``x`` (the length of its first axis; validated)."""
    return point_array(x).shape[0]
