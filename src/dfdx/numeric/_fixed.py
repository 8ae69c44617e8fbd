"""The non-adaptive paths: a user-fixed step, and the complex step."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dfdx._core.result import Status
from dfdx.numeric._stencils import CENTRAL, fixed_stencil

__all__ = ["complex_step", "complex_step2", "fixed_step"]

Evaluate = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def fixed_step(
    evaluate: Evaluate, h: np.ndarray, *, n: int, mode: int, order: int, eps: float, dtype
) -> tuple[np.ndarray, ...]:
    """One uniform stencil of accuracy ``order`` with step ``h`` per point.

    The error estimate is the difference from the next lower-order stencil on
    a subset of the same nodes plus a rounding term; it is only an estimate
    (status ``FIXED_STEP``).  Returns ``(df, error, status, nfev)``.
    """
    nodes, w = fixed_stencil(mode, n, order)
    N = h.size
    idx = np.arange(N)
    T = (h[:, None] * nodes).astype(dtype)
    vals, raised = evaluate(idx, T)  # (N, k, q)
    hn = h[:, None].astype(np.float64) ** n
    df = np.einsum("akq,k->aq", vals, w) / hn
    rnd = 4 * eps * np.einsum("akq,k->aq", np.abs(vals), np.abs(w)) / hn
    lower = _lower(mode, n, order)
    if lower is None:
        err = np.full(df.shape, np.nan)
    else:
        keep, wl = lower
        dl = np.einsum("akq,k->aq", vals[:, keep], wl) / hn
        err = np.abs(df - dl) + rnd
    status = np.full(N, Status.FIXED_STEP, dtype=np.int8)
    status[~np.isfinite(df).all(axis=1)] = Status.NONFINITE_VALUE
    status[raised] = Status.FUNCTION_ERROR
    return df, err, status, np.full(N, nodes.size)


def _lower(mode: int, n: int, order: int):
    """Node subset and weights of the next lower order, or None."""
    step = 2 if mode == CENTRAL else 1
    if order - step < 1:
        return None
    nodes, _ = fixed_stencil(mode, n, order)
    low, wl = fixed_stencil(mode, n, order - step)
    keep = np.array([int(np.nonzero(nodes == v)[0][0]) for v in low])
    return keep, wl


def complex_step(
    evaluate: Evaluate,
    scale: np.ndarray,
    *,
    eps: float,
    dtype,
    h: np.ndarray | None = None,
    check_real: bool = False,
) -> tuple:
    """``Im f(x + i h) / h`` with a tiny ``h``: no subtraction, so no cancellation.

    Exact to rounding for functions analytic and real on the real axis whose
    code propagates complex numbers (no ``abs``, ``np.real``, comparisons).
    With ``check_real``, ``f`` is also evaluated at ``x`` itself (in the
    same call; ``nfev`` 2): a value with a nonzero imaginary part there
    (``(1 + 1j) * x``, ``sqrt`` of a negative number) means ``f`` is not
    real on the real axis and the complex step does not apply
    (``ValueError``).  A user-fixed ``h`` gives status
    ``FIXED_STEP`` and no error estimate (the truncation error, ``h**2 / 6``
    times the third derivative, is unknown).
    """
    fixed = h is not None
    h = np.asarray(scale * 1e-20 if h is None else h, dtype=np.float64)
    idx = np.arange(h.size)
    T = np.zeros((h.size, 1 + check_real), dtype=dtype)
    T[:, 0] = 1j * h
    vals, raised = evaluate(idx, T)
    if vals.dtype.kind != "c":
        raise ValueError(
            "`method='complex'` needs f to return complex values for complex input; "
            f"f returned dtype {vals.dtype} (it drops the imaginary part)"
        )
    centre = vals[:, -1]  # f(x) with check_real (else unused)
    not_real = (centre.imag != 0).any(axis=1) & ~raised & check_real
    if not_real.any():
        i = int(np.flatnonzero(not_real)[0])
        raise ValueError(
            "`method='complex'` needs f real on the real axis, but f(x) has an imaginary "
            f"part {complex(centre[i, 0])!r} at point {i} of {h.size}: "
            "use method='auto' (which also differentiates complex-valued f)"
        )
    df = vals[:, 0].imag / h[:, None]
    err = np.full(df.shape, np.nan) if fixed else 4 * eps * np.abs(df)
    status = np.full(h.size, Status.FIXED_STEP if fixed else Status.SUCCESS, dtype=np.int8)
    status[~(np.isfinite(df).all(axis=1) & np.isfinite(centre).all(axis=1))] = (
        Status.NONFINITE_VALUE
    )
    status[raised] = Status.FUNCTION_ERROR
    return df, err, status, np.full(h.size, 1 + check_real, dtype=np.intp)


_OMEGA = np.exp(0.25j * np.pi)  # the direction of the second-derivative complex step


def complex_step2(
    evaluate: Evaluate, scale: np.ndarray, *, eps: float, dtype, h: np.ndarray | None = None
) -> tuple:
    """Second derivatives by a complex step along ``e**(i pi / 4)``.

    With ``w = e**(i pi / 4)``, ``w**2 = i`` and ``w**4 = -1``, so
    ``D(h) = Im[f(x + w h) + f(x - w h)] / h**2 = f''(x) - h**4 f^(6)(x) / 360
    + O(h**8)``: the real ``2 f(x)`` never enters (no subtraction of nearly
    equal values of ``f``).  Three steps ``h, h/2, h/4`` (``h`` a power of
    two near ``scale / 16``, or the user's) give two Richardson values of
    order 8 and their combination; the error bound is the difference of the
    two (a bound on the error of the first) plus the rounding of the
    imaginary parts.  ``f(x)`` is evaluated too and must be real (as for
    :func:`complex_step`).  Seven evaluations per point.  Returns ``(df,
    error, status, nfev)``.
    """
    fixed = h is not None
    if h is None:
        h = np.exp2(np.round(np.log2(np.asarray(scale, dtype=np.float64) / 16)))
    h = np.asarray(h, dtype=np.float64)
    idx = np.arange(h.size)
    T = np.zeros((h.size, 7), dtype=dtype)
    for j in range(3):
        T[:, 2 * j] = _OMEGA * h * 0.5**j
        T[:, 2 * j + 1] = -T[:, 2 * j]
    vals, raised = evaluate(idx, T)
    if vals.dtype.kind != "c":
        raise ValueError(
            "`method='complex'` needs f to return complex values for complex input; "
            f"f returned dtype {vals.dtype} (it drops the imaginary part)"
        )
    centre = vals[:, 6]
    not_real = (centre.imag != 0).any(axis=1) & ~raised
    if not_real.any():
        i = int(np.flatnonzero(not_real)[0])
        raise ValueError(
            "`method='complex'` needs f real on the real axis, but f(x) has an imaginary "
            f"part {complex(centre[i, 0])!r} at point {i} of {h.size}: use method='auto'"
        )
    im = vals.imag
    h2 = (h * h)[:, None]
    D = [4.0**j * (im[:, 2 * j] + im[:, 2 * j + 1]) / h2 for j in range(3)]
    R0 = D[1] + (D[1] - D[0]) / 15.0
    R1 = D[2] + (D[2] - D[1]) / 15.0
    df = R1 + (R1 - R0) / 255.0
    rnd = sum(4.0**j * (np.abs(im[:, 2 * j]) + np.abs(im[:, 2 * j + 1])) for j in range(3))
    err = np.abs(R1 - R0) + 8.0 * eps * rnd / h2
    status = np.full(h.size, Status.FIXED_STEP if fixed else Status.SUCCESS, dtype=np.int8)
    finite = np.isfinite(df).all(axis=1) & np.isfinite(centre).all(axis=1)
    status[~finite] = Status.NONFINITE_VALUE
    status[raised] = Status.FUNCTION_ERROR
    return df, err, status, np.full(h.size, 7, dtype=np.intp)
