"""Derivatives of functions of several variables, as 1-D problems along directions.

A gradient component, a Jacobian column, a Hessian diagonal entry and a
directional derivative are all derivatives of ``g(t) = f(x + t v)`` at ``t = 0``
for some direction ``v``; an off-diagonal Hessian entry follows by polarisation,
``H_ij = (g''_{e_i+e_j} - g''_{e_i-e_j}) / 4``.  Every direction is one "point"
of the shared adaptive engine, and so is every point of a batch ``x`` of shape
``(m, ...)``: all of them are refined together and ``f`` is called once per
level with every node of every direction at every point as the columns of
one ``(m, K)`` array.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from dfdx._core.result import Status
from dfdx.numeric._columns import Columns
from dfdx.numeric._complexcheck import complex_step_disagrees
from dfdx.numeric._derivative import default_rtol, first_step
from dfdx.numeric._engine import refine
from dfdx.numeric._fixed import complex_step, fixed_step
from dfdx.numeric._repeat import NOTE, agree, sampled
from dfdx.numeric._validate import Options, as_point_array, check_function

__all__ = ["Along", "along", "point_array"]


def point_array(x: Any, allow_complex: bool = True) -> np.ndarray:
    """``x`` as a float array of shape ``(m, ...)``: variables first, points after.

    Complex points (a holomorphic ``f``) are accepted by the real-axis
    methods, as in :func:`derivative`.
    """
    xa = as_point_array(x, allow_complex=allow_complex)
    if xa.ndim == 0 or xa.size == 0:
        raise ValueError(
            f"`x` must be a non-empty array of shape (m,) (one point) or (m, ...) "
            f"(variables along the first axis, points along the rest), got shape {xa.shape}"
        )
    return xa


@dataclass
class Along:
    """Derivatives along every direction at every point: arrays ``(D, P, Q)``."""

    df: np.ndarray
    error: np.ndarray
    status: np.ndarray
    nfev: np.ndarray
    nit: np.ndarray
    qshape: tuple
    pshape: tuple
    note: str


def along(
    f: Callable,
    x: Any,
    V: np.ndarray,
    *,
    n: int,
    opt: Options,
    step: Any,
    args: Any,
    vectorized: Any,
    workers: Any,
    W: np.ndarray | None = None,
) -> Along:
    """n-th derivatives of ``f(x + t V[d])`` at ``t = 0`` for every row ``V[d]``.

    ``x`` has shape ``(m, ...)``: every point ``x[:, j]`` and every direction
    is one point of the adaptive engine, so one call of ``f`` holds every
    node of every direction at every point.  With ``W`` (method
    ``'complex'``) the function differentiated along ``V[d]`` is the complex
    step ``Im f(x + t V[d] + i h W[d]) / h`` (tiny ``h``), a first derivative
    along ``W[d]`` exact to rounding: its derivative in ``t`` is a second
    derivative with the accuracy of a first one.  Any real ``V`` works (a
    compressed sparse Jacobian passes groups of columns as its rows).
    Entries where a direction fails are refined again output by output, so
    that one non-finite output flags only its own entries.
    """
    check_function(f)
    xa = point_array(x, allow_complex=opt.method != "complex")
    m, pshape = xa.shape[0], xa.shape[1:]
    X0 = xa.reshape(m, -1)
    P, D = X0.shape[1], V.shape[0]
    real = xa.real.dtype  # of the steps (complex points: holomorphic f)
    eps = float(np.finfo(real).eps)
    cols = Columns(f, args, opt.kwargs, vectorized, workers)
    good = np.isfinite(X0).all(axis=0)
    pts = np.flatnonzero(good)
    Xg = X0[:, pts]
    cplx = opt.method == "complex"
    f0, raised0 = cols.first(Xg.astype(np.result_type(Xg, 1j)) if cplx else Xg.copy())
    if cplx:
        f0 = _real_on_axis(f0)
    Q = f0.shape[1]
    shape = (D, P, Q)
    out = Along(
        np.full(shape, np.nan),
        np.full(shape, np.nan),
        np.full(shape, Status.NONFINITE_INPUT, dtype=np.int8),
        np.zeros(shape, dtype=np.intp),
        np.zeros(shape, dtype=np.intp),
        tuple(cols.qshape or ()),
        pshape,
        cols.note,
    )
    out.status[:, pts] = Status.NONFINITE_VALUE
    out.status[:, pts[raised0]] = Status.FUNCTION_ERROR
    out.nfev[:, pts] = 1
    fin = np.isfinite(f0)
    live = ~raised0 & fin.any(axis=1)
    pts, Xg, f0 = pts[live], Xg[:, live], f0[live]
    Pg = pts.size
    if Pg == 0:
        return out
    shifts = [_sparse(V)] if W is None else [_sparse(V), _sparse(W)]
    C, K = shifts[0]
    support = np.where(K[:, :, None] != 0, np.abs(Xg[C]), 0.0).max(axis=1)
    vmax = np.abs(V).max(axis=1)[:, None]
    # engine point e = d * Pg + j: direction d at point j
    if opt.scale is None:
        scale = (np.maximum(support, 1.0) / vmax).ravel()
    else:  # the user's length per variable: the smallest along the direction
        try:
            sv = np.broadcast_to(opt.scale, (m,))
        except ValueError:
            raise ValueError(
                f"`scale` must be a scalar or have one entry per variable ({m}), "
                f"got shape {np.shape(opt.scale)}"
            ) from None
        sdir = np.where(K != 0, sv[C] / np.where(K != 0, np.abs(K), 1.0), np.inf).min(axis=1)
        scale = np.broadcast_to(sdir[:, None], (D, Pg)).ravel()
    xabs = (support / vmax).ravel()
    hc = 1e-20 * scale  # the complex step (with W)

    dtype = np.result_type(Xg, 1j if cplx else Xg.dtype)

    def evaluate(idx, T: np.ndarray, scratch: bool = False):
        if isinstance(idx, slice):
            idx = np.arange(idx.start, idx.stop)
        a, k = T.shape
        X = np.empty((m, a, k), dtype=np.result_type(dtype, T))
        if Pg == 1:
            d = idx
            X[...] = Xg[:, 0, None, None]
        else:
            d, j = np.divmod(idx, Pg)
            X[...] = Xg[:, j, None]
        cuts = np.flatnonzero(d[1:] != d[:-1]) + 1
        for (comps, coefs), shift in zip(shifts, (T, None), strict=False):
            if shift is None:  # the complex step, the same for every node
                shift = 1j * hc[idx, None]
            if 32 * cuts.size < a:  # long runs of one direction: slices
                for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, a], strict=True):
                    for c, w in zip(comps[d[lo]], coefs[d[lo]], strict=True):
                        if w:
                            X[c, lo:hi] += w * shift[lo:hi]
                continue
            rows = np.arange(a)
            for c, w in zip(comps[d].T, coefs[d].T, strict=True):
                X[c, rows, :] += w[:, None] * shift
        vals, raised = cols(X.reshape(m, a * k))
        if W is not None:
            vals = vals.imag / np.repeat(hc[idx], k)[:, None]
        vals = vals.reshape(a, k, Q)
        if W is None:  # outputs that never move from f(x) have derivative 0 exactly
            changed[idx] |= (vals != f0e[:, idx].T[:, None, :]).any(axis=1)
        return vals, raised.reshape(a, k).any(axis=1)

    N = D * Pg
    f0e = np.broadcast_to(f0.T[:, None, :], (Q, D, Pg)).reshape(Q, N)
    changed = np.zeros((N, Q), dtype=bool)
    h = None if step is None else _steps(step, D, Pg)
    run = _Runner(n, opt, eps, real, complex_first=cplx and W is None)
    df, err, st, nfev, nit = run(evaluate, scale, xabs, h, Q, None if W is not None else f0e)
    st, nfev, nit = (np.repeat(a[:, None], Q, axis=1) for a in (st, nfev, nit))
    failed = (st[:, 0] < 0) & (st[:, 0] != Status.FUNCTION_ERROR) & (Q > 1)
    redo = np.flatnonzero(failed)
    if redo.size:
        # one output at a time where the direction failed: only the failing
        # outputs keep a failure status
        e, q = (a.ravel() for a in np.meshgrid(redo, np.arange(Q), indexing="ij"))
        keep = np.isfinite(f0e[q, e])
        e, q = e[keep], q[keep]

        def single(idx, T, scratch=False):
            if isinstance(idx, slice):
                idx = np.arange(idx.start, idx.stop)
            vals, raised = evaluate(e[idx], T)
            return vals[np.arange(idx.size), :, q[idx]][..., None], raised

        f0q = None if W is not None else f0e[q, e][None]
        sub = run(single, scale[e], xabs[e], None if h is None else h[e], 1, f0q)
        nfev[e, q] += sub[3]  # both passes count
        for arr, new in zip((df, err, st, nit), sub[:3] + sub[4:], strict=True):
            arr[e, q] = new[:, 0] if new.ndim == 2 else new
    if cplx:  # code that drops the imaginary part fools the complex step: cross-check
        U = np.unique(W if W is not None else V, axis=0)
        bad, extra = complex_step_disagrees(cols, Xg, U, eps)
        bad = np.tile(bad, (D, 1))  # (N, Q): engine point e = d * Pg + j
        st[bad & (st >= 0)] = Status.NOT_DIFFERENTIABLE
        nfev += extra
        if bad.any():
            out.note = (
                "the complex step disagrees with a central difference (f drops the "
                "imaginary part: abs, np.real, float(), or is not analytic); use "
                "method='auto'"
            )
    # f deterministic?  f at a sample of the points once more, against f(x)
    # from the first call (a factor that changes per call looks smooth in one)
    sample = sampled(Pg)
    twice = 2 if sample.size == 1 else 1  # (one column alone: an ambiguous output shape)
    Xs = np.repeat(Xg[:, sample], twice, axis=1)
    again, raised_s = cols(Xs.astype(np.result_type(Xs, 1j)) if cplx else Xs)
    again, raised_s = again[::twice], raised_s[::twice]
    same, _ = agree(f0[sample], again.real if cplx else again, raised_s, eps)
    probed = (np.arange(D)[:, None] * Pg + sample).ravel()  # their engine points
    nfev[probed] += twice
    if not same.all():
        badp = np.ones(Pg, dtype=bool)
        if sample.size == Pg:  # every point checked: only those that differ
            badp[sample[same]] = False
        bad = np.tile(badp, D)
        with np.errstate(all="ignore"):
            err[bad] = np.fmax(err[bad], np.abs(df[bad]))
        st[bad[:, None] & (st >= 0)] = Status.NOT_CONVERGED
        out.note = (out.note + "; " if out.note else "") + NOTE
    if W is None:
        # f equal to f(x) at every node: the stencil's value is 0 (its weights
        # sum to 0), up to their rounding; make it exact, and so is the
        # change between levels (f constant near the point: a structural
        # zero of a Jacobian meets the default atol, as in SciPy)
        fixed = ~changed & (st >= 0)
        df[fixed] = 0.0
        err[fixed] = 0.0
    st[~np.isfinite(f0e.T)] = Status.NONFINITE_VALUE
    if df.dtype.kind == "c":  # f is complex-valued
        out.df = out.df.astype(df.dtype)
    for name, arr in (("df", df), ("error", err), ("status", st), ("nfev", nfev), ("nit", nit)):
        getattr(out, name)[:, pts] = arr.reshape(D, Pg, Q)
    out.nfev[:, pts] += 1
    return out


def _sparse(M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``M`` as ``(D, r)`` components and coefficients (``r`` nonzeros at most).

    Directions are sparse (a Jacobian column: one entry; a Hessian
    direction: two), so the nodes are built from ``r`` indexed additions.
    """
    rows, comps = np.nonzero(M)
    count = np.bincount(rows, minlength=M.shape[0])
    r = max(int(count.max()), 1)
    rank = np.arange(rows.size) - np.repeat(np.cumsum(count) - count, count)
    C = np.zeros((M.shape[0], r), dtype=np.intp)
    K = np.zeros((M.shape[0], r))
    C[rows, rank] = comps
    K[rows, rank] = M[rows, comps]
    return C, K


def _steps(step: Any, D: int, P: int) -> np.ndarray:
    """A fixed step per engine point: a scalar, or one per direction."""
    arr = np.asarray(step, dtype=np.float64)
    if arr.ndim > 1 or arr.size not in (1, D):
        raise ValueError(
            f"`step` must be a scalar or have one entry per direction ({D}), got shape {arr.shape}"
        )
    return np.broadcast_to(arr.reshape(-1, 1), (D, P)).ravel()


class _Runner:
    """One engine run over given points: adaptive, fixed step or complex step."""

    def __init__(self, n, opt, eps, dtype, complex_first):
        self.n, self.opt, self.eps, self.dtype = n, opt, eps, dtype
        self.complex_first = complex_first

    def __call__(self, evaluate, scale, xabs, h, q, f0):
        opt, eps, dtype, n = self.opt, self.eps, self.dtype, self.n
        N = scale.size
        one = np.ones(N, np.intp)
        if self.complex_first:
            cdt = np.result_type(dtype, 1j)
            d, e, s, fe = complex_step(evaluate, scale, eps=eps, dtype=cdt, h=h)
            return d, e, s, fe, one
        if h is not None:
            d, e, s, fe = fixed_step(
                evaluate, h, n=n, mode=opt.mode, order=opt.order or 2, eps=eps, dtype=dtype
            )
            return d, e, s, fe, one
        h0 = first_step(scale, n)
        out = refine(
            evaluate,
            lambda lo, hi: (h0[lo:hi], xabs[lo:hi]),
            N,
            n=n,
            mode=opt.mode,
            q=q,
            fallback=opt.method == "auto",
            rtol=opt.rtol if opt.rtol is not None else default_rtol(eps),
            atol=opt.atol,
            maxiter=opt.maxiter,
            window=opt.window,
            eps=eps,
            step_dtype=dtype,
            f0=f0,
        )
        nfev, nit = out.counts()
        return out.df, out.error, out.status, nfev, nit


def _real_on_axis(f0: np.ndarray) -> np.ndarray:
    """``f`` at real points given complex input: refuse non-real values (complex step)."""
    if f0.dtype.kind != "c":
        raise ValueError(
            "`method='complex'` needs f to return complex values for complex input; "
            f"f returned dtype {f0.dtype} (it drops the imaginary part)"
        )
    imag = np.abs(f0.imag)
    if np.any(imag > 0):
        raise ValueError(
            "`method='complex'` needs f real on the real axis; f returned values with "
            f"imaginary part up to {float(np.nanmax(imag)):.3g} at real points; use "
            "method='auto'"
        )
    return f0.real.copy()
