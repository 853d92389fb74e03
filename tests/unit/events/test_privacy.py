"""Registrations in the personal data export, and gone with the account (seat passed on)."""

import sqlalchemy as sa

from civic.core import privacy
from civic.events import services
from civic.events.models import Registration


def test_export_and_erasure_pass_the_seat_on(app, db, make_event, make_user):
    event = make_event(capacity=1)
    leaving, waiting = make_user(email="part@example.org"), make_user(email="attend@example.org")
    with app.test_request_context():
        services.register(event, name="Part", email=leaving.email, user=leaving)
        queued = services.register(event, name="Attend", email=waiting.email, user=waiting)
    exported = privacy.export_all(leaving)["events"]["registrations"]
    assert [r["event"] for r in exported] == [event.title]
    with app.test_request_context():
        privacy.erase_all(leaving)
    db.session.commit()
    left = db.session.scalar(sa.select(sa.func.count()).where(Registration.user_id == leaving.id))
    assert left == 0
    assert queued.registration.status == "confirmed"
