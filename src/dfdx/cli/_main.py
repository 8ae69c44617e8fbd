"""The ``dfdx`` command line: ``eval``, ``data`` and ``demo``.

Exit status: 0 on success, 1 for a problem with the input (one line on
standard error naming it), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

import dfdx
from dfdx.cli._expr import ExpressionError, parse_expression
from dfdx.cli._io import UserError, read_table, select_column, write_csv, write_table

DEMO_EXPRESSION = "exp(-x/3) * sin(2*x)"


def _points(values: list[str]) -> np.ndarray:
    out = []
    for item in values:
        for part in item.split(","):
            if part.strip():
                try:
                    out.append(float(part))
                except ValueError:
                    raise UserError(f"--at: {part.strip()!r} is not a number") from None
    if not out:
        raise UserError("--at: give at least one point")
    return np.array(out)


def _jsonable(result: Any) -> dict[str, Any]:
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


def _cmd_eval(args: argparse.Namespace) -> int:
    try:
        func = parse_expression(args.expression)
    except ExpressionError as exc:
        raise UserError(str(exc)) from None
    x = _points(args.at)
    with np.errstate(all="ignore"):
        values = np.broadcast_to(np.asarray(func(x), dtype=float), x.shape)
        result = dfdx.derivative(func, x, n=args.n, method=args.method)
    if args.json:
        print(
            json.dumps(
                {
                    "expression": args.expression,
                    "n": args.n,
                    "x": x.tolist(),
                    "value": values.tolist(),
                    **_jsonable(result),
                }
            )
        )
        return 0
    head = f"{'x':>14} {'f(x)':>22} {f'd{args.n}f/dx{args.n}':>24} {'error':>10}  method"
    print(head)
    for xi, fi, di, ei, ok in zip(x, values, result.df, result.error, result.success, strict=True):
        flag = "" if ok else "  (failed)"
        print(f"{xi:14.8g} {fi:22.16g} {di:24.16g} {ei:10.2g}  {result.method}{flag}")
    if result.message:
        print(f"# {result.message}")
    return 0


def _derive_columns(x: np.ndarray, y: np.ndarray, args: argparse.Namespace) -> Any:
    if x.size != y.size:
        raise UserError("the x and y columns differ in length")
    steps = np.diff(x)
    if np.any(steps == 0):
        raise UserError(f"x column {args.x!r} has duplicated values")
    if np.any(steps < 0):
        raise UserError(f"x column {args.x!r} is not sorted increasing")
    if y.size < 5:
        raise UserError(f"too few points: {y.size} rows, at least 5 are needed")
    return dfdx.derivative(y, x, n=args.n, method=args.method)


def _output_columns(x: np.ndarray, y: np.ndarray, result: Any) -> dict[str, np.ndarray]:
    smooth = y if result.y_smooth is None else np.asarray(result.y_smooth)
    return {
        "x": x,
        "y": y,
        "y_smooth": smooth,
        "derivative": np.asarray(result.df),
        "error": np.asarray(result.error),
        "success": np.asarray(result.success, dtype=float),
    }


def _plot(path: str, result: Any, x: np.ndarray, y: np.ndarray, title: str, **kw: Any) -> None:
    try:
        from dfdx import plot
    except ImportError as exc:
        raise UserError(str(exc)) from None
    try:
        plot.derivative(result, x, y, title=title, path=path, **kw)
    except ImportError as exc:
        raise UserError(str(exc)) from None


def _cmd_data(args: argparse.Namespace) -> int:
    table = read_table(args.file)
    y = select_column(table, args.y, "y")
    x = np.arange(y.size, dtype=float) if args.x is None else select_column(table, args.x, "x")
    result = _derive_columns(x, y, args)
    columns = _output_columns(x, y, result)
    if args.output:
        write_table(args.output, columns)
    if args.plot:
        _plot(args.plot, result, x, y, f"{Path(args.file).name}: d{args.n}y/dx{args.n}")
    if args.json:
        print(
            json.dumps(
                {
                    "file": str(args.file),
                    "n": args.n,
                    "x": x.tolist(),
                    "y_smooth": columns["y_smooth"].tolist(),
                    **_jsonable(result),
                }
            )
        )
    elif not args.output:
        write_csv(sys.stdout, columns)
    else:
        failed = int(np.size(result.success) - np.count_nonzero(result.success))
        print(f"{y.size} points, method {result.method}, {failed} failed; wrote {args.output}")
        if result.message:
            print(f"# {result.message}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    source = resources.files("dfdx") / "data" / "damped_oscillator.csv"
    with resources.as_file(source) as path:
        table = read_table(path)
    t, y = table["time"], table["position"]
    func = parse_expression(DEMO_EXPRESSION)
    noisy = dfdx.derivative(y, t)
    exact = dfdx.derivative(func, t)
    rmse = float(np.sqrt(np.mean((np.asarray(noisy.df) - np.asarray(exact.df)) ** 2)))
    columns = _output_columns(t, y, noisy)
    columns["exact_derivative"] = np.asarray(exact.df)
    write_table(out / "dfdx-demo.csv", columns)
    summary = {
        "data": "damped_oscillator.csv (400 noisy samples, irregular times)",
        "function": DEMO_EXPRESSION,
        "noisy_method": noisy.method,
        "noisy_message": noisy.message,
        "exact_method": exact.method,
        "rmse_vs_exact": rmse,
        "table": str(out / "dfdx-demo.csv"),
    }
    if not args.no_plot:
        title = f"dfdx demo: d/dt of {DEMO_EXPRESSION}"
        _plot(str(out / "dfdx-demo.png"), noisy, t, y, title, reference=exact.df)
        summary["plot"] = str(out / "dfdx-demo.png")
    if args.json:
        print(json.dumps(summary))
        return 0
    print(f"Derivative of noisy samples ({summary['data']}):")
    print(f"  method {noisy.method}: RMSE {rmse:.3g} against the exact derivative")
    print(f"  ({noisy.message})")
    print(f"Exact derivative of f(x) = {DEMO_EXPRESSION} by method {exact.method}.")
    for key in ("table", "plot"):
        if key in summary:
            print(f"wrote {summary[key]}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``dfdx`` command.

    Examples
    --------
    >>> from dfdx.cli import build_parser
    >>> args = build_parser().parse_args(["eval", "x**2", "--at", "1", "2"])
    >>> args.command, args.at, args.n
    ('eval', ['1', '2'], 1)
    """
    parser = argparse.ArgumentParser(
        prog="dfdx", description="Derivatives of expressions and data, with error estimates."
    )
    parser.add_argument("--version", action="version", version=f"dfdx {dfdx.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p_eval = sub.add_parser("eval", help="derivative of an expression in x at points")
    p_eval.add_argument("expression", help='e.g. "x**2 + sin(x)"')
    p_eval.add_argument("--at", nargs="+", required=True, help="points, e.g. --at 0.5 1,2")
    p_eval.add_argument("--n", type=int, default=1, help="derivative order (default 1)")
    p_eval.add_argument(
        "--method",
        default="auto",
        choices=dfdx.CALLABLE_METHODS,
        metavar="METHOD",
        help="auto (default: automatic differentiation, else numerical), ad, numeric, "
        "central, forward, backward or complex",
    )
    p_eval.add_argument("--json", action="store_true", help="JSON output for scripts")
    p_eval.set_defaults(run=_cmd_eval)

    p_data = sub.add_parser("data", help="derivative of a column of a data file")
    p_data.add_argument("file", help="CSV (header optional), .npy, .npz or Parquet")
    p_data.add_argument("--x", help="coordinate column (default: the row number)")
    p_data.add_argument("--y", required=True, help="data column")
    p_data.add_argument(
        "--method",
        default="auto",
        choices=dfdx.ARRAY_METHODS,
        metavar="METHOD",
        help="auto (default: noise test decides); fd, spectral, spline for clean data; "
        "savgol, tv, tikhonov, kalman, noisy or noisy:<method> for noisy data",
    )
    p_data.add_argument("--n", type=int, default=1, help="derivative order (default 1)")
    p_data.add_argument("-o", "--output", help="output file (.csv, .npz, .json)")
    p_data.add_argument("--plot", help="write a plot (e.g. out.png)")
    p_data.add_argument("--json", action="store_true", help="JSON output for scripts")
    p_data.set_defaults(run=_cmd_data)

    p_demo = sub.add_parser("demo", help="run end to end on the shipped sample data")
    p_demo.add_argument("--out-dir", default=".", help="where to write the table and plot")
    p_demo.add_argument("--no-plot", action="store_true", help="skip the plot")
    p_demo.add_argument("--json", action="store_true", help="JSON output for scripts")
    p_demo.set_defaults(run=_cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit status.

    Examples
    --------
    >>> from dfdx.cli import main
    >>> main(["eval", "x**2 + 1", "--at", "5", "--method", "ad"])  # doctest: +NORMALIZE_WHITESPACE
                 x                   f(x)                   d1f/dx1      error  method
                 5                     26                        10          0  ad
    # exact to rounding: automatic differentiation
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "n", 0) < 0:
        parser.error(f"--n must be a non-negative integer, got {args.n}")
    try:
        return args.run(args)
    except (UserError, ValueError, TypeError) as exc:
        line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"dfdx: error: {line}", file=sys.stderr)
        return 1
