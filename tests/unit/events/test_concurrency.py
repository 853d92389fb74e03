"""Seats under concurrency: threads with their own connections confirm and cancel at the same
moment; the counter, the constraints and COUNT(*) must agree (run it with --database-url on
PostgreSQL too)."""

import threading
import time

import sqlalchemy as sa

from civic import create_app
from civic.core.notify import OutboxEmail
from civic.events import services
from civic.events.models import Event, Registration
from civic.extensions import db as _db
from tests.conftest import app_config

CAPACITY = 5
PEOPLE = 16


def _in_threads(app, fn, items):
    barrier = threading.Barrier(len(items))
    errors = []
    # SQLite refuses (SQLITE_BUSY, "database is locked") a transaction that read before another
    # one wrote; the request fails and is tried again. PostgreSQL waits on the row: no retry.
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    attempts = 20 if sqlite else 1

    def run(item):
        with app.test_request_context():
            barrier.wait(timeout=30)
            for attempt in range(attempts):
                try:
                    fn(item)
                    _db.session.commit()
                    break
                except sa.exc.OperationalError as error:
                    _db.session.rollback()
                    if attempt == attempts - 1 or "locked" not in str(error):
                        errors.append((item, repr(error)))
                        break
                    time.sleep(0.02 * (attempt + 1))  # let the writer finish
                except Exception as error:  # reported below, with the item
                    _db.session.rollback()
                    errors.append((item, repr(error)))
                    break
            _db.session.remove()

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


def _state(app, event_id):
    with app.app_context():
        counter = _db.session.scalar(sa.select(Event.seats_taken).where(Event.id == event_id))
        rows = dict(
            _db.session.execute(
                sa.select(Registration.status, sa.func.count())
                .where(Registration.event_id == event_id)
                .group_by(Registration.status)
            ).all()
        )
        _db.session.remove()
    return counter, rows


def test_concurrent_confirmations_and_cancellations_keep_exact_counts(app, database_url):
    # A second app on the same database: its own engine and connections, data committed.
    other = create_app(app_config(database_url))
    with other.test_request_context():
        from datetime import timedelta

        from civic.core.models import utcnow

        start = utcnow() + timedelta(days=5)
        event = Event(
            title="Réunion très demandée",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            status="published",
            registration=True,
            capacity=CAPACITY,
            sequence=0,
        )
        _db.session.add(event)
        _db.session.commit()
        event_id = event.id
        ids = []
        for i in range(PEOPLE):
            result = services.register(event, name=f"Personne {i}", email=f"c{i}@example.org")
            ids.append(result.registration.id)
        _db.session.commit()
        _db.session.remove()
    try:

        def confirm(registration_id):
            services.confirm(_db.session.get(Registration, registration_id))

        _in_threads(other, confirm, ids)
        counter, rows = _state(other, event_id)
        assert counter == rows.get("confirmed") == CAPACITY
        assert rows.get("waiting") == PEOPLE - CAPACITY

        with other.app_context():
            holders = list(
                _db.session.scalars(
                    sa.select(Registration.id).where(
                        Registration.event_id == event_id, Registration.status == "confirmed"
                    )
                )
            )
            _db.session.remove()

        def cancel(registration_id):
            services.cancel_registration(_db.session.get(Registration, registration_id))

        _in_threads(other, cancel, holders[:3])
        counter, rows = _state(other, event_id)
        # Three seats freed, three people of the queue in: still full, never over.
        assert counter == rows.get("confirmed") == CAPACITY
        assert rows.get("waiting") == PEOPLE - CAPACITY - 3
        assert rows.get("cancelled") == 3
    finally:
        with other.app_context():
            emails = [f"c{i}@example.org" for i in range(PEOPLE)]
            _db.session.execute(sa.delete(OutboxEmail).where(OutboxEmail.to_address.in_(emails)))
            _db.session.execute(sa.delete(Registration).where(Registration.event_id == event_id))
            _db.session.execute(sa.delete(Event).where(Event.id == event_id))
            _db.session.commit()
            _db.session.remove()
