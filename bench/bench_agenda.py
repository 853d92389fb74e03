"""Benchmark of the agenda (issue 19): the paginated agenda, its filters, the month table and
the iCalendar feed on a large agenda.

Run: .venv/bin/python bench/bench_agenda.py [--events 20000] [--database-url URL]

The agenda is a UNION ALL of its sources (events, workshops, consultation stages) paginated in
SQL: the time of a page should not grow with the number of events. The data are synthetic:
events spread over three years across the 36 communes, a tenth of them cancelled, and
weekly permanences of a year each (`--series`), listed date by date.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--series", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    url = args.database_url or "sqlite:///" + str(Path(tempfile.mkdtemp()) / "agenda.sqlite")

    from flask_migrate import upgrade

    from civic import create_app
    from civic.core.models import utcnow
    from civic.events.models import Event
    from civic.extensions import db
    from civic.territory.models import Commune
    from civic.territory.services import load_communes

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SERVER_NAME": "bench.local",
            "RATELIMIT_ENABLED": False,
            "CIVIC_REDIS_URL": None,
        }
    )
    with app.app_context():
        upgrade()
        if not db.session.query(Commune).count():
            load_communes()
        communes = [c.id for c in db.session.query(Commune)]
        rng = random.Random(19)
        now = utcnow()
        kinds = ["reunion", "permanence", "information", "visite", "atelier", "en-ligne"]
        rows = []
        for i in range(args.events):
            start = now + timedelta(days=rng.uniform(-365, 730))
            rows.append(
                {
                    "kind": rng.choice(kinds),
                    "title": f"Événement {i}",
                    "description": "",
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=2),
                    "commune_id": rng.choice(communes),
                    "place_name": "",
                    "address": "",
                    "accessibility": "",
                    "online_url": "",
                    "registration": False,
                    "seats_taken": 0,
                    "status": "cancelled" if rng.random() < 0.1 else "published",
                    "cancel_reason": "",
                    "sequence": 0,
                    "updated_at": now,
                    "source_url": "",
                    "report_html": "",
                    "created_at": now,
                }
            )
        db.session.execute(Event.__table__.insert(), rows)
        db.session.commit()
        from civic.accounts.models import RoleGrant, User
        from civic.events import services

        admin = User(email="bench@example.org", password_hash=None)  # never logs in
        admin.grants.append(RoleGrant(role="admin"))
        db.session.add(admin)
        began = time.perf_counter()
        with app.test_request_context():
            for i in range(args.series):
                start = (now + timedelta(days=rng.uniform(-30, 30))).replace(microsecond=0)
                event = services.save_event(
                    admin,
                    None,
                    kind="permanence",
                    title=f"Permanence {i}",
                    description="",
                    commune_id=rng.choice(communes),
                    place_name="Mairie",
                    address="",
                    accessibility="",
                    online_url="",
                    registration=False,
                    starts_at=start,
                    ends_at=start + timedelta(hours=3),
                    organiser_commune_id=None,
                    consultation_id=None,
                    phase_id=None,
                    capacity=None,
                    recurrence="weekly",
                    recurrence_until=(start + timedelta(days=364)).date(),
                )
                services.publish(admin, event)
        db.session.commit()
        saving = (time.perf_counter() - began) / max(1, args.series)
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does soon after a bulk load: plans from real statistics.
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        month = (now + timedelta(days=40)).strftime("%Y-%m")
    client = app.test_client()
    cases = {
        "agenda, page 1": "/agenda",
        "agenda, page 50": "/agenda?page=50",
        "agenda, one commune and type": "/agenda?commune=31254&type=reunion",
        "agenda, permanences": "/agenda?type=permanence",
        "month table": f"/agenda?mois={month}",
        "iCalendar, one commune": "/agenda.ics?commune=31254",
        "iCalendar, permanences": "/agenda.ics?type=permanence",
    }
    print(
        f"{args.events} events and {args.series} weekly series of a year on "
        f"{url.split(':')[0]}; median of {args.repeat} requests"
    )
    if args.series:
        print(f"  saving a series (its 53 dates written)  {saving * 1000:8.1f} ms")
    for name, path in cases.items():
        timings = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - began)
            assert response.status_code == 200, (path, response.status_code)
        print(f"  {name:<32} {statistics.median(timings) * 1000:8.1f} ms  ({len(response.data)} B)")


if __name__ == "__main__":
    main()
