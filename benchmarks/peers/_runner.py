"""Run a peer's own test file against dfdx through a shim, and score the outcome.

The peer's test file (never stored in this repository) is copied into a
temporary directory with its imports of the peer pointed at a shim module
(``benchmarks/peers/_shim_<peer>.py``) that implements the peer's API with
``dfdx``.  pytest runs it in a subprocess with a small plugin that records,
per test, the outcome and whether every result the shim returned during the
test said ``success=True``: a failed value assertion in that state counts as
"wrong with success=True", the case dfdx promises never to produce.

Tests that check only the peer's own machinery (its step sequence, iteration
counts, message texts, internal diagnostics) are listed per suite with the
reason and reported but not scored.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent.parent


@dataclass
class Suite:
    """One peer test file and how to point it at dfdx."""

    name: str
    repo: str  # owner/name on GitHub
    commit: str  # the version the adapter was written against
    path: str  # of the test file in the repository
    shim: str  # file name of the shim in benchmarks/peers
    rewrites: list[tuple[str, str]]
    unscored: dict[str, str] = field(default_factory=dict)  # test-id substring -> reason
    # names that hold error estimates in the peer's tests: a failed assertion
    # on one of them bounds an estimate, it is not a wrong value
    error_names: tuple[str, ...] = ("error", "ye", "fpe", "jace", "yde")
    extra_args: list[str] = field(default_factory=list)


_PLUGIN = """
import json, os
import pytest
import _peerlog

_out = {}

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    _peerlog.LOG.clear()
    yield

def pytest_runtest_logreport(report):
    if report.when == "setup" and report.skipped:
        _out[report.nodeid] = {"outcome": "skipped"}
    if report.when != "call":
        if report.failed and report.nodeid not in _out:
            _out[report.nodeid] = {"outcome": "error", "detail": str(report.longrepr)[-300:]}
        return
    rec = {"outcome": report.outcome}
    if report.failed:
        text = str(report.longrepr)
        # a wrong value (not a shape, dtype or type mismatch)
        keys = ("Mismatch", "Not equal to tolerance", "not almost equal")
        assertion = any(k in text for k in keys) and "mismatch)" not in text  # not shapes
        assertion = assertion or ("assert " in text and ("abs(" in text or "np.abs" in text))
        flags = list(_peerlog.LOG)
        rec["assertion"] = assertion
        rec["line"] = " ".join(l[1:].strip() for l in text.splitlines() if l.startswith(">"))
        rec["all_success"] = bool(flags) and all(flags)
        rec["detail"] = text[-400:]
    _out[report.nodeid] = rec

def pytest_collectreport(report):
    if report.failed:
        _out[report.nodeid or "collection"] = {
            "outcome": "error", "detail": str(report.longrepr)[-600:]
        }

def pytest_sessionfinish(session):
    with open(os.environ["DFDX_PEER_OUT"], "w") as fh:
        json.dump(_out, fh)
"""

_LOG = """LOG = []  # one bool per result returned by the shim: every entry successful


def record(success):
    import numpy as np

    LOG.append(bool(np.all(success)))
"""


def source(suite: Suite, given: str | None) -> str:
    """The peer's test file: a path given, a local git mirror, or a download.

    ``given`` defaults to ``$DFDX_PEER_<NAME>`` (e.g. ``DFDX_PEER_SCIPY``).
    """
    given = given or os.environ.get("DFDX_PEER_" + suite.name.upper().replace("-", "_"))
    if given:
        return Path(given).read_text()
    mirrors = os.environ.get("DFDX_PEER_MIRRORS", "/work/.mirror")
    git_dir = Path(mirrors) / suite.repo.replace("/", "+") / "repo"
    if git_dir.exists():
        out = subprocess.run(
            ["git", "-C", str(git_dir), "show", f"HEAD:{suite.path}"],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode == 0:
            return out.stdout
    url = f"https://raw.githubusercontent.com/{suite.repo}/{suite.commit}/{suite.path}"
    with urllib.request.urlopen(url, timeout=30) as fh:
        return fh.read().decode()


def run_suite(suite: Suite, given: str | None = None, verbose: bool = False) -> dict:
    """Run one suite; return the counts and the per-test records."""
    text = source(suite, given)
    for old, new in suite.rewrites:
        text = text.replace(old, new)
    tmp = Path(tempfile.mkdtemp(prefix=f"dfdx-peer-{suite.name}-"))
    try:
        (tmp / "test_peer.py").write_text(text)
        (tmp / "_peerlog.py").write_text(_LOG)
        (tmp / "_peerplugin.py").write_text(_PLUGIN)
        shutil.copy(HERE / suite.shim, tmp / suite.shim.lstrip("_"))
        conftest = HERE / f"_conftest_{suite.name}.py"
        if conftest.exists():
            shutil.copy(conftest, tmp / "conftest.py")
        out = tmp / "out.json"
        env = dict(os.environ, DFDX_PEER_OUT=str(out), PYTHONPATH=str(tmp))
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "_peerplugin", "-p", "no:cacheprovider"]
        cmd += ["--rootdir", str(tmp), "-W", "ignore", *suite.extra_args, str(tmp / "test_peer.py")]
        proc = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, check=False)
        if not out.exists():
            raise RuntimeError(f"{suite.name}: pytest did not run:\n{proc.stdout[-3000:]}")
        records = json.loads(out.read_text())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return score(suite, records, verbose)


def score(suite: Suite, records: dict, verbose: bool) -> dict:
    counts = {"passed": 0, "failed": 0, "wrong+success": 0, "unscored": 0, "skipped": 0}
    failures = []
    for nodeid, rec in sorted(records.items()):
        test = nodeid.split("::", 1)[-1]
        reason = next((r for key, r in suite.unscored.items() if key in test), None)
        if rec["outcome"] == "skipped":
            counts["skipped"] += 1
            continue
        if reason is not None:
            counts["unscored"] += 1
            if verbose:
                print(f"  [unscored: {reason}] {test}: {rec['outcome']}")
            continue
        if rec["outcome"] == "passed":
            counts["passed"] += 1
            continue
        counts["failed"] += 1
        on_error = any(_mentions(rec.get("line", ""), n) for n in suite.error_names)
        confident = rec.get("assertion") and rec.get("all_success") and not on_error
        if confident:
            counts["wrong+success"] += 1
        failures.append((test, "WRONG+SUCCESS" if confident else rec["outcome"], rec))
    scored = counts["passed"] + counts["failed"]
    counts["scored"] = scored
    counts["pass rate"] = counts["passed"] / scored if scored else float("nan")
    if verbose:
        for test, kind, rec in failures:
            detail = " ".join(rec.get("detail", "").split())[-300:]
            print(f"  [{kind}] {test}\n      {detail}")
    return counts


def _mentions(line: str, name: str) -> bool:
    import re

    return re.search(rf"(?<![\w.]){re.escape(name)}\b|\.{re.escape(name)}\b", line) is not None
