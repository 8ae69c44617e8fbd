"""jacobian (one batched forward pass, or one backward pass per output), hessian, hvp."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dfdx._core.validate import check_choice
from dfdx.ad._api import _argnums, _run, _wrap_reverse, grad, jvp
from dfdx.ad._batched import batched_jacobian
from dfdx.ad._trace import IDENTITY_SEEDS, ForwardTrace, ReverseTrace, shape_of
from dfdx.ad._tracer import Tracer, inexact_dtype, raw
from dfdx.ad._tree import LEAF, as_input, flatten, unflatten

__all__ = ["hessian", "hvp", "jacobian"]


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
    dtype = np.result_type(*[inexact_dtype(a) for a in leaves_all])
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
            # a complex output of a real input: the backward pass (the transpose, then the
            # real part for a real input) gives Re J with the seed 1 and Im J with -1j
            imag = jac.dtype.kind == "c" and any(not np.iscomplexobj(a) for a in leaves_all)
            if traced:
                rows = []  # rows are traced when an outer transformation differentiates this one
                for r in range(m):
                    seed = np.zeros(m, dtype=jac.dtype)
                    seed[r] = 1.0
                    cts = trace.backward({o.aux: seed.reshape(oshape)}, wanted)
                    row = [
                        np.zeros(s) if c is None else np.ravel(c)
                        for c, s in zip(cts, sizes, strict=True)
                    ]
                    if imag:
                        cts = trace.backward({o.aux: (-1j * seed).reshape(oshape)}, wanted)
                        row = [
                            part if np.iscomplexobj(a) or c is None else part + 1j * np.ravel(c)
                            for part, c, a in zip(row, cts, leaves_all, strict=True)
                        ]
                    rows.append(np.concatenate(row) if row else jac[r])
                if rows:
                    stacked = np.stack(rows)
                    jac = stacked if stacked.dtype == jac.dtype else stacked.astype(jac.dtype)
            blocks.append((oshape, jac))
    finally:
        trace.unlock()
    return odef, blocks, [(s[0], s[1]) for s in rspecs], sizes


def jacobian(
    f: Callable[..., Any],
    argnums: int | tuple[int, ...] = 0,
    mode: str = "auto",
    batched: bool = False,
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
    batched : bool, default False
        ``x`` holds m variables along its first axis and independent points
        along the others (the convention of ``dfdx.numeric``); ``f`` maps
        ``(m, *points)`` to ``(k, *points)``.  The result ``J[i, j, *p]`` has
        shape ``(k, m, *points)`` (``(m, *points)`` for one output per point),
        from one forward pass carrying m tangents for all points together.

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

    One 2 x 2 Jacobian at each of three points:

    >>> polar = lambda p: np.stack([p[0] * np.cos(p[1]), p[0] * np.sin(p[1])])
    >>> P = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, np.pi / 2]])
    >>> J = jacobian(polar, batched=True)(P)
    >>> J.shape, J[:, :, 1].tolist()
    ((2, 2, 3), [[1.0, -0.0], [0.0, 2.0]])
    """
    check_choice(mode, "mode", ("auto", "forward", "reverse"))
    nums, multi = _argnums(argnums)
    if batched:
        return _batched(f, nums, multi, mode)

    def jac(*args: Any, **kwargs: Any) -> Any:
        if mode == "forward":
            res = _jac_forward(f, args, kwargs, nums)
        elif mode == "reverse":
            res = _jac_reverse(f, args, kwargs, nums)
        else:
            n_in = sum(int(np.size(a)) for n in nums for a in flatten(args[n])[0])
            use_reverse = False
            if n_in > 1:  # one input direction: forward mode is one pass whatever the output
                out = f(*args, **kwargs)
                n_out = sum(int(np.size(raw(o))) for o in flatten(out)[0])
                use_reverse = n_out < n_in
            if use_reverse:
                res = _jac_reverse(f, args, kwargs, nums)
            else:
                res = _jac_forward(f, args, kwargs, nums)
        return _assemble(*res, multi)

    jac.__name__ = f"jacobian({getattr(f, '__name__', 'f')})"
    return jac


def _batched(f: Callable, nums: tuple[int, ...], multi: bool, mode: str) -> Callable:
    if multi:
        raise ValueError("`batched=True` needs one argument: `argnums` must be an int")
    if mode == "reverse":
        raise ValueError("`batched=True` uses forward mode: `mode` must be 'auto' or 'forward'")

    def jac(*args: Any, **kwargs: Any) -> Any:
        return batched_jacobian(f, args, kwargs, nums[0])

    jac.__name__ = f"jacobian({getattr(f, '__name__', 'f')}, batched=True)"
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
                # complex for a complex output, even of a real input (d exp(i x)/dx = i exp(i x))
                parts.append(np.asarray(mat[:, pos : pos + k]).reshape(oshape + shape_of(a)))
                pos += k
                leaf_i += 1
            per_arg.append(parts[0] if tdef is LEAF else unflatten(tdef, parts))
        outs.append(tuple(per_arg) if multi else per_arg[0])
    return unflatten(odef, outs)


def hessian(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable:
    """Hessian by forward-over-reverse: one batched forward pass through the gradient.

    Every linear-algebra and special-function rule has a forward rule, so this
    works for functions using ``inv``, ``solve``, ``det``, ``eigh``, ``cholesky``...

    Parameters
    ----------
    f : callable
        Scalar-valued function of arrays.
    argnums : int or tuple of int, default 0
        Argument(s) to differentiate; a tuple gives the nested blocks
        ``H[i][j]``.

    Returns
    -------
    callable
        ``(*args) -> H`` with ``H.shape == x.shape + x.shape``.

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

    Parameters
    ----------
    f : callable
        Scalar-valued function of arrays.
    argnums : int, default 0
        The argument ``x`` of the Hessian; ``v`` has its shape.

    Returns
    -------
    callable
        ``(*args, v) -> H @ v`` at the cost of about four evaluations of ``f``.

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
