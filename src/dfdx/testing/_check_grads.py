"""check_grads: automatic derivatives against a self-contained finite-difference reference."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["check_grads"]


def _leaves(tree: Any) -> list[Any]:
    if isinstance(tree, (tuple, list)):
        return [leaf for item in tree for leaf in _leaves(item)]
    if isinstance(tree, dict):
        return [leaf for k in tree for leaf in _leaves(tree[k])]
    return [tree]


def _rebuild(tree: Any, leaves: list[Any]) -> Any:
    it = iter(leaves)

    def build(t: Any) -> Any:
        if isinstance(t, (tuple, list)):
            return type(t)(build(i) for i in t)
        if isinstance(t, dict):
            return {k: build(v) for k, v in t.items()}
        return next(it)

    return build(tree)


def _flat(out: Any) -> np.ndarray:
    parts = [np.ravel(np.asarray(o)) for o in _leaves(out)]
    return np.concatenate(parts) if parts else np.zeros(0)


def _directional(f: Callable[..., Any], args: tuple, v: list[Any], h: float) -> np.ndarray:
    """d/ds f(args + s v) at 0: central differences at h and h/2, Richardson-combined."""
    leaves = _leaves(args)

    def at(s: float) -> np.ndarray:
        moved = [np.asarray(a) + s * d for a, d in zip(leaves, v, strict=True)]
        return _flat(f(*_rebuild(args, moved)))

    d1 = (at(h) - at(-h)) / (2 * h)
    d2 = (at(h / 2) - at(-h / 2)) / h
    return (4 * d2 - d1) / 3


def _random_like(a: Any, rng: np.random.Generator) -> np.ndarray:
    a = np.asarray(a)
    r = rng.standard_normal(a.shape)
    if np.iscomplexobj(a):
        r = r + 1j * rng.standard_normal(a.shape)
    return r


def _upcast(a: Any) -> Any:
    a = np.asarray(a)
    if a.dtype == np.float32:
        return a.astype(np.float64)
    if a.dtype == np.complex64:
        return a.astype(np.complex128)
    if a.dtype.kind in "biu":
        return a.astype(np.float64)
    return a


def check_grads(
    f: Callable[..., Any],
    args: Sequence[Any],
    order: int = 2,
    modes: Sequence[str] = ("forward", "reverse"),
    rtol: float | None = None,
    atol: float | None = None,
    seed: int = 0,
) -> None:
    """Check ``dfdx.ad`` derivatives of ``f`` up to ``order`` against finite differences.

    For every mode, a random directional derivative (forward: ``J v``;
    reverse: ``u^T J`` paired with ``v``) is compared with a central
    difference with one Richardson step computed in float64; higher orders
    recurse on the derivative functions, so ``order=2`` also checks
    forward-over-reverse and the other combinations.

    Parameters
    ----------
    f : callable
        Function of the positional arguments ``args`` (arrays, scalars or
        nested tuples/lists/dicts of them).
    args : sequence
        Point at which to check.
    order : int, default 2
        Highest derivative order checked.
    modes : sequence of {"forward", "reverse"}
        Modes checked at every order.
    rtol, atol : float, optional
        Tolerances; default 1e-5/1e-7, or 2e-3/1e-4 when an argument is float32.
    seed : int, default 0
        Seed of the random directions.

    Raises
    ------
    AssertionError
        If a derivative disagrees with the finite-difference reference.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx.testing import check_grads
    >>> check_grads(lambda x: np.sum(np.sin(x) * x), (np.array([0.5, 1.0]),))
    """
    from dfdx.ad import jvp, vjp  # lazy: dfdx.testing sits below the engines

    for m in modes:
        if m not in ("forward", "reverse"):
            raise ValueError(f"`modes` entries must be 'forward' or 'reverse', got {m!r}")
    args = tuple(args)
    low = any(np.asarray(a).dtype in (np.float32, np.complex64) for a in _leaves(args))
    rtol = (2e-3 if low else 1e-5) if rtol is None else rtol
    atol = (1e-4 if low else 1e-7) if atol is None else atol
    rng = np.random.default_rng(seed)
    leaves = _leaves(args)
    v = [_random_like(a, rng) for a in leaves]
    v_tree = _rebuild(
        args,
        [
            np.asarray(d).astype(np.result_type(a, np.float32))
            for d, a in zip(v, leaves, strict=True)
        ],
    )
    args64 = _rebuild(args, [_upcast(a) for a in leaves])
    scale = max(1.0, max((float(np.max(np.abs(a))) for a in leaves if np.size(a)), default=1.0))
    h = 1e-3 * scale
    fd = _directional(f, args64, v, h)
    out = f(*args)
    u = _random_like(_flat(out), rng)
    for mode in modes:
        if mode == "forward":
            ad = _flat(jvp(f, args, tuple(v_tree))[1])
            _compare(ad, fd, rtol, atol, f"forward (jvp), order {order}")

            def nxt(*a: Any) -> Any:
                return jvp(f, a, tuple(v_tree))[1]
        else:
            _, back = vjp(f, *args)
            off = _offsets(out)
            parts = [
                np.reshape(u[off[i] : off[i + 1]], np.shape(o)) for i, o in enumerate(_leaves(out))
            ]
            ushape = _rebuild([out], parts)[0]
            g = back(ushape)
            prods = [np.asarray(gi) * vi for gi, vi in zip(_leaves(g), v, strict=True)]
            lhs = float(np.real(sum(np.sum(p) for p in prods)))
            rhs = float(np.real(np.sum(u * fd)))
            mag = float(np.sum(np.abs(u * fd))) + sum(float(np.sum(np.abs(p))) for p in prods)
            if abs(lhs - rhs) > atol * (1 + np.sum(np.abs(u))) + rtol * mag:
                raise AssertionError(
                    f"reverse (vjp), order {order}: <vjp(u), v> = {lhs!r} differs from "
                    f"<u, finite-difference J v> = {rhs!r}"
                )

            def nxt(*a: Any, _u: Any = ushape) -> Any:
                return vjp(f, *a)[1](_u)

        if order > 1:
            check_grads(nxt, args, order - 1, modes, rtol, atol, seed + 1)


def _offsets(out: Any) -> list[int]:
    sizes = [int(np.size(o)) for o in _leaves(out)]
    return [0, *np.cumsum(sizes).tolist()]


def _compare(ad: np.ndarray, fd: np.ndarray, rtol: float, atol: float, what: str) -> None:
    ad = np.asarray(ad, dtype=np.result_type(ad, np.float64))
    if ad.shape != fd.shape:
        raise AssertionError(f"{what}: shape {ad.shape} differs from finite differences {fd.shape}")
    tol = atol + rtol * np.maximum(np.abs(fd), np.abs(ad))
    err = np.abs(ad - fd)
    if not np.all(err <= tol):
        worst = int(np.argmax(err - tol))
        raise AssertionError(
            f"{what}: automatic derivative {ad.ravel()[worst]!r} differs from finite "
            f"differences {fd.ravel()[worst]!r} "
            f"(error {err.ravel()[worst]:.3g} > tol {tol.ravel()[worst]:.3g})"
        )
