"""Sparsity patterns of Jacobians and Hessians by tracing index sets, and shared helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp

from dfdx._core.coloring import as_pattern
from dfdx.ad import _pool as pool
from dfdx.ad._api import _run
from dfdx.ad._sparsity import SparsityTrace, _empty
from dfdx.ad._trace import ForwardTrace
from dfdx.ad._tracer import Tracer, raw
from dfdx.ad._tree import as_input

__all__ = ["hessian_sparsity", "jacobian_sparsity"]


def _point(x: Any) -> np.ndarray:
    x = as_input(x)
    if type(x) is Tracer:
        raise TypeError("`x` must be a plain array; sparse derivatives do not nest")
    x = np.asarray(x)
    if x.dtype.kind == "c":
        raise TypeError("`x` must be real; complex inputs are not supported by sparse derivatives")
    return x


def _check_output(out: Any) -> Any:
    if isinstance(out, (tuple, list, dict)):
        raise TypeError(
            f"`f` must return one array for a sparse derivative, got a {type(out).__name__}; "
            "concatenate the outputs (np.concatenate([np.ravel(a) for a in out]))"
        )
    return out


def _trace_sets(f: Callable, x: np.ndarray, args: tuple, kwargs: dict, hessian: bool) -> Any:
    trace = SparsityTrace(int(x.size), hessian=hessian)
    out = _check_output(_run(f, trace, (trace.new(x), *args), kwargs))
    if type(out) is not Tracer or out._trace is not trace:
        if type(out) is Tracer:
            raise TypeError("`f` returned a value traced by another transformation")
        return trace, int(np.size(raw(out))), None
    return trace, int(np.size(out.value)), out.aux


def jacobian_sparsity(f: Callable[..., Any]) -> Callable:
    """Structural nonzero pattern of the Jacobian of ``f``, found by tracing index sets.

    Each primitive passes on which input elements each of its output elements
    depends on (elementwise, reductions, indexing, concatenation, matrix
    products through the nonzeros of a constant, conservatively everything
    for other operations).  No derivative is computed.  Control flow and
    boolean masks follow the values at ``x``: the pattern is the one of the
    branch taken there (``np.where`` keeps the union of both branches).

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)`` with an array ``x``; the output is any array.

    Returns
    -------
    callable
        ``(x, *args, **kwargs) -> S``, a boolean ``scipy.sparse.csr_array`` of
        shape ``(out.size, x.size)`` (both flattened in C order).

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.ad import jacobian_sparsity
    >>> def f(x):
    ...     return np.concatenate([x[:1], x[1:] * x[:-1]])
    >>> jacobian_sparsity(f)(np.ones(4)).toarray().astype(int)
    array([[1, 0, 0, 0],
           [1, 1, 0, 0],
           [0, 1, 1, 0],
           [0, 0, 1, 1]])
    """

    def pattern(x: Any, *args: Any, **kwargs: Any) -> sp.csr_array:
        x = _point(x)
        _, m, sets = _trace_sets(f, x, args, kwargs, hessian=False)
        if sets is None:
            return _empty(m, int(x.size))
        return as_pattern(sets)

    pattern.__name__ = f"jacobian_sparsity({getattr(f, '__name__', 'f')})"
    return pattern


def hessian_sparsity(f: Callable[..., Any]) -> Callable:
    """Structural nonzero pattern of the Hessian of a scalar ``f``, found by tracing index sets.

    Alongside the first-order sets (see :func:`jacobian_sparsity`) a pattern of
    interacting pairs is collected: a nonlinear operation adds every pair of
    inputs its result depends on, a product of two traced factors the pairs
    across the factors; linear and piecewise-linear operations add none.  The
    pattern is conservative (a superset of the true one) and follows the
    control flow taken at ``x``.

    Parameters
    ----------
    f : callable
        Scalar-valued ``f(x, *args, **kwargs)``.

    Returns
    -------
    callable
        ``(x, *args, **kwargs) -> S``, a symmetric boolean
        ``scipy.sparse.csr_array`` of shape ``(x.size, x.size)``.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.ad import hessian_sparsity
    >>> def f(x):
    ...     return np.sum(x[1:] * x[:-1]) + np.sum(np.exp(x))
    >>> hessian_sparsity(f)(np.ones(4)).toarray().astype(int)
    array([[1, 1, 0, 0],
           [1, 1, 1, 0],
           [0, 1, 1, 1],
           [0, 0, 1, 1]])
    """

    def pattern(x: Any, *args: Any, **kwargs: Any) -> sp.csr_array:
        x = _point(x)
        trace, m, sets = _trace_sets(f, x, args, kwargs, hessian=True)
        if m != 1:
            raise ValueError(f"`f` must return a scalar for a Hessian, got {m} values")
        return trace.hessian_pattern(sets)

    pattern.__name__ = f"hessian_sparsity({getattr(f, '__name__', 'f')})"
    return pattern


def _compressed_forward(f: Callable, x: np.ndarray, seed: np.ndarray, args: tuple, kw: dict):
    """``f(x)`` and the products ``J @ seed[c]`` for all colors in one batched forward pass."""
    k = seed.shape[0]
    trace = ForwardTrace((k,), recycle=True)
    out = _check_output(_run(f, trace, (trace.new(x, seed.reshape((k, *x.shape))), *args), kw))
    if trace.owned:  # the tangents of this pass that nobody holds serve the next call
        pool.release(trace.owned)
    if type(out) is Tracer and out._trace is trace:
        value = out.value
        tan = out.aux
        if tan is None:
            tan = np.zeros((k, int(np.size(value))))
        return value, np.reshape(tan, (k, -1))
    value = raw(out)
    return value, np.zeros((k, int(np.size(value))))


def _probe(n: int) -> np.ndarray:
    """A fixed direction with no zero entry, to check the coloring's products at each point."""
    rng = np.random.default_rng(20240601)
    return rng.uniform(1.0, 2.0, n) * rng.choice([-1.0, 1.0], n)


def _agrees(J: sp.csr_array, v: np.ndarray, comp: np.ndarray, jv: np.ndarray) -> bool:
    """Whether ``J @ v`` equals the product ``jv`` along ``v`` computed directly.

    An entry outside the pattern (a branch at this point that the pattern did
    not see) makes them differ by about its size; rounding differs by a few
    ulp of the terms, whose sizes the compressed products ``comp`` bound
    (each row of a color holds its entries of that color).  Non-finite
    products are not checked.  The rows within the tolerance of ``|jv|`` alone
    pass at once; only the others need the bound from ``comp``.
    """
    tol = 1e3 * np.finfo(float).eps
    r = np.abs(J @ v - jv)
    bad = ~(r <= tol * np.abs(jv))
    if not bad.any():
        return True
    if not np.all(np.isfinite(jv)):
        return True
    scale = np.max(np.abs(v), initial=0.0) * np.sum(np.abs(comp[:, bad]), axis=0)
    return bool(np.all(r[bad] <= tol * (scale + np.abs(jv[bad]))))
