"""pytest fixtures SciPy's conftest gives its tests: only the NumPy backend here."""

import numpy as np
import pytest


@pytest.fixture
def xp():
    return np


def pytest_configure(config):
    for marker in ("skip_xp_backends", "xfail_xp_backends", "array_api_backends", "slow"):
        config.addinivalue_line("markers", f"{marker}: peer marker")
