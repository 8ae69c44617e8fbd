"""Sparse Hessians by AD: a star coloring, Hessian-vector products for all colors at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp

from dfdx._core.coloring import (
    as_pattern,
    color_symmetric,
    compress_seed,
    recover,
    symmetric_positions,
)
from dfdx.ad._api import grad
from dfdx.ad._sparse import _agrees, _compressed_forward, _point, _probe, hessian_sparsity

__all__ = ["SparseHessian", "sparse_hessian"]


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
    order : str, default "best"
        Vertex order of the coloring.
    check : bool, default True
        Check each evaluation against the pattern with one extra direction.
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
        order: str = "best",
        check: bool = True,
        **kwargs: Any,
    ) -> None:
        x0 = _point(x0)
        self.f, self.shape, self._order = f, x0.shape, order
        n = int(x0.size)
        self._given, self.check = sparsity is not None, bool(check)
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
        self._probe = _probe(s.shape[0]) if self.check else np.zeros(0)

    def __call__(self, x: Any, *args: Any, **kwargs: Any) -> sp.csr_array:
        """The Hessian at ``x`` as a symmetric ``scipy.sparse.csr_array``."""
        x = _point(x)
        if x.shape != self.shape:
            raise ValueError(f"`x` must have shape {self.shape}, got {x.shape}")
        g = grad(self.f)
        _, comp = _compressed_forward(g, x, self._seed, args, kwargs)
        H = recover(self.sparsity, self.colors, comp, self._pos)
        if not self.check:
            return H
        # the check direction by its own pass (see SparseJacobian._direct)
        _, hv = _compressed_forward(g, x, self._probe[None], args, kwargs)
        if _agrees(H, self._probe, comp, hv[0]):
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


def sparse_hessian(f: Callable[..., Any], sparsity: Any = None, order: str = "best") -> Callable:
    """Hessian of a scalar ``f`` as a ``scipy.sparse.csr_array``, one HVP per color.

    Parameters
    ----------
    f : callable
        Scalar-valued ``f(x, *args, **kwargs)``.
    sparsity : array_like or scipy.sparse matrix, optional
        Pattern of shape ``(x.size, x.size)``; detected with
        :func:`hessian_sparsity` when omitted.
    order : str, default "best"
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

    given = sparsity is not None  # a pattern detected at x itself needs no check there

    def hess(x: Any, *args: Any, **kwargs: Any) -> sp.csr_array:
        H = SparseHessian(f, x, *args, sparsity=sparsity, order=order, check=given, **kwargs)
        return H(x, *args, **kwargs)

    hess.__name__ = f"sparse_hessian({getattr(f, '__name__', 'f')})"
    return hess
