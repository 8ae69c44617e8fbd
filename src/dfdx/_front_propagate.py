"""Uncertainty propagation, ``cov_y = J cov J^T``, and SciPy's ``hessp``.

``propagate`` is the linear (first-order) propagation of a covariance through
a function, the job jacobi's ``propagate`` and the uncertainties package do:
the Jacobian comes from automatic differentiation when ``f`` traces (exact
to rounding) and from :func:`dfdx.numeric.jacobian` otherwise, whose error
estimate is carried into an error estimate of ``cov_y``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Propagation", "hessp", "propagate"]


@dataclass(frozen=True)
class Propagation:
    """The result of :func:`propagate`; unpacks as ``y, cov = ...``.

    Attributes
    ----------
    y : ndarray
        ``f(x)``.
    cov : ndarray
        Covariance of ``y``: shape ``y.shape * 2`` (a 0-D variance for scalar ``f``).
    error : ndarray
        Estimated absolute error of each entry of ``cov`` (zeros when the
        Jacobian is exact to rounding).
    jacobian : ndarray
        The Jacobian used, shape ``(*y.shape, *x.shape)``.
    method : str
        ``"ad"`` or ``"numeric"``.
    message : str
        How the Jacobian was computed (and why not by automatic
        differentiation, when it was not).
    """

    y: np.ndarray
    cov: np.ndarray
    error: np.ndarray
    jacobian: np.ndarray
    method: str
    message: str = ""
    params: dict = field(default_factory=dict)

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter((self.y, self.cov))


def _covariance(cov: Any, m: int) -> np.ndarray:
    """``cov`` as an (m, m) matrix: a 1-D array (or scalar) of variances is its diagonal."""
    c = np.asarray(cov)
    if c.dtype.kind not in "biuf":
        raise TypeError(f"`cov` must be an array of real numbers, got dtype {c.dtype}")
    c = c.astype(float)
    if c.ndim == 0 and m == 1:
        c = c.reshape(1)
    if c.ndim == 1:
        if c.size != m:
            raise ValueError(f"`cov` as variances must have {m} entries (one per x), got {c.size}")
        c = np.diag(c)
    if c.shape != (m, m):
        raise ValueError(
            f"`cov` must be a ({m}, {m}) covariance matrix or {m} variances, got shape {c.shape}"
        )
    if not np.all(np.isfinite(c)):
        raise ValueError("`cov` must contain only finite values")
    if not np.allclose(c, c.T, rtol=1e-12, atol=0.0):
        raise ValueError("`cov` must be symmetric")
    scale = float(np.max(np.abs(c))) if c.size else 0.0
    if m and np.min(np.linalg.eigvalsh(c)) < -1e-12 * max(scale, 1e-300) * m:
        raise ValueError("`cov` must be positive semi-definite (it has a negative eigenvalue)")
    return c


def _jacobian(f: Callable, xs: np.ndarray, args: tuple, method: str, options: dict) -> tuple:
    """``(y, J, J_error, method, message)``: by automatic differentiation, else numerically."""
    reason = "method='numeric' given"
    if method in ("auto", "ad"):
        from dfdx import ad

        try:
            with np.errstate(all="ignore"):
                jac = np.asarray(ad.jacobian(f)(xs, *args))
                y = np.asarray(f(xs, *args))
            if np.all(np.isfinite(jac)) or method == "ad":
                zero = np.zeros(jac.shape)
                return y, jac, zero, "ad", "Jacobian by automatic differentiation (exact)"
            reason = "automatic differentiation gave NaN or inf"
        except Exception as exc:  # does not trace: numerically, and say why
            if method == "ad":
                raise
            reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
    from dfdx import numeric

    options = {"vectorized": False, **options}
    r = numeric.jacobian(f, xs, args=args, **options)
    y = np.asarray(f(xs, *args))
    failed = int(np.size(r.success) - np.count_nonzero(r.success))
    message = (
        f"Jacobian by numerical differentiation (automatic differentiation not used: "
        f"{reason}); error of cov estimated from the Jacobian's error estimate"
    )
    if failed:
        message += f"; {failed} Jacobian entries did not converge (see error)"
    return y, np.asarray(r.df), np.asarray(r.error), "numeric", message


def propagate(
    f: Callable, x: Any, cov: Any, *, args: tuple = (), method: str = "auto", **options: Any
) -> Propagation:
    """Propagate the covariance of ``x`` through ``f``: ``cov_y = J cov J^T``.

    Parameters
    ----------
    f : callable
        ``f(x, *args)``, scalar or array valued, of a scalar or 1-D ``x``.
    x : float or array_like, shape (m,)
        The point (the mean of the inputs).
    cov : float or array_like, shape (m,) or (m, m)
        Covariance matrix of ``x``, or a 1-D array of variances (a diagonal
        covariance: independent inputs).
    args : tuple, optional
        Extra arguments of ``f``, not propagated.
    method : {"auto", "ad", "numeric"}, optional
        How to get the Jacobian: automatic differentiation when ``f`` traces
        (``"auto"``, the default), only that (``"ad"``), or
        :func:`dfdx.numeric.jacobian` (``"numeric"``).
    **options
        Passed to :func:`dfdx.numeric.jacobian` (e.g. ``rtol=``; ``f`` is
        called point by point unless ``vectorized=True`` is given).

    Returns
    -------
    Propagation
        Unpacks as ``y, cov_y``; also carries ``error`` (the estimated error
        of ``cov_y``, zeros for an exact Jacobian), ``jacobian``, ``method``
        and ``message``.  For a scalar ``f``, ``cov_y`` is the 0-D variance.

    Raises
    ------
    ValueError
        If ``x`` is not a scalar or 1-D, ``cov`` is not a symmetric positive
        semi-definite matrix of the matching size (or variances), or
        ``method`` is unknown.
    TypeError
        If ``f`` is not callable.

    Notes
    -----
    This is first-order propagation: exact for ``f`` linear in ``x``, an
    approximation otherwise (good when ``f`` is close to linear over a few
    standard deviations).  With a numerical Jacobian ``J + dJ`` the error of
    ``cov_y`` is estimated by ``|dJ| |cov| |J|^T + |J| |cov| |dJ|^T +
    |dJ| |cov| |dJ|^T``.

    Examples
    --------
    >>> import numpy as np
    >>> import dfdx
    >>> y, cov_y = dfdx.propagate(lambda v: v[0] * v[1], [2.0, 3.0], [0.1**2, 0.2**2])
    >>> float(y), round(float(cov_y), 12)   # 3**2 0.1**2 + 2**2 0.2**2
    (6.0, 0.25)
    >>> r = dfdx.propagate(lambda v: np.stack([v[0] + v[1], v[0] - v[1]]), [1.0, 1.0], [1.0, 4.0])
    >>> r.cov.tolist(), r.method
    ([[5.0, -3.0], [-3.0, 5.0]], 'ad')
    """
    from dfdx._core.validate import check_choice

    if not callable(f):
        raise TypeError(f"`f` must be callable, got {type(f).__name__}")
    check_choice(method, "method", ("auto", "ad", "numeric"))
    xs = np.asarray(x)
    if xs.dtype.kind not in "biuf":
        raise TypeError(f"`x` must be real numbers, got dtype {xs.dtype}")
    xs = xs.astype(float)
    if xs.ndim > 1:
        raise ValueError(f"`x` must be a scalar or 1-D, got shape {xs.shape}")
    m = max(xs.size, 1)
    c = _covariance(cov, m)
    y, jac, jerr, used, message = _jacobian(f, xs, tuple(args), method, options)
    out = y.shape
    J = jac.reshape(-1, m)
    dJ = np.abs(jerr.reshape(-1, m))
    cov_y = J @ c @ J.T
    cov_y = 0.5 * (cov_y + cov_y.T)  # symmetric to the last bit
    ac = np.abs(c)
    aJ = np.abs(J)
    err = dJ @ ac @ aJ.T
    err = err + err.T + dJ @ ac @ dJ.T
    shape = out + out
    return Propagation(
        y=y,
        cov=cov_y.reshape(shape),
        error=err.reshape(shape),
        jacobian=jac,
        method=used,
        message=message,
        params={"method": method},
    )


def hessp(f: Callable) -> Callable:
    """Hessian-vector products in SciPy's form, ``hessp(x, p, *args) = H(x) @ p``.

    For ``scipy.optimize.minimize(fun, x0, args=..., jac=dfdx.grad(fun),
    hessp=dfdx.hessp(fun), method="trust-krylov")`` (or ``"Newton-CG"``,
    ``"trust-ncg"``, ``"trust-constr"``): automatic differentiation
    (forward over reverse), without forming the Hessian.

    Parameters
    ----------
    f : callable
        Scalar function ``f(x, *args)`` written with NumPy.

    Returns
    -------
    callable
        ``(x, p, *args) -> H(x) @ p`` as a float array of the shape of ``x``.

    Raises
    ------
    TypeError
        If ``f`` is not callable.

    Examples
    --------
    >>> import numpy as np
    >>> import dfdx
    >>> hp = dfdx.hessp(lambda x, a: a * np.sum(x**3))
    >>> hp(np.array([1.0, 2.0]), np.array([1.0, 0.0]), 2.0).tolist()   # 2 * 6 x * p
    [12.0, 0.0]
    """
    if not callable(f):
        raise TypeError(f"`f` must be callable, got {type(f).__name__}")
    from dfdx import ad

    product = ad.hvp(f)

    def hp(x: Any, p: Any, *args: Any) -> np.ndarray:
        xs = np.asarray(x, dtype=float)
        ps = np.asarray(p, dtype=float)
        if ps.shape != xs.shape:
            raise ValueError(f"`p` must have the shape of `x` {xs.shape}, got {ps.shape}")
        return np.asarray(product(xs, *args, ps), dtype=float)

    hp.__name__ = f"hessp({getattr(f, '__name__', 'f')})"
    hp.__doc__ = "H(x) @ p in SciPy's hessp(x, p, *args) form."
    return hp
