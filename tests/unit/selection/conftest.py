"""The selection engine is pure: its tests need no application and no database."""

import pytest


@pytest.fixture(autouse=True)
def db():
    """Replaces the suite's per-test database transaction (tests/conftest.py) for this folder,
    so that these tests neither build the app nor open a connection."""
    yield None
