"""``derivative``: the n-th derivative of a scalar function at many points."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from dfdx._core.compiled import load
from dfdx._core.result import DerivativeResult, Status
from dfdx._core.validate import check_positive
from dfdx.numeric._engine import EXPONENT_BITS, refine
from dfdx.numeric._evaluate import Caller, KeywordArrays, make_mapper
from dfdx.numeric._fixed import complex_step, complex_step2, fixed_step
from dfdx.numeric._lookahead import JIT_MIN
from dfdx.numeric._repeat import Probe
from dfdx.numeric._tolerance import default_atol, default_rtol, meet_tolerance, success_rtol
from dfdx.numeric._validate import (
    as_point_array,
    check_function,
    check_scale,
    options,
    split_args,
    split_kwargs,
)

__all__ = ["default_rtol", "derivative", "first_step", "summarise"]

# First step, as a fraction of max(|x|, 1), per derivative order (then a power of 2).
_H0 = {1: 0.05, 2: 0.5, 3: 0.4, 4: 0.5, 5: 0.5, 6: 0.5}


# added to the bits of a float64, carries into the exponent iff the mantissa is >= sqrt(2)
_CARRY = np.int64(round((2 - math.sqrt(2)) * 2**52))


def first_step(scale: np.ndarray, n: int) -> np.ndarray:
    """Power-of-two first step ``~ c_n * scale`` (nodes ``x +- h`` then round exactly).

    ``scale`` positive (``max(|x|, 1)`` by default); the power of two
    nearest ``c_n * scale`` on a log scale, from the bits (several times
    faster than ``exp2(round(log2(h)))``).
    """
    h = np.multiply(_H0[n], scale, dtype=np.float64)
    bits = h.view(np.int64)
    bits += _CARRY
    bits &= EXPONENT_BITS
    return h


def summarise(status: np.ndarray, method: str) -> str:
    """One-line message counting the points per status."""
    status = np.asarray(status).ravel()
    if status.size == 0:
        return f"{method}: no points"
    lo, hi = int(status.min()), int(status.max())
    if lo == hi:  # every point alike (no counting pass)
        return f"{method}: {status.size} {Status(lo).name}"
    low = min(int(s) for s in Status)
    counts = np.bincount(status.astype(np.intp) - low)  # no sort of every point
    codes = np.flatnonzero(counts)
    parts = [f"{counts[k]} {Status(int(k) + low).name}" for k in codes]
    return f"{method}: " + ", ".join(parts)


def derivative(
    f: Callable,
    x: Any,
    *,
    n: int = 1,
    method: str = "auto",
    order: int | None = None,
    step: Any = None,
    scale: Any = None,
    rtol: float | None = None,
    atol: float | None = None,
    args: tuple = (),
    kwargs: dict | None = None,
    vectorized: bool = True,
    maxiter: int | None = None,
    workers: Any = None,
) -> DerivativeResult:
    """The ``n``-th derivative of a scalar function at every element of ``x``.

    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)``, elementwise.  With ``vectorized=True`` (the
        default) ``f`` is called with a 2-D float array of shape ``(p, k)``:
        row ``i`` holds ``k`` stencil nodes around one of ``p`` points still
        being refined.  Each array in ``args`` that broadcasts with ``x`` is
        passed as the matching rows, shape ``(p, 1)``, so ``f(x, c)`` written
        with NumPy broadcasting works as is; other ``args`` (scalars, objects)
        are passed unchanged; so are ``kwargs``, except their numeric arrays,
        which broadcast with ``x`` and are sliced like ``args`` (as in
        ``scipy.differentiate.derivative``).  ``f`` must return an array that
        broadcasts to ``(p, k)``.  The first call holds the first few
        levels of every point at once (``k = 8`` for ``n=1``), later calls
        one level (``k = 2``) or the centre node.  A vector-valued ``f``
        returns shape ``(*out, p, k)`` (its own axes first, as
        ``np.stack([np.sin(x), np.exp(x)])``); the results then have shape
        ``(*out, *x.shape)``, and a point's status covers every component
        (this is detected on the first call of ``f``, which is then
        repeated).  Inputs larger than 16384
        points are refined in blocks of that size, which keeps the work in
        cache.  With ``vectorized=False`` ``f`` gets one Python float (and
        the matching scalar ``args``) per call.
    x : array_like
        Points, any shape.  Integers become float64; float32 gives float32
        results with steps chosen for float32.  Complex points are accepted by
        the real-axis methods (the derivative of a holomorphic ``f``).
    n : int, optional
        Derivative order, 1 to 6 (higher orders raise ``ValueError``:
        differences lose all digits to rounding).  Default 1.
    method : {'auto', 'central', 'forward', 'backward', 'complex'}, optional
        ``'auto'`` (default) uses central differences and falls back, per point,
        to one-sided stencils on the side where ``f`` is finite (a domain edge).
        ``'central'``, ``'forward'``, ``'backward'`` force one kind of stencil.
        ``'complex'`` is the complex step ``Im f(x + ih) / h`` (``n=1``): no
        cancellation, valid only when ``f`` is analytic, real on the real
        axis (checked: ``f(x)`` is evaluated too, and a nonzero imaginary
        part raises ``ValueError``) and its code works with complex numbers.
        For ``n=2``, steps along ``e**(i pi / 4)``: ``Im[f(x + w h) + f(x - w
        h)] / h**2`` at three steps, extrapolated (seven evaluations, about
        1e-14 relative for smooth ``f`` on the scale of ``max(|x|, 1)``).
    order : int, optional
        Accuracy order of the stencil.  With ``step`` it is the order of the
        fixed uniform stencil (default 2; even for central methods).
        Without, the highest order the extrapolation may reach: for central
        methods an even order from 6 to 16 (``n`` = 1, 2), 14 (3, 4) or 12
        (5, 6); for one-sided methods from 5 or 6 up to the same bounds
        (rounded up to the next order a window of levels reaches).  Default:
        a window of 6 levels (order 12 for central ``n=1``).  Other values
        raise ``ValueError`` naming the valid ones.
    step : float or array_like, optional
        Fix the step (broadcast with ``x``): no adaptation, one stencil of
        ``order``; status ``FIXED_STEP`` and a rough error estimate.
    scale : float or array_like, optional
        The length on which ``f`` varies near each point (broadcast with
        ``x``): the adaptive steps start at a fixed fraction of it (about
        ``0.05 * scale`` for ``n=1``, a power of two) and shrink from there.
        Default ``max(|x|, 1)``.  Give it when ``f`` has features much
        narrower than that (a peak of width ``1e-6`` on a larger smooth
        background near 0): steps starting far above the feature see only
        the background, and the levels can agree on its derivative.  The
        complex step (``method='complex'``) uses it too; with ``step`` it
        does not apply.
    rtol, atol : float, optional
        Tolerances.  ``success`` is True only where the reported ``error``
        is within ``atol + rtol * |df|``; a point whose error bound stays
        above it (at its rounding floor, or after ``maxiter`` levels) is
        ``NOT_CONVERGED``.  Default ``rtol`` per derivative order: 1e-6 for
        ``n`` = 1 and 2, 1e-5 for 3, 1e-4 for 4, 1e-3 for 5 and 1e-2 for 6
        (float64; float32: the same power of its eps, 2e-3 for ``n=1``), so
        that a success on a smooth, well-scaled function is good to about
        that relative error.  Default ``atol``: the smallest normal number,
        so a derivative that is zero, or tiny next to the values of ``f``
        (``tanh'`` at 20), is not a success unless ``atol`` is given;
        ``rtol=0`` asks for the absolute tolerance only.  Refinement does
        not stop at the success tolerance: by default a point is refined
        until the change between estimates is below ``eps**(2/3)`` relative
        (about 4e-11 for float64) or the rounding floor; a given ``rtol`` or
        ``atol`` also sets where refinement stops.  The estimate is
        conservative: the value is usually far more accurate than it says.
    args : tuple, optional
        Extra positional arguments of ``f`` (see the calling contract above).
    kwargs : dict, optional
        Extra keyword arguments of ``f``; numeric arrays among them broadcast
        with ``x`` (and ``args``) and reach ``f`` as matching rows, as arrays
        in ``args`` do; scalars and other objects are passed unchanged.
    vectorized : bool, optional
        Whether ``f`` accepts arrays.  ``False`` costs one Python call per
        node per point (about ``nfev`` calls per point); see ``workers``.
    maxiter : int, optional
        Maximum number of refinement levels per point (2 evaluations each).
        Default 24.
    workers : int, executor or callable, optional
        For ``vectorized=False`` only: an int runs the calls in that many
        threads (useful when ``f`` releases the GIL or waits on I/O), a
        ``concurrent.futures`` executor (e.g. a ``ProcessPoolExecutor`` for
        pure-Python ``f``; then ``f`` must be picklable) or any ``map``-like
        callable is used to map over the calls of one level.  Each level is
        one ``map``; pools pay their per-task overhead on every call.

    Returns
    -------
    DerivativeResult
        ``df`` (shape of ``x`` broadcast with ``args``, after the output axes
        of a vector-valued ``f``), ``error`` (estimated
        absolute error), ``success``, ``status``, ``nfev``, ``nit`` per point.

    Raises
    ------
    ValueError, TypeError
        For invalid options or a function returning the wrong shape.

    See Also
    --------
    gradient, jacobian, hessian : multivariate functions.

    Notes
    -----
    ``'auto'`` starts with a step of about ``0.05 * max(|x|, 1)`` for ``n=1``
    (larger for higher ``n``; a power of two, so that ``x +- h`` are exact)
    and halves it level by level, two evaluations per level, extrapolating
    over the levels (Richardson's method, via Fornberg weights).  The error
    estimate is the change from the previous extrapolation plus rounding
    terms: of the values of ``f``, and of the argument inside ``f``
    (``eps * |x| * |f'|`` per value, which dominates far from 0: for ``sin``
    at ``1e8`` the estimate is about ``1e-6`` although the value is usually
    far more accurate, because ``np.sin`` itself does not round its
    argument).  A feature much narrower than the first step, hidden under a
    larger smooth part of ``f``, cannot be seen.  Levels that disagree more as
    the step shrinks (``f`` varies on a much smaller scale) restart the
    sequence 16 times below; non-finite values shrink the step and then, for
    ``'auto'``, switch to a one-sided stencil (status ``ONE_SIDED``).  With
    central stencils, a kink (odd ``n``) or a jump (even ``n``) at the point
    is recognised from the part of ``f(x+h), f(x-h)`` the estimate does not
    use (a term ``|h|``, resp. a constant, that no smooth ``f`` has): status
    ``NOT_DIFFERENTIABLE``, with ``df`` the mean of the one-sided derivatives
    and ``error`` covering both.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.numeric import derivative
    >>> res = derivative(np.exp, [0.0, 1.0])
    >>> bool(np.allclose(res.df, np.exp([0.0, 1.0]), rtol=1e-13))
    True
    >>> bool(res.success.all()), bool((res.error < 1e-11).all())
    (True, True)

    ``success`` means the error bound meets the tolerance; at high orders
    rounding can forbid it (forward differences for ``n=6``):

    >>> from dfdx import Status
    >>> res = derivative(np.sin, 0.5, n=6, method="forward")
    >>> bool(res.success), Status(int(res.status)).name
    (False, 'NOT_CONVERGED')
    >>> res = derivative(np.sin, 0.5, n=4)   # 1e-4 relative by default at n=4
    >>> bool(res.success), bool(res.error < 1e-4 * abs(res.df))
    (True, True)

    A zero derivative meets a relative tolerance only within an absolute one:

    >>> zero, given = derivative(np.cos, 0.0), derivative(np.cos, 0.0, atol=1e-12)
    >>> bool(zero.success), bool(given.success)
    (False, True)

    A domain edge: ``log`` at ``1e-3`` and ``sqrt`` at 0 (forward differences):

    >>> res = derivative(np.sqrt, [1e-4, 0.0])
    >>> float(res.df[0]), res.status.tolist()
    (50.0, [0, -1])

    Extra arguments broadcast with ``x``; ``f`` sees matching rows:

    >>> res = derivative(lambda x, c: np.sin(c * x), 0.0, args=([1.0, 2.0, 3.0],))
    >>> res.df.round(12).tolist()
    [1.0, 2.0, 3.0]

    A vector-valued ``f`` (its own axes first):

    >>> res = derivative(lambda x: np.stack([np.sin(x), x**3]), [0.0, 1.0])
    >>> res.df.round(12).tolist()
    [[1.0, 0.540302305868], [0.0, 3.0]]
    """
    check_function(f)
    opt = options(
        n=n,
        method=method,
        order=order,
        step=step,
        rtol=rtol,
        atol=atol,
        maxiter=maxiter,
        kwargs=kwargs,
        vectorized=vectorized,
        complex_n=(1, 2),
    )
    sc = check_scale(scale, step)
    xa = as_point_array(x, allow_complex=opt.method != "complex")
    # arrays in kwargs broadcast with x as those in args do (SciPy's convention)
    allargs, rest, names = split_kwargs(args, opt.kwargs)
    if names:
        f = KeywordArrays(f, len(allargs) - len(names), names)
        opt = dataclasses.replace(opt, kwargs=rest)
    fargs, per_point, shape = split_args(allargs, xa.shape, tuple(names))
    xf = np.broadcast_to(xa, shape).reshape(-1)  # (only read: f gets fresh arrays)
    mapper = make_mapper(workers)
    real = xf.real.dtype if xf.dtype.kind == "c" else xf.dtype
    eps = float(np.finfo(real).eps)
    N = xf.size
    finite = None if np.isfinite(xf.sum()) else np.isfinite(xf)  # (one pass when all are)
    if finite is None or finite.all():  # the common case: no gathers
        good = slice(None)
        xg = xf
        argsg = [a.copy() if p else a for a, p in zip(fargs, per_point, strict=True)]
    else:
        good = np.flatnonzero(finite)
        xg = xf[good]
        argsg = [a[good] if p else a for a, p in zip(fargs, per_point, strict=True)]
    G = xg.size
    if sc is not None:
        try:
            sc = np.broadcast_to(sc, shape).reshape(-1)[good]
        except ValueError:
            raise ValueError(
                f"`scale` must broadcast with `x` of shape {shape}, got shape {sc.shape}"
            ) from None
    goal = (
        success_rtol(eps, opt.n) if opt.rtol is None else opt.rtol,
        default_atol(real) if atol is None else opt.atol,
    )
    run = (xg, argsg, per_point, opt, eps, real, goal, (step, sc), shape, good, mapper)
    run = (*run, bool(vectorized))
    try:
        d, e, s, fe, k, note = _compute(f, None, *run)
        out_shape: tuple = ()
    except _VectorValued as found:  # f(x) has leading axes of its own: one more start
        out_shape = found.shape
        d, e, s, fe, k, note = _compute(f, out_shape, *run)
    q = d.shape[1]
    cplx = xf.dtype.kind == "c" or d.dtype.kind == "c"
    out_dtype = np.result_type(real, np.complex64) if cplx else real
    if G == N:  # the common case: no scatter
        df, err, status, nfev, nit = d.astype(out_dtype, copy=False), e, s, fe, k
    else:
        df = np.full((N, q), np.nan, dtype=out_dtype)
        err = np.full((N, q), np.nan)
        status = np.full(N, Status.NONFINITE_INPUT, dtype=np.int8)
        nfev = np.zeros(N, dtype=np.intp)
        nit = np.zeros(N, dtype=np.intp)
        df[good], err[good], status[good], nfev[good], nit[good] = d, e, s, fe, k
    used = opt.method
    return DerivativeResult(
        df=_arrange(df, out_shape, shape),
        error=_arrange(err.astype(real, copy=False), out_shape, shape),
        status=status.reshape(shape),
        nfev=nfev.reshape(shape),
        nit=nit.reshape(shape),
        method=used,
        message=summarise(status, used) + (f"; {note}" if note else ""),
        params={"n": opt.n, "method": used, "order": opt.order, "step": step},
    )


class _VectorValued(BaseException):
    """``f`` returned leading axes of its own (a vector-valued ``f``): their shape.

    A ``BaseException``, so that the per-point error handling of
    :class:`~dfdx.numeric._evaluate.Caller` lets it through.
    """

    def __init__(self, shape: tuple) -> None:
        super().__init__(shape)
        self.shape = shape


def _arrange(a: np.ndarray, out_shape: tuple, shape: tuple) -> np.ndarray:
    """``(N, q)`` values as ``(*out_shape, *shape)`` (``shape`` alone for scalar ``f``)."""
    if not out_shape:
        return a[:, 0].reshape(shape)
    return np.moveaxis(a, 1, 0).reshape(*out_shape, *shape)


def _sniffing(f: Callable) -> Callable:
    """``f``, raising :class:`_VectorValued` when its output has leading axes of its own."""

    def g(X, *args, **kwargs):
        out = f(X, *args, **kwargs)
        s = np.shape(out)
        if len(s) > X.ndim and s[len(s) - X.ndim :] == X.shape:
            raise _VectorValued(s[: len(s) - X.ndim])
        return out

    return g


def _components(f: Callable, out_shape: tuple) -> Callable:
    """Vector-valued ``f`` with its output axes moved last and flattened: ``(p, k, q)``."""
    q = math.prod(out_shape)

    def g(X, *args, **kwargs):
        out = np.asarray(f(X, *args, **kwargs))
        try:
            out = np.broadcast_to(out, (*out_shape, *X.shape))
        except ValueError:
            raise ValueError(
                f"`f` returned shape {out.shape} for an input of shape {X.shape}; a "
                f"vector-valued f must return shape {(*out_shape, *X.shape)}"
            ) from None
        return np.moveaxis(out.reshape(q, *X.shape), 0, -1)

    return g


def _compute(
    f, out_shape, xg, argsg, per_point, opt, eps, real, goal, step, shape, good, mapper, vectorized
):
    """Per finite point ``(df, error, status, nfev, nit)``, ``df`` and ``error`` ``(G, q)``.

    ``out_shape`` ``None``: ``f`` is taken as scalar-valued (a vector output
    raises :class:`_VectorValued`); else its output axes.
    """
    G = xg.size
    step, sc = step
    q = 1 if out_shape is None else math.prod(out_shape)
    g = _components(f, out_shape) if out_shape is not None else f
    if out_shape is None and vectorized:
        g = _sniffing(f)
    caller = Caller(g, opt.kwargs, vectorized, mapper)

    def evaluate(idx: np.ndarray | slice, T: np.ndarray, scratch: bool = False, nodes=False):
        if isinstance(idx, slice):
            lo, hi, run = idx.start, idx.stop, True
        else:
            lo, hi = int(idx[0]), int(idx[-1]) + 1
            run = hi - lo == idx.size and (idx.size < 3 or bool((idx[1:] > idx[:-1]).all()))
        if run:
            # a run of points, in order (a block): no gathers; in the memory
            # order of T (long rows when T is a transposed view), in place
            # when the offsets are not needed afterwards; T may hold the
            # nodes already (``nodes``)
            if nodes:
                X = T
            else:
                reuse = scratch and T.dtype == np.result_type(xg, T)
                X = np.add(T.T, xg[lo:hi], out=T.T if reuse else None).T
            argi = [a[lo:hi] if p else a for a, p in zip(argsg, per_point, strict=True)]
        else:
            X = xg[idx, None] + T
            argi = [a[idx] if p else a for a, p in zip(argsg, per_point, strict=True)]
        # a sample of the points' first nodes, evaluated again at the end
        slots, rows = probe.record(slice(lo, hi) if run else idx, X)
        vals, raised = call(X, argi)
        probe.values_of(slots, rows, vals, raised)
        return vals, raised

    def call(X: np.ndarray, argi: list) -> tuple[np.ndarray, np.ndarray]:
        if not vectorized:
            vals, raised = _scalar_calls(caller, X, argi, per_point)
            return vals[..., None], raised
        if out_shape is None:
            vals, raised = caller.batch(X, argi, per_point, X.shape)
            return vals[..., None], raised
        return caller.batch(X, argi, per_point, (*X.shape, q))

    probe = Probe(G, eps, argsg, per_point)
    note = ""

    if G:
        h = None
        if step is not None:
            h = np.broadcast_to(np.asarray(step, dtype=np.float64), shape).reshape(-1)[good]
            bad = ~(np.isfinite(h) & (h > 0))
            if bad.any():
                check_positive(float(h[bad][0]), "step")
        if opt.method == "complex":
            step_rule = complex_step if opt.n == 1 else complex_step2
            options_ = {"check_real": True} if opt.n == 1 else {}
            d, e, s, fe = step_rule(
                evaluate,
                np.maximum(np.abs(xg), 1.0) if sc is None else sc,
                eps=eps,
                dtype=np.result_type(xg.dtype, np.complex64),
                h=h,
                **options_,
            )
            with np.errstate(all="ignore"):
                s = meet_tolerance(d, e, s, *goal)
            k = np.ones(G, dtype=np.intp)
        elif h is not None:
            d, e, s, fe = fixed_step(
                evaluate, h, n=opt.n, mode=opt.mode, order=opt.order or 2, eps=eps, dtype=real
            )
            k = np.ones(G, dtype=np.intp)
        else:
            out = refine(
                evaluate,
                _points(xg, opt.n, sc),
                G,
                n=opt.n,
                mode=opt.mode,
                q=q,
                fallback=opt.method == "auto",
                rtol=opt.rtol if opt.rtol is not None else default_rtol(eps),
                atol=opt.atol,
                maxiter=opt.maxiter,
                window=opt.window,
                eps=eps,
                step_dtype=real,
                goal=goal,
            )
            d, e, s, fe, k = out.df, out.error, out.status, out.nfev, out.nit
            e, s, fe, note = probe.check(call, d, e, s, fe)  # f deterministic? (one more call)
    else:
        d, e = np.zeros((0, q)), np.zeros((0, q))
        s = fe = k = np.zeros(0, dtype=np.intp)
    return d, e, s, fe, k, note


def _points(x: np.ndarray, n: int, scale: np.ndarray | None = None):
    """``points(lo, hi)`` for :func:`refine`: first steps and magnitudes of a block.

    With the compiled kernels (float64 points, a long run) also the points
    themselves, so that the first call's nodes are built in one pass.  A
    user's ``scale`` (per point) replaces ``max(|x|, 1)`` in the first step.
    """

    jit = load("numeric._jitlook") if x.dtype == np.float64 and x.size >= JIT_MIN else None

    def points(lo: int, hi: int) -> tuple[np.ndarray, ...]:
        if scale is not None:
            h0, xabs = first_step(scale[lo:hi], n), np.abs(x[lo:hi])
            return (h0, xabs) if jit is None else (h0, xabs, x[lo:hi])
        if jit is not None:  # (then the points too, for the compiled nodes)
            h0, xabs = np.empty(hi - lo), np.empty(hi - lo)
            jit.first_steps(x[lo:hi], _H0[n], _CARRY, EXPONENT_BITS, h0, xabs)
            return h0, xabs, x[lo:hi]
        xabs = np.abs(x[lo:hi])
        return first_step(np.maximum(xabs, 1.0), n), xabs

    return points


def _scalar_calls(caller: Caller, X: np.ndarray, args: list, per_point: list[bool]):
    """One Python call per node: ``f(float, *scalar_args)``."""
    a, k = X.shape
    items = []
    for i in range(a):
        argi = tuple(arg[i, 0].item() if p else arg for arg, p in zip(args, per_point, strict=True))
        items.extend((X[i, j].item(), argi) for j in range(k))
    results, raised = caller.scalars(items)
    vals = np.array(
        [np.nan if r is None or bad else r for r, bad in zip(results, raised, strict=True)]
    )
    if vals.dtype.kind not in "fc" or vals.ndim != 1:
        raise TypeError("`f` must return a scalar number for a scalar input (vectorized=False)")
    return vals.reshape(a, k), raised.reshape(a, k).any(axis=1)
