import numpy as np
import pytest

from dfdx.testing import observed_order


def test_observed_order_of_forward_and_central_differences():
    h = 0.1 / 2.0 ** np.arange(5)
    fwd = np.abs((np.exp(1 + h) - np.exp(1)) / h - np.exp(1))
    cen = np.abs((np.exp(1 + h) - np.exp(1 - h)) / (2 * h) - np.exp(1))
    assert abs(observed_order(h, fwd) - 1) < 0.1
    assert abs(observed_order(h, cen) - 2) < 0.1


def test_observed_order_validation():
    with pytest.raises(ValueError, match="same length, got 2 and 3"):
        observed_order([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="at least two entries"):
        observed_order([1], [1])
    with pytest.raises(ValueError, match="`errors` must be positive and finite"):
        observed_order([1, 2], [0, 1])
    with pytest.raises(ValueError, match="`steps` must be positive and finite"):
        observed_order([-1, 2], [1, 1])
