"""Rule table: more ``scipy.special`` functions (distribution functions, ``yn``, ``gammasgn``)
and the Python functions ``polygamma`` and ``multigammaln`` (hooked, see ``_hooks``).

Same format as ``_rules_special``: derivative wrt each positional argument as
``f(ans, *args)``; None marks an argument without a closed-form derivative (the
shape of an incomplete beta or gamma function, a count): tracing through it
raises :class:`~dfdx.ad.TracingError`.  The cumulative distribution functions
are differentiated in their variable (the density) and, for ``pdtr`` and the
binomial/negative binomial ones, in the probability or the mean.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.special as sc
import scipy.special._ufuncs as scu

from dfdx.ad._hooks import hook, no_rule
from dfdx.ad._rules_elementwise import ew_primitive
from dfdx.ad._rules_special import POLYGAMMA, register_table
from dfdx.ad._tracer import Tracer, raw

__all__ = ["SPECIAL_MORE"]

_LOG2 = np.log(2.0)


def _t_pdf(df: Any, x: Any) -> Any:
    """Student t density (SciPy's formula)."""
    return np.exp(
        np.log(sc.poch(0.5 * df, 0.5))
        - 0.5 * (np.log(df) + np.log(np.pi))
        - (df + 1) / 2 * np.log1p(x * x / df)
    )


def _chi2_pdf(df: Any, x: Any) -> Any:
    return np.exp(sc.xlogy(df / 2.0 - 1, x) - x / 2.0 - sc.gammaln(df / 2.0) - _LOG2 * df / 2.0)


def _beta_density(a: Any, b: Any, x: Any) -> Any:
    """x^(a-1) (1-x)^(b-1) / B(a, b): the derivative of betainc(a, b, x) in x."""
    return np.exp(sc.xlogy(a - 1.0, x) + sc.xlog1py(b - 1.0, -x) - sc.betaln(a, b))


def _poisson_pmf(k: Any, mu: Any) -> Any:
    return np.exp(sc.xlogy(k, mu) - sc.gammaln(k + 1) - mu)


def _binom_dp(k: Any, n: Any, p: Any) -> Any:
    """d/dp of the binomial cdf bdtr(k, n, p) = I_{1-p}(n-k, k+1)."""
    k = np.floor(k)
    return -_beta_density(k + 1, n - k, p)


def _nbinom_dp(k: Any, n: Any, p: Any) -> Any:
    """d/dp of the negative binomial cdf I_p(n, k+1)."""
    return _beta_density(n, np.floor(k) + 1, p)


# ufunc: derivative wrt each positional argument, as f(ans, *args)
SPECIAL_MORE: dict[Any, tuple[Any, ...]] = {
    sc.betainc: (None, None, lambda ans, a, b, x: _beta_density(a, b, x)),
    sc.betaincc: (None, None, lambda ans, a, b, x: -_beta_density(a, b, x)),
    sc.stdtr: (None, lambda ans, df, t: _t_pdf(df, t)),
    sc.chdtr: (None, lambda ans, v, x: _chi2_pdf(v, x)),
    sc.chdtrc: (None, lambda ans, v, x: -_chi2_pdf(v, x)),
    sc.pdtr: (None, lambda ans, k, m: -_poisson_pmf(np.floor(k), m)),
    sc.pdtrc: (None, lambda ans, k, m: _poisson_pmf(np.floor(k), m)),
    scu._binom_cdf: (None, None, lambda ans, k, n, p: _binom_dp(k, n, p)),
    scu._binom_sf: (None, None, lambda ans, k, n, p: -_binom_dp(k, n, p)),
    scu._nbinom_cdf: (None, None, lambda ans, k, n, p: _nbinom_dp(k, n, p)),
    scu._nbinom_sf: (None, None, lambda ans, k, n, p: -_nbinom_dp(k, n, p)),
    # inverse distribution functions: 1 / density at the answer
    sc.stdtrit: (None, lambda ans, df, p: 1 / _t_pdf(df, ans)),
    sc.gammaincinv: (None, lambda ans, a, y: np.exp(sc.gammaln(a) + ans - sc.xlogy(a - 1, ans))),
    sc.gammainccinv: (None, lambda ans, a, y: -np.exp(sc.gammaln(a) + ans - sc.xlogy(a - 1, ans))),
    sc.betaincinv: (None, None, lambda ans, a, b, y: 1 / _beta_density(a, b, ans)),
    sc.betainccinv: (None, None, lambda ans, a, b, y: -1 / _beta_density(a, b, ans)),
    scu._beta_ppf: (lambda ans, p, a, b: 1 / _beta_density(a, b, ans), None, None),
    sc.chdtri: (None, lambda ans, v, p: -1 / _chi2_pdf(v, ans)),
    scu._cauchy_ppf: (
        lambda ans, p, loc, s: np.pi * s * (1 + ((ans - loc) / s) ** 2),
        lambda ans, p, loc, s: 1.0 + 0 * ans,
        lambda ans, p, loc, s: (ans - loc) / s,
    ),
    scu._cauchy_isf: (
        lambda ans, p, loc, s: -np.pi * s * (1 + ((ans - loc) / s) ** 2),
        lambda ans, p, loc, s: 1.0 + 0 * ans,
        lambda ans, p, loc, s: (ans - loc) / s,
    ),
    # more functions of one or two variables
    sc.binom: (
        lambda ans, n, k: ans * (sc.digamma(n + 1) - sc.digamma(n - k + 1)),
        lambda ans, n, k: ans * (sc.digamma(n - k + 1) - sc.digamma(k + 1)),
    ),
    sc.hyp2f1: (
        None,
        None,
        None,
        lambda ans, a, b, c, z: a * b / c * sc.hyp2f1(a + 1, b + 1, c + 1, z),
    ),
    sc.hyp1f1: (None, None, lambda ans, a, b, x: a / b * sc.hyp1f1(a + 1, b + 1, x)),
    sc.huber: (None, lambda ans, d, r: np.where(np.abs(r) <= d, r, d * np.sign(r))),
    sc.pseudo_huber: (
        lambda ans, d, r: 2 * ans / d - r**2 / (d * np.sqrt(1 + (r / d) ** 2)),
        lambda ans, d, r: r / np.sqrt(1 + (r / d) ** 2),
    ),
    sc.boxcox1p: (lambda ans, x, lmbda: (1 + x) ** (lmbda - 1), None),
    sc.inv_boxcox: (lambda ans, y, lmbda: (1 + lmbda * y) ** (1 / lmbda - 1), None),
    sc.inv_boxcox1p: (lambda ans, y, lmbda: (1 + lmbda * y) ** (1 / lmbda - 1), None),
    sc.ndtri_exp: (lambda ans, y: np.sqrt(2 * np.pi) * np.exp(y + ans**2 / 2),),
    sc.yn: (None, lambda ans, n, x: 0.5 * (sc.yn(n - 1, x) - sc.yn(n + 1, x))),
    sc.gammasgn: (lambda ans, x: 0.0 * x,),
}


register_table(SPECIAL_MORE)


# ------------------------------------------------------------------ Python functions
def _polygamma(n: Any, x: Any) -> Any:
    """``scipy.special.polygamma`` of a traced ``x`` (the order ``n`` is an integer)."""
    if type(n) is Tracer:
        raise no_rule("scipy.special.polygamma", "the order n (an integer)")
    return POLYGAMMA(x, n=np.asarray(n))


def _multigammaln(a: Any, d: Any) -> Any:
    """``scipy.special.multigammaln`` of a traced ``a``: sum of gammaln(a - j/2), j < d."""
    if type(d) is Tracer:
        raise no_rule("scipy.special.multigammaln", "the dimension d (an integer)")
    sc.multigammaln(raw(a), d)  # SciPy's own checks of a and d (errors as SciPy raises them)
    d = int(np.asarray(d)[()])
    j = np.arange(d, dtype=float) / 2.0
    terms = sc.gammaln(np.expand_dims(a, -1) - j)
    return (d * (d - 1) * 0.25) * np.log(np.pi) + np.sum(terms, axis=-1)


def _zeta(x: Any, q: Any = None, out: Any = None) -> Any:
    """``scipy.special.zeta``: Riemann (no rule in x) or Hurwitz in q:
    d/dq zeta(x, q) = -x zeta(x + 1, q)."""
    if type(x) is Tracer or out is not None:
        raise no_rule("scipy.special.zeta", "x (or out=)")
    if q is None:
        return sc.zeta(x)
    return _HURWITZ(q, x)


# Hurwitz zeta as a function of q (elementwise; x carries no rule)
_HURWITZ = ew_primitive(
    "zeta", lambda q, x: sc.zeta(x, q), (lambda ans, q, x: -x * sc.zeta(x + 1, q), 0)
)
_HURWITZ.jvps.pop(1)
_HURWITZ.vjps.pop(1)

hook(sc.polygamma, "scipy.special.polygamma", _polygamma)
hook(sc.zeta, "scipy.special.zeta", _zeta)
hook(sc.multigammaln, "scipy.special.multigammaln", _multigammaln)
