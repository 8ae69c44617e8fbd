"""Sphinx configuration: ``python -m sphinx -W -b html docs docs/_build/html``.

Three things are generated at build time, none of them committed:

* ``api/*.rst``: one page per public module, an autosummary of its ``__all__``,
  so the reference covers every public name and nothing private;
* the user-guide toctree of ``index.md``, listing the guides present (other
  guides may join: any top-level page not listed below is appended);
* the gallery figures, by the scripts in ``gallery/`` (matplotlib's ``plot``
  directive runs them).

The Markdown guides hold usage and internals side by side (they are doctested
that way); the site moves the internals sections named in ``INTERNALS`` out of
each guide into the "How it works" pages, leaving a link behind.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import dfdx

HERE = Path(__file__).resolve().parent

project = "dfdx"
author = "dfdx developers"
copyright = "2026, dfdx developers"
release = version = dfdx.__version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "matplotlib.sphinxext.plot_directive",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "gallery/*.py", "api/generated/*.md"]
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

html_theme = "pydata_sphinx_theme"
html_title = f"dfdx {release}"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}

autosummary_generate = True
autodoc_default_options = {"members": False}
# one signature per function (the typed overloads are for type checkers; the
# docstrings give the types)
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 100)]
plot_rcparams = {"figure.figsize": (6.4, 4.0), "savefig.bbox": "tight"}

# ---------------------------------------------------------------- API pages
PUBLIC_MODULES = {
    "dfdx": "The front door and the shared result type",
    "dfdx.exact": "Exact derivatives of polynomial and spline objects",
    "dfdx.ad": "Automatic differentiation of NumPy code",
    "dfdx.numeric": "Numerical derivatives of black-box functions",
    "dfdx.grid": "Derivatives of sampled data",
    "dfdx.noisy": "Derivatives of noisy data",
    "dfdx.compat": "The removed scipy.misc.derivative",
    "dfdx.testing": "Checkers for derivatives",
    "dfdx.plot": "Plots of results",
    "dfdx.cli": "The command-line tool",
}


def _api_page(name: str, title: str) -> str:
    module = importlib.import_module(name)
    members = [
        m
        for m in module.__all__
        if m != "__version__" and not isinstance(getattr(module, m), type(module))
    ]
    heading = f"``{name}``: {title}"
    lines = [heading, "=" * len(heading), "", f".. automodule:: {name}", "   :no-members:", ""]
    lines += [f".. currentmodule:: {name}", "", ".. autosummary::", "   :toctree: generated", ""]
    lines += [f"   {m}" for m in members]
    return "\n".join(lines) + "\n"


def _write_api_pages() -> None:
    out = HERE / "api"
    out.mkdir(exist_ok=True)
    for name, title in PUBLIC_MODULES.items():
        page = out / f"{name}.rst"
        text = _api_page(name, title)
        if not page.exists() or page.read_text() != text:
            page.write_text(text)


_write_api_pages()

# ------------------------------------------- guides and "How it works" pages
GUIDE_ORDER = ["front", "ad", "numeric", "grid", "noisy", "sparse", "exact", "recipes"]
NOT_GUIDES = {"index", "api", "gallery", "how-it-works", "architecture", "benchmarks"}

# guide -> (first heading moved to the internals page, heading that ends it)
INTERNALS = {
    "ad": ("## Performance notes", "## Conventions"),
    "numeric": ("## Cost", "## Calling contract"),
    "grid": ("## Speed", "## Larger than memory: dask"),
}


def _guides() -> list[str]:
    present = {p.stem for p in HERE.glob("*.md")} - NOT_GUIDES
    ordered = [g for g in GUIDE_ORDER if g in present]
    return ordered + sorted(present - set(ordered))


def _section(text: str, start: str, end: str, docname: str) -> tuple[int, int]:
    i = text.find(f"\n{start}\n")
    j = text.find(f"\n{end}\n", i + 1)
    if i < 0 or j < 0:
        raise ValueError(f"docs/conf.py INTERNALS: {docname}.md has no {start!r} ... {end!r}")
    return i + 1, j + 1


def _source_read(app, docname: str, source: list[str]) -> None:
    text = source[0]
    if docname == "index":
        entries = "\n".join(_guides())
        text = text.replace("<!-- guides -->", entries)
    elif docname in INTERNALS:
        i, j = _section(text, *INTERNALS[docname], docname)
        heading = INTERNALS[docname][0].lstrip("# ")
        note = f"*{heading}: see {{doc}}`How it works <internals/{docname}>`.*\n\n"
        text = text[:i] + note + text[j:]
    elif docname.startswith("internals/") and docname.split("/")[1] in INTERNALS:
        guide = docname.split("/")[1]
        full = (HERE / f"{guide}.md").read_text()
        i, j = _section(full, *INTERNALS[guide], guide)
        text = text.replace("<!-- section -->", full[i:j])
    source[0] = text


def setup(app):
    app.connect("source-read", _source_read)
