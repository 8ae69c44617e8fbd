"""Safe parsing of math expressions for the command line: an allow-list, no ``eval``.

An expression such as ``"x**2 + sin(3*x)"`` is parsed with :mod:`ast`, checked
node by node against an allow-list of operators, names and NumPy functions, and
turned into a Python function that walks the tree.  Nothing else is reachable:
no attribute access, subscripts, comprehensions, lambdas or keyword arguments.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["FUNCTIONS", "ExpressionError", "parse_expression"]


class ExpressionError(ValueError):
    """An expression that is not valid or uses something outside the allow-list."""


_NUMPY_NAMES = (
    "sin cos tan arcsin arccos arctan arctan2 sinh cosh tanh arcsinh arccosh arctanh "
    "exp exp2 expm1 log log2 log10 log1p sqrt cbrt abs absolute sign hypot "
    "maximum minimum power square reciprocal floor ceil"
)
FUNCTIONS: dict[str, Callable[..., Any]] = {
    name: getattr(np, name) for name in _NUMPY_NAMES.split()
}
FUNCTIONS.update({"asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "ln": np.log})
#: scipy.special functions (all differentiable by dfdx.ad).
SPECIAL_NAMES = (
    "erf erfc erfcx erfinv erfcinv gamma gammaln loggamma digamma psi rgamma beta betaln "
    "expit logit log_expit ndtr ndtri log_ndtr dawsn j0 j1 y0 y1 i0 i1 i0e i1e k0 k1 "
    "jv yv iv kv exp1 expi xlogy xlog1py entr spence"
)


def _special() -> dict[str, Callable[..., Any]]:
    from scipy import special

    return {name: getattr(special, name) for name in SPECIAL_NAMES.split()}


FUNCTIONS.update(_special())
FUNCTIONS["lgamma"] = FUNCTIONS["gammaln"]
CONSTANTS = {"pi": np.pi, "e": np.e, "inf": np.inf}

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.Mod: operator.mod,
}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}


def _compile(node: ast.AST, var: str) -> Callable[[Any], Any]:
    """Turn one checked AST node into a closure of the variable."""
    if isinstance(node, ast.Expression):
        return _compile(node.body, var)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ExpressionError(f"only numbers are allowed as constants, got {node.value!r}")
        value = np.float64(node.value)  # floats: no unbounded integer powers
        return lambda x: value
    if isinstance(node, ast.Name):
        if node.id == var:
            return lambda x: x
        if node.id in CONSTANTS:
            const = CONSTANTS[node.id]
            return lambda x: const
        raise ExpressionError(
            f"unknown name {node.id!r}; the variable is {var!r}, constants are "
            f"{', '.join(CONSTANTS)}"
        )
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        op = _BINARY[type(node.op)]
        left, right = _compile(node.left, var), _compile(node.right, var)
        return lambda x: op(left(x), right(x))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        op = _UNARY[type(node.op)]
        inner = _compile(node.operand, var)
        return lambda x: op(inner(x))
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            shown = ast.unparse(node.func)
            raise ExpressionError(
                f"function {shown!r} is not allowed; allowed: {', '.join(sorted(FUNCTIONS))}"
            )
        if node.keywords:
            raise ExpressionError("keyword arguments are not allowed in expressions")
        func = FUNCTIONS[node.func.id]
        args = [_compile(a, var) for a in node.args]
        return lambda x: func(*(a(x) for a in args))
    raise ExpressionError(
        f"{type(node).__name__} is not allowed in expressions: {ast.unparse(node)}"
    )


def parse_expression(text: str, var: str = "x") -> Callable[[Any], Any]:
    """Parse ``text`` into a function of ``var`` using only allow-listed operations.

    Parameters
    ----------
    text : str
        An arithmetic expression in ``var`` with ``+ - * / ** %``, numbers, the
        constants ``pi``, ``e``, ``inf`` and the functions in ``FUNCTIONS``.
        ``^`` is accepted as a power.
    var : str
        Name of the variable.

    Returns
    -------
    callable
        ``f(x)``, evaluated with NumPy (so it also accepts arrays and traced values).

    Raises
    ------
    ExpressionError
        For a syntax error or anything outside the allow-list.

    Examples
    --------
    >>> from dfdx.cli._expr import parse_expression
    >>> f = parse_expression("x**2 + 1")
    >>> float(f(5.0))
    26.0
    >>> parse_expression("__import__('os')")
    Traceback (most recent call last):
    ...
    dfdx.cli._expr.ExpressionError: function '__import__' is not allowed; ...
    """
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("the expression is empty")
    if len(text) > 2000:
        raise ExpressionError("the expression is too long (more than 2000 characters)")
    try:
        tree = ast.parse(text.replace("^", "**").strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"invalid expression {text!r}: {exc.msg}") from None
    return _compile(tree, var)
