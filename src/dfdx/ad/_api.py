"""Public transformations: grad, value_and_grad, jvp, vjp, jacobian, hessian, hvp."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dfdx._core.validate import check_choice
from dfdx.ad._primitive import TracingError
from dfdx.ad._trace import IDENTITY_SEEDS, ForwardTrace, ReverseTrace, shape_of
from dfdx.ad._tracer import Tracer, raw
from dfdx.ad._tree import LEAF, as_input, flatten, unflatten

__all__ = ["grad", "hessian", "hvp", "jacobian", "jvp", "value_and_grad", "vjp"]


_NESTED = (tuple, list, dict)


def _argnums(argnums: int | tuple[int, ...]) -> tuple[tuple[int, ...], bool]:
    if isinstance(argnums, (int, np.integer)) and not isinstance(argnums, bool):
        return (int(argnums),), False
    if isinstance(argnums, tuple) and argnums and all(isinstance(i, int) for i in argnums):
        return argnums, True
    raise TypeError(f"`argnums` must be an int or a non-empty tuple of ints, got {argnums!r}")


def _run(f: Callable[..., Any], trace: Any, args: Any, kwargs: Any) -> Any:
    try:
        return f(*args, **kwargs)
    except ValueError as exc:
        if "setting an array element with a sequence" in str(exc):
            raise TracingError(
                "NumPy could not store a value into a plain array ('setting an array element "
                "with a sequence'); while differentiating this usually means a traced value "
                "was stored into a plain NumPy array (c = np.zeros(n); c[i] = x), which cannot "
                "carry a derivative. Build arrays from traced values with np.stack([...]) or "
                "np.concatenate, or start from y = np.zeros_like(x) (traced) and assign "
                "y[i] = ..."
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
        trace = ReverseTrace()
        try:
            a = args[single] if single is not None and single < len(args) else None
            if a is not None and type(a) not in _NESTED:  # fast path: one array argument
                x = as_input(a)
                xt = trace.new(x)
                targs = (*args[:single], xt, *args[single + 1 :])
                specs = [(LEAF, [x], [0])]
            else:
                targs, specs = _wrap_reverse(trace, args, nums)
            out = _run(f, trace, targs, kwargs)
            if type(out) is Tracer and out._trace is trace:
                value = out.value
                if shape_of(value) != ():
                    raise _not_scalar(value)
                wanted = [k for s in specs for k in s[2]]
                cts = trace.backward({out.aux: 1.0}, wanted, consume=True)
            else:
                value = out
                if isinstance(out, _NESTED) or shape_of(raw(out)) != ():
                    raise _not_scalar(raw(out))
                cts = [None] * sum(len(s[1]) for s in specs)
        finally:
            if trace.locked:
                trace.unlock()
        return value, _collect(cts, specs, multi)

    vg.__name__ = f"value_and_grad({getattr(f, '__name__', 'f')})"
    return vg


def _not_scalar(value: Any) -> ValueError:
    what = type(value).__name__ if isinstance(value, _NESTED) else f"shape {shape_of(value)}"
    return ValueError(
        f"grad requires f to return a scalar, got an output of {what}; "
        "use dfdx.ad.jacobian for vector-valued functions (or reduce the output, e.g. np.sum)"
    )


def grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable:
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
                c = np.asarray(c)
                if c.shape != shape_of(o.value):
                    raise ValueError(f"cotangent shape {c.shape} != output {shape_of(o.value)}")
                seeds[o.aux] = c if o.aux not in seeds else seeds[o.aux] + c
        cts = trace.backward(seeds, wanted) if seeds else [None] * len(wanted)
        return _collect(cts, specs, True)

    return value, vjp_fn


def _jac_forward(f: Callable, args: tuple, kwargs: dict, nums: tuple[int, ...]) -> tuple:
    leaves_all = []
    specs = []
    for n in nums:
        leaves, tdef = flatten(args[n])
        leaves = [as_input(a) for a in leaves]
        specs.append((tdef, leaves))
        leaves_all.extend(leaves)
    sizes = [int(np.size(a)) for a in leaves_all]
    total = sum(sizes)
    trace = ForwardTrace((total,))
    dtype = np.result_type(*leaves_all, np.float64)
    eye = np.eye(total, dtype=dtype)
    targs = list(args)
    pos = 0
    single = len(leaves_all) == 1 and len(shape_of(leaves_all[0])) == 1
    for n, (tdef, leaves) in zip(nums, specs, strict=True):
        tr = []
        for a in leaves:
            k = int(np.size(a))
            seed = eye if single else eye[:, pos : pos + k].reshape((total, *shape_of(a)))
            tr.append(trace.new(a, seed))
            pos += k
        targs[n] = tr[0] if tdef is LEAF else unflatten(tdef, tr)
    if single:
        IDENTITY_SEEDS[id(eye)] = eye  # the seed tangent is exactly the identity matrix
    try:
        out = _run(f, trace, tuple(targs), kwargs)
    finally:
        if single:
            IDENTITY_SEEDS.pop(id(eye), None)
    ol, odef = flatten(out)
    blocks = []
    for o in ol:
        if type(o) is Tracer and o._trace is trace and o.aux is not None:
            t = o.aux
            oshape = shape_of(o.value)
            t = np.moveaxis(np.reshape(t, (total, -1)), 0, -1)
        else:
            oshape = shape_of(raw(o))
            t = np.zeros((int(np.prod(oshape)), total))
        blocks.append((oshape, t))
    return odef, blocks, specs, sizes


def _jac_reverse(f: Callable, args: tuple, kwargs: dict, nums: tuple[int, ...]) -> tuple:
    trace = ReverseTrace()
    try:
        targs, rspecs = _wrap_reverse(trace, args, nums)
        out = _run(f, trace, targs, kwargs)
        ol, odef = flatten(out)
        wanted = [k for s in rspecs for k in s[2]]
        leaves_all = [a for s in rspecs for a in s[1]]
        sizes = [int(np.size(a)) for a in leaves_all]
        total = sum(sizes)
        blocks = []
        for o in ol:
            traced = type(o) is Tracer and o._trace is trace
            val = o.value if traced else raw(o)
            oshape = shape_of(val)
            m = int(np.prod(oshape))
            jac = np.zeros((m, total), dtype=np.result_type(val, *leaves_all, np.float64))
            if traced:
                for r in range(m):
                    seed = np.zeros(m, dtype=jac.dtype)
                    seed[r] = 1.0
                    cts = trace.backward({o.aux: seed.reshape(oshape)}, wanted)
                    row = [
                        np.zeros(s) if c is None else np.ravel(c)
                        for c, s in zip(cts, sizes, strict=True)
                    ]
                    jac[r] = np.concatenate(row) if row else jac[r]
            blocks.append((oshape, jac))
    finally:
        trace.unlock()
    return odef, blocks, [(s[0], s[1]) for s in rspecs], sizes


def jacobian(
    f: Callable[..., Any], argnums: int | tuple[int, ...] = 0, mode: str = "auto"
) -> Callable:
    """Jacobian ``J[out_index + in_index]`` of ``f`` by batched forward mode or reverse mode.

    Parameters
    ----------
    f : callable
        Function of arrays; its output may be an array or a nested structure.
    argnums : int or tuple of int, default 0
        Argument(s) to differentiate.
    mode : {"auto", "forward", "reverse"}, default "auto"
        ``"forward"``: one forward pass carrying all input directions at once;
        ``"reverse"``: one traced forward pass, then one backward pass per
        output element; ``"auto"`` picks forward unless the output is smaller
        than the input.

    Returns
    -------
    callable
        ``(*args) -> J`` with ``J.shape == out.shape + in.shape`` (nested like
        the output, then like the input, for structured arguments).

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.ad import jacobian
    >>> J = jacobian(lambda x: x**2)(np.array([1.0, 2.0]))
    >>> J.tolist()
    [[2.0, 0.0], [0.0, 4.0]]
    """
    check_choice(mode, "mode", ("auto", "forward", "reverse"))
    nums, multi = _argnums(argnums)

    def jac(*args: Any, **kwargs: Any) -> Any:
        if mode == "forward":
            res = _jac_forward(f, args, kwargs, nums)
        elif mode == "reverse":
            res = _jac_reverse(f, args, kwargs, nums)
        else:
            n_in = sum(int(np.size(a)) for n in nums for a in flatten(args[n])[0])
            res = _jac_reverse(f, args, kwargs, nums) if n_in <= 1 else None
            if res is None:
                out = f(*args, **kwargs)
                n_out = sum(int(np.size(raw(o))) for o in flatten(out)[0])
                if n_out < n_in:
                    res = _jac_reverse(f, args, kwargs, nums)
                else:
                    res = _jac_forward(f, args, kwargs, nums)
        return _assemble(*res, multi)

    jac.__name__ = f"jacobian({getattr(f, '__name__', 'f')})"
    return jac


def _assemble(odef: Any, blocks: list, specs: list, sizes: list[int], multi: bool) -> Any:
    outs = []
    for oshape, mat in blocks:
        pos = 0
        leaf_i = 0
        per_arg = []
        for tdef, leaves in specs:
            parts = []
            for a in leaves:
                k = sizes[leaf_i]
                block = np.asarray(mat[:, pos : pos + k]).reshape(oshape + shape_of(a))
                if not np.iscomplexobj(a) and np.iscomplexobj(block):
                    block = block.real
                parts.append(block)
                pos += k
                leaf_i += 1
            per_arg.append(parts[0] if tdef is LEAF else unflatten(tdef, parts))
        outs.append(tuple(per_arg) if multi else per_arg[0])
    return unflatten(odef, outs)


def hessian(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable:
    """Hessian by forward-over-reverse: one batched forward pass through the gradient.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.ad import hessian
    >>> hessian(lambda x: x[0] ** 2 * x[1])(np.array([1.0, 3.0])).tolist()
    [[6.0, 2.0], [2.0, 0.0]]
    """
    return jacobian(grad(f, argnums), argnums, mode="forward")


def hvp(f: Callable[..., Any], argnums: int = 0) -> Callable:
    """Hessian-vector product ``(*args, v) -> H @ v`` without forming ``H`` (forward-over-reverse).

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.ad import hvp
    >>> hvp(lambda x: np.sum(x**3))(np.array([1.0, 2.0]), np.array([1.0, 1.0])).tolist()
    [6.0, 12.0]
    """
    g = grad(f, argnums)

    def h(*args: Any) -> Any:
        *primals, v = args

        def at(p: Any) -> Any:
            a = list(primals)
            a[argnums] = p
            return g(*a)

        return jvp(at, (primals[argnums],), (v,))[1]

    return h
