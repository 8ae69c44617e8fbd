"""Derivatives of sampled data on uniform, non-uniform and N-D grids.

Not built yet: this subpackage is reserved for the grid engine (issue 5).
"""

__all__: list[str] = []
