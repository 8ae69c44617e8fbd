"""Introspection of the rule tables: which NumPy/SciPy functions can be differentiated."""

from __future__ import annotations

import numpy as np

from dfdx.ad._primitive import FUNCTIONS, NONDIFF_FUNCTIONS, UFUNCS

__all__ = ["supported_functions", "supported_table"]


def _name(f: object) -> str:
    import scipy.special as sc

    name = getattr(f, "__name__", repr(f))
    if (
        isinstance(f, np.ufunc)
        and getattr(sc, name, None) is f
        and getattr(np, name, None) is not f
    ):
        return f"scipy.special.{name}"
    mod = getattr(f, "__module__", None) or "numpy"
    if mod.startswith("numpy"):
        sub = [m for m in ("numpy.linalg", "numpy.fft") if mod.startswith(m)]
        mod = sub[0] if sub else "numpy"
    if mod.startswith("scipy.special"):
        mod = "scipy.special"
    return f"{mod}.{getattr(f, '__name__', repr(f))}"


def supported_functions() -> list[str]:
    """Sorted names of the NumPy/SciPy functions and ufuncs with derivative rules.

    Examples
    --------
    >>> from dfdx.ad import supported_functions
    >>> names = supported_functions()
    >>> "numpy.sin" in names and "numpy.linalg.inv" in names
    True
    """
    import importlib

    from dfdx.ad._hooks import HOOKED, LAZY_RULES

    for mod in LAZY_RULES:  # hooks SciPy modules imported on demand (their rules load then)
        importlib.import_module(mod)
    names = {_name(f) for f in (*UFUNCS, *FUNCTIONS) if not _private(f)}
    return sorted(names | HOOKED)


def supported_table() -> str:
    """The supported functions as a Markdown list, one line per module (docs/ad.md).

    SciPy distributions are listed with their methods.

    Examples
    --------
    >>> from dfdx.ad._registry import supported_table
    >>> "`expm`" in supported_table()
    True
    """
    groups: dict[str, list[str]] = {}
    dists: dict[str, list[str]] = {}
    for name in supported_functions():
        if name.startswith("scipy.stats."):
            dist, method = name[len("scipy.stats.") :].rsplit(".", 1)
            dists.setdefault(dist, []).append(method)
            continue
        mod, fn = name.rsplit(".", 1)
        groups.setdefault(mod, []).append(fn)
    lines = []
    for mod in sorted(groups, key=lambda m: (not m.startswith("numpy"), m)):
        items = ", ".join(f"`{fn}`" for fn in groups[mod])
        lines.append(f"* **{mod}** ({len(groups[mod])}): {items}")
    order = ("logpdf", "pdf", "logpmf", "pmf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf")
    by_methods: dict[tuple[str, ...], list[str]] = {}
    for dist, methods in dists.items():
        key = tuple(sorted(methods, key=lambda m: order.index(m) if m in order else len(order)))
        by_methods.setdefault(key, []).append(dist)
    for key, names in sorted(by_methods.items(), key=lambda kv: -len(kv[0])):
        meth = ", ".join(f"`{m}`" for m in key)
        lines.append(f"* **scipy.stats** ({meth}): {', '.join(f'`{d}`' for d in sorted(names))}")
    return "\n".join(lines) + "\n"


def _private(f: object) -> bool:
    return getattr(f, "__name__", "").startswith("_")


# NumPy functions whose results carry no derivative: applied to the raw values
NONDIFF_FUNCTIONS.update(
    {
        np.shape,
        np.ndim,
        np.size,
        np.result_type,
        np.iscomplexobj,
        np.isrealobj,
        np.argmax,
        np.argmin,
        np.argsort,
        np.argwhere,
        np.nonzero,
        np.flatnonzero,
        np.count_nonzero,
        np.searchsorted,
        np.isclose,
        np.allclose,
        np.array_equal,
        np.any,
        np.all,
        np.isreal,
        np.iscomplex,
        np.unique,
        np.can_cast,
        np.min_scalar_type,
        np.histogram,
        np.digitize,
    }
)
