"""Sparsity detection: trace index sets, not tangents, through the rule tables.

Each traced value carries, for each of its elements, the set of input
elements it depends on: a boolean CSR matrix ``P`` with one row per element
and one column per input element (``None``: depends on nothing).  Each
primitive maps the sets of its arguments to the sets of its output by the
class it belongs to:

* elementwise ufuncs: the union of the (broadcast) argument rows;
  piecewise-constant ufuncs (floor, sign, ...) give no dependency;
* moves (reshape, transpose, broadcast_to, indexing, assignment,
  concatenation): the primitive itself is applied to arrays of element ids;
* reductions and scans (sum, prod, max, min, cumsum, cumprod) along axes;
* ``matmul``: through the nonzeros of a constant factor;
* anything else: every output element depends on every input element that
  reaches the primitive (conservative).

Control flow, boolean masks and ``np.where`` conditions are evaluated at the
given point, so the pattern is the one of the branch taken there (``where``
itself is conservative: the union of both branches).  For Hessians a global
pattern of interacting pairs is collected: a nonlinear primitive adds all
pairs of its output's set, a product of two traced factors adds the pairs
across the factors (as in SparseConnectivityTracer's global Hessian pattern).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import scipy.sparse as sp

from dfdx._core.coloring import ragged_arange
from dfdx.ad import _rules_linalg as _linalg
from dfdx.ad import _rules_reductions as _red
from dfdx.ad import _rules_shape as _sh
from dfdx.ad import _rules_special as _special
from dfdx.ad._primitive import Primitive, bind
from dfdx.ad._rules_elementwise import ELEMENTWISE, ZERO
from dfdx.ad._trace import shape_of
from dfdx.ad._tracer import Tracer

__all__ = ["SparsityTrace"]

_MOVES = {_sh.RESHAPE, _sh.TRANSPOSE, _sh.BROADCAST, _sh.GETITEM, _sh.SETITEM, _sh.CONCAT}
_SAME = {_sh.ASTYPE, _sh.REAL, _sh.IMAG}
_REDUCE = {_red.SUM: "axes", _red.MAX: "axes", _red.MIN: "axes", _red.PROD: "axis"}
_SCAN = {_red.CUMSUM, _red.CUMPROD}
_ELEMENTWISE = {_sh.WHERE, _special.POLYGAMMA}
# zero second derivative (almost everywhere) in every argument
_PIECEWISE_LINEAR = {_sh.WHERE, _red.MAX, _red.MIN, _sh.INDEX_ADD, _red.SUM, _red.CUMSUM}
_PIECEWISE_LINEAR_UFUNCS = {
    np.absolute,
    np.fabs,
    np.maximum,
    np.minimum,
    np.fmax,
    np.fmin,
    np.copysign,
    np.mod,
    np.fmod,
}
_BILINEAR_UFUNCS = {np.multiply, np.matmul}
_LINEAR_IN_FIRST_UFUNCS = {np.divide, np.ldexp}


def _csr(indptr: np.ndarray, indices: np.ndarray, n: int) -> sp.csr_array:
    out = sp.csr_array(
        (np.ones(indices.size, dtype=bool), indices, indptr), shape=(indptr.size - 1, n)
    )
    out.has_sorted_indices = True
    return out


def _take(p: sp.csr_array, rows: np.ndarray) -> sp.csr_array:
    """Rows ``rows`` of ``p`` (row -1: empty), without scipy's per-call checks."""
    rows = np.asarray(rows, dtype=np.int64).ravel()
    k = rows.size
    if k and rows[0] >= 0 and rows[-1] - rows[0] == k - 1 and np.all(np.diff(rows) == 1):
        lo, hi = p.indptr[rows[0]], p.indptr[rows[-1] + 1]  # a block of rows: views
        return _csr(p.indptr[rows[0] : rows[-1] + 2] - lo, p.indices[lo:hi], p.shape[1])
    valid = rows >= 0
    safe = np.where(valid, rows, 0)
    counts = np.where(valid, p.indptr[safe + 1] - p.indptr[safe], 0)
    indptr = np.concatenate(([0], np.cumsum(counts)))
    total = int(indptr[-1])
    if total:
        shift = np.repeat(p.indptr[safe] - indptr[:-1], counts)
        indices = p.indices[np.arange(total) + shift]
    else:
        indices = np.zeros(0, dtype=np.int64)
    return _csr(indptr, indices, p.shape[1])


def _vstack(parts: list[sp.csr_array]) -> sp.csr_array:
    starts = np.cumsum([0] + [q.indptr[-1] for q in parts])
    indptr = np.concatenate([q.indptr[:-1] + s for q, s in zip(parts, starts, strict=False)])
    indptr = np.concatenate([indptr, starts[-1:]])
    return _csr(indptr, np.concatenate([q.indices for q in parts]), parts[0].shape[1])


def _width(p: sp.csr_array) -> int:
    """The common number of entries of the rows of ``p``, or -1 when they differ."""
    rows = p.shape[0]
    if rows == 0 or p.indices.size % rows:
        return -1
    w = p.indices.size // rows
    return w if np.array_equal(p.indptr, np.arange(rows + 1) * w) else -1


def _union2(a: sp.csr_array, b: sp.csr_array) -> sp.csr_array:
    """Row-wise union of two sets; rows of fixed widths are merged by one sort per row."""
    wa, wb = _width(a), _width(b)
    if wa > 0 and wb > 0 and wa + wb <= 8:
        rows = a.shape[0]
        ca, cb = a.indices.reshape(rows, wa).T, b.indices.reshape(rows, wb).T
        if all(np.all(np.any(ca == c, axis=0)) for c in cb):
            return a  # b within a, row by row
        if all(np.all(np.any(cb == c, axis=0)) for c in ca):
            return b
        cols = list(ca)  # sorted columns of ids, merged one
        for new in cb:  # a column of b at a time (insertion)
            for k, c in enumerate(cols):
                cols[k], new = np.minimum(c, new), np.maximum(c, new)
            cols.append(new)
        if not any(np.any(c == d) for c, d in itertools.pairwise(cols)):
            indptr = np.arange(rows + 1, dtype=np.int64) * (wa + wb)
            return _csr(indptr, np.stack(cols, axis=1).ravel(), a.shape[1])
    return sp.csr_array(a + b)  # shared inputs or ragged rows


def _union(parts: list[sp.csr_array]) -> sp.csr_array:
    out = parts[0]
    for q in parts[1:]:
        if q is not out:  # x * x, x + x: the same sets
            out = _union2(out, q)
    return out


def _empty(rows: int, n: int) -> sp.csr_array:
    return _csr(np.zeros(rows + 1, dtype=np.int64), np.zeros(0, dtype=np.int64), n)


def _everything(parts: list[sp.csr_array], rows: int, n: int) -> sp.csr_array:
    """Every row depends on every input element met in ``parts`` (conservative)."""
    cols = np.unique(np.concatenate([q.indices for q in parts]))
    indptr = np.arange(rows + 1, dtype=np.int64) * cols.size
    return _csr(indptr, np.tile(cols, rows), n)


def _grouped(groups: np.ndarray, n_in: int) -> sp.csr_array:
    """Dependency matrix whose row r depends on the input elements ``groups[r]``."""
    rows, width = groups.shape
    indptr = np.arange(rows + 1, dtype=np.int64) * width
    d = sp.csr_array((np.ones(groups.size, dtype=bool), groups.ravel(), indptr), (rows, n_in))
    d.sort_indices()
    return d


def _pairs(pa: sp.csr_array, pb: sp.csr_array) -> tuple[np.ndarray, np.ndarray]:
    """All pairs ``(i, j)`` with i in row r of ``pa`` and j in row r of ``pb``, over the rows."""
    ca, cb = np.diff(pa.indptr), np.diff(pb.indptr)
    if ca.size and ca.min() == ca.max() and cb.min() == cb.max():  # c entries in every row
        a = pa.indices.reshape(ca.size, -1, 1)
        b = pb.indices.reshape(cb.size, 1, -1)
        shape = (ca.size, a.shape[1], b.shape[2])
        return np.broadcast_to(a, shape).ravel(), np.broadcast_to(b, shape).ravel()
    rows = np.repeat(np.arange(ca.size), ca)  # row of each entry of pa
    i = np.repeat(pa.indices, cb[rows])
    j = pb.indices[ragged_arange(pb.indptr[rows], cb[rows])]
    return i, j


class SparsityTrace:
    """A transformation whose tracers carry dependency sets (see the module docstring)."""

    def __init__(self, n: int, hessian: bool = False) -> None:
        from dfdx.ad._trace import _levels

        self.level = next(_levels)
        self.n = n
        self.pairs: list[tuple[np.ndarray, np.ndarray]] | None = [] if hessian else None
        # sets whose pairs are recorded (x**2 and (1 - x)**2 share the sets of x: once)
        self.selves: dict[int, sp.csr_array] = {}

    def new(self, value: Any) -> Tracer:
        size = int(np.size(value))
        indptr = np.arange(size + 1, dtype=np.int64)
        return Tracer(value, self, _csr(indptr, np.arange(size, dtype=np.int64), self.n))

    def const_op(self, prim: Primitive, a: Tracer, other: Any, i: int) -> Any:
        return self.process(prim, (a, other) if i == 0 else (other, a), {})

    def process(self, prim: Primitive, args: Any, params: dict[str, Any]) -> Any:
        vals = list(args)
        sets: list[Any] = [None] * len(args)
        for i, a in enumerate(args):
            if type(a) is Tracer and a._trace is self:
                vals[i] = a.value
                sets[i] = a.aux
        ans = bind(prim, *vals, **params)
        live = [i for i, s in enumerate(sets) if s is not None]
        if prim.multiple:  # eigh, svd, qr, slogdet: every output from every input
            outs = [self._fallback(live, sets, a) for a in ans]
            if self.pairs is not None and live:
                self._self_pairs(self._fallback(live, sets, 0.0))
            return tuple(Tracer(a, self, o) for a, o in zip(ans, outs, strict=True))
        if not live:
            return Tracer(ans, self, None)
        aligned = None
        if (prim.ufunc is not None and prim is not _linalg.MATMUL) or prim in _ELEMENTWISE:
            out, aligned = self._elementwise(prim, vals, sets, live, ans)
        elif prim in _SAME:
            out = sets[live[0]]
        elif prim in _MOVES:
            out = self._move(prim, vals, sets, params)
        elif prim in _REDUCE:
            out = self._reduce(vals[0], sets[0], params[_REDUCE[prim]])
        elif prim in _SCAN:
            out = self._scan(vals[0], sets[0], params["axis"])
        elif prim is _sh.INDEX_ADD:
            out = self._index_add(sets[0], vals[0], params)
        elif prim is _linalg.MATMUL and max(np.ndim(vals[0]), np.ndim(vals[1])) <= 2:
            out, aligned = self._matmul(vals, sets)
        else:
            out = self._fallback(live, sets, ans)
        if self.pairs is not None and out is not None:
            self._second(prim, live, out, aligned)
        return Tracer(ans, self, out)

    # ------------------------------------------------------------ first order
    def _fallback(self, live: list[int], sets: list[Any], ans: Any) -> Any:
        if not live:
            return None
        return _everything([sets[i] for i in live], int(np.size(ans)), self.n)

    def _elementwise(self, prim: Primitive, vals: list, sets: list, live: list, ans: Any) -> Any:
        derivs = ELEMENTWISE.get(prim.ufunc, ())
        oshape = shape_of(ans)
        parts = []
        for i in live:
            if (i < len(derivs) and derivs[i] == ZERO) or (prim is _sh.WHERE and i == 0):
                continue
            p, s = sets[i], shape_of(vals[i])
            if s != oshape:
                ids = np.arange(int(np.prod(s)), dtype=np.int64).reshape(s)
                p = _take(p, np.broadcast_to(ids, oshape))
            parts.append(p)
        if not parts:
            return None, None
        return _union(parts), parts

    def _move(self, prim: Primitive, vals: list, sets: list, params: dict) -> Any:
        ids, stack, offset = [], [], 0
        for v, p in zip(vals, sets, strict=True):
            size = int(np.size(v))
            if p is None:
                ids.append(np.zeros(shape_of(v)))
                continue
            ids.append(
                np.arange(offset + 1, offset + size + 1, dtype=np.float64).reshape(shape_of(v))
            )
            stack.append(p)
            offset += size
        moved = np.asarray(prim.impl(*ids, **params)).real.ravel()
        rows = moved.astype(np.int64) - 1
        whole = stack[0] if len(stack) == 1 else _vstack(stack)
        return _take(whole, rows)

    def _reduce(self, x: Any, p: sp.csr_array, axes: Any) -> sp.csr_array:
        shape = shape_of(x)
        nd = len(shape)
        axes = tuple(range(nd)) if axes is None else axes
        axes = tuple(a % nd for a in ((axes,) if np.ndim(axes) == 0 else axes))
        if len(axes) == nd:  # a single output: every input met
            seen = np.zeros(self.n, dtype=bool)
            seen[p.indices] = True
            cols = np.flatnonzero(seen)
            return _csr(np.array([0, cols.size], dtype=np.int64), cols, self.n)
        ids = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
        kept = [a for a in range(nd) if a not in axes]
        groups = np.transpose(ids, kept + list(axes))
        width = int(np.prod([shape[a] for a in axes]))
        d = _grouped(groups.reshape(-1, width), ids.size)
        return sp.csr_array(d @ p)

    def _scan(self, x: Any, p: sp.csr_array, axis: int) -> sp.csr_array:
        shape = shape_of(x)
        ids = np.moveaxis(np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape), axis, -1)
        length = shape[axis] if shape else 1
        ids = ids.reshape(-1, length)
        later, earlier = np.tril_indices(length)
        rows, cols = ids[:, later].ravel(), ids[:, earlier].ravel()
        d = sp.coo_array((np.ones(rows.size, dtype=bool), (rows, cols)), (ids.size, ids.size))
        return sp.csr_array(d.tocsr() @ p)

    def _index_add(self, p: sp.csr_array, g: Any, params: dict) -> sp.csr_array:
        shape = tuple(params["shape"])
        target = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)[params["idx"]]
        src = np.arange(int(np.size(g)), dtype=np.int64).reshape(shape_of(g))
        target, src = np.broadcast_arrays(target, src)
        d = sp.coo_array(
            (np.ones(target.size, dtype=bool), (target.ravel(), src.ravel())),
            (int(np.prod(shape)), int(np.size(g))),
        )
        return sp.csr_array(d.tocsr() @ p)

    def _matmul(self, vals: list, sets: list) -> Any:
        a, b = (np.asarray(v) for v in vals)
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        m, k = a2.shape
        p = b2.shape[1]
        anz = np.ones((m, k), bool) if sets[0] is not None else a2 != 0
        bnz = np.ones((k, p), bool) if sets[1] is not None else b2 != 0
        parts = []
        if sets[0] is not None:
            d = sp.kron(sp.eye_array(m, dtype=bool), sp.csr_array(bnz.T), format="csr")
            parts.append(sp.csr_array(d @ sets[0]))
        if sets[1] is not None:
            d = sp.kron(sp.csr_array(anz), sp.eye_array(p, dtype=bool), format="csr")
            parts.append(sp.csr_array(d @ sets[1]))
        return _union(parts), parts

    # ------------------------------------------------------------ second order
    def _second(self, prim: Primitive, live: list, out: Any, aligned: Any) -> None:
        uf = prim.ufunc
        if prim.linear or prim in _MOVES or prim in _SAME or prim in _PIECEWISE_LINEAR:
            return
        if uf in _PIECEWISE_LINEAR_UFUNCS:
            return
        assert self.pairs is not None
        if uf in _BILINEAR_UFUNCS:
            if aligned is not None and len(aligned) == 2 and aligned[0] is aligned[1]:
                self._self_pairs(out)  # x * x
            elif aligned is not None and len(aligned) == 2:
                i, j = _pairs(aligned[0], aligned[1])
                self.pairs.append((np.concatenate([i, j]), np.concatenate([j, i])))
            elif aligned is None:
                self._self_pairs(out)
            return
        if uf in _LINEAR_IN_FIRST_UFUNCS and live == [0]:
            return
        self._self_pairs(out)

    def _self_pairs(self, p: sp.csr_array) -> None:
        """Record all pairs within each row of ``p`` (once per distinct set object)."""
        self.selves.setdefault(id(p), p)

    def hessian_pattern(self, final: Any) -> sp.csr_array:
        """Symmetric pattern of interacting pairs, restricted to the inputs ``final`` reaches.

        The pairs within the rows of a set ``P`` are the pattern of ``P.T @ P``,
        formed by scipy's sparse product without listing duplicate pairs; sets
        of one input per element only touch the diagonal.
        """
        n = self.n
        assert self.pairs is not None
        if final is None:
            return _empty(n, n)
        parts, pairs = [], list(self.pairs)
        diag = np.zeros(n, dtype=bool)
        covered = np.zeros(n, dtype=bool)  # columns whose diagonal a product holds
        for p in self.selves.values():
            if _width(p) == 1:
                diag[p.indices] = True
            elif p.indices.size:
                parts.append(sp.csr_array(p.T @ p))
                covered[p.indices] = True
        diag &= ~covered
        if diag.any():
            d = np.flatnonzero(diag)
            pairs.append((d, d))
        if pairs:  # each pair was recorded both ways: symmetric
            i = np.concatenate([q[0] for q in pairs])
            j = np.concatenate([q[1] for q in pairs])
            parts.append(sp.csr_array((np.ones(i.size, dtype=bool), (i, j)), shape=(n, n)))
        if not parts:
            return _empty(n, n)
        out = parts[0]
        for q in parts[1:]:
            out = out + q
        out = sp.csr_array(out)
        reach = np.zeros(n, dtype=bool)
        reach[final.indices] = True
        if not reach.all():
            r = sp.diags_array(reach.astype(bool), format="csr")
            out = sp.csr_array(r @ out @ r)
            out.eliminate_zeros()
        out.sum_duplicates()
        out.sort_indices()
        return out
