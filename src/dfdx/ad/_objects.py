"""Arrays built from traced scalars: ``np.array([e0, e1])``, ``np.r_[...]``, ``np.mean([a, b])``.

NumPy has no protocol through which ``np.array`` of foreign objects could return
one of them, so a traced scalar converts itself (``Tracer.__array__``) into a
0-d *object* array holding itself, and NumPy assembles an object array of
traced scalars and numbers.  Such an array is exact as it stands: NumPy's
object loops call the tracer's own operators and ufunc-named methods element
by element.  Whenever it meets a traced operation (an operator, a ufunc or a
NumPy function with a traced argument) or leaves the differentiated function,
:func:`pack` turns it back into one traced array with the primitive ``pack``,
whose derivative is a gather (forward) or a scatter (reverse), so the
remaining computation runs vectorised.  Nothing is approximated: an element
that is neither a number nor a traced scalar raises :class:`TracingError`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dfdx.ad._primitive import HOOKS, EveryArg, Primitive, TracingError
from dfdx.ad._trace import shape_of
from dfdx.ad._tracer import OPS, Tracer, inexact_dtype

__all__ = ["PACK", "as_traced", "asarray", "pack", "pack_tree"]


def _pack_impl(*vals: Any, base: np.ndarray, pos: tuple[int, ...]) -> Any:
    lead = np.broadcast_shapes(*(np.shape(v) for v in vals))
    dtype = np.result_type(base, *vals)
    out = np.empty(lead + base.shape, dtype)
    out[...] = base
    for p, v in zip(pos, vals, strict=True):
        out[..., p] = v
    return out


def _pack_jvp(tans: list, ans: Any, *vals: Any, base: np.ndarray, pos: tuple[int, ...]) -> Any:
    live = [(p, t) for p, t in zip(pos, tans, strict=True) if t is not None]
    zero = np.zeros(base.shape, dtype=base.dtype)
    return PACK(*[t for _, t in live], base=zero, pos=tuple(p for p, _ in live))


def _pack_vjp(i: int) -> Any:
    def vjp(g: Any, ans: Any, *vals: Any, base: np.ndarray, pos: tuple[int, ...]) -> Any:
        return g[..., pos[i]]

    return vjp


PACK = Primitive("pack", _pack_impl, linear=True)
PACK.jvp_all = _pack_jvp
PACK.vjps = EveryArg(_pack_vjp)
PACK.keep = EveryArg(lambda i: ())


def pack(a: np.ndarray) -> Any:
    """One traced array from an object array of traced scalars and numbers (``a`` itself
    when it holds no traced value)."""
    flat = a.ravel()
    pos = []
    elems = []
    consts = []
    for k, e in enumerate(flat.tolist()):
        if type(e) is Tracer:
            if shape_of(e) != ():
                raise TracingError(
                    f"an object array holds a traced value of shape {shape_of(e)}; build "
                    "arrays from traced arrays with np.stack/np.concatenate, or from traced "
                    "scalars only"
                )
            pos.append(k)
            elems.append(e)
            consts.append(0.0)
        elif isinstance(e, (int, float, complex, np.number, np.bool_)):
            consts.append(e)
        else:
            raise TracingError(
                f"an array of traced values also holds a {type(e).__name__}; it can hold "
                "only numbers and traced scalars"
            )
    if not elems:
        return a
    traced = set(pos)
    numbers = [c for k, c in enumerate(consts) if k not in traced]
    dtypes = {inexact_dtype(e) for e in elems}  # as NumPy would: float32 scalars stay float32
    dtype = np.result_type(*dtypes, *([np.array(numbers).dtype] if numbers else []))
    base = np.array(consts, dtype=dtype)
    out = PACK(*elems, base=base, pos=tuple(pos))
    return out if a.ndim == 1 else np.reshape(out, a.shape)


def pack_tree(a: Any) -> Any:
    """``a`` with every object array holding traced values packed (lists, tuples, dicts)."""
    t = type(a)
    if t is np.ndarray:
        return pack(a) if a.dtype.hasobject else a
    if t is list or t is tuple:
        return t(pack_tree(b) for b in a)
    if t is dict:
        return {k: pack_tree(v) for k, v in a.items()}
    if isinstance(a, tuple) and hasattr(a, "_fields"):  # a named tuple
        return t(*(pack_tree(b) for b in a))
    return a


def as_traced(a: Any) -> Any:
    """A list, tuple or object array holding traced values as one traced array (for hooked
    library functions that NumPy's dispatch does not reach); anything else unchanged."""
    t = type(a)
    if t is list or t is tuple:
        out = pack(np.array(a, dtype=object))
        return a if type(out) is np.ndarray else out
    if t is np.ndarray and a.dtype.hasobject:
        return pack(a)
    return a


def asarray(a: Any) -> Any:
    """One traced array from a nested list or an object array of traced values.

    ``np.array([...])`` of traced values is an object array of traced scalars;
    it becomes one traced array by itself as soon as it meets a traced
    operation, but a NumPy function given *only* that array (for example
    ``np.linalg.det``, whose compiled code needs numbers) never sees a traced
    argument.  Pass the array through ``asarray`` first.  Anything without a
    traced value is returned as ``np.asarray(a)``.

    Parameters
    ----------
    a : array_like
        A traced array, an object array or (nested) list of numbers and traced
        scalars, or plain values.

    Returns
    -------
    Tracer or numpy.ndarray
        A traced array when ``a`` holds traced values, else ``np.asarray(a)``.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx import ad
    >>> def det(x):
    ...     return np.linalg.det(ad.asarray(np.array([[x[0], x[1]], [x[1], x[0] ** 2]])))
    >>> ad.grad(det)(np.array([1.0, 2.0])).tolist()
    [3.0, -4.0]
    """
    if type(a) is Tracer:
        return a
    out = as_traced(a)
    return out if type(out) is Tracer else np.asarray(a)


OPS["pack_tree"] = HOOKS["pack_tree"] = pack_tree
