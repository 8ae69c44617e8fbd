"""Dask arrays: lazy derivatives chunk by chunk, with halos of the stencil width.

Each chunk is extended by ``depth`` samples from its neighbours along the
axis (``dask.array.map_overlap`` with ``boundary="none"``), differentiated
with the NumPy kernels, and trimmed back.  The first and last chunks get no
halo on their outer side, so the global edges use the same one-sided
stencils as the NumPy path; interior chunk boundaries see the central
stencil.  Chunks shorter than the stencil are merged with their neighbours
first (``dask.array.gradient`` refuses them).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx.grid._diff import compute, fd_numpy, make_result
from dfdx.grid._stencils import min_length, nonuniform_extent, uniform_stencil
from dfdx.grid._validate import Grid, check_orders, normalise_axis, resolve_grid

__all__ = ["diff_dask", "import_dask"]


def import_dask() -> Any:
    """``dask.array``, or an ImportError naming the extra to install."""
    try:
        import dask.array as da
    except ImportError as exc:
        raise ImportError(
            'dask arrays need the optional dependency dask: pip install "dfdx[dask]"'
        ) from exc
    return da


def merge_chunks(chunks: tuple, need: int) -> tuple:
    """Merge neighbouring chunks until each has at least ``need`` samples."""
    merged: list[int] = []
    pending = 0
    for size in chunks:
        pending += size
        if pending >= need:
            merged.append(pending)
            pending = 0
    if pending:
        if merged:
            merged[-1] += pending
        else:
            merged.append(pending)
    return tuple(merged)


def _lazy_fd(da, y, axis, n, acc, grid, periodic):
    if n == 0:
        return y.copy()
    depth = uniform_stencil(n, acc).half if grid.uniform else max(nonuniform_extent(n, acc))
    need = max(min_length(n, acc, uniform=grid.uniform, periodic=periodic), depth, 1)
    chunks = merge_chunks(y.chunks[axis], need)
    if chunks != y.chunks[axis]:
        y = y.rechunk({axis: chunks})
    depths = {ax: (depth if ax == axis else 0) for ax in range(y.ndim)}
    boundary = "periodic" if periodic else "none"
    if grid.uniform:

        def block(part: np.ndarray) -> np.ndarray:
            return fd_numpy(part, axis, n, acc, grid, False)

        return y.map_overlap(block, depth=depths, boundary=boundary, dtype=y.dtype)
    shape = [1] * y.ndim
    shape[axis] = grid.x.size
    xs = da.from_array(
        grid.x.reshape(shape),
        chunks=tuple((c if ax == axis else (1,)) for ax, c in enumerate(y.chunks)),
    )

    def block_x(part: np.ndarray, coords: np.ndarray) -> np.ndarray:
        return fd_numpy(part, axis, n, acc, Grid(None, coords.ravel()), False)

    return da.map_overlap(
        block_x, y, xs, depth=depths, boundary=boundary, dtype=y.dtype, align_arrays=False
    )


def diff_dask(
    y, x=None, *, dx=None, axis=-1, n=1, acc=2, periodic=False, method="fd", return_error=False
):
    """:func:`dfdx.grid.diff` for a dask array: a lazy dask array of the same chunks."""
    da = import_dask()
    n, acc, method, periodic = check_orders(n, acc, method, periodic)
    if y.dtype.kind in "biu":
        y = y.astype(np.float64)
    elif y.dtype == np.float16:
        y = y.astype(np.float32)
    elif y.dtype.kind not in "fc":
        raise TypeError(f"`y` must be array-like of numbers, got dtype {y.dtype}")
    axis = normalise_axis(axis, y.ndim)
    if x is not None and type(x).__module__.split(".")[0] == "dask":
        x = np.asarray(x.compute())
    grid = resolve_grid(
        x, dx, y.shape[axis], n=n, acc=acc, periodic=periodic, method=method, axis=axis
    )
    if method != "fd":
        whole = y.rechunk({axis: -1})
        df = whole.map_blocks(compute, axis, n, acc, method, periodic, grid, False, dtype=y.dtype)
        if return_error:
            return compute(np.asarray(whole), axis, n, acc, method, periodic, grid, True)
        return df.rechunk(y.chunks)
    original = y.chunks
    df = _lazy_fd(da, y, axis, n, acc, grid, periodic)
    if df.chunks != original:
        df = df.rechunk(original)
    if not return_error:
        return df
    import dask

    note = ""
    if y.shape[axis] >= min_length(n, acc + 2, uniform=grid.uniform, periodic=periodic):
        error = abs(df - _lazy_fd(da, y, axis, n, acc + 2, grid, periodic))
        df, error = dask.compute(df, error)
    else:
        (df,) = dask.compute(df)
        note = f"; too few samples for order {acc + 2}: no error estimate"
    return make_result(df, error, axis, n, acc, method, periodic, grid, note)
