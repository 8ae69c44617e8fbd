"""The front door: one ``derivative`` for every kind of input.

Dispatch, in order:

1. polynomial and spline objects -> :mod:`dfdx.exact` (an object of the same kind);
2. callables -> :mod:`dfdx.ad` when the function traces, else :mod:`dfdx.numeric`;
3. arrays of samples -> :mod:`dfdx.grid`, or :mod:`dfdx.noisy` when the data look noisy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, overload

import numpy as np

from dfdx import exact
from dfdx._core.result import DerivativeResult
from dfdx._core.validate import check_choice, check_int
from dfdx._front_callable import (
    NotElementwiseError,
    ad_derivative,
    check_numeric_elementwise,
)
from dfdx._front_noise import NOISE_THRESHOLD
from dfdx._front_samples import ARRAY_METHODS, samples_derivative

if TYPE_CHECKING:
    from numpy.polynomial._polybase import ABCPolyBase

    _Poly = TypeVar("_Poly", bound=ABCPolyBase)

__all__ = ["ARRAY_METHODS", "CALLABLE_METHODS", "NOISE_THRESHOLD", "derivative"]

CALLABLE_METHODS = ("auto", "ad", "numeric", "central", "forward", "backward", "complex")


class _DerivativeFunction:
    """The derivative of a callable, as a callable: ``dfdx.derivative(f)(x)``."""

    def __init__(self, func: Callable, n: int, method: str, options: dict) -> None:
        self.func, self.n, self.method, self.options = func, n, method, options

    def __call__(self, x: Any) -> DerivativeResult:
        return _callable(self.func, x, self.n, self.method, self.options)

    def __repr__(self) -> str:
        name = getattr(self.func, "__name__", type(self.func).__name__)
        return f"<derivative of order {self.n} of {name} (method={self.method!r})>"


def _noted(result: DerivativeResult, note: str, **changes: Any) -> DerivativeResult:
    """``result`` with ``note`` put in front of its message (and other fields changed)."""
    message = f"{note}; {result.message}" if result.message else note
    return result.replace(message=message, **changes)


def _by_numeric(func: Callable, x: Any, n: int, method: str, options: dict) -> DerivativeResult:
    from dfdx import numeric

    sub = "auto" if method in ("auto", "numeric") else method
    if options.get("vectorized", True):
        check_numeric_elementwise(func, x, tuple(options.get("args", ())))
    return numeric.derivative(func, x, n=n, method=sub, **options)


def _callable(func: Callable, x: Any, n: int, method: str, options: dict) -> DerivativeResult:
    if method == "ad":
        if options:
            raise TypeError(f"method='ad' takes no options, got {sorted(options)}")
        return ad_derivative(func, x, n)
    if method != "auto":
        result = _by_numeric(func, x, n, method, options)
        return _noted(result, "numerical differentiation", method="numeric")
    if not options:
        try:
            return ad_derivative(func, x, n)
        except NotElementwiseError:
            raise
        except Exception as exc:  # any failure to trace falls back, and says why
            reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
    else:
        reason = f"numerical options given ({', '.join(sorted(options))})"
    try:
        result = _by_numeric(func, x, n, method, options)
    except NotElementwiseError:
        raise
    except Exception as exc:  # f may accept only scalars: call it point by point
        if "vectorized" in options:
            raise
        result = _by_numeric(func, x, n, method, {**options, "vectorized": False})
        reason += f"; f failed on a batch of points ({type(exc).__name__}), called point by point"
    note = f"numerical differentiation (automatic differentiation not used: {reason})"
    return _noted(result, note, method="numeric")


# the overloads tell type checkers what comes back for each kind of ``obj``
@overload
def derivative(obj: np.poly1d, x: None = ..., *, n: int = ...) -> np.poly1d: ...
@overload
def derivative(obj: _Poly, x: None = ..., *, n: int = ...) -> _Poly: ...
@overload
def derivative(
    obj: np.ndarray | Callable[..., Any],
    x: np.ndarray | float,
    *,
    n: int = ...,
    method: str = ...,
    dx: Any = ...,
    axis: int = ...,
    **options: Any,
) -> DerivativeResult: ...
@overload
def derivative(
    obj: np.ndarray,
    x: None = ...,
    *,
    n: int = ...,
    method: str = ...,
    dx: Any = ...,
    axis: int = ...,
) -> DerivativeResult: ...
@overload
def derivative(
    obj: Callable[..., Any], x: None = ..., *, n: int = ..., method: str = ..., **options: Any
) -> Callable[..., DerivativeResult]: ...
@overload  # spline objects, dask arrays, xarray DataArrays
def derivative(
    obj: Any,
    x: Any = ...,
    *,
    n: int = ...,
    method: str = ...,
    dx: Any = ...,
    axis: int = ...,
    **options: Any,
) -> Any: ...


def derivative(
    obj: Any,
    x: Any = None,
    *,
    n: int = 1,
    method: str = "auto",
    dx: Any = None,
    axis: int = -1,
    **options: Any,
) -> Any:
    """The derivative of ``obj``, by the engine that fits it.

    Parameters
    ----------
    obj : polynomial or spline object, callable, or array_like
        * A ``numpy.poly1d``, a ``numpy.polynomial`` series or a SciPy spline:
          its exact derivative, an object of the same kind (see
          :func:`dfdx.exact.derivative`).
        * A callable ``f``: the elementwise ``n``-th derivative at the points
          ``x``.  ``method="auto"`` uses automatic differentiation
          (:mod:`dfdx.ad`) when ``f`` traces (``method`` of the result is
          ``"ad"``), otherwise adaptive finite differences (:mod:`dfdx.numeric`,
          ``method="numeric"``) with the reason for the fallback in ``message``.
          ``f`` must be elementwise (output ``i`` depends on ``x[i]`` only):
          others are refused (see Notes).  Points where automatic
          differentiation gives NaN or inf while ``f`` is finite are retried
          numerically, and ``message`` says so.
        * An array of samples ``y`` (NumPy, pandas, xarray, dask): the
          derivative along ``axis`` on the coordinates ``x`` (or spacing
          ``dx``; for pandas the index, for a DataArray the coordinate of
          ``dim=``).  With ``method="auto"`` data that look noisy go to
          :mod:`dfdx.noisy` (see Notes), others to :mod:`dfdx.grid`.
    x : array_like, optional
        Points (for a callable) or coordinates (for samples, also
        ``datetime64`` or a pandas ``DatetimeIndex``, time-zone-aware or not:
        the derivative is then per ``time_unit``).  For a callable, leaving
        ``x`` out returns the derivative as a callable.
    n : int, optional
        Derivative order, default 1.
    method : str, optional
        For callables one of ``CALLABLE_METHODS``: ``"auto"``, ``"ad"``,
        ``"numeric"`` or a finite-difference method of
        :func:`dfdx.numeric.derivative` (``"central"``, ``"forward"``,
        ``"backward"``, ``"complex"``).  For samples one of ``ARRAY_METHODS``:
        ``"auto"``; ``"fd"``, ``"spectral"``, ``"spline"`` (exact data,
        :func:`dfdx.grid.diff`); ``"savgol"``, ``"tv"``, ``"tikhonov"``,
        ``"kalman"``, ``"noisy"`` or ``"noisy:<method>"`` for any method of
        :func:`dfdx.noisy.diff` (noisy data).
    dx : float, numpy.timedelta64 or pandas.Timedelta, optional
        Sample spacing, for samples without coordinates.
    axis : int, optional
        Axis of the samples to differentiate along, default -1.
    **options
        Passed on to the engine (for instance ``acc=`` for grids, ``rtol=``
        for numerical differentiation, method parameters for noisy data).
        For samples also ``time_unit=`` (``"ns"``, ``"us"``, ``"ms"``,
        ``"s"`` (default), ``"min"``, ``"h"``, ``"D"``; ``datetime_unit=``
        for xarray), ``return_error=True`` (pandas and xarray: the error
        beside the derivative) and ``dim=`` (xarray).

    Returns
    -------
    object or DerivativeResult or callable
        An object of the same kind for polynomial and spline objects; a
        :class:`~dfdx.DerivativeResult` for values; a callable returning one
        when ``obj`` is callable and ``x`` is omitted.  Labelled and lazy
        samples come back as they went in: a pandas ``Series``/``DataFrame``
        (same index; with ``return_error=True`` a ``DataFrame`` with
        ``derivative``, ``error``, ``success``, ``status``; the message in
        ``.attrs["dfdx"]``), an xarray ``DataArray`` (a ``Dataset`` with
        ``derivative`` and ``error`` for ``return_error=True``; the message
        in ``.attrs["dfdx_message"]``), a lazy dask array.

    Raises
    ------
    ValueError
        For an invalid ``n``, ``method`` or ``time_unit``, and for a callable
        that is not elementwise (use :func:`dfdx.grad`,
        :func:`dfdx.jacobian` or :func:`dfdx.numeric.gradient` for those).
    TypeError
        For objects no engine handles, or options given to an exact object.

    Notes
    -----
    The noise test for ``method="auto"`` on samples has two parts.  (1) The
    noise standard deviation ``s`` is estimated by
    :func:`dfdx.noisy.estimate_noise`; a second-order finite difference of
    order ``n`` would amplify it to about ``s * 2**n / (sqrt(2) * h**n)`` for
    the median spacing ``h``.  This must exceed ``NOISE_THRESHOLD`` (0.1%) of
    the derivative's scale ``std(y) / L**n`` (``L`` the sampled length).
    (2) What was estimated must behave like noise: unit-norm 6th and 4th
    differences of white noise have the same spread, those of a smooth (even
    under-resolved) signal do not; their ratio must lie within [0.6, 1/0.6].
    Data passing both go to :func:`dfdx.noisy.diff`; others get finite
    differences of accuracy order ``AUTO_ACC`` (4) unless ``acc`` is given.
    Complex data and axes shorter than ``MIN_NOISE_TEST`` (12) samples skip
    the test and get finite differences; ``message`` says so.  NaN or inf
    samples are left out with their coordinates before the test and the fit
    (lanes grouped by where they have them); the result there is NaN with
    status ``NONFINITE_INPUT``.  Dask-backed arrays are tested on a few lanes
    (the only data computed) and stay lazy.

    Callables are checked to be elementwise before any answer is given:
    with automatic differentiation by one forward pass along a random
    tangent on up to 64 of the points (a non-diagonal Jacobian shows as a
    mismatch with the derivative times the tangent); numerically by a probe
    that moves one group of points and requires the outputs of the others to
    stay bit for bit the same.

    Examples
    --------
    >>> import numpy as np
    >>> import dfdx
    >>> bool(dfdx.derivative(np.poly1d([1, 0, 1]))(5) == 10)
    True
    """
    n = check_int(n, "n")
    if exact.is_exact_object(obj):
        if x is not None or options or dx is not None:
            raise TypeError(
                "dfdx.derivative of a polynomial or spline object takes only `n`; "
                "evaluate the returned object at your points instead"
            )
        return exact.derivative(obj, n)
    if callable(obj):
        check_choice(method, "method", CALLABLE_METHODS)
        if dx is not None:
            raise TypeError("`dx` is for sampled data; for a callable give the points `x`")
        if x is None:
            return _DerivativeFunction(obj, n, method, options)
        return _callable(obj, x, n, method, options)
    if isinstance(obj, str | bytes) or obj is None:
        raise TypeError(
            f"dfdx.derivative cannot differentiate {type(obj).__name__}; give a polynomial or "
            "spline object, a callable with points `x`, or an array of samples"
        )
    check_choice(method, "method", ARRAY_METHODS)
    return samples_derivative(obj, x, n, method, dx, axis, options)
