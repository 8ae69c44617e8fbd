import numpy as np
import pytest

from dfdx import DerivativeResult, Status


def test_defaults_fill_every_field_with_the_shape_of_df():
    r = DerivativeResult(df=np.arange(6.0).reshape(2, 3), method="m")
    assert r.error.shape == r.success.shape == r.status.shape == r.nfev.shape == (2, 3)
    assert np.isnan(r.error).all()
    assert r.success.all()
    assert (r.status == Status.SUCCESS).all()
    assert r.y_smooth is None
    assert r.params == {}


def test_success_follows_status_when_not_given():
    r = DerivativeResult(df=[1.0, 2.0, 3.0], status=[0, -1, 2])
    np.testing.assert_array_equal(r.success, [True, False, True])


def test_asarray_gives_df_and_scalars_work():
    r = DerivativeResult(df=2.5, error=1e-10, nfev=4)
    assert np.asarray(r).shape == ()
    assert float(r) == 2.5
    assert np.asarray(r, dtype=np.float32).dtype == np.float32
    assert int(r.nfev) == 4


def test_integer_df_is_promoted_and_error_dtype_is_real():
    r = DerivativeResult(df=[1, 2])
    assert r.df.dtype == np.float64
    c = DerivativeResult(df=np.array([1 + 1j], dtype=np.complex64))
    assert c.error.dtype == np.float32


def test_frozen_and_read_only():
    r = DerivativeResult(df=[1.0])
    with pytest.raises(AttributeError):
        r.df = np.zeros(1)
    with pytest.raises(ValueError, match="read-only"):
        r.df[0] = 3.0


def test_caller_array_is_not_frozen():
    data = np.ones(3)
    DerivativeResult(df=data)
    data[0] = 2.0  # the result must not have locked the caller's own array
    assert data[0] == 2.0


def test_replace_and_repr():
    r = DerivativeResult(df=[1.0, 2.0], method="central", message="ok", params={"h": 0.1})
    r2 = r.replace(method="forward")
    assert r2.method == "forward"
    assert r.method == "central"
    text = repr(r)
    assert text.startswith("DerivativeResult(")
    for name in ("df=", "error=", "success=", "status=", "method='central'", "params="):
        assert name in text
    assert "y_smooth" not in text


def test_status_codes_documented_and_signed():
    assert all(code.name in Status.__doc__ for code in Status)
    assert [c for c in Status if c < 0] == [
        Status.NOT_CONVERGED,
        Status.NONFINITE_VALUE,
        Status.NONFINITE_INPUT,
        Status.FUNCTION_ERROR,
        Status.NOT_DIFFERENTIABLE,
    ]


def test_asarray_without_copy_of_other_dtype_is_refused():
    r = DerivativeResult(df=[1.0])
    with pytest.raises(ValueError, match="without a copy"):
        r.__array__(np.float32, copy=False)
