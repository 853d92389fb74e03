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

import re
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from bench.seed_consultations import (  # noqa: E402
    SEARCH_THEME,
    SEARCH_WORD,
    Dataset,
    Sizes,
    check_counters,
    generate,
)
from bench.seed_consultations import seed as seed_database  # noqa: E402
from bench.timing import (  # noqa: E402
    Case,
    StatementCounter,
    add_bare_pages,
    anonymous_client,
    drop_flashes,
    logged_in_client,
    measure,
    options,
    print_table,
    report,
    run_databases,
)
from civic import create_app  # noqa: E402
from civic.consultations import queries  # noqa: E402
from civic.core import pagination  # noqa: E402
from civic.extensions import db  # noqa: E402
from tests.conftest import app_config  # noqa: E402

PG_DATABASE = "civic_bench"
TOTAL_RE = re.compile(r"<p>([\d\s\u202f\u00a0,.]+) propositions?</p>")


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


def main() -> int:
    args = options(__doc__.splitlines()[0], "10x less data, 50 requests")
    n = 50 if args.quick else 200
    started = time.perf_counter()

    from civic.territory.services import read_communes

    sizes = Sizes.for_run(args.quick)
    t = time.perf_counter()
    data = generate(sizes, [row["name"] for row in read_communes()])
    print(f"data generated in {time.perf_counter() - t:.1f} s", flush=True)

    misses = run_databases(
        args.database, PG_DATABASE, lambda label, url: run_database(label, url, data, n)
    )
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return report(
        misses, "all goals met: every page under 10x the bare page, no N+1, counters exact"
    )


if __name__ == "__main__":
    sys.exit(main())
