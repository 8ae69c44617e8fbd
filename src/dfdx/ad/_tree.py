"""Nested arguments: flatten tuples/lists/dicts of arrays into leaves and back."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["LEAF", "as_input", "flatten", "unflatten"]

LEAF = None  # the tree definition of a single leaf


def flatten(tree: Any) -> tuple[list[Any], Any]:
    """Leaves in a fixed order, and a definition that ``unflatten`` rebuilds from."""
    if isinstance(tree, (tuple, list)):
        leaves: list[Any] = []
        defs = []
        for item in tree:
            sub, d = flatten(item)
            leaves.extend(sub)
            defs.append((len(sub), d))
        return leaves, (type(tree), defs)
    if isinstance(tree, dict):
        keys = list(tree)
        leaves, d = flatten([tree[k] for k in keys])
        return leaves, (dict, keys, d)
    return [tree], LEAF


def unflatten(tdef: Any, leaves: list[Any]) -> Any:
    if tdef is LEAF:
        return leaves[0]
    if tdef[0] is dict:
        _, keys, d = tdef
        return dict(zip(keys, unflatten(d, leaves), strict=True))
    kind, defs = tdef
    items = []
    start = 0
    for n, d in defs:
        items.append(unflatten(d, leaves[start : start + n]))
        start += n
    if kind is list:
        return items
    if kind is tuple:
        return tuple(items)
    return kind(*items)  # namedtuple


def as_input(a: Any) -> Any:
    """A differentiable leaf: float64 (ints, bools), float32, float16, complex; arrays as given."""
    t = type(a)
    if t is float or t is int or t is bool:
        return np.float64(a)
    if hasattr(a, "_trace") and hasattr(a, "aux"):  # a tracer of an outer transformation
        return a
    if t is complex:
        return np.complex128(a)
    if t is np.float64:
        return a
    arr = np.asarray(a)
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind not in "fc":
        raise TypeError(f"cannot differentiate with respect to an argument of dtype {arr.dtype}")
    if arr.ndim == 0 and not isinstance(a, np.ndarray):
        return arr[()]
    return arr
