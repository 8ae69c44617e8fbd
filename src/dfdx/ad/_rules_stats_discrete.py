"""Rule table: ``scipy.stats`` discrete distributions (``logpmf``, ``pmf``, ``cdf``, ...).

The public methods of ``rv_discrete`` are hooked like those of ``rv_continuous``
(``_rules_stats``): SciPy's checks and support on the plain values, SciPy's
private formulas (or the table's) on the traced parameters.  The quantiles
``k`` (and ``loc``) are integers and carry no derivative; so is the count ``n``
of ``binom``; the cumulative functions of ``nbinom`` (incomplete beta functions
in ``n``) have no rule in ``n``.  A traced one raises :class:`~dfdx.ad.TracingError`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.stats as st

from dfdx.ad._hooks import HOOKED, hook, is_traced, no_rule
from dfdx.ad._rules_stats import _CDFS, _arrays, _exp_of, _formula, _log, _spec
from dfdx.ad._tracer import raw

__all__ = ["DISCRETE"]


# name: (safe shapes, shapes without any rule, shapes whose cdf-family derivative has no rule,
#        {method: formula}; methods not listed are SciPy's own)
def _log_of(name: str, private: str) -> Any:
    return _log(getattr(getattr(st, name), private))


DISCRETE: dict[str, tuple[tuple[float, ...], tuple[int, ...], tuple[int, ...], dict[str, Any]]] = {
    "poisson": (
        (1.0,),
        (),
        (),
        {"_logcdf": _log_of("poisson", "_cdf"), "_logsf": _log_of("poisson", "_sf")},
    ),
    "binom": (
        (1.0, 0.5),
        (0,),
        (0,),
        {
            "_pmf": _exp_of(st.binom._logpmf),
            "_logcdf": _log_of("binom", "_cdf"),
            "_logsf": _log_of("binom", "_sf"),
        },
    ),
    "nbinom": (
        (1.0, 0.5),
        (),
        (0,),
        {
            "_pmf": _exp_of(st.nbinom._logpmf),
            "_logcdf": _log_of("nbinom", "_cdf"),
            "_logsf": _log_of("nbinom", "_sf"),
        },
    ),
}


def _discrete(method: str) -> Any:
    private = "_" + method

    def traced(self: Any, k: Any, *args: Any, **kwds: Any) -> Any:
        name, (safe, never, nodiff, table) = _spec(self, DISCRETE, method)
        shapes, loc, _ = _arrays(*self._parse_args(*args, **kwds))
        what = f"scipy.stats.{name}.{method}"
        if is_traced(k) or is_traced(loc):
            raise no_rule(what, "the quantile k or loc (integers)")
        names = self.shapes.split(", ")
        for i in (*never, *(nodiff if method in _CDFS else ())):
            if is_traced(shapes[i]):
                raise no_rule(what, f"the shape {names[i]}")
        k = np.asarray(k) - np.asarray(loc)
        sh = [raw(s) for s in shapes]
        with np.errstate(invalid="ignore"):
            cond0 = np.asarray(self._argcheck(*sh), dtype=bool)
            a, b = self._get_support(*sh)
            if method in ("pmf", "logpmf"):
                cond1 = (k >= a) & (k <= b) & self._nonzero(k, *sh)
            else:
                cond1 = (k >= a) & (k < b) & np.isfinite(k)
            cond = cond0 & cond1
            bad = ~cond0 | np.isnan(k)
            hi = (k >= b) & (cond0 == cond0)
            lo = ((k < a) | np.isneginf(k)) & (cond0 == cond0)
        ks = np.where(cond, k, 0.0)
        shs = tuple(np.where(cond0, s, v) for s, v in zip(shapes, safe, strict=True))
        core = _formula(table, self, private)(ks, *shs)
        if method == "logpmf":
            fill: Any = -np.inf
        elif method == "pmf":
            fill = 0.0
        else:
            if method in ("cdf", "sf"):
                core = np.clip(core, 0, 1)
            one, zero = (1.0, 0.0) if method in ("cdf", "sf") else (0.0, -np.inf)
            fill = np.where(hi if method in ("cdf", "logcdf") else lo, one, zero)
        return np.where(bad, np.nan, np.where(cond, core, fill))

    return traced


for _m in ("logpmf", "pmf", "cdf", "logcdf", "sf", "logsf"):
    hook(getattr(st.rv_discrete, _m), f"scipy.stats.rv_discrete.{_m}", _discrete(_m))


HOOKED.difference_update({f"scipy.stats.rv_discrete.{m}" for m in ("logpmf", "pmf", *_CDFS)})
HOOKED.update(
    f"scipy.stats.{d}.{m}"
    for d in DISCRETE
    for m in ("logpmf", "pmf", "cdf", "logcdf", "sf", "logsf")
)
