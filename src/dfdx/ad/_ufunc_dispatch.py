"""NumPy ufuncs called on traced values (``Tracer.__array_ufunc__``): the ufunc's primitive,
its reductions and accumulations as the functions they stand for, and loud refusals."""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx.ad._messages import BUILD_HINT, caller
from dfdx.ad._primitive import FUNCTIONS, NONDIFF_FUNCTIONS, UFUNCS, TracingError, bind
from dfdx.ad._tracer import OPS, Tracer, raw

__all__: list[str] = []


def _array_ufunc(self: Tracer, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
    for a in inputs:
        if type(a) is np.ndarray and a.dtype.hasobject:  # traced scalars in an object array
            inputs = OPS["pack_tree"](inputs)
            break
    return _ufunc(ufunc, method, inputs, kwargs)


Tracer.__array_ufunc__ = _array_ufunc  # type: ignore[attr-defined]

_IGNORED_KW = frozenset({"casting", "order", "subok", "signature"})
_REDUCE = {"add": "sum", "multiply": "prod", "maximum": "max", "minimum": "min"}
_ACCUMULATE = {"add": "cumsum", "multiply": "cumprod"}


def _ufunc(ufunc: Any, method: str, inputs: Any, kwargs: Any) -> Any:
    name = ufunc.__name__
    if method in ("reduce", "accumulate") and kwargs.pop("out", None) not in (None, (None,)):
        raise TracingError(f"{name}.{method}(..., out=...) cannot store a traced value")
    if method == "reduce" and name in _REDUCE:
        return getattr(np, _REDUCE[name])(*inputs, **kwargs)
    if method == "accumulate" and name in _ACCUMULATE:
        return getattr(np, _ACCUMULATE[name])(*inputs, **kwargs)
    if method == "outer" and len(inputs) == 2:
        a, b = inputs
        nb = np.ndim(raw(b))
        return ufunc(np.reshape(a, np.shape(raw(a)) + (1,) * nb), b, **kwargs)
    if method != "__call__":
        raise TracingError(
            f"{name}.{method} on traced values is not supported (in-place or unusual ufunc "
            f"method); use the functional form, e.g. np.sum/np.cumsum, or y[idx] = ... on a "
            "traced array."
        )
    out = kwargs.pop("out", None)
    dtype = kwargs.pop("dtype", None)
    for key in list(kwargs):
        if key in _IGNORED_KW:
            del kwargs[key]
        elif key == "where":
            raise TracingError(
                f"{name}(..., where=...) is not supported on traced values; use np.where"
            )
        else:
            raise TracingError(f"{name}(..., {key}=...) is not supported on traced values")
    prim = UFUNCS.get(ufunc)
    handler = FUNCTIONS.get(ufunc) if prim is None else None
    if handler is not None:
        if out is not None or dtype is not None:
            raise TracingError(f"{name}(..., out=/dtype=) is not supported on traced values")
        return handler(*inputs)
    if prim is None:
        if ufunc in NONDIFF_FUNCTIONS:
            result = ufunc(*[raw(a) for a in inputs])
        else:
            raise TracingError(
                f"ufunc {name} has no derivative rule in dfdx.ad (called in {caller()}). "
                "Register one with "
                f"dfdx.ad.defjvp({name}, ...) and dfdx.ad.defvjp({name}, ...), or use "
                "numerical differentiation (dfdx.derivative falls back to it)."
            )
    else:
        result = bind(prim, *inputs)
    if dtype is not None:
        result = OPS["astype"](result, dtype=np.dtype(dtype))
    if out is not None:
        outs = out if isinstance(out, tuple) else (out,)
        if len(outs) != 1 or type(outs[0]) is not Tracer:
            raise TracingError(
                f"{name}(..., out=...) would store a traced value into a plain ndarray; "
                "use the returned value instead. " + BUILD_HINT
            )
        return outs[0]._rebind(result)
    return result
