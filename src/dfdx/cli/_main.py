"""The ``dfdx`` command line: ``eval``, ``data`` and ``demo``.

Exit status: 0 on success, 1 for a problem with the input (one line on
standard error naming it), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np

import dfdx
from dfdx.cli._data import cmd_data, jsonable
from dfdx.cli._demo import cmd_demo
from dfdx.cli._expr import ExpressionError, parse_expression
from dfdx.cli._io import UserError, is_number


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
                    **jsonable(result),
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
        if tok.startswith("-") and flag not in _EVAL_FLAGS and not is_number(tok):
            tok = " " + tok
        out.append(tok)
    return out


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
    p_data.set_defaults(run=cmd_data)

    p_demo = sub.add_parser("demo", help="run end to end on the shipped sample data")
    p_demo.add_argument("--out-dir", default=".", help="where to write the table and plot")
    p_demo.add_argument("--no-plot", action="store_true", help="skip the plot")
    p_demo.add_argument("--json", action="store_true", help="JSON output for scripts")
    p_demo.set_defaults(run=cmd_demo)
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
