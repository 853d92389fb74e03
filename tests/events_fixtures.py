"""Fixtures of the agenda's tests (imported by their modules)."""

from datetime import timedelta

import pytest

from civic.core.models import utcnow


@pytest.fixture
def publisher(make_user):
    return make_user("agent", email="agenda@example.org")


@pytest.fixture
def make_event(db, app, publisher):
    """A published event in ten days; fields may be overridden."""
    from civic.events import services

    def make(publish: bool = True, actor=None, **fields):
        start = utcnow().replace(microsecond=0) + timedelta(days=10)
        values = {
            "kind": "reunion",
            "title": "Réunion publique sur le plan climat",
            "description": "Présentation du diagnostic et échanges.",
            "starts_at": start,
            "ends_at": start + timedelta(hours=2),
            "commune_id": None,
            "place_name": "Salle des fêtes",
            "address": "1 place de la Mairie",
            "accessibility": "Plain-pied, boucle magnétique.",
            "online_url": "",
            "organiser_commune_id": None,
            "consultation_id": None,
            "phase_id": None,
            "registration": True,
            "capacity": 2,
            **fields,
        }
        with app.test_request_context():
            event = services.save_event(actor or publisher, None, **values)
            if publish:
                services.publish(actor or publisher, event)
        db.session.commit()
        return event

    return make
