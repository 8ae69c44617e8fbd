"""Batched Jacobians: one small Jacobian per point, all points in one forward pass."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dfdx.ad._api import _run
from dfdx.ad._trace import ForwardTrace
from dfdx.ad._tracer import Tracer, raw
from dfdx.ad._tree import as_input

__all__ = ["batched_jacobian"]


def batched_jacobian(f: Callable, args: tuple, kwargs: dict, argnum: int) -> np.ndarray:
    """``J[i, j, *p] = d f_i(X[:, *p]) / d X[j, *p]`` by one forward pass with m tangents.

    ``X = args[argnum]`` holds the m variables along its first axis and the
    points along the others; ``f`` must treat points independently (as NumPy
    code written for one point usually does when the variables are read as
    ``x[0], x[1], ...``).  The output of ``f`` is ``(k, *points)`` or
    ``points``; the result is ``(k, m, *points)`` or ``(m, *points)``.
    """
    x = as_input(args[argnum])
    if type(x) is Tracer:
        raise TypeError("`batched=True` does not nest inside another transformation")
    x = np.asarray(x)
    if x.ndim == 0:
        raise ValueError(
            "`batched=True` needs the variables along the first axis of x, got a scalar"
        )
    m, points = x.shape[0], x.shape[1:]
    seed = np.zeros((m, *x.shape), dtype=np.result_type(x, np.float64))
    seed[np.arange(m), np.arange(m)] = 1.0  # tangent j: unit vector e_j at every point
    trace = ForwardTrace((m,))
    targs = list(args)
    targs[argnum] = trace.new(x, seed)
    out = _run(f, trace, tuple(targs), kwargs)
    if type(out) is Tracer and out._trace is trace:
        value, tan = out.value, out.aux
    else:
        value, tan = raw(out), None
    value = np.asarray(value)
    lead = value.ndim - len(points)
    if lead < 0 or value.shape[lead:] != points:
        raise ValueError(
            f"with `batched=True` f must return shape (k, *points) or points = {points}, "
            f"got {value.shape}"
        )
    if tan is None:
        tan = np.zeros((m, *value.shape), dtype=value.dtype)
    tan = np.broadcast_to(tan, (m, *value.shape))
    return np.moveaxis(tan, 0, lead) if lead else np.array(tan)
