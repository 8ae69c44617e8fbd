"""The public entry point :func:`diff`."""

from __future__ import annotations

from typing import Any

from dfdx._core.result import DerivativeResult
from dfdx._core.validate import check_choice, check_int
from dfdx.noisy._batch import fit
from dfdx.noisy._lazy import array_kind, diff_dask, diff_dataarray
from dfdx.noisy._registry import METHODS, REGISTRY
from dfdx.noisy._validate import prepare, restore, to_public

__all__ = ["diff"]


def diff(
    y: Any,
    x: Any = None,
    *,
    method: str = "auto",
    n: int = 1,
    axis: int = -1,
    dim: Any = None,
    **params: Any,
) -> Any:
    """Differentiate noisy samples, with the regularisation chosen from the data.

    Parameters
    ----------
    y : array_like
        Noisy samples; any number of dimensions, differentiated along ``axis``
        (each series on its own, with its own parameters and noise level).
        NaN and inf samples are dropped with their ``x``: the result there is
        NaN with status ``NONFINITE_INPUT`` (``success`` False), and the other
        points are those of ``diff(y[keep], x[keep])``.
    x : array_like, optional
        Strictly monotonic sample positions, uniform or not (``spectral``
        needs uniform); default ``0, 1, 2, ...``.
    method : str, optional
        ``"auto"`` (default) or one of ``"savgol"``, ``"spline"``, ``"tv"``,
        ``"tikhonov"``, ``"kalman"``, ``"spectral"``.  ``"auto"`` picks the method by
        two-fold interleaved cross-validation (fit on every other sample,
        predict the rest), for each series; see Notes.
    n : int, optional
        Derivative order, at least 1 (``tv`` supports only 1).
    axis : int, optional
        Axis of ``y`` along which to differentiate.
    dim : str, optional
        For an ``xarray.DataArray`` ``y``: the dimension to differentiate
        along (default: the one at ``axis``); its coordinate gives ``x``
        unless ``x`` is given.
    **params
        Method parameters; any omitted are chosen from the data.

        - savgol: ``window`` (odd, in samples or bins), ``degree`` (default
          ``max(3, n + 2)``), ``bin``, ``noise_std``
        - spline: ``degree`` (odd, default ``2n + 1``), ``lam``, ``bin``, ``noise_std``
        - tv: ``alpha``, ``bin``, ``noise_std``
        - tikhonov: ``order`` (penalty order, default ``n + 1``), ``lam``, ``bin``,
          ``noise_std``
        - kalman: ``order`` (model order, default ``max(2, n)``), ``lam``, ``bin``,
          ``noise_std``
        - spectral: ``cutoff`` (highest harmonic kept), ``noise_std``

        ``lam`` and ``alpha`` refer to ``x`` rescaled to unit median spacing;
        ``bin`` averages that many consecutive samples before fitting;
        ``noise_std`` is the noise level used for ``error``.  Per-series values
        may be given as arrays with ``axis`` removed.

    Returns
    -------
    DerivativeResult, dask array or DataArray
        For a dask array ``y``, a lazy dask array of the derivative, computed
        block by block (the axis in one chunk, the other axes as chunked);
        for an ``xarray.DataArray``, a DataArray of the derivative with the
        same dims and coords (lazy if its data are dask).  Otherwise a
        DerivativeResult with
        ``df`` (the derivative), ``y_smooth``, ``error`` (pointwise standard
        uncertainty of ``df``), ``status``/``success`` per point, ``method``
        (the method used), and ``params`` (all parameters used, one value per
        series where they differ: ``diff(y, x, method=r.method, n=n, **r.params)``
        reproduces ``r`` exactly).  When ``"auto"`` chose different methods for
        different series, ``method`` is ``"auto"`` and ``params`` holds
        ``"method"`` and ``"params"`` (a dict), one per series.

    Notes
    -----
    Each method chooses its own parameters by a data-driven criterion: GCV
    (savgol window, spline penalty), marginal likelihood (tikhonov, kalman),
    the discrepancy principle (tv) or the noise floor of the spectrum
    (spectral).  ``"auto"`` tries kalman (orders 1-3), spline (degrees 3
    and 5), savgol, tikhonov and tv (those supporting ``n``) on half of the
    samples each, predicts the other half from the smoothed values and first
    derivatives (cubic Hermite interpolation), and keeps the candidate with the
    smallest prediction error.  Above 16384 samples the choice, and the
    chosen method's parameters, are made on averages of bins of samples (at
    least 1024 bins), and the method is then fitted to all samples once with
    those parameters, so ``"auto"`` costs about one fit; ``message`` says so.
    ``error`` is the posterior standard deviation for the likelihood-based
    methods (kalman, tikhonov, spline) and the propagated noise plus a
    double-smoothing bias estimate for savgol and tv.
    On smooth signals at least 90% of true errors lie within ``2 * error`` for
    savgol, spline, tikhonov, kalman and spectral (typically about 98%); for
    tv, whose error is dominated by staircase bias, only about 50-80%.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.noisy import diff
    >>> x = np.linspace(0, 2 * np.pi, 400)
    >>> y = np.sin(x) + np.random.default_rng(1).normal(0, 0.01, x.size)
    >>> r = diff(y, x, method="kalman")
    >>> bool(np.sqrt(np.mean((r.df - np.cos(x)) ** 2)) < 0.02)
    True
    >>> again = diff(y, x, method=r.method, **r.params)
    >>> bool(np.array_equal(again.df, r.df))
    True
    """
    check_choice(method, "method", METHODS)
    n = check_int(n, "n", minimum=1)
    kind = array_kind(y)
    if kind == "xarray":
        return diff_dataarray(diff, y, x, dim, axis, {"method": method, "n": n, **params})
    if dim is not None:
        raise ValueError("`dim` is only meaningful for an xarray.DataArray `y`")
    if kind == "dask":
        return diff_dask(diff, y, x, axis, {"method": method, "n": n, **params})
    if method == "auto":
        if params:
            raise ValueError(
                "method 'auto' takes no parameters (got "
                f"{', '.join(sorted(params))}); name a method to pass its parameters"
            )
        minimum = 4
    else:
        spec = REGISTRY[method]
        unknown = sorted(set(params) - set(spec.params))
        if unknown:
            raise ValueError(
                f"method {method!r} got unexpected parameter(s) {', '.join(unknown)}; "
                f"it accepts {', '.join(spec.params)}"
            )
        if spec.max_n is not None and n > spec.max_n:
            raise ValueError(f"`n` must be at most {spec.max_n} for method {method!r}, got {n}")
        minimum = spec.min_points
    prep = prepare(y, x, axis, minimum=minimum, method=method, finite=False)
    out = fit(method, prep.y2, prep.x, n, params, minimum)
    if out.method == "auto":  # series chose different methods
        batch = prep.shape[:-1]
        public = {key: value.reshape(batch) for key, value in out.params.items()}
    else:
        public = to_public(out.params, prep)
    return DerivativeResult(
        df=restore(out.deriv, prep),
        error=restore(out.error, prep),
        status=restore(out.status, prep),
        y_smooth=restore(out.smooth, prep),
        method=out.method,
        message=out.message,
        params=public,
    )
