"""The CLI keeps the promise with data as users have it (issue 13, item 8 and 9)."""

import json
import subprocess
import sys

import numpy as np
import pytest

import dfdx
from dfdx.cli import main
from dfdx.cli._io import read_table

STAMPS = np.datetime64("2024-05-01T12:00:00", "s") + np.arange(40) * np.timedelta64(30, "s")


def _iso_csv(path, delimiter=",", blank=False, missing_at=None):
    t = np.arange(40) * 30.0
    position = 2.0 * t + 0.001 * t**2  # d/dt = 2 + 0.002 t per second
    lines = [f"time{delimiter}position"]
    for i, (stamp, p) in enumerate(zip(STAMPS, position, strict=True)):
        value = "" if i == missing_at else repr(float(p))
        lines.append(f"{stamp}Z{delimiter}{value}")
        if blank and i == 2:
            lines.append("")
    path.write_text("\n".join(lines) + "\n")
    return t, 2.0 + 0.002 * t


def _run(*args, cwd, code=None):
    argv = [sys.executable, "-c", code] if code else [sys.executable, "-m", "dfdx", *args]
    return subprocess.run(argv, capture_output=True, text=True, cwd=cwd, check=False)


def test_iso_timestamps_names_and_shortest_floats(tmp_path, capsys):
    path = tmp_path / "track.csv"
    _t, truth = _iso_csv(path)
    out = tmp_path / "out.csv"
    argv = ["data", str(path), "--x", "time", "--y", "position", "--method", "fd", "-o", str(out)]
    assert main(argv) == 0
    assert "derivative per second" in capsys.readouterr().out
    text = out.read_text().splitlines()
    assert text[0] == "time,position,position_smooth,d(position)/d(time),error,success"
    assert text[1].startswith("2024-05-01T12:00:00,0.0,0.0,")
    for field in text[5].split(",")[1:5]:  # shortest round-trip text: repr of the float
        assert field == repr(float(field))
    back = read_table(out)
    np.testing.assert_array_equal(back["time"], STAMPS.astype("datetime64[ns]"))
    np.testing.assert_allclose(back["d(position)/d(time)"], truth, rtol=1e-12)
    assert main([*argv[:-2], "--time-unit", "min", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    np.testing.assert_allclose(data["derivative"], 60 * truth, rtol=1e-12)
    assert data["x"][0] == "2024-05-01T12:00:00"


def test_floats_round_trip_exactly(tmp_path, capsys):
    x = np.linspace(0.0, 1.0, 30)
    path = tmp_path / "a.csv"
    path.write_text(
        "x,y\n"
        + "\n".join(f"{a!r},{b!r}" for a, b in zip(x.tolist(), (x**3).tolist(), strict=True))
    )
    assert main(["data", str(path), "--x", "x", "--y", "y", "--method", "fd"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line.split(",") for line in lines[1:]]
    assert [float(r[0]) for r in rows] == x.tolist()
    assert rows[1][0] == repr(float(x[1]))
    want = dfdx.derivative(x**3, x, method="fd").df
    assert [float(r[3]) for r in rows] == want.tolist()


@pytest.mark.parametrize(("delimiter", "flag"), [(";", ";"), ("\t", "tab"), ("\t", "\\t")])
def test_delimiter(tmp_path, capsys, delimiter, flag):
    path = tmp_path / "semi.csv"
    _, truth = _iso_csv(path, delimiter=delimiter)
    argv = ["data", str(path), "--x", "time", "--y", "position", "--method", "fd"]
    assert main([*argv, "--delimiter", flag, "--json"]) == 0
    np.testing.assert_allclose(json.loads(capsys.readouterr().out)["derivative"], truth, rtol=1e-12)
    assert main(argv) == 1  # the default comma: the header is one column
    assert "set the separator with --delimiter" in capsys.readouterr().err


def test_missing_values_name_the_right_line_or_are_dropped(tmp_path, capsys):
    path = tmp_path / "gap.csv"
    # header line 1, rows from line 2, a blank line after the third row: row 10 is at line 13
    _iso_csv(path, blank=True, missing_at=10)
    argv = ["data", str(path), "--x", "time", "--y", "position", "--method", "fd"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "line 13 has a missing or non-finite value in column 'position'" in err
    assert "--dropna" in err
    assert err.count("\n") == 1
    assert main([*argv, "--dropna", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["derivative"]) == 39
    t = np.delete(np.arange(40) * 30.0, 10)
    np.testing.assert_allclose(data["derivative"], 2 + 0.002 * t, rtol=1e-12)


def test_duplicates_error_or_mean(tmp_path, capsys):
    path = tmp_path / "dup.csv"
    x = np.r_[np.arange(10.0), 4.0]
    y = np.r_[x[:10] ** 2, 18.0]  # x = 4 twice: y 16 and 18, mean 17
    order = np.argsort(x, kind="stable")
    rows = "\n".join(f"{a},{b}" for a, b in zip(x[order], y[order], strict=True))
    path.write_text("x,y\n" + rows + "\n")
    argv = ["data", str(path), "--x", "x", "--y", "y", "--method", "fd", "--json"]
    assert main(argv) == 1
    assert "line 7 repeats line 6" in capsys.readouterr().err
    assert main([*argv, "--duplicates", "mean"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["x"] == list(range(10))
    assert data["y_smooth"][4] == 17.0


def test_leading_minus_and_special_functions(tmp_path, capsys):
    assert main(["eval", "-x**2", "--at", "-1", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["derivative"] == [2.0, -6.0]
    assert data["expression"] == "-x**2"
    assert main(["eval", "erf(x) + gamma(x) - lgamma(x) + expit(x)", "--at", "1.5", "--json"]) == 0
    from scipy import special

    d = json.loads(capsys.readouterr().out)["derivative"][0]
    s = special.expit(1.5)
    want = (
        2 / np.sqrt(np.pi) * np.exp(-2.25)
        + special.gamma(1.5) * special.digamma(1.5)
        - special.digamma(1.5)
        + s * (1 - s)
    )
    assert d == pytest.approx(want, rel=1e-14)
    proc = _run("eval", "-sin(x)", "--at", "0", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "-1.0" in proc.stdout


def test_eval_never_calls_a_failed_point_exact(capsys):
    # the README's example: at 0 AD may fail (x**2 through log); it must not say "exact" there
    for expr in ("x**2 + sin(x)", "sqrt(x)**3"):
        assert main(["eval", expr, "--at", "0", "1", "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        exact = [s == dfdx.Status.EXACT for s in data["status"]]
        if not all(exact):
            assert not data["message"].startswith("exact")
            assert "retried by numerical differentiation" in data["message"]
        for ok, err, st in zip(data["success"], data["error"], data["status"], strict=True):
            assert ok == (st >= 0)
            assert st == dfdx.Status.EXACT or err != 0
        assert main(["eval", expr, "--at", "0", "1"]) == 0
        text = capsys.readouterr().out.splitlines()
        row0 = text[1]
        assert ("ad" in row0.split()[-1]) == exact[0] or "retry" in row0


def test_second_derivative_plot_labels(tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    from dfdx import plot

    figures = []
    real = plot.derivative

    def capture(*args, **kwargs):
        figures.append(real(*args, **kwargs))
        return figures[-1]

    monkeypatch.setattr(plot, "derivative", capture)
    path = tmp_path / "track.csv"
    _iso_csv(path)
    png = tmp_path / "p.png"
    argv = ["data", str(path), "--x", "time", "--y", "position", "--n", "2", "--plot", str(png)]
    assert main([*argv, "--method", "fd", "-o", str(tmp_path / "o.csv")]) == 0
    capsys.readouterr()
    bottom = figures[-1].axes[-1]
    assert bottom.get_ylabel() == "d2(position)/d(time)2"
    assert bottom.get_xlabel() == "time"
    assert "d2(position)/d(time)2" in figures[-1]._suptitle.get_text()
    r = dfdx.DerivativeResult(df=np.zeros(5), params={"n": 2})
    fig = real(r)
    assert fig.axes[-1].get_ylabel() == "d2y/dx2"
    with pytest.raises(TypeError, match=r"`names` must be two non-empty strings"):
        real(r, names=("x",))


def test_demo_picture_agrees_with_itself(tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    from dfdx import plot

    figures = []
    real = plot.derivative
    monkeypatch.setattr(plot, "derivative", lambda *a, **k: figures.append(real(*a, **k)))
    assert main(["demo", "--out-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert 3 <= len(out) <= 8
    assert max(len(line) for line in out if not line.startswith("wrote")) <= 100
    fig = figures[-1]
    title = fig._suptitle.get_text()
    bottom = fig.axes[-1]
    assert "d/dt" in title
    assert "(t)" in title
    assert "x" not in title.replace("exp", "").replace("dfdx", "")
    assert bottom.get_xlabel() == "t"
    assert bottom.get_ylabel() == "d(position)/d(t)"
    labels = [t.get_text() for t in bottom.get_legend().get_texts()]
    assert "±2\u00d7 error estimate" in labels
    lines = {line.get_label(): line for line in bottom.get_lines()}
    estimate = next(v for k, v in lines.items() if k.startswith("estimate"))
    exact = next(v for k, v in lines.items() if k.startswith("exact"))
    assert estimate.get_zorder() > exact.get_zorder()
    assert exact.get_linestyle() == "--"
    assert estimate.get_linestyle() == "-"
    assert estimate.get_color() != exact.get_color()


def test_demo_without_matplotlib_writes_the_table_and_says_why(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    assert main(["demo", "--out-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "dfdx-demo.csv").exists()
    assert not (tmp_path / "dfdx-demo.png").exists()
    assert 'needs matplotlib, the plot extra (pip install "dfdx[plot]")' in out
    assert "RMSE" in out
    code = (
        "import sys; sys.modules['matplotlib'] = None; "
        "from dfdx.cli import main; sys.exit(main(['demo', '--json']))"
    )
    proc = _run(cwd=tmp_path, code=code)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert "plot" not in summary
    assert "plot extra" in summary["note"]


def test_subprocess_iso_csv_with_dropna(tmp_path):
    path = tmp_path / "gap.csv"
    _iso_csv(path, missing_at=5)
    proc = _run("data", "gap.csv", "--x", "time", "--y", "position", cwd=tmp_path)
    assert proc.returncode == 1
    assert "line 7 has a missing" in proc.stderr
    ok = _run("data", "gap.csv", "--x", "time", "--y", "position", "--dropna", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines()[0].startswith("time,position,")
