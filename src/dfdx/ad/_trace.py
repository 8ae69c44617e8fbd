"""The two transformations: forward mode (batched tangents) and reverse mode (a tape).

Every ``jvp``/``grad``/... call opens one trace with a fresh, higher level;
``bind`` hands an operation to the highest-level trace among its arguments,
which unwraps its own tracers and binds the operation again one level down.
"""

from __future__ import annotations

import itertools
import sys
from typing import Any

import numpy as np

from dfdx.ad import _pool as pool
from dfdx.ad._cotangents import NEG_AWARE, NegCt, SparseCt, accumulate, dense
from dfdx.ad._primitive import Primitive, TracingError, bind
from dfdx.ad._tracer import Tracer, inexact_dtype, where_called

__all__ = [
    "IDENTITY_SEEDS",
    "ForwardTrace",
    "Meta",
    "ReverseTrace",
    "fit_real",
    "is_identity",
    "shape_of",
]

_levels = itertools.count(1)
_NO_PARAMS: dict[str, Any] = {}
_RESCAN = 16


def shape_of(a: Any) -> tuple[int, ...]:
    s = getattr(a, "shape", None)
    return () if s is None else s


def _is_complex(a: Any) -> bool:
    dt = getattr(a, "dtype", None)
    if dt is None:
        return isinstance(a, complex)
    return dt.kind == "c"


_REAL_TYPES = (float, np.float64, np.float32)


def fit_real(c: Any, x: Any) -> Any:
    """Cotangent ``c`` of a real-valued ``x`` keeps only its real part (see docs)."""
    t = type(c)
    if t in _REAL_TYPES:
        return c
    if t is np.ndarray and c.dtype.kind != "c":
        return c
    if _is_complex(c) and not _is_complex(x):
        return np.real(c)
    return c


def _array(c: Any, like: Any) -> Any:
    """A Python-number cotangent (the seed of a scalar output) as a NumPy scalar."""
    t = type(c)
    if t is float or t is int or t is complex:
        dt = inexact_dtype(like)
        return np.asarray(c, dtype=np.result_type(dt, np.complex64) if t is complex else dt)[()]
    return c


class MissingRuleError(TracingError, NotImplementedError):
    """A primitive lacks the rule a transformation needs (also a ``NotImplementedError``)."""


def _missing(prim: Primitive, i: int, mode: str) -> TracingError:
    return MissingRuleError(
        f"{prim.name} has no {mode} rule for argument {i} (called in {where_called()}); "
        "register one with "
        f"dfdx.ad.{'defjvp' if mode == 'forward' else 'defvjp'}"
    )


class ForwardTrace:
    """Forward mode: each tracer carries a tangent of shape ``batch + shape`` (or None = 0)."""

    def __init__(self, batch: tuple[int, ...] = (), recycle: bool = False) -> None:
        self.level = next(_levels)
        self.batch = batch
        # large tangents this trace computed, for ``pool.release`` once the pass is over
        self.owned: list[np.ndarray] | None = [] if recycle else None

    def new(self, value: Any, tangent: Any) -> Tracer:
        return Tracer(value, self, tangent)

    def process(self, prim: Primitive, args: Any, params: dict[str, Any]) -> Any:
        vals = list(args)
        live = []
        for i, a in enumerate(args):
            if type(a) is Tracer and a._trace is self:
                vals[i] = a.value
                if a.aux is not None:
                    live.append((i, a.aux))
        ans = bind(prim, *vals, **params)
        if prim.multiple:
            outs: list[Any] = [None] * len(ans)
            for i, t in live:
                rule = prim.jvps.get(i)
                if rule is None:
                    raise _missing(prim, i, "forward")
                for j, c in enumerate(rule(t, ans, *vals, **params)):
                    if c is not None:
                        outs[j] = c if outs[j] is None else outs[j] + c
            return tuple(
                Tracer(a, self, None if t is None else self._fit(t, a))
                for a, t in zip(ans, outs, strict=True)
            )
        if prim.jvp_all is not None:
            if not live:
                return Tracer(ans, self, None)
            tans: list[Any] = [None] * len(vals)
            for i, t in live:
                tans[i] = t
            return Tracer(ans, self, self._fit(prim.jvp_all(tans, ans, *vals, **params), ans))
        tan = None
        for i, t in live:
            rule = prim.jvps.get(i)
            if rule is None:
                raise _missing(prim, i, "forward")
            c = rule(t, ans, *vals, **params)
            if tan is None:
                tan = c
            else:
                summed = pool.call(np.add, [tan, c]) if self.owned is not None else None
                tan = tan + c if summed is None else summed
        if tan is not None:
            tan = self._fit(tan, ans)
            if self.owned is not None and type(tan) is np.ndarray and tan.nbytes >= pool.MIN_BYTES:
                self.owned.append(tan)
        return Tracer(ans, self, tan)

    def const_op(self, prim: Primitive, a: Tracer, other: Any, i: int) -> Any:
        """A binary operator between tracer ``a`` (argument ``i``) and a constant."""
        return self.process(prim, (a, other) if i == 0 else (other, a), _NO_PARAMS)

    def _fit(self, t: Any, ans: Any) -> Any:
        want = self.batch + shape_of(ans)
        if shape_of(t) != want:
            t = np.broadcast_to(t, want)
        if _is_complex(t) and not _is_complex(ans):
            t = np.real(t)
        return t


_PROJ = Primitive("output", lambda x: x)


class Meta:
    """Stand-in kept on the tape for a value whose reverse rule needs only its shape."""

    __slots__ = ("dtype", "ndim", "shape")

    def __init__(self, v: Any) -> None:
        self.shape, self.dtype, self.ndim = v.shape, v.dtype, v.ndim


# identity tangent seeds of running batched forward passes (jacobian of a 1-D input):
# rules may shortcut ``I @ A`` to ``A``
IDENTITY_SEEDS: dict[int, np.ndarray] = {}


def is_identity(t: Any) -> bool:
    return IDENTITY_SEEDS.get(id(t)) is t


class ReverseTrace:
    """Reverse mode: operations are appended to a tape, replayed backwards by ``backward``."""

    def __init__(self, recycle: bool = False) -> None:
        self.level = next(_levels)
        self.tape: list[Any] = []
        self.locked: list[np.ndarray] = []
        # large primal values this trace computed (strong references: see ``reclaim``)
        self.owned: list[np.ndarray] | None = [] if recycle else None
        self.rescan = _RESCAN  # reclaim when ``owned`` grows to this length

    def new(self, value: Any) -> Tracer:
        self.tape.append((None, (), None, None, value))
        return Tracer(value, self, len(self.tape) - 1)

    def const_op(self, prim: Primitive, a: Tracer, other: Any, i: int) -> Any:
        """A binary operator between tracer ``a`` (argument ``i``) and a constant: scalars
        skip the general bookkeeping of ``process`` (nothing to lock, trim or recycle)."""
        v = a.value
        tv, to = type(v), type(other)
        if (tv is np.float64 or tv is float) and (to is float or to is int or to is np.float64):
            if i not in prim.vjps:
                raise _missing(prim, i, "reverse")
            vals = [v, other] if i == 0 else [other, v]
            ans = prim.impl(*vals)
            tape = self.tape
            tape.append((prim, [(i, a.aux)], vals, _NO_PARAMS, ans))
            return Tracer(ans, self, len(tape) - 1)
        return self.process(prim, (a, other) if i == 0 else (other, a), _NO_PARAMS)

    def process(self, prim: Primitive, args: Any, params: dict[str, Any]) -> Any:
        vals = list(args)
        parents = []
        lower = False
        arrays = False  # any array (or nested tracer) among the values
        for i, a in enumerate(args):
            ta = type(a)
            if ta is Tracer:
                if a._trace is self:
                    if i not in prim.vjps:
                        raise _missing(prim, i, "reverse")
                    v = vals[i] = a.value
                    parents.append((i, a.aux))
                    tv = type(v)
                    if tv is Tracer:
                        lower = arrays = True
                    elif tv is np.ndarray:
                        arrays = True
                else:
                    lower = arrays = True
            elif ta is np.ndarray:
                arrays = True
        owned = self.owned
        if lower:
            ans = bind(prim, *vals, **params)
        elif arrays and owned is not None:
            ans = None
            if prim.ufunc is not None and not params:
                ans = pool.call(prim.ufunc, vals, self.reclaim if len(owned) < _RESCAN else None)
            if ans is None:
                ans = prim.impl(*vals, **params)
            if type(ans) is np.ndarray and ans.nbytes >= pool.MIN_BYTES:
                owned.append(ans)
                if len(owned) >= self.rescan:
                    self.reclaim()
        else:
            ans = prim.impl(*vals, **params)
        saved_ans = ans
        if arrays:
            keep = prim.keep
            if keep is not None:  # save only what the reverse rules read
                need = {j for i, _ in parents for j in keep[i]}
                for j, v in enumerate(vals):
                    if j not in need and (type(v) is np.ndarray or type(v) is Tracer):
                        vals[j] = Meta(v)
                if -1 not in need:
                    saved_ans = None
            for j, v in enumerate(vals):  # constants the tape refers to: protect them
                if type(v) is np.ndarray and v.flags.writeable and all(j != i for i, _ in parents):
                    self._lock(v)
        tape = self.tape
        tape.append((prim, parents, vals, params, saved_ans))
        if prim.multiple:
            k = len(tape) - 1
            outs = []
            for j, a in enumerate(ans):
                tape.append((_PROJ, ((j, k),), None, None, a))
                outs.append(Tracer(a, self, len(tape) - 1))
            return tuple(outs)
        return Tracer(ans, self, len(tape) - 1)

    def reclaim(self) -> None:
        """Move the values this trace computed and nobody else refers to any more (dead
        intermediates) into the pool: the next large results reuse their memory at once.

        Holding them (rather than weak references, which would return their memory to
        the allocator) avoids the page faults of fresh allocations; ``rescan`` bounds the
        dead values held to a quarter of the live ones (at least 16), at an amortised
        O(1) cost per operation.
        """
        owned = self.owned
        if not owned:
            return
        dead = []
        live = []
        for a in owned:
            # references: the list, this loop's name and getrefcount's argument
            (dead if sys.getrefcount(a) == 3 else live).append(a)
        a = None
        if dead:
            owned[:] = live
            live = None
            pool.release(dead)
        self.rescan = len(owned) + max(_RESCAN, len(owned) // 4)

    def hold(self) -> None:
        """Before a consuming backward pass: the values still alive, to recycle them as soon
        as the backward pass has consumed the tape entries that refer to them."""
        self.reclaim()
        if not self.owned:
            self.owned = None  # nothing large: no recycling work in the backward pass
            return
        self.owned = {id(a): a for a in self.owned}

    def release(self) -> None:
        """Drop the tape and recycle the large values nobody else refers to."""
        self.tape = []
        owned = self.owned
        self.owned = None
        if owned:
            live = list(owned.values()) if type(owned) is dict else owned
            owned = None
            pool.release(live)

    # -- protection of arrays the tape refers to (in-place edits would corrupt it)
    def _lock(self, a: np.ndarray) -> None:
        while isinstance(a, np.ndarray) and a.flags.writeable:
            a.flags.writeable = False
            self.locked.append(a)
            a = a.base

    def unlock(self) -> None:
        pending = self.locked[::-1]
        self.locked = []
        while pending:  # bases before views: a view can be made writeable only after its base
            left = []
            for a in pending:
                try:
                    a.flags.writeable = True
                except ValueError:
                    left.append(a)
            if len(left) == len(pending):
                break
            pending = left

    def freeze(self) -> None:
        """Replace locked user arrays on the tape by private copies, then unlock them."""
        if not self.locked:
            return
        copies = {id(a): a.copy() for a in self.locked}
        for entry in self.tape:
            vals = entry[2]
            if vals:
                for i, v in enumerate(vals):
                    if type(v) is np.ndarray and id(v) in copies:
                        vals[i] = copies[id(v)]
        self.unlock()

    def backward(self, seeds: dict[int, Any], wanted: list[int], consume: bool = False) -> list:
        """Cotangents of the tape entries ``wanted`` given output cotangents ``seeds``."""
        tape = self.tape
        top = max(seeds) if len(seeds) > 1 else next(iter(seeds))
        cts: list[Any] = [None] * (top + 1)
        for k, g in seeds.items():
            cts[k] = g
        owned: set[int] = set()
        mine = self.owned if consume and type(self.owned) is dict else None
        for k in range(top, -1, -1):
            g = cts[k]
            if g is None:
                continue
            entry = tape[k]
            prim = entry[0]
            if prim is None:  # an input or a constant: keep its cotangent
                continue
            parents, vals, params, ans = entry[1], entry[2], entry[3], entry[4]
            entry = None
            cts[k] = None
            tg = type(g)
            if tg is SparseCt or (tg is NegCt and prim not in NEG_AWARE):
                g = g.dense()
                tg = np.ndarray
            elif owned:
                owned.discard(id(g))
            if consume:
                tape[k] = None
            if prim is _PROJ:
                j, p = parents[0]
                old = cts[p]
                if old is None:
                    old = cts[p] = [None] * len(tape[p][4])
                old[j] = g if old[j] is None else old[j] + g
                continue
            if tg is list:  # cotangents of a multiple-output primitive
                g = tuple(
                    np.zeros_like(a) if c is None else _array(dense(c), a)
                    for c, a in zip(g, ans, strict=True)
                )
            vjps = prim.vjps
            for i, p in parents:
                c = vjps[i](g, ans, *vals, **params)
                tc = type(c)
                if tc is not np.float64 and tc is not SparseCt and tc is not NegCt:
                    c = fit_real(c, vals[i])
                if cts[p] is None:
                    cts[p] = c
                else:
                    accumulate(cts, p, c, owned)
            if mine is not None:  # recycle values no longer needed
                cand = [mine.pop(id(v)) for v in (ans, *vals) if id(v) in mine]
                if type(g) is np.ndarray:
                    cand.append(g)  # this node's cotangent, unless a parent received it
                prim = parents = vals = params = ans = c = g = None
                if cand:
                    pool.release(cand)
        if len(wanted) == 1:
            k = wanted[0]
            return [dense(cts[k]) if k <= top else None]
        return [dense(cts[k]) if k <= top else None for k in wanted]  # later: unused inputs
