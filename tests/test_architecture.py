"""The one-way import order of docs/architecture.md, read from the source with :mod:`ast`.

``_core`` imports no other part of dfdx; the engines import ``_core`` and
themselves only, never each other (lazy imports inside functions included);
``testing`` may call ``dfdx.ad``; the front door, the plots and the CLI sit on
top, and nothing below them imports them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "dfdx"
ENGINES = ("exact", "numeric", "ad", "grid", "noisy", "compat")
CORE = ("dfdx._core",)

# layer -> what its modules may import from dfdx (module names or their prefixes)
ALLOWED = {
    "_core": CORE,
    **{engine: (*CORE, f"dfdx.{engine}") for engine in ENGINES},
    "testing": (*CORE, "dfdx.testing", "dfdx.ad"),
    "plot": (*CORE, "dfdx.plot"),
}
TOP = ("dfdx._front", "dfdx.cli", "dfdx.plot")


def _module_name(path: Path) -> tuple[str, list[str]]:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    package = parts if parts[-1] == "__init__" else parts[:-1]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts), [p for p in package if p != "__init__"]


def _dfdx_imports(path: Path) -> list[tuple[str, int]]:
    """Every dfdx module ``path`` imports (``from dfdx import grid`` gives ``dfdx.grid``)."""
    return _imports_in(path.read_text(), _module_name(path)[1])


def _imports_in(source: str, package: list[str]) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], base]).rstrip(".")
            names = [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        found += [(n, node.lineno) for n in names if n == "dfdx" or n.startswith("dfdx.")]
    return found


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None
    return parts[1]


MODULES = sorted(SRC.rglob("*.py"))


def test_the_source_tree_is_found():
    names = {_module_name(p)[0] for p in MODULES}
    assert {"dfdx._core.result", "dfdx.ad._hooks", "dfdx._front_propagate"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p)[0])
def test_imports_flow_one_way(path):
    module, _ = _module_name(path)
    layer = _layer(module)
    wrong = []
    for name, line in _dfdx_imports(path):
        if layer in ALLOWED:
            ok = _within(name, ALLOWED[layer])
        elif layer == "cli":
            # the public API only: no private module of another package
            ok = _within(name, ("dfdx.cli",)) or not any(
                part.startswith("_") for part in name.split(".")
            )
        else:  # the package itself, __main__ and the front door: anything but the CLI and plots
            ok = layer in (None, "__main__") or not _within(name, ("dfdx.cli", "dfdx.plot"))
        if not ok:
            wrong.append(f"{module} imports {name} (line {line})")
    assert wrong == []


def test_nothing_below_the_top_imports_it():
    wrong = [
        f"{_module_name(p)[0]} imports {name} (line {line})"
        for p in MODULES
        if _layer(_module_name(p)[0]) in ("_core", *ENGINES, "testing")
        for name, line in _dfdx_imports(p)
        if any(name.startswith(t) for t in TOP)
    ]
    assert wrong == []


def test_the_checker_sees_a_violation():
    source = "def f():\n    from dfdx import numeric\n    from ..ad import _tracer\n"
    found = [name for name, _ in _imports_in(source, ["dfdx", "grid"])]
    assert found == ["dfdx.numeric", "dfdx.ad._tracer"]
    assert not any(_within(name, ALLOWED["grid"]) for name in found)
