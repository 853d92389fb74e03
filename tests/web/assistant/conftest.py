"""The demo's own data for the assistant: its services file, glossary, help pages, an event."""

import random
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from civic.core.models import utcnow


@pytest.fixture
def territory(db, app, make_user, climate):
    from civic.assistant import demo as assistant_demo
    from civic.consultations.demo import GLOSSARY
    from civic.consultations.models import GlossaryTerm
    from civic.core.validators import PARIS
    from civic.events import services as events
    from civic.ratings import demo as ratings_demo
    from civic.ratings import importer
    from civic.ratings import services as ratings
    from civic.territory.models import Commune

    agent = make_user("agent", email="agent.accueil@example.org", display_name="Agent")
    communes = {c.insee: c for c in db.session.scalars(sa.select(Commune))}
    with app.test_request_context():
        parsed = importer.parse(
            ratings_demo.scdl_file(communes, random.Random(31)),  # noqa: S311
            filename="equipements.csv",
        )
        ratings.import_services(agent, "demo", parsed, dataset="démo", filename="equipements.csv")
        db.session.add_all(GlossaryTerm(term=t, definition=d) for t, d in GLOSSARY)
        for title, keywords, body in assistant_demo.HELP_PAGES:
            from civic.assistant import services

            services.save_help_page(
                agent, None, title=title, body=body, keywords=keywords, published=True
            )
        day = (utcnow() + timedelta(days=5)).astimezone(PARIS).date()
        start = datetime(day.year, day.month, day.day, 19, tzinfo=PARIS)
        event = events.save_event(
            agent,
            None,
            kind="reunion",
            title="Réunion publique sur le plan climat",
            description="Les actions pour le climat.",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            commune_id=communes["31254"].id,
            place_name="Salle des fêtes",
            address="",
            accessibility="",
            online_url="",
            organiser_commune_id=None,
            consultation_id=None,
            phase_id=None,
            registration=False,
            capacity=None,
        )
        events.publish(agent, event)
    db.session.commit()
    return {"agent": agent, "event": event, "communes": communes}
