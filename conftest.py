"""Test collection that works on a plain install (no optional packages).

``pytest`` doctests every module of the package and the Markdown guides.  The
two modules that hold the numba kernels import numba at the top, so without
the ``fast`` extra they are left out of collection instead of failing it.
Doctests that use an optional package are skipped, with the package named,
when it is missing: a whole file (``DOCTESTS_NEEDING``), or in a Markdown file
whose examples of it come last, the examples from the first one importing it
to the end (``EXAMPLES_NEEDING``, doctest's SKIP option), so that the examples
before it still run.  Test modules skip themselves (``pytest.importorskip``).
``docs/conf.py`` and the gallery scripts belong to Sphinx, not to the tests.
"""

import doctest
from importlib.util import find_spec
from pathlib import Path

import pytest

# doctest files -> the optional package their examples use
DOCTESTS_NEEDING = {
    "src/dfdx/plot/_derivative.py": "matplotlib",
    "docs/grid.md": "dask",
}
# doctest files -> the optional package of their last examples
EXAMPLES_NEEDING = {
    "README.md": "pandas",
    "docs/front.md": "pandas",
}

collect_ignore = ["docs/conf.py", "docs/gallery"]
if find_spec("numba") is None:
    collect_ignore += ["src/dfdx/grid/_jit1d.py", "src/dfdx/numeric/_jitlook.py"]


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    """Leave out the docs build output (``docs/_build`` holds copies of the guides)."""
    return True if "_build" in collection_path.parts else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = config.rootpath
    for item in items:
        if not isinstance(item, pytest.DoctestItem):
            continue
        try:
            rel = item.path.relative_to(root).as_posix()
        except ValueError:
            continue
        package = DOCTESTS_NEEDING.get(rel)
        if package is not None and find_spec(package) is None:
            item.add_marker(pytest.mark.skip(reason=f"{rel} needs {package}"))
        package = EXAMPLES_NEEDING.get(rel)
        if package is not None and find_spec(package) is None:
            _skip_from_import(item, package)


def _skip_from_import(item: pytest.DoctestItem, package: str) -> None:
    """Skip the examples of ``item`` from the first that imports ``package`` on."""
    examples = item.dtest.examples if item.dtest is not None else []
    first = next((i for i, e in enumerate(examples) if f"import {package}" in e.source), None)
    if first is None:
        raise ValueError(f"conftest EXAMPLES_NEEDING: {item.path.name} never imports {package}")
    for example in examples[first:]:
        example.options[doctest.SKIP] = True
