"""Benchmark of the consultation pages at scale (proposal list, proposal page, vote).

Run: .venv/bin/python bench/bench_consultations.py [--quick] [--database sqlite|postgresql|both]

Seeds one consultation with 10,000 proposals, 200,000 votes from 5,000 users and 50,000
comments (one proposal has 500 of them) with bulk SQL (bench/seed_consultations.py), on SQLite
and on PostgreSQL (a scratch database `civic_bench` at postgresql+psycopg://postgres@127.0.0.1,
created then dropped, and vacuumed after the load as autovacuum would; skipped with a message
when the server cannot be reached). Then, in-process through the Flask test client (server
time, without network), it times each page: 5 warm-up requests, then 200 rounds of one request
per case, interleaved so that whatever else the machine does weighs on every case alike. The
SQL statements of each request are counted (before_cursor_execute on the engine; on SQLite the
BEGIN counts too).

The reference is a bare page on the same app (same hooks, same Jinja environment and context
processors), rendering a static template. That template is compiled once, as the app's own
templates are: render_template_string() compiles its source on every call (about 1 ms here),
which would inflate the reference and flatter every ratio; that variant is shown for
information, with an empty page in base.html (the layout every real page pays for) and
logged-in variants (these three get a quarter of the requests). Goals: every page under 10x
the bare page's median, and no N+1: the list and the comments are also fetched at several
page sizes, which must all send the same number of statements, and on pages holding fewer
items, which may send fewer (a query that finds nothing spares a follow-up) but never more.

After the vote POSTs (each changes the voter's vote: new vote or another value), every counter
(agree / disagree / pass / comment counts, the participants' agree budget) is compared with
COUNT(*) of its rows.

--quick: everything 10x smaller (the featured proposal keeps its 500 comments, so that its
comment pages are the same) and 50 rounds.

Exit status 1 when a goal is missed: a page over 10x, a statement count that grows with the
items shown, a counter that differs from COUNT(*), or a request that failed (an unexpected
status is reported in the table as ERROR).
"""

from __future__ import annotations

import argparse
import gc
import logging
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
from flask import Blueprint, render_template, render_template_string  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event  # noqa: E402

from bench.seed_consultations import (  # noqa: E402
    SEARCH_THEME,
    SEARCH_WORD,
    Dataset,
    Sizes,
    check_counters,
    generate,
)
from bench.seed_consultations import seed as seed_database  # noqa: E402
from civic import create_app  # noqa: E402
from civic.consultations import queries  # noqa: E402
from civic.core import pagination, permissions  # noqa: E402
from civic.extensions import db  # noqa: E402
from tests.conftest import app_config  # noqa: E402

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_DATABASE = "civic_bench"
GOAL_RATIO = 10.0
WARMUP = 5
INFO_EVERY = 4  # the cases shown for context get a quarter of the requests (time budget)
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TOTAL_RE = re.compile(r"<p>([\d\s\u202f\u00a0,.]+) propositions?</p>")

BARE_SOURCE = (
    '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Page témoin</title>'
    "</head><body><main><h1>Page témoin</h1><p>Une page statique rendue par Jinja, pour "
    "comparer.</p></main></body></html>"
)
LAYOUT_SOURCE = (
    '{% extends "base.html" %}{% block title %}Page témoin{% endblock %}'
    "{% block content %}<h1>Page témoin</h1>{% endblock %}"
)
# A visitor's starting point in the shuffled order, as the app draws them (0..2**31 - 1): set
# so that runs compare.
SHUFFLE_SEED = 1_234_567_890


# --- the reference pages -------------------------------------------------------------------


def add_bare_pages(app) -> None:
    """A tiny blueprint on the same app, declared and guarded like every other route."""
    bp = Blueprint("bench", __name__)
    compiled: dict[str, object] = {}

    def template(source: str):
        if source not in compiled:
            compiled[source] = app.jinja_env.from_string(source)
        return compiled[source]

    def bare():
        return render_template(template(BARE_SOURCE))

    def bare_string():
        return render_template_string(BARE_SOURCE)

    def layout():
        return render_template(template(LAYOUT_SOURCE))

    if "bench.bare" not in permissions.rules():
        permissions.register("bench.bare", permissions.always)
    permissions.route(bp, "/bench-bare", bare, "bench.bare")
    permissions.route(bp, "/bench-bare-string", bare_string, "bench.bare")
    permissions.route(bp, "/bench-layout", layout, "bench.bare")
    app.register_blueprint(bp)


# --- measuring -----------------------------------------------------------------------------


class LastError(logging.Handler):
    """The app logs a 500's exception (civic.errors) and answers a page: keep its message."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.message = ""
        logging.getLogger("civic").addHandler(self)

    def emit(self, record) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            self.message = f"{type(error).__name__}: {str(error).splitlines()[0][:120]}"
        else:
            self.message = record.getMessage()[:120]


LAST_ERROR = LastError()


class StatementCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args) -> None:
        self.count += 1


@dataclass
class Result:
    name: str
    times: list[float] = field(default_factory=list)  # seconds
    statements: list[int] = field(default_factory=list)
    error: str = ""
    info: bool = False  # shown, but not judged against the goal
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times)
        return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


@dataclass
class Case:
    name: str
    request: Callable[[int], object]  # i -> response
    expect: int = 200
    info: bool = False  # shown for context, not judged; measured every INFO_EVERY rounds
    after: Callable[[int], None] | None = None  # i -> None, outside the timed window


def run_once(case: Case, result: Result, counter: StatementCounter, i: int, keep: bool) -> None:
    counter.count = 0
    LAST_ERROR.message = ""
    try:
        started = time.perf_counter()
        response = case.request(i)
        elapsed = time.perf_counter() - started
    except Exception as error:  # noqa: BLE001 - a failing page is a result to report
        result.error = f"{type(error).__name__}: {str(error).splitlines()[0][:160]}"
        return
    if response.status_code != case.expect:
        result.error = f"HTTP {response.status_code} (expected {case.expect})"
        if LAST_ERROR.message:
            result.error += f": {LAST_ERROR.message}"
        return
    if case.after:
        case.after(i)
    if keep:
        result.times.append(elapsed)
        result.statements.append(counter.count)


def measure(cases: list[Case], counter: StatementCounter, n: int) -> list[Result]:
    """A few warm-up requests per case, then n rounds of one request per case (one round in
    INFO_EVERY for the cases shown for context).

    Interleaving the cases spreads whatever else the machine does over all of them alike,
    so that the ratios to the bare page hold even when the timings wander.
    """
    results = [Result(case.name, info=case.info) for case in cases]
    calls = [0] * len(cases)
    for _round in range(WARMUP):
        for k, case in enumerate(cases):
            if not results[k].error:
                run_once(case, results[k], counter, calls[k], keep=False)
                calls[k] += 1
    gc.collect()
    started = time.perf_counter()
    for round_ in range(n):
        for k, case in enumerate(cases):
            if case.info and round_ % INFO_EVERY:
                continue
            if not results[k].error:
                run_once(case, results[k], counter, calls[k], keep=True)
                calls[k] += 1
        if (round_ + 1) % max(1, n // 4) == 0:
            print(
                f"  {round_ + 1}/{n} rounds of {len(cases)} requests"
                f" ({time.perf_counter() - started:.1f} s)",
                flush=True,
            )
    return results


def fmt_statements(values: list[int]) -> str:
    if not values:
        return "-"
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}-{high}"


def print_table(label: str, results: list[Result], bare: Result) -> list[str]:
    """The table of one database; returns the goals it misses."""
    misses = []
    print(f"\n{label}: server time per request (n requests after {WARMUP} warm-up requests)")
    header = (
        f"{'case':<40} {'n':>4} {'median ms':>9} {'p95 ms':>8} {'x bare':>7} {'SQL/req':>7}  goal"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        if r.error:
            print(f"{r.name:<40} {'':>4} {'ERROR':>9}  {r.error}")
            misses.append(f"{label}: {r.name}: {r.error}")
            continue
        ratio = r.median / bare.median
        if r is bare:
            verdict = "reference"
        elif r.info:
            verdict = "(info)"
        elif ratio < GOAL_RATIO:
            verdict = "ok"
        else:
            verdict = f"OVER {GOAL_RATIO:.0f}x"
            misses.append(f"{label}: {r.name} is {ratio:.1f}x the bare page")
        print(
            f"{r.name:<40} {len(r.times):>4} {r.median * 1000:>9.2f} {r.p95 * 1000:>8.2f} "
            f"{ratio:>6.1f}x {fmt_statements(r.statements):>7}  {verdict}"
            + (f"  {r.note}" if r.note else "")
        )
    return misses


# --- clients -------------------------------------------------------------------------------


def anonymous_client(app):
    client = app.test_client()
    with client.session_transaction() as session:
        session["shuffle_seed"] = SHUFFLE_SEED
    return client


def logged_in_client(app, user_id: int):
    """As tests/conftest.py's log_in does; the CSRF token is read once from a page."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user_id}:1"  # User.get_id(): id and session_version (1)
        session["_fresh"] = True
        session["shuffle_seed"] = SHUFFLE_SEED
    page = client.get("/charte").get_data(as_text=True)
    client.csrf = CSRF_RE.search(page).group(1)
    return client


def drop_flashes(client) -> None:
    with client.session_transaction() as session:
        session.pop("_flashes", None)


# --- one database --------------------------------------------------------------------------


def run_database(label: str, url: str, data: Dataset, n: int) -> list[str]:
    print(f"\n=== {label}: {url}", flush=True)
    app = create_app(app_config(url))
    add_bare_pages(app)
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        engine = db.engine
    print(f"  migrations: {time.perf_counter() - started:.1f} s", flush=True)

    sizes = data.sizes
    print(
        f"  seeding {sizes.users:,} users, {sizes.proposals:,} proposals, {sizes.votes:,} votes,"
        f" {sizes.comments:,} comments ({sizes.featured_comments} on proposal {data.featured_id})",
        flush=True,
    )
    seeded = seed_database(app, data)
    t = seeded["timings"]
    print(
        f"  seeded in {t['total']:.1f} s (users {t['users']:.1f}, proposals {t['proposals']:.1f},"
        f" votes {t['votes']:.1f}, comments {t['comments']:.1f}, counters {t['counters']:.1f}"
        + (f", VACUUM ANALYZE {t['vacuum']:.1f}" if t["vacuum"] > 0.01 else "")
        + ")",
        flush=True,
    )
    with app.app_context():
        before = check_counters(db.session, seeded["consultation_id"])
        db.session.remove()
    print(f"  counters after seeding: {counter_summary(before)}", flush=True)

    try:
        misses = run_cases(app, engine, label, seeded, data, n)
        with app.app_context():
            after = check_counters(db.session, seeded["consultation_id"])
            db.session.remove()
        ok = not (
            after["wrong_proposals"]
            or after["wrong_participations"]
            or after["missing_participations"]
        )
        print(f"\n  counters after the vote POSTs: {counter_summary(after)}")
        if not ok:
            misses.append(f"{label}: counters differ from COUNT(*): {after}")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        shutil.rmtree(app.config["CIVIC_UPLOAD_DIR"], ignore_errors=True)
    return misses


def counter_summary(check: dict) -> str:
    wrong = check["wrong_proposals"] + check["wrong_participations"]
    wrong += check["missing_participations"]
    verdict = "all equal COUNT(*)" if wrong == 0 else "MISMATCH"
    return (
        f"{check['proposals']:,} proposals, {check['wrong_proposals']} with a counter != "
        f"COUNT(*); {check['participations']:,} participation rows, "
        f"{check['wrong_participations']} wrong, {check['missing_participations']} missing: "
        f"{verdict}"
    )


def run_cases(app, engine, label: str, seeded: dict, data: Dataset, n: int) -> list[str]:
    counter = StatementCounter(engine)
    slug = seeded["slug"]
    base = f"/concertations/{slug}/propositions"
    featured = f"{base}/{data.featured_id}"
    anonymous = anonymous_client(app)
    voters = [logged_in_client(app, uid) for uid in range(11, 31)]
    reader = logged_in_client(app, 7)

    def get(client, url: str, **kwargs):
        return lambda i: client.get(url, **kwargs)

    # Votes: each POST changes the user's vote on a popular proposal (new vote or another
    # value), cycling through the voters and the proposals.
    with app.app_context():
        from civic.consultations.models import Vote

        pairs = [
            (k, data.popular_ids[(3 * k + j) % len(data.popular_ids)])
            for k in range(len(voters))
            for j in range(5)
        ]
        current = {
            (row.user_id, row.proposal_id): row.value
            for row in db.session.execute(
                sa.select(Vote.user_id, Vote.proposal_id, Vote.value).where(
                    Vote.user_id.in_([11 + k for k in range(len(voters))]),
                    Vote.proposal_id.in_(data.popular_ids),
                )
            )
        }
        db.session.remove()
    cycle = {None: "agree", 1: "disagree", -1: "pass", 0: "agree"}
    values = {"agree": 1, "disagree": -1, "pass": 0}

    def vote(htmx: bool):
        def post(i):
            k, pid = pairs[i % len(pairs)]
            client, uid = voters[k], 11 + k
            choice = cycle[current.get((uid, pid))]
            current[(uid, pid)] = values[choice]
            headers = {"HX-Request": "true"} if htmx else {}
            return client.post(
                f"{base}/{pid}/vote",
                data={"vote": choice, "csrf_token": client.csrf},
                headers=headers,
            )

        return post

    last_comments = -(-(data.sizes.featured_comments * 4 // 5) // 50)
    comments_page = min(4, last_comments)
    search = {"theme": SEARCH_THEME, "q": SEARCH_WORD}
    cases = [
        Case("bare page (reference)", get(anonymous, "/bench-bare")),
        Case("bare page, render_template_string", get(anonymous, "/bench-bare-string"), info=True),
        Case("empty page in base.html (layout)", get(anonymous, "/bench-layout"), info=True),
        Case("list sort=supported p1", get(anonymous, base, query_string={"sort": "supported"})),
        Case("list sort=debated p1", get(anonymous, base, query_string={"sort": "debated"})),
        Case("list sort=newest p1", get(anonymous, base, query_string={"sort": "newest"})),
        Case("list sort=random p1", get(anonymous, base, query_string={"sort": "random"})),
        Case(
            "list sort=supported p50",
            get(anonymous, base, query_string={"sort": "supported", "page": 50}),
        ),
        Case(
            "list sort=random p50",
            get(anonymous, base, query_string={"sort": "random", "page": 50}),
        ),
        Case(f"list theme+q={SEARCH_WORD} p1", get(anonymous, base, query_string=search)),
        Case(
            "list supported p1, logged in",
            get(reader, base, query_string={"sort": "supported"}),
            info=True,
        ),
        Case(f"proposal, {data.sizes.featured_comments} comments, p1", get(anonymous, featured)),
        Case(
            f"proposal, comments ?page={comments_page}",
            get(anonymous, featured, query_string={"page": comments_page}),
        ),
        Case("proposal p1, logged in", get(reader, featured), info=True),
        Case("vote POST (htmx)", vote(htmx=True)),
        Case(
            "vote POST (no JS, 303)",
            vote(htmx=False),
            expect=303,
            # Each no-JS POST leaves a flash in the voter's session for the next page; nobody
            # follows the redirect here, so drop it, or the session cookie would keep growing.
            after=lambda i: drop_flashes(voters[pairs[i % len(pairs)][0]]),
        ),
    ]
    results = measure(cases, counter, n)

    # Search: how many proposals the filter finds (shown next to the case).
    page = anonymous.get(base, query_string=search).get_data(as_text=True)
    found = TOTAL_RE.search(page)
    for r in results:
        if r.name.startswith("list theme+q"):
            r.note = f"{found.group(1).strip()} found" if found else ""

    misses = print_table(label, results, results[0])
    misses += check_statement_counts(label, anonymous, reader, base, featured, counter, data)
    return misses


def check_statement_counts(label, anonymous, reader, base, featured, counter, data) -> list[str]:
    """No N+1: the same number of statements whatever the number of items on the page.

    The list and the comments are fetched with several page sizes (the default page size of
    list_proposals() and comments_page(), and of paginate() in case a listing goes through
    it, changed for this check and put back), which must send the same count; each response
    is checked to show that many items, so that the check cannot pass for pages that did not
    change. Pages holding other numbers of items (the last page of the list, the last page of
    comments) may send one less (a query returning no rows can spare a follow-up query) but
    never more.
    """
    misses = []

    def count(client, url, **query) -> tuple[int, int, str]:
        counter.count = 0
        response = client.get(url, query_string=query)
        assert response.status_code == 200, (url, query, response.status_code)
        return counter.count, len(response.get_data()), response.get_data(as_text=True)

    def page_size(function, per_page: int | None, saved):
        function.__defaults__ = saved if per_page is None else (per_page, *saved[1:])

    print(f"\n{label}: SQL statements per request against the number of items shown")
    default_paginate = pagination.paginate.__defaults__
    default_list = queries.list_proposals.__defaults__
    default_comments = queries.comments_page.__defaults__
    published = sum(p["status"] == "published" for p in data.proposals)
    last = -(-published // 20)
    tops = sum(c["proposal_id"] == data.featured_id and not c["parent_id"] for c in data.comments)
    last_comments = -(-tops // 50)
    sized: list[tuple[str, str, str, int, int]] = []  # kind, who, what, statements, bytes
    other: list[tuple[str, str, str, int, int]] = []
    try:
        for per_page in (5, 20, 100):
            page_size(pagination.paginate, per_page, default_paginate)
            page_size(queries.list_proposals, per_page, default_list)
            for who, client in (("anonymous", anonymous), ("logged in", reader)):
                n, size, html = count(client, base, sort="supported")
                shown = html.count('class="card proposal-card"')
                if shown != min(per_page, published):
                    misses.append(f"{label}: list of {per_page} per page shows {shown} items")
                sized.append(("list", who, f"{per_page} per page", n, size))
        page_size(pagination.paginate, None, default_paginate)
        page_size(queries.list_proposals, None, default_list)
        for page in sorted({min(50, last), last}):
            n, size, _html = count(anonymous, base, sort="newest", page=page)
            items = min(20, published - 20 * (page - 1))
            other.append(("list", "anonymous", f"page {page}/{last}, {items} items", n, size))
        for per_page in (10, 50, 200):
            page_size(queries.comments_page, per_page, default_comments)
            for who, client in (("anonymous", anonymous), ("logged in", reader)):
                n, size, html = count(client, featured)
                shown = html.count('<li id="commentaire-')  # with their replies
                if shown < min(per_page, tops):
                    misses.append(f"{label}: {per_page} comments per page show {shown} items")
                sized.append(("comments", who, f"{per_page} per page", n, size))
        page_size(queries.comments_page, None, default_comments)
        n, size, _html = count(anonymous, featured, page=last_comments)
        other.append(("comments", "anonymous", f"page {last_comments}/{last_comments}", n, size))
    finally:
        pagination.paginate.__defaults__ = default_paginate
        queries.list_proposals.__defaults__ = default_list
        queries.comments_page.__defaults__ = default_comments

    for kind in ("list", "comments"):
        grows = False
        for who in ("anonymous", "logged in"):
            rows = [r for r in sized if r[:2] == (kind, who)]
            counts = {r[3] for r in rows}
            extra = [r for r in other if r[:2] == (kind, who)]
            for _kind, _who, what, n, size in rows + extra:
                kib = size / 1024
                print(f"  {kind:<9} {who:<10} {what:<28} {n:>3} statements  {kib:>4.0f} KiB")
            if len(counts) > 1 or any(r[3] > max(counts) for r in extra):
                grows = True
                misses.append(f"{label}: {kind} ({who}) sends {sorted(counts)} statements")
        verdict = "GROWS with the items shown" if grows else "does not grow with the items: no N+1"
        print(f"  -> {kind}: {verdict}")
    return misses


# --- databases -----------------------------------------------------------------------------


def postgres_url() -> str | None:
    """A fresh scratch database, or None when the server cannot be reached."""
    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {PG_DATABASE}"))
            connection.execute(sa.text(f"CREATE DATABASE {PG_DATABASE}"))
    except sa.exc.OperationalError as error:
        reason = str(error).splitlines()[0]
        print(f"\n=== PostgreSQL skipped: {PG_SERVER} is unreachable ({reason})")
        return None
    finally:
        admin.dispose()
    return f"{PG_SERVER}/{PG_DATABASE}"


def drop_postgres() -> None:
    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"))
    finally:
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x less data, 50 requests")
    parser.add_argument(
        "--database", choices=["sqlite", "postgresql", "both"], default="both", help="default: both"
    )
    args, _unknown = parser.parse_known_args()  # `make bench` passes the same to every bench
    n = 50 if args.quick else 200
    started = time.perf_counter()

    from civic.territory.services import read_communes

    sizes = Sizes.for_run(args.quick)
    t = time.perf_counter()
    data = generate(sizes, [row["name"] for row in read_communes()])
    print(f"data generated in {time.perf_counter() - t:.1f} s", flush=True)

    misses: list[str] = []
    if args.database in ("sqlite", "both"):
        directory = tempfile.mkdtemp(prefix="civic-bench-")
        try:
            misses += run_database("SQLite", f"sqlite:///{directory}/bench.sqlite", data, n)
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    if args.database in ("postgresql", "both"):
        url = postgres_url()
        if url:
            try:
                misses += run_database("PostgreSQL", url, data, n)
            finally:
                drop_postgres()

    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    if misses:
        print("GOALS MISSED:")
        for miss in misses:
            print(f"  - {miss}")
        return 1
    print("all goals met: every page under 10x the bare page, no N+1, counters exact")
    return 0


if __name__ == "__main__":
    sys.exit(main())
