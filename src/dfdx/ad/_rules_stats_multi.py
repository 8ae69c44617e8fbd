"""Rule table: ``scipy.stats.multivariate_normal`` and ``scipy.stats.dirichlet`` densities.

Their ``logpdf``/``pdf`` methods (and ``__call__``, which freezes them) are
hooked like the univariate ones (``_rules_stats``).  SciPy's own checks run on
the plain values (same errors); the densities are then written with NumPy:

* multivariate normal: ``-(d log 2 pi + log det C + |L^-1 (x - mean)|^2) / 2``
  with the Cholesky factor ``L`` of ``C`` (SciPy uses an eigendecomposition: the
  values agree to rounding).  ``cov`` may be a scalar, a vector (diagonal) or a
  matrix.  A plain (untraced) covariance, singular ones included, goes through
  SciPy's own formula and covariance object (the same values); a traced
  singular covariance has no rule.  ``entropy`` is ``(d (log 2 pi + 1) + log det C) / 2``;
* Dirichlet: ``sum((alpha - 1) log x) - (sum gammaln(alpha) - gammaln(sum alpha))``,
  SciPy's formula, with ``x`` completed by ``1 - sum(x)`` when it has one entry fewer.

A frozen distribution with traced parameters is a small object with ``logpdf``
and ``pdf`` that calls these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.special as sc
import scipy.stats as st
import scipy.stats._multivariate as mv

from dfdx.ad._helpers import shape_of
from dfdx.ad._hooks import HOOKED, as_array, hook, is_traced, no_rule
from dfdx.ad._primitive import TracingError
from dfdx.ad._tracer import raw

__all__ = ["TracedFrozen"]

_LOG_2PI = np.log(2 * np.pi)


def _squeeze(out: Any) -> Any:
    return np.squeeze(out)


def _mvn_logpdf(
    self: Any, x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False
) -> Any:
    name = "scipy.stats.multivariate_normal.logpdf"
    if isinstance(cov, st.Covariance):
        raise TracingError(f"{name} with a Covariance object has no rule in dfdx.ad; pass cov")
    x, cov = as_array(x), as_array(cov)
    mean = None if mean is None else as_array(mean)
    dim, _, cov_object = self._process_parameters(raw(mean), raw(cov), allow_singular)
    mean = np.zeros(dim) if mean is None else np.broadcast_to(mean, (dim,))
    nx = len(shape_of(x))
    if nx == 0:
        x = np.reshape(x, (1,))
    elif nx == 1:
        x = np.reshape(x, (-1, 1) if dim == 1 else (1, -1))
    if not is_traced(cov):  # SciPy's own formula with its (plain) covariance object
        dev = x - mean
        maha = np.sum(np.square(cov_object._whiten(dev)), axis=-1)
        out = -0.5 * (cov_object.rank * _LOG_2PI + cov_object.log_pdet + maha)
        if np.any(cov_object.rank < dim):
            out = np.where(cov_object._support_mask(raw(dev)), out, -np.inf)
        return _squeeze(out)
    if np.any(cov_object.rank < dim):
        raise no_rule(name, "the entries of a singular covariance")
    nd = len(shape_of(cov))
    c = cov * np.eye(dim) if nd == 0 else np.diag(cov) if nd == 1 else cov
    if nd == 2:  # SciPy reads the lower triangle
        c = np.tril(c) + np.transpose(np.tril(c, -1))
    lo = np.linalg.cholesky(c)
    dev = x - mean
    lead = shape_of(dev)[:-1]
    z = np.linalg.solve(lo, np.transpose(np.reshape(dev, (-1, dim))))  # one matrix solve
    maha = np.reshape(np.sum(z**2, axis=0), lead)
    logdet = 2 * np.sum(np.log(np.diagonal(lo)))
    return _squeeze(-0.5 * (dim * _LOG_2PI + logdet + maha))


def _mvn_entropy(self: Any, mean: Any = None, cov: Any = 1) -> Any:
    """0.5 (d (log 2 pi + 1) + log det C) of a traced covariance (the mean plays no part)."""
    dim, _, cov_object = self._process_parameters(None if mean is None else raw(mean), raw(cov))
    if np.any(cov_object.rank < dim):
        raise no_rule("scipy.stats.multivariate_normal.entropy", "a singular covariance")
    nd = len(shape_of(cov))
    c = cov * np.eye(dim) if nd == 0 else np.diag(cov) if nd == 1 else cov
    if nd == 2:
        c = np.tril(c) + np.transpose(np.tril(c, -1))
    logdet = 2 * np.sum(np.log(np.diagonal(np.linalg.cholesky(c))))
    return 0.5 * (dim * (_LOG_2PI + 1) + logdet)


def _mvn_pdf(
    self: Any, x: Any, mean: Any = None, cov: Any = 1, allow_singular: bool = False
) -> Any:
    return np.exp(_mvn_logpdf(self, x, mean, cov, allow_singular))


def _dirichlet_logpdf(self: Any, x: Any, alpha: Any) -> Any:
    x, alpha = as_array(x), as_array(alpha)
    alpha_r = mv._dirichlet_check_parameters(raw(alpha))
    mv._dirichlet_check_input(alpha_r, raw(x))  # SciPy's checks (and errors)
    if not is_traced(x):
        x = np.asarray(x)
    if not is_traced(alpha):
        alpha = np.asarray(alpha)
    if shape_of(x)[0] != alpha_r.shape[0]:
        x = np.concatenate([x, np.expand_dims(1 - np.sum(x, 0), 0)], axis=0)
    lnb = np.sum(sc.gammaln(alpha)) - sc.gammaln(np.sum(alpha))
    xt = np.transpose(x)
    return _squeeze(-lnb + np.sum(np.transpose(sc.xlogy(alpha - 1, xt)), 0))


def _dirichlet_pdf(self: Any, x: Any, alpha: Any) -> Any:
    return np.exp(_dirichlet_logpdf(self, x, alpha))


class TracedFrozen:
    """A multivariate distribution frozen with traced parameters (``logpdf`` and ``pdf``)."""

    def __init__(self, dist: Any, **params: Any) -> None:
        self.dist = dist
        self.params = params

    def logpdf(self, x: Any) -> Any:
        return self.dist.logpdf(x, **self.params)

    def pdf(self, x: Any) -> Any:
        return self.dist.pdf(x, **self.params)


def _mvn_call(
    self: Any,
    mean: Any = None,
    cov: Any = 1,
    allow_singular: bool = False,
    seed: Any = None,
    **kw: Any,
) -> Any:
    return TracedFrozen(self, mean=mean, cov=cov, allow_singular=allow_singular)


def _dirichlet_call(self: Any, alpha: Any, seed: Any = None) -> Any:
    return TracedFrozen(self, alpha=alpha)


def _mvn_frozen(method: str) -> Any:
    def traced(self: Any, x: Any) -> Any:
        fn = _mvn_logpdf if method == "logpdf" else _mvn_pdf
        return fn(self._dist, x, self.mean, self.cov, getattr(self, "allow_singular", False))

    return traced


def _dirichlet_frozen(method: str) -> Any:
    def traced(self: Any, x: Any) -> Any:
        fn = _dirichlet_logpdf if method == "logpdf" else _dirichlet_pdf
        return fn(self._dist, x, self.alpha)

    return traced


for _m in ("logpdf", "pdf"):
    hook(
        getattr(mv.multivariate_normal_frozen, _m), f"scipy.stats.mvn_frozen.{_m}", _mvn_frozen(_m)
    )
    hook(
        getattr(mv.dirichlet_frozen, _m),
        f"scipy.stats.dirichlet_frozen.{_m}",
        _dirichlet_frozen(_m),
    )
    HOOKED.difference_update({f"scipy.stats.mvn_frozen.{_m}", f"scipy.stats.dirichlet_frozen.{_m}"})

_GEN = {"multivariate_normal": mv.multivariate_normal_gen, "dirichlet": mv.dirichlet_gen}
_TRACED: dict[str, dict[str, Callable[..., Any]]] = {
    "multivariate_normal": {
        "logpdf": _mvn_logpdf,
        "pdf": _mvn_pdf,
        "entropy": _mvn_entropy,
        "__call__": _mvn_call,
    },
    "dirichlet": {"logpdf": _dirichlet_logpdf, "pdf": _dirichlet_pdf, "__call__": _dirichlet_call},
}

for _d, _methods in _TRACED.items():
    for _m, _fn in _methods.items():
        hook(getattr(_GEN[_d], _m), f"scipy.stats.{_d}.{_m}", _fn)
    HOOKED.discard(f"scipy.stats.{_d}.__call__")
