"""Peers' own test suites run against dfdx through adapters: ``python -m benchmarks peers``.

The peers' test files are read from a path, a local git mirror
(``$DFDX_PEER_MIRRORS``) or downloaded to a temporary directory; they are
never stored in this repository.
"""

from __future__ import annotations

from benchmarks._harness import table


def run(quick: bool = False, verbose: bool = False) -> None:
    from benchmarks.peers._runner import run_suite
    from benchmarks.peers._suites import SUITES

    rows = []
    for suite in SUITES:
        try:
            c = run_suite(suite, verbose=verbose)
        except Exception as exc:  # no mirror and no network: say so, go on
            print(f"  [skip] {suite.name}: peer tests unavailable ({type(exc).__name__}: {exc})")
            continue
        rows.append(
            [
                suite.name,
                c["scored"],
                c["passed"],
                c["failed"],
                c["wrong+success"],
                f"{c['pass rate']:.1%}",
                c["unscored"],
                c["skipped"],
            ]
        )
    if not rows:
        return
    tot = [sum(r[i] for r in rows) for i in (1, 2, 3, 4)]
    rows.append(
        ["all", *tot, f"{tot[1] / tot[0]:.1%}", sum(r[6] for r in rows), sum(r[7] for r in rows)]
    )
    table(
        "peer test suites run against dfdx (scored tests)",
        [
            "suite",
            "scored",
            "passed",
            "failed",
            "wrong+success",
            "pass rate",
            "unscored",
            "skipped",
        ],
        rows,
    )
