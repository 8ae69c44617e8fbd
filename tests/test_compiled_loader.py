"""Loading the optional compiled kernels: missing, switched off, or broken numba."""

from __future__ import annotations

import pytest

from dfdx._core import compiled


@pytest.fixture
def fresh_cache(monkeypatch):
    monkeypatch.setattr(compiled, "_loaded", {})
    monkeypatch.setenv("DFDX_NUMBA", "1")


def _failing(exc):
    def import_module(name):
        raise exc

    return import_module


def test_missing_numba_gives_none_quietly(monkeypatch, fresh_cache, recwarn):
    missing = ModuleNotFoundError("No module named 'numba'", name="numba")
    monkeypatch.setattr(compiled.importlib, "import_module", _failing(missing))
    assert compiled.load("grid._jit1d") is None
    assert not recwarn.list


def test_broken_numba_warns_once_and_gives_none(monkeypatch, fresh_cache):
    monkeypatch.setattr(compiled.importlib, "import_module", _failing(SystemError("llvm")))
    with pytest.warns(RuntimeWarning, match="numba is installed but could not be used"):
        assert compiled.load("grid._jit1d") is None
    assert compiled.load("grid._jit1d") is None  # remembered: no second warning


def test_other_missing_modules_are_errors(monkeypatch, fresh_cache):
    missing = ModuleNotFoundError("No module named 'dfdx.nope'", name="dfdx.nope")
    monkeypatch.setattr(compiled.importlib, "import_module", _failing(missing))
    with pytest.raises(ModuleNotFoundError, match=r"dfdx\.nope"):
        compiled.load("nope")


@pytest.mark.parametrize(("value", "on"), [("0", False), (" 0 ", False), ("1", True), ("", True)])
def test_switch(monkeypatch, value, on):
    monkeypatch.setenv("DFDX_NUMBA", value)
    assert compiled.enabled() is on
    if not on:
        assert compiled.load("grid._jit1d") is None
