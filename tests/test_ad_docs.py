"""docs/ad.md lists the supported functions generated from the rule tables.

Run ``python tests/test_ad_docs.py`` to rewrite the list after adding rules.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

from dfdx.ad._registry import supported_table

DOC = pathlib.Path(__file__).resolve().parent.parent / "docs" / "ad.md"
START, END = "<!-- supported-functions:start -->\n", "<!-- supported-functions:end -->"


def _split(text):
    head, rest = text.split(START)
    _, tail = rest.split(END)
    return head, tail


def _fresh_table():
    """The table of a fresh process (tests elsewhere register rules of their own)."""
    code = "from dfdx.ad._registry import supported_table; print(supported_table(), end='')"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return run.stdout


def render(text):
    head, tail = _split(text)
    return head + START + "\n" + _fresh_table() + "\n" + END + tail


def test_supported_functions_list_is_up_to_date():
    text = DOC.read_text()
    assert text == render(text), "docs/ad.md is stale: run python tests/test_ad_docs.py"


def test_supported_table_loads_the_lazily_hooked_modules():
    table = supported_table()
    for name in ("`expm`", "`lu_factor`", "`fftconvolve`", "`rfftn`", "`eig`", "`norm`"):
        assert name in table


if __name__ == "__main__":
    DOC.write_text(render(DOC.read_text()))
    sys.exit(0)
