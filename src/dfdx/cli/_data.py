"""The ``dfdx data`` command: a column of a data file, differentiated."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

import dfdx
from dfdx.cli._io import UserError, as_list, read_table, select_column, write_csv, write_table

__all__ = ["cmd_data", "draw_plot", "jsonable", "output_columns"]


def jsonable(result: Any) -> dict[str, Any]:
    return {
        "derivative": np.asarray(result.df).tolist(),
        "error": np.asarray(result.error).tolist(),
        "success": np.asarray(result.success).tolist(),
        "status": np.asarray(result.status).tolist(),
        "method": result.method,
        "message": result.message,
        "params": {k: v for k, v in result.params.items() if _is_plain(v)},
    }


def _is_plain(value: Any) -> bool:
    try:
        json.dumps(value)
    except TypeError:
        return False
    return True


def _derivative_name(y_name: str, x_name: str, n: int) -> str:
    """``d(position)/d(time)``, ``d2(position)/d(time)2``: the output column's name."""
    if n == 1:
        return f"d({y_name})/d({x_name})"
    return f"d{n}({y_name})/d({x_name}){n}"


def _clean_rows(x, y, lines, args) -> tuple[np.ndarray, np.ndarray]:
    """Missing rows (--dropna), sorting and repeated x (--duplicates) checked or fixed."""
    x_bad = np.isnat(x) if x.dtype.kind == "M" else ~np.isfinite(x)
    bad = x_bad | ~np.isfinite(y)
    if np.any(bad):
        if not args.dropna:
            i = int(np.flatnonzero(bad)[0])
            which = args.x if x_bad[i] else args.y
            raise UserError(
                f"{args.file}: line {lines[i]} has a missing or non-finite value in column "
                f"{which!r} ({int(np.count_nonzero(bad))} such rows); use --dropna to drop them"
            )
        x, y, lines = x[~bad], y[~bad], lines[~bad]
    steps = np.diff(x)
    zero = steps == np.zeros((), steps.dtype)
    if np.any(zero) and args.duplicates == "error":
        i = int(np.flatnonzero(zero)[0]) + 1
        raise UserError(
            f"x column {args.x!r} has duplicated values (line {lines[i]} repeats line "
            f"{lines[i - 1]}); use --duplicates mean to average their y"
        )
    if np.any(steps < np.zeros((), steps.dtype)):
        i = int(np.flatnonzero(steps < np.zeros((), steps.dtype))[0]) + 1
        raise UserError(f"x column {args.x!r} is not sorted increasing (at line {lines[i]})")
    if np.any(zero):  # --duplicates mean
        x, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
        y = np.bincount(inverse, weights=y) / counts
    return x, y


def _derive_columns(x: np.ndarray, y: np.ndarray, args: argparse.Namespace) -> Any:
    if x.size != y.size:
        raise UserError("the x and y columns differ in length")
    if y.size < 5:
        raise UserError(f"too few points: {y.size} rows, at least 5 are needed")
    options = {"time_unit": args.time_unit} if x.dtype.kind == "M" else {}
    return dfdx.derivative(y, x, n=args.n, method=args.method, **options)


def output_columns(
    x: np.ndarray, y: np.ndarray, result: Any, names: tuple[str, str], n: int
) -> dict[str, np.ndarray]:
    x_name, y_name = names
    smooth = y if result.y_smooth is None else np.asarray(result.y_smooth)
    return {
        x_name: x,
        y_name: y,
        f"{y_name}_smooth": smooth,
        _derivative_name(y_name, x_name, n): np.asarray(result.df),
        "error": np.asarray(result.error),
        "success": np.asarray(result.success),
    }


def draw_plot(path: str, result: Any, x: np.ndarray, y: np.ndarray, title: str, **kw: Any) -> None:
    """Draw with :func:`dfdx.plot.derivative` (a one-line user error without matplotlib)."""
    try:
        from dfdx import plot

        plot.derivative(result, x, y, title=title, path=path, **kw)
    except ImportError as exc:
        raise UserError(str(exc)) from None


def _delimiter(text: str) -> str:
    value = {"\\t": "\t", "tab": "\t", "space": " "}.get(text, text)
    if len(value) != 1:
        raise UserError(f"--delimiter must be one character (or tab), got {text!r}")
    return value


def cmd_data(args: argparse.Namespace) -> int:
    delimiter = _delimiter(args.delimiter)
    table = read_table(args.file, delimiter)
    y = select_column(table, args.y, "y")
    if args.x is None:
        x = np.arange(y.size, dtype=float)
        args.x = "row"
    else:
        x = select_column(table, args.x, "x")
    x, y = _clean_rows(x, y, np.asarray(table.lines), args)
    result = _derive_columns(x, y, args)
    names = (args.x, args.y)
    columns = output_columns(x, y, result, names, args.n)
    if args.output:
        write_table(args.output, columns, delimiter)
    if args.plot:
        title = f"{Path(args.file).name}: {_derivative_name(args.y, args.x, args.n)}"
        if x.dtype.kind == "M":
            title += f" (time in {args.time_unit})"
        draw_plot(args.plot, result, x, y, title, names=names, n=args.n)
    if args.json:
        print(
            json.dumps(
                {
                    "file": str(args.file),
                    "n": args.n,
                    "x": as_list(x),
                    "y_smooth": columns[f"{args.y}_smooth"].tolist(),
                    **jsonable(result),
                }
            )
        )
    elif not args.output:
        write_csv(sys.stdout, columns, delimiter)
    else:
        failed = int(np.size(result.success) - np.count_nonzero(result.success))
        print(f"{y.size} points, method {result.method}, {failed} failed; wrote {args.output}")
        if result.message:
            print(f"# {result.message}")
    return 0
