"""The agenda's fixtures."""

from tests.events_fixtures import make_event, publisher  # noqa: F401
