"""The three peer suites: where their tests live and what the adapters ignore."""

from __future__ import annotations

from benchmarks.peers._runner import Suite

_STEPS = "tunes the peer's own step sequence or stencil"
_COUNTS = "checks the peer's own iteration / evaluation counts"
_TEXT = "checks the peer's own message text"
_DIAG = "checks the peer's own diagnostics"

SCIPY = Suite(
    name="scipy",
    repo="scipy/scipy",
    commit="3dbf660a919b1479cdf30d533176053b428d08d3",
    path="scipy/differentiate/tests/test_differentiate.py",
    shim="_shim_scipy.py",
    rewrites=[
        (
            "from scipy.differentiate import derivative, jacobian, hessian",
            "from shim_scipy import derivative, jacobian, hessian",
        ),
        (
            "from scipy._lib._array_api import is_numpy, is_torch, make_xp_test_case",
            "from scipy._lib._array_api import is_numpy, is_torch\n\n\n"
            "def make_xp_test_case(*funcs):\n    return lambda cls: cls\n",
        ),
        (
            "import scipy._external.array_api_extra as xpx",
            "import scipy._lib.array_api_extra as xpx",
        ),
    ],
    unscored={
        "test_step_parameters": _STEPS,
        "test_initial_step": _STEPS,
        "test_maxiter_callback": _COUNTS,
        "test_input_validation": _TEXT,
        "test_iv": _TEXT,
        "test_small_rtol_warning": _TEXT,
        "test_nfev": _COUNTS,
        "test_attrs": _COUNTS,
    },
)


NUMDIFFTOOLS = Suite(
    name="numdifftools",
    repo="pbrod/numdifftools",
    commit="c48563b9a7f6b3a948896a7affbeb8a47163114f",
    path="src/numdifftools/tests/test_numdifftools.py",
    shim="_shim_numdifftools.py",
    rewrites=[("import numdifftools.core as nd", "import shim_numdifftools as nd")],
    unscored={
        "TestRichardson": "tests numdifftools' Richardson extrapolation tables",
        "test_default_scale": "tests numdifftools' step-generator defaults",
        "fulloutput": "checks numdifftools' final step (dfdx adapts the step per point)",
    },
)


_JACOBI_UNSCORED = {
    "test_method_auto": _DIAG,
    "test_method[": _DIAG,
    "test_on_nan": _DIAG,
    "test_bad_step": "validates jacobi's own step option",
    "test_bad_maxgrad": "validates jacobi's own maxgrad option",
    "test_bad_method": "validates jacobi's own method codes",
    "test_bad_return_value": _TEXT,
    "test_bad_number_of_arguments": _TEXT,
}

JACOBI = Suite(
    name="jacobi",
    repo="HDembinski/jacobi",
    commit="840e5457a8add400cc7ef709c2b51b737b291c49",
    path="tests/test_jacobi.py",
    shim="_shim_jacobi.py",
    rewrites=[("from jacobi import jacobi", "from shim_jacobi import jacobi")],
    unscored=_JACOBI_UNSCORED,
)

JACOBI_PROPAGATE = Suite(
    name="jacobi-propagate",
    repo="HDembinski/jacobi",
    commit="840e5457a8add400cc7ef709c2b51b737b291c49",
    path="tests/test_propagate.py",
    shim="_shim_jacobi.py",
    rewrites=[
        ("from jacobi import propagate, jacobi", "from shim_jacobi import propagate, jacobi")
    ],
    unscored=_JACOBI_UNSCORED,
)
SUITES = [SCIPY, NUMDIFFTOOLS, JACOBI, JACOBI_PROPAGATE]
