"""Observed order of convergence from errors at a sequence of step sizes."""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx._core.validate import as_float_array

__all__ = ["observed_order"]


def observed_order(steps: Any, errors: Any) -> float:
    """Observed convergence order: the least-squares slope of log(error) on log(step).

    A method of order ``p`` has ``error ~ C * step**p``, so the slope of the
    log-log line is ``p``.  Use steps large enough that rounding does not
    dominate the error.

    Parameters
    ----------
    steps : array_like, shape (k,)
        Positive step sizes (grid spacings), ``k >= 2``.
    errors : array_like, shape (k,)
        Positive absolute errors at those steps.

    Returns
    -------
    float
        The fitted slope.

    Raises
    ------
    ValueError
        If the arrays differ in length, have fewer than two entries, or hold
        non-positive or non-finite values.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.testing import observed_order
    >>> h = np.array([0.1, 0.05, 0.025])
    >>> err = [abs((np.sin(1 + s) - np.sin(1 - s)) / (2 * s) - np.cos(1)) for s in h]
    >>> round(observed_order(h, err), 2)
    2.0
    """
    h = as_float_array(steps, "steps", allow_complex=False).ravel()
    e = as_float_array(errors, "errors", allow_complex=False).ravel()
    if h.shape != e.shape:
        raise ValueError(
            f"`steps` and `errors` must have the same length, got {h.size} and {e.size}"
        )
    if h.size < 2:
        raise ValueError(f"`steps` must have at least two entries, got {h.size}")
    for name, arr in (("steps", h), ("errors", e)):
        if not np.all(np.isfinite(arr) & (arr > 0)):
            raise ValueError(f"`{name}` must be positive and finite")
    slope = np.polyfit(np.log(h), np.log(e), 1)[0]
    return float(slope)
