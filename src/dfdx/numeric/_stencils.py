"""Node patterns and their finite-difference weights, computed once and cached.

The adaptive engine evaluates ``f`` in *levels* of two nodes each.  Within a
window of ``m`` levels whose largest step is ``H`` the nodes are ``H`` times a
fixed pattern, so the weights are those of the pattern divided by ``H**n``
(Fornberg weights are scale-invariant).  Patterns:

* central, level ``j``: ``(+2**-j, -2**-j)`` (plus the centre node for even ``n``);
* forward, level ``j``: ``(4**-j, 2 * 4**-j / 4)``, i.e. ``1, 1/2, 1/4, ...`` two
  at a time, always with the centre node;
* backward: the forward pattern mirrored.

Polynomial extrapolation of central differences over a geometric step sequence
(Richardson's method) is the same as these weights on the union of the nodes.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from dfdx._core.weights import fd_weights

__all__ = [
    "BACKWARD",
    "CENTRAL",
    "FORWARD",
    "first_level",
    "fixed_stencil",
    "level_nodes",
    "needs_centre",
    "window_weights",
]

CENTRAL, FORWARD, BACKWARD = 0, 1, -1


def level_nodes(mode: int, j: int) -> np.ndarray:
    """The two node offsets (in units of the window's top step) of level ``j``."""
    if mode == CENTRAL:
        h = 2.0**-j
        return np.array([h, -h])
    h = 4.0**-j
    return mode * np.array([h, h / 2])


def needs_centre(mode: int, n: int) -> bool:
    """Whether the stencil uses ``f(x)`` itself."""
    return mode != CENTRAL or n % 2 == 0


@cache
def window_weights(mode: int, n: int, m: int) -> tuple[np.ndarray, float]:
    """Weights for a window of ``m`` levels: ``(w, w0)``.

    ``w`` has shape ``(m, 2)`` (level, node within the level) and ``w0`` is the
    weight of the centre node (0 where it is not used).  Returns zeros if the
    window has too few nodes for the ``n``-th derivative.
    """
    nodes = np.concatenate([level_nodes(mode, j) for j in range(m)])
    centre = needs_centre(mode, n)
    if centre:
        nodes = np.concatenate([[0.0], nodes])
    if nodes.size <= n:
        w = np.zeros((m, 2))
        w.flags.writeable = False
        return w, 0.0
    w = fd_weights(nodes, n)
    w0 = float(w[0]) if centre else 0.0
    w = np.ascontiguousarray((w[1:] if centre else w).reshape(m, 2))
    w.flags.writeable = False
    return w, w0


@cache
def first_level(mode: int, n: int) -> int:
    """Fewest levels whose window has enough nodes for the ``n``-th derivative."""
    m = 1
    while not window_weights(mode, n, m)[0].any():
        m += 1
    return m


@cache
def fixed_stencil(mode: int, n: int, order: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniform stencil of accuracy ``order`` for the ``n``-th derivative.

    Returns ``(nodes, weights)`` in units of the step.  Central stencils use
    ``2 * ((n + 1) // 2) - 1 + order`` nodes symmetric about 0; one-sided ones
    use ``n + order`` nodes ``0, 1, 2, ...`` (mirrored for backward).
    """
    if mode == CENTRAL:
        half = ((n + 1) // 2 - 1) + order // 2
        nodes = np.arange(-half, half + 1, dtype=float)
        if n % 2 == 1:
            nodes = nodes[nodes != 0]
    else:
        nodes = mode * np.arange(n + order, dtype=float)
    w = fd_weights(nodes, n)
    nodes.flags.writeable = False
    w.flags.writeable = False
    return nodes, w
