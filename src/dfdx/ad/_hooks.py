"""Hooks on SciPy's Python functions and methods, so that traced calls reach dfdx's rules.

SciPy functions written in Python (``scipy.linalg.solve``, ``scipy.stats.norm.logpdf``,
``scipy.signal.convolve``, ...) convert their input with ``np.asarray``, which
no NumPy dispatch protocol can intercept.  :func:`hook` gives such a function
object a new code object: a shim with the same parameters (defaults, name,
docstring, identity and signature are kept, so names imported from SciPy
before ``dfdx.ad`` see the hook too) that calls

* the original code, unchanged, when no argument is a traced value, and
* the traced implementation registered for it otherwise.

Functions wrapped by a closure (SciPy's batching decorator) get a shim with the
same free variables.  A function whose layout does not fit is left alone; traced
calls then keep failing loudly with a :class:`~dfdx.ad.TracingError`.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable
from typing import Any

from dfdx.ad._primitive import TracingError
from dfdx.ad._tracer import Tracer

__all__ = [
    "HOOKED",
    "LAZY_RULES",
    "ORIGINALS",
    "as_array",
    "dispatch",
    "hook",
    "install_lazy_rules",
    "is_traced",
    "swap_code",
]

# key (public dotted name) -> the original function (a fresh object holding its code)
ORIGINALS: dict[str, Callable[..., Any]] = {}
# key -> the implementation for traced calls
TRACED: dict[str, Callable[..., Any]] = {}
# public names of everything hooked (listed by supported_functions)
HOOKED: set[str] = set()

_CO_VARARGS, _CO_VARKEYWORDS = 0x04, 0x08


def is_traced(a: Any) -> bool:
    """Whether ``a`` is a traced value, or a list/tuple/dict holding one (one level deep)."""
    if type(a) is Tracer:
        return True
    if isinstance(a, (list, tuple)):
        return any(type(b) is Tracer or (isinstance(b, (list, tuple)) and is_traced(b)) for b in a)
    if isinstance(a, dict):
        return any(type(b) is Tracer for b in a.values())
    return False


def as_array(a: Any) -> Any:
    """``a`` as an array: a traced value unchanged, a list/tuple holding traced values
    stacked (exactly, with ``np.stack``), anything else through ``np.asarray``."""
    if type(a) is Tracer:
        return a
    if isinstance(a, (list, tuple)) and is_traced(a):
        import numpy as np

        return np.stack([as_array(b) for b in a])
    import numpy as np

    return np.asarray(a)


def dispatch(key: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Run the traced implementation of ``key`` if an argument is traced, else the original."""
    if any(is_traced(a) for a in args) or any(is_traced(v) for v in kwargs.values()):
        return TRACED[key](*args, **kwargs)
    return ORIGINALS[key](*args, **kwargs)


def _shim_code(fn: types.FunctionType, key: str) -> types.CodeType | None:
    """A code object with ``fn``'s parameters and free variables that calls :func:`dispatch`."""
    co = fn.__code__
    names = co.co_varnames
    npos, nkw = co.co_argcount, co.co_kwonlyargcount
    pos, kwonly = list(names[:npos]), list(names[npos : npos + nkw])
    k = npos + nkw
    star = names[k] if co.co_flags & _CO_VARARGS else None
    k += bool(star)
    dstar = names[k] if co.co_flags & _CO_VARKEYWORDS else None
    params = list(pos)
    if co.co_posonlyargcount:
        params.insert(co.co_posonlyargcount, "/")
    if star:
        params.append("*" + star)
    elif kwonly:
        params.append("*")
    params += kwonly
    if dstar:
        params.append("**" + dstar)
    call_args = "(" + "".join(f"{p}, " for p in pos) + (f"*{star}," if star else "") + ")"
    call_kw = "{" + "".join(f"{p!r}: {p}, " for p in kwonly) + (f"**{dstar}" if dstar else "") + "}"
    free = co.co_freevars
    src = (
        f"def __dfdx_factory({', '.join(free)}):\n"
        f"    def {co.co_name}({', '.join(params)}):\n"
        + "".join(f"        {v}\n" for v in free)
        + "        from dfdx.ad._hooks import dispatch as __dfdx_dispatch\n"
        f"        return __dfdx_dispatch({key!r}, {call_args}, {call_kw})\n"
        f"    return {co.co_name}\n"
    )
    ns: dict[str, Any] = {}
    exec(compile(src, f"<dfdx.ad hook of {key}>", "exec"), ns)
    inner = ns["__dfdx_factory"](*free)
    code = inner.__code__
    if code.co_freevars != free:
        return None
    return code


def hook(fn: Any, key: str, traced: Callable[..., Any]) -> bool:
    """Route traced calls of the Python function ``fn`` (public name ``key``) to ``traced``.

    Returns False (and leaves ``fn`` alone) when ``fn`` is not a plain Python function.
    """
    if type(fn) is not types.FunctionType:
        return False
    TRACED[key] = traced
    if key in ORIGINALS:  # hooked before (the package was reloaded)
        HOOKED.add(key)
        return True
    orig = getattr(fn, "__dfdx_original__", None)
    if orig is None:
        code = _shim_code(fn, key)
        if code is None:
            return False
        orig = swap_code(fn, code)
    ORIGINALS[key] = orig
    HOOKED.add(key)
    return True


def no_rule(name: str, what: str) -> TracingError:
    """The error for a traced argument that has no derivative in ``name``."""
    return TracingError(
        f"{name}: the derivative with respect to {what} has no rule in dfdx.ad; "
        "pass it as a plain value, or use numerical differentiation (dfdx.derivative)"
    )


class _AfterImport:
    """A meta path finder that runs callbacks once a module has been executed."""

    def __init__(self) -> None:
        self.pending: dict[str, list[Callable[[], Any]]] = {}

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        callbacks = self.pending.pop(fullname, None)
        if callbacks is None:
            return None
        if not self.pending and self in sys.meta_path:
            sys.meta_path.remove(self)
        spec = None
        for finder in list(sys.meta_path):
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module

        def exec_module(module: Any) -> None:
            run(module)
            for cb in callbacks:
                cb()

        loader.exec_module = exec_module
        return spec


_FINDER = _AfterImport()


def when_imported(module: str, callback: Callable[[], Any]) -> None:
    """Run ``callback`` now if ``module`` is imported, else right after it is first imported
    (importing ``dfdx.ad`` does not import ``scipy.stats``, which is slow to import)."""
    if module in sys.modules:
        callback()
        return
    _FINDER.pending.setdefault(module, []).append(callback)
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


# SciPy modules slow to import (scipy.stats: about a second) and the rule tables that
# hook them: loaded when the user's code imports the module, not with dfdx.ad
LAZY_RULES = {
    "scipy.linalg": ("dfdx.ad._rules_scipy_linalg", "dfdx.ad._rules_scipy_decomp"),
    "scipy.signal": ("dfdx.ad._rules_signal",),
    "scipy.stats": (
        "dfdx.ad._rules_stats",
        "dfdx.ad._rules_stats_discrete",
        "dfdx.ad._rules_stats_multi",
    ),
}


def _loader(names: tuple[str, ...]) -> Callable[[], Any]:
    return lambda: [importlib.import_module(n) for n in names]


def install_lazy_rules() -> None:
    """Hook each module of :data:`LAZY_RULES` now or when it is first imported."""
    for module, rules in LAZY_RULES.items():
        when_imported(module, _loader(rules))


def swap_code(fn: types.FunctionType, code: types.CodeType) -> types.FunctionType:
    """Give ``fn`` the body ``code``; return (and keep on ``fn``) a copy of the original.

    ``fn`` itself stays the object users imported (identity, defaults,
    docstring, signature), so names bound before the swap see it too.
    """
    orig = types.FunctionType(
        fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__
    )
    orig.__kwdefaults__ = fn.__kwdefaults__
    orig.__qualname__ = fn.__qualname__
    orig.__doc__ = fn.__doc__
    fn.__dfdx_original__ = orig  # type: ignore[attr-defined]
    fn.__code__ = code
    return orig
