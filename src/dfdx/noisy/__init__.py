"""Derivatives of noisy sampled data, with the regularisation chosen from the data.

:func:`diff` differentiates noisy samples with one of several methods
(``METHODS``), each choosing its parameters from the data unless given, and
returns a :class:`~dfdx.DerivativeResult` with the derivative, the smoothed
signal, a pointwise uncertainty and the parameters used.
:func:`estimate_noise` estimates the noise level of sampled data.
"""

from dfdx.noisy._api import diff
from dfdx.noisy._noise import estimate_noise
from dfdx.noisy._registry import METHODS

__all__ = ["METHODS", "diff", "estimate_noise"]
