"""Automatic differentiation of plain NumPy code (forward and reverse mode).

Not built yet: this subpackage is reserved for the tracing engine (issue 4).
"""

__all__: list[str] = []
