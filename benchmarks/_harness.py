"""Timing and table helpers shared by the benchmark suites.

Machines here are noisy: every number is a median over repeats, and tables
report ratios against a reference measured in the same process.
"""

from __future__ import annotations

import gc
import importlib
import os
import time
from collections.abc import Callable, Sequence
from typing import Any


def median_time(fn: Callable[[], Any], *, repeat: int = 7, min_time: float = 0.05) -> float:
    """Median seconds per call of ``fn``; each repeat loops until ``min_time`` elapses."""
    fn()  # warm up
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_time or number >= 1 << 20:
            break
        number *= 2 if dt <= 0 else max(2, min(10, int(min_time / dt) + 1))
    times = []
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            times.append((time.perf_counter() - t0) / number)
    finally:
        if gc_was:
            gc.enable()
    times.sort()
    return times[len(times) // 2]


def optional(name: str) -> Any | None:
    """Import a peer library, or return None (and say so) when it is missing."""
    try:
        return importlib.import_module(name)
    except Exception as exc:  # a broken peer install must not stop the suite
        print(f"  [skip] {name} not available: {type(exc).__name__}: {exc}")
        return None


def fmt_time(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if seconds >= scale:
            return f"{seconds / scale:8.3f} {unit}"
    return f"{seconds * 1e9:8.3f} ns"


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a plain-text table with aligned columns."""
    cells = [[str(h) for h in header]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f"\n{title}")
    for j, row in enumerate(cells):
        print(
            "  "
            + "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if j == 0:
            print("  " + "  ".join("-" * w for w in widths))


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if value == 0 or 1e-3 <= abs(value) < 1e5:
            return f"{value:.3g}"
        return f"{value:.2e}"
    return str(value)


def numpy_only(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` run with dfdx's compiled kernels switched off (``DFDX_NUMBA=0``)."""

    def run(*args: Any, **kwargs: Any) -> Any:
        before = os.environ.get("DFDX_NUMBA")
        os.environ["DFDX_NUMBA"] = "0"
        try:
            return fn(*args, **kwargs)
        finally:
            if before is None:
                del os.environ["DFDX_NUMBA"]
            else:
                os.environ["DFDX_NUMBA"] = before

    return run
