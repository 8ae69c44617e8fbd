"""The ``dfdx`` command-line tool (``dfdx`` or ``python -m dfdx``)."""

from dfdx.cli._main import build_parser, main

__all__ = ["build_parser", "main"]
