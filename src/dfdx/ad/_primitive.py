"""Primitives, the rule registries and ``bind``, the one entry point of every traced op.

A primitive is a raw NumPy-level function plus, for each differentiable
positional argument ``i``, a forward rule ``jvps[i](t, ans, *args, **params)``
and a reverse rule ``vjps[i](g, ans, *args, **params)``.  ``args`` are the raw
values at the level being differentiated (they may themselves be tracers of
an outer transformation, which is how nesting works: rules are written with
NumPy functions, so they are differentiable again).

Forward tangents carry leading batch axes: ``t.shape == batch + shape(x)``.
Reverse cotangents are unbatched: ``g.shape == shape(ans)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "FUNCTIONS",
    "HOOKS",
    "NONDIFF_FUNCTIONS",
    "UFUNCS",
    "EveryArg",
    "Primitive",
    "TracingError",
    "bind",
    "defjvp",
    "defvjp",
    "implements",
    "primitive",
]


class TracingError(TypeError):
    """Raised whenever a traced computation cannot be differentiated exactly.

    Causes: a NumPy/SciPy function without a derivative rule, ``float()``,
    ``int()`` or a :mod:`math` function applied to a traced value, a conversion
    to a float array (``np.asarray(x, dtype=float)``, a C extension), storing a
    traced value into a plain float array (``c = np.zeros(n); c[0] = x``), or
    writing through a view of a traced array.  The message names the cause,
    the line of the user's code and the working alternative.

    Examples
    --------
    >>> import math
    >>> from dfdx.ad import TracingError, grad
    >>> try:
    ...     grad(lambda x: math.sin(x))(1.0)
    ... except TracingError as exc:
    ...     print("use np.sin" in str(exc) or "np.sin" in str(exc))
    True
    """


TracingError.__module__ = "dfdx.ad"


class Primitive:
    """A differentiable operation: raw implementation plus per-argument rules."""

    __slots__ = (
        "impl",
        "jvp_all",
        "jvps",
        "keep",
        "linear",
        "multiple",
        "name",
        "taylor",
        "ufunc",
        "view",
        "vjps",
    )

    def __init__(
        self,
        name: str,
        impl: Callable[..., Any],
        *,
        linear: bool = False,
        view: bool = False,
        multiple: bool = False,
    ) -> None:
        self.name = name
        self.impl = impl
        self.jvps: dict[int, Callable[..., Any]] = {}
        self.vjps: dict[int, Callable[..., Any]] = {}
        self.linear = linear
        self.view = view
        self.multiple = multiple
        self.taylor: Callable[..., Any] | None = None
        # optional joint forward rule jvp_all(tangents, ans, *args) (None = zero tangent)
        self.jvp_all: Callable[..., Any] | None = None
        # reverse mode: {argnum: positions (-1 = ans) whose values vjps[argnum] reads};
        # other values are replaced on the tape by their shape and dtype (None = keep all)
        self.keep: dict[int, tuple[int, ...]] | None = None
        # the ufunc computing this primitive (allows writing into recycled buffers)
        self.ufunc: Any = impl if type(impl).__name__ == "ufunc" else None

    def __repr__(self) -> str:
        return f"<dfdx.ad primitive {self.name}>"

    def __call__(self, *args: Any, **params: Any) -> Any:
        return bind(self, *args, **params)

    def rules(self, argnum: int, jvp: Callable[..., Any], vjp: Callable[..., Any]) -> Primitive:
        """Register the forward and reverse rule for positional argument ``argnum``."""
        self.jvps[argnum] = jvp
        self.vjps[argnum] = vjp
        return self


class EveryArg(dict):
    """A rule table answering for every argument position (a primitive of any number of
    arguments: ``make(i)`` builds the rule of argument ``i`` on first use)."""

    def __init__(self, make: Callable[[int], Any]) -> None:
        super().__init__()
        self.make = make

    def __contains__(self, i: object) -> bool:
        return True

    def __missing__(self, i: int) -> Any:
        rule = self[i] = self.make(i)
        return rule

    def get(self, i: Any, default: Any = None) -> Any:
        return self[i]


# ufunc -> Primitive; function -> handler(*args, **kwargs) for __array_function__.
UFUNCS: dict[Any, Primitive] = {}
FUNCTIONS: dict[Any, Callable[..., Any]] = {}
# functions whose result carries no derivative (shape queries, comparisons, ...)
NONDIFF_FUNCTIONS: set[Any] = set()


def bind(prim: Primitive, *args: Any, **params: Any) -> Any:
    """Apply ``prim`` to ``args``: raw when no argument is traced, else via the top trace."""
    top = None
    for a in args:
        ta = type(a)
        if ta is _Tracer:
            tr = a._trace
            if top is None or tr.level > top.level:
                top = tr
            if a.view is not None:
                a.check_view()
        elif ta is _ndarray and a.dtype.hasobject:  # traced scalars in an object array
            return bind(prim, *HOOKS["pack_tree"](args), **params)
    if top is None:
        return prim.impl(*args, **params)
    return top.process(prim, args, params)


# set by _objects: packs object arrays of traced scalars into one traced array
HOOKS: dict[str, Callable[..., Any]] = {"pack_tree": lambda args: args}


_ndarray = np.ndarray
_Tracer: type = type(None)  # set by _tracer on import (avoids an import cycle)


def _set_tracer_type(cls: type) -> None:
    global _Tracer
    _Tracer = cls


def implements(*funcs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a handler for NumPy functions reached through ``__array_function__``."""

    def deco(handler: Callable[..., Any]) -> Callable[..., Any]:
        for f in funcs:
            FUNCTIONS[f] = handler
        return handler

    return deco


def primitive(fun: Callable[..., Any], name: str | None = None) -> Primitive:
    """Turn a raw NumPy function into a primitive that accepts traced arguments.

    Give it rules with :func:`defjvp` and :func:`defvjp`.  Each rule receives
    the tangent (forward) or cotangent (reverse), the primitive's output and
    the raw arguments.  Forward tangents may carry leading batch axes
    (``t.shape == batch + np.shape(x)``): write forward rules so that they
    broadcast over leading axes.

    Parameters
    ----------
    fun : callable
        The raw function; it is called with plain arrays.
    name : str, optional
        Name used in error messages (default: ``fun.__name__``).

    Returns
    -------
    Primitive
        A callable that behaves as ``fun`` on plain values and is traced otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx import ad
    >>> cube = ad.primitive(lambda x: x**3, name="cube")
    >>> ad.defjvp(cube, lambda t, ans, x: 3 * x**2 * t)
    >>> ad.defvjp(cube, lambda g, ans, x: 3 * x**2 * g)
    >>> float(ad.grad(cube)(2.0))
    12.0
    >>> float(ad.jvp(cube, (2.0,), (1.0,))[1])
    12.0
    """
    return Primitive(name or getattr(fun, "__name__", repr(fun)), fun)


def _target(fun: Any) -> Primitive:
    if isinstance(fun, Primitive):
        return fun
    prim = UFUNCS.get(fun)
    if prim is None:
        raise TypeError(
            f"{fun!r} is not a dfdx.ad primitive; create one with dfdx.ad.primitive(fun)"
        )
    return prim


def defjvp(fun: Any, *rules: Callable[..., Any] | None) -> None:
    """Register forward-mode rules ``rule(t, ans, *args, **params)``, one per argument.

    Parameters
    ----------
    fun : Primitive or ufunc
        A primitive from :func:`primitive`, or a ufunc (e.g. a ``scipy.special``
        function) to give or override its rules; registering a new ufunc
        makes it traceable.
    *rules : callable or None
        The rule for positional argument 0, 1, ...; None skips an argument
        (it is then treated as non-differentiable).

    Examples
    --------
    See :func:`primitive`.
    """
    prim = _ensure_ufunc(fun)
    for i, rule in enumerate(rules):
        if rule is not None:
            prim.jvps[i] = rule


def defvjp(fun: Any, *rules: Callable[..., Any] | None) -> None:
    """Register reverse-mode rules ``rule(g, ans, *args, **params)``, one per argument.

    Parameters
    ----------
    fun : Primitive or ufunc
        As in :func:`defjvp`.
    *rules : callable or None
        The rule for positional argument 0, 1, ...; it must return an array
        of the argument's shape.

    Examples
    --------
    See :func:`primitive`.
    """
    prim = _ensure_ufunc(fun)
    for i, rule in enumerate(rules):
        if rule is not None:
            prim.vjps[i] = rule


def _ensure_ufunc(fun: Any) -> Primitive:
    if not isinstance(fun, Primitive) and fun not in UFUNCS and _is_ufunc(fun):
        UFUNCS[fun] = Primitive(getattr(fun, "__name__", repr(fun)), fun)
    return _target(fun)


def _is_ufunc(fun: Any) -> bool:
    return isinstance(fun, np.ufunc)
