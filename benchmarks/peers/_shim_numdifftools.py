"""numdifftools' API implemented with dfdx (for running numdifftools' tests).

``Derivative``, ``Gradient``, ``Jacobian``, ``Hessdiag``, ``Hessian`` and
``directionaldiff`` call ``dfdx.numeric``.  Mapping: ``method`` 'complex' and
'multicomplex' -> dfdx's complex step where dfdx has one (first
derivatives, gradients, Jacobians, Hessians; otherwise central
differences), 'central2' -> 'central'; ``step``, ``order`` and the step
options tune numdifftools' own step sequence and rule and are ignored,
except a ``MaxStepGenerator``'s ``base_step`` (the largest step: the scale of
the function's features), which becomes what dfdx's guide recommends for it:
the variables rescaled by that step.
``full_output=True`` returns an object with ``estimate`` and
``error_estimate`` (and ``final_step=None``: dfdx adapts per point).
numdifftools' helpers (step generators, test functions) are re-exported.
"""

from __future__ import annotations

import _peerlog
import numpy as np
from numdifftools._typing import EstimateResult
from numdifftools.core import MaxStepGenerator, MinStepGenerator  # noqa: F401 (re-exported)

from dfdx import numeric


def Info(estimate, error):
    return EstimateResult(estimate, error, None, None)


def _points(x):
    """``x`` as an array, integers as floats (complex points stay complex)."""
    x = np.asarray(x)
    return x.astype(float) if x.dtype.kind in "iub" else x


def _method(method, allow_complex=True):
    if method in ("complex", "multicomplex"):
        return "complex" if allow_complex else "central"
    if method == "central2":
        return "central"
    if method in ("central", "forward", "backward"):
        return method
    raise ValueError(f"method {method!r} not known to the shim")


class _Base:
    def __init__(self, fun, step=None, method="central", order=2, n=1, full_output=False, **kw):
        self.fun, self.step, self.method, self.order = fun, step, method, order
        self.n, self.full_output = n, full_output

    order = 1  # of the derivative in x (for the rescaling)

    def __call__(self, x, *args, **kwargs):
        s = self.step.base_step if isinstance(self.step, MaxStepGenerator) else 1.0
        fun = self.fun
        if s != 1.0:
            self.fun = lambda u, *a, **k: fun(u * s, *a, **k)
        try:
            res = self._compute(_points(x) / s, args, kwargs)
        finally:
            self.fun = fun
        _peerlog.record(res.success)
        k = self.n if isinstance(self, Derivative) else self.order
        est = self._shape(np.asarray(res.df) / s**k, np.asarray(x))
        if self.full_output:
            return Info(est, self._shape(np.asarray(res.error) / s**k, np.asarray(x)))
        return est

    @staticmethod
    def _shape(a, x):
        return a

    def _g(self, args, kwargs):
        return lambda w: self.fun(w, *args, **kwargs)


class Derivative(_Base):
    def __call__(self, x, *args, **kwargs):
        if self.n == 0:
            y = self.fun(_points(x), *args, **kwargs)
            return Info(y, np.zeros_like(y)) if self.full_output else y
        return super().__call__(x, *args, **kwargs)

    def _compute(self, x, args, kwargs):
        method = _method(self.method, allow_complex=self.n == 1)
        return numeric.derivative(self.fun, x, n=self.n, method=method, args=args, kwargs=kwargs)


class Gradient(_Base):
    def _compute(self, x, args, kwargs):  # (jacobian: f of one variable may return (1,))
        x1 = np.atleast_1d(x)
        return numeric.jacobian(self._g(args, kwargs), x1, method=_method(self.method))

    @staticmethod
    def _shape(a, x):
        return a.squeeze()


class Jacobian(_Base):
    def _compute(self, x, args, kwargs):
        x1 = np.atleast_1d(x)
        return numeric.jacobian(self._g(args, kwargs), x1, method=_method(self.method))

    @staticmethod
    def _shape(a, x):
        if a.size == 1:
            return a.squeeze()
        return a[None] if a.ndim == 1 else a  # numdifftools: (1, m) for a scalar f


class Hessdiag(_Base):
    order = 2

    def _compute(self, x, args, kwargs):
        x1 = np.atleast_1d(x)
        return numeric.hessdiag(self._g(args, kwargs), x1, method=_method(self.method))

    @staticmethod
    def _shape(a, x):
        return a.squeeze()


class Hessian(_Base):
    order = 2

    def _compute(self, x, args, kwargs):
        x1 = np.atleast_1d(x)
        return numeric.hessian(self._g(args, kwargs), x1, method=_method(self.method))

    @staticmethod
    def _shape(a, x):
        return a.squeeze()


def directionaldiff(f, x0, vec, **options):
    full = options.pop("full_output", False)
    v = np.asarray(vec, dtype=float)
    res = numeric.directional(f, _points(x0), v / np.linalg.norm(v))
    _peerlog.record(res.success)
    return Info(res.df, res.error) if full else res.df
