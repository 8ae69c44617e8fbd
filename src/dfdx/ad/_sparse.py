"""Sparse Jacobians and Hessians: detected pattern, column coloring, one pass per color."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp

from dfdx._core.coloring import (
    as_pattern,
    color_columns,
    color_symmetric,
    compress_seed,
    positions,
    recover,
    symmetric_positions,
)
from dfdx.ad._api import _run, grad, vjp
from dfdx.ad._sparsity import SparsityTrace, _empty
from dfdx.ad._trace import ForwardTrace, shape_of
from dfdx.ad._tracer import Tracer, raw
from dfdx.ad._tree import as_input

__all__ = [
    "SparseHessian",
    "SparseJacobian",
    "hessian_sparsity",
    "jacobian_sparsity",
    "sparse_hessian",
    "sparse_jacobian",
]

_MODES = ("auto", "forward", "reverse")


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
    trace = ForwardTrace((k,))
    out = _check_output(_run(f, trace, (trace.new(x, seed.reshape((k, *x.shape))), *args), kw))
    if type(out) is Tracer and out._trace is trace:
        value = out.value
        tan = out.aux
        if tan is None:
            tan = np.zeros((k, int(np.size(value))))
        return value, np.reshape(tan, (k, -1))
    value = raw(out)
    return value, np.zeros((k, int(np.size(value))))


class SparseJacobian:
    """A sparse Jacobian evaluator: pattern and coloring computed once, reused at each point.

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)`` returning an array (flattened to ``m`` rows).
    x0 : array_like
        Point at which the pattern is detected (when ``sparsity`` is None) and
        which fixes the shape of ``x``.
    sparsity : array_like or scipy.sparse matrix, optional
        The pattern, shape ``(m, x.size)``; detected with
        :func:`jacobian_sparsity` at ``x0`` (with ``args``/``kwargs``) when omitted.
    mode : {"auto", "forward", "reverse"}, default "auto"
        Forward: one batched forward pass carrying one tangent per column color;
        reverse: one backward pass per row color; auto: the fewer passes.
    order : str, default "largest_first"
        Vertex order of the greedy coloring (see ``dfdx._core.coloring``).
    *args, **kwargs
        Extra arguments of ``f`` used for detection at ``x0``.

    Attributes
    ----------
    sparsity : scipy.sparse.csr_array
        Boolean pattern.
    colors : ndarray
        Color of each column (forward) or row (reverse).
    ncolors : int
        Number of passes per evaluation.
    redetections : int
        How often a point's branch had nonzeros outside the pattern.

    Notes
    -----
    Each evaluation also carries one extra direction with no zero entry and
    compares ``J @ v`` with the product computed directly.  When they differ
    (control flow or masks at this point reach entries the pattern lacks), the
    pattern is detected again at this point, merged with the old one, and the
    Jacobian recomputed; with a ``sparsity`` given, a ``ValueError`` says that
    it misses nonzeros.  A stale pattern never gives a silently wrong Jacobian.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.ad import SparseJacobian
    >>> def f(u):
    ...     return np.concatenate([u[:1], u[2:] - 2 * u[1:-1] + u[:-2], u[-1:]]) + u**2
    >>> J = SparseJacobian(f, np.zeros(6))
    >>> J.ncolors, J.mode
    (3, 'forward')
    >>> J(np.ones(6)).toarray()[2].tolist()
    [0.0, 1.0, 0.0, 1.0, 0.0, 0.0]
    """

    def __init__(
        self,
        f: Callable[..., Any],
        x0: Any,
        *args: Any,
        sparsity: Any = None,
        mode: str = "auto",
        order: str = "largest_first",
        **kwargs: Any,
    ) -> None:
        if mode not in _MODES:
            raise ValueError(f"`mode` must be one of {', '.join(map(repr, _MODES))}, got {mode!r}")
        x0 = _point(x0)
        self.f, self.shape, self._mode, self._order = f, x0.shape, mode, order
        self._given = sparsity is not None
        if sparsity is None:
            sparsity = jacobian_sparsity(f)(x0, *args, **kwargs)
        self._setup(as_pattern(sparsity))
        self.redetections = 0

    def _setup(self, s: sp.csr_array) -> None:
        n, mode, order = int(np.prod(self.shape)), self._mode, self._order
        if s.shape[1] != n:
            raise ValueError(f"`sparsity` must have {n} columns (x.size), got shape {s.shape}")
        self.sparsity = s
        cols, kc = color_columns(s, order=order)
        col_counts = np.bincount(s.indices, minlength=n)
        # reverse mode needs at least as many passes as the densest column has entries
        try_reverse = mode == "reverse" or (mode == "auto" and kc > col_counts.max(initial=0))
        rows, kr = color_columns(s.T, order=order) if try_reverse else (cols, kc + 1)
        if mode == "reverse" or (mode == "auto" and kr < kc):
            self.mode, self.colors, self.ncolors = "reverse", rows, kr
            self._t = sp.csr_array(s.T)
            self._t.sort_indices()
            self._pos = positions(self._t, self.colors)
            probe_size = s.shape[0]
        else:
            self.mode, self.colors, self.ncolors = "forward", cols, kc
            self._pos = positions(s, self.colors)
            probe_size = n
        self._seed = compress_seed(self.colors, self.ncolors)
        self._probe = _probe(probe_size)
        self._seed_probe = np.concatenate([self._seed, self._probe[None]])

    def __call__(self, x: Any, *args: Any, **kwargs: Any) -> sp.csr_array:
        """The Jacobian at ``x`` as a ``scipy.sparse.csr_array`` of shape ``(m, x.size)``."""
        x = _point(x)
        if x.shape != self.shape:
            raise ValueError(f"`x` must have shape {self.shape}, got {x.shape}")
        if self.mode == "forward":
            value, comp = _compressed_forward(self.f, x, self._seed_probe, args, kwargs)
            self._check_rows(value)
            J = recover(self.sparsity, self.colors, comp[:-1], self._pos)
            ok = _agrees(J, self._probe, comp[-1])
        else:
            value, back = vjp(lambda u: self.f(u, *args, **kwargs), x)
            self._check_rows(value)
            oshape = shape_of(np.asarray(value))
            comp = np.stack([np.ravel(back(np.reshape(s, oshape))[0]) for s in self._seed_probe])
            jt = recover(self._t, self.colors, comp[:-1], self._pos)
            ok = _agrees(jt, self._probe, comp[-1])
            J = sp.csr_array(jt.T)
            J.sort_indices()
        if ok:
            return J
        # the products disagree with the pattern: a branch taken at x has other nonzeros
        found = jacobian_sparsity(self.f)(x, *args, **kwargs)
        if not (found > self.sparsity).nnz:
            return J  # no new nonzero: the disagreement was rounding
        if self._given:
            raise ValueError(
                "`sparsity` misses structural nonzeros of the Jacobian at x (detected: "
                f"{(found > self.sparsity).nnz} entries); pass a pattern covering every branch"
            )
        self._setup(as_pattern(self.sparsity + found))
        self.redetections += 1
        return self(x, *args, **kwargs)

    def _check_rows(self, value: Any) -> None:
        m = int(np.size(value))
        if m != self.sparsity.shape[0]:
            raise ValueError(
                f"`sparsity` must have {m} rows (the size of f's output), "
                f"got shape {self.sparsity.shape}"
            )


def _probe(n: int) -> np.ndarray:
    """A fixed direction with no zero entry, to check the coloring's products at each point."""
    rng = np.random.default_rng(20240601)
    return rng.uniform(1.0, 2.0, n) * rng.choice([-1.0, 1.0], n)


def _agrees(J: sp.csr_array, v: np.ndarray, jv: np.ndarray) -> bool:
    """Whether ``J @ v`` equals the product computed directly, to rounding.

    An entry outside the pattern (a branch at this point that the pattern did
    not see) makes them differ by about its size; rounding differs by a few
    ulp of the terms.  Non-finite products are not checked.
    """
    jv = np.ravel(jv)
    if not np.all(np.isfinite(jv)):
        return True
    scale = abs(J) @ abs(v) + abs(jv)
    return bool(np.all(np.abs(J @ v - jv) <= 1e3 * np.finfo(float).eps * scale))


def sparse_jacobian(
    f: Callable[..., Any], sparsity: Any = None, mode: str = "auto", order: str = "largest_first"
) -> Callable:
    """Jacobian of ``f`` as a ``scipy.sparse.csr_array``, exact, one pass per color.

    The pattern is detected at each call (or given), its columns (rows) are
    colored so that no two columns (rows) of one color share a row (column),
    and one batched forward pass with one tangent per color (or one backward
    pass per row color) gives all entries.  To evaluate many times with one
    pattern, build a :class:`SparseJacobian` once.

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)`` returning an array.
    sparsity : array_like or scipy.sparse matrix, optional
        Pattern of shape ``(out.size, x.size)``; detected when omitted.
    mode, order
        As in :class:`SparseJacobian`.

    Returns
    -------
    callable
        ``(x, *args, **kwargs) -> J`` (CSR, shape ``(out.size, x.size)``).

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.ad import sparse_jacobian
    >>> J = sparse_jacobian(lambda x: x[1:] ** 2 - x[:-1])(np.array([1.0, 2.0, 3.0]))
    >>> J.toarray().tolist()
    [[-1.0, 4.0, 0.0], [0.0, -1.0, 6.0]]
    """

    def jac(x: Any, *args: Any, **kwargs: Any) -> sp.csr_array:
        return SparseJacobian(f, x, *args, sparsity=sparsity, mode=mode, order=order, **kwargs)(
            x, *args, **kwargs
        )

    jac.__name__ = f"sparse_jacobian({getattr(f, '__name__', 'f')})"
    return jac


class SparseHessian:
    """A sparse Hessian evaluator: pattern and coloring once, Hessian-vector products per color.

    The symmetric pattern gets a star coloring (see
    ``dfdx._core.coloring.color_symmetric``): one forward-over-reverse pass
    carrying one tangent per color gives ``H @ V``, and every entry is read off
    directly, from its own row or, by symmetry, from its transposed entry's row.

    Parameters
    ----------
    f : callable
        Scalar ``f(x, *args, **kwargs)``.
    x0 : array_like
        Point for pattern detection (when ``sparsity`` is None).
    sparsity : array_like or scipy.sparse matrix, optional
        Symmetric pattern of shape ``(x.size, x.size)``.
    order : str, default "largest_first"
        Vertex order of the coloring.
    *args, **kwargs
        Extra arguments of ``f`` used for detection at ``x0``.

    Notes
    -----
    As in :class:`SparseJacobian`, one extra direction checks each evaluation
    against the pattern: new nonzeros at a point are detected and merged (see
    the attribute ``redetections``), or reported when ``sparsity`` was given.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.ad import SparseHessian
    >>> H = SparseHessian(lambda x: np.sum(x[1:] * x[:-1] ** 2), np.zeros(5))
    >>> H.ncolors
    3
    >>> H(np.ones(5)).toarray()[1].tolist()
    [2.0, 2.0, 2.0, 0.0, 0.0]
    """

    def __init__(
        self,
        f: Callable[..., Any],
        x0: Any,
        *args: Any,
        sparsity: Any = None,
        order: str = "largest_first",
        **kwargs: Any,
    ) -> None:
        x0 = _point(x0)
        self.f, self.shape, self._order = f, x0.shape, order
        n = int(x0.size)
        self._given = sparsity is not None
        if sparsity is None:
            s = hessian_sparsity(f)(x0, *args, **kwargs)  # symmetric by construction
        else:
            s = as_pattern(sparsity)
            if s.shape != (n, n):
                raise ValueError(f"`sparsity` must have shape ({n}, {n}), got {s.shape}")
            s = as_pattern(s + s.T)
        self._setup(s)
        self.redetections = 0

    def _setup(self, s: sp.csr_array) -> None:
        self.sparsity = s
        self.colors, self.ncolors = color_symmetric(s, order=self._order)
        self._seed = compress_seed(self.colors, self.ncolors)
        self._pos = symmetric_positions(s, self.colors)
        self._probe = _probe(s.shape[0])
        self._seed_probe = np.concatenate([self._seed, self._probe[None]])

    def __call__(self, x: Any, *args: Any, **kwargs: Any) -> sp.csr_array:
        """The Hessian at ``x`` as a symmetric ``scipy.sparse.csr_array``."""
        x = _point(x)
        if x.shape != self.shape:
            raise ValueError(f"`x` must have shape {self.shape}, got {x.shape}")
        g = grad(self.f)
        _, comp = _compressed_forward(g, x, self._seed_probe, args, kwargs)
        H = recover(self.sparsity, self.colors, comp[:-1], self._pos)
        if _agrees(H, self._probe, comp[-1]):
            return H
        found = hessian_sparsity(self.f)(x, *args, **kwargs)
        if not (found > self.sparsity).nnz:
            return H
        if self._given:
            raise ValueError(
                "`sparsity` misses structural nonzeros of the Hessian at x (detected: "
                f"{(found > self.sparsity).nnz} entries); pass a pattern covering every branch"
            )
        self._setup(as_pattern(self.sparsity + found))
        self.redetections += 1
        return self(x, *args, **kwargs)


def sparse_hessian(
    f: Callable[..., Any], sparsity: Any = None, order: str = "largest_first"
) -> Callable:
    """Hessian of a scalar ``f`` as a ``scipy.sparse.csr_array``, one HVP per color.

    Parameters
    ----------
    f : callable
        Scalar-valued ``f(x, *args, **kwargs)``.
    sparsity : array_like or scipy.sparse matrix, optional
        Pattern of shape ``(x.size, x.size)``; detected with
        :func:`hessian_sparsity` when omitted.
    order : str, default "largest_first"
        Vertex order of the coloring.

    Returns
    -------
    callable
        ``(x, *args, **kwargs) -> H`` (CSR, shape ``(x.size, x.size)``).

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.ad import sparse_hessian
    >>> H = sparse_hessian(lambda x: np.sum(x**3) + x[0] * x[2])(np.ones(3))
    >>> H.toarray().tolist()
    [[6.0, 0.0, 1.0], [0.0, 6.0, 0.0], [1.0, 0.0, 6.0]]
    """

    def hess(x: Any, *args: Any, **kwargs: Any) -> sp.csr_array:
        return SparseHessian(f, x, *args, sparsity=sparsity, order=order, **kwargs)(
            x, *args, **kwargs
        )

    hess.__name__ = f"sparse_hessian({getattr(f, '__name__', 'f')})"
    return hess
