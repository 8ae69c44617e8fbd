import numpy as np
import pytest

import dfdx
from dfdx.plot import derivative as plot_derivative

pytest.importorskip("matplotlib")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _result(size=40, **kw):
    x = np.linspace(0, 1, size)
    return x, dfdx.DerivativeResult(df=np.cos(x), error=np.full(size, 0.02), method="t", **kw)


def test_png_written_with_error_band_and_failed_points(tmp_path):
    x, r = _result(status=np.r_[np.zeros(39), -1])
    path = tmp_path / "p.png"
    fig = plot_derivative(r, x, np.sin(x), path=path, title="t")
    assert path.read_bytes()[:8] == PNG_MAGIC
    labels = [t.get_text() for t in fig.axes[-1].get_legend().get_texts()]
    assert any("error estimate" in s for s in labels)
    assert "failed points" in labels


def test_reference_curve_is_drawn():
    x, r = _result()
    fig = plot_derivative(r, x, reference=np.cos(x))
    labels = [t.get_text() for t in fig.axes[-1].get_legend().get_texts()]
    assert "reference" in labels


def test_single_panel_without_data_and_smoothed_panel_with_it():
    x, r = _result()
    assert len(plot_derivative(r, x).axes) == 1
    x, r2 = _result(y_smooth=np.sin(np.linspace(0, 1, 40)))
    fig = plot_derivative(r2)
    top = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert top == ["smoothed"]


def test_plot_validation():
    x, r = _result()
    with pytest.raises(TypeError, match="`result` must be a DerivativeResult, got ndarray"):
        plot_derivative(np.zeros(3))
    with pytest.raises(ValueError, match=r"`x` must have the shape of the result \(40,\)"):
        plot_derivative(r, x[:-1])
    with pytest.raises(ValueError, match=r"`y` must have the shape of the result"):
        plot_derivative(r, x, x[:3])
    with pytest.raises(ValueError, match=r"`reference` must have the shape of the result"):
        plot_derivative(r, x, reference=x[:3])
    r2 = dfdx.DerivativeResult(df=np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"`result` must be one-dimensional to plot"):
        plot_derivative(r2)
