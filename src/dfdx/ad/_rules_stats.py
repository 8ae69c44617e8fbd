"""Rule table: ``scipy.stats`` univariate distributions (``logpdf``, ``pdf``, ``cdf``, ...).

The public methods of ``rv_continuous`` and ``rv_discrete`` convert their input
with ``np.asarray``; importing ``dfdx.ad`` hooks them (``_hooks``), so module
calls (``scipy.stats.norm.logpdf(x, loc, scale)``) and frozen distributions
(``scipy.stats.norm(mu, s).logpdf(x)``, whose methods call the same ones) reach
the traced versions below.  They follow SciPy's own method step by step:

* the argument checks and the support (``_argcheck``, ``_support_mask``, ...)
  are SciPy's own, evaluated on the plain values (they carry no derivative);
* the formula in standard coordinates ``z = (x - loc) / scale`` is SciPy's own
  private method (``_logpdf``, ``_cdf``, ...) run on the traced values when it
  is written with traceable operations, else the formula in the table below
  (the same mathematics, written with NumPy and ``scipy.special`` ufuncs);
* points outside the support or with invalid parameters get SciPy's values
  (``-inf``, ``0``, ``1``, ``nan``) with a zero derivative; the formula only sees
  valid stand-in values there, so no ``nan`` leaks into the derivative.

Other continuous distributions of SciPy: ``logpdf`` and ``pdf`` through SciPy's own
private formulas (with the median as the stand-in point); a formula that is not
traceable fails loudly.  Their cumulative functions are not supported: piecewise
formulas (``sign(x)`` times a term that vanishes at 0, as in ``gennorm.cdf``)
would give a wrong derivative at the joins.

Discrete distributions: ``_rules_stats_discrete``.  Shape parameters of the cumulative
functions of ``t``, ``gamma``, ``beta``,
``chi2`` (incomplete beta/gamma functions in their shape) and integer
parameters (the count of ``binom``, the quantiles ``k`` of discrete
distributions) have no rule: a traced one raises :class:`~dfdx.ad.TracingError`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.special as sc
import scipy.stats as st

from dfdx.ad._hooks import HOOKED, as_array, hook, is_traced, no_rule
from dfdx.ad._primitive import TracingError
from dfdx.ad._tracer import raw

__all__ = ["CONTINUOUS"]

_LOG_PI = np.log(np.pi)


def _t_logpdf(x: Any, df: Any) -> Any:
    return (
        np.log(sc.poch(0.5 * df, 0.5))
        - 0.5 * (np.log(df) + np.log(np.pi))
        - (df + 1) / 2 * np.log1p(x * x / df)
    )


def _lognorm_logpdf(x: Any, s: Any) -> Any:
    pos = x != 0
    xs = np.where(pos, x, 1.0)
    val = -(np.log(xs) ** 2) / (2 * s**2) - np.log(s * xs * np.sqrt(2 * np.pi))
    return np.where(pos, val, -np.inf)


def _cauchy_logpdf(x: Any) -> Any:
    ax = np.abs(x)
    small = ax < 1
    a1, a2 = np.where(small, ax, 0.0), np.where(small, 1.0, ax)
    return np.where(
        small, -_LOG_PI - np.log1p(a1**2), -_LOG_PI - (2 * np.log(a2) + np.log1p((1 / a2) ** 2))
    )


def _log(f: Any) -> Any:
    def logf(*a: Any) -> Any:
        with np.errstate(divide="ignore"):
            return np.log(f(*a))

    return logf


def _t_cdf(x: Any, df: Any) -> Any:
    return sc.stdtr(df, x)


def _t_sf(x: Any, df: Any) -> Any:
    return sc.stdtr(df, -x)


def _gamma_cdf(x: Any, a: Any) -> Any:
    return sc.gammainc(a, x)


def _gamma_sf(x: Any, a: Any) -> Any:
    return sc.gammaincc(a, x)


def _beta_cdf(x: Any, a: Any, b: Any) -> Any:
    return sc.betainc(a, b, x)


def _beta_sf(x: Any, a: Any, b: Any) -> Any:
    return sc.betaincc(a, b, x)


def _chi2_cdf(x: Any, df: Any) -> Any:
    return sc.chdtr(df, x)


def _chi2_sf(x: Any, df: Any) -> Any:
    return sc.chdtrc(df, x)


def _exp_of(logf: Any) -> Any:
    return lambda *a: np.exp(logf(*a))


def _expon_logcdf(x: Any) -> Any:
    return _log(lambda z: -sc.expm1(-z))(x)


def _laplace_cdf(x: Any) -> Any:
    pos = x > 0
    return np.where(
        pos, 1.0 - 0.5 * np.exp(-np.where(pos, x, 0.0)), 0.5 * np.exp(np.where(pos, 0.0, x))
    )


def _laplace_sf(x: Any) -> Any:
    return _laplace_cdf(-x)


# name: (safe point of z, safe shapes, shapes whose cdf-family derivative has no rule,
#        {method: formula in standard coordinates}; methods not listed are SciPy's own)
CONTINUOUS: dict[str, tuple[float, tuple[float, ...], tuple[int, ...], dict[str, Any]]] = {
    "norm": (0.0, (), (), {}),
    "t": (
        0.0,
        (1.0,),
        (0,),
        {
            "_logpdf": _t_logpdf,
            "_pdf": _exp_of(_t_logpdf),
            "_cdf": _t_cdf,
            "_sf": _t_sf,
            "_logcdf": _log(_t_cdf),
            "_logsf": _log(_t_sf),
        },
    ),
    "gamma": (
        1.0,
        (1.0,),
        (0,),
        {
            "_cdf": _gamma_cdf,
            "_sf": _gamma_sf,
            "_logcdf": _log(_gamma_cdf),
            "_logsf": _log(_gamma_sf),
        },
    ),
    "beta": (
        0.5,
        (1.0, 1.0),
        (0, 1),
        {
            "_pdf": _exp_of(st.beta._logpdf),
            "_cdf": _beta_cdf,
            "_sf": _beta_sf,
            "_logcdf": _log(_beta_cdf),
            "_logsf": _log(_beta_sf),
        },
    ),
    "expon": (1.0, (), (), {"_logcdf": _expon_logcdf}),
    "lognorm": (1.0, (1.0,), (), {"_logpdf": _lognorm_logpdf, "_pdf": _exp_of(_lognorm_logpdf)}),
    "chi2": (
        1.0,
        (1.0,),
        (0,),
        {"_cdf": _chi2_cdf, "_sf": _chi2_sf, "_logcdf": _log(_chi2_cdf), "_logsf": _log(_chi2_sf)},
    ),
    "cauchy": (
        0.0,
        (),
        (),
        {
            "_logpdf": _cauchy_logpdf,
            "_logcdf": _log(st.cauchy._cdf),
            "_logsf": _log(st.cauchy._sf),
        },
    ),
    "laplace": (
        0.0,
        (),
        (),
        {
            "_cdf": _laplace_cdf,
            "_sf": _laplace_sf,
            "_logcdf": _log(_laplace_cdf),
            "_logsf": _log(_laplace_sf),
        },
    ),
    "logistic": (0.0, (), (), {}),
}

_CDFS = ("cdf", "sf", "logcdf", "logsf", "ppf", "isf")


def _formula(table: dict[str, Any], dist: Any, private: str) -> Any:
    formula = table.get(private)
    if formula is not None:
        return formula
    own = getattr(dist, private)

    def generic(*args: Any) -> Any:
        try:
            return own(*args)
        except TracingError as e:  # name the function the user called, then the cause
            name = getattr(dist, "name", type(dist).__name__)
            raise TracingError(
                f"scipy.stats.{name}.{private[1:]} has no derivative rule in dfdx.ad and "
                f"SciPy's own formula cannot be traced ({str(e).split('; ')[0]}); write it "
                "with NumPy and scipy.special, or use numerical differentiation "
                "(dfdx.derivative)"
            ) from e

    return generic


# continuous distributions of SciPy with integer shape parameters (or numerical formulas)
_NOT_GENERIC = {"kstwo", "ksone", "studentized_range", "levy_stable"}


def _spec(self: Any, table: dict[str, Any], method: str) -> Any:
    name = getattr(self, "name", type(self).__name__)
    spec = table.get(name)
    base = getattr(st, name, None)
    if (
        spec is None
        and table is CONTINUOUS
        and method in ("logpdf", "pdf")
        and base is not None
        and type(self) is type(base)
        and type(self).__module__.startswith("scipy.stats.")
        and name not in _NOT_GENERIC
    ):
        return name, (None, None, (), {})  # SciPy's own private formulas (see the notes)
    if spec is None or base is None or type(self) is not type(base):
        raise TracingError(
            f"scipy.stats.{name}.{method} has no derivative rule in dfdx.ad (supported: "
            f"{', '.join(sorted(table))}); write the density with NumPy and scipy.special, "
            "or use numerical differentiation (dfdx.derivative)"
        )
    return name, spec


def _arrays(shapes: Any, loc: Any, scale: Any) -> tuple[tuple[Any, ...], Any, Any]:
    """Parameters as arrays (lists of traced values stacked)."""
    return tuple(as_array(s) for s in shapes), as_array(loc), as_array(scale)


def _continuous(method: str) -> Any:
    private = "_" + method

    def traced(self: Any, x: Any, *args: Any, **kwds: Any) -> Any:
        name, (z0, safe, nodiff, table) = _spec(self, CONTINUOUS, method)
        shapes, loc, scale = _arrays(*self._parse_args(*args, **kwds))
        x = as_array(x)
        if method in _CDFS:
            for i in nodiff:
                if is_traced(shapes[i]):
                    shape_name = self.shapes.split(", ")[i]
                    raise no_rule(f"scipy.stats.{name}.{method}", f"the shape {shape_name}")
        z = (x - loc) / scale
        if np.result_type(raw(z)).kind not in "fc":
            z = z * 1.0
        zr, sr = raw(z), raw(scale)
        sh = [raw(s) for s in shapes]
        with np.errstate(invalid="ignore"):
            cond0 = np.asarray(self._argcheck(*sh), dtype=bool) & (sr > 0)
            if method in ("pdf", "logpdf"):
                cond1 = self._support_mask(zr, *sh)
            else:
                cond1 = self._open_support_mask(zr, *sh)
            a, b = self._get_support(*sh)
            cond = cond0 & cond1 & (sr > 0)
            bad = ~cond0 | np.isnan(zr)
            hi, lo = (zr >= b) & cond0, (zr <= a) & cond0
        shs = _safe_shapes(shapes, safe, cond0)
        if z0 is None:  # a point of the support: the median (only where needed)
            z0 = 0.0 if np.all(cond) else self._ppf(0.5, *[raw(v) for v in shs])
        zs = np.where(cond, z, z0)
        core = _formula(table, self, private)(zs, *shs)
        if method == "logpdf":
            core = core - np.log(np.where(cond, scale, 1.0))
            fill: Any = -np.inf
        elif method == "pdf":
            core = core / np.where(cond, scale, 1.0)
            fill = 0.0
        else:
            one, zero = (1.0, 0.0) if method in ("cdf", "sf") else (0.0, -np.inf)
            fill = np.where(hi if method in ("cdf", "logcdf") else lo, one, zero)
        return np.where(bad, np.nan, np.where(cond, core, fill))

    return traced


def _quantile(method: str) -> Any:
    """``ppf``/``isf``: SciPy's private inverse at the valid probabilities, ``loc + scale x``."""
    private = "_" + method

    def traced(self: Any, q: Any, *args: Any, **kwds: Any) -> Any:
        name, (_, safe, nodiff, table) = _spec(self, CONTINUOUS, method)
        shapes, loc, scale = _arrays(*self._parse_args(*args, **kwds))
        q = as_array(q)
        for i in nodiff:
            if is_traced(shapes[i]):
                shape_name = self.shapes.split(", ")[i]
                raise no_rule(f"scipy.stats.{name}.{method}", f"the shape {shape_name}")
        qr, sr, lr = raw(q), raw(scale), raw(loc)
        sh = [raw(s) for s in shapes]
        with np.errstate(invalid="ignore"):
            cond0 = np.asarray(self._argcheck(*sh), dtype=bool) & (sr > 0) & (lr == lr)
            cond = cond0 & (qr > 0) & (qr < 1)
            at0, at1 = cond0 & (qr == 0), cond0 & (qr == 1)
            a, b = self._get_support(*sh)
        lower, upper = (at0, at1) if method == "ppf" else (at1, at0)
        qs = np.where(cond, q, 0.5)
        shs = _safe_shapes(shapes, safe, cond0)
        core = _formula(table, self, private)(qs, *shs) * scale + loc
        ends = np.where(lower, _bound(a, scale, loc), _bound(b, scale, loc))
        return np.where(cond, core, np.where(lower | upper, ends, np.nan))

    return traced


def _safe_shapes(shapes: Any, safe: Any, cond0: Any) -> tuple[Any, ...]:
    """Shapes with invalid entries replaced by valid ones (``safe``, or else a valid entry of
    the data), so that no nan from an unused branch reaches a derivative."""
    if np.all(cond0):
        return tuple(shapes)
    if safe is None:
        valid = np.flatnonzero(np.ravel(cond0))
        safe = tuple(
            np.ravel(np.broadcast_to(raw(s), np.shape(cond0)))[valid[0]] if valid.size else 1.0
            for s in shapes
        )
    return tuple(np.where(cond0, s, v) for s, v in zip(shapes, safe, strict=True))


def _bound(a: Any, scale: Any, loc: Any) -> Any:
    """``a * scale + loc`` (a constant where ``a`` is infinite)."""
    if np.all(np.isfinite(a)):
        return a * scale + loc
    return a * raw(scale) + raw(loc)


for _m in ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"):
    hook(getattr(st.rv_continuous, _m), f"scipy.stats.rv_continuous.{_m}", _continuous(_m))
for _m in ("ppf", "isf"):
    hook(getattr(st.rv_continuous, _m), f"scipy.stats.rv_continuous.{_m}", _quantile(_m))


HOOKED.difference_update({f"scipy.stats.rv_continuous.{m}" for m in ("logpdf", "pdf", *_CDFS)})
HOOKED.update(f"scipy.stats.{d}.{m}" for d in CONTINUOUS for m in ("logpdf", "pdf", *_CDFS))
