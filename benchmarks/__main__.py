"""Run a benchmark suite: ``python -m benchmarks <suite> [--quick]``.

Each suite is a module ``benchmarks/<suite>.py`` with a ``run(quick: bool)``
function that prints its own tables.  ``python -m benchmarks --list`` lists them.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path


def _suites() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("suite", nargs="*", help="suite name(s); 'all' runs every suite")
    parser.add_argument("--list", action="store_true", help="list the suites and exit")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    args = parser.parse_args(argv)
    suites = _suites()
    if args.list or not args.suite:
        print("suites:", ", ".join(suites))
        return 0
    chosen = suites if args.suite == ["all"] else args.suite
    for name in chosen:
        if name not in suites:
            parser.error(f"unknown suite {name!r}; choose from {', '.join(suites)}")
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"\n=== suite: {name} ===")
        module.run(quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
