"""Plots of derivative results (needs matplotlib: ``pip install "dfdx[plot]"``)."""

from dfdx.plot._derivative import derivative

__all__ = ["derivative"]
