"""What the page benchmarks share: the bare reference page, timing through the test client,
the table of results, clients, and the scratch PostgreSQL database.

Each case's request goes through the Flask test client (server time, without network): a few
warm-up requests, then rounds of one request per case, interleaved so that whatever else the
machine does weighs on every case alike. The SQL statements of each request are counted
(before_cursor_execute on the engine; on SQLite the BEGIN counts too).

Each request's CPU time (this thread's) is shown too, with its own ratio to the bare page:
the goals are judged on the time a visitor waits, but on a machine shared with other work,
a longer request is more often interrupted than the short bare page, which inflates the
wall-clock ratios; the CPU ratios show what the code itself costs (without the time spent
waiting for PostgreSQL).

The reference is a bare page on the same app (same hooks, same Jinja environment and context
processors), rendering a static template compiled once, as the app's own templates are:
render_template_string() compiles its source on every call (about 1 ms here), which would
inflate the reference and flatter every ratio.
"""

from __future__ import annotations

import argparse
import gc
import logging
import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Blueprint, render_template, render_template_string
from sqlalchemy import event

from civic.core import permissions

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
GOAL_RATIO = 10.0
WARMUP = 5
INFO_EVERY = 4  # the cases shown for context get a quarter of the requests (time budget)
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

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
    # CPU seconds of this thread (the app's own work, without waiting for the database or
    # for the other processes of a shared machine): the ratio to keep an eye on when the
    # machine is busy, since a longer request is more often interrupted than the bare page.
    cpu: list[float] = field(default_factory=list)
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
    before: Callable[[int], None] | None = None  # i -> None, outside the timed window


def run_once(case: Case, result: Result, counter: StatementCounter, i: int, keep: bool) -> None:
    if case.before:
        case.before(i)
    counter.count = 0
    LAST_ERROR.message = ""
    try:
        started, cpu_started = time.perf_counter(), time.thread_time()
        response = case.request(i)
        elapsed = time.perf_counter() - started
        cpu = time.thread_time() - cpu_started
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
        result.cpu.append(cpu)
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
        f"{'case':<40} {'n':>4} {'median ms':>9} {'p95 ms':>8} {'x bare':>7} {'cpu ms':>7}"
        f" {'x bare':>7} {'SQL/req':>7}  goal"
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
        cpu = statistics.median(r.cpu)
        print(
            f"{r.name:<40} {len(r.times):>4} {r.median * 1000:>9.2f} {r.p95 * 1000:>8.2f} "
            f"{ratio:>6.1f}x {cpu * 1000:>7.2f} {cpu / statistics.median(bare.cpu):>6.1f}x "
            f"{fmt_statements(r.statements):>7}  {verdict}" + (f"  {r.note}" if r.note else "")
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


def postgres_url(name: str) -> str | None:
    """A fresh scratch database of that name, or None when the server cannot be reached."""
    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
            connection.execute(sa.text(f"CREATE DATABASE {name}"))
    except sa.exc.OperationalError as error:
        reason = str(error).splitlines()[0]
        print(f"\n=== PostgreSQL skipped: {PG_SERVER} is unreachable ({reason})")
        return None
    finally:
        admin.dispose()
    return f"{PG_SERVER}/{name}"


def drop_postgres(name: str) -> None:
    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    finally:
        admin.dispose()


def options(description: str, quick: str) -> argparse.Namespace:
    """--quick and --database, as `make bench` passes them to every benchmark."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help=quick)
    parser.add_argument(
        "--database", choices=["sqlite", "postgresql", "both"], default="both", help="default: both"
    )
    args, _unknown = parser.parse_known_args()
    return args


def run_databases(which: str, scratch: str, run: Callable[[str, str], list[str]]) -> list[str]:
    """run(label, url) on SQLite (a file in a temporary folder) and/or on PostgreSQL (the
    scratch database `scratch`, created then dropped); the goals missed, together."""
    misses: list[str] = []
    if which in ("sqlite", "both"):
        directory = tempfile.mkdtemp(prefix=f"{scratch}-")
        try:
            misses += run("SQLite", f"sqlite:///{directory}/bench.sqlite")
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    if which in ("postgresql", "both"):
        url = postgres_url(scratch)
        if url:
            try:
                misses += run("PostgreSQL", url)
            finally:
                drop_postgres(scratch)
    return misses


def report(misses: list[str], success: str) -> int:
    """The exit status of a benchmark: 1 when a goal is missed."""
    if misses:
        print("GOALS MISSED:")
        for miss in misses:
            print(f"  - {miss}")
        return 1
    print(success)
    return 0
