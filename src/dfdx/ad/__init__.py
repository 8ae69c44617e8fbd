"""Automatic differentiation of plain NumPy code: forward and reverse mode, any order.

Functions written with ``import numpy as np`` (and ``scipy.special`` ufuncs)
are differentiated unchanged: arguments are replaced by traced arrays that
take part in NumPy's dispatch protocols.  Derivative rules live in one table
per family (``_rules_elementwise``, ``_rules_reductions``, ``_rules_shape``,
``_rules_linalg``, ``_rules_special``, ``_rules_scipy`` for SciPy's Python
functions ``logsumexp``/``softmax``/``log_softmax``, which importing this
package hooks; ``scipy.linalg``, ``scipy.signal`` and ``scipy.stats`` are hooked
when they are imported, see ``_hooks``); extend them with :func:`primitive`,
:func:`defjvp` and :func:`defvjp`.  Whenever a computation cannot be traced
exactly, :class:`TracingError` (a ``TypeError``) is raised, never a silently
wrong derivative.
"""

from dfdx.ad import (  # noqa: F401 - importing the rule tables registers their rules
    _objects,
    _rules_eig,
    _rules_elementwise,
    _rules_fft,
    _rules_fft_real,
    _rules_indexing,
    _rules_linalg,
    _rules_norms,
    _rules_numpy_more,
    _rules_numpy_stats,
    _rules_products,
    _rules_reductions,
    _rules_scipy,
    _rules_shape,
    _rules_special,
    _rules_special_more,
    _ufunc_dispatch,
)
from dfdx.ad._api import grad, jvp, value_and_grad, vjp
from dfdx.ad._hooks import install_lazy_rules
from dfdx.ad._jacobian import hessian, hvp, jacobian
from dfdx.ad._objects import asarray
from dfdx.ad._primitive import TracingError, defjvp, defvjp, primitive
from dfdx.ad._registry import supported_functions
from dfdx.ad._sparse import hessian_sparsity, jacobian_sparsity
from dfdx.ad._sparse_hessian import SparseHessian, sparse_hessian
from dfdx.ad._sparse_jacobian import SparseJacobian, sparse_jacobian
from dfdx.ad._taylor import derivative
from dfdx.ad._tracer import PerformanceWarning, Tracer

install_lazy_rules()  # scipy.linalg, scipy.signal, scipy.stats: hooked when imported

__all__ = [
    "PerformanceWarning",
    "SparseHessian",
    "SparseJacobian",
    "Tracer",
    "TracingError",
    "asarray",
    "defjvp",
    "defvjp",
    "derivative",
    "grad",
    "hessian",
    "hessian_sparsity",
    "hvp",
    "jacobian",
    "jacobian_sparsity",
    "jvp",
    "primitive",
    "sparse_hessian",
    "sparse_jacobian",
    "supported_functions",
    "value_and_grad",
    "vjp",
]
