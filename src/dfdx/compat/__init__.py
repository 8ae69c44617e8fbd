"""Drop-in replacements for removed SciPy helpers, to ease migration.

``misc_derivative`` reproduces ``scipy.misc.derivative`` (removed in SciPy
1.12) exactly, so old code keeps its numbers; its docstring shows the move to
:func:`dfdx.numeric.derivative`.
"""

from dfdx.compat._misc import misc_derivative

__all__ = ["misc_derivative"]
