"""Run autograd's own test suite against dfdx.ad through an adapter; report the counts.

Usage::

    python -m benchmarks.peers.autograd_suite PATH/TO/autograd/tests [-k EXPR] [-v]

``PATH`` is the ``tests`` folder of a checkout of https://github.com/HIPS/autograd
(nothing of autograd is stored here).  The tests are copied into a temporary
folder next to a small ``autograd`` package written by this script, which
shadows the real one: ``autograd.numpy`` *is* ``numpy``, ``autograd.scipy.*``
is ``scipy.*``, and autograd's operators (``grad``, ``jacobian``, ``hessian``,
``elementwise_grad``, ``make_vjp``, ``make_jvp``, ``check_grads``...) are
built on ``dfdx.ad`` (``check_grads`` on :func:`dfdx.testing.check_grads`).
So the functions under test are plain NumPy/SciPy code, as a user writes it.

Every test ends in one of:

* ``pass``;
* ``wrong``: an ``AssertionError`` - a derivative disagreed with finite
  differences (autograd's check: random directions, central differences with
  step 1e-6, relative tolerance 1e-6) or with the expected value (the count
  that must be 0);
* ``fail``: any other exception (a missing rule, an unsupported idiom...);
* ``n/a``: the test needs autograd internals (its tracer, vector spaces, graph
  utilities: the modules ``autograd.core``, ``autograd.tracer``...) or a
  function NumPy no longer has; not scored;
* ``skip``: skipped by the suite itself; not scored.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

# autograd internals: their tests are not about differentiating NumPy code
INTERNAL_FILES = {"test_core.py", "test_vspaces.py", "test_tests.py", "test_performance.py"}
# tests of autograd's own API or conventions rather than of derivatives (reason given)
NOT_SCORED = {
    "test_builtins.py::test_isinstance": "autograd.builtins.isinstance sees boxes as ndarrays",
    "test_misc.py::test_const_graph": "autograd's graph caching",
    "test_misc.py::test_const_graph_args": "autograd's graph caching",
    "test_wrappers.py::test_custom_where": "autograd's own np.where (keyword arguments)",
    "test_wrappers.py::test_custom_where_dtypes": "autograd's own np.where (result types)",
    "test_wrappers.py::test_wrapped_name_and_docs": "autograd's wrapper names",
    "test_wrappers.py::test_deprecated_defgrad_wrapper": "autograd's deprecated API",
    "test_wrappers.py::test_deprecated_defvjp_wrapper": "autograd's deprecated API",
    "test_wrappers.py::test_deprecated_defvjp_is_zero_wrapper": "autograd's deprecated API",
    "test_wrappers.py::test_deprecated_quick_grad_check_wrapper": "autograd's deprecated API",
    "test_numpy.py::test_make_diagonal": "autograd.numpy.make_diagonal is not NumPy",
    "test_numpy.py::test_diagonal": "uses autograd.numpy.make_diagonal",
    "test_direct.py::test_grad_complex_output": "convention: grad of a holomorphic function "
    "is its complex derivative in dfdx (autograd raises)",
    "test_graphs.py::test_assignment_raises_error": "dfdx supports x[i] = v on traced arrays "
    "(autograd raises)",
    "test_fft.py::test_rfftn_odd_not_implemented": "autograd's limitation: it raises for an "
    "odd last axis, dfdx differentiates rfftn there",
    "test_logic.py::test_nograd": "convention: a boolean output has derivative 0 in dfdx "
    "(autograd raises)",
    "test_ufunc_dispatch.py::test_grad_through_box_times_dataarray_holding_box": "xarray "
    "holding autograd boxes",
}
INTERNAL_MODULES = ("autograd.core", "autograd.tracer", "autograd.wrap_util", "autograd.misc")

_SHIM_INIT = '''
"""autograd's operators on dfdx.ad (written by benchmarks/peers/autograd_suite.py)."""
import builtins as _b

import numpy as _np

from dfdx import ad as _ad

list, tuple, dict, isinstance = _b.list, _b.tuple, _b.dict, _b.isinstance


def _at(args, argnum, x):
    a = _b.list(args)
    if _b.isinstance(argnum, _b.tuple):
        for n, v in zip(argnum, x):
            a[n] = v
    else:
        a[argnum] = x
    return a


def _sub(fun, args, kwargs, argnum):
    return lambda x: fun(*_at(args, argnum, x), **kwargs)


def _pick(args, argnum):
    if _b.isinstance(argnum, _b.tuple):
        return _b.tuple(args[n] for n in argnum)
    return args[argnum]


def _n(argnum):
    return _b.tuple(argnum) if _b.isinstance(argnum, _b.list) else argnum


def grad(fun, argnum=0):
    return _ad.grad(fun, argnums=_n(argnum))


def value_and_grad(fun, argnum=0):
    return _ad.value_and_grad(fun, argnums=_n(argnum))


holomorphic_grad = grad


def jacobian(fun, argnum=0):
    return _ad.jacobian(fun, argnums=_n(argnum))


def hessian(fun, argnum=0):
    return _ad.hessian(fun, argnums=_n(argnum))


def make_vjp(fun, argnum=0):
    def m(*args, **kwargs):
        y, back = _ad.vjp(_sub(fun, args, kwargs, argnum), _pick(args, argnum))
        return (lambda g: back(g)[0]), y
    return m


def make_jvp(fun, argnum=0):
    def m(*args, **kwargs):
        return lambda v: _ad.jvp(_sub(fun, args, kwargs, argnum), (_pick(args, argnum),), (v,))
    return m


def elementwise_grad(fun, argnum=0):
    def g(*args, **kwargs):
        y, back = _ad.vjp(_sub(fun, args, kwargs, argnum), _pick(args, argnum))
        return back(_np.ones_like(y))[0]
    return g


def deriv(fun, argnum=0):
    def d(*args, **kwargs):
        x = _pick(args, argnum)
        return _ad.jvp(_sub(fun, args, kwargs, argnum), (x,), (_np.ones_like(x),))[1]
    return d


def grad_and_aux(fun, argnum=0):
    def g(*args, **kwargs):
        aux = []

        def main(x):
            out, a = _sub(fun, args, kwargs, argnum)(x)
            aux.append(a)
            return out

        gr = _ad.grad(main)(_pick(args, argnum))
        return gr, _strip(aux[-1])
    return g


def _strip(a):
    while _b.isinstance(a, _ad.Tracer):
        a = a.value
    return a


def tensor_jacobian_product(fun, argnum=0):
    def p(*args, **kwargs):
        *args, v = args
        f = _sub(fun, args, kwargs, argnum)
        y, back = _ad.vjp(f, _pick(args, argnum))
        if _np.ndim(v) == _np.ndim(y):
            return back(v)[0]
        # autograd contracts v with the leading output axes only
        return _np.tensordot(v, _ad.jacobian(f)(_pick(args, argnum)), axes=_np.ndim(v))
    return p


vector_jacobian_product = tensor_jacobian_product


def hessian_tensor_product(fun, argnum=0):
    def p(*args, **kwargs):
        *args, v = args
        g = lambda x: _ad.grad(_sub(fun, args, kwargs, argnum))(x)
        return _ad.jvp(g, (_pick(args, argnum),), (v,))[1]
    return p


hessian_vector_product = hessian_tensor_product


def make_hvp(fun, argnum=0):
    def m(*args, **kwargs):
        g = lambda x: _ad.grad(_sub(fun, args, kwargs, argnum))(x)
        y, back = _ad.vjp(g, _pick(args, argnum))
        return (lambda v: back(v)[0]), y
    return m


def make_ggnvp(f, g=lambda x: 1.0 / 2 * _np.sum(x**2, axis=-1), f_argnum=0):
    def m(*args, **kwargs):
        fx = _sub(f, args, kwargs, f_argnum)
        x = _pick(args, f_argnum)
        y, back = _ad.vjp(fx, x)

        def ggnvp(v):
            jv = _ad.jvp(fx, (x,), (v,))[1]
            hjv = _ad.jvp(_ad.grad(g), (y,), (jv,))[1]
            return back(hjv)[0]
        return ggnvp
    return m


def checkpoint(fun):
    return fun
'''

_SHIM_EXTEND = '''
"""autograd.extend on dfdx.ad: primitive, defvjp, defjvp (autograd's rule signatures)."""
from dfdx import ad as _ad


def primitive(fun):
    return _ad.primitive(fun)


def defvjp(fun, *makers, argnums=None):
    nums = range(len(makers)) if argnums is None else argnums
    rules = {}
    for n, mk in zip(nums, makers):
        if mk is not None:
            rules[n] = (lambda mk: lambda g, ans, *a, **k: mk(ans, *a, **k)(g))(mk)
    _ad.defvjp(fun, *[rules.get(i) for i in range(max(rules, default=-1) + 1)])


def defjvp(fun, *rules, argnums=None):
    nums = range(len(rules)) if argnums is None else argnums
    table = {n: r for n, r in zip(nums, rules) if r is not None}
    _ad.defjvp(fun, *[table.get(i) for i in range(max(table, default=-1) + 1)])
'''

_SHIM_NUMPY = '''
"""autograd.numpy is plain NumPy (its submodules too)."""
import sys as _sys

import numpy as _np
from numpy import *  # noqa: F403
from numpy import fft, linalg, random  # noqa: F401

for _k in dir(_np):
    if not _k.startswith("__"):
        globals().setdefault(_k, getattr(_np, _k))
for _m in ("random", "linalg", "fft"):
    _sys.modules[__name__ + "." + _m] = getattr(_np, _m)
'''

_SHIM_SCIPY = '''
"""autograd.scipy is plain SciPy."""
import sys as _sys

import scipy.integrate as integrate
import scipy.linalg as linalg
import scipy.signal as signal
import scipy.special as special
import scipy.stats as stats

for _m in ("integrate", "linalg", "signal", "special", "stats"):
    _sys.modules[__name__ + "." + _m] = globals()[_m]
for _d in dir(stats):
    _sys.modules[__name__ + ".stats." + _d] = getattr(stats, _d)
'''

_SHIM_TEST_UTIL = '''
"""autograd.test_util on dfdx.ad: autograd's check (random directions, central differences
with step 1e-6, tolerance 1e-6), written afresh for nested structures and complex values."""
from itertools import product

import numpy as _np

from dfdx import ad as _ad

TOL = 1e-6
RTOL = 1e-6
EPS = 1e-6
_rng = _np.random.default_rng(0)


def scalar_close(a, b):
    return abs(a - b) < TOL or abs(a - b) / abs(a + b) < RTOL


def _leaves(t):
    if isinstance(t, (list, tuple)):
        return [x for i in t for x in _leaves(i)]
    if isinstance(t, dict):
        return [x for k in sorted(t) for x in _leaves(t[k])]
    return [t]


def _build(t, it):
    if isinstance(t, (list, tuple)):
        return type(t)(_build(i, it) for i in t)
    if isinstance(t, dict):
        return {k: _build(t[k], it) for k in sorted(t)}
    return next(it)


def _random(t):
    out = []
    for a in _leaves(t):
        a = _np.asarray(a)
        r = _rng.standard_normal(a.shape)
        if _np.iscomplexobj(a):
            r = r + 1j * _rng.standard_normal(a.shape)
        out.append(r)
    return out


def _pair(a, b):
    return float(sum(_np.real(_np.sum(_np.asarray(x) * _np.asarray(y))) for x, y in zip(a, b)))


def _float(t):
    return _build(t, iter(
        _np.asarray(a, dtype=float) if _np.asarray(a).dtype.kind in "biu" else a
        for a in _leaves(t)
    ))


def _numeric_jvp(f, x, v):
    lv = _leaves(x)
    plus = f(_build(x, iter(_np.asarray(a) + EPS / 2 * d for a, d in zip(lv, v))))
    minus = f(_build(x, iter(_np.asarray(a) - EPS / 2 * d for a, d in zip(lv, v))))
    return [(_np.asarray(p) - _np.asarray(m)) / EPS for p, m in zip(_leaves(plus), _leaves(minus))]


def _check(f, x, modes, order):
    x = _float(x)
    v = _random(x)
    vt = _build(x, iter(v))
    if "fwd" in modes:
        t = _leaves(_ad.jvp(f, (x,), (vt,))[1])
        n = _numeric_jvp(f, x, v)
        w = _random(n)
        a, b = _pair(w, t), _pair(w, n)
        assert scalar_close(a, b), f"Derivative (JVP) check failed: analytic {a}, numeric {b}"
        if order > 1:
            _check(lambda xv: _ad.jvp(f, (xv[0],), (xv[1],))[1], (x, vt), modes, order - 1)
    if "rev" in modes:
        y, back = _ad.vjp(f, x)
        u = _random(y)
        ut = _build(y, iter(u))
        g = _leaves(back(ut)[0])
        a, b = _pair(g, v), _pair(u, _numeric_jvp(f, x, v))
        assert scalar_close(a, b), f"Derivative (VJP) check failed: analytic {a}, numeric {b}"
        if order > 1:
            _check(lambda xu: _ad.vjp(f, xu[0])[1](xu[1])[0], (x, ut), modes, order - 1)


def check_equivalent(x, y):
    assert _np.allclose(x, y, rtol=1e-6, atol=1e-6), f"Value mismatch:\\nx: {x}\\ny: {y}"


def check_grads(fun, argnum=0, modes=None, order=2):
    modes = ["fwd", "rev"] if modes is None else modes

    def run(*args, **kwargs):
        single = isinstance(argnum, int)
        nums = (argnum,) if single else tuple(argnum)

        def g(xs):
            a = list(args)
            for n, x in zip(nums, (xs,) if single else xs):
                a[n] = x
            return fun(*a, **kwargs)

        _check(g, args[argnum] if single else tuple(args[n] for n in nums), modes, order)

    return run


def combo_check(fun, *args, **kwargs):
    _check_grads = lambda f: check_grads(f, *args, **kwargs)

    def _combo_check(*args, **kwargs):
        kwarg_key_vals = [[(k, x) for x in xs] for k, xs in kwargs.items()]
        for _args in product(*args):
            for _kwargs in product(*kwarg_key_vals):
                _check_grads(fun)(*_args, **dict(_kwargs))

    return _combo_check
'''

_SHIM_BUILTINS = """
import builtins as _b

list, tuple, dict, isinstance, type = _b.list, _b.tuple, _b.dict, _b.isinstance, _b.type
"""

_SHIM_INTERNALS = {
    "tracer.py": """
from dfdx import ad as _ad
from autograd.extend import primitive  # noqa: F401


def isbox(x):
    return isinstance(x, _ad.Tracer)
""",
    "core.py": """
from dfdx import ad as _ad
from autograd.extend import primitive  # noqa: F401

primitive_vjps = {}


def make_vjp(fun, x):
    y, back = _ad.vjp(fun, x)
    return (lambda g: back(g)[0]), y
""",
    "misc.py": """
import numpy as _np


def const_graph(fun, *a, **k):
    return fun


def flatten(value):
    leaves = []

    def walk(v):
        if isinstance(v, (list, tuple)):
            return type(v), [walk(i) for i in v]
        if isinstance(v, dict):
            return dict, [(k, walk(v[k])) for k in sorted(v)]
        leaves.append(_np.asarray(v))
        return None, _np.shape(v)

    spec = walk(value)
    flat = _np.concatenate([_np.ravel(a) for a in leaves]) if leaves else _np.zeros(0)

    def unflatten(vec):
        pos = [0]

        def build(s):
            kind, body = s
            if kind is None:
                n = int(_np.prod(body))
                out = _np.reshape(vec[pos[0] : pos[0] + n], body)
                pos[0] += n
                return out
            if kind is dict:
                return {k: build(b) for k, b in body}
            return kind(build(b) for b in body)

        return build(spec)

    return flat, unflatten
""",
    "wrap_util.py": """
def unary_to_nary(unary_operator):
    def nary_operator(fun, argnum=0, *nary_op_args, **nary_op_kwargs):
        def nary_f(*args, **kwargs):
            def unary_f(x):
                a = list(args)
                if isinstance(argnum, int):
                    a[argnum] = x
                else:
                    for n, v in zip(argnum, x):
                        a[n] = v
                return fun(*a, **kwargs)

            x = args[argnum] if isinstance(argnum, int) else tuple(args[i] for i in argnum)
            return unary_operator(unary_f, x, *nary_op_args, **nary_op_kwargs)

        return nary_f

    return nary_operator
""",
}

_PLUGIN = """

# --- outcome recorder (benchmarks/peers/autograd_suite.py)
import json as _json
import os as _os

import pytest as _pytest

_RESULTS = {}


@_pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    rep = (yield).get_result()
    key = item.nodeid
    if rep.when == "setup" and rep.skipped:
        _RESULTS[key] = ("skip", "")
    elif rep.failed:
        exc = call.excinfo
        kind = exc.typename if exc is not None else "?"
        msg = str(exc.value)[:300] if exc is not None else ""
        _RESULTS[key] = ("exc:" + kind, msg)
    elif rep.when == "call":
        _RESULTS[key] = ("skip", "") if rep.skipped else ("pass", "")


def pytest_collectreport(report):
    if report.failed:
        msg = str(report.longrepr)[-300:]
        _RESULTS[report.nodeid + "::<collection>"] = ("exc:CollectError", msg)


def pytest_sessionfinish(session):
    with open(_os.environ["DFDX_AG_RESULTS"], "w") as fh:
        _json.dump(_RESULTS, fh)
"""


def _write_shim(root: Path) -> None:
    pkg = root / "autograd"
    (pkg / "numpy").mkdir(parents=True)
    (pkg / "scipy").mkdir()
    (pkg / "__init__.py").write_text(textwrap.dedent(_SHIM_INIT))
    (pkg / "extend.py").write_text(textwrap.dedent(_SHIM_EXTEND))
    (pkg / "numpy" / "__init__.py").write_text(textwrap.dedent(_SHIM_NUMPY))
    (pkg / "scipy" / "__init__.py").write_text(textwrap.dedent(_SHIM_SCIPY))
    (pkg / "test_util.py").write_text(textwrap.dedent(_SHIM_TEST_UTIL))
    (pkg / "builtins.py").write_text(textwrap.dedent(_SHIM_BUILTINS))
    for name, text in _SHIM_INTERNALS.items():
        (pkg / name).write_text(text)


def _classify(kind: str, msg: str, nodeid: str) -> str:
    if nodeid.split("::")[0] in INTERNAL_FILES or nodeid.split("[")[0] in NOT_SCORED:
        return "n/a"  # whatever the outcome: a pass there is not counted either
    if kind in ("pass", "skip"):
        return kind
    if any(m in msg for m in INTERNAL_MODULES) or "module 'numpy" in msg:
        return "n/a"
    if kind == "exc:TypeError" and "got an unexpected keyword argument" in msg:
        return "n/a"  # an argument of autograd's own version, not of the NumPy/SciPy function
    if kind == "exc:AssertionError":
        return "wrong"
    return "fail"


def run(tests: Path, select: str | None = None, verbose: bool = False) -> dict[str, int]:
    with tempfile.TemporaryDirectory(prefix="dfdx-autograd-") as tmp:
        root = Path(tmp) / "tests"
        shutil.copytree(tests, root)
        _write_shim(root)
        conftest = root / "conftest.py"
        conftest.write_text((conftest.read_text() if conftest.exists() else "") + _PLUGIN)
        results = Path(tmp) / "results.json"
        env = dict(os.environ, DFDX_AG_RESULTS=str(results), PYTHONPATH=str(root))
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", tmp]
        cmd += ["-W", "ignore", "--tb=short", "-o", "addopts=", "--continue-on-collection-errors"]
        cmd.append(str(root))
        if select:
            cmd += ["-k", select]
        subprocess.run(cmd, cwd=root, env=env, capture_output=not verbose, check=False)
        data = json.loads(results.read_text())
    counts = {"pass": 0, "wrong": 0, "fail": 0, "n/a": 0, "skip": 0}
    rows = []
    for nodeid, (kind, msg) in sorted(data.items()):
        nodeid = nodeid.split("tests/", 1)[-1]
        c = _classify(kind, msg, nodeid)
        counts[c] += 1
        if c in ("wrong", "fail"):
            rows.append((c, nodeid, kind[4:], msg.replace("\n", " ")[:160]))
    for c, nodeid, kind, msg in rows:
        print(f"{c:5s} {nodeid}  [{kind}] {msg}")
    scored = counts["pass"] + counts["wrong"] + counts["fail"]
    print()
    print(
        f"autograd suite through dfdx.ad: {counts['pass']}/{scored} scored tests pass "
        f"({100 * counts['pass'] / max(scored, 1):.1f}%), {counts['wrong']} wrong, "
        f"{counts['fail']} fail; not scored: {counts['n/a']} n/a, {counts['skip']} skipped"
    )
    return counts


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("tests", type=Path, help="the tests folder of an autograd checkout")
    p.add_argument("-k", dest="select", default=None, help="pytest -k expression")
    p.add_argument("-v", action="store_true", help="show pytest's own output")
    a = p.parse_args(argv)
    run(a.tests, a.select, a.v)


if __name__ == "__main__":
    main()
