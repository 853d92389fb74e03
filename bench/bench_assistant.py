"""Benchmark of the assistant (issue 20): the classifier's training time, and the time of an
answer on the server for each of the 200 written questions of tests/data/questions.csv.

Run: .venv/bin/python bench/bench_assistant.py [--database-url URL] [--repeat 3]

The database holds the demo's services (its SCDL file imported like a real one), glossary,
help pages, a consultation, and a thousand agenda events, so that an answer reads real tables.
The goal is an answer in 50 ms or less (the whole request: recognition, queries, the page).
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--events", type=int, default=1000)
    args = parser.parse_args()
    url = args.database_url or "sqlite:///" + str(Path(tempfile.mkdtemp()) / "assistant.sqlite")

    from flask_migrate import upgrade

    from civic import create_app
    from civic.assistant import answering, classifier
    from civic.assistant import demo as assistant_demo
    from civic.assistant import services as assistant
    from civic.consultations.demo import GLOSSARY
    from civic.consultations.models import GlossaryTerm
    from civic.core.models import utcnow
    from civic.events.models import Event
    from civic.extensions import db
    from civic.ratings import demo as ratings_demo
    from civic.ratings import importer
    from civic.ratings import services as ratings
    from civic.territory.models import Commune
    from civic.territory.services import load_communes

    started = time.perf_counter()
    model = classifier.train(classifier.read_examples(), classifier.territory_communes())
    train_s = time.perf_counter() - started
    print(f"training: {train_s:.2f} s on {len(classifier.read_examples())} examples (goal 30 s)")
    del model

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SERVER_NAME": "bench.local",
            "RATELIMIT_ENABLED": False,
            "CIVIC_REDIS_URL": None,
            "CIVIC_MAIL_ECHO": False,
        }
    )
    with app.app_context(), app.test_request_context():
        upgrade()
        if not db.session.query(Commune).count():
            load_communes()
        communes = {c.insee: c for c in db.session.query(Commune)}
        rng = random.Random(20)  # noqa: S311  # nosec B311 - synthetic bench data
        parsed = importer.parse(ratings_demo.scdl_file(communes, rng), filename="bench.csv")
        ratings.import_services(None, "bench", parsed, dataset="bench", filename="bench.csv")
        db.session.add_all(GlossaryTerm(term=t, definition=d) for t, d in GLOSSARY)
        for title, keywords, body in assistant_demo.HELP_PAGES:
            assistant.save_help_page(
                None, None, title=title, body=body, keywords=keywords, published=True
            )
        now = utcnow()
        ids = [c.id for c in communes.values()]
        for i in range(args.events):
            start = now + timedelta(days=rng.uniform(-30, 365), hours=rng.randint(0, 23))
            db.session.add(
                Event(
                    title=f"Réunion publique n° {i} sur le climat" if i % 3 else f"Atelier {i}",
                    starts_at=start,
                    ends_at=start + timedelta(hours=2),
                    commune_id=rng.choice(ids),
                    status="published",
                )
            )
        db.session.commit()
        answering.model()  # loaded once per process, as in a worker

    with (ROOT / "tests" / "data" / "questions.csv").open(encoding="utf-8") as f:
        questions = [row["question"] for row in csv.DictReader(f)]
    client = app.test_client()
    client.get("/question", query_string={"q": questions[0]})  # templates compiled once
    timings = []
    for _ in range(args.repeat):
        for question in questions:
            started = time.perf_counter()
            response = client.get("/question", query_string={"q": question})
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (question, response.status_code)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95)]
    print(
        f"answer page, {len(timings)} requests: median {statistics.median(timings):.1f} ms, "
        f"95th percentile {p95:.1f} ms, max {timings[-1]:.1f} ms (goal 50 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
