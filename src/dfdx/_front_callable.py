"""The front door for callables: elementwise checks and per-point numeric retries.

``dfdx.derivative(f, x)`` is the derivative of an *elementwise* function: output
``i`` depends on ``x[i]`` only.  Anything else (a reduction, a reversal, a
convolution) has a Jacobian with off-diagonal entries, and its "derivative at
the points" has no meaning; both engines would return a number anyway (the
automatic one the row sums of the Jacobian, the numerical one something that
depends on the steps).  So the front door checks first and refuses.

* Automatic differentiation: forward mode along a random positive tangent
  ``v`` gives ``J v``.  For a diagonal ``J`` it equals ``d * v`` (``d`` the
  derivative along the ones tangent) to rounding; an off-diagonal entry
  ``J[i, j]`` adds ``J[i, j] * (v[j] - v[i])`` to row ``i``, which random
  ``v`` makes visible.  Both products come from one pass on ``x`` followed by
  copies of up to ``PROBE_POINTS`` of its points (ones on ``x``, ``v`` on the
  copies): for a first derivative that pass *is* the derivative, so the check
  costs nothing beyond the copies; higher derivatives (Taylor mode) add one
  small pass on the copies.
* Numerical differentiation: black boxes are probed with a few evaluations.
  The points are split into two groups (by one bit of a random numbering),
  one group is moved and the outputs of the other group must stay bit for bit
  the same; every pair of points lands in different groups for some bit when
  there are at most ``2**PROBE_BITS`` of them, and with probability
  ``1 - 2**-PROBE_BITS`` beyond.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dfdx._core.result import DerivativeResult, Status

__all__ = ["NotElementwiseError", "ad_derivative", "check_numeric_elementwise", "not_elementwise"]

#: Bits of the random numbering used by the numerical probe (2 evaluations each).
PROBE_BITS = 3
#: Most points the elementwise checks look at (spread over ``x``).
PROBE_POINTS = 64
#: Relative change of an unmoved point's output that the numerical probe ignores
#: (vectorised kernels may round a value differently at another position).
PROBE_RTOL = 1e-12
#: Relative mismatch between ``J v`` and ``d * v`` that marks cross-dependence.
AD_MISMATCH = 1e-8

_ALTERNATIVES = (
    "for a gradient of a scalar function use dfdx.grad, for a Jacobian dfdx.jacobian "
    "(automatic) or dfdx.numeric.gradient / dfdx.numeric.jacobian (numerical)"
)


class NotElementwiseError(ValueError):
    """A callable given to ``dfdx.derivative`` that is not elementwise."""


def not_elementwise(detail: str) -> NotElementwiseError:
    """The front door's refusal of a callable that is not elementwise."""
    return NotElementwiseError(
        f"`obj` must be an elementwise function (output i depends on x[i] only) for "
        f"dfdx.derivative: {detail}; {_ALTERNATIVES}"
    )


def _check_shape(out: Any, xs: np.ndarray) -> None:
    shape = np.shape(out)
    if shape != xs.shape and np.broadcast_shapes(shape, xs.shape) != xs.shape:
        raise not_elementwise(f"f(x) has shape {shape}, x has shape {xs.shape}")
    if shape != xs.shape and xs.size > 1 and np.ndim(out) > 0:
        raise not_elementwise(f"f(x) has shape {shape}, x has shape {xs.shape}")


def _scrambled(shape: tuple[int, ...]) -> np.ndarray:
    """Pseudo-random numbers in [0, 1), one per element, cheap (no generator to seed)."""
    i = np.arange(1, int(np.prod(shape)) + 1, dtype=np.float64).reshape(shape)
    return (i * 0.6180339887498949 + 0.1234) % 1.0


def _random_tangent(xs: np.ndarray) -> np.ndarray:
    return 1.0 + _scrambled(xs.shape)


def _probe_points(xs: np.ndarray) -> np.ndarray | None:
    """Flat indices of at most ``PROBE_POINTS`` points spread over ``xs`` (None: all)."""
    if xs.size <= PROBE_POINTS:
        return None
    return np.unique(np.linspace(0, xs.size - 1, PROBE_POINTS).round().astype(np.intp))


def _agrees(jv: np.ndarray, d_head: np.ndarray, sub_index: Any, v: np.ndarray) -> bool:
    dv = d_head[sub_index] * v
    with np.errstate(invalid="ignore", over="ignore"):
        bad = np.abs(jv - dv) > AD_MISMATCH * (np.abs(jv) + np.abs(dv))
    bad &= np.isfinite(jv) & np.isfinite(dv)
    return not bool(np.any(bad))


_CROSS = (
    "automatic differentiation along a random tangent shows outputs depending on other "
    "inputs than their own (the Jacobian is not diagonal)"
)


def _checked_first(func: Callable, xs: np.ndarray) -> np.ndarray | None:
    """The first derivative and the elementwise check in one forward pass (None: failed).

    The pass runs on ``x`` (flattened) followed by up to ``PROBE_POINTS`` of
    its points, with tangent ones on ``x`` and a random ``v`` on the copies.
    """
    flat = xs.ravel()
    idx = _probe_points(xs)
    idx = np.arange(flat.size) if idx is None else idx
    try:
        d, ok = _paired_jvp_at(func, flat, idx)
    except NotElementwiseError:
        raise
    except Exception:  # f needs x's own shape: the slow path
        return None
    if not ok:
        raise not_elementwise(_CROSS)
    return d.reshape(xs.shape)


def _paired_jvp_at(func: Callable, flat: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, bool]:
    from dfdx import ad

    sub = flat[idx]
    v = _random_tangent(sub)
    both = np.concatenate([flat, sub])
    with np.errstate(all="ignore"):
        out, jv = ad.jvp(func, (both,), (np.concatenate([np.ones_like(flat), v]),))
    _check_shape(out, both)
    jv = np.broadcast_to(np.asarray(jv), both.shape)
    d = jv[: flat.size]
    return d, _agrees(jv[flat.size :], d, idx, v)


def _ad_check(func: Callable, xs: np.ndarray) -> None:
    """Refuse ``func`` when forward mode along a random tangent shows cross-dependence.

    One pass on two copies of up to ``PROBE_POINTS`` points of ``xs``; on all
    of ``xs`` (two passes) when ``func`` fails on such a sample, for instance
    because it closes over arrays of the shape of ``xs``.
    """
    idx = _probe_points(xs)
    sub = xs.ravel() if idx is None else xs.ravel()[idx]
    try:
        _, ok = _paired_jvp_at(func, sub, np.arange(sub.size))
    except NotElementwiseError:
        raise
    except Exception:  # checked on all points, in their own shape, instead
        ok = None
    if ok is not None:
        if not ok:
            raise not_elementwise(_CROSS)
        return
    from dfdx import ad

    with np.errstate(all="ignore"):
        out, d1 = ad.jvp(func, (xs,), (np.ones_like(xs),))
        _check_shape(out, xs)
        v = _random_tangent(xs)
        out, jv = ad.jvp(func, (xs,), (v,))
    d1 = np.broadcast_to(np.asarray(d1), xs.shape)
    if not _agrees(np.broadcast_to(np.asarray(jv), xs.shape), d1, Ellipsis, v):
        raise not_elementwise(_CROSS)


def ad_derivative(func: Callable, x: Any, n: int) -> DerivativeResult:
    """The elementwise derivative by automatic differentiation, checked elementwise.

    A first derivative comes from one forward pass that also checks that
    ``func`` is elementwise; higher ones from Taylor mode plus a small check.
    Points where automatic differentiation gives NaN or inf while ``func`` is
    finite are retried numerically (status and error from
    :func:`dfdx.numeric.derivative`), the message says how many and
    ``params["retried"]`` marks them.
    """
    from dfdx import ad

    xs = np.asarray(x)
    if xs.dtype.kind in "biu":
        xs = xs.astype(float)
    several = xs.ndim > 0 and xs.size > 1 and not isinstance(func, np.ufunc)
    df = _checked_first(func, xs) if several and n == 1 else None
    if df is None:
        with np.errstate(all="ignore"):  # failures are reported per point below
            df = np.asarray(ad.derivative(func, n)(xs))
        if df.shape != xs.shape and xs.ndim and df.size != 1:
            raise not_elementwise(f"f(x) has shape {df.shape}, x has shape {xs.shape}")
        if several:
            _ad_check(func, xs)
    df = np.broadcast_to(df, xs.shape).copy() if df.shape != xs.shape else df
    finite = np.isfinite(df)
    status = np.where(finite, Status.EXACT, Status.NONFINITE_VALUE).astype(np.int8)
    error = np.where(finite, 0.0, np.nan)
    message = "exact to rounding: automatic differentiation"
    params: dict = {"n": n}
    if not np.all(finite):
        df, error, status, message, retried = _retry(func, xs, n, df, error, status)
        params["retried"] = retried
    return DerivativeResult(
        df=df, error=error, status=status, method="ad", message=message, params=params
    )


def _retry(func: Callable, xs: np.ndarray, n: int, df, error, status) -> tuple:
    """Retry numerically where automatic differentiation failed but ``func`` is finite."""
    from dfdx import numeric

    with np.errstate(all="ignore"):
        fx = np.broadcast_to(np.asarray(func(xs)), xs.shape)
    failed = ~np.isfinite(df)
    retry = failed & np.isfinite(fx) & np.isfinite(xs)
    exact = int(np.count_nonzero(~failed))
    if not np.any(retry):
        return (
            df,
            error,
            status,
            f"automatic differentiation: exact to rounding at {exact} of {df.size} points, "
            f"failed (NaN or inf) at {df.size - exact}",
            retry,
        )
    df, error, status = np.array(df, dtype=float), np.array(error), np.array(status)
    if np.ndim(df) == 0:
        df, error, status = df.reshape(1), error.reshape(1), status.reshape(1)
        retry, xs = retry.reshape(1), xs.reshape(1)
    r = numeric.derivative(func, xs[retry], n=n, vectorized=False)
    df[retry], error[retry], status[retry] = r.df, r.error, r.status
    shape = np.shape(fx)
    ok = int(np.count_nonzero(np.asarray(r.success)))
    message = (
        f"automatic differentiation: exact to rounding at {exact} of {df.size} points; "
        f"it failed (NaN or inf) at {int(np.count_nonzero(failed))}; retried by numerical "
        f"differentiation where f is finite: {int(np.count_nonzero(retry))} "
        f"({ok} succeeded; see status and error)"
    )
    out = (df.reshape(shape), error.reshape(shape), status.reshape(shape))
    return (*out, message, retry.reshape(shape))


def check_numeric_elementwise(func: Callable, x: Any, args: tuple = ()) -> None:
    """Probe a black box for cross-dependence (on at most ``PROBE_POINTS`` points).

    Raises the front door's ``ValueError`` when moving one group of points
    changes the outputs of the other group, or when ``f(x)`` has another
    shape.  Functions that fail on the probe's points are left alone (they
    are called point by point later, or fail with their own error).
    """
    xs = np.asarray(x)
    xs = xs.astype(float) if xs.dtype.kind in "biu" else xs
    if xs.ndim == 0 or xs.size < 2 or isinstance(func, np.ufunc):  # ufuncs are elementwise
        return
    idx = _probe_points(xs)
    if idx is not None:
        try:
            _probe(func, xs.ravel()[idx], args)
            return
        except NotElementwiseError:
            raise
        except Exception:  # probed on all points instead
            pass
    try:
        _probe(func, xs, args)
    except NotElementwiseError:
        raise
    except Exception:  # scalar-only functions are called point by point
        return


def _close(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Equal to ``PROBE_RTOL`` (NaN equal to NaN), elementwise."""
    with np.errstate(invalid="ignore", over="ignore"):
        near = np.abs(a - b) <= PROBE_RTOL * np.maximum(np.abs(a), np.abs(b))
    return near | (a == b) | (np.isnan(a) & np.isnan(b))


def _probe(func: Callable, xs: np.ndarray, args: tuple) -> None:
    """Move groups of points and watch the others; all variants in one call when f allows."""
    scramble = _scrambled(xs.shape)
    if xs.size <= 2**PROBE_BITS:  # distinct numbers: every pair is separated by some bit
        rank = np.arange(xs.size).reshape(xs.shape)
    else:
        rank = (scramble * 2**PROBE_BITS).astype(np.int64)
    step = 1e-3 * (np.abs(xs) + 1.0) * (1.0 + scramble)
    bits = min(PROBE_BITS, max(1, int(np.ceil(np.log2(xs.size)))))
    moved = []
    for b in range(bits):
        group = (rank >> b) & 1 == 1
        moved += [group, ~group]
    variants = np.stack([xs] + [np.where(m, xs + step, xs) for m in moved])
    with np.errstate(all="ignore"):
        base = np.asarray(func(xs, *args))
    _check_shape(base, xs)
    base = np.broadcast_to(base, xs.shape)
    outs = None
    try:  # the numeric engine itself calls f on stacked batches of points
        with np.errstate(all="ignore"):
            outs = np.asarray(func(variants, *args))
    except Exception:  # one variant per call below
        outs = None
    if outs is None or outs.shape != variants.shape or not np.all(_close(outs[0], base)):
        # f does not broadcast over a stack, or the stack changed row 0 (a reduction
        # over the whole batch): one variant per call
        with np.errstate(all="ignore"):
            rows = [np.broadcast_to(np.asarray(func(v, *args)), xs.shape) for v in variants[1:]]
        outs = np.stack([base, *rows])
    if np.any(~np.stack(moved) & ~_close(outs[1:], base)):
        raise not_elementwise(
            f"moving some points changed f at others (a probe with {2 * bits + 1} evaluations)"
        )
