"""Derivatives of sampled data on uniform, non-uniform and N-D grids.

``diff`` differentiates along one axis with finite differences of any order
and accuracy (one-sided at the edges, so the order holds everywhere), by FFT
or through an interpolating spline.  ``gradient``, ``laplacian``,
``divergence`` and ``curl`` work on N-D fields; ``Diff`` objects compose into
operators and give the matching ``scipy.sparse`` matrix.  NumPy arrays,
``datetime64`` coordinates, xarray DataArrays, dask arrays (lazily, chunk by
chunk) and array-API arrays are accepted.
"""

from dfdx.grid._diff import diff
from dfdx.grid._operators import Diff, Operator
from dfdx.grid._vector import curl, divergence, gradient, laplacian

__all__ = ["Diff", "Operator", "curl", "diff", "divergence", "gradient", "laplacian"]
