"""The ``dfdx demo`` command: end to end on the shipped sample data."""

from __future__ import annotations

import argparse
import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

import dfdx
from dfdx.cli._data import draw_plot, output_columns
from dfdx.cli._expr import parse_expression
from dfdx.cli._io import read_table, write_table

__all__ = ["DEMO_EXPRESSION", "cmd_demo"]

DEMO_EXPRESSION = "exp(-t/3) * sin(2*t)"


def _has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def cmd_demo(args: argparse.Namespace) -> int:
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    source = resources.files("dfdx") / "data" / "damped_oscillator.csv"
    with resources.as_file(source) as path:
        table = read_table(path)
    t, y = table["time"], table["position"]
    func = parse_expression(DEMO_EXPRESSION, var="t")
    noisy = dfdx.derivative(y, t)
    exact = dfdx.derivative(func, t)
    rmse = float(np.sqrt(np.mean((np.asarray(noisy.df) - np.asarray(exact.df)) ** 2)))
    within = float(np.mean(np.abs(noisy.df - exact.df) <= 2 * noisy.error))
    columns = output_columns(t, y, noisy, ("time", "position"), 1)
    columns["exact d(position)/d(time)"] = np.asarray(exact.df)
    write_table(out / "dfdx-demo.csv", columns)
    summary: dict[str, Any] = {
        "data": "damped_oscillator.csv (400 noisy samples, irregular times)",
        "function": DEMO_EXPRESSION,
        "noisy_method": noisy.method,
        "noisy_message": noisy.message,
        "exact_method": exact.method,
        "rmse_vs_exact": rmse,
        "within_2_errors": within,
        "table": str(out / "dfdx-demo.csv"),
    }
    note = None
    if args.no_plot:
        pass
    elif _has_matplotlib():
        title = f"dfdx demo: d/dt of position(t) = {DEMO_EXPRESSION} + noise"
        draw_plot(
            str(out / "dfdx-demo.png"),
            noisy,
            t,
            y,
            title,
            reference=exact.df,
            names=("t", "position"),
            reference_label=f"exact d/dt ({exact.method})",
        )
        summary["plot"] = str(out / "dfdx-demo.png")
    else:
        note = 'no plot: it needs matplotlib, the plot extra (pip install "dfdx[plot]")'
        summary["note"] = note
    if args.json:
        print(json.dumps(summary))
        return 0
    print(f"dfdx demo: d/dt of position(t) = {DEMO_EXPRESSION}")
    print(f"  data: {summary['data']}")
    print(f"  estimate from the noisy samples by method {noisy.method}:")
    print(f"    RMSE {rmse:.3g} against the exact derivative,")
    print(f"    {within:.0%} of the points within 2 error estimates of it")
    for key in ("table", "plot"):
        if key in summary:
            print(f"wrote {summary[key]}")
    if note:
        print(note)
    return 0
