"""Load: gunicorn on PostgreSQL and Redis, 200 simulated participants for 2 minutes (locust).

Run: .venv/bin/python bench/bench_load.py [--quick] [--users N] [--duration 2m]

Everything runs on private servers started for the bench (bench/servers.py): a PostgreSQL 15
cluster and a Redis on free ports under /tmp, never the machine's shared ones. As an operator
would (README, Production): `flask db upgrade`, `flask civic demo`, then the 10,000-proposal
consultation of bench/seed_consultations.py (200,000 votes, 50,000 comments; its ids moved
past the demo's), and one account per simulated participant (bulk insert, one argon2 hash
shared). Then `gunicorn --workers 4` with CIVIC_ENV=production and one RQ worker
(`flask civic worker`), and locust headless on 127.0.0.1 (bench/locustfile.py): each
participant logs in through the login form, browses the consultations, the proposal lists
(every sort, pages further on, searches) and proposal pages, votes with the real vote form
(htmx or without JavaScript), comments, and rates public services.

Rate limits are the production ones. Each participant comes from an address of its own
(X-Forwarded-For, with CIVIC_PROXY_COUNT=1 as behind nginx), so the per-address limits apply
per participant as they would to residents, and none had to be raised: the settings
CIVIC_POST_LIMIT, CIVIC_RATING_LIMIT... set the per-address and the per-account limit
together, and raising them would have lifted the per-account limits as well. The accounts
are a month old (the first-day limit on posting does not apply to them).

Printed: per endpoint, requests, failures, median and p95 (locust's CSV), the status codes,
the number of 5xx (must be 0), what the writes did (recorded, refused by the consultation's
limit of "d'accord", refused by the rating burst guard), the RQ jobs. Then every total is
compared with COUNT(*) of its rows: in the database (each proposal's agree / disagree / pass
/ comment counters, each participant's agree budget, for both consultations), and as the
pages show them (the proposal count of each list, the counts on the page of every proposal
voted on or commented during the run, the number of ratings of every service).

--quick: 20 participants for 20 s, on a consultation 10x smaller (1,000 proposals).

Exit status 1 on any 5xx or request without an answer, any failed request, or any total that
differs from COUNT(*).
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402

from bench import servers  # noqa: E402
from bench.seed_consultations import (  # noqa: E402
    SEARCH_THEME,
    SEARCH_WORD,
    THEMES,
    Dataset,
    Sizes,
    check_counters,
    generate,
    seed,
)

HERE = Path(__file__).resolve().parent
PARTICIPANT_EMAIL = "participant-{i}@example.org"
DEMO_SLUG = "plan-climat"
DEMO_WORDS = ["vélo", "arbres", "école", "bus", "énergie", "piste"]
WAIT = (2.0, 8.0)  # seconds a participant reads before the next action
BIG_SHARE = 0.7  # share of the consultation actions on the 10,000-proposal consultation
COUNTS_RE = re.compile(
    r"(\d+) d(?:'|&#39;|’)accord · (\d+) pas d(?:'|&#39;|’)accord · (\d+) pass(?:e|ent)"
)
COMMENTS_RE = re.compile(r'<h2 id="comments-title">(\d+) commentaires?</h2>')
TOTAL_RE = re.compile(r"<p>(\d+) propositions?</p>")
RATINGS_RE = re.compile(r"<p>(\d+) avis</p>")


def step(label: str, started: float) -> None:
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)


# --- data ----------------------------------------------------------------------------------


def shift(data: Dataset, users: int, proposals: int, comments: int, staff_id: int) -> None:
    """Move the generated ids past the demo's rows (generate() numbers them from 1)."""
    for row in data.users:
        row["id"] += users
    for row in data.proposals:
        row["id"] += proposals
        if row["author_id"] is not None:
            row["author_id"] += users
        if row["entered_by_id"] is not None:
            row["entered_by_id"] = staff_id
    for row in data.answers:
        row["proposal_id"] += proposals
        row["author_id"] = staff_id
    for row in data.votes:
        row["proposal_id"] += proposals
        row["user_id"] += users
    for row in data.comments:
        row["id"] += comments
        row["proposal_id"] += proposals
        row["author_id"] += users
        if row["parent_id"] is not None:
            row["parent_id"] += comments
    data.featured_id += proposals
    data.popular_ids = [pid + proposals for pid in data.popular_ids]


def create_participants(session, n: int, password: str, now) -> None:
    """n accounts, confirmed, a month old, sharing one argon2 hash (hashing 200 would take
    a minute)."""
    from civic.accounts.models import User
    from civic.accounts.passwords import hash_password

    created = now - timedelta(days=30)
    shared = hash_password(password)
    session.execute(
        sa.insert(User.__table__),
        [
            {
                "email": PARTICIPANT_EMAIL.format(i=i),
                "password_hash": shared,
                "email_confirmed_at": created,
                "charter_accepted_at": created,
                "display_name": f"Participant {i}",
                "locale": "fr",
                "session_version": 1,
                "created_at": created,
                "updated_at": created,
            }
            for i in range(1, n + 1)
        ],
    )


def prepare(app, data: Dataset, n_accounts: int, password: str) -> dict:
    """The 10,000-proposal consultation beside the demo, the accounts; returns the plan."""
    from civic.accounts.models import User
    from civic.consultations.models import Comment, Consultation, Proposal
    from civic.extensions import db
    from civic.ratings.models import CRITERIA, Service

    with app.app_context():
        max_id = {
            model: db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(model.id), 0)))
            for model in (User, Proposal, Comment)
        }
        staff_id = db.session.scalar(
            sa.select(User.id).where(User.email == "agent@civic-demo.example.org")
        )
        db.session.remove()
    shift(data, max_id[User], max_id[Proposal], max_id[Comment], staff_id)
    started = time.perf_counter()
    seeded = seed(app, data)
    step(
        f"10,000-proposal consultation seeded ({len(data.proposals):,} proposals, "
        f"{len(data.votes):,} votes, {len(data.comments):,} comments)",
        started,
    )
    started = time.perf_counter()
    with app.app_context():
        create_participants(db.session, n_accounts, password, data.now)
        db.session.commit()
        demo = db.session.scalar(sa.select(Consultation).where(Consultation.slug == DEMO_SLUG))
        demo_ids = list(
            db.session.scalars(
                sa.select(Proposal.id).where(
                    Proposal.consultation_id == demo.id, Proposal.status == "published"
                )
            )
        )
        demo_popular = list(
            db.session.scalars(
                sa.select(Proposal.id)
                .where(Proposal.consultation_id == demo.id, Proposal.status == "published")
                .order_by((Proposal.agree_count + Proposal.disagree_count).desc())
                .limit(20)
            )
        )
        demo_themes = sorted(
            t
            for t in db.session.scalars(
                sa.select(Proposal.theme).where(Proposal.consultation_id == demo.id).distinct()
            )
            if t
        )
        services = list(
            db.session.scalars(sa.select(Service.id).where(Service.closed_at.is_(None)))
        )
        demo_id = demo.id
        db.session.remove()
    step(f"{n_accounts} participant accounts created (one argon2 hash)", started)
    from civic.accounts.passwords import verify_password

    with app.app_context():
        sample = db.session.scalar(
            sa.select(User.password_hash).where(User.email == PARTICIPANT_EMAIL.format(i=1))
        )
        db.session.remove()
    t, cpu = time.perf_counter(), time.process_time()
    verify_password(sample, password)
    print(
        f"  one login's argon2id check (64 MiB, t=3): {1000 * (time.process_time() - cpu):.0f} ms"
        f" of CPU, {1000 * (time.perf_counter() - t):.0f} ms of wall clock here",
        flush=True,
    )
    published = [p["id"] for p in data.proposals if p["status"] == "published"]
    featured_tops = sum(
        c["proposal_id"] == data.featured_id and not c["parent_id"] for c in data.comments
    )
    return {
        "consultation_ids": {"10k": seeded["consultation_id"], "demo": demo_id},
        "plan": {
            "wait": list(WAIT),
            "big_share": BIG_SHARE,
            "accounts": n_accounts,
            "email": PARTICIPANT_EMAIL,
            "password": password,
            "services": services,
            "criteria": list(CRITERIA),
            "consultations": {
                "10k": {
                    "slug": seeded["slug"],
                    "proposals": published,
                    "popular": data.popular_ids,
                    "pages": min(50, -(-len(published) // 20)),
                    "words": [SEARCH_WORD, "jardin", "vélo", "école"],
                    "themes": [SEARCH_THEME, *list(THEMES)[1:3]],
                    "featured": data.featured_id,
                    "featured_pages": max(2, -(-featured_tops // 50)),
                },
                "demo": {
                    "slug": DEMO_SLUG,
                    "proposals": demo_ids,
                    "popular": demo_popular,
                    "pages": max(2, -(-len(demo_ids) // 20)),
                    "words": DEMO_WORDS,
                    "themes": demo_themes or [""],
                },
            },
        },
    }


# --- locust --------------------------------------------------------------------------------


def run_locust(workdir: Path, base_url: str, plan: dict, users: int, duration: str) -> dict:
    plan_path = workdir / "plan.json"
    plan_path.write_text(json.dumps(plan))
    plan_path.chmod(0o600)
    result_path = workdir / "locust-result.json"
    log = workdir / "locust.log"
    env = {
        **os.environ,
        "CIVIC_LOCUST_PLAN": str(plan_path),
        "CIVIC_LOCUST_RESULT": str(result_path),
    }
    spawn_rate = max(1, min(20, users // 10 or 1))
    command = [
        str(servers.VENV_BIN / "locust"),
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(spawn_rate),
        "-t",
        duration,
        "--host",
        base_url,
        "--csv",
        str(workdir / "load"),
        "--only-summary",
        "--exit-code-on-error",
        "0",
        "--stop-timeout",
        "10",
    ]
    print(
        f"\nlocust: {users} participants (spawned {spawn_rate}/s), {duration}, each waiting "
        f"{WAIT[0]:.0f}-{WAIT[1]:.0f} s between actions",
        flush=True,
    )
    print(f"  load average of the machine (2 cores, shared) before: {_load()}", flush=True)
    started = time.perf_counter()
    with open(log, "wb") as out:
        code = subprocess.call(command, cwd=servers.ROOT, env=env, stdout=out, stderr=out)
    step(f"locust finished (exit {code}); load average after: {_load()}", started)
    if not result_path.exists():
        raise servers.ServerError(f"locust wrote no result:\n{log.read_text()[-3000:]}")
    result = json.loads(result_path.read_text())
    result["stats"] = read_stats(workdir / "load_stats.csv")
    result["log"] = log
    return result


def percentile(ordered: list[float], p: int) -> float:
    return ordered[max(0, -(-p * len(ordered) // 100) - 1)]


def print_steady(samples: list) -> None:
    """The same table for the requests started in the second half of the run: every
    participant logged in long before (the logins of the first seconds queue behind argon2)."""
    if not samples:
        return
    first = min(s[0] for s in samples)
    last = max(s[0] for s in samples)
    middle = first + (last - first) / 2
    by_request: dict[str, list[float]] = {}
    for started, request, ms in samples:
        if started >= middle:
            by_request.setdefault(request, []).append(ms)
    print(
        f"\nsecond half of the run only (requests started {middle - first:.0f} s or more after "
        f"the first; exact percentiles, ms)\n{'request':<65} {'requests':>8} {'median':>7} "
        f"{'p95':>7} {'max':>7}"
    )
    everything = []
    for request in sorted(by_request):
        times = sorted(by_request[request])
        everything += times
        print(
            f"{request:<65} {len(times):>8} {percentile(times, 50):>7.0f} "
            f"{percentile(times, 95):>7.0f} {times[-1]:>7.0f}"
        )
    everything.sort()
    print(
        f"{'all':<65} {len(everything):>8} {percentile(everything, 50):>7.0f} "
        f"{percentile(everything, 95):>7.0f} {everything[-1]:>7.0f}"
    )


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def read_stats(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _ms(value: str) -> str:
    try:
        return f"{float(value):.0f}"
    except ValueError:
        return value


def print_stats(result: dict) -> list[str]:
    misses = []
    stats = result["stats"]
    status = result["status"]
    print(
        f"\nper endpoint (locust's CSV; times in ms, percentiles as locust buckets them)\n"
        f"{'method':<6} {'endpoint':<58} {'requests':>8} {'fail':>5} {'5xx':>4} "
        f"{'median':>7} {'p95':>7} {'p99':>7} {'max':>7}"
    )
    rows = sorted(stats, key=lambda r: (r["Name"] == "Aggregated", r["Name"], r["Type"]))
    for row in rows:
        key = f"{row['Type']} {row['Name']}"
        codes = status.get(key, {})
        server_errors = sum(n for code, n in codes.items() if int(code) >= 500 or int(code) == 0)
        if row["Name"] == "Aggregated":
            server_errors = sum(
                n for c in status.values() for code, n in c.items() if int(code) >= 500
            )
            print("-" * 108)
        print(
            f"{row['Type']:<6} {row['Name']:<58} {row['Request Count']:>8} "
            f"{row['Failure Count']:>5} {server_errors:>4} {_ms(row['Median Response Time']):>7} "
            f"{_ms(row['95%']):>7} {_ms(row['99%']):>7} {_ms(row['Max Response Time']):>7}"
        )
    print_steady(result["samples"])
    total = Counter()
    for codes in status.values():
        for code, n in codes.items():
            total[int(code)] += n
    five = sum(n for code, n in total.items() if code >= 500)
    none = total.get(0, 0)
    print(
        "\nstatus codes: "
        + ", ".join(f"{code or 'no answer'}: {n:,}" for code, n in sorted(total.items()))
    )
    print(f"5xx: {five}   requests without an answer: {none}")
    if five or none:
        misses.append(f"{five} answers 5xx, {none} requests without an answer")
        for error in result["errors"]:
            print(f"  ! {error}")
    failures = sum(int(row["Failure Count"]) for row in stats if row["Name"] != "Aggregated")
    if failures:
        misses.append(f"{failures} requests failed (unexpected status)")
        failures_csv = result["log"].parent / "load_failures.csv"
        if failures_csv.exists():
            for row in read_stats(failures_csv)[:10]:
                print(f"  ! {row['Method']} {row['Name']}: {row['Error']} x{row['Occurrences']}")
    print("what the writes did: " + ", ".join(f"{k}: {v}" for k, v in result["outcomes"].items()))
    logins = result["outcomes"].get("login ok", 0)
    if logins < result["participants"]:
        misses.append(f"only {logins} of {result['participants']} participants logged in")
    return misses


# --- checks --------------------------------------------------------------------------------


def check_database(app, consultation_ids: dict) -> list[str]:
    from civic.extensions import db

    misses = []
    print("\ncounters against COUNT(*), in the database:")
    with app.app_context():
        for key, cid in consultation_ids.items():
            check = check_counters(db.session, cid)
            wrong = (
                check["wrong_proposals"]
                + check["wrong_participations"]
                + check["missing_participations"]
            )
            print(
                f"  [{key}] {check['proposals']:,} proposals: {check['wrong_proposals']} with an "
                f"agree / disagree / pass / comment counter != COUNT(*); "
                f"{check['participations']:,} participants' agree budgets: "
                f"{check['wrong_participations']} wrong, {check['missing_participations']} "
                f"missing -> {'all equal' if not wrong else 'MISMATCH'}"
            )
            if wrong:
                misses.append(f"[{key}] counters differ from COUNT(*): {check}")
        db.session.remove()
    return misses


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our server
        return response.read().decode()


def check_pages(app, base_url: str, plan: dict, consultation_ids: dict, touched: dict):
    """The totals as the pages show them (to a visitor), against COUNT(*)."""
    from civic.consultations.models import Comment, Proposal, Vote
    from civic.extensions import db
    from civic.ratings.models import Rating

    misses: list[str] = []
    print("\ntotals shown by the pages against COUNT(*):")
    with app.app_context():
        for key, cid in consultation_ids.items():
            slug = plan["consultations"][key]["slug"]
            shown = TOTAL_RE.search(fetch(f"{base_url}/concertations/{slug}/propositions"))
            count = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Proposal)
                .where(Proposal.consultation_id == cid, Proposal.status == "published")
            )
            value = int(shown.group(1)) if shown else None
            ok = value == count
            print(f"  [{key}] list: {value} propositions shown, COUNT(*) {count}: {_ok(ok)}")
            if not ok:
                misses.append(f"[{key}] list shows {value} proposals, COUNT(*) is {count}")

        pages = [
            (key, plan["consultations"][key]["slug"], pid)
            for key, ids in touched.items()
            for pid in ids
        ]
        big = plan["consultations"]["10k"]
        pages.append(("10k", big["slug"], big["featured"]))

        def shown_counts(item):
            key, slug, pid = item
            html = fetch(f"{base_url}/concertations/{slug}/propositions/{pid}")
            counts, comments = COUNTS_RE.search(html), COMMENTS_RE.search(html)
            if not counts or not comments:
                return item, None
            return item, (*map(int, counts.groups()), int(comments.group(1)))

        with ThreadPoolExecutor(4) as pool:
            shown = dict(pool.map(shown_counts, pages))
        ids = [pid for _key, _slug, pid in pages]
        votes: dict[int, list[int]] = {pid: [0, 0, 0, 0] for pid in ids}
        for pid, value, n in db.session.execute(
            sa.select(Vote.proposal_id, Vote.value, sa.func.count())
            .where(Vote.proposal_id.in_(ids))
            .group_by(Vote.proposal_id, Vote.value)
        ):
            votes[pid][{1: 0, -1: 1, 0: 2}[value]] = n
        for pid, n in db.session.execute(
            sa.select(Comment.proposal_id, sa.func.count())
            .where(Comment.proposal_id.in_(ids), Comment.status == "published")
            .group_by(Comment.proposal_id)
        ):
            votes[pid][3] = n
        wrong = [
            (item, value, votes[item[2]])
            for item, value in shown.items()
            if value is None or list(value) != votes[item[2]]
        ]
        print(
            f"  proposal pages: {len(pages)} (every proposal voted on or commented during the "
            f"run), d'accord / pas d'accord / passe / commentaires shown vs COUNT(*): "
            f"{len(wrong)} differ -> {_ok(not wrong)}"
        )
        for item, value, expected in wrong[:10]:
            print(f"    ! {item}: shown {value}, COUNT(*) {expected}")
        if wrong:
            misses.append(f"{len(wrong)} proposal pages show counts != COUNT(*)")

        ratings = dict(
            db.session.execute(
                sa.select(Rating.service_id, sa.func.count()).group_by(Rating.service_id)
            ).all()
        )
        bad = []
        for service_id in plan["services"]:
            found = RATINGS_RE.search(fetch(f"{base_url}/services/{service_id}"))
            value = int(found.group(1)) if found else None
            if value != ratings.get(service_id, 0):
                bad.append((service_id, value, ratings.get(service_id, 0)))
        print(
            f"  services: {len(plan['services'])} pages, number of ratings shown vs COUNT(*) "
            f"({sum(ratings.values())} ratings): {len(bad)} differ -> {_ok(not bad)}"
        )
        for service_id, value, count in bad:
            print(f"    ! service {service_id}: shown {value}, COUNT(*) {count}")
        if bad:
            misses.append(f"{len(bad)} service pages show a number of ratings != COUNT(*)")
        db.session.remove()
    return misses


def _ok(ok: bool) -> str:
    return "ok" if ok else "MISMATCH"


def report_jobs(redis_url: str) -> None:
    from redis import Redis
    from rq import Queue
    from rq.job import Job

    from civic.core.jobs import QUEUE_NAME

    connection = Redis.from_url(redis_url)
    queue = Queue(QUEUE_NAME, connection=connection)
    finished = queue.finished_job_registry.get_job_ids()
    jobs = [j for j in Job.fetch_many(finished, connection=connection) if j and j.ended_at]
    durations = sorted((j.ended_at - j.started_at).total_seconds() for j in jobs)
    kinds = Counter(str(j.args[0]).rsplit(".", 1)[-1] for j in jobs if j.args)
    print(
        f"\nRQ queue '{QUEUE_NAME}': {len(finished)} jobs finished by the worker"
        + (
            f" (median {durations[len(durations) // 2] * 1000:.0f} ms each, "
            + ", ".join(f"{k} {n}" for k, n in kinds.most_common())
            + ")"
            if durations
            else ""
        )
        + f", {queue.failed_job_registry.count} failed, {queue.count} still queued"
    )


def report_log(path: Path) -> list[str]:
    text = path.read_text(errors="replace")
    errors = [
        line
        for line in text.splitlines()
        if " ERROR " in line or "[ERROR]" in line or "Traceback" in line
    ]
    print(
        f"gunicorn log: {len(text.splitlines())} lines, {len(errors)} errors"
        + (f" (first: {errors[0][:160]})" if errors else "")
    )
    return [f"{len(errors)} errors in the gunicorn log"] if errors else []


# --- main ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 participants for 20 s")
    parser.add_argument("--users", type=int, help="simulated participants (default 200)")
    parser.add_argument("--duration", help="locust's -t (default 2m)")
    args, _unknown = parser.parse_known_args()  # `make bench` passes the same to every bench
    users = args.users or (20 if args.quick else 200)
    duration = args.duration or ("20s" if args.quick else "2m")
    servers.exit_on_sigterm()
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="civic-load-"))
    misses: list[str] = []
    try:
        with servers.postgres_server() as pg, servers.redis_server() as redis:
            misses = run(pg, redis, workdir, users, duration, args.quick)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    if misses:
        print("PROMISES BROKEN:")
        for miss in misses:
            print(f"  - {miss}")
        return 1
    print("all promises kept: no 5xx, no failed request, every total equals COUNT(*)")
    return 0


def run(pg, redis, workdir: Path, users: int, duration: str, quick: bool) -> list[str]:
    port = servers.free_port(58080)
    base_url = f"http://127.0.0.1:{port}"
    env = servers.app_environment(
        pg.url,
        redis.url,
        base_url,
        # Behind nginx (README): each participant's X-Forwarded-For is its address.
        CIVIC_PROXY_COUNT="1",
        CIVIC_UPLOAD_DIR=str(workdir / "uploads"),
    )
    print(f"private PostgreSQL 15 on port {pg.port}, Redis on port {redis.port}, gunicorn {port}")
    print(
        "rate limits: production defaults, per address and per account (each participant has "
        "its own address through X-Forwarded-For, CIVIC_PROXY_COUNT=1)"
    )
    t = time.perf_counter()
    servers.flask(env, "db", "upgrade")
    step("flask db upgrade", t)

    # The demo in a subprocess, as an operator runs it; the big dataset is generated meanwhile.
    # Its jobs (some 300 notifications and e-mails) run inline: queued, they would keep the
    # RQ worker busy during the measure.
    t = time.perf_counter()
    demo = subprocess.Popen(
        [str(servers.VENV_BIN / "flask"), "civic", "demo"],
        cwd=servers.ROOT,
        env={key: value for key, value in env.items() if key != "CIVIC_REDIS_URL"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    from civic.territory.services import read_communes

    sizes = Sizes.for_run(quick)
    holder: dict = {}
    generator = threading.Thread(
        target=lambda: holder.update(data=generate(sizes, [row["name"] for row in read_communes()]))
    )
    generator.start()
    _out, err = demo.communicate()
    if demo.returncode != 0:
        raise servers.ServerError(f"flask civic demo failed:\n{err[-3000:]}")
    step("flask civic demo", t)
    generator.join()
    step("data of the big consultation generated", t)

    os.environ.update(env)
    from civic import create_app

    app = create_app()
    logging.getLogger().setLevel(logging.WARNING)
    password = secrets.token_urlsafe(16)
    prepared = prepare(app, holder["data"], users, password)
    plan, consultation_ids = prepared["plan"], prepared["consultation_ids"]

    misses: list[str] = []
    log = workdir / "gunicorn.log"
    with (
        servers.gunicorn_server(env, port, log, workers=4) as gunicorn,
        servers.rq_worker(env, workdir / "worker.log") as worker,
    ):
        print(
            f"gunicorn --workers 4 (pid {gunicorn.process.pid}), RQ worker (pid "
            f"{worker.process.pid})",
            flush=True,
        )
        cpu = {"gunicorn": gunicorn.process.pid, "PostgreSQL": pg.pid()}
        before = {name: servers.tree_cpu_seconds(pid) for name, pid in cpu.items()}
        result = run_locust(workdir, base_url, plan, users, duration)
        used = {name: servers.tree_cpu_seconds(pid) - before[name] for name, pid in cpu.items()}
        served = sum(sum(codes.values()) for codes in result["status"].values())
        print(
            "CPU used during the run: "
            + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in used.items())
            + f" for {served:,} requests ({1000 * used['gunicorn'] / max(1, served):.0f} ms of "
            f"gunicorn CPU per request on average, the {users} logins included)"
        )
        misses += print_stats(result)
        misses += check_database(app, consultation_ids)
        misses += check_pages(app, base_url, plan, consultation_ids, result["touched"])
        time.sleep(1)  # let the worker finish what the last requests queued
        report_jobs(redis.url)
        misses += report_log(log)
        if not worker.alive():
            misses.append("the RQ worker died")
    with app.app_context():
        from civic.extensions import db

        db.engine.dispose()
    return misses


if __name__ == "__main__":
    sys.exit(main())
