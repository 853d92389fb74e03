"""Benchmark of a draft text at scale: a 200-passage document with 5,000 reactions.

Run: .venv/bin/python bench/bench_documents.py [--quick] [--database sqlite|postgresql|both]

On SQLite and on PostgreSQL (a scratch database `civic_bench_documents`, created then dropped;
skipped with a message when the server cannot be reached), it imports three drafts of 20, 100
and 200 passages (paragraphs and actions, under headings) in one consultation, gives the
largest one 5,000 published reactions from 2,000 residents (500 on its busiest passage) and
200 amendments with 2,000 votes, inserted in bulk, then publishes its version 2. Then,
through the Flask test client (server time, without network), it times: the document page
(anonymous and logged in), the busiest passage's page, the amendments and answers page and the
side-by-side difference between versions 1 and 2, the analysis of the reactions (grouped
once before, then kept until the next change: the time of that first grouping is printed),
against a bare page on the same app
(bench/timing.py). Warm-up requests, then rounds of one request per case, interleaved.

A second table times the document page when each request follows a resident's question on a
random passage (through the service, committed, outside the timed window): the kept text is
then stale and the page is put together again from the passages kept, the changed one
rendered anew; and, for information, with nothing kept at all (the first reader after a
restart or in a new language).

Goals (the issue's): the document page under 10x the bare page's median, read again and
after a reaction (the other pages are shown for information); the document page sends the
same number
of SQL statements for the 20-, 100- and 200-passage drafts (no statement per passage or
reaction); the counters beside each passage equal COUNT(*) of their rows.

--quick: 30 rounds instead of 150 (the data stays the same size).
"""

from __future__ import annotations

import random
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from bench.timing import (  # noqa: E402
    Case,
    StatementCounter,
    add_bare_pages,
    anonymous_client,
    logged_in_client,
    measure,
    options,
    print_table,
    report,
    run_databases,
)
from civic import create_app  # noqa: E402
from civic.accounts.models import User  # noqa: E402
from civic.core.models import utcnow  # noqa: E402
from civic.documents import services  # noqa: E402
from civic.documents.models import (  # noqa: E402
    Amendment,
    AmendmentVote,
    DraftItem,
    Reaction,
)
from civic.extensions import db  # noqa: E402
from tests.conftest import app_config  # noqa: E402

PG_DATABASE = "civic_bench_documents"
SIZES = (20, 100, 200)
REACTIONS, RESIDENTS, BUSIEST, AMENDMENTS, VOTES = 5_000, 2_000, 500, 200, 2_000


WORDS = (
    "climat énergie rénovation vélo covoiturage chaleur solaire eau cantine école bus "
    "commune habitants logement sobriété biodiversité arbres ombre budget service"
).split()


def markdown(passages: int, rng: random.Random) -> str:
    """Headings every 10 passages; one passage in five an action with its fields."""
    words = WORDS
    parts = []
    for n in range(passages):
        if n % 10 == 0:
            parts.append(f"## Partie {n // 10 + 1}")
        sentence = " ".join(rng.choice(words) for _ in range(45)).capitalize() + "."
        if n % 5 == 4:
            parts.append(
                f"### Action {n} : {sentence[:60]}\n{sentence}\n\nPilote : Service {n % 7}\n"
                f"Budget : {rng.randint(10, 5000) * 1000} €\nIndicateurs : un ; deux"
            )
        else:
            parts.append(sentence)
    return "# Projet\n\n" + "\n\n".join(parts) + "\n"


def seed(app, rng: random.Random) -> dict:
    from civic.consultations import services as consultations

    started = time.perf_counter()
    with app.test_request_context():
        now = utcnow()
        db.session.execute(
            sa.insert(User),
            [
                {"email": f"r{i}@bench.example.org", "display_name": f"Habitant {i}"}
                | {"email_confirmed_at": now, "charter_accepted_at": now}
                for i in range(RESIDENTS + 1)
            ],
        )
        users = list(db.session.scalars(sa.select(User.id).order_by(User.id)))
        agent = db.session.get(User, users[0])
        consultation = consultations.save_consultation(
            agent,
            None,
            title="Plan climat",
            slug="plan-climat",
            summary="Banc d'essai",
            body="<p>Banc d'essai.</p>",
            theme="Climat",
            communes=[],
            agree_limit=None,
            premoderation=False,
        )
        from datetime import timedelta

        consultations.add_phase(
            agent,
            consultation,
            title="Ouverte",
            description="",
            audience="public",
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=30),
            features=["information", "proposing", "commenting", "voting"],
        )
        consultations.publish(agent, consultation)
        drafts = {
            size: services.import_draft(
                agent, consultation, title=f"Texte {size}", summary="", source=markdown(size, rng)
            )
            for size in SIZES
        }
        big = drafts[SIZES[-1]]
        items = [i for i in services.items_of(big.current_version) if i.kind != "heading"]
        busiest, others = (
            items[len(items) // 2],
            [i for i in items if i is not items[len(items) // 2]],
        )
        rows, taken = [], set()
        kinds = ["agree", "disagree", "question"]
        while len(rows) < REACTIONS:
            item = busiest if len(rows) < BUSIEST else rng.choice(others)
            author = rng.choice(users[1:])
            kind = rng.choice(kinds)
            if kind != "question":
                if (item.id, author) in taken:
                    continue
                taken.add((item.id, author))
            rows.append(
                {
                    "item_id": item.id,
                    "author_id": author,
                    "kind": kind,
                    "body": "Une réaction argumentée."
                    if kind == "question" or len(rows) % 3
                    else "",
                    "status": "published",
                    "created_at": now,
                }
            )
        db.session.execute(sa.insert(Reaction), rows)
        db.session.execute(
            sa.insert(Amendment),
            [
                {
                    "item_id": rng.choice(items).id,
                    "author_id": rng.choice(users[1:]),
                    "text": "Une autre rédaction du passage.",
                    "reason": "",
                    "status": "published",
                    "created_at": now,
                }
                for _ in range(AMENDMENTS)
            ],
        )
        amendment_ids = list(db.session.scalars(sa.select(Amendment.id)))
        pairs = {(rng.choice(amendment_ids), rng.choice(users[1:])) for _ in range(VOTES)}
        db.session.execute(
            sa.insert(AmendmentVote),
            [{"amendment_id": a, "user_id": u, "value": rng.choice((1, -1))} for a, u in pairs],
        )
        # The counters as the services keep them, set once from the rows.
        for column, kind in services.COUNTERS.items():
            count = (
                sa.select(sa.func.count())
                .where(Reaction.item_id == DraftItem.id, Reaction.kind == column.value)
                .scalar_subquery()
            )
            db.session.execute(sa.update(DraftItem).values({kind: count}))
        db.session.execute(
            sa.update(DraftItem).values(
                amendment_count=sa.select(sa.func.count())
                .where(Amendment.item_id == DraftItem.id)
                .scalar_subquery()
            )
        )
        for column, value in (("for_count", 1), ("against_count", -1)):
            db.session.execute(
                sa.update(Amendment).values(
                    {
                        column: sa.select(sa.func.count())
                        .where(
                            AmendmentVote.amendment_id == Amendment.id, AmendmentVote.value == value
                        )
                        .scalar_subquery()
                    }
                )
            )
        source = big.current_version.source.replace("Partie 3", "Partie trois", 1)
        services.publish_version(agent, big, source=source, note="Banc d'essai", amendment_ids=[])
        db.session.commit()
        seeded = {
            "drafts": {size: d.id for size, d in drafts.items()},
            "busiest": busiest.id,
            "reader": users[1],
            "residents": users[2:],
            "passages": [i.id for i in services.items_of(big.current_version) if i.reacts],
        }
        db.session.remove()
    print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)
    return seeded


def counters_exact() -> list[str]:
    """Passages whose counters differ from COUNT(*) of their rows."""
    wrong = []
    for item in db.session.scalars(sa.select(DraftItem)):
        counts = {
            kind: db.session.scalar(
                sa.select(sa.func.count()).where(
                    Reaction.item_id == item.id,
                    Reaction.kind == kind,
                    Reaction.status == "published",
                )
            )
            for kind in ("agree", "disagree", "question")
        }
        amendments = db.session.scalar(
            sa.select(sa.func.count()).where(
                Amendment.item_id == item.id, Amendment.status == "published"
            )
        )
        held = (item.agree_count, item.disagree_count, item.question_count, item.amendment_count)
        if held != (counts["agree"], counts["disagree"], counts["question"], amendments):
            wrong.append(f"item {item.id}: {held} != {counts}, {amendments}")
    return wrong


def reacting(app, seeded: dict, rng: random.Random):
    """before(i): a resident asks a question on a passage of the big draft, through the
    service (moderation, counters, the version's new key), committed."""

    def before(i: int) -> None:
        with app.test_request_context():
            user = db.session.get(User, rng.choice(seeded["residents"]))
            item = db.session.get(DraftItem, rng.choice(seeded["passages"]))
            words = " ".join(rng.choice(WORDS) for _ in range(12))
            reaction = services.react(user, item, kind="question", body=f"{words} ?")
            # Held for moderation, it would change nothing on the page and flatter the figure.
            assert reaction.status == "published", reaction.status
            db.session.commit()
            db.session.remove()

    return before


def run_database(label: str, url: str, n: int) -> list[str]:
    print(f"\n=== {label}: {url}", flush=True)
    app = create_app(app_config(url))
    add_bare_pages(app)
    with app.app_context():
        upgrade()
        engine = db.engine
    seeded = seed(app, random.Random(2026))
    anonymous = anonymous_client(app)
    reader = logged_in_client(app, seeded["reader"])
    big = seeded["drafts"][SIZES[-1]]
    base = f"/concertations/plan-climat/textes/{big}"
    counter = StatementCounter(engine)
    misses = []
    try:
        cases = [
            Case("bare page", lambda i: anonymous.get("/bench-bare")),
            Case("document, 200 passages (anonymous)", lambda i: anonymous.get(base)),
            Case("document, 200 passages (logged in)", lambda i: reader.get(base)),
            Case(
                f"passage with {BUSIEST} reactions, page 2",
                lambda i: anonymous.get(f"{base}/passages/{seeded['busiest']}?page=2"),
                info=True,
            ),
            Case(
                "amendments and answers (200)",
                lambda i: anonymous.get(f"{base}/reponses"),
                info=True,
            ),
            Case(
                "versions 1 and 2 side by side",
                lambda i: anonymous.get(f"{base}/comparer"),
                info=True,
            ),
            Case(
                "analysis of the reactions (kept)",
                lambda i: anonymous.get(f"{base}/analyse"),
                info=True,
            ),
        ]
        started = time.perf_counter()
        response = anonymous.get(f"{base}/analyse")
        assert response.status_code == 200, response.status_code
        print(f"  analysis of the reactions, grouped: {time.perf_counter() - started:.2f} s")
        results = measure(cases, counter, n)
        misses += print_table(label, results, results[0])
        # A reaction changes one passage's counters: the page is put together again from the
        # passages kept, one of them rendered anew. Measured apart, since it empties the kept
        # text that the cases above read.
        react = reacting(app, seeded, random.Random(18))
        cases = [
            Case("bare page", lambda i: anonymous.get("/bench-bare")),
            Case(
                "document, 200 passages, after a reaction (logged in)",
                lambda i: reader.get(base),
                before=react,
            ),
            Case(
                "document, 200 passages, every passage rendered anew",
                lambda i: reader.get(base),
                before=lambda i: app.extensions["civic.caches"].pop("fragments", None),
                info=True,
            ),
        ]
        results = measure(cases, counter, n)
        misses += print_table(
            f"{label}, a reaction before each document request", results, results[0]
        )
        # Each draft's page twice: rendered (first) then from the kept HTML (second).
        statements = {"first": {}, "second": {}}
        app.extensions.get("civic.caches", {}).clear()
        for size, draft_id in seeded["drafts"].items():
            for request in ("first", "second"):
                counter.count = 0
                response = reader.get(f"/concertations/plan-climat/textes/{draft_id}")
                assert response.status_code == 200, response.status_code
                statements[request][size] = counter.count
        print(f"\n  SQL statements of the document page by size (logged in): {statements}")
        if any(len(set(counts.values())) != 1 for counts in statements.values()):
            misses.append(f"{label}: statements grow with the document: {statements}")
        with app.app_context():
            wrong = counters_exact()
            db.session.remove()
        print(f"  passages whose counters differ from COUNT(*): {len(wrong)}")
        if wrong:
            misses.append(f"{label}: counters differ: {wrong[:3]}")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        shutil.rmtree(app.config["CIVIC_UPLOAD_DIR"], ignore_errors=True)
    return misses


def main() -> int:
    args = options(__doc__.splitlines()[0], "30 rounds instead of 150")
    n = 30 if args.quick else 150
    misses = run_databases(
        args.database, PG_DATABASE, lambda label, url: run_database(label, url, n)
    )
    return report(
        misses,
        "all goals met: the document page under 10x the bare page, also after a reaction;"
        " statements independent of size",
    )


if __name__ == "__main__":
    sys.exit(main())
