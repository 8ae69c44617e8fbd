import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dfdx.cli import main
from dfdx.cli._io import read_table

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _write(path, x, y, header="t,v"):
    np.savetxt(path, np.c_[x, y], delimiter=",", header=header, comments="")
    return path


@pytest.fixture
def noisy_csv(tmp_path):
    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(0, 6, 300))
    return _write(tmp_path / "signal.csv", x, np.sin(x) + rng.normal(0, 0.01, x.size)), x


@pytest.fixture
def uniform_noisy_csv(tmp_path):
    rng = np.random.default_rng(4)
    x = np.linspace(0, 6, 300)
    return _write(tmp_path / "uniform.csv", x, np.sin(x) + rng.normal(0, 0.01, x.size)), x


@pytest.fixture
def clean_csv(tmp_path):
    x = np.sort(np.random.default_rng(5).uniform(0, 6, 300))
    return _write(tmp_path / "clean.csv", x, np.sin(x)), x


@pytest.fixture
def periodic_csv(tmp_path):
    x = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    path = tmp_path / "periodic.csv"
    np.savetxt(path, np.c_[x, np.sin(3 * x)], delimiter=",", header="x,y", comments="")
    return path, x


def test_eval_text_and_json(capsys):
    assert main(["eval", "x**2 + 1", "--at", "5", "1,2"]) == 0
    out = capsys.readouterr().out
    assert "df/dx" in out
    assert "ad" in out
    assert main(["eval", "x**3", "--at", "1", "--n", "2"]) == 0
    assert "d2f/dx2" in capsys.readouterr().out
    assert main(["eval", "sin(x)", "--at", "0.5", "--n", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == "ad"
    assert data["derivative"][0] == pytest.approx(-np.cos(0.5), rel=1e-14)
    assert data["value"][0] == pytest.approx(np.sin(0.5))


def test_eval_numeric_method_reports_an_error_estimate(capsys):
    assert main(["eval", "exp(x)", "--at", "1", "--method", "numeric", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == "numeric"
    assert data["derivative"][0] == pytest.approx(np.e, rel=1e-12)
    assert 0 < data["error"][0] < 1e-8


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["eval", "open('x')", "--at", "1"], "function 'open' is not allowed"),
        (["eval", "x+", "--at", "1"], "invalid expression"),
        (["eval", "x", "--at", "a"], "'a' is not a number"),
    ],
)
def test_eval_user_errors_exit_1(argv, message, capsys):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("dfdx: error: ")
    assert message in err
    assert err.count("\n") == 1


def test_usage_errors_exit_2(capsys):
    for argv in ([], ["eval", "x"], ["frobnicate"], ["eval", "x", "--at", "1", "--n", "-1"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
    capsys.readouterr()


def _rmse_inner(out, x):
    table = read_table(out)
    assert list(table) == ["t", "v", "v_smooth", "d(v)/d(t)", "error", "success"]
    table["derivative"] = table["d(v)/d(t)"]
    np.testing.assert_allclose(table["t"], x, rtol=1e-15)
    assert np.all(np.isfinite(table["error"]))
    inner = slice(20, -20)
    return np.sqrt(np.mean((table["derivative"][inner] - np.cos(x[inner])) ** 2))


@pytest.mark.parametrize("method", ["auto", "savgol", "tv", "tikhonov", "kalman", "noisy"])
def test_data_noisy_methods_write_columns(method, uniform_noisy_csv, tmp_path, capsys):
    path, x = uniform_noisy_csv
    out = tmp_path / f"out-{method}.csv"
    assert (
        main(["data", str(path), "--x", "t", "--y", "v", "--method", method, "-o", str(out)]) == 0
    )
    assert "wrote" in capsys.readouterr().out
    assert _rmse_inner(out, x) < 0.1


@pytest.mark.parametrize(("method", "bound"), [("auto", 1e-4), ("fd", 1e-3), ("spline", 1e-3)])
def test_data_clean_methods_on_irregular_samples(method, bound, clean_csv, tmp_path, capsys):
    path, x = clean_csv
    out = tmp_path / f"out-{method}.csv"
    assert (
        main(["data", str(path), "--x", "t", "--y", "v", "--method", method, "-o", str(out)]) == 0
    )
    capsys.readouterr()
    assert _rmse_inner(out, x) < bound


def test_data_auto_on_irregular_noisy_samples(noisy_csv, tmp_path, capsys):
    path, x = noisy_csv
    out = tmp_path / "out.csv"
    assert main(["data", str(path), "--x", "t", "--y", "v", "-o", str(out)]) == 0
    assert "data look noisy" in capsys.readouterr().out
    assert _rmse_inner(out, x) < 0.05


def test_data_spectral_on_periodic_samples_and_json(periodic_csv, capsys):
    path, x = periodic_csv
    assert main(["data", str(path), "--x", "x", "--y", "y", "--method", "spectral", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    np.testing.assert_allclose(data["derivative"], 3 * np.cos(3 * x), atol=1e-10)


def test_data_to_stdout_and_plot(noisy_csv, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path, _ = noisy_csv
    png = tmp_path / "p.png"
    assert main(["data", str(path), "--x", "t", "--y", "v", "--plot", str(png)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "t,v,v_smooth,d(v)/d(t),error,success"
    assert len(lines) == 301
    assert png.read_bytes()[:8] == PNG_MAGIC


def test_data_second_derivative_and_npz(tmp_path, capsys):
    x = np.linspace(0, 1, 50)
    np.savez(tmp_path / "d.npz", x=x, y=x**3)
    out = tmp_path / "o.npz"
    argv = ["data", str(tmp_path / "d.npz"), "--x", "x", "--y", "y", "--n", "2", "-o", str(out)]
    assert main([*argv, "--method", "fd"]) == 0
    capsys.readouterr()
    with np.load(out) as res:
        np.testing.assert_allclose(res["d2(y)/d(x)2"], 6 * x, atol=1e-8)


@pytest.mark.parametrize(
    ("rows", "args", "message"),
    [
        ("t,v\n0,1\n1,2\n2,3\n3,4\n4,5\n5,6\n", ["--x", "q"], "missing column 'q' for x"),
        ("t,v\n0,1\n1,2\n2,x\n", [], "non-numeric value 'x' in column 'v' at line 4"),
        ("t,v\n0,1\n2,2\n1,3\n3,4\n4,5\n5,6\n", [], "is not sorted increasing"),
        ("t,v\n0,1\n1,2\n1,3\n3,4\n4,5\n5,6\n", [], "line 4 repeats line 3"),
        ("t,v\n0,1\n1,2\n2,3\n", [], "too few points: 3 rows"),
    ],
)
def test_data_user_errors_exit_1(tmp_path, rows, args, message, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(rows)
    argv = ["data", str(path), "--x", "t", "--y", "v", *args]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_data_spectral_on_non_uniform_samples_is_a_user_error(noisy_csv, capsys):
    path, _ = noisy_csv
    argv = ["data", str(path), "--x", "t", "--y", "v", "--method", "spectral"]
    assert main(argv) == 1
    assert capsys.readouterr().err.startswith("dfdx: error: ")


def test_demo_writes_table_and_png(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    assert main(["demo", "--out-dir", str(tmp_path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["exact_method"] == "ad"
    assert summary["rmse_vs_exact"] < 0.1
    assert Path(summary["plot"]).read_bytes()[:8] == PNG_MAGIC
    table = read_table(summary["table"])
    assert "exact d(position)/d(time)" in table


def _run(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "dfdx", *args], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_subprocess_demo_eval_and_exit_codes(tmp_path):
    pytest.importorskip("matplotlib")
    demo = _run("demo", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert (tmp_path / "dfdx-demo.png").read_bytes()[:8] == PNG_MAGIC
    assert (tmp_path / "dfdx-demo.csv").exists()
    assert demo.stderr == ""  # no progress bar when not a terminal
    ev = _run("eval", "x**2 + 1", "--at", "5", "--json", cwd=tmp_path)
    assert json.loads(ev.stdout)["derivative"] == [10.0]
    bad = _run("data", "missing.csv", "--y", "v", cwd=tmp_path)
    assert bad.returncode == 1
    assert bad.stderr.strip() == "dfdx: error: missing.csv: no such file"
    assert _run("eval", cwd=tmp_path).returncode == 2


def test_console_script_is_installed(tmp_path):
    script = Path(sys.executable).parent / "dfdx"
    assert script.exists(), "the `dfdx` console script is declared in pyproject.toml"
    proc = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    assert proc.stdout.startswith("dfdx ")
