"""The traced array: NumPy dispatch protocols, operators, methods and loud conversions."""

from __future__ import annotations

import sys
import warnings
from typing import Any

import numpy as np

from dfdx.ad._messages import BUILD_HINT, caller, where_called, where_raised
from dfdx.ad._primitive import (
    FUNCTIONS,
    NONDIFF_FUNCTIONS,
    UFUNCS,
    TracingError,
    _set_tracer_type,
    bind,
)

__all__ = [
    "BUILD_HINT",
    "OPS",
    "PerformanceWarning",
    "Tracer",
    "inexact_dtype",
    "raw",
    "where_called",
    "where_raised",
]
# (BUILD_HINT, where_called, where_raised: from _messages, re-exported for the rule modules)

# named primitives used by the operators, filled by the rule modules
OPS: dict[str, Any] = {}

# a traced array converted to an object array of more elements than this warns (slow)
LARGE_OBJECT_ARRAY = 10_000


class PerformanceWarning(UserWarning):
    """A traced computation that is exact but much slower than it need be.

    Emitted, for example, when ``np.asarray`` turns a large traced array into
    one traced scalar per element; silence it with :mod:`warnings` filters.

    Examples
    --------
    >>> from dfdx.ad import PerformanceWarning
    >>> issubclass(PerformanceWarning, UserWarning)
    True
    """


PerformanceWarning.__module__ = "dfdx.ad"


def raw(a: Any) -> Any:
    """Strip every level of tracing (for values that carry no derivative)."""
    while type(a) is Tracer:
        a = a.value
    return a


def inexact_dtype(a: Any) -> np.dtype:
    """The floating dtype a derivative of ``a`` is computed in: ``a``'s own when inexact,
    float64 for Python floats and integers (never ``np.result_type(a, np.float32)``, which
    under NumPy 2's promotion rules is float32 for a Python float)."""
    a = raw(a)
    dt = getattr(a, "dtype", None)
    if dt is None:
        return _COMPLEX if isinstance(a, complex) else _FLOAT
    return dt if dt.kind in "fc" else _FLOAT


_FLOAT = np.dtype(np.float64)
_COMPLEX = np.dtype(np.complex128)


def _raw_tree(a: Any) -> Any:
    if type(a) is Tracer:
        return raw(a)
    if isinstance(a, (list, tuple)):
        return type(a)(_raw_tree(b) for b in a)
    return a


class Tracer:
    """An array value being differentiated; behaves like an ``ndarray`` under NumPy.

    ``value`` is the primal value (a plain array, or a tracer of an outer
    transformation when derivatives are nested), ``trace`` the transformation
    that owns it and ``aux`` its tangent (forward) or tape index (reverse).

    Examples
    --------
    User code never builds tracers; it receives them and uses NumPy as usual:

    >>> import numpy as np
    >>> from dfdx.ad import Tracer, grad
    >>> def f(x):
    ...     assert isinstance(x, Tracer)
    ...     return np.sum(np.sin(x))
    >>> grad(f)(np.zeros(2)).tolist()
    [1.0, 1.0]
    """

    __slots__ = ("__weakref__", "_trace", "aux", "value", "ver", "view")
    __array_priority__ = 1000.0

    def __init__(self, value: Any, trace: Any, aux: Any) -> None:
        self.value = value
        self._trace = trace
        self.aux = aux
        self.view = None
        self.ver = 0

    # ----------------------------------------------------------- NumPy protocols
    # __array_ufunc__: see _ufunc_dispatch

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        handler = FUNCTIONS.get(func)
        if handler is not None:
            pack = OPS["pack_tree"]
            return handler(*pack(args), **{k: pack(v) for k, v in kwargs.items()})
        if func in NONDIFF_FUNCTIONS:
            return func(*_raw_tree(args), **{k: _raw_tree(v) for k, v in kwargs.items()})
        name = f"{getattr(func, '__module__', 'numpy')}.{func.__name__}"
        raise TracingError(
            f"{name} has no derivative rule in dfdx.ad (called in {caller()}). Register one "
            "with dfdx.ad.primitive + dfdx.ad.defjvp/defvjp, rewrite with supported NumPy "
            "functions, or use numerical differentiation (dfdx.derivative falls back to it)."
        )

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        if dtype is not None and np.dtype(dtype).kind in "biu":  # piecewise constant, as astype
            return np.asarray(raw(self), dtype=dtype)
        if dtype is None or np.dtype(dtype).hasobject:
            # np.array([t0, t1]), np.asarray(t), np.r_[...]: an object array of traced
            # scalars, packed into one traced array when it meets a traced operation
            out = np.empty(self.shape, dtype=object)
            if out.ndim == 0:
                out[()] = self
            else:
                if out.size > LARGE_OBJECT_ARRAY:
                    warnings.warn(
                        f"np.asarray/np.array of a traced array of {out.size} elements (in "
                        f"{caller()}) makes as many traced scalars: exact but slow (about "
                        "0.1 ms each). A traced array needs no np.asarray; drop the call.",
                        PerformanceWarning,
                        stacklevel=2,
                    )
                flat = np.ravel(self)
                view = out.reshape(-1)
                for k in range(view.size):
                    view[k] = flat[k]
            return out
        raise TracingError(
            f"a traced value was converted to a plain NumPy array of dtype {np.dtype(dtype)} "
            f"in {caller()} (np.asarray(x, dtype=...), storing it into a plain float array "
            "as in c[i] = x with c = np.zeros(n), or a C extension); that would silently "
            "drop its derivative. " + BUILD_HINT
        )

    def _scalar(self, kind: str) -> Any:
        raise TracingError(
            f"{kind}() of a traced value drops its derivative (called in {caller(3)}; "
            "also triggered by math.* functions and by storing a traced value into a plain "
            "NumPy array, c[i] = x with c = np.zeros(n) or np.empty(n), which holds floats "
            "only). " + BUILD_HINT
        )

    def __float__(self) -> float:
        return self._scalar("float")

    def __int__(self) -> int:
        return self._scalar("int")

    def __complex__(self) -> complex:
        return self._scalar("complex")

    def __index__(self) -> int:
        return self._scalar("operator.index")

    def item(self, *args: Any) -> Any:
        return self._scalar("item")

    def tolist(self) -> Any:
        return self._scalar("tolist")

    def __bool__(self) -> bool:
        return bool(raw(self))

    def __repr__(self) -> str:
        return f"Tracer({raw(self)!r}, level={self._trace.level})"

    def __str__(self) -> str:
        return str(raw(self))

    def __format__(self, spec: str) -> str:  # printing while tracing shows the value
        return format(raw(self), spec)

    def __round__(self, ndigits: int | None = None) -> Any:
        return np.round(self, ndigits or 0)

    def __divmod__(self, other: Any) -> Any:
        return np.divmod(self, other)

    def __rdivmod__(self, other: Any) -> Any:
        return np.divmod(other, self)

    def __getattr__(self, name: str) -> Any:
        uf = None if name.startswith("_") else getattr(np, name, None)
        if type(uf) is np.ufunc and uf in UFUNCS:  # NumPy's object loops call x.sin(), ...
            return lambda *others: uf(self, *others)
        if name == "dtype":  # see the dtype property
            raise AttributeError(name)
        if not name.startswith("__") and hasattr(np.ndarray, name):
            raise TracingError(
                f"ndarray.{name} is not supported on traced values; use the NumPy "
                f"function of the same name (np.{name}(x)) or compute it before tracing"
            )
        raise AttributeError(f"'Tracer' object has no attribute {name!r}")

    def __len__(self) -> int:
        return len(raw(self))

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self)))

    # ----------------------------------------------------------- array attributes
    shape = property(lambda self: np.shape(raw(self)))
    ndim = property(lambda self: np.ndim(raw(self)))
    size = property(lambda self: np.size(raw(self)))
    itemsize = property(lambda self: np.result_type(raw(self)).itemsize)
    nbytes = property(lambda self: np.size(raw(self)) * np.result_type(raw(self)).itemsize)

    @property
    def dtype(self) -> np.dtype:
        if sys._getframe(1).f_code in _ROUND_TRIP:
            # np.mean/np.var of a list of traced scalars: NumPy would convert the traced
            # result with np.float64(...); without a dtype it keeps the value itself
            raise AttributeError("dtype")
        return np.result_type(raw(self))

    T = property(lambda self: np.transpose(self))
    mT = property(lambda self: np.swapaxes(self, -1, -2))
    real = property(lambda self: np.real(self))
    imag = property(lambda self: np.imag(self))

    def check_view(self) -> None:
        root, ver = self.view
        if root.ver != ver:
            raise TracingError(
                "a view of a traced array was used after the array was modified in place; "
                "NumPy would show the modification through the view, dfdx.ad cannot. "
                "Take the view (slice) after the assignment, or .copy() it before."
            )

    def _rebind(self, new: Any) -> Tracer:
        if self.view is not None:
            raise TracingError(
                "writing through a view of a traced array (e.g. y[0][1] = v or "
                "row = y[0]; row[1] = v) is not supported: assign into the array itself "
                "with one index, y[0, 1] = v, or build the result with np.stack/np.where."
            )
        if type(new) is not Tracer:
            new = OPS["asarray"](new, self)
        if np.shape(raw(new)) != self.shape:
            raise ValueError(
                f"in-place result of shape {np.shape(raw(new))} does not fit shape {self.shape}"
            )
        self.value, self._trace, self.aux = new.value, new._trace, new.aux
        self.ver += 1
        return self

    # ----------------------------------------------------------- indexing
    def __getitem__(self, idx: Any) -> Any:
        idx = _raw_tree(idx)
        out = bind(OPS["getitem"], self, idx=idx)
        if type(out) is Tracer and _is_basic(idx):
            root = self if self.view is None else self.view[0]
            out.view = (root, root.ver)
        return out

    def __setitem__(self, idx: Any, v: Any) -> None:
        if (type(v) is np.ndarray and v.dtype.hasobject) or type(v) is list:
            v = OPS["pack_tree"](np.array(v, dtype=object) if type(v) is list else v)
        self._rebind(bind(OPS["setitem"], self, v, idx=_raw_tree(idx)))

    # ----------------------------------------------------------- methods
    def reshape(self, *shape: Any, order: str = "C") -> Any:
        s = shape[0] if len(shape) == 1 else shape
        return np.reshape(self, s, order=order)

    def transpose(self, *axes: Any) -> Any:
        return np.transpose(self, axes[0] if len(axes) == 1 else (axes or None))

    def astype(self, dtype: Any, **kwargs: Any) -> Any:
        dtype = np.dtype(dtype)
        if dtype.kind not in "fc":  # integers/bools are piecewise constant: no derivative
            return raw(self).astype(dtype)
        return OPS["astype"](self, dtype=dtype)

    def __copy__(self) -> Any:
        return OPS["astype"](self, dtype=self.dtype)

    copy = __copy__

    def __deepcopy__(self, memo: Any) -> Any:
        return self.__copy__()

    def flatten(self, order: str = "C") -> Any:
        return np.ravel(self, order=order).copy()

    def clip(self, min: Any = None, max: Any = None, **kwargs: Any) -> Any:
        # positional bounds: np.clip takes min=/max= keywords only from NumPy 2.1
        return np.clip(self, min, max, **kwargs)


def _codes(module: str, names: tuple[str, ...]) -> frozenset:
    try:
        mod = __import__(module, fromlist=["_"])
    except ImportError:  # pragma: no cover - another NumPy layout
        return frozenset()
    return frozenset(getattr(mod, n).__code__ for n in names if hasattr(mod, n))


# NumPy functions that turn a reduction of an object array into np.float64(result)
_ROUND_TRIP = _codes("numpy._core._methods", ("_mean", "_var", "_std")) or _codes(
    "numpy.core._methods", ("_mean", "_var", "_std")
)


def _method(name: str) -> Any:
    fn = getattr(np, name)

    def method(self: Tracer, *args: Any, **kwargs: Any) -> Any:
        return fn(self, *args, **kwargs)

    method.__name__ = name
    return method


_METHODS = (
    "sum mean prod max min std var cumsum cumprod dot ravel squeeze swapaxes conj conjugate "
    "repeat take diagonal trace round any all argmax argmin argsort nonzero ptp"
)
for _name in _METHODS.split():
    setattr(Tracer, _name, _method(_name))


def _sort_inplace(self: Tracer, axis: int = -1, kind: Any = None, order: Any = None) -> None:
    self._rebind(np.sort(self, axis=axis))


Tracer.sort = _sort_inplace  # type: ignore[attr-defined]


def _is_basic(idx: Any) -> bool:
    items = idx if isinstance(idx, tuple) else (idx,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in items)


# ------------------------------------------------------------------ operators
_DEFERS: dict[type, bool] = {}


def _defers(to: type) -> bool:
    """Whether ``tracer <op> other`` is left to ``other``'s reflected operator, as ndarray's own
    operators leave it: containers of arrays that take part in NumPy's ufunc protocol without
    being arrays (xarray's DataArray, pandas' Series) wrap the traced result themselves."""
    d = _DEFERS.get(to)
    if d is None:
        d = hasattr(to, "__array_ufunc__") and not issubclass(to, (np.ndarray, Tracer))
        _DEFERS[to] = d
    return d


def _binop(name: str, reflected: bool = False) -> Any:
    # fast path: a tracer with a plain operand goes straight to its own trace
    if reflected:

        def op(self: Any, other: Any) -> Any:
            to = type(other)
            if to is not Tracer and self.view is None:
                if to is not np.ndarray or not other.dtype.hasobject:
                    return self._trace.const_op(OPS[name], self, other, 1)
                other = OPS["pack_tree"](other)
            return bind(OPS[name], other, self)

    else:

        def op(self: Any, other: Any) -> Any:
            to = type(other)
            if to is not Tracer and to is not np.ndarray and _defers(to):
                return NotImplemented
            if to is not Tracer and self.view is None:
                if to is not np.ndarray or not other.dtype.hasobject:
                    return self._trace.const_op(OPS[name], self, other, 0)
                other = OPS["pack_tree"](other)
            return bind(OPS[name], self, other)

    return op


_NO_PARAMS: dict[str, Any] = {}


def _inplace(name: str) -> Any:
    def op(self: Tracer, other: Any) -> Any:
        return self._rebind(bind(OPS[name], self, OPS["pack_tree"](other)))

    return op


def _compare(ufunc: Any) -> Any:
    def op(self: Any, other: Any) -> Any:
        return ufunc(raw(self), raw(other))

    return op


for _op in ("add", "sub", "mul", "truediv", "pow", "matmul", "mod", "floordiv"):
    setattr(Tracer, f"__{_op}__", _binop(_op))
    setattr(Tracer, f"__r{_op}__", _binop(_op, reflected=True))
    setattr(Tracer, f"__i{_op}__", _inplace(_op))
for _op, _uf in (
    ("lt", np.less),
    ("le", np.less_equal),
    ("gt", np.greater),
    ("ge", np.greater_equal),
    ("eq", np.equal),
    ("ne", np.not_equal),
):
    setattr(Tracer, f"__{_op}__", _compare(_uf))
Tracer.__neg__ = lambda self: bind(OPS["neg"], self)  # type: ignore[attr-defined]
Tracer.__pos__ = lambda self: self  # type: ignore[attr-defined]
Tracer.__abs__ = lambda self: bind(OPS["abs"], self)  # type: ignore[attr-defined]

_set_tracer_type(Tracer)
