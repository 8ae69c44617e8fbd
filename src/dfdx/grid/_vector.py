"""Vector calculus on N-D grids: gradient, Laplacian, divergence and curl."""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx._core.validate import as_float_array
from dfdx.grid._apply import apply_nonuniform, apply_uniform
from dfdx.grid._diff import _kind, diff
from dfdx.grid._laplace import laplacian_uniform
from dfdx.grid._stencils import uniform_stencil
from dfdx.grid._validate import check_orders, resolve_grid

__all__ = ["curl", "divergence", "gradient", "laplacian"]


def _per_axis(spacings: tuple, ndim: int) -> list[dict]:
    """``x=``/``dx=`` keyword pairs for each axis, from numpy.gradient-style varargs."""
    if len(spacings) == 0:
        return [{} for _ in range(ndim)]
    if len(spacings) == 1 and np.ndim(spacings[0]) == 0:
        return [{"dx": spacings[0]} for _ in range(ndim)]
    if len(spacings) != ndim:
        raise ValueError(
            f"`spacings_or_coords` must have 0, 1 or {ndim} entries (one per axis), "
            f"got {len(spacings)}"
        )
    return [{"dx": s} if np.ndim(s) == 0 else {"x": s} for s in spacings]


def _flags(periodic: Any, ndim: int) -> list:
    if isinstance(periodic, bool | np.bool_):
        return [bool(periodic)] * ndim
    flags = list(periodic)
    if len(flags) != ndim:
        raise ValueError(
            f"`periodic` must be a bool or one bool per axis ({ndim}), got {len(flags)} entries"
        )
    return flags


def gradient(f: Any, *spacings_or_coords: Any, acc: int = 2, periodic: Any = False) -> Any:
    """Partial derivatives of an N-D field along every axis.

    Parameters
    ----------
    f : array_like, dask array or xarray.DataArray
        The field.
    *spacings_or_coords : scalar or 1-D array, optional
        As for :func:`numpy.gradient`: nothing (spacing 1), one scalar for all
        axes, or one entry per axis, each a spacing or a coordinate array.
    acc : int, optional
        Order of accuracy, at every point including the edges.  Default 2.
    periodic : bool or sequence of bool, optional
        Periodicity, for all axes or per axis.  Default False.

    Returns
    -------
    ndarray or tuple of ndarray
        Like :func:`numpy.gradient`: one array for 1-D ``f``, else a tuple with
        ``df/dx_i`` for each axis ``i``.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.grid import gradient
    >>> x, y = np.linspace(0, 1, 5), np.linspace(0, 2, 9)
    >>> f = x[:, None] ** 2 * y[None, :]
    >>> fx, fy = gradient(f, x, y)
    >>> bool(np.allclose(fx, 2 * x[:, None] * y)), bool(np.allclose(fy, x[:, None] ** 2 + 0 * y))
    (True, True)
    """
    ndim = np.ndim(f) if _kind(f) != "xarray" else f.ndim
    grids, flags = _per_axis(spacings_or_coords, ndim), _flags(periodic, ndim)
    parts = tuple(
        diff(f, axis=ax, n=1, acc=acc, periodic=flags[ax], **grids[ax]) for ax in range(ndim)
    )
    return parts[0] if ndim == 1 else parts


def laplacian(f: Any, *spacings_or_coords: Any, acc: int = 2, periodic: Any = False) -> Any:
    """Sum of the second derivatives along every axis.

    Parameters
    ----------
    f : array_like or dask array
        The field.
    *spacings_or_coords : scalar or 1-D array, optional
        As in :func:`gradient`.
    acc : int, optional
        Order of accuracy, at every point including the edges.  Default 2.
    periodic : bool or sequence of bool, optional
        Periodicity, for all axes or per axis.  Default False.

    Returns
    -------
    ndarray
        Same shape as ``f``.

    Notes
    -----
    For NumPy input with uniform spacing every point away from the edges is
    computed in one fused, cache-blocked pass; the result is the only
    temporary the size of ``f``.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.grid import laplacian
    >>> x = np.linspace(-1, 1, 7)
    >>> f = x[:, None, None] ** 2 + x[None, :, None] ** 2 - 2 * x[None, None, :] ** 2
    >>> bool(np.allclose(laplacian(f, x[1] - x[0]), 0.0))
    True
    """
    if _kind(f) != "numpy":
        ndim = f.ndim
        grids, flags = _per_axis(spacings_or_coords, ndim), _flags(periodic, ndim)
        total = None
        for ax in range(ndim):
            part = diff(f, axis=ax, n=2, acc=acc, periodic=flags[ax], **grids[ax])
            total = part if total is None else total + part
        return total
    y = as_float_array(f, "f")
    if y.ndim == 0:
        raise ValueError("`f` must have at least one dimension, got a scalar")
    grids, flags = _per_axis(spacings_or_coords, y.ndim), _flags(periodic, y.ndim)
    resolved = []
    for ax in range(y.ndim):
        _, acc, _, flag = check_orders(2, acc, "fd", flags[ax])
        kw = grids[ax]
        resolved.append(
            resolve_grid(
                kw.get("x"),
                kw.get("dx"),
                y.shape[ax],
                n=2,
                acc=acc,
                periodic=flag,
                method="fd",
                axis=ax,
            )
        )
    if all(g.uniform for g in resolved):
        fused = laplacian_uniform(y, [g.h for g in resolved], acc, flags)
        if fused is not None:
            return fused
    out = np.empty_like(y)
    for ax, g in enumerate(resolved):
        if g.uniform:
            st = uniform_stencil(2, acc)
            apply_uniform(y, out, ax, st, g.h, periodic=flags[ax], accumulate=ax > 0)
        else:
            apply_nonuniform(y, out, ax, g.x, 2, acc, accumulate=ax > 0)
    return out


def _components(field: Any, name: str) -> list:
    if _kind(field) == "numpy" and not isinstance(field, list | tuple):
        field = as_float_array(field, name)
        return [field[i] for i in range(field.shape[0])]
    return list(field)


def divergence(field: Any, *spacings_or_coords: Any, acc: int = 2, periodic: Any = False) -> Any:
    """Divergence ``sum_i dF_i/dx_i`` of a vector field on an N-D grid.

    Parameters
    ----------
    field : sequence of N arrays, or array of shape (N, ...)
        Components; component ``i`` is differentiated along axis ``i``.
    *spacings_or_coords, acc, periodic
        As in :func:`gradient`.

    Returns
    -------
    ndarray
        Same shape as one component.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.grid import divergence
    >>> x = np.linspace(0, 1, 6)
    >>> X, Y = np.meshgrid(x, x, indexing="ij")
    >>> bool(np.allclose(divergence([X * Y, Y**2], x, x), 3 * Y))
    True
    """
    comps = _components(field, "field")
    ndim = np.ndim(comps[0]) if _kind(comps[0]) != "xarray" else comps[0].ndim
    if len(comps) != ndim:
        raise ValueError(
            f"`field` must have one component per axis ({ndim}), got {len(comps)} components"
        )
    grids, flags = _per_axis(spacings_or_coords, ndim), _flags(periodic, ndim)
    total = None
    for ax, comp in enumerate(comps):
        part = diff(comp, axis=ax, acc=acc, periodic=flags[ax], **grids[ax])
        if total is None:
            total = part
        elif isinstance(total, np.ndarray) and total.dtype == np.result_type(total, part):
            total += part
        else:
            total = total + part
    return total


def curl(field: Any, *spacings_or_coords: Any, acc: int = 2, periodic: Any = False) -> Any:
    """Curl of a 3-D vector field (or the scalar curl of a 2-D one).

    Parameters
    ----------
    field : sequence of 3 (or 2) arrays, or array of shape (3, nx, ny, nz)
        Components ``(Fx, Fy, Fz)`` on a grid indexed ``[x, y, z]``
        (``indexing="ij"``).
    *spacings_or_coords, acc, periodic
        As in :func:`gradient`.

    Returns
    -------
    tuple of ndarray or ndarray
        ``(dFz/dy - dFy/dz, dFx/dz - dFz/dx, dFy/dx - dFx/dy)``; for 2-D
        input the single array ``dFy/dx - dFx/dy``.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.grid import curl
    >>> x = np.linspace(-1, 1, 5)
    >>> X, Y, Z = np.meshgrid(x, x, x, indexing="ij")
    >>> cx, cy, cz = curl([-Y, X, 0 * Z], x, x, x)      # rigid rotation about z
    >>> bool(np.allclose(cz, 2.0)), bool(np.allclose(cx, 0.0))
    (True, True)
    """
    comps = _components(field, "field")
    ndim = np.ndim(comps[0]) if _kind(comps[0]) != "xarray" else comps[0].ndim
    if ndim not in (2, 3) or len(comps) != ndim:
        raise ValueError(
            "`field` must be 3 components on a 3-D grid (or 2 on a 2-D grid), "
            f"got {len(comps)} components on a {ndim}-D grid"
        )
    grids, flags = _per_axis(spacings_or_coords, ndim), _flags(periodic, ndim)

    def d(comp: Any, ax: int) -> Any:
        return diff(comp, axis=ax, acc=acc, periodic=flags[ax], **grids[ax])

    if ndim == 2:
        return d(comps[1], 0) - d(comps[0], 1)
    fx, fy, fz = comps
    return (d(fz, 1) - d(fy, 2), d(fx, 2) - d(fz, 0), d(fy, 0) - d(fx, 1))
