"""docs/ad.md lists the supported functions generated from the rule tables; checks made
in one fresh process (the list, and the SciPy modules hooked when imported after dfdx.ad).

Run ``python tests/test_ad_docs.py`` to rewrite the list after adding rules.
"""

from __future__ import annotations

import functools
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import scipy

from dfdx.ad._registry import supported_table

DOC = pathlib.Path(__file__).resolve().parent.parent / "docs" / "ad.md"
START, END = "<!-- supported-functions:start -->\n", "<!-- supported-functions:end -->"


def _split(text):
    head, rest = text.split(START)
    _, tail = rest.split(END)
    return head, tail


_FRESH = """
import sys, numpy as np
import scipy.special  # dfdx.ad needs it; before SciPy 1.17 it imports scipy.linalg itself
lazy = {"scipy.stats", "scipy.linalg", "scipy.signal"}
before = lazy & set(sys.modules)
from dfdx import ad
assert not (lazy & set(sys.modules)) - before
import scipy.stats, scipy.linalg, scipy.signal
print(ad.grad(lambda m: scipy.stats.norm.logpdf(1.0, m, 2.0))(0.5))
print(ad.grad(lambda a: scipy.linalg.expm(a)[0, 0])(np.zeros((1, 1)))[0, 0])
print(ad.grad(lambda a: scipy.signal.convolve(a, [1.0, 2.0])[1])(np.ones(2))[0])
from dfdx.ad._registry import supported_table
print(supported_table(), end="")
"""


@functools.cache
def _fresh():
    """Output of a fresh process (tests elsewhere register rules of their own)."""
    run = subprocess.run([sys.executable, "-c", _FRESH], capture_output=True, text=True, check=True)
    lines = run.stdout.splitlines(keepends=True)
    return lines[:3], "".join(lines[3:])


def _fresh_table():
    return _fresh()[1]


def render(text):
    head, tail = _split(text)
    return head + START + "\n" + _fresh_table() + "\n" + END + tail


def _version(module) -> tuple[int, int]:
    major, minor = module.__version__.split(".")[:2]
    return int(major), int(minor)


# the list names the functions of current NumPy and SciPy (older ones lack a few,
# np.cumulative_sum for one), so it is compared where it was generated
@pytest.mark.skipif(
    _version(np) < (2, 4) or _version(scipy) < (1, 17),
    reason="docs/ad.md lists the functions of NumPy >= 2.4 and SciPy >= 1.17",
)
def test_supported_functions_list_is_up_to_date():
    text = DOC.read_text()
    assert text == render(text), "docs/ad.md is stale: run python tests/test_ad_docs.py"


def test_scipy_modules_imported_after_dfdx_are_hooked():
    assert [v.strip() for v in _fresh()[0]] == ["0.125", "1.0", "2.0"]


def test_supported_table_loads_the_lazily_hooked_modules():
    table = supported_table()
    for name in ("`expm`", "`lu_factor`", "`fftconvolve`", "`rfftn`", "`eig`", "`norm`"):
        assert name in table


if __name__ == "__main__":
    DOC.write_text(render(DOC.read_text()))
    sys.exit(0)
