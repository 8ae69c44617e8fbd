"""Every derivative rule checked by check_grads, both modes, to second order.

The spec tables mirror the rule tables of dfdx.ad: one row per function with
its input domain, whether complex inputs are defined, and a tolerance scale.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sc

from dfdx.ad import supported_functions
from dfdx.testing import check_grads

# ufunc, (low, high) domain, complex defined
UNARY = [
    (np.sin, (-2, 2), True),
    (np.cos, (-2, 2), True),
    (np.tan, (-1, 1), True),
    (np.arcsin, (-0.8, 0.8), False),
    (np.arccos, (-0.8, 0.8), False),
    (np.arctan, (-2, 2), True),
    (np.sinh, (-2, 2), True),
    (np.cosh, (-2, 2), True),
    (np.tanh, (-2, 2), True),
    (np.arcsinh, (-2, 2), False),
    (np.arccosh, (1.2, 3), False),
    (np.arctanh, (-0.8, 0.8), False),
    (np.exp, (-2, 2), True),
    (np.exp2, (-2, 2), True),
    (np.expm1, (-2, 2), True),
    (np.log, (0.5, 3), True),
    (np.log2, (0.5, 3), True),
    (np.log10, (0.5, 3), True),
    (np.log1p, (0, 2), True),
    (np.sqrt, (0.5, 3), True),
    (np.cbrt, (0.5, 3), False),
    (np.square, (-2, 2), True),
    (np.reciprocal, (0.5, 3), True),
    (np.negative, (-2, 2), True),
    (np.positive, (-2, 2), True),
    (np.deg2rad, (-2, 2), False),
    (np.rad2deg, (-2, 2), False),
    (np.radians, (-2, 2), False),
    (np.degrees, (-2, 2), False),
    (np.absolute, (0.5, 2), True),
    (np.fabs, (0.5, 2), False),
    (np.conjugate, (-2, 2), True),
    (np.floor, (0.1, 0.9), False),
    (np.ceil, (0.1, 0.9), False),
    (np.trunc, (0.1, 0.9), False),
    (np.rint, (0.1, 0.4), False),
    (np.sign, (0.1, 0.9), False),
    (np.sinc, (-2, 2), False),
    (np.fix, (0.1, 0.9), False),
    (sc.gammaln, (0.5, 3), False),
    (sc.gamma, (0.5, 3), False),
    (sc.rgamma, (0.5, 3), False),
    (sc.loggamma, (0.5, 3), False),
    (sc.digamma, (0.5, 3), False),
    (sc.erf, (-2, 2), False),
    (sc.erfc, (-2, 2), False),
    (sc.erfi, (-1, 1), False),
    (sc.erfcx, (-1, 2), False),
    (sc.erfinv, (-0.8, 0.8), False),
    (sc.erfcinv, (0.2, 1.8), False),
    (sc.dawsn, (-2, 2), False),
    (sc.wofz, (0.2, 1), True),
    (sc.expit, (-3, 3), False),
    (sc.logit, (0.2, 0.8), False),
    (sc.log_expit, (-3, 3), False),
    (sc.entr, (0.2, 2), False),
    (sc.ndtr, (-2, 2), False),
    (sc.log_ndtr, (-2, 2), False),
    (sc.ndtri, (0.2, 0.8), False),
    (sc.i0, (-2, 2), False),
    (sc.i1, (-2, 2), False),
    (sc.i0e, (0.3, 2), False),
    (sc.i1e, (0.3, 2), False),
    (sc.j0, (0.5, 3), False),
    (sc.j1, (0.5, 3), False),
    (sc.y0, (0.5, 3), False),
    (sc.y1, (0.5, 3), False),
    (sc.k0, (0.5, 3), False),
    (sc.k1, (0.5, 3), False),
    (sc.k0e, (0.5, 3), False),
    (sc.k1e, (0.5, 3), False),
    (sc.exp1, (0.5, 3), False),
    (sc.expi, (0.5, 3), False),
    (sc.spence, (0.5, 3), False),
    (sc.ellipk, (0.1, 0.8), False),
    (sc.ellipe, (0.1, 0.8), False),
    (sc.exp10, (-1, 1), False),
    (sc.exp2, (-1, 1), False),
    (sc.expm1, (-1, 1), False),
    (sc.log1p, (0, 2), False),
    (sc.cbrt, (0.5, 3), False),
    (sc.cosm1, (-2, 2), False),
    (sc.cosdg, (-60, 60), False),
    (sc.sindg, (-60, 60), False),
    (sc.tandg, (-60, 60), False),
    (sc.cotdg, (20, 70), False),
]

# ufunc, domain of x, domain of y, complex defined
BINARY = [
    (np.add, (-2, 2), (-2, 2), True),
    (np.subtract, (-2, 2), (-2, 2), True),
    (np.multiply, (-2, 2), (-2, 2), True),
    (np.divide, (-2, 2), (0.5, 2), True),
    (np.power, (0.5, 2), (-2, 2), True),
    (np.float_power, (0.5, 2), (-2, 2), False),
    (np.arctan2, (0.5, 2), (0.5, 2), False),
    (np.hypot, (0.5, 2), (0.5, 2), False),
    (np.logaddexp, (-2, 2), (-2, 2), False),
    (np.logaddexp2, (-2, 2), (-2, 2), False),
    (np.maximum, (0, 1), (2, 3), False),
    (np.minimum, (0, 1), (2, 3), False),
    (np.fmax, (2, 3), (0, 1), False),
    (np.fmin, (2, 3), (0, 1), False),
    (np.fmod, (2.1, 2.9), (1.1, 1.4), False),
    (np.remainder, (2.1, 2.9), (1.1, 1.4), False),
    (np.copysign, (0.5, 2), (-2, -0.5), False),
    (np.floor_divide, (2.1, 2.9), (1.1, 1.4), False),
    (np.heaviside, (0.5, 2), (0.2, 0.8), False),
    (sc.xlogy, (0.5, 2), (0.5, 2), False),
    (sc.xlog1py, (0.5, 2), (0.5, 2), False),
    (sc.rel_entr, (0.5, 2), (0.5, 2), False),
    (sc.kl_div, (0.5, 2), (0.5, 2), False),
    (sc.beta, (0.5, 2), (0.5, 2), False),
    (sc.betaln, (0.5, 2), (0.5, 2), False),
    (sc.poch, (0.5, 2), (0.5, 2), False),
    (sc.powm1, (0.5, 2), (0.5, 2), False),
    (sc.owens_t, (0.5, 2), (0.5, 2), False),
]

# (ufunc, integer/parameter first argument, domain of x): only x is differentiated
PARAM_FIRST = [
    (sc.jv, 1.5, (0.5, 3)),
    (sc.yv, 1.5, (0.5, 3)),
    (sc.iv, 1.5, (0.5, 3)),
    (sc.kv, 1.5, (0.5, 3)),
    (sc.ive, 1.5, (0.5, 3)),
    (sc.kve, 1.5, (0.5, 3)),
    (sc.gammainc, 2.5, (0.5, 3)),
    (sc.gammaincc, 2.5, (0.5, 3)),
    (sc.expn, 2, (0.5, 3)),
]


def _draw(domain: tuple[float, float], shape: tuple[int, ...], dtype: type, seed: int = 0):
    rng = np.random.default_rng(seed)
    lo, hi = domain
    return (lo + (hi - lo) * rng.random(shape)).astype(dtype)


def _ident(f):
    return getattr(f, "__name__", repr(f))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("f", "domain", "cplx"), UNARY, ids=[_ident(r[0]) for r in UNARY])
def test_unary(f, domain, cplx, dtype):
    check_grads(f, (_draw(domain, (2, 3), dtype),))
    check_grads(f, (dtype(_draw(domain, (), np.float64)),), modes=("reverse",))


@pytest.mark.parametrize(("f", "domain", "cplx"), [r for r in UNARY if r[2]], ids=_ident)
def test_unary_complex(f, domain, cplx):
    z = _draw(domain, (3,), np.float64) + 0.3j * _draw((0.2, 1.0), (3,), np.float64, 1)
    check_grads(f, (z,))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("f", "dx", "dy", "cplx"), BINARY, ids=[_ident(r[0]) for r in BINARY])
def test_binary_broadcasting(f, dx, dy, cplx, dtype):
    # matrix with vector, vector with scalar: both broadcast directions
    check_grads(f, (_draw(dx, (2, 3), dtype), _draw(dy, (3,), dtype, 1)))
    check_grads(f, (_draw(dx, (3,), dtype), dtype(_draw(dy, (), np.float64, 2))))


@pytest.mark.parametrize(("f", "dx", "dy", "cplx"), [r for r in BINARY if r[3]], ids=_ident)
def test_binary_complex(f, dx, dy, cplx):
    x = _draw(dx, (3,), np.float64) + 0.2j
    y = _draw(dy, (3,), np.float64, 1) - 0.1j
    check_grads(f, (x, y))


@pytest.mark.parametrize(("f", "p", "domain"), PARAM_FIRST, ids=[_ident(r[0]) for r in PARAM_FIRST])
def test_parameter_first(f, p, domain):
    check_grads(lambda x: f(p, x), (_draw(domain, (2, 3), np.float64),))


def test_multiple_output_ufuncs():
    x = np.array([1.3, -2.7, 0.4])
    check_grads(lambda x: np.modf(x)[0] * np.modf(x)[1], (x,))
    check_grads(lambda x: np.divmod(x, 0.7)[1] + np.divmod(x, 0.7)[0], (x,))
    check_grads(lambda x: np.frexp(x)[0] ** 2, (x,))


@pytest.mark.skipif(not hasattr(np, "matvec"), reason="np.matvec/np.vecmat need NumPy >= 2.2")
def test_matvec_vecmat():
    a = _draw((-1, 1), (2, 3), np.float64)
    v = _draw((-1, 1), (3,), np.float64, 1)
    w = _draw((-1, 1), (2,), np.float64, 2)
    check_grads(np.matvec, (a, v))
    check_grads(np.vecmat, (w, a))


def test_ldexp():
    n = np.array([1, -2, 3])
    check_grads(lambda x: np.ldexp(x, n), (_draw((-1, 1), (3,), np.float64),))


def test_rule_count():
    names = supported_functions()
    assert len(names) >= 150
    for must in ("numpy.linalg.eigh", "numpy.einsum", "scipy.special.gammaln", "numpy.pad"):
        assert must in names
