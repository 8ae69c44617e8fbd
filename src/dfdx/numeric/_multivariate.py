"""Derivatives of functions of several variables, as 1-D problems along directions.

A gradient component, a Jacobian column, a Hessian diagonal entry and a
directional derivative are all derivatives of ``g(t) = f(x + t v)`` at ``t = 0``
for some direction ``v``; an off-diagonal Hessian entry follows by polarisation,
``H_ij = (g''_{e_i+e_j} - g''_{e_i-e_j}) / 4``.  Every direction is one "point"
of the shared adaptive engine, so all of them are refined together and ``f``
is called once per level with every node of every direction stacked along a
new last axis.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dfdx._core.result import DerivativeResult, Status
from dfdx.numeric._derivative import default_rtol, first_step, summarise
from dfdx.numeric._engine import refine
from dfdx.numeric._evaluate import Caller, make_mapper
from dfdx.numeric._fixed import complex_step, fixed_step
from dfdx.numeric._validate import Options, as_point_array, check_function, options

__all__ = [
    "along",
    "combine_status",
    "document",
    "no_complex",
    "parse",
    "point_array",
    "require_scalar",
    "result",
    "size_of",
]


def point_array(x: Any) -> np.ndarray:
    xa = as_point_array(x, allow_complex=False)
    if xa.ndim != 1 or xa.size == 0:
        raise ValueError(f"`x` must be a non-empty 1-D array (one point), got shape {xa.shape}")
    return xa


class _Columns:
    """Evaluate ``f`` on columns ``X[:, j]``: batched (vectorized) or one by one."""

    def __init__(self, f, args, kwargs, vectorized, workers):
        self.args = tuple(args) if isinstance(args, tuple | list) else (args,)
        self.vectorized = vectorized
        self.caller = Caller(f, kwargs, vectorized, make_mapper(workers))
        self.qshape: tuple | None = None

    def __call__(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``X`` of shape ``(m, K)`` -> values ``(K, Q)`` and per-column ``raised``."""
        K = X.shape[1]
        if self.vectorized:
            vals, raised = self._batched(X)
        else:
            items = [(X[:, j].copy(), self.args) for j in range(K)]
            results, raised = self.caller.scalars(items)
            if raised.all():
                return np.full((int(np.prod(self.qshape)), K), np.nan).T, raised
            good = next(r for r, bad in zip(results, raised, strict=True) if not bad)
            good = np.asarray(good)
            self._set_shape(good.shape)
            nan = np.full(good.shape, np.nan)
            cols = [nan if bad else np.asarray(r) for r, bad in zip(results, raised, strict=True)]
            vals = np.stack(cols, axis=-1)
        Q = int(np.prod(self.qshape))
        return vals.reshape(Q, K).T, raised

    def _batched(self, X):
        K = X.shape[1]
        try:
            with np.errstate(all="ignore"):
                out = np.asarray(self.caller.f(X, *self.args, **self.caller.kwargs))
        except Exception as exc:
            if K <= 1 and not self.caller.ever_ok:
                raise
            first = exc
        else:
            self.caller.ever_ok = True
            if out.shape[-1:] != (K,):
                raise ValueError(
                    f"`f` must return an array whose last axis has length {K} (one value "
                    f"per column of its input of shape {X.shape}), got shape {out.shape}"
                )
            self._set_shape(out.shape[:-1])
            return out, np.zeros(K, dtype=bool)
        # isolate the failing columns, one at a time
        cols, raised = [], np.zeros(K, dtype=bool)
        for j in range(K):
            try:
                with np.errstate(all="ignore"):
                    cols.append(
                        np.asarray(
                            self.caller.f(X[:, j : j + 1].copy(), *self.args, **self.caller.kwargs)
                        )
                    )
            except Exception:
                raised[j] = True
                cols.append(None)
        if raised.all():
            if not self.caller.ever_ok or self.qshape is None:
                raise first
            nan = np.full((*self.qshape, K), np.nan)
            return nan, raised
        good = next(c for c in cols if c is not None)
        self._set_shape(good.shape[:-1])
        nan = np.full(good.shape, np.nan)
        return np.concatenate([nan if c is None else c for c in cols], axis=-1), raised

    def _set_shape(self, shape):
        if self.qshape is None:
            self.qshape = tuple(shape)
        elif tuple(shape) != self.qshape:
            raise ValueError(f"`f` returned outputs of shape {shape}, earlier {self.qshape}")


def along(
    f: Callable,
    x: Any,
    V: np.ndarray,
    *,
    n: int,
    opt: Options,
    step: Any,
    args: Any,
    vectorized: bool,
    workers: Any,
) -> tuple[np.ndarray, ...]:
    """n-th derivatives of ``f(x + t V[j])`` at ``t = 0`` for every row ``V[j]``.

    Returns ``(df, error, status, nfev, nit, qshape)`` with ``df`` of shape
    ``(p, Q)`` (``Q`` outputs of ``f`` flattened), per-direction status, nfev
    and nit, and ``qshape`` the shape of one output of ``f``.
    """
    check_function(f)
    xa = point_array(x)
    cols = _Columns(f, args, opt.kwargs, vectorized, workers)
    eps = float(np.finfo(xa.dtype).eps)
    p = V.shape[0]
    f_at_x, raised0 = cols(xa[:, None].copy())
    Q = f_at_x.shape[1]
    if raised0[0] or not np.isfinite(f_at_x).all():
        st = Status.FUNCTION_ERROR if raised0[0] else Status.NONFINITE_VALUE
        nan = np.full((p, Q), np.nan)
        return (
            nan,
            nan,
            np.full(p, st, np.int8),
            np.ones(p, np.intp),
            np.zeros(p, np.intp),
            cols.qshape,
        )
    support = np.where(V != 0, np.abs(xa), 0.0).max(axis=1)
    vmax = np.abs(V).max(axis=1)
    scale = np.maximum(support, 1.0) / vmax

    def evaluate(idx: np.ndarray | slice, T: np.ndarray, scratch: bool = False):
        if isinstance(idx, slice):
            idx = np.arange(idx.start, idx.stop)
        a, k = T.shape
        X = np.empty((xa.size, a, k), dtype=np.result_type(xa, T))
        X[...] = xa[:, None, None]
        rows, comps = np.nonzero(V[idx])  # directions are sparse (Hessian: two entries)
        X[comps, rows, :] += V[idx[rows], comps][:, None] * T[rows]
        vals, raised = cols(X.reshape(xa.size, a * k))
        return vals.reshape(a, k, Q), raised.reshape(a, k).any(axis=1)

    dtype = xa.dtype
    h = None if step is None else np.broadcast_to(np.asarray(step, dtype=np.float64), (p,)).copy()
    if opt.method == "complex":
        cdt = np.result_type(dtype, 1j)
        d, e, s, fe = complex_step(evaluate, scale, eps=eps, dtype=cdt, h=h)
        return d, e, s, fe + 1, np.ones(p, np.intp), cols.qshape
    if h is not None:
        d, e, s, fe = fixed_step(
            evaluate, h, n=n, mode=opt.mode, order=opt.order or 2, eps=eps, dtype=dtype
        )
        return d, e, s, fe + 1, np.ones(p, np.intp), cols.qshape
    h0, xabs = first_step(scale, n), support / vmax
    out = refine(
        evaluate,
        lambda lo, hi: (h0[lo:hi], xabs[lo:hi]),
        p,
        n=n,
        mode=opt.mode,
        q=Q,
        fallback=opt.method == "auto",
        rtol=opt.rtol if opt.rtol is not None else default_rtol(eps),
        atol=opt.atol,
        maxiter=opt.maxiter,
        window=opt.window,
        eps=eps,
        step_dtype=dtype,
        f0=np.broadcast_to(f_at_x[0][:, None], (Q, p)),
    )
    return out.df, out.error, out.status, out.nfev + 1, out.nit, cols.qshape


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
) -> Options:
    """Validate the options of a multivariate call."""
    if step is not None:
        arr = np.asarray(step, dtype=np.float64)
        if not (np.all(np.isfinite(arr)) and np.all(arr > 0)):
            raise ValueError(f"`step` must be positive and finite, got {step!r}")
    return options(
        n=n,
        method=method,
        order=order,
        step=step,
        rtol=rtol,
        atol=atol,
        maxiter=maxiter,
        kwargs=kwargs,
        vectorized=vectorized,
    )


def result(df, err, status, nfev, nit, method: str, params: dict) -> DerivativeResult:
    """Wrap arrays (already in their final shapes) as a DerivativeResult."""
    return DerivativeResult(
        df=df,
        error=err,
        status=status,
        nfev=nfev,
        nit=nit,
        method=method,
        message=summarise(np.asarray(status).ravel(), method),
        params=params,
    )


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


def document(func: Callable) -> Callable:
    """Fill the shared ``{params}`` and ``{contract}`` blocks of a docstring."""
    func.__doc__ = func.__doc__.replace("    {contract}", _CONTRACT.strip("\n")).replace(
        "    {params}", _PARAMS.strip("\n")
    )
    return func


def combine_status(*codes: np.ndarray) -> np.ndarray:
    """Combine per-direction status codes: the worst failure, else the largest code."""
    stack = np.stack(codes)
    return np.where((stack < 0).any(axis=0), stack.min(axis=0), stack.max(axis=0))


def no_complex(method: Any) -> Any:
    """Reject the complex step for second derivatives."""
    if method == "complex":
        raise ValueError("`method='complex'` gives first derivatives only; not for Hessians")
    return method


def size_of(x: Any) -> int:
    """Number of variables of the point ``x`` (validated)."""
    return point_array(x).size


def require_scalar(qshape: tuple, name: str) -> None:
    """Raise unless ``f`` returns one value per point."""
    if qshape != ():
        raise ValueError(
            f"`f` must return one value per point for {name}(), got outputs of shape {qshape}"
        )
