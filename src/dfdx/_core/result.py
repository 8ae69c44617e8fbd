"""The one result type shared by every numerical answer in dfdx."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

__all__ = ["DerivativeResult", "Status"]


class Status(enum.IntEnum):
    """Per-point status codes carried by :class:`DerivativeResult`.

    Non-negative codes mean the value is usable (``success`` is True);
    negative codes mean it is not.

    ========  ==================  ==================================================
    code      name                meaning
    ========  ==================  ==================================================
    0         SUCCESS             converged to the requested tolerance
    1         EXACT               exact to rounding (exact or automatic derivative)
    2         ONE_SIDED           converged with a one-sided stencil (domain edge)
    3         FIXED_STEP          a user-fixed step: no adaptation, estimate only
    -1        NOT_CONVERGED       tolerance not met within the iteration limit
    -2        NONFINITE_VALUE     f returned NaN or inf at or around the point
    -3        NONFINITE_INPUT     the input point itself is NaN or inf
    -4        FUNCTION_ERROR      f raised an exception when evaluated
    -5        NOT_DIFFERENTIABLE  one-sided derivatives differ (a kink or a jump)
    ========  ==================  ==================================================

    Examples
    --------
    >>> from dfdx import DerivativeResult, Status
    >>> r = DerivativeResult(df=[1.0, 2.0], status=[Status.SUCCESS, Status.NONFINITE_VALUE])
    >>> [Status(int(s)).name for s in r.status], r.success.tolist()
    (['SUCCESS', 'NONFINITE_VALUE'], [True, False])
    >>> bool(Status.ONE_SIDED >= 0), bool(Status.NOT_CONVERGED >= 0)   # usable or not
    (True, False)
    """

    SUCCESS = 0
    EXACT = 1
    ONE_SIDED = 2
    FIXED_STEP = 3
    NOT_CONVERGED = -1
    NONFINITE_VALUE = -2
    NONFINITE_INPUT = -3
    FUNCTION_ERROR = -4
    NOT_DIFFERENTIABLE = -5


def _as_array(value: Any, dtype: Any = None) -> np.ndarray:
    arr = np.asarray(value, dtype=dtype).view()  # a view: the caller's array stays writeable
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, repr=False, eq=False)
class DerivativeResult:
    """A derivative together with what is known about its quality.

    Every numerical routine in dfdx returns this type, so code written against
    one engine works with the others.  ``np.asarray(result)`` gives ``df``.

    Attributes
    ----------
    df : ndarray
        The derivative values.
    error : ndarray
        Estimated absolute error of ``df``, same shape (``0`` where the value is
        exact to rounding, ``nan`` where no estimate could be made).
    success : ndarray of bool
        Whether each value is usable; ``status >= 0``.
    status : ndarray of int
        Per-point :class:`Status` code.
    nfev : ndarray of int
        Function evaluations spent on each point (``0`` for sampled data).
    nit : ndarray of int
        Iterations (refinement steps) spent on each point.
    method : str
        The method that produced the values.
    message : str
        A human-readable summary, including the reason for any fallback.
    y_smooth : ndarray or None
        The denoised signal, for methods that smooth data first.
    params : dict
        The parameters actually used, enough to reproduce the result.

    Examples
    --------
    >>> import numpy as np
    >>> from dfdx import DerivativeResult
    >>> r = DerivativeResult(df=[1.0, 2.0], error=[1e-12, 1e-12], method="demo")
    >>> np.asarray(r)
    array([1., 2.])
    >>> bool(r.success.all())
    True
    """

    df: np.ndarray
    error: np.ndarray | None = None
    success: np.ndarray | None = None
    status: np.ndarray | None = None
    nfev: np.ndarray | int = 0
    nit: np.ndarray | int = 0
    method: str = ""
    message: str = ""
    y_smooth: np.ndarray | None = None
    params: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        df = np.asarray(self.df)
        if df.dtype.kind in "biu":
            df = df.astype(np.float64)
        shape = df.shape
        real = df.real.dtype if df.dtype.kind == "c" else df.dtype
        set_ = object.__setattr__
        set_(self, "df", _as_array(df))
        if self.error is None:
            error = np.full(shape, np.nan, dtype=real)
        else:
            error = np.broadcast_to(np.asarray(self.error, dtype=real), shape)
        set_(self, "error", _as_array(error))
        if self.status is None:
            status = np.full(shape, Status.SUCCESS, dtype=np.int8)
        else:
            status = np.broadcast_to(np.asarray(self.status, dtype=np.int8), shape)
        set_(self, "status", _as_array(status))
        if self.success is None:
            success = status >= 0
        else:
            success = np.broadcast_to(np.asarray(self.success, dtype=bool), shape)
        set_(self, "success", _as_array(success))
        set_(self, "nfev", _as_array(np.broadcast_to(np.asarray(self.nfev, dtype=np.intp), shape)))
        set_(self, "nit", _as_array(np.broadcast_to(np.asarray(self.nit, dtype=np.intp), shape)))
        if self.y_smooth is not None:
            set_(self, "y_smooth", _as_array(self.y_smooth))
        set_(self, "params", dict(self.params))

    # -- array protocol -------------------------------------------------------
    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if copy is False and dtype is not None and np.dtype(dtype) != self.df.dtype:
            raise ValueError("cannot convert DerivativeResult.df without a copy")
        out = self.df if dtype is None else self.df.astype(dtype, copy=False)
        return out.copy() if copy else out

    def __float__(self) -> float:
        return float(self.df)

    def __len__(self) -> int:
        return len(self.df)

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of ``df``."""
        return self.df.shape

    def replace(self, **changes: Any) -> DerivativeResult:
        """Return a copy with some fields replaced."""
        return replace(self, **changes)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}("]
        with np.printoptions(precision=6, threshold=20, edgeitems=3, linewidth=88):
            for f in fields(self):
                value = getattr(self, f.name)
                if f.name == "y_smooth" and value is None:
                    continue
                if f.name == "params" and not value:
                    continue
                text = (
                    repr(value)
                    if isinstance(value, str | dict)
                    else np.array2string(
                        np.asarray(value), separator=", ", prefix=" " * (len(f.name) + 5)
                    )
                )
                lines.append(f"    {f.name}={text},")
        lines.append(")")
        return "\n".join(lines)
