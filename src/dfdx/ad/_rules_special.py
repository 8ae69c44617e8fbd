"""Rule table: ``scipy.special`` ufuncs (reached through ``__array_ufunc__``).

Same format as the elementwise table: derivative wrt each positional
argument as ``f(ans, *args)``; None marks an argument (an order or a
parameter) that cannot be differentiated - tracing through it raises
:class:`~dfdx.ad.TracingError`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.special as sc

from dfdx.ad._primitive import UFUNCS, Primitive
from dfdx.ad._rules_elementwise import ew_primitive

__all__ = ["POLYGAMMA", "SPECIAL", "register_table"]

_SQPI = np.sqrt(np.pi)
_SQ2PI = np.sqrt(2 * np.pi)
_DEG = np.pi / 180

# polygamma is a Python function in SciPy; this primitive makes digamma differentiable to any order
POLYGAMMA = Primitive("polygamma", lambda x, n: sc.polygamma(n, x))
POLYGAMMA.rules(
    0,
    lambda t, ans, x, n: t * POLYGAMMA(x, n=n + 1),
    lambda g, ans, x, n: g * POLYGAMMA(x, n=n + 1),
)


def _safe_div(a: Any, x: Any, at0: float) -> Any:
    """a / x with the limit ``at0`` where x == 0."""
    zero = x == 0
    return np.where(zero, at0, a / np.where(zero, 1.0, x))


# ufunc: derivative wrt each positional argument, as f(ans, *args)
SPECIAL: dict[Any, tuple[Any, ...]] = {
    sc.gammaln: (lambda ans, x: sc.digamma(x),),
    sc.gamma: (lambda ans, x: ans * sc.digamma(x),),
    sc.rgamma: (lambda ans, x: -ans * sc.digamma(x),),
    sc.loggamma: (lambda ans, x: sc.digamma(x),),
    sc.digamma: (lambda ans, x: POLYGAMMA(x, n=1),),
    sc.erf: (lambda ans, x: 2 / _SQPI * np.exp(-(x**2)),),
    sc.erfc: (lambda ans, x: -2 / _SQPI * np.exp(-(x**2)),),
    sc.erfi: (lambda ans, x: 2 / _SQPI * np.exp(x**2),),
    sc.erfcx: (lambda ans, x: 2 * x * ans - 2 / _SQPI,),
    sc.erfinv: (lambda ans, x: _SQPI / 2 * np.exp(ans**2),),
    sc.erfcinv: (lambda ans, x: -_SQPI / 2 * np.exp(ans**2),),
    sc.dawsn: (lambda ans, x: 1 - 2 * x * ans,),
    sc.wofz: (lambda ans, z: -2 * z * ans + 2j / _SQPI,),
    sc.expit: (lambda ans, x: ans * (1 - ans),),
    sc.logit: (lambda ans, x: 1 / (x * (1 - x)),),
    sc.log_expit: (lambda ans, x: sc.expit(-x),),
    sc.xlogy: (lambda ans, x, y: np.log(y), lambda ans, x, y: x / y),
    sc.xlog1py: (lambda ans, x, y: np.log1p(y), lambda ans, x, y: x / (1 + y)),
    sc.entr: (lambda ans, x: -(np.log(x) + 1),),
    sc.rel_entr: (lambda ans, x, y: np.log(x / y) + 1, lambda ans, x, y: -x / y),
    sc.kl_div: (lambda ans, x, y: np.log(x / y), lambda ans, x, y: 1 - x / y),
    sc.ndtr: (lambda ans, x: np.exp(-(x**2) / 2) / _SQ2PI,),
    sc.log_ndtr: (lambda ans, x: np.exp(-(x**2) / 2 - ans) / _SQ2PI,),
    sc.ndtri: (lambda ans, x: _SQ2PI * np.exp(ans**2 / 2),),
    sc.i0: (lambda ans, x: sc.i1(x),),
    sc.i1: (lambda ans, x: sc.i0(x) - _safe_div(sc.i1(x), x, 0.5),),
    sc.i0e: (lambda ans, x: sc.i1e(x) - np.sign(x) * ans,),
    sc.i1e: (lambda ans, x: sc.i0e(x) - _safe_div(ans, x, 0.5) - np.sign(x) * ans,),
    sc.j0: (lambda ans, x: -sc.j1(x),),
    sc.j1: (lambda ans, x: 0.5 * (sc.j0(x) - sc.jv(2, x)),),
    sc.y0: (lambda ans, x: -sc.y1(x),),
    sc.y1: (lambda ans, x: 0.5 * (sc.y0(x) - sc.yv(2, x)),),
    sc.k0: (lambda ans, x: -sc.k1(x),),
    sc.k1: (lambda ans, x: -0.5 * (sc.k0(x) + sc.kv(2, x)),),
    sc.k0e: (lambda ans, x: ans - sc.k1e(x),),
    sc.k1e: (lambda ans, x: ans - 0.5 * (sc.k0e(x) + sc.kve(2, x)),),
    sc.jv: (None, lambda ans, v, x: 0.5 * (sc.jv(v - 1, x) - sc.jv(v + 1, x))),
    sc.yv: (None, lambda ans, v, x: 0.5 * (sc.yv(v - 1, x) - sc.yv(v + 1, x))),
    sc.iv: (None, lambda ans, v, x: 0.5 * (sc.iv(v - 1, x) + sc.iv(v + 1, x))),
    sc.kv: (None, lambda ans, v, x: -0.5 * (sc.kv(v - 1, x) + sc.kv(v + 1, x))),
    sc.ive: (
        None,
        lambda ans, v, x: 0.5 * (sc.ive(v - 1, x) + sc.ive(v + 1, x)) - np.sign(x) * ans,
    ),
    sc.kve: (None, lambda ans, v, x: ans - 0.5 * (sc.kve(v - 1, x) + sc.kve(v + 1, x))),
    sc.beta: (
        lambda ans, a, b: ans * (sc.digamma(a) - sc.digamma(a + b)),
        lambda ans, a, b: ans * (sc.digamma(b) - sc.digamma(a + b)),
    ),
    sc.betaln: (
        lambda ans, a, b: sc.digamma(a) - sc.digamma(a + b),
        lambda ans, a, b: sc.digamma(b) - sc.digamma(a + b),
    ),
    sc.poch: (
        lambda ans, z, m: ans * (sc.digamma(z + m) - sc.digamma(z)),
        lambda ans, z, m: ans * sc.digamma(z + m),
    ),
    sc.gammainc: (None, lambda ans, a, x: np.exp((a - 1) * np.log(x) - x - sc.gammaln(a))),
    sc.gammaincc: (None, lambda ans, a, x: -np.exp((a - 1) * np.log(x) - x - sc.gammaln(a))),
    sc.expn: (None, lambda ans, n, x: -sc.expn(n - 1, x)),
    sc.exp1: (lambda ans, x: -np.exp(-x) / x,),
    sc.expi: (lambda ans, x: np.exp(x) / x,),
    sc.spence: (lambda ans, z: np.log(z) / (1 - z),),
    sc.ellipk: (lambda ans, m: (sc.ellipe(m) - (1 - m) * ans) / (2 * m * (1 - m)),),
    sc.ellipe: (lambda ans, m: (ans - sc.ellipk(m)) / (2 * m),),
    sc.exp10: (lambda ans, x: ans * np.log(10.0),),
    sc.exp2: (lambda ans, x: ans * np.log(2.0),),
    sc.expm1: (lambda ans, x: ans + 1,),
    sc.log1p: (lambda ans, x: 1 / (1 + x),),
    sc.cbrt: (lambda ans, x: 1 / (3 * ans**2),),
    sc.cosm1: (lambda ans, x: -np.sin(x),),
    sc.powm1: (lambda ans, x, y: y * x ** (y - 1), lambda ans, x, y: (ans + 1) * np.log(x)),
    sc.cosdg: (lambda ans, x: -_DEG * sc.sindg(x),),
    sc.sindg: (lambda ans, x: _DEG * sc.cosdg(x),),
    sc.tandg: (lambda ans, x: _DEG * (1 + ans**2),),
    sc.cotdg: (lambda ans, x: -_DEG * (1 + ans**2),),
    sc.boxcox: (lambda ans, x, lmbda: x ** (lmbda - 1), None),
    sc.owens_t: (
        lambda ans, h, a: -np.exp(-(h**2) / 2) / _SQ2PI * sc.erf(a * h / np.sqrt(2)) / 2,
        lambda ans, h, a: np.exp(-(h**2) * (1 + a**2) / 2) / (2 * np.pi * (1 + a**2)),
    ),
}


def register_table(table: dict) -> None:
    """One elementwise primitive per ufunc of ``table`` (``None``: no derivative there)."""
    for uf, derivs in table.items():
        prim = ew_primitive(uf.__name__, uf, tuple(d if d is not None else 0 for d in derivs))
        for i, d in enumerate(derivs):
            if d is None:
                prim.jvps.pop(i, None)
                prim.vjps.pop(i, None)
        UFUNCS[uf] = prim


register_table(SPECIAL)
