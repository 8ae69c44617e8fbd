"""Sparse Jacobians by AD: a column (or row) coloring, one batched pass for all colors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp

from dfdx._core.coloring import as_pattern, color_columns, compress_seed, positions, recover
from dfdx.ad._api import vjp
from dfdx.ad._sparse import (
    _agrees,
    _compressed_forward,
    _point,
    _probe,
    jacobian_sparsity,
)
from dfdx.ad._trace import shape_of

__all__ = ["SparseJacobian", "sparse_jacobian"]

_MODES = ("auto", "forward", "reverse")


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
    order : str, default "best"
        Vertex order of the greedy coloring (see ``dfdx._core.coloring``).
    check : bool, default True
        Check each evaluation against the pattern with one extra direction
        (see Notes); ``False`` saves that direction when the pattern is known
        to hold everywhere.
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
        order: str = "best",
        check: bool = True,
        **kwargs: Any,
    ) -> None:
        if mode not in _MODES:
            raise ValueError(f"`mode` must be one of {', '.join(map(repr, _MODES))}, got {mode!r}")
        x0 = _point(x0)
        self.f, self.shape, self._mode, self._order = f, x0.shape, mode, order
        self._given, self.check = sparsity is not None, bool(check)
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
        self._probe = _probe(probe_size) if self.check else np.zeros(0)
        probe = [self._probe[None]] if self.check else []
        self._seed_probe = np.concatenate([self._seed, *probe])

    def __call__(self, x: Any, *args: Any, **kwargs: Any) -> sp.csr_array:
        """The Jacobian at ``x`` as a ``scipy.sparse.csr_array`` of shape ``(m, x.size)``."""
        x = _point(x)
        if x.shape != self.shape:
            raise ValueError(f"`x` must have shape {self.shape}, got {x.shape}")
        if self.mode == "forward":
            value, comp = _compressed_forward(self.f, x, self._seed, args, kwargs)
            self._check_rows(value)
            J = recover(self.sparsity, self.colors, comp, self._pos)
            ok = not self.check or _agrees(J, self._probe, comp, self._direct(x, args, kwargs))
        else:
            value, back = vjp(lambda u: self.f(u, *args, **kwargs), x)
            self._check_rows(value)
            oshape = shape_of(np.asarray(value))
            comp = np.stack([np.ravel(back(np.reshape(s, oshape))[0]) for s in self._seed_probe])
            jt = recover(self._t, self.colors, comp[: self.ncolors], self._pos)
            ok = not self.check or _agrees(jt, self._probe, comp[:-1], comp[-1])
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

    def _direct(self, x: np.ndarray, args: tuple, kwargs: dict) -> np.ndarray:
        """``J @ probe`` by its own one-tangent pass: a separate pass costs less than one more
        tangent in the batched pass (whose larger temporaries cost fresh pages each call)."""
        return _compressed_forward(self.f, x, self._probe[None], args, kwargs)[1][0]

    def _check_rows(self, value: Any) -> None:
        m = int(np.size(value))
        if m != self.sparsity.shape[0]:
            raise ValueError(
                f"`sparsity` must have {m} rows (the size of f's output), "
                f"got shape {self.sparsity.shape}"
            )


def sparse_jacobian(
    f: Callable[..., Any], sparsity: Any = None, mode: str = "auto", order: str = "best"
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

    given = sparsity is not None  # a pattern detected at x itself needs no check there

    def jac(x: Any, *args: Any, **kwargs: Any) -> sp.csr_array:
        J = SparseJacobian(
            f, x, *args, sparsity=sparsity, mode=mode, order=order, check=given, **kwargs
        )
        return J(x, *args, **kwargs)

    jac.__name__ = f"sparse_jacobian({getattr(f, '__name__', 'f')})"
    return jac
