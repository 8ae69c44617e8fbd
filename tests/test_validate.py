import numpy as np
import pytest

from dfdx._core.validate import (
    as_float_array,
    check_axis,
    check_choice,
    check_coordinates,
    check_int,
    check_positive,
)


@pytest.mark.parametrize("value", [1.5, "2", None, True, False, np.bool_(True), 2.0])
def test_check_int_rejects_non_integers_and_booleans(value):
    with pytest.raises(ValueError, match=r"`n` must be a non-negative integer, got"):
        check_int(value, "n")


def test_check_int_message_example():
    with pytest.raises(ValueError, match=r"^`n` must be a non-negative integer, got 1\.5$"):
        check_int(1.5, "n")


def test_check_int_bounds_and_parity():
    assert check_int(np.int64(3), "n") == 3
    with pytest.raises(ValueError, match="`n` must be a non-negative integer, got -1"):
        check_int(-1, "n")
    with pytest.raises(ValueError, match="`k` must be a positive integer, got 0"):
        check_int(0, "k", minimum=1)
    with pytest.raises(ValueError, match="`acc` must be a positive even integer, got 3"):
        check_int(3, "acc", minimum=1, even=True)
    with pytest.raises(ValueError, match=r"`m` must be an integer >= 2, got 1"):
        check_int(1, "m", minimum=2)
    assert check_int(-4, "s", minimum=None) == -4
    with pytest.raises(ValueError, match=r"`s` must be an integer, got 0\.5"):
        check_int(0.5, "s", minimum=None)


@pytest.mark.parametrize("value", [0, -1.0, np.inf, np.nan, "a", True])
def test_check_positive(value):
    with pytest.raises(ValueError, match="`step` must be a positive finite number"):
        check_positive(value, "step")


def test_check_positive_accepts_and_none():
    assert check_positive(2, "step") == 2.0
    assert check_positive(None, "step", allow_none=True) is None


def test_check_choice():
    assert check_choice("a", "method", ["a", "b"]) == "a"
    with pytest.raises(ValueError, match="`method` must be one of 'a', 'b', got 'c'"):
        check_choice("c", "method", ["a", "b"])


def test_check_axis():
    assert check_axis(-1, 3) == 2
    with pytest.raises(ValueError, match=r"`axis` must be in the range \[-2, 2\)"):
        check_axis(2, 2)
    with pytest.raises(ValueError, match=r"`axis` must be an integer, got 1\.0"):
        check_axis(1.0, 2)


def test_as_float_array_promotes_without_wrapping():
    big = np.array([2**63 - 1, 0], dtype=np.uint64)
    out = as_float_array(big, "y")
    assert out.dtype == np.float64
    assert out[0] > 0
    assert as_float_array(np.ones(2, np.float16), "y").dtype == np.float32
    assert as_float_array([True, False], "y").dtype == np.float64
    f32 = np.ones(2, np.float32)
    assert as_float_array(f32, "y") is f32
    with pytest.raises(TypeError, match="`x` must be real, got complex"):
        as_float_array([1j], "x", allow_complex=False)
    with pytest.raises(TypeError, match="`y` must be array-like of numbers, got dtype"):
        as_float_array(["a"], "y")


def test_check_coordinates():
    np.testing.assert_array_equal(check_coordinates([0, 1, 3]), [0.0, 1.0, 3.0])
    assert check_coordinates([3, 2, 1]).shape == (3,)
    with pytest.raises(ValueError, match="`x` must be strictly monotonic, found duplicated"):
        check_coordinates([0, 1, 1, 2])
    with pytest.raises(ValueError, match=r"`x` must be strictly monotonic \(sorted"):
        check_coordinates([0, 2, 1])
    with pytest.raises(ValueError, match="`x` must contain only finite values"):
        check_coordinates([0, np.nan, 1])
    with pytest.raises(ValueError, match="`x` must be one-dimensional"):
        check_coordinates([[0, 1]])
    with pytest.raises(ValueError, match=r"`x` must have the same length .* \(4\), got 3"):
        check_coordinates([0, 1, 2], length=4)
