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


def derivative_label(y_name: str, x_name: str, n: int) -> str:
    """``dy/dx``, ``d2y/dx2`` for one-letter names; ``d(position)/d(time)`` otherwise.

    Examples
    --------
    >>> from dfdx.plot._derivative import derivative_label
    >>> derivative_label("y", "x", 2), derivative_label("position", "time", 1)
    ('d2y/dx2', 'd(position)/d(time)')
    """
    if len(y_name) == 1 and len(x_name) == 1:
        return f"d{y_name}/d{x_name}" if n == 1 else f"d{n}{y_name}/d{x_name}{n}"
    return f"d({y_name})/d({x_name})" if n == 1 else f"d{n}({y_name})/d({x_name}){n}"


def _check_names(names: Any) -> tuple[str, str]:
    if (
        not isinstance(names, tuple | list)
        or len(names) != 2
        or not all(isinstance(v, str) and v for v in names)
    ):
        raise TypeError(f"`names` must be two non-empty strings (x, y), got {names!r}")
    return str(names[0]), str(names[1])


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
    names: tuple[str, str] = ("x", "y"),
    n: int | None = None,
    reference_label: str = "reference",
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
    names : (str, str), optional
        Names of the variable and of the data, used in the axis labels:
        ``("x", "y")`` (default) gives ``dy/dx`` or ``d2y/dx2``, and
        ``("time", "position")`` gives ``d(position)/d(time)``.
    n : int, optional
        Derivative order for the labels; default ``result.params["n"]`` or 1.
    reference_label : str, optional
        Legend entry of ``reference``; default "reference".

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
    x_name, y_name = _check_names(names)
    order = int(result.params.get("n", 1)) if n is None else n
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
        top.set_ylabel(y_name)
        top.legend(loc="best")
    bottom = axes[-1]
    # the estimate is drawn last (on top), solid and coloured; the reference thin and dashed
    bottom.plot(
        xs, np.real(df), "-", color="C3", lw=1.6, zorder=3, label=f"estimate ({result.method})"
    )
    err = np.asarray(result.error, dtype=float)
    if np.any(np.isfinite(err)):
        width = band * np.where(np.isfinite(err), err, 0.0)
        bottom.fill_between(
            xs,
            np.real(df) - width,
            np.real(df) + width,
            color="C3",
            alpha=0.25,
            lw=0,
            zorder=1,
            label=f"±{band:g}\u00d7 error estimate",
        )
    if reference is not None:
        if np.shape(reference) != df.shape:
            raise ValueError(
                f"`reference` must have the shape of the result {df.shape}, "
                f"got {np.shape(reference)}"
            )
        bottom.plot(xs, np.real(reference), "--", color="k", lw=1, zorder=2, label=reference_label)
    failed = ~np.asarray(result.success)
    if failed.any():
        bottom.plot(
            xs[failed], np.real(df)[failed], "x", color="k", zorder=4, label="failed points"
        )
    bottom.set_xlabel(x_name)
    bottom.set_ylabel(derivative_label(y_name, x_name, order))
    bottom.legend(loc="best")
    if title:
        fig.suptitle(title)
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig
