"""dfdx.numeric.derivative: accuracy, cost, robustness, contract and statuses."""

from __future__ import annotations

import concurrent.futures

import numpy as np
import pytest

from dfdx import DerivativeResult
from dfdx._core.result import Status
from dfdx.numeric import derivative, hessian

SMOOTH = [
    (np.exp, np.exp, np.linspace(-2, 2, 20)),
    (np.sin, np.cos, np.linspace(-3, 3, 20)),
    (np.log, lambda x: 1 / x, np.array([0.5, 2.0, 7.0])),
    (lambda x: 1 / (1 + x * x), lambda x: -2 * x / (1 + x * x) ** 2, np.linspace(-2, 2, 20)),
    (lambda x: x * x + 1, lambda x: 2 * x, np.array([5.0])),
    (
        lambda x: np.exp(-x * x) * np.cos(10 * x),
        lambda x: np.exp(-x * x) * (-2 * x * np.cos(10 * x) - 10 * np.sin(10 * x)),
        np.linspace(-1, 1, 20),
    ),
]


def _rel(res, true):
    return np.abs(res.df - true) / np.abs(true)


@pytest.mark.parametrize(("f", "fp", "x"), SMOOTH)
def test_smooth_first_derivative_accurate_and_cheap(f, fp, x):
    res = derivative(f, x)
    assert isinstance(res, DerivativeResult)
    assert res.success.all()
    err = np.abs(res.df - fp(x))
    assert np.all(err <= res.error)
    assert np.median(err / np.maximum(np.abs(fp(x)), 1e-300)) < 1e-13
    assert np.median(res.nfev) <= 14


def test_median_over_smooth_cases_meets_the_budget():
    rels, nfev = [], []
    for f, fp, x in SMOOTH:
        res = derivative(f, x)
        rels.append(_rel(res, fp(x)))
        nfev.append(res.nfev)
    assert np.median(np.concatenate(rels)) <= 1e-14
    assert np.median(np.concatenate(nfev)) <= 10


@pytest.mark.parametrize(
    ("f", "fp", "x", "tol"),
    [
        (np.log, lambda x: 1 / x, 1e10, 1e-12),  # absolute steps fail here
        (np.sin, np.cos, 1e8, 1e-12),  # relative steps fail here
        (lambda x: np.sin(1000 * x), lambda x: 1000 * np.cos(1000 * x), 0.1, 1e-12),
        (np.tan, lambda x: 1 / np.cos(x) ** 2, 1.5, 1e-10),
        (np.log, lambda x: 1 / x, 1e-3, 1e-8),
        (np.sqrt, lambda x: 0.5 / np.sqrt(x), 1e-4, 1e-8),
        (lambda x: x ** (1 / 3), lambda x: x ** (-2 / 3) / 3, 1e-3, 1e-8),
    ],
)
def test_scale_oscillation_and_domain_edge(f, fp, x, tol):
    res = derivative(f, x)
    assert bool(res.success)
    assert abs(res.df - fp(x)) <= tol * abs(fp(x))
    assert abs(res.df - fp(x)) <= res.error


def test_domain_edges_in_one_vectorised_call():
    calls = []

    def f(x):
        calls.append(x.shape)
        return np.where(x >= 0, np.sqrt(np.abs(x)), np.nan)

    x = np.array([1e-4, 1e-2, 1.0])
    res = derivative(f, x)
    assert np.all(_rel(res, 0.5 / np.sqrt(x)) < 1e-8)
    # every call holds all points still refining: the first levels at once
    # (8 nodes), then one level (2 nodes) or the centre node per call
    assert all(len(s) == 2 and s[1] in (1, 2, 8) for s in calls)
    assert calls[0] == (3, 8)
    assert len(calls) < 30


def test_one_sided_fallback_at_the_edge():
    f = lambda x: np.where(x >= 0, np.exp(x), np.nan)  # noqa: E731
    res = derivative(f, [0.0, 1.0])
    assert res.status.tolist() == [Status.ONE_SIDED, Status.SUCCESS]
    assert np.allclose(res.df, [1.0, np.e], rtol=1e-9)
    assert np.all(np.abs(res.df - [1.0, np.e]) <= res.error)
    strict = derivative(f, 0.0, method="central")
    assert not strict.success


@pytest.mark.parametrize(
    ("n", "tol"),
    [(2, 1e-11), (3, 1e-9), (4, 1e-7)],
)
def test_higher_derivatives(n, tol):
    x = np.linspace(0.2, 2.0, 15)
    sin_d = [np.sin, np.cos, lambda t: -np.sin(t), lambda t: -np.cos(t), np.sin]
    for f, true in ((np.exp, np.exp(x)), (np.sin, sin_d[n](x))):
        res = derivative(f, x, n=n)
        assert res.success.all()
        err = np.abs(res.df - true)
        assert np.median(err / np.abs(true)) <= tol
        assert np.median(res.nfev) <= 20
        assert np.all(err <= res.error)


def test_forward_and_backward_methods():
    for method in ("forward", "backward"):
        res = derivative(np.exp, [0.0, 1.0], method=method)
        assert res.success.all()
        assert np.allclose(res.df, np.exp([0.0, 1.0]), rtol=1e-10)
        assert res.method == method


def test_complex_step():
    res = derivative(np.exp, [0.0, 1.0, 5.0], method="complex")
    assert res.nfev.tolist() == [2, 2, 2]  # f(x + ih), and f(x) to check that f is real
    assert np.allclose(res.df, np.exp([0.0, 1.0, 5.0]), rtol=1e-15, atol=0)
    with pytest.raises(ValueError, match="f to return complex values"):
        derivative(lambda x: np.abs(x) * 1.0, 1.0, method="complex")


def test_float32_and_integer_inputs():
    x32 = np.linspace(0.1, 3, 7, dtype=np.float32)
    res = derivative(np.sin, x32)
    assert res.df.dtype == np.float32
    assert res.error.dtype == np.float32
    assert np.all(np.abs(res.df - np.cos(x32.astype(float))) < 1e-5)
    assert np.all(np.abs(res.df - np.cos(x32.astype(float))) <= res.error)
    assert np.median(res.nfev) < derivative(np.sin, x32.astype(float)).nfev.max()
    ri = derivative(lambda x: x**2, [1, 2, 3])
    assert ri.df.dtype == np.float64
    assert np.allclose(ri.df, [2, 4, 6], rtol=1e-13)


def test_complex_points_for_holomorphic_functions():
    z = np.array([1 + 1j, 0.5 - 2j])
    res = derivative(np.exp, z)
    assert np.iscomplexobj(res.df)
    assert np.allclose(res.df, np.exp(z), rtol=1e-12)
    with pytest.raises(TypeError, match="`x` must be real for this method"):
        derivative(np.exp, z, method="complex")


def test_complex_valued_function_of_real_variable():
    res = derivative(lambda x: np.exp(1j * x), [0.0, 1.0])
    assert np.allclose(res.df, 1j * np.exp(1j * np.array([0.0, 1.0])), rtol=1e-12)


@pytest.mark.parametrize("shape", [(), (12,), (3, 4)])
def test_vectorised_equals_loop(shape):
    x = np.linspace(0.3, 2.5, int(np.prod(shape))).reshape(shape)
    c = np.linspace(0.5, 1.5, int(np.prod(shape))).reshape(shape)
    f = lambda x, c: np.sin(c * x) + x**3  # noqa: E731
    res = derivative(f, x, args=(c,))
    assert res.df.shape == shape
    assert res.error.shape == res.status.shape == res.nfev.shape == shape
    for i in np.ndindex(shape):
        one = derivative(f, x[i], args=(c[i],))
        assert float(one.df) == pytest.approx(float(res.df[i]), rel=1e-13, abs=1e-13)
        assert int(one.nfev) == int(res.nfev[i])
        scalar = derivative(lambda t, c=c[i]: np.sin(c * t) + t**3, x[i], vectorized=False)
        assert float(scalar.df) == pytest.approx(float(res.df[i]), rel=1e-13, abs=1e-13)


def test_calling_contract_with_broadcast_args():
    seen = []

    def f(x, c, label, *, power):
        seen.append((x.shape, c.shape, label))
        return c * x**power

    x = np.array([1.0, 2.0, 3.0])
    res = derivative(f, x, args=(np.array([[1.0], [2.0]]), "tag"), kwargs={"power": 2})
    assert res.df.shape == (2, 3)
    assert np.allclose(res.df, [[2, 4, 6], [4, 8, 12]], rtol=1e-13)
    for xs, cs, label in seen:
        assert len(xs) == 2
        assert cs == (xs[0], 1)
        assert label == "tag"


def test_callers_array_untouched_and_never_passed():
    x = np.linspace(0.5, 1.5, 5)
    x.flags.writeable = False
    keep = x.copy()

    def mutating(t):
        assert t is not x
        assert not np.shares_memory(t, x)
        out = np.sin(t)
        t[...] = 1e300  # a hostile f
        return out

    res = derivative(mutating, x)
    assert np.array_equal(x, keep)
    assert np.allclose(res.df, np.cos(keep), rtol=1e-12)
    args = np.array([1.0, 2.0])
    derivative(lambda t, a: (a.__setitem__(Ellipsis, 0.0), t * a)[1], [1.0, 1.0], args=(args,))
    assert args.tolist() == [1.0, 2.0]


def test_every_status_in_one_call():
    def f(x, kind):
        if np.any(kind == 4):
            raise ValueError("cannot evaluate here")
        out = np.exp(x)
        out = np.where(kind == 1, np.where(x >= 0, np.exp(x), np.nan), out)
        out = np.where(kind == 2, np.sqrt(x), out)
        return np.where(kind == 3, np.nan, out)

    x = [1.0, 0.0, 0.0, 1.0, 1.0, np.nan]
    kind = np.array([0, 1, 2, 3, 4, 0])
    res = derivative(f, x, args=(kind,))
    assert res.status.tolist() == [
        Status.SUCCESS,
        Status.ONE_SIDED,
        Status.NOT_CONVERGED,
        Status.NONFINITE_VALUE,
        Status.FUNCTION_ERROR,
        Status.NONFINITE_INPUT,
    ]
    assert res.success.tolist() == [True, True, False, False, False, False]
    assert "NOT_CONVERGED" in res.message
    fixed = derivative(f, [1.0, np.nan, 1.0], step=1e-3, args=(np.array([0, 0, 4]),))
    assert fixed.status.tolist() == [
        Status.FIXED_STEP,
        Status.NONFINITE_INPUT,
        Status.FUNCTION_ERROR,
    ]


def test_function_failing_everywhere_raises():
    def f(x):
        raise RuntimeError("broken f")

    with pytest.raises(RuntimeError, match="broken f"):
        derivative(f, [1.0, 2.0, 3.0])


def test_wrong_output_shape():
    with pytest.raises(ValueError, match="`f` returned shape"):
        derivative(lambda x: np.ones(7), [1.0, 2.0])


def test_maxiter_limits_the_work():
    res = derivative(np.exp, [1.0, 2.0], maxiter=1)
    assert (res.nit <= 1).all()
    assert (res.status == Status.NOT_CONVERGED).all()


def test_tolerances_trade_accuracy_for_evaluations():
    x = np.linspace(0.1, 3, 30)
    loose = derivative(np.sin, x, rtol=1e-6)
    tight = derivative(np.sin, x)
    assert loose.nfev.sum() < tight.nfev.sum()
    assert np.all(np.abs(loose.df - np.cos(x)) <= loose.error)
    assert np.all(np.abs(loose.df - np.cos(x)) <= 1e-6 * np.abs(np.cos(x)) + 1e-12)
    absolute = derivative(np.sin, x, atol=1e-4)
    assert absolute.nfev.sum() < tight.nfev.sum()


def test_fixed_step_is_exactly_the_stencil():
    res = derivative(np.exp, 1.0, step=0.1)
    expected = (np.exp(1.1) - np.exp(0.9)) / 0.2
    assert float(res.df) == pytest.approx(expected, rel=1e-15)
    assert int(res.nfev) == 2
    assert res.status == Status.FIXED_STEP


@pytest.mark.parametrize(
    "workers",
    [2, "executor", "map", "process"],
)
def test_scalar_functions_with_workers(workers):
    import math

    calls = []

    def f(t):
        assert isinstance(t, float)
        calls.append(t)
        return math.exp(t)

    x = [0.0, 0.5, 1.0]
    if workers == "process":  # f must be picklable: a builtin here
        with concurrent.futures.ProcessPoolExecutor(2) as pool:
            res = derivative(math.exp, x, vectorized=False, workers=pool)
        assert np.allclose(res.df, np.exp(x), rtol=1e-13)
        return
    if workers == "executor":
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            res = derivative(f, x, vectorized=False, workers=pool)
    elif workers == "map":
        res = derivative(f, x, vectorized=False, workers=lambda fn, items: list(map(fn, items)))
    else:
        res = derivative(f, x, vectorized=False, workers=workers)
    assert np.allclose(res.df, np.exp(x), rtol=1e-13)
    assert len(calls) == int(res.nfev.sum())


def test_scalar_function_raising_at_one_point():
    import math

    res = derivative(lambda t: math.log(t), [1.0, -1.0], vectorized=False)
    assert res.status.tolist() == [Status.SUCCESS, Status.FUNCTION_ERROR]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n": 0}, ValueError, "`n` must be a positive integer, got 0"),
        ({"n": 1.5}, ValueError, "`n` must be a positive integer, got 1.5"),
        ({"n": 7}, ValueError, r"`n` must be an integer from 1 to 6, got 7: .*dfdx\.ad"),
        ({"method": "spline"}, ValueError, "`method` must be one of 'auto', 'central'"),
        ({"method": "complex", "n": 3}, ValueError, "gives n=1 and n=2 only, got n=3"),
        ({"method": "complex", "order": 4}, ValueError, "`order` does not apply"),
        ({"order": 3, "step": 0.1}, ValueError, "`order` must be an even integer >= 2, got 3"),
        (
            {"order": 0, "method": "forward", "step": 0.1},
            ValueError,
            "`order` must be a positive integer",
        ),
        (
            {"order": 2},
            ValueError,
            r"`order` without `step` must be an even integer from 6 to 16 for n=1 .*got 2",
        ),
        (
            {"order": 4, "n": 3, "method": "forward"},
            ValueError,
            r"`order` without `step` must be an integer from 6 to 14 for n=3 .*got 4",
        ),
        ({"order": 18}, ValueError, "an even integer from 6 to 16 for n=1"),
        ({"rtol": -1.0}, ValueError, r"`rtol` must be a finite number >= 0, got -1.0"),
        ({"rtol": np.inf}, ValueError, r"`rtol` must be a finite number >= 0, got inf"),
        ({"atol": np.nan}, ValueError, "`atol` must be a positive finite number"),
        ({"maxiter": 0}, ValueError, "`maxiter` must be a positive integer"),
        ({"kwargs": [1]}, TypeError, "`kwargs` must be a dict"),
        ({"vectorized": "yes"}, TypeError, "`vectorized` must be True or False"),
        ({"step": -1.0}, ValueError, "`step` must be a positive finite number"),
        ({"workers": 0, "vectorized": False}, ValueError, "`workers` must be a positive integer"),
        ({"workers": "many", "vectorized": False}, ValueError, "`workers` must be an int"),
        ({"workers": True, "vectorized": False}, ValueError, "`workers` must be an int"),
        ({"args": (np.ones(3),)}, ValueError, "`args` must broadcast with `x`"),
    ],
)
def test_validation_messages(kwargs, error, match):
    with pytest.raises(error, match=match):
        derivative(lambda x, *a: np.exp(x), [1.0, 2.0], **kwargs)


def test_validation_of_f_and_x():
    with pytest.raises(TypeError, match="`f` must be callable"):
        derivative(1.0, 1.0)
    with pytest.raises(TypeError, match="`x` must be array-like of numbers"):
        derivative(np.exp, "abc")
    with pytest.raises(TypeError, match="`f` must return numbers"):
        derivative(lambda x: np.full(x.shape, "a"), 1.0)
    with pytest.raises(TypeError, match="must return a scalar number"):
        derivative(lambda t: [t, t], 1.0, vectorized=False)


def test_blocks_of_points_give_the_same_results(monkeypatch):
    import dfdx.numeric._engine as engine

    x = np.concatenate([np.linspace(-3, 3, 23), [0.0, 1e-4, np.nan, 1e8]])
    f = lambda t: np.where(t >= 0, np.sqrt(np.abs(t)), np.sin(t))  # noqa: E731
    whole = derivative(f, x)
    monkeypatch.setattr(engine, "_CHUNK", 4)
    blocks = derivative(f, x)
    np.testing.assert_allclose(whole.df, blocks.df, rtol=1e-14)  # BLAS may sum differently
    np.testing.assert_array_equal(whole.status, blocks.status)
    np.testing.assert_array_equal(whole.nfev, blocks.nfev)
    cplx = derivative(lambda t: np.exp(1j * t), x[:9])
    assert np.allclose(cplx.df, 1j * np.exp(1j * x[:9]), rtol=1e-12)
    # complex values appearing only in a later block: earlier blocks are kept
    late = derivative(lambda t: np.exp(t) if (t < 0.5).all() else np.exp(t) + 0j, x[:23])
    assert late.df.dtype.kind == "c"
    np.testing.assert_allclose(late.df, np.exp(x[:23]), rtol=1e-12)
    h = hessian(lambda z: np.sum(np.sin(z) * z[::-1], axis=0), [0.1, 0.2, 0.3], atol=1e-8)
    assert h.success.all()


def test_late_failure_of_the_last_active_point_is_flagged_not_raised():
    def f(x):
        if np.any(np.abs(x - 5.0) < 0.01):
            raise ValueError("too close to 5")
        return np.exp(x)

    res = derivative(f, [1.0, 5.02])
    assert res.status.tolist() == [Status.SUCCESS, Status.FUNCTION_ERROR]
    assert float(res.df[0]) == pytest.approx(np.e, rel=1e-13)
    scalar = derivative(lambda t: f(np.asarray(t)), [1.0, 5.02], vectorized=False)
    assert scalar.status.tolist() == [Status.SUCCESS, Status.FUNCTION_ERROR]


def test_huge_arguments_keep_a_finite_error_estimate():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings either
        r = derivative(lambda t: t**2, np.array([1e150, -1e120]))
    np.testing.assert_allclose(r.df, [2e150, -2e120], rtol=1e-12)
    assert np.all(np.isfinite(r.error))
    assert np.all(np.abs(r.df - np.array([2e150, -2e120])) <= r.error)
    assert r.success.all()


def test_unconverged_point_reports_a_wide_error():
    # at 1e12 the relative first step is 2**35: the default maxiter ends the
    # descent before the steps resolve sin; the best estimate along the way
    # looked stable by chance, and the reported bound must say it is not
    res = derivative(np.sin, 1e12)
    assert not res.success
    assert res.status == Status.NOT_CONVERGED
    assert res.error > 0.1
    more = derivative(np.sin, 1e12, maxiter=60)
    assert abs(more.df - np.cos(1e12)) <= more.error < 0.1 * res.error
    # the rounding of x itself (spacing 1.2e-4) bounds what can be known:
    # the bound stays above the default tolerance, and the flag says so
    assert more.error > 1e-6 * abs(more.df)
    assert more.status == Status.NOT_CONVERGED
