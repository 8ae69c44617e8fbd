"""The public entry point :func:`diff`."""

from __future__ import annotations

from typing import Any

from dfdx._core.result import DerivativeResult
from dfdx._core.validate import check_choice, check_int
from dfdx.noisy._auto import choose
from dfdx.noisy._registry import METHODS, REGISTRY
from dfdx.noisy._validate import prepare, restore, to_public

__all__ = ["diff"]


def diff(
    y: Any, x: Any = None, *, method: str = "auto", n: int = 1, axis: int = -1, **params: Any
) -> DerivativeResult:
    """Differentiate noisy samples, with the regularisation chosen from the data.

    Parameters
    ----------
    y : array_like
        Noisy samples; any number of dimensions, differentiated along ``axis``.
        Must be finite: NaN or inf raise ``ValueError`` (remove those samples
        first, e.g. ``keep = np.isfinite(y); diff(y[keep], x[keep])``).
    x : array_like, optional
        Strictly monotonic sample positions, uniform or not (``spectral``
        needs uniform); default ``0, 1, 2, ...``.
    method : str, optional
        ``"auto"`` (default) or one of ``"savgol"``, ``"spline"``, ``"tv"``,
        ``"tikhonov"``, ``"kalman"``, ``"spectral"``.  ``"auto"`` picks the method by
        two-fold interleaved cross-validation (fit on every other sample,
        predict the rest); see Notes.
    n : int, optional
        Derivative order, at least 1 (``tv`` supports only 1).
    axis : int, optional
        Axis of ``y`` along which to differentiate.
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
    DerivativeResult
        ``df`` (the derivative), ``y_smooth``, ``error`` (pointwise standard
        uncertainty of ``df``), ``method`` (the method used), and ``params``
        (all parameters used: ``diff(y, x, method=r.method, n=n, **r.params)``
        reproduces ``r`` exactly).

    Notes
    -----
    Each method chooses its own parameters by a data-driven criterion: GCV
    (savgol window, spline penalty), marginal likelihood (tikhonov, kalman),
    the discrepancy principle (tv) or the noise floor of the spectrum
    (spectral).  ``"auto"`` tries kalman (orders 1-3), spline (degrees 3
    and 5), savgol, tikhonov and tv (those supporting ``n``) on half of the
    samples each, predicts the other half from the smoothed values and first
    derivatives (cubic Hermite interpolation), and keeps the candidate with the
    smallest prediction error.  ``error`` is the posterior standard deviation
    for the likelihood-based methods (kalman, tikhonov, spline) and the
    propagated noise plus a double-smoothing bias estimate for savgol and tv.
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
    if method != "auto":
        return _run(method, y, x, n, axis, params)
    if params:
        raise ValueError(
            "method 'auto' takes no parameters (got "
            f"{', '.join(sorted(params))}); name a method to pass its parameters"
        )
    prep = prepare(y, x, axis, minimum=4, method="auto")
    name, fixed, scores = choose(prep.y2, prep.x, n)
    listed = ", ".join(f"{k}: {v:.3g}" for k, v in scores.items())
    note = f"auto chose {name!r} {fixed} by 2-fold cross-validation (scores {listed})"
    return _run(name, y, x, n, axis, fixed, note=note)


def _run(name: str, y: Any, x: Any, n: int, axis: int, params: dict, note: str = ""):
    spec = REGISTRY[name]
    unknown = sorted(set(params) - set(spec.params))
    if unknown:
        raise ValueError(
            f"method {name!r} got unexpected parameter(s) {', '.join(unknown)}; "
            f"it accepts {', '.join(spec.params)}"
        )
    if spec.max_n is not None and n > spec.max_n:
        raise ValueError(f"`n` must be at most {spec.max_n} for method {name!r}, got {n}")
    prep = prepare(y, x, axis, minimum=spec.min_points, method=name)
    extra = {} if spec.non_uniform else {"uniform": prep.uniform}
    smooth, deriv, error, used = spec.func(prep.y2, prep.x, n, **params, **extra)
    return DerivativeResult(
        df=restore(deriv, prep),
        error=restore(error, prep),
        y_smooth=restore(smooth, prep),
        method=name,
        message=note or f"{name}: {spec.summary}",
        params=to_public(used, prep),
    )
