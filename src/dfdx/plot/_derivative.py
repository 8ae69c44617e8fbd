"""Plot a derivative result with its error band, and the data it came from."""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx._core.result import DerivativeResult

__all__ = ["derivative"]


def _pyplot() -> Any:
    try:
        import matplotlib

        if matplotlib.get_backend().lower() not in {"agg", "pdf", "svg", "ps", "cairo"}:
            import matplotlib.pyplot as plt

            if not plt.get_fignums():
                matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - exercised only without matplotlib
        raise ImportError(
            'dfdx.plot needs matplotlib; install it with `pip install "dfdx[plot]"`'
        ) from exc
    return plt


def derivative(
    result: DerivativeResult,
    x: Any = None,
    y: Any = None,
    *,
    ax: Any = None,
    band: float = 2.0,
    reference: Any = None,
    title: str | None = None,
    path: Any = None,
) -> Any:
    """Plot a derivative with its error band, and the data and smoothed signal if given.

    Parameters
    ----------
    result : DerivativeResult
        A 1-D result of any dfdx engine (grid, noisy or numeric).
    x : array_like, optional
        Coordinates of the points; default ``0, 1, 2, ...``.
    y : array_like, optional
        The data the derivative was taken of; plotted (with ``result.y_smooth``
        when present) in an upper panel that shares the x axis.
    ax : matplotlib Axes or sequence of two Axes, optional
        Where to draw.  By default a new figure is made (two panels when ``y``
        or ``result.y_smooth`` is available, else one).
    band : float, optional
        Half-width of the shaded band in units of ``result.error``; default 2.
    reference : array_like, optional
        A known derivative to compare with, drawn dashed.
    title : str, optional
        Figure title.
    path : str or path-like, optional
        If given, the figure is saved there (format from the suffix, e.g. PNG).

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.

    Raises
    ------
    TypeError
        If ``result`` is not a :class:`~dfdx.DerivativeResult`.
    ValueError
        If the result is not one-dimensional or ``x``/``y`` do not match it.

    Examples
    --------
    >>> import numpy as np
    >>> import dfdx
    >>> from dfdx.plot import derivative as plot_derivative
    >>> x = np.linspace(0, 1, 50)
    >>> r = dfdx.DerivativeResult(df=np.cos(x), error=np.full(50, 0.01), method="demo")
    >>> fig = plot_derivative(r, x, np.sin(x), title="sin")
    >>> len(fig.axes)
    2
    """
    if not isinstance(result, DerivativeResult):
        raise TypeError(f"`result` must be a DerivativeResult, got {type(result).__name__}")
    df = np.asarray(result.df)
    if df.ndim != 1:
        raise ValueError(f"`result` must be one-dimensional to plot, got shape {df.shape}")
    xs = np.arange(df.size) if x is None else np.asarray(x)
    if xs.shape != df.shape:
        raise ValueError(f"`x` must have the shape of the result {df.shape}, got {xs.shape}")
    if y is not None and np.shape(y) != df.shape:
        raise ValueError(f"`y` must have the shape of the result {df.shape}, got {np.shape(y)}")
    plt = _pyplot()
    smooth = result.y_smooth
    two = y is not None or smooth is not None
    if ax is None:
        if two:
            fig, axes = plt.subplots(2, 1, sharex=True, figsize=(7, 6), layout="constrained")
        else:
            fig, ax1 = plt.subplots(figsize=(7, 3.5), layout="constrained")
            axes = [ax1]
    else:
        axes = list(np.atleast_1d(ax))
        fig = axes[0].figure
    if two:
        top = axes[0]
        if y is not None:
            top.plot(xs, np.real(y), ".", ms=3, color="0.55", label="data")
        if smooth is not None:
            top.plot(xs, np.real(smooth), "-", color="C0", label="smoothed")
        top.set_ylabel("y")
        top.legend(loc="best")
    bottom = axes[-1]
    bottom.plot(xs, np.real(df), "-", color="C3", label=f"derivative ({result.method})")
    err = np.asarray(result.error, dtype=float)
    if np.any(np.isfinite(err)):
        width = band * np.where(np.isfinite(err), err, 0.0)
        bottom.fill_between(
            xs,
            np.real(df) - width,
            np.real(df) + width,
            color="C3",
            alpha=0.25,
            label=f"±{band:g} x error estimate",
        )
    if reference is not None:
        if np.shape(reference) != df.shape:
            raise ValueError(
                f"`reference` must have the shape of the result {df.shape}, "
                f"got {np.shape(reference)}"
            )
        bottom.plot(xs, np.real(reference), "--", color="k", lw=1, label="reference")
    failed = ~np.asarray(result.success)
    if failed.any():
        bottom.plot(xs[failed], np.real(df)[failed], "x", color="k", label="failed points")
    bottom.set_xlabel("x")
    bottom.set_ylabel("dy/dx")
    bottom.legend(loc="best")
    if title:
        fig.suptitle(title)
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig
