"""scipy.stats distributions under dfdx.ad: one table row per (distribution, method).

Every row: the traced value equals SciPy's, forward equals reverse mode to a
few ulp, and both equal an mpmath reference (the same density written with
mpmath, differentiated at 40 digits) at 1e-13.  Module calls and frozen
distributions give the same Jacobians.
"""

from __future__ import annotations

import inspect

import mpmath as mp
import numpy as np
import pytest
import scipy.stats as st

from _ad_reference import check_row, mp_jac
from dfdx import ad
from dfdx.ad import TracingError

X = np.array([0.4, 1.3, 2.6])
XB = np.array([0.2, 0.45, 0.7])  # inside (loc, loc + scale) for beta
LOC, SCALE = 0.05, 1.1


def _t_cdf(z, df):
    tail = mp.betainc(df / 2, mp.mpf(1) / 2, 0, df / (df + z**2), regularized=True) / 2
    return 1 - tail if z > 0 else tail


def _laplace_cdf(z):
    return 1 - mp.exp(-z) / 2 if z > 0 else mp.exp(z) / 2


# name: (shape values, shapes differentiable in the cdf family, mp logpdf(z, *shapes),
#        mp cdf(z, *shapes))
CONT = {
    "norm": ((), True, lambda z: -(z**2) / 2 - mp.log(mp.sqrt(2 * mp.pi)), mp.ncdf),
    "t": (
        (3.5,),
        False,
        lambda z, df: (
            mp.loggamma((df + 1) / 2)
            - mp.loggamma(df / 2)
            - mp.log(df * mp.pi) / 2
            - (df + 1) / 2 * mp.log(1 + z**2 / df)
        ),
        _t_cdf,
    ),
    "gamma": (
        (2.5,),
        False,
        lambda z, a: (a - 1) * mp.log(z) - z - mp.loggamma(a),
        lambda z, a: mp.gammainc(a, 0, z, regularized=True),
    ),
    "beta": (
        (2.5, 1.5),
        False,
        lambda z, a, b: (a - 1) * mp.log(z) + (b - 1) * mp.log(1 - z) - mp.log(mp.beta(a, b)),
        lambda z, a, b: mp.betainc(a, b, 0, z, regularized=True),
    ),
    "expon": ((), True, lambda z: -z, lambda z: -mp.expm1(-z)),
    "lognorm": (
        (0.7,),
        True,
        lambda z, s: -(mp.log(z) ** 2) / (2 * s**2) - mp.log(s * z * mp.sqrt(2 * mp.pi)),
        lambda z, s: mp.ncdf(mp.log(z) / s),
    ),
    "chi2": (
        (3.0,),
        False,
        lambda z, df: (df / 2 - 1) * mp.log(z) - z / 2 - mp.loggamma(df / 2) - df / 2 * mp.log(2),
        lambda z, df: mp.gammainc(df / 2, 0, z / 2, regularized=True),
    ),
    "cauchy": (
        (),
        True,
        lambda z: -mp.log(mp.pi) - mp.log(1 + z**2),
        lambda z: mp.atan(z) / mp.pi + 0.5,
    ),
    "laplace": ((), True, lambda z: -abs(z) - mp.log(2), _laplace_cdf),
    "logistic": (
        (),
        True,
        lambda z: -z - 2 * mp.log(1 + mp.exp(-z)),
        lambda z: 1 / (1 + mp.exp(-z)),
    ),
}
METHODS = ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf")


def _mp_method(method, logpdf, cdf):
    def value(x, loc, scale, shapes):
        z = (x - loc) / scale
        if method in ("logpdf", "pdf"):
            v = logpdf(z, *shapes) - mp.log(scale)
            return v if method == "logpdf" else mp.exp(v)
        c = cdf(z, *shapes)
        return {"cdf": c, "logcdf": mp.log(c), "sf": 1 - c, "logsf": mp.log(1 - c)}[method]

    return value


def _cont_rows():
    for name, (_, cdf_shapes, _, _) in CONT.items():
        for method in METHODS:
            with_shapes = method in ("logpdf", "pdf") or cdf_shapes
            yield pytest.param(name, method, with_shapes, id=f"{name}.{method}")


def _split(p, shapes, with_shapes):
    return (p[2:], p[0], p[1]) if with_shapes else (shapes, p[0], p[1])


@pytest.mark.parametrize(("name", "method", "with_shapes"), list(_cont_rows()))
def test_continuous(name, method, with_shapes):
    shapes, _, logpdf, cdf = CONT[name]
    dist = getattr(st, name)
    x = XB if name == "beta" else X
    p = np.array([LOC, SCALE, *(shapes if with_shapes else ())])

    def module(q):
        sh, loc, scale = _split(q, shapes, with_shapes)
        return getattr(dist, method)(x, *sh, loc=loc, scale=scale)

    def frozen(q):
        sh, loc, scale = _split(q, shapes, with_shapes)
        return getattr(dist(*sh, loc=loc, scale=scale), method)(x)

    value = _mp_method(method, logpdf, cdf)

    def fmp(q):
        sh, loc, scale = _split(q, shapes, with_shapes)
        return [value(mp.mpf(float(xi)), loc, scale, sh) for xi in x]

    ref = mp_jac(fmp, p)
    jm = check_row(module, p, ref)
    jf = check_row(frozen, p, ref)
    np.testing.assert_array_equal(jm, jf)


@pytest.mark.parametrize("name", list(CONT))
def test_continuous_traced_data(name):
    shapes, _, logpdf, cdf = CONT[name]
    dist = getattr(st, name)
    x = XB if name == "beta" else X
    value = _mp_method("logpdf", logpdf, cdf)
    ref = mp_jac(lambda q: [value(xi, LOC, SCALE, [mp.mpf(s) for s in shapes]) for xi in q], x)
    check_row(lambda q: dist.logpdf(q, *shapes, loc=LOC, scale=SCALE), x, ref)


K = np.array([0.0, 2.0, 5.0])


def _poisson(k, mu):
    return k * mp.log(mu) - mp.loggamma(k + 1) - mu


def _binom(k, n, p):
    lc = mp.loggamma(n + 1) - mp.loggamma(k + 1) - mp.loggamma(n - k + 1)
    return lc + k * mp.log(p) + (n - k) * mp.log(1 - p)


def _nbinom(k, n, p):
    lc = mp.loggamma(n + k) - mp.loggamma(k + 1) - mp.loggamma(n)
    return lc + n * mp.log(p) + k * mp.log(1 - p)


# name: (shape values, positions differentiated in logpmf/pmf, in the cdf family, mp logpmf)
DISC = {
    "poisson": ((2.5,), (0,), (0,), _poisson),
    "binom": ((10, 0.3), (1,), (1,), _binom),
    "nbinom": ((3.5, 0.4), (0, 1), (1,), _nbinom),
}
DMETHODS = ("logpmf", "pmf", "cdf", "logcdf", "sf", "logsf")


def _disc_value(method, logpmf, k, shapes):
    if method in ("logpmf", "pmf"):
        v = logpmf(k, *shapes)
        return v if method == "logpmf" else mp.exp(v)
    c = mp.fsum(mp.exp(logpmf(j, *shapes)) for j in range(int(k) + 1))
    return {"cdf": c, "logcdf": mp.log(c), "sf": 1 - c, "logsf": mp.log(1 - c)}[method]


@pytest.mark.parametrize(
    ("name", "method"), [pytest.param(n, m, id=f"{n}.{m}") for n in DISC for m in DMETHODS]
)
def test_discrete(name, method):
    shapes, pmf_pos, cdf_pos, logpmf = DISC[name]
    pos = pmf_pos if method in ("logpmf", "pmf") else cdf_pos
    dist = getattr(st, name)

    def full(q):
        s = list(shapes)
        for j, i in enumerate(pos):
            s[i] = q[j]
        return s

    p = np.array([shapes[i] for i in pos], dtype=float)
    ref = mp_jac(lambda q: [_disc_value(method, logpmf, k, full(q)) for k in K], p)
    jm = check_row(lambda q: getattr(dist, method)(K, *full(q)), p, ref)
    jf = check_row(lambda q: getattr(dist(*full(q)), method)(K), p, ref)
    np.testing.assert_array_equal(jm, jf)


RNG = np.random.default_rng(7)
_A = RNG.normal(size=(3, 3))
COV = _A @ _A.T + 2 * np.eye(3)
MEAN = RNG.normal(size=3)
XS = RNG.normal(size=(4, 3))


def _mvn_mp(x, mean, cov):
    d = mp.matrix([x[i] - mean[i] for i in range(3)])
    c = mp.matrix(3, 3)
    for i in range(3):
        for j in range(3):
            c[i, j] = cov[max(i, j)][min(i, j)]  # SciPy reads the lower triangle
    return -(3 * mp.log(2 * mp.pi) + mp.log(mp.det(c)) + (d.T * mp.inverse(c) * d)[0]) / 2


def _cov_rows(q):
    return [[q[3 * i + j] for j in range(3)] for i in range(3)]


MVN_ROWS = {
    "mean": (
        MEAN,
        lambda q: st.multivariate_normal.logpdf(XS, q, COV),
        lambda q: [_mvn_mp(x, q, _cov_rows(COV.ravel())) for x in XS],
    ),
    "cov": (
        COV.ravel(),
        lambda q: st.multivariate_normal.logpdf(XS, MEAN, np.reshape(q, (3, 3))),
        lambda q: [_mvn_mp(x, MEAN, _cov_rows(q)) for x in XS],
    ),
    "x frozen": (
        XS[1],
        lambda q: st.multivariate_normal(MEAN, COV).logpdf(q),
        lambda q: [_mvn_mp(q, MEAN, _cov_rows(COV.ravel()))],
    ),
    "mean frozen pdf": (
        MEAN,
        lambda q: st.multivariate_normal(q, COV).pdf(XS),
        lambda q: [mp.exp(_mvn_mp(x, q, _cov_rows(COV.ravel()))) for x in XS],
    ),
}


@pytest.mark.parametrize("row", list(MVN_ROWS))
def test_multivariate_normal(row):
    p, f, fmp = MVN_ROWS[row]
    check_row(f, p, mp_jac(fmp, p))


ALPHA = np.array([1.5, 2.0, 3.0])
XD = np.array([0.2, 0.3, 0.5])


def _dir_mp(x, a):
    return (
        mp.loggamma(mp.fsum(a))
        - mp.fsum(mp.loggamma(v) for v in a)
        + mp.fsum((ai - 1) * mp.log(xi) for ai, xi in zip(a, x, strict=True))
    )


@pytest.mark.parametrize(
    ("p", "f", "fmp"),
    [
        (ALPHA, lambda q: st.dirichlet.logpdf(XD, q), lambda q: [_dir_mp(XD, q)]),
        (ALPHA, lambda q: st.dirichlet(q).pdf(XD), lambda q: [mp.exp(_dir_mp(XD, q))]),
        (
            XD[:2],
            lambda q: st.dirichlet(ALPHA).logpdf(q),
            lambda q: [_dir_mp([q[0], q[1], 1 - q[0] - q[1]], ALPHA)],
        ),
    ],
    ids=["alpha", "alpha frozen pdf", "x completed"],
)
def test_dirichlet(p, f, fmp):
    check_row(f, p, mp_jac(fmp, p))


@pytest.mark.filterwarnings(
    "ignore:divide by zero:RuntimeWarning", "ignore:invalid value:RuntimeWarning"
)
def test_outside_support_and_invalid_parameters_match_scipy():
    x = np.array([-1.0, 0.5, 2.0])
    for method in METHODS:

        def f(s, method=method):
            return getattr(st.gamma, method)(x, 2.5, scale=s)

        out, tangent = ad.jvp(f, (2.5,), (1.0,))
        np.testing.assert_allclose(out, f(2.5), rtol=1e-13)
        assert np.all(np.isfinite(tangent))
        g = ad.grad(lambda a, f=f: np.sum(np.where(np.isfinite(f(a)), f(a), 0.0)))(2.5)
        assert np.isfinite(g)
    # the boundary x = 0 (density 0 for a > 1) and an invalid scale (nan): SciPy's values
    for method in METHODS:
        out = ad.jvp(lambda s, m=method: getattr(st.gamma, m)(0.0, 2.5, scale=s), (2.5,), (1.0,))[0]
        assert out == getattr(st.gamma, method)(0.0, 2.5, scale=2.5)
    out = ad.jvp(lambda s: st.norm.logpdf(x, 0.0, s), (-1.0,), (1.0,))[0]
    np.testing.assert_array_equal(out, st.norm.logpdf(x, 0.0, -1.0))


class _CustomGen(st.rv_continuous):
    def _pdf(self, x):
        return np.exp(-x)


def _Custom():
    return _CustomGen(a=0.0, name="custom")


@pytest.mark.parametrize(
    ("f", "match"),
    [
        (lambda a: st.gamma.cdf(1.0, a), r"scipy\.stats\.gamma\.cdf: .* the shape a has no rule"),
        (lambda d: st.t(d).sf(1.0), r"scipy\.stats\.t\.sf: .* the shape df has no rule"),
        (lambda k: st.poisson.logpmf(k, 2.0), r"scipy\.stats\.poisson\.logpmf: .* quantile k"),
        (lambda n: st.binom.pmf(3, n, 0.3), r"scipy\.stats\.binom\.pmf: .* the shape n"),
        (lambda n: st.nbinom.cdf(3, n, 0.3), r"scipy\.stats\.nbinom\.cdf: .* the shape n"),
        (
            lambda c: st.weibull_min.cdf(1.0, c),
            r"scipy\.stats\.weibull_min\.cdf has no derivative rule",
        ),
        (
            lambda s: _Custom().logpdf(1.0, scale=s),
            r"scipy\.stats\.custom\.logpdf has no derivative",
        ),
        (
            lambda s: st.kstwo.logpdf(0.5, 3, scale=s),
            r"scipy\.stats\.kstwo\.logpdf has no derivative",
        ),
    ],
)
def test_no_rule_is_loud(f, match):
    with pytest.raises(TracingError, match=match):
        ad.grad(f)(3.0)


def test_hooks_keep_scipy_unchanged():
    assert str(inspect.signature(st.rv_continuous.logpdf)) == "(self, x, *args, **kwds)"
    x = np.linspace(-2, 3, 7)
    np.testing.assert_array_equal(st.norm.logpdf(x, 0.5, 2.0), st.norm(0.5, 2.0).logpdf(x))
    assert st.norm.logpdf(0.0) == -0.5 * np.log(2 * np.pi)


Q = np.array([0.2, 0.5, 0.9])


@pytest.mark.parametrize(
    ("name", "method"), [pytest.param(n, m, id=f"{n}.{m}") for n in CONT for m in ("ppf", "isf")]
)
def test_quantiles(name, method):
    shapes = CONT[name][0]
    dist = getattr(st, name)
    p = np.array([1.0, LOC, SCALE])

    def f(q):
        return getattr(dist, method)(Q * q[0], *shapes, loc=q[1], scale=q[2])

    # reference: the inverse function rule with SciPy's own density
    x = f(p)
    sign = 1.0 if method == "ppf" else -1.0
    dq = sign * Q / dist.pdf(x, *shapes, loc=LOC, scale=SCALE)
    ref = np.stack([dq, np.ones(3), (x - LOC) / SCALE], axis=-1)
    check_row(f, p, ref)
    q = np.array([0.0, 0.3, 1.0])
    out = ad.jvp(lambda s: getattr(dist, method)(q, *shapes, loc=LOC, scale=s), (SCALE,), (1.0,))
    np.testing.assert_array_equal(out[0], getattr(dist, method)(q, *shapes, loc=LOC, scale=SCALE))


def test_multivariate_normal_singular_plain_covariance_and_entropy():
    cov = np.diag([1.0, 2.0, 0.0])
    mean = np.array([0.3, -0.2, 0.0])
    x = np.array([[0.5, 0.1, 0.0], [1.0, -1.0, 0.0], [0.0, 0.0, 1.0]])

    def f(m):
        return st.multivariate_normal.logpdf(x, m, cov, allow_singular=True)

    out = ad.jvp(f, (mean,), (np.ones(3),))[0]
    np.testing.assert_array_equal(out, f(mean))  # -inf off the support, as SciPy
    jac = ad.jacobian(f)(mean)
    ref = (x[:2] - mean) / np.array([1.0, 2.0, np.inf])
    np.testing.assert_allclose(jac[:2], ref, rtol=1e-15)
    with pytest.raises(TracingError, match="singular covariance"):
        ad.grad(lambda c: st.multivariate_normal.logpdf(x[0], mean, c, allow_singular=True))(cov)
    ent = lambda c: st.multivariate_normal.entropy(cov=c)  # noqa: E731
    check_row(ent, COV, np.tril(2 * np.linalg.inv(COV) - np.diag(np.diag(np.linalg.inv(COV)))) / 2)


# other SciPy distributions: logpdf/pdf through SciPy's private formulas; fwd = rev, value =
# SciPy's, and a central difference (h = 1e-5, so only to 1e-7) as a sanity check
GENERIC = {"weibull_min": (1.7,), "gumbel_r": (), "lomax": (2.5,), "invgauss": (0.6,)}


@pytest.mark.parametrize("name", list(GENERIC))
def test_other_continuous_logpdf(name):
    shapes = GENERIC[name]
    dist = getattr(st, name)
    x = dist.ppf([0.2, 0.5, 0.8], *shapes) * SCALE + LOC
    p = np.array([LOC, SCALE, *shapes])
    for method in ("logpdf", "pdf"):

        def f(q, method=method):
            return getattr(dist, method)(x, *q[2:], loc=q[0], scale=q[1])

        jac = check_row(f, p)
        h = 1e-5
        fd = np.stack([(f(p + h * e) - f(p - h * e)) / (2 * h) for e in np.eye(p.size)], -1)
        np.testing.assert_allclose(jac, fd, rtol=1e-7, atol=1e-9)
    # invalid shapes and points outside the support: SciPy's values, no nan in derivatives
    q = np.array([-1.0, *x])
    out, tan = ad.jvp(lambda s: dist.logpdf(q, *shapes, scale=s), (SCALE,), (1.0,))
    np.testing.assert_allclose(out, dist.logpdf(q, *shapes, scale=SCALE), rtol=1e-14)
    assert not np.any(np.isnan(tan))


def test_laplace_cdf_at_its_centre():
    # the two branches of SciPy's formula meet at x = loc: the derivative is the density there
    for method, sign in (("cdf", 1.0), ("sf", -1.0)):
        assert ad.grad(lambda x, m=method: getattr(st.laplace, m)(x, 0.3, 2.0))(0.3) == sign * 0.25


def test_lists_of_traced_parameters():
    # lists holding traced values are stacked exactly, as NumPy would build the array
    g = ad.grad(lambda m: np.sum(st.norm.logpdf([1.0, 2.0], [m, 2 * m], 1.0)))(0.5)
    assert g == (1.0 - 0.5) + 2 * (2.0 - 1.0)
    g = ad.grad(lambda m: np.sum(st.poisson.logpmf([1, 2], [m, 2 * m])))(0.5)
    assert g == 1 / 0.5 - 1 + 2 / 0.5 - 2
    g = ad.grad(lambda m: st.multivariate_normal.logpdf([m, 1.0], [0.0, m], np.eye(2)))(0.25)
    assert g == 1 - 2 * 0.25
