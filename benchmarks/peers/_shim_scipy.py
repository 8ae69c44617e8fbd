"""``scipy.differentiate``'s API implemented with dfdx (for running SciPy's tests).

Mapping: ``tolerances`` -> ``atol``/``rtol``; ``maxiter`` passed on;
``step_direction`` -> ``method`` ('central', 'forward', 'backward') per
point; ``order``, ``initial_step`` and ``step_factor`` tune SciPy's own
stencil and step sequence and are ignored; ``preserve_shape=True`` -> a
vector-valued ``f`` of scalar ``x`` through ``dfdx.numeric.jacobian`` at the
points of ``x``; dfdx has no per-iteration ``callback``: the shim calls it
once with the final result.  dfdx statuses become SciPy's codes.
"""

from __future__ import annotations

import _peerlog
import numpy as np
from scipy.optimize import OptimizeResult

from dfdx import numeric

# dfdx Status -> scipy.differentiate status (0 converged, -1 error increase,
# -2 maxiter, -3 non-finite value/input)
_CODES = {0: 0, 1: 0, 2: 0, 3: 0, -1: -2, -2: -3, -3: -3, -4: -3, -5: -1}


def _status(st):
    st = np.asarray(st)
    out = np.zeros(st.shape, dtype=np.int32)
    for k, v in _CODES.items():
        out[st == k] = v
    return out


def _tols(tolerances):
    tolerances = {} if tolerances is None else dict(tolerances)
    return {"atol": tolerances.get("atol"), "rtol": tolerances.get("rtol")}


def _result(res, x, key="df"):
    _peerlog.record(res.success)
    out = _scipy_like(
        x=x,
        error=res.error,
        success=res.success,
        status=res.status,
        nfev=res.nfev,
        nit=res.nit,
    )
    out[key] = np.asarray(res.df)[()]
    return out


def _scipy_like(**fields):
    """SciPy's result conventions: 0-d results as scalars, int32 counts and codes."""
    fields["status"] = _status(fields["status"])
    for name in ("nfev", "nit"):
        fields[name] = np.asarray(fields[name]).astype(np.int32)
    return OptimizeResult({k: np.asarray(v)[()] for k, v in fields.items()})


def derivative(
    f,
    x,
    *,
    args=(),
    kwargs=None,
    tolerances=None,
    maxiter=10,
    order=8,
    initial_step=0.5,
    step_factor=2.0,
    step_direction=0,
    preserve_shape=False,
    callback=None,
):
    if not callable(f):
        raise ValueError("`f` must be callable.")
    if callback is not None and not callable(callback):
        raise ValueError("`callback` must be callable.")
    if preserve_shape not in (True, False):
        raise ValueError("`preserve_shape` must be True or False.")
    if not isinstance(args, tuple):
        args = (args,)
    xa = np.asarray(x)
    if xa.dtype.kind in "iub":
        xa = xa.astype(np.float64)
    opts = dict(_tols(tolerances), maxiter=maxiter, kwargs=kwargs)
    if preserve_shape:
        res = numeric.jacobian(lambda p, *a: f(p[0], *a), xa[None], args=args, **opts)
        axis = res.df.ndim - xa.ndim - 1  # the axis of the one variable

        def one(a):
            return np.take(np.asarray(a), 0, axis=axis)

        _peerlog.record(res.success)
        out = _scipy_like(
            x=xa,
            df=one(res.df),
            error=one(res.error),
            success=one(res.success),
            status=one(res.status),
            nfev=one(res.nfev),
            nit=one(res.nit),
        )
    else:
        kw = dict(kwargs or {})
        arrays = [*args, *kw.values()]  # (dfdx broadcasts the arrays of kwargs too)
        hdir = np.broadcast_to(
            np.asarray(step_direction, dtype=float),
            np.broadcast_shapes(np.shape(step_direction), xa.shape, *[np.shape(a) for a in arrays]),
        )
        full = np.broadcast_to(xa, hdir.shape)
        df = np.full(hdir.shape, np.nan, dtype=xa.dtype if xa.dtype.kind == "f" else float)
        err = np.full(hdir.shape, np.nan)
        st = np.full(hdir.shape, -3, dtype=np.int8)
        nfev = np.zeros(hdir.shape, dtype=np.intp)
        nit = np.zeros(hdir.shape, dtype=np.intp)
        success = np.zeros(hdir.shape, dtype=bool)
        for sign, method in ((0, "auto"), (1, "forward"), (-1, "backward")):
            sel = np.sign(hdir) == sign
            if not sel.any():
                continue
            sub_args = tuple(np.broadcast_to(a, hdir.shape)[sel] if np.ndim(a) else a for a in args)
            sub_kw = {
                k: np.broadcast_to(v, hdir.shape)[sel] if np.ndim(v) else v for k, v in kw.items()
            }
            opts["kwargs"] = sub_kw
            r = numeric.derivative(f, full[sel], method=method, args=sub_args, **opts)
            df[sel], err[sel], st[sel] = r.df, r.error, r.status
            nfev[sel], nit[sel], success[sel] = r.nfev, r.nit, r.success
        _peerlog.record(success)
        out = _scipy_like(
            x=full,
            df=df,
            error=err.astype(df.dtype),
            success=success,
            status=st,
            nfev=nfev,
            nit=nit,
        )
    if callback is not None:
        callback(out)
    return out


def _check_jh(x, tolerances, maxiter, order, step_factor):
    xa = np.asarray(x)
    if xa.ndim < 1:
        raise ValueError("Argument `x` must be at least 1-D.")
    return xa


def jacobian(
    f,
    x,
    *,
    tolerances=None,
    maxiter=10,
    order=8,
    initial_step=0.5,
    step_factor=2.0,
    step_direction=0,
):
    xa = _check_jh(x, tolerances, maxiter, order, step_factor)
    res = numeric.jacobian(f, xa, maxiter=maxiter, **_tols(tolerances))
    return _result(res, xa)


def hessian(
    f,
    x,
    *,
    tolerances=None,
    maxiter=10,
    order=8,
    initial_step=0.5,
    step_factor=2.0,
):
    xa = _check_jh(x, tolerances, maxiter, order, step_factor)
    res = numeric.hessian(f, xa, maxiter=maxiter, **_tols(tolerances))
    return _result(res, xa, key="ddf")
