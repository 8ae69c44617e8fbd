"""Public transformations: grad, value_and_grad, jvp, vjp, jacobian, hessian, hvp."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, overload

import numpy as np

from dfdx.ad._objects import pack_tree
from dfdx.ad._primitive import TracingError
from dfdx.ad._trace import ForwardTrace, ReverseTrace, fit_real, shape_of
from dfdx.ad._tracer import BUILD_HINT, Tracer, inexact_dtype, raw, where_raised
from dfdx.ad._tree import LEAF, as_input, flatten, unflatten

__all__ = ["grad", "jvp", "value_and_grad", "vjp"]


_NESTED = (tuple, list, dict)


def _argnums(argnums: int | tuple[int, ...]) -> tuple[tuple[int, ...], bool]:
    if isinstance(argnums, (int, np.integer)) and not isinstance(argnums, bool):
        return (int(argnums),), False
    if isinstance(argnums, tuple) and argnums and all(isinstance(i, int) for i in argnums):
        return argnums, True
    raise TypeError(f"`argnums` must be an int or a non-empty tuple of ints, got {argnums!r}")


# NumPy's complaints about object arrays: a library function converted traced values
# with np.asarray (or was given np.array([...]) of traced values) and then needed numbers
_OBJECT_ARRAY_ERRORS = (
    "not supported for the input types",
    "object arrays are not supported",
    "Unsupported type",
    "loop of ufunc does not support",
    "from dtype('O')",
)


def _run(f: Callable[..., Any], trace: Any, args: Any, kwargs: Any) -> Any:
    try:
        out = f(*args, **kwargs)
        return out if type(out) is Tracer else pack_tree(out)
    except TracingError:
        raise
    except (TypeError, ValueError) as exc:
        if any(m in str(exc) for m in _OBJECT_ARRAY_ERRORS):
            raise TracingError(
                f"{where_raised(exc)} cannot differentiate its traced argument ({exc}): it "
                "received or made an array of traced values (np.array([...]), np.asarray) "
                "and needed plain numbers. Give it one traced array, dfdx.ad.asarray(a), if "
                "it has a derivative rule in dfdx.ad; else register one with "
                "dfdx.ad.primitive + dfdx.ad.defjvp/defvjp, rewrite it with NumPy functions, "
                "or use numerical differentiation (dfdx.derivative falls back to it)."
            ) from exc
        if not isinstance(exc, ValueError):
            raise
        if "setting an array element with a sequence" in str(exc):
            raise TracingError(
                f"NumPy could not store a value into a plain array in {where_raised(exc)} "
                "('setting an array element with a sequence'); while differentiating this "
                "usually means a traced value was stored into a plain float array (c[i] = x "
                "with c = np.zeros(n) or np.empty(n)), which cannot carry a derivative. "
                + BUILD_HINT
            ) from exc
        if getattr(trace, "locked", None) and "read-only" in str(exc):
            raise TracingError(
                "the function modified in place an array that the traced computation had "
                "already used; dfdx.ad marks such arrays read-only while it differentiates, "
                "so that the gradient cannot be silently corrupted. Copy the array before "
                "modifying it (A = A.copy())."
            ) from exc
        raise


def _wrap_reverse(trace: ReverseTrace, args: tuple, nums: tuple[int, ...]) -> tuple:
    args = list(args)
    if max(nums) >= len(args):
        raise TypeError(f"argnums {nums} out of range for {len(args)} positional arguments")
    specs = []
    for n in nums:
        leaves, tdef = flatten(args[n])
        leaves = [as_input(a) for a in leaves]
        tracers = [trace.new(a) for a in leaves]
        specs.append((tdef, leaves, [t.aux for t in tracers]))
        args[n] = tracers[0] if tdef is LEAF else unflatten(tdef, tracers)
    return tuple(args), specs


def _zeros_like(a: Any) -> Any:
    z = np.zeros(shape_of(a), dtype=getattr(a, "dtype", np.float64))
    return z if z.ndim else z[()]


def _cast(c: Any, like: Any) -> Any:
    if c is None:
        return _zeros_like(like)
    tc = type(c)
    if tc is type(like) and (tc is np.float64 or tc is float):
        return c
    if tc is float or tc is int or tc is complex:  # an untouched seed: like's type
        c = np.asarray(c, dtype=inexact_dtype(like))
        return c if type(like) is np.ndarray else c[()]
    if tc is not Tracer:
        dt = getattr(like, "dtype", None)
        if dt is not None and getattr(c, "dtype", dt) != dt:
            c = np.asarray(c).astype(dt)
        if shape_of(c) != shape_of(like):
            c = np.broadcast_to(c, shape_of(like)).copy()
        elif tc is np.ndarray and not c.flags.writeable:
            c = c.copy()
    return c


def _collect(cts: list[Any], specs: list, multi: bool) -> Any:
    out = []
    pos = 0
    for tdef, leaves, _ in specs:
        vals = [_cast(c, a) for c, a in zip(cts[pos : pos + len(leaves)], leaves, strict=True)]
        pos += len(leaves)
        out.append(vals[0] if tdef is LEAF else unflatten(tdef, vals))
    return tuple(out) if multi else out[0]


def value_and_grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable:
    """Function returning ``(f(*args), gradient of f)`` from one reverse pass.

    Parameters
    ----------
    f : callable
        Scalar-valued function of NumPy arrays, written with plain ``numpy``.
    argnums : int or tuple of int, default 0
        Positional argument(s) to differentiate; each may be an array, a
        Python scalar, or a nested tuple/list/dict of them.

    Returns
    -------
    callable
        ``(*args, **kwargs) -> (value, gradient)``; the gradient has the
        structure (and dtype) of the differentiated argument, a tuple of them
        when ``argnums`` is a tuple.

    Raises
    ------
    ValueError
        If ``f`` does not return a scalar (use :func:`jacobian`).
    TracingError
        If ``f`` cannot be traced (see :class:`TracingError`).

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.ad import value_and_grad
    >>> v, g = value_and_grad(lambda x: np.sum(x**2))(np.array([1.0, 2.0]))
    >>> float(v), g.tolist()
    (5.0, [2.0, 4.0])
    """
    nums, multi = _argnums(argnums)
    single = None if multi else nums[0]

    def vg(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        trace = ReverseTrace(recycle=True)
        try:
            a = args[single] if single is not None and single < len(args) else None
            if a is not None and type(a) not in _NESTED:  # fast path: one array argument
                x = as_input(a)
                xt = trace.new(x)
                targs = (*args[:single], xt, *args[single + 1 :])
                specs = None
            else:
                targs, specs = _wrap_reverse(trace, args, nums)
            out = _run(f, trace, targs, kwargs)
            if type(out) is Tracer and out._trace is trace:
                value = out.value
                if shape_of(value) != ():
                    if np.size(raw(value)) != 1:
                        raise _not_scalar(value)
                    out = np.reshape(out, ())  # one element, of any shape
                wanted = [0] if specs is None else [k for s in specs for k in s[2]]
                trace.hold()
                cts = trace.backward({out.aux: 1.0}, wanted, consume=True)
            else:
                value = out
                if isinstance(out, _NESTED) or np.size(raw(out)) != 1:
                    raise _not_scalar(raw(out))
                cts = [None] * (1 if specs is None else sum(len(s[1]) for s in specs))
        finally:
            if trace.locked:
                trace.unlock()
        out = None
        trace.release()
        if specs is None:
            return value, _cast(cts[0], x)
        return value, _collect(cts, specs, multi)

    vg.__name__ = f"value_and_grad({getattr(f, '__name__', 'f')})"
    return vg


def _not_scalar(value: Any) -> ValueError:
    what = type(value).__name__ if isinstance(value, _NESTED) else f"shape {shape_of(value)}"
    return ValueError(
        f"grad requires f to return a scalar, got an output of {what}; "
        "use dfdx.ad.jacobian for vector-valued functions (or reduce the output, e.g. np.sum)"
    )


_P = ParamSpec("_P")


@overload
def grad(
    f: Callable[Concatenate[np.ndarray, _P], Any], argnums: int = 0
) -> Callable[Concatenate[np.ndarray, _P], np.ndarray]: ...
@overload
def grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]: ...


def grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """Gradient of a scalar function by reverse mode (one pass, any number of inputs).

    Parameters
    ----------
    f : callable
        Scalar-valued function written with plain ``numpy`` (``np.sin``,
        ``x @ A``, ``np.sum``...); Python control flow on values is allowed.
    argnums : int or tuple of int, default 0
        Positional argument(s) to differentiate.

    Returns
    -------
    callable
        ``(*args, **kwargs) -> gradient``, shaped like the argument(s).

    Notes
    -----
    Complex convention: the reverse pass applies the *transpose* (not the
    conjugate transpose) of each derivative, so for a holomorphic ``f``,
    ``grad(f)(z) == f'(z)``; for a real-valued ``f`` of complex ``z`` it
    returns ``df/dx - i df/dy`` (the conjugate of the steepest-ascent
    direction), as JAX does.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.ad import grad
    >>> float(grad(lambda x: x**2 + 1)(3.0))
    6.0
    >>> grad(lambda x: np.sum(np.sin(x)))(np.array([0.0, np.pi])).tolist()
    [1.0, -1.0]
    >>> complex(grad(lambda z: z**2)(1j))
    2j
    """
    vg = value_and_grad(f, argnums)

    def g(*args: Any, **kwargs: Any) -> Any:
        return vg(*args, **kwargs)[1]

    g.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    return g


def jvp(f: Callable[..., Any], primals: Any, tangents: Any) -> tuple[Any, Any]:
    """Forward mode: ``(f(*primals), J @ tangents)`` in one pass.

    Parameters
    ----------
    f : callable
        Function of the positional arguments ``primals``.
    primals, tangents : tuple
        Arguments and matching tangents (same structures and shapes).

    Returns
    -------
    out, tangent_out
        The value and its directional derivative, with the output's structure.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.ad import jvp
    >>> y, t = jvp(np.sin, (0.0,), (2.0,))
    >>> float(y), float(t)
    (0.0, 2.0)
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("`primals` and `tangents` must be tuples of the arguments of f")
    trace = ForwardTrace()
    pl, pdef = flatten(tuple(primals))
    tl, tdef = flatten(tuple(tangents))
    if pdef != tdef:
        raise ValueError("`tangents` must have the same structure as `primals`")
    args = []
    for p, t in zip(pl, tl, strict=True):
        p = as_input(p)
        if type(t) is not Tracer and type(p) is not Tracer:
            t = np.asarray(t, dtype=np.result_type(p, t))
            if not np.iscomplexobj(p):
                t = t.real
        if shape_of(t) != shape_of(p):
            raise ValueError(f"tangent of shape {shape_of(t)} does not match primal {shape_of(p)}")
        args.append(trace.new(p, t))
    out = _run(f, trace, unflatten(pdef, args), {})
    ol, odef = flatten(out)
    vals, tans = [], []
    for o in ol:
        if type(o) is Tracer and o._trace is trace:
            vals.append(o.value)
            tans.append(_zeros_like(o.value) if o.aux is None else o.aux)
        else:
            vals.append(o)
            tans.append(_zeros_like(raw(o)))
    return unflatten(odef, vals), unflatten(odef, tans)


def vjp(f: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[[Any], tuple]]:
    """Reverse mode: ``f(*primals)`` and a function ``g -> g @ J`` (one tuple entry per primal).

    Arrays the computation used are copied if needed so that later in-place
    changes cannot affect ``vjp_fn``; ``vjp_fn`` may be called many times.

    Parameters
    ----------
    f : callable
        Function of the positional arguments ``primals``.
    *primals
        Arrays, scalars or nested structures of them.

    Returns
    -------
    out
        ``f(*primals)``.
    vjp_fn : callable
        ``g -> tuple`` of cotangents, one per primal (structured like it); ``g``
        has the structure and shapes of ``out``.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.ad import vjp
    >>> y, back = vjp(lambda x: 2 * x, np.array([1.0, 2.0]))
    >>> back(np.array([1.0, 10.0]))[0].tolist()
    [2.0, 20.0]
    """
    trace = ReverseTrace()
    try:
        targs, specs = _wrap_reverse(trace, primals, tuple(range(len(primals))))
        out = _run(f, trace, targs, {})
    finally:
        trace.freeze()
    ol, odef = flatten(out)
    value = unflatten(odef, [o.value if type(o) is Tracer and o._trace is trace else o for o in ol])
    wanted = [k for s in specs for k in s[2]]

    def vjp_fn(g: Any) -> tuple:
        gl, gdef = flatten(g)
        if gdef != odef:
            raise ValueError("the cotangent must have the structure of f's output")
        seeds: dict[int, Any] = {}
        for o, c in zip(ol, gl, strict=True):
            if type(o) is Tracer and o._trace is trace:
                if type(c) is not Tracer:  # a traced cotangent: vjp_fn is differentiated
                    c = np.asarray(c)
                c = fit_real(c, o.value)  # a real output pairs with the real part only
                if shape_of(c) != shape_of(o.value):
                    raise ValueError(f"cotangent shape {shape_of(c)} != output {shape_of(o.value)}")
                seeds[o.aux] = c if o.aux not in seeds else seeds[o.aux] + c
        cts = trace.backward(seeds, wanted) if seeds else [None] * len(wanted)
        return _collect(cts, specs, True)

    return value, vjp_fn
