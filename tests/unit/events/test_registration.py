"""Registration: seats, the waiting list, confirmation by e-mail, reminders."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from civic.core.models import utcnow
from civic.core.notify import OutboxEmail
from civic.events import services
from civic.events.models import Event, Registration


def _confirmed_count(event) -> int:
    return sa.select(sa.func.count()).where(
        Registration.event_id == event.id, Registration.status == "confirmed"
    )


def _check_counter(db, event):
    """The seat counter equals COUNT(*) of the confirmed registrations."""
    db.session.expire_all()
    fresh = db.session.get(Event, event.id)
    assert fresh.seats_taken == db.session.scalar(_confirmed_count(event))
    return fresh.seats_taken


def _register(app, event, email, name="Habitant", **kwargs):
    with app.test_request_context():
        return services.register(event, name=name, email=email, **kwargs)


def _mails(db, to):
    return list(db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.to_address == to)))


def test_without_account_the_seat_waits_for_the_confirmed_address(app, db, make_event):
    event = make_event()
    result = _register(app, event, "Alice@Example.org", name="Alice")
    assert result.registration.status == "pending"
    assert result.registration.email == "alice@example.org"
    assert _check_counter(db, event) == 0
    mail = _mails(db, "alice@example.org")[-1]
    assert result.token in mail.body
    # The link is never stored, only its hash.
    assert result.token not in result.registration.token_hash
    assert services.by_token(result.token) == result.registration
    with app.test_request_context():
        services.confirm(result.registration)
    assert result.registration.status == "confirmed"
    assert _check_counter(db, event) == 1


def test_full_event_queues_and_cancellation_promotes_the_first(app, db, make_event, make_user):
    event = make_event(capacity=2)
    users = [make_user(email=f"p{i}@example.org") for i in range(4)]
    regs = [_register(app, event, u.email, user=u).registration for u in users]
    assert [r.status for r in regs] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert _check_counter(db, event) == 2
    with app.test_request_context():
        promoted = services.cancel_registration(regs[0])
    db.session.commit()
    assert promoted == regs[2]
    assert regs[2].status == "confirmed" and regs[3].status == "waiting"
    assert _check_counter(db, event) == 2
    assert any("libérée" in m.subject for m in _mails(db, "p2@example.org"))
    # Cancelling a place in the queue frees no seat.
    with app.test_request_context():
        assert services.cancel_registration(regs[3]) is None
    assert _check_counter(db, event) == 2


def test_registering_twice_keeps_one_registration(app, db, make_event):
    event = make_event()
    first = _register(app, event, "bob@example.org")
    second = _register(app, event, "BOB@example.org")
    assert first.registration.id == second.registration.id
    assert second.new is False
    # The newest link works, the old one no longer does.
    assert services.by_token(second.token) == second.registration
    assert services.by_token(first.token) is None
    count = db.session.scalar(sa.select(sa.func.count()).where(Registration.event_id == event.id))
    assert count == 1


def test_larger_capacity_moves_the_queue_up(app, db, make_event, make_user, publisher):
    event = make_event(capacity=1)
    a, b = make_user(email="a@example.org"), make_user(email="b@example.org")
    _register(app, event, a.email, user=a)
    waiting = _register(app, event, b.email, user=b).registration
    assert waiting.status == "waiting"
    fields = {n: getattr(event, n) for n in services.EVENT_FIELDS}
    with app.test_request_context():
        services.save_event(publisher, event, **{**fields, "capacity": 2})
    assert waiting.status == "confirmed"
    assert _check_counter(db, event) == 2
    with pytest.raises(services.EventError):
        with app.test_request_context():
            services.save_event(publisher, event, **{**fields, "capacity": 1})


def test_database_refuses_more_seats_than_capacity(db, make_event):
    from sqlalchemy.exc import IntegrityError

    event = make_event(capacity=1)
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.execute(sa.update(Event).where(Event.id == event.id).values(seats_taken=2))


def test_cancelling_the_event_tells_everyone_and_keeps_it(app, db, make_event, publisher):
    event = make_event()
    _register(app, event, "c@example.org", user=None)
    _register(app, event, "d@example.org", entered_by=publisher, channel="phone")
    before = event.sequence
    with app.test_request_context():
        told = services.cancel(publisher, event, "Salle indisponible.")
    db.session.commit()
    assert told == 2
    assert db.session.get(Event, event.id).status == "cancelled"
    assert event.sequence == before + 1
    body = _mails(db, "d@example.org")[-1].body
    assert "Salle indisponible." in body
    with pytest.raises(services.EventError):
        _register(app, event, "e@example.org")


def test_reminders_go_once_to_confirmed_registrants(app, db, make_event, make_user):
    soon = utcnow() + timedelta(hours=20)
    event = make_event(starts_at=soon, ends_at=soon + timedelta(hours=1))
    user = make_user(email="r@example.org")
    _register(app, event, user.email, user=user)
    _register(app, event, "pending@example.org")
    later = make_event(title="Plus tard")
    _register(app, later, user.email, user=user)
    with app.test_request_context():
        assert services.send_reminders() == 1
        assert services.send_reminders() == 0
    reminders = [m for m in _mails(db, "r@example.org") if m.subject.startswith("Rappel")]
    assert len(reminders) == 1
    assert "/agenda/inscription/" in reminders[0].body
    assert not [m for m in _mails(db, "pending@example.org") if m.subject.startswith("Rappel")]


def test_agent_registers_someone_at_the_counter(app, db, make_event, publisher):
    event = make_event()
    result = _register(app, event, "guichet@example.org", entered_by=publisher, channel="counter")
    assert result.registration.status == "confirmed"
    assert result.registration.entered_by_id == publisher.id


def test_organiser_scope(app, db, make_event, make_user):
    from civic.territory.models import Commune

    labege = db.session.scalar(sa.select(Commune).where(Commune.insee == "31254"))
    other = db.session.scalar(sa.select(Commune).where(Commune.insee == "31113"))
    agent = make_user("agent", email="labege@example.org", commune_id=labege.id)
    event = make_event(actor=agent, organiser_commune_id=labege.id)
    assert event.organiser_commune_id == labege.id
    with pytest.raises(services.EventError):
        make_event(actor=agent, organiser_commune_id=other.id)
    facilitator = make_user("facilitator")
    assert make_event(actor=facilitator, organiser_commune_id=other.id).id
