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
from dfdx.cli._io import UserError, as_list, read_table, select_column, write_csv, write_table

DEMO_EXPRESSION = "exp(-t/3) * sin(2*t)"


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
                    "expression": args.expression.strip(),
                    "n": args.n,
                    "x": x.tolist(),
                    "value": values.tolist(),
                    **_jsonable(result),
                }
            )
        )
        return 0
    label = "df/dx" if args.n == 1 else f"d{args.n}f/dx{args.n}"
    print(f"{'x':>14} {'f(x)':>22} {label:>24} {'error':>10}  method")
    methods = _point_methods(result, x.shape)
    for xi, fi, di, ei, ok, how in zip(
        x, values, result.df, result.error, result.success, methods, strict=True
    ):
        flag = "" if ok else "  (failed)"
        print(f"{_num(xi):>14} {_num(fi):>22} {_num(di):>24} {ei:10.2g}  {how}{flag}")
    if result.message:
        print(f"# {result.message}")
    return 0


def _num(value: Any) -> str:
    """The shortest text that reads back to the same float."""
    return repr(float(value))


def _point_methods(result: Any, shape: tuple[int, ...]) -> list[str]:
    """Per point: "ad", or "numeric" where a failed AD point was retried numerically."""
    retried = np.broadcast_to(result.params.get("retried", False), shape)
    return ["numeric (retry)" if r else result.method for r in retried.tolist()]


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


def _output_columns(
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


def _plot(path: str, result: Any, x: np.ndarray, y: np.ndarray, title: str, **kw: Any) -> bool:
    """Draw the plot; False (and a note) when matplotlib is missing."""
    try:
        from dfdx import plot

        plot.derivative(result, x, y, title=title, path=path, **kw)
    except ImportError as exc:
        raise UserError(str(exc)) from None
    return True


def _delimiter(text: str) -> str:
    value = {"\\t": "\t", "tab": "\t", "space": " "}.get(text, text)
    if len(value) != 1:
        raise UserError(f"--delimiter must be one character (or tab), got {text!r}")
    return value


def _cmd_data(args: argparse.Namespace) -> int:
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
    columns = _output_columns(x, y, result, names, args.n)
    if args.output:
        write_table(args.output, columns, delimiter)
    if args.plot:
        title = f"{Path(args.file).name}: {_derivative_name(args.y, args.x, args.n)}"
        if x.dtype.kind == "M":
            title += f" (time in {args.time_unit})"
        _plot(args.plot, result, x, y, title, names=names, n=args.n)
    if args.json:
        print(
            json.dumps(
                {
                    "file": str(args.file),
                    "n": args.n,
                    "x": as_list(x),
                    "y_smooth": columns[f"{args.y}_smooth"].tolist(),
                    **_jsonable(result),
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


def _has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _cmd_demo(args: argparse.Namespace) -> int:
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
    columns = _output_columns(t, y, noisy, ("time", "position"), 1)
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
        _plot(
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


_EVAL_FLAGS = ("--at", "--n", "--method", "--json", "-h", "--help")


def _protect_leading_minus(argv: list[str]) -> list[str]:
    """``dfdx eval "-x**2"``: an expression starting with a minus is not an option.

    argparse reads any argument starting with "-" as an option; the
    expression gets a leading space instead (ignored by the parser).
    Negative numbers after ``--at`` are left alone.
    """
    if not argv or argv[0] != "eval":
        return argv
    out = [argv[0]]
    for tok in argv[1:]:
        flag = tok.split("=", 1)[0]
        if tok.startswith("-") and flag not in _EVAL_FLAGS and not _is_number(tok):
            tok = " " + tok
        out.append(tok)
    return out


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


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
    p_data.add_argument(
        "--delimiter", default=",", help="CSV field separator (default ','; 'tab' for tabs)"
    )
    p_data.add_argument(
        "--dropna",
        action="store_true",
        help="drop rows with a missing or non-finite x or y (default: stop with an error)",
    )
    p_data.add_argument(
        "--duplicates",
        choices=("error", "mean"),
        default="error",
        help="repeated x values: stop with an error (default) or average their y",
    )
    p_data.add_argument(
        "--time-unit",
        default="s",
        choices=("ns", "us", "ms", "s", "min", "h", "D"),
        help="for an ISO-8601 time column x: the derivative is per this unit (default s)",
    )
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
                 x                   f(x)                    df/dx      error  method
               5.0                   26.0                     10.0          0  ad
    # exact to rounding: automatic differentiation
    0
    """
    parser = build_parser()
    args = parser.parse_args(_protect_leading_minus(list(sys.argv[1:] if argv is None else argv)))
    if getattr(args, "n", 0) < 0:
        parser.error(f"--n must be a non-negative integer, got {args.n}")
    try:
        return args.run(args)
    except (UserError, ValueError, TypeError) as exc:
        line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"dfdx: error: {line}", file=sys.stderr)
        return 1
