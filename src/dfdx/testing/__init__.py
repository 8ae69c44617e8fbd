"""Public checkers for derivative code: observed convergence order, gradient checks."""

from dfdx.testing._check_grads import check_grads
from dfdx.testing._order import observed_order

__all__ = ["check_grads", "observed_order"]
