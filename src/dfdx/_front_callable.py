"""The front door for callables: elementwise checks and per-point numeric retries.

``dfdx.derivative(f, x)`` is the derivative of an *elementwise* function: output
``i`` depends on ``x[i]`` only.  Anything else (a reduction, a reversal, a
convolution) has a Jacobian with off-diagonal entries, and its "derivative at
the points" has no meaning; both engines would return a number anyway (the
automatic one the row sums of the Jacobian, the numerical one something that
depends on the steps).  So the front door checks first and refuses.

* Automatic differentiation: one extra forward-mode pass along a random
  positive tangent ``v`` gives ``J v``.  For a diagonal ``J`` it equals
  ``d * v`` (``d`` the derivative along the ones tangent) to rounding; an
  off-diagonal entry ``J[i, j]`` adds ``J[i, j] * (v[j] - v[i])`` to row ``i``,
  which random ``v`` makes visible.  The cost is one forward pass, the same as
  a first derivative.
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


def _ad_check(func: Callable, xs: np.ndarray, d1: np.ndarray | None) -> None:
    """Refuse ``func`` when forward mode along a random tangent shows cross-dependence.

    Checked on at most ``PROBE_POINTS`` points taken from ``xs`` (all of them
    when ``func`` fails on such a sample, for instance because it closes over
    arrays of the shape of ``xs``).
    """
    idx = _probe_points(xs)
    if idx is not None:
        sub = xs.ravel()[idx]
        try:
            _ad_compare(func, sub, None if d1 is None else d1.ravel()[idx])
            return
        except NotElementwiseError:
            raise
        except Exception:  # checked on all points instead
            pass
    _ad_compare(func, xs, d1)


def _ad_compare(func: Callable, xs: np.ndarray, d1: np.ndarray | None) -> None:
    from dfdx import ad

    if d1 is None:
        out, d1 = _first_derivative(func, xs)
        _check_shape(out, xs)
    v = _random_tangent(xs)
    with np.errstate(all="ignore"):
        out, jv = ad.jvp(func, (xs,), (v,))
    _check_shape(out, xs)
    jv = np.broadcast_to(np.asarray(jv), xs.shape)
    dv = np.broadcast_to(d1, xs.shape) * v
    with np.errstate(invalid="ignore", over="ignore"):
        gap = np.abs(jv - dv)
        bad = gap > AD_MISMATCH * (np.abs(jv) + np.abs(dv))
    bad &= np.isfinite(jv) & np.isfinite(dv)
    if np.any(bad):
        i = int(np.flatnonzero(bad.ravel())[0])
        raise not_elementwise(
            f"automatic differentiation shows output {i} of a probe depending on other "
            "inputs than its own (the Jacobian is not diagonal)"
        )


def _first_derivative(func: Callable, xs: np.ndarray) -> tuple[Any, np.ndarray]:
    from dfdx import ad

    with np.errstate(all="ignore"):
        out, d1 = ad.jvp(func, (xs,), (np.ones_like(xs),))
    return out, np.asarray(d1)


def ad_derivative(func: Callable, x: Any, n: int) -> DerivativeResult:
    """The elementwise derivative by automatic differentiation, checked elementwise.

    Points where automatic differentiation gives NaN or inf while ``func`` is
    finite are retried numerically (status and error from
    :func:`dfdx.numeric.derivative`), the message says how many and
    ``params["retried"]`` marks them.
    """
    from dfdx import ad

    xs = np.asarray(x)
    if xs.dtype.kind in "biu":
        xs = xs.astype(float)
    with np.errstate(all="ignore"):  # failures are reported per point below
        df = np.asarray(ad.derivative(func, n)(xs))
    if df.shape != xs.shape and xs.ndim and df.size != 1:
        raise not_elementwise(f"f(x) has shape {df.shape}, x has shape {xs.shape}")
    if xs.ndim and xs.size > 1:
        _ad_check(func, xs, df if n == 1 and df.shape == xs.shape else None)
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
    if xs.ndim == 0 or xs.size < 2:
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


def _probe(func: Callable, xs: np.ndarray, args: tuple) -> None:
    with np.errstate(all="ignore"):
        base = np.asarray(func(xs, *args))
    _check_shape(base, xs)
    base = np.broadcast_to(base, xs.shape)
    scramble = _scrambled(xs.shape)
    if xs.size <= 2**PROBE_BITS:  # distinct numbers: every pair is separated by some bit
        rank = np.arange(xs.size).reshape(xs.shape)
    else:
        rank = (scramble * 2**PROBE_BITS).astype(np.int64)
    step = 1e-3 * (np.abs(xs) + 1.0) * (1.0 + scramble)
    bits = min(PROBE_BITS, max(1, int(np.ceil(np.log2(xs.size)))))
    for b in range(bits):
        group = (rank >> b) & 1 == 1
        for moved in (group, ~group):
            with np.errstate(all="ignore"):
                out = np.asarray(func(np.where(moved, xs + step, xs), *args))
            out = np.broadcast_to(out, xs.shape)
            same = (out == base) | (np.isnan(out) & np.isnan(base))
            changed = ~moved & ~same
            if np.any(changed):
                raise not_elementwise(
                    f"moving some points changed f at others (a probe with {2 * bits + 1} "
                    "evaluations)"
                )
