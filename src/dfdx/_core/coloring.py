"""Column coloring of sparse Jacobian patterns (distance-2 coloring of the bipartite graph).

Columns of one color share no row, so one product of the Jacobian with the
sum of their unit vectors gives every entry of every column of that color
(Curtis, Powell and Reid; Gebremedhin, Manne and Pothen, "What color is your
Jacobian?", SIAM Review 47, 2005).  Shared by ``dfdx.ad`` and ``dfdx.numeric``.

The greedy coloring is the sequential greedy in a vertex order (each column
takes the smallest color unused by the columns before it that share a row
with it; orders largest first, smallest last, natural, by default the best
of the three), computed in rounds in the manner of Jones and
Plassmann: in one round every column whose earlier neighbours are all
colored takes its color, so the work is vectorised over the columns and the
number of rounds is the longest chain of ordered neighbours.  Banded patterns
(every row's nonzeros within a window of ``w`` columns) also admit the cyclic
coloring ``j mod w``; the better of the two is returned, which reaches the
lower bound (the largest number of nonzeros in a row) on banded and
block-diagonal patterns.  Memory is O(nnz of the column intersection graph);
patterns whose rows are so dense that this graph would be much larger than
the pattern itself get the cyclic coloring (valid, memory O(nnz)).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = [
    "as_pattern",
    "check_coloring",
    "color_columns",
    "color_symmetric",
    "compress_seed",
    "positions",
    "ragged_arange",
    "recover",
    "symmetric_positions",
]

_ORDERS = ("best", "largest_first", "smallest_last", "natural", "random")
_MAX_PEEL = 256


def _csr(pattern: Any) -> sp.csr_array:
    if (
        isinstance(pattern, sp.csr_array)
        and pattern.dtype == bool
        and pattern.indices.dtype.kind == "i"
        and pattern.has_canonical_format
        and pattern.data.all()
    ):
        return pattern  # already a boolean pattern in canonical form (never modified here)
    if not sp.issparse(pattern):
        pattern = np.asarray(pattern)
        if pattern.ndim != 2:
            raise ValueError(
                f"`sparsity` must be a 2-D array or scipy.sparse matrix, got shape {pattern.shape}"
            )
    a = sp.csr_array(pattern)
    a.eliminate_zeros()
    a.sum_duplicates()
    a.sort_indices()
    return sp.csr_array(
        (np.ones(a.nnz, dtype=bool), a.indices.astype(np.int64), a.indptr.astype(np.int64)),
        shape=a.shape,
    )


def _row_of(a: sp.csr_array) -> np.ndarray:
    return np.repeat(np.arange(a.shape[0]), np.diff(a.indptr))


def _mex(owner: np.ndarray, col: np.ndarray, k: int) -> np.ndarray:
    """Smallest non-negative integer missing from ``{col[e] : owner[e] == i}``, for each i < k."""
    if owner.size == 0:
        return np.zeros(k, dtype=np.int64)
    width = int(col.max()) + 1
    key = np.unique(owner * width + col)
    o, c = key // width, key % width
    start = np.searchsorted(o, np.arange(k))
    rank = np.arange(key.size) - start[o]
    mex = np.bincount(o, minlength=k)  # no gap: the colors are 0..count-1
    bad = np.flatnonzero(c != rank)
    if bad.size:
        first = np.unique(o[bad], return_index=True)[1]
        mex[o[bad[first]]] = rank[bad[first]]
    return mex


def _graph(a: sp.csr_array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges (both ways, sorted by source) and degrees of the column intersection graph."""
    n = a.shape[1]
    at = a.T.tocsr()
    g = sp.csr_array(at.astype(np.int32) @ a.astype(np.int32))
    src = _row_of(g)
    dst = g.indices.astype(np.int64)
    off = src != dst
    src, dst = src[off], dst[off]
    return src, dst, np.bincount(src, minlength=n)


def _smallest_last(dst: np.ndarray, deg: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """Smallest-last order, peeling all vertices of the current smallest degree at once."""
    n = deg.size
    start = np.concatenate(([0], np.cumsum(deg)))
    d = deg.astype(np.int64).copy()
    alive = np.ones(n, dtype=bool)
    peeled = np.zeros(n, dtype=np.int64)
    for r in range(_MAX_PEEL):
        left = np.flatnonzero(alive)
        if left.size == 0:
            break
        batch = left[d[left] <= d[left].min()]
        alive[batch] = False
        peeled[batch] = r
        np.subtract.at(d, dst[ragged_arange(start[batch], deg[batch])], 1)
    else:  # very many rounds (long paths): the rest by remaining degree, largest first
        left = np.flatnonzero(alive)
        peeled[left] = _MAX_PEEL + np.argsort(np.argsort(-d[left], kind="stable"), kind="stable")
    return np.lexsort((tie, -peeled))  # the last peeled first


def _greedy(a: sp.csr_array, order: str, seed: int, graph: Any = None) -> np.ndarray:
    n = a.shape[1]
    src, dst, deg = _graph(a) if graph is None else graph
    tie = np.random.default_rng(seed).permutation(n)
    if order == "largest_first":
        perm = np.lexsort((tie, -deg))
    elif order == "smallest_last":
        perm = _smallest_last(dst, deg, tie)
    elif order == "random":
        perm = tie
    else:
        perm = np.arange(n)
    rank = np.empty(n, dtype=np.int64)
    rank[perm] = np.arange(n)
    keep = rank[dst] < rank[src]  # edge v -> earlier neighbour u
    src, dst = src[keep], dst[keep]  # sorted by src (CSR order)
    by_src = np.concatenate(([0], np.cumsum(np.bincount(src, minlength=n))))
    o = np.argsort(dst, kind="stable")  # the same edges, grouped by the earlier end
    later, by_dst = src[o], np.concatenate(([0], np.cumsum(np.bincount(dst, minlength=n))))
    waiting = np.diff(by_src).copy()
    colors = np.full(n, -1, dtype=np.int64)
    ready = np.flatnonzero(waiting == 0)
    while ready.size:
        cnt = by_src[ready + 1] - by_src[ready]
        idx = ragged_arange(by_src[ready], cnt)
        owner = np.repeat(np.arange(ready.size), cnt)
        colors[ready] = _mex(owner, colors[dst[idx]], ready.size)
        cnt = by_dst[ready + 1] - by_dst[ready]
        nxt = later[ragged_arange(by_dst[ready], cnt)]
        np.subtract.at(waiting, nxt, 1)
        nxt = np.unique(nxt)
        ready = nxt[waiting[nxt] == 0]
    return colors


def ragged_arange(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, s + c)`` over the pairs, without a Python loop."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    shift = np.repeat(starts - (ends - counts), counts)
    return np.arange(total, dtype=np.int64) + shift


def color_columns(sparsity: Any, order: str = "best", seed: int = 0) -> tuple[np.ndarray, int]:
    """Color the columns of a sparsity pattern so that no two columns of one color share a row.

    Parameters
    ----------
    sparsity : array_like or scipy.sparse matrix, shape (m, n)
        Structural nonzeros (any nonzero entry counts).
    order : {"best", "largest_first", "smallest_last", "natural", "random"}, default "best"
        Vertex order of the greedy coloring.  Largest first: columns meeting the
        most other columns first; smallest last: repeatedly set aside the
        columns meeting the fewest remaining ones and color them last (all of
        one smallest degree at once); ties in a random order fixed by ``seed``.
        "best" runs largest first, smallest last and natural order and keeps
        the fewest colors.
    seed : int, default 0
        Seed of the tie-breaking order (the result is deterministic).

    Returns
    -------
    colors : ndarray of int, shape (n,)
        Color of each column, ``0 <= colors < ncolors``.
    ncolors : int
        Number of colors, at least the largest number of nonzeros in a row.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from dfdx._core.coloring import color_columns
    >>> tri = sp.diags_array([1.0, 1.0, 1.0], offsets=[-1, 0, 1], shape=(6, 6))
    >>> colors, k = color_columns(tri)
    >>> k, colors.tolist()
    (3, [0, 1, 2, 0, 1, 2])
    """
    if order not in _ORDERS:
        raise ValueError(f"`order` must be one of {', '.join(map(repr, _ORDERS))}, got {order!r}")
    a = _csr(sparsity)
    m, n = a.shape
    if n == 0:
        return np.zeros(0, dtype=np.int64), 0
    counts = np.diff(a.indptr)
    lower = int(counts.max()) if m else 0
    if lower == 0:
        return np.zeros(n, dtype=np.int64), 1
    nonempty = counts > 0
    first = a.indices[a.indptr[:-1][nonempty]]
    last = a.indices[a.indptr[1:][nonempty] - 1]
    width = int((last - first).max()) + 1
    if width == lower:  # banded or block diagonal: the cyclic coloring is optimal
        return np.arange(n, dtype=np.int64) % width, width
    if float(np.sum(counts.astype(np.float64) ** 2)) > max(32.0 * a.nnz, 1e6):
        # dense rows: the column intersection graph would be far larger than the pattern;
        # keep the memory O(nnz) (a row coloring, reverse mode, suits such patterns)
        return np.arange(n, dtype=np.int64) % width, width
    if order == "best":
        graph = _graph(a)
        tries = [_greedy(a, o, seed, graph) for o in ("largest_first", "smallest_last", "natural")]
        colors = min(tries, key=lambda c: int(c.max()))
    else:
        colors = _greedy(a, order, seed)
    k = int(colors.max()) + 1
    if width < k:
        return np.arange(n, dtype=np.int64) % width, width
    return colors, k


def check_coloring(sparsity: Any, colors: Any) -> bool:
    """True when no two columns of one color have a nonzero in a common row.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx._core.coloring import check_coloring
    >>> S = np.array([[1, 1, 0], [0, 1, 1]])
    >>> check_coloring(S, [0, 1, 0]), check_coloring(S, [0, 0, 1])
    (True, False)
    """
    a = _csr(sparsity)
    colors = np.asarray(colors, dtype=np.int64)
    key = _row_of(a) * (int(colors.max(initial=0)) + 1) + colors[a.indices]
    return bool(np.unique(key).size == key.size)


def compress_seed(colors: np.ndarray, ncolors: int) -> np.ndarray:
    """Seed matrix ``V`` (ncolors, n): ``V[c, j] = 1`` where column j has color c."""
    seed = np.zeros((ncolors, colors.size))
    seed[colors, np.arange(colors.size)] = 1.0
    return seed


def positions(sparsity: sp.csr_array, colors: np.ndarray) -> np.ndarray:
    """Flat positions in the compressed ``(ncolors, m)`` array of the entries of ``sparsity``."""
    return colors[sparsity.indices] * sparsity.shape[0] + _row_of(sparsity)


def recover(
    sparsity: sp.csr_array, colors: np.ndarray, compressed: np.ndarray, pos: Any = None
) -> sp.csr_array:
    """CSR Jacobian from ``compressed[c, i] = sum of J[i, j] over the columns j of color c``.

    ``pos`` (from :func:`positions`) may be given to skip recomputing the positions.
    """
    if pos is None:
        pos = positions(sparsity, colors)
    values = np.ravel(compressed)[pos]
    out = sp.csr_array((values, sparsity.indices, sparsity.indptr), shape=sparsity.shape)
    out.has_sorted_indices = True
    return out


def as_pattern(sparsity: Any) -> sp.csr_array:
    """Boolean CSR copy of a pattern with sorted indices and no explicit zeros."""
    return _csr(sparsity)


def color_symmetric(sparsity: Any, order: str = "best") -> tuple[np.ndarray, int]:
    """Star coloring of a symmetric pattern for direct recovery of a Hessian.

    Each entry ``H[i, j]`` is read either from row i of ``H @ V`` at the color
    of j (when j is the only column of its color in row i) or, by symmetry,
    from row j at the color of i.  The coloring separates hubs (rows much
    denser than the median) from the other columns: the others are colored so
    that no two of one color share a non-hub row, the hubs with colors of
    their own so that no two share any row.  Every edge then has an end whose
    row sees the other end alone in its color (a star coloring), and an
    arrowhead pattern needs 2 colors where a column coloring needs n.  Without
    hubs it is the column coloring of :func:`color_columns`.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx._core.coloring import color_columns, color_symmetric
    >>> arrow = np.eye(6, dtype=bool)
    >>> arrow[0] = arrow[:, 0] = True
    >>> color_columns(arrow)[1], color_symmetric(arrow)[1]
    (6, 2)
    """
    a = _csr(sparsity)
    n = a.shape[0]
    best = color_columns(a, order=order)
    if n == 0:
        return best
    deg = np.diff(a.indptr)
    med = max(float(np.median(deg)), 1.0)
    for factor in (2.0, 4.0, 8.0):
        hub = deg > factor * med
        if not hub.any() or hub.all():
            continue
        other = np.flatnonzero(~hub)
        c1, k1 = color_columns(a[other][:, other], order=order)
        c2, k2 = color_columns(a[:, np.flatnonzero(hub)], order=order)
        if k1 + k2 < best[1]:
            colors = np.empty(n, dtype=np.int64)
            colors[other] = c1
            colors[hub] = k1 + c2
            best = (colors, k1 + k2)
    return best


def symmetric_positions(sparsity: sp.csr_array, colors: np.ndarray) -> np.ndarray:
    """Flat positions in the compressed ``(ncolors, n)`` products of each entry of a symmetric
    pattern, reading ``H[i, j]`` in row i when j is alone in its color there, else in row j.

    Raises ``ValueError`` when some entry can be read in neither row (not a star coloring).
    """
    n = sparsity.shape[0]
    rows, cols = _row_of(sparsity), sparsity.indices.astype(np.int64)
    k = int(colors.max(initial=0)) + 1
    key = rows * k + colors[cols]
    if n * k <= 4 * key.size + n:
        direct = np.bincount(key, minlength=n * k)[key] == 1
    else:
        _, inv, cnt = np.unique(key, return_inverse=True, return_counts=True)
        direct = cnt[inv] == 1
    pos = colors[cols] * n + rows
    if direct.all():  # a column coloring: every entry from its own row
        return pos
    where = np.searchsorted(rows * n + cols, cols * n + rows)  # entry (j, i) of entry (i, j)
    if not np.all(direct | direct[where]):
        raise ValueError("the coloring is not a star coloring of the pattern")
    return np.where(direct, pos, colors[rows] * n + cols)
