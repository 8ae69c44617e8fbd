"""Public checkers for derivative code: observed convergence order and more."""

from dfdx.testing._order import observed_order

__all__ = ["observed_order"]
