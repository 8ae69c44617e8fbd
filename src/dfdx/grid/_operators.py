"""Differential operators as objects: compose with ``+ - * **``, apply, or get the matrix."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from scipy import sparse

from dfdx._core.validate import as_float_array, check_int
from dfdx.grid._apply import apply_nonuniform, interior_weights
from dfdx.grid._diff import diff
from dfdx.grid._stencils import nonuniform_weights, uniform_stencil
from dfdx.grid._validate import check_orders, normalise_axis, resolve_grid

__all__ = ["Diff", "Operator"]


def _eye(size: int) -> sparse.csr_array:
    idx = np.arange(size)
    return sparse.csr_array((np.ones(size), (idx, idx)), shape=(size, size))


def _check_shape(shape: Any) -> tuple[int, ...]:
    shape = tuple(np.atleast_1d(shape).tolist()) if np.ndim(shape) else (shape,)
    return tuple(check_int(s, "shape", minimum=1) for s in shape)


class Operator:
    """A linear operator on sampled fields, built from :class:`Diff` objects.

    Operators add (``A + B``, ``A - B``), scale by numbers (``2 * A``; a
    number ``c`` alone acts as ``c`` times the identity), compose (``A * B``
    applies ``B`` first, like the product of their matrices) and take integer
    powers (``A ** 2 == A * A``).  ``op(y)`` applies the operator;
    ``op.matrix(shape)`` returns the ``scipy.sparse`` matrix ``M`` with
    ``M @ y.ravel() == op(y).ravel()`` for C-ordered arrays of that shape.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.grid import Diff
    >>> lap = Diff(0) ** 2 + Diff(1) ** 2        # an Operator
    >>> y = np.add.outer(np.arange(5.0) ** 2, np.arange(4.0) ** 2)
    >>> float(lap(y)[2, 2])
    4.0
    >>> M = lap.matrix(y.shape)
    >>> bool(np.allclose(M @ y.ravel(), lap(y).ravel()))
    True
    """

    def __call__(self, y: Any) -> Any:
        raise NotImplementedError

    def matrix(self, shape: Any) -> sparse.csr_array:
        """The sparse matrix of the operator for fields of the given shape.

        Parameters
        ----------
        shape : int or tuple of int
            Shape of the fields the operator acts on.

        Returns
        -------
        scipy.sparse.csr_array
            Square, of size ``prod(shape)``, acting on ``y.ravel()`` (C order).
        """
        raise NotImplementedError

    @staticmethod
    def _wrap(other: Any) -> Operator:
        if isinstance(other, Operator):
            return other
        if isinstance(other, numbers.Number) and not isinstance(other, bool):
            return _Scaled(other, _Identity())
        raise TypeError(f"operators combine with operators and numbers, not {type(other).__name__}")

    def __add__(self, other: Any) -> Operator:
        return _Sum([self, self._wrap(other)])

    def __radd__(self, other: Any) -> Operator:
        return _Sum([self._wrap(other), self])

    def __sub__(self, other: Any) -> Operator:
        return _Sum([self, _Scaled(-1, self._wrap(other))])

    def __rsub__(self, other: Any) -> Operator:
        return _Sum([self._wrap(other), _Scaled(-1, self)])

    def __neg__(self) -> Operator:
        return _Scaled(-1, self)

    def __mul__(self, other: Any) -> Operator:
        if isinstance(other, Operator):
            return _Product(self, other)
        self._wrap(other)  # raises for anything but a number
        return _Scaled(other, self)

    def __rmul__(self, other: Any) -> Operator:
        self._wrap(other)
        return _Scaled(other, self)

    def __pow__(self, power: Any) -> Operator:
        power = check_int(power, "power", minimum=0)
        result: Operator = _Identity()
        for _ in range(power):
            result = self if isinstance(result, _Identity) else _Product(result, self)
        return result


class _Identity(Operator):
    def __call__(self, y: Any) -> Any:
        return y * 1.0  # a float copy, lazily for dask and xarray

    def matrix(self, shape: Any) -> sparse.csr_array:
        return _eye(int(np.prod(_check_shape(shape))))

    def __repr__(self) -> str:
        return "Identity()"


class _Scaled(Operator):
    def __init__(self, coef: Any, op: Operator) -> None:
        self.coef, self.op = coef, op

    def __call__(self, y: Any) -> Any:
        return self.coef * self.op(y)

    def matrix(self, shape: Any) -> sparse.csr_array:
        return sparse.csr_array(self.coef * self.op.matrix(shape))

    def __repr__(self) -> str:
        return f"{self.coef!r} * {self.op!r}"


class _Sum(Operator):
    def __init__(self, terms: list) -> None:
        self.terms = [t for op in terms for t in (op.terms if isinstance(op, _Sum) else [op])]

    def __call__(self, y: Any) -> Any:
        total = self.terms[0](y)
        for term in self.terms[1:]:
            total = total + term(y)
        return total

    def matrix(self, shape: Any) -> sparse.csr_array:
        total = self.terms[0].matrix(shape)
        for term in self.terms[1:]:
            total = total + term.matrix(shape)
        return sparse.csr_array(total)

    def __repr__(self) -> str:
        return "(" + " + ".join(repr(t) for t in self.terms) + ")"


class _Product(Operator):
    def __init__(self, left: Operator, right: Operator) -> None:
        self.left, self.right = left, right

    def __call__(self, y: Any) -> Any:
        return self.left(self.right(y))

    def matrix(self, shape: Any) -> sparse.csr_array:
        return sparse.csr_array(self.left.matrix(shape) @ self.right.matrix(shape))

    def __repr__(self) -> str:
        return f"{self.left!r} * {self.right!r}"


class Diff(Operator):
    """The ``n``-th derivative along one axis, as a composable operator.

    Parameters
    ----------
    axis : int, optional
        Axis of the field to differentiate along.  Default 0.
    n : int, optional
        Derivative order.  Default 1.
    x : array_like, optional
        Coordinates along ``axis`` (uniform or not).
    dx : float, optional
        Uniform spacing instead of ``x``; neither means spacing 1.
    acc : int, optional
        Order of accuracy, kept at the edges.  Default 2.
    periodic : bool, optional
        Wrap around the ends.  Default False.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.grid import Diff
    >>> x = np.linspace(0, 1, 11)
    >>> f = np.add.outer(x**2, x**3)                     # f(x, y) = x^2 + y^3
    >>> lap = Diff(0, 2, dx=0.1) + Diff(1, 2, dx=0.1)
    >>> bool(np.allclose(lap(f), 2 + 6 * x[None, :]))
    True
    >>> M = lap.matrix(f.shape)                          # scipy.sparse, same operator
    >>> bool(np.allclose(M @ f.ravel(), lap(f).ravel()))
    True
    >>> mixed = Diff(0, dx=0.1) * Diff(1, dx=0.1)        # d2/dxdy
    >>> bool(np.allclose(mixed(f), 0.0))
    True
    """

    def __init__(
        self,
        axis: int = 0,
        n: int = 1,
        *,
        x: Any = None,
        dx: Any = None,
        acc: int = 2,
        periodic: bool = False,
    ) -> None:
        self.n, self.acc, _, self.periodic = check_orders(n, acc, "fd", periodic)
        self.axis = check_int(axis, "axis", minimum=None)
        if x is not None and dx is not None:
            raise ValueError("give either `x` (coordinates) or `dx` (a spacing), not both")
        self.x, self.dx = x, dx
        self._plan: tuple | None = None

    def __call__(self, y: Any) -> Any:
        # per-point weights are reused across calls, except where the
        # one-shot kernel (n=1, acc=2) is cheaper than streaming them
        if self.x is not None and isinstance(y, np.ndarray) and y.ndim and self.n + self.acc > 3:
            fast = self._cached(y)
            if fast is not None:
                return fast
        return diff(
            y, self.x, dx=self.dx, axis=self.axis, n=self.n, acc=self.acc, periodic=self.periodic
        )

    def _cached(self, y: np.ndarray) -> np.ndarray | None:
        """Non-uniform coordinates: reuse the per-point weights across calls."""
        axis = normalise_axis(self.axis, y.ndim)
        size = y.shape[axis]
        if self._plan is None or self._plan[0] != size:
            grid = resolve_grid(
                self.x,
                None,
                size,
                n=self.n,
                acc=self.acc,
                periodic=self.periodic,
                method="fd",
                axis=axis,
            )
            if grid.uniform or self.n == 0:
                self._plan = (size, grid, None)
            else:
                self._plan = (size, grid, interior_weights(grid.x, self.n, self.acc))
        _, grid, weights = self._plan
        if weights is None:
            return None
        y = as_float_array(y, "y")
        return apply_nonuniform(
            y, np.empty_like(y), axis, grid.x, self.n, self.acc, weights=weights
        )

    def matrix(self, shape: Any) -> sparse.csr_array:
        """The sparse matrix of this derivative for fields of ``shape`` (see Operator)."""
        shape = _check_shape(shape)
        axis = normalise_axis(self.axis, len(shape))
        size = shape[axis]
        grid = resolve_grid(
            self.x,
            self.dx,
            size,
            n=self.n,
            acc=self.acc,
            periodic=self.periodic,
            method="fd",
            axis=axis,
        )
        rows, cols, vals = self._stencil_entries(grid, size)
        one = sparse.csr_array((vals, (rows, cols)), shape=(size, size))
        before, after = int(np.prod(shape[:axis])), int(np.prod(shape[axis + 1 :]))
        mat = sparse.kron(sparse.kron(_eye(before), one), _eye(after), format="csr")
        return sparse.csr_array(mat)

    def _stencil_entries(self, grid, size):
        """Row, column and value arrays of the 1-D matrix along the axis."""
        n, acc = self.n, self.acc
        if n == 0:
            idx = np.arange(size)
            return idx, idx, np.ones(size)
        if grid.uniform:
            st = uniform_stencil(n, acc)
            r = st.half
            if self.periodic:
                pts = np.arange(size)
                blocks = [(pts, (pts[:, None] + np.arange(-r, r + 1)) % size, st.central)]
            else:
                inner = np.arange(r, size - r)
                blocks = [
                    (inner, inner[:, None] + np.arange(-r, r + 1), st.central),
                    (np.arange(r), np.arange(st.width), st.left),
                    (np.arange(size - r, size), size - st.width + np.arange(st.width), st.right),
                ]
            scale = grid.h
        else:
            scale = abs(grid.x[-1] - grid.x[0]) / (size - 1)
            pts = np.arange(size)
            starts, w = nonuniform_weights(grid.x, scale, n, acc, pts)
            blocks = [(pts, starts[:, None] + np.arange(n + acc), w)]
        rows, cols, vals = [], [], []
        for pts, c, w in blocks:
            shape = (pts.size, np.shape(w)[-1])
            rows.append(np.broadcast_to(pts[:, None], shape).ravel())
            cols.append(np.broadcast_to(c, shape).ravel())
            w = np.broadcast_to(w, shape).ravel()
            for _ in range(n):  # one division at a time: safe for extreme spacings
                w = w / scale
            vals.append(w)
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)

    def __repr__(self) -> str:
        grid = (
            ""
            if self.x is None and self.dx is None
            else (", x=..." if self.x is not None else f", dx={self.dx!r}")
        )
        extra = ", periodic=True" if self.periodic else ""
        return f"Diff(axis={self.axis}, n={self.n}{grid}, acc={self.acc}{extra})"
