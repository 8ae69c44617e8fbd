"""What a user installs: the sdist and wheel, their metadata, the public surface.

The distributions come from ``$DFDX_DIST`` (``.ci/run`` builds them there
with ``python -m build``) or are built here with hatchling, without isolation.
"""

import email
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import dfdx

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = {
    "ARRAY_METHODS",
    "CALLABLE_METHODS",
    "NOISE_THRESHOLD",
    "DerivativeResult",
    "Propagation",
    "Status",
    "__version__",
    "ad",
    "cli",
    "compat",
    "derivative",
    "exact",
    "fd_weights",
    "grad",
    "grid",
    "hessian",
    "hessp",
    "hvp",
    "jacobian",
    "jvp",
    "noisy",
    "numeric",
    "plot",
    "propagate",
    "testing",
    "value_and_grad",
    "vjp",
}


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    given = os.environ.get("DFDX_DIST")
    if given:
        out = Path(given)
    else:
        if not (ROOT / "pyproject.toml").exists():
            pytest.skip("no source tree to build from")
        pytest.importorskip("hatchling")
        out = tmp_path_factory.mktemp("dist")
        cmd = [sys.executable, "-m", "hatchling", "build", "-d", str(out)]
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    wheel = next(out.glob("dfdx-*.whl"))
    sdist = next(out.glob("dfdx-*.tar.gz"))
    return wheel, sdist


def test_license_and_py_typed_ship(dist):
    wheel, sdist = dist
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        license_text = next(z.read(n) for n in names if n.endswith("licenses/LICENSE"))
    assert "dfdx/py.typed" in names
    assert b"BSD 3-Clause License" in license_text
    assert b"dfdx developers" in license_text
    with tarfile.open(sdist) as t:
        tops = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    assert {"LICENSE", "src/dfdx/py.typed", "pyproject.toml", "README.md"} <= tops
    assert not any(n.startswith("docs/_build") for n in tops)


def test_wheel_metadata(dist):
    wheel, _ = dist
    with zipfile.ZipFile(wheel) as z:
        meta_name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(z.read(meta_name))
    assert meta["Version"] == dfdx.__version__  # one source: src/dfdx/__init__.py
    assert wheel.name == f"dfdx-{dfdx.__version__}-py3-none-any.whl"
    assert meta["License-Expression"] == "BSD-3-Clause"
    classifiers = meta.get_all("Classifier")
    assert any(c.startswith("Development Status ::") for c in classifiers)
    assert {f"Programming Language :: Python :: 3.{v}" for v in (10, 11, 12, 13)} <= set(
        classifiers
    )
    urls = {u.split(",")[0] for u in meta.get_all("Project-URL")}
    assert {"Homepage", "Documentation", "Source", "Issues"} <= urls
    requires = meta.get_all("Requires-Dist")
    runtime = sorted(r for r in requires if "extra ==" not in r)
    assert runtime == ["numpy>=2.0", "scipy>=1.16"]  # the floors .ci/run tests


def test_dir_shows_only_the_public_api():
    assert set(dir(dfdx)) == PUBLIC
    assert set(dfdx.__all__) <= PUBLIC
    for name in PUBLIC:
        assert getattr(dfdx, name) is not None


def test_numpy_1_is_refused_with_a_clear_message():
    code = "import numpy; numpy.__version__ = '1.26.4'; import dfdx"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "ImportError: dfdx needs NumPy >= 2.0 (found NumPy 1.26.4)" in proc.stderr


USER_SCRIPT = """
import numpy as np
import numpy.typing as npt

import dfdx
from dfdx import grid, numeric


def f(x: npt.NDArray[np.float64]) -> np.float64:
    return np.sum(x**2) + np.prod(np.sin(x))


def square(t: float) -> float:
    return t * t


x = np.linspace(0.0, 1.0, 11)
r = dfdx.derivative(np.sin, x)
reveal_type(r)
reveal_type(r.df)
reveal_type(r.error)
reveal_type(dfdx.derivative(square))
reveal_type(dfdx.derivative(np.poly1d([1.0, 0.0, 1.0])))
reveal_type(dfdx.derivative(np.polynomial.Legendre([0.0, 1.0])))
reveal_type(dfdx.grad(f))
reveal_type(dfdx.grad(f)(x))
reveal_type(numeric.derivative(np.exp, x))
reveal_type(numeric.derivative(np.exp, x).df)
reveal_type(grid.diff(np.sin(x), x, acc=4))
reveal_type(grid.diff(np.sin(x), x, return_error=True))
total: float = float(np.sum(dfdx.grad(f)(x)) + np.sum(grid.diff(np.sin(x), x)))
"""


def test_mypy_strict_sees_types_not_any(tmp_path):
    """A user script type-checks under ``mypy --strict``; no dfdx result is ``Any``."""
    pytest.importorskip("mypy")
    script = tmp_path / "user.py"
    script.write_text(USER_SCRIPT)
    cmd = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)
    revealed = [
        line.split("Revealed type is ", 1)[1]
        for line in proc.stdout.splitlines()
        if "Revealed" in line
    ]
    assert len(revealed) == USER_SCRIPT.count("reveal_type("), proc.stdout
    assert [t for t in revealed if t.strip('"') == "Any" or "def (*Any, **Any) -> Any" in t] == []
    assert "DerivativeResult" in revealed[0]
    assert "numpy.poly1d" in revealed[4]
    assert "Legendre" in revealed[5]
    assert "DerivativeResult" in revealed[-1]
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    assert errors == [], proc.stdout
