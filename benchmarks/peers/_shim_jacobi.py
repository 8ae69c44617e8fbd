"""jacobi's API implemented with dfdx (for running jacobi's tests).

``jacobi(fn, x, *args, method, mask, rtol, maxiter, maxgrad, step, diagonal,
diagnostic)`` -> ``(jac, err)`` through ``dfdx.numeric.jacobian`` (``fn``
is written for one point of the shape of ``x``: ``vectorized=False``), or
``dfdx.numeric.derivative`` for ``diagonal=True`` (elementwise ``fn``).
``method`` None/0/1/-1 -> 'auto'/'central'/'forward'/'backward'; ``rtol=0``
(jacobi: as precise as it gets) -> dfdx's defaults (refined to the rounding
floor, success at the default tolerance); ``step`` and
``maxgrad`` tune jacobi's own step sequence and are ignored; failed entries
get jacobi's conventions (value NaN, error inf); ``diagnostic`` gets the
method used.  ``propagate`` is jacobi's own, with its Jacobian from dfdx.
"""

from __future__ import annotations

import _peerlog
import jacobi._propagate as _prop
import numpy as np

from dfdx import numeric

_METHODS = {None: "auto", 0: "central", 1: "forward", -1: "backward"}


def jacobi(
    fn,
    x,
    *args,
    method=None,
    mask=None,
    rtol=0,
    maxiter=10,
    maxgrad=0,
    step=None,
    diagonal=False,
    diagnostic=None,
):
    if method not in _METHODS:
        raise ValueError("method must be -1, 0, 1 or None")
    if maxgrad < 0:
        raise ValueError("maxgrad must be non-negative")
    xa = np.asarray(x, dtype=float)
    # jacobi's rtol=0 (default): refine until the error stops shrinking; dfdx's
    # defaults refine to the rounding floor, and `success` then holds dfdx's
    # default tolerance (an rtol given to dfdx would be the tolerance of success)
    opts = {"method": _METHODS[method], "maxiter": maxiter}
    if rtol > 0:
        opts["rtol"] = rtol
    if diagonal:
        res = numeric.derivative(lambda t: np.asarray(fn(t, *args), dtype=float), xa, **opts)
        df, err = np.asarray(res.df), np.asarray(res.error)
    else:

        def g(w):
            out = fn(w.reshape(xa.shape), *args)
            try:
                return np.asarray(out, dtype=float)
            except (ValueError, TypeError):
                raise ValueError("function return value cannot be converted") from None

        res = numeric.jacobian(g, xa.ravel() if xa.ndim else xa[None], vectorized=False, **opts)
        out_shape = res.df.shape[:-1]
        df = np.asarray(res.df).reshape(out_shape + xa.shape)
        err = np.asarray(res.error).reshape(df.shape)
        if mask is not None:
            keep = np.broadcast_to(np.asarray(mask, dtype=bool), xa.shape)
            df = np.where(keep, df, 0.0)
            err = np.where(keep, err, 0.0)
    ok = np.asarray(res.success).reshape(df.shape)
    _peerlog.record(ok)
    df = np.where(ok, df, np.nan)
    err = np.where(ok, err, np.inf)
    if diagnostic is not None:
        diagnostic["method"] = np.full(max(xa.size, 1), -2 if method is None else method)
    return df, err


_prop.jacobi = jacobi  # jacobi's propagate, with its Jacobian from dfdx
propagate = _prop.propagate
