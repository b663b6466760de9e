"""Every test here runs at each awkward moment of tests/conftest.py (midnight UTC, DST)."""

import pytest


@pytest.fixture(autouse=True)
def _at_awkward_moments(awkward_moment):
    return awkward_moment
