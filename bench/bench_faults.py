"""Faults: PostgreSQL stopped under load, Redis stopped, SQLite on a full disk.

Run: .venv/bin/python bench/bench_faults.py

On private servers (bench/servers.py: never the machine's shared PostgreSQL and Redis), with
gunicorn (4 workers, CIVIC_ENV=production, behind a pretend nginx: CIVIC_PROXY_COUNT=1) and
one RQ worker, on a consultation seeded by bench/seed_consultations.py (300 proposals):

(a) PostgreSQL stopped during a light load. 30 participants, each in a thread of its own,
    vote with the real vote form (htmx) every 0.5 to 1.5 s and record each answer. After a
    few seconds the cluster is killed (`pg_ctl stop -m immediate`, a crash); while it is
    down, a page (GET) and a vote (POST, with and without htmx) must answer the site's own
    503 page, not a gunicorn error; after `pg_ctl start`, gunicorn is left alone and the
    seconds until a page and a vote answer 200 again are measured. At the end, every vote
    that was acknowledged (200) must be in the database with its last acknowledged value;
    a later attempt that was not acknowledged may have committed (its answer was lost with
    the server), and is counted apart. Counters are compared with COUNT(*).
(b) Redis stopped (SHUTDOWN NOSAVE). Pages, a vote, a comment, a login and a password reset
    request must still answer normally; rate limits fall back to each worker's memory (a
    burst of wrong logins from one address shows how much of the limit remains), the jobs
    asked meanwhile (the participants' notification of an official answer; an e-mail) are
    followed after Redis comes back, and the gunicorn log must hold a warning.
(c) SQLite on a full disk: the database of a gunicorn instance on an 8 MiB tmpfs
    (`mount -t tmpfs`; we are root), filled with a ballast file. A vote and a comment must
    answer a clear page (not a traceback, not a bare 500), pages must still be read, and
    once space is freed writes work again and `PRAGMA integrity_check` answers ok.

Every figure is printed; exit status 1 when a promise is broken.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402  (installed with locust, in the bench extra)
import sqlalchemy as sa  # noqa: E402

from bench import servers  # noqa: E402
from bench.seed_consultations import Sizes, check_counters, generate, seed  # noqa: E402

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SIZES = Sizes(users=200, proposals=300, votes=6_000, comments=1_000, featured_comments=60)
LOAD_USERS = 30
VOTES = {"agree": 1, "disagree": -1, "pass": 0}
DOWN_SECONDS = 8
RECOVERY_GOAL = 10.0  # seconds after PostgreSQL accepts connections again
SITE_503 = ('class="error-page"', "erreur 503", "Service momentanément indisponible")
PASSWORD = "faults-" + os.urandom(8).hex()


class Client:
    """One participant's browser: cookies, its own address, the CSRF token of the last page.

    The session cookie is Secure (CIVIC_ENV=production): a browser sends it back over the
    HTTPS of the nginx in front of the site. Here the client talks plain HTTP to gunicorn
    on 127.0.0.1, where requests would keep it, so the Cookie header is written here.
    """

    def __init__(self, base_url: str, index: int):
        self.base_url = base_url
        self.session = requests.Session()
        self.headers = {
            "X-Forwarded-For": f"10.9.{index >> 8 & 255}.{index & 255}",
            "Accept-Language": "fr-FR,fr;q=0.9",
        }
        self.csrf = ""

    def _headers(self, extra: dict | None = None) -> dict:
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.session.cookies)
        return {**self.headers, **(extra or {}), **({"Cookie": cookies} if cookies else {})}

    def get(self, path: str, **kwargs) -> requests.Response:
        response = self.session.get(
            self.base_url + path, headers=self._headers(), timeout=30, **kwargs
        )
        token = CSRF_RE.search(response.text)
        if token:
            self.csrf = token.group(1)
        return response

    def post(self, path: str, data: dict, htmx: bool = False) -> requests.Response:
        headers = self._headers({"HX-Request": "true"} if htmx else {})
        return self.session.post(
            self.base_url + path,
            data={**data, "csrf_token": self.csrf},
            headers=headers,
            allow_redirects=False,
            timeout=30,
        )

    def log_in(self, email: str) -> None:
        self.get("/compte/connexion")
        response = self.post("/compte/connexion", {"email": email, "password": PASSWORD})
        if response.status_code != 303:
            raise servers.ServerError(f"login of {email}: HTTP {response.status_code}")
        self.get("/")


@contextlib.contextmanager
def environment(env: dict[str, str]):
    """The app's settings in this process too (create_app reads them), restored afterwards."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def email(user_id: int) -> str:
    return f"bench-{user_id}@example.org"  # as bench/seed_consultations.py names them


def is_site_503(response: requests.Response) -> bool:
    return response.status_code == 503 and all(mark in response.text for mark in SITE_503)


def describe(response: requests.Response) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))
    title = re.search(r"<h1[^>]*>(.*?)</h1>", response.text, re.S)
    shown = re.sub(r"<[^>]+>", "", title.group(1)).strip() if title else text[:80]
    return f"{response.status_code} « {shown[:100]} »"


class Report:
    def __init__(self):
        self.misses: list[str] = []

    def check(self, ok: bool, label: str, detail: str = "") -> bool:
        print(f"  [{'ok' if ok else 'BROKEN'}] {label}{': ' + detail if detail else ''}")
        if not ok:
            self.misses.append(f"{label}{': ' + detail if detail else ''}")
        return ok

    def info(self, label: str) -> None:
        print(f"  [info] {label}")


# --- the world -----------------------------------------------------------------------------


@dataclass
class World:
    slug: str
    consultation_id: int
    proposals: list[int]  # published, in a phase open to votes
    popular: list[int]
    elected_id: int


def build(app, sizes: Sizes) -> World:
    """The seeded consultation; the first accounts get a real password, one is elected."""
    from civic.accounts.models import RoleGrant
    from civic.accounts.passwords import hash_password
    from civic.extensions import db
    from civic.territory.services import read_communes

    data = generate(sizes, [row["name"] for row in read_communes()])
    shared = hash_password(PASSWORD)
    for row in data.users[:60]:
        row["password_hash"] = shared
    seeded = seed(app, data)
    elected_id = 50
    with app.app_context():
        db.session.add(RoleGrant(user_id=elected_id, role="elected"))
        db.session.commit()
        db.session.remove()
    published = [p["id"] for p in data.proposals if p["status"] == "published"]
    return World(seeded["slug"], seeded["consultation_id"], published, data.popular_ids, elected_id)


def log_in_all(clients: list[Client], user_ids: list[int]) -> None:
    errors: list[str] = []

    def one(pair):
        client, uid = pair
        try:
            client.log_in(email(uid))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(str(error))

    threads = [threading.Thread(target=one, args=(p,)) for p in zip(clients, user_ids, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise servers.ServerError(f"{len(errors)} logins failed: {errors[0]}")


# --- (a) PostgreSQL stopped ----------------------------------------------------------------


@dataclass
class Attempt:
    user_id: int
    proposal_id: int
    value: int
    sent: float
    answered: float
    status: int  # 0: no answer
    site_page: bool  # a 503 that is the site's own page


def vote_path(world: World, pid: int) -> str:
    return f"/concertations/{world.slug}/propositions/{pid}/vote"


def fault_postgres(app, pg, base_url: str, world: World, report: Report) -> None:
    from civic.consultations.models import Vote
    from civic.extensions import db

    print("\n(a) PostgreSQL stopped during a light load")
    user_ids = list(range(1, LOAD_USERS + 1))
    clients = [Client(base_url, uid) for uid in user_ids]
    probe, visitor = Client(base_url, 200), Client(base_url, 201)
    log_in_all([*clients, probe], [*user_ids, LOAD_USERS + 1])
    pool = world.popular[:20]
    with app.app_context():
        initial = {
            (row.user_id, row.proposal_id): row.value
            for row in db.session.execute(
                sa.select(Vote.user_id, Vote.proposal_id, Vote.value).where(
                    Vote.user_id.in_(user_ids), Vote.proposal_id.in_(pool)
                )
            )
        }
        db.session.remove()

    attempts: list[Attempt] = []
    stop = threading.Event()

    def participant(client: Client, uid: int) -> None:
        rng = random.Random(uid)
        while not stop.is_set():
            pid, choice = rng.choice(pool), rng.choice(list(VOTES))
            sent = time.monotonic()
            try:
                response = client.post(vote_path(world, pid), {"vote": choice}, htmx=True)
                status, site = response.status_code, is_site_503(response)
            except requests.RequestException:
                status, site = 0, False
            attempts.append(Attempt(uid, pid, VOTES[choice], sent, time.monotonic(), status, site))
            stop.wait(rng.uniform(0.5, 1.5))

    threads = [
        threading.Thread(target=participant, args=(c, uid))
        for c, uid in zip(clients, user_ids, strict=True)
    ]
    for t in threads:
        t.start()
    time.sleep(6)

    killed = time.monotonic()
    pg.stop("immediate")
    stopped = time.monotonic()
    print(f"  {LOAD_USERS} participants voting; PostgreSQL killed (pg_ctl stop -m immediate)")
    time.sleep(1)
    proposal_page = f"/concertations/{world.slug}/propositions/{pool[0]}"
    answers = {
        "GET a proposal page": visitor.get(proposal_page),
        "GET the home page": visitor.get("/"),
        "POST a vote (htmx)": probe.post(vote_path(world, pool[1]), {"vote": "agree"}, True),
        "POST a vote (no JavaScript)": probe.post(vote_path(world, pool[1]), {"vote": "pass"}),
    }
    for label, response in answers.items():
        report.check(
            is_site_503(response),
            f"while PostgreSQL is down, {label} answers the site's 503 page",
            describe(response),
        )
    time.sleep(max(0.0, killed + DOWN_SECONDS - time.monotonic()))

    restarting = time.monotonic()
    pg.start()
    ready = time.monotonic()
    page_back = vote_back = None
    while time.monotonic() - ready < 60 and (page_back is None or vote_back is None):
        if page_back is None and visitor.get(proposal_page).status_code == 200:
            page_back = time.monotonic()
        if vote_back is None:
            response = probe.post(vote_path(world, pool[2]), {"vote": "disagree"}, True)
            if response.status_code == 200:
                vote_back = time.monotonic()
        time.sleep(0.1)
    time.sleep(6)
    stop.set()
    for t in threads:
        t.join()

    print(
        f"  down for {restarting - killed:.1f} s; pg_ctl start took {ready - restarting:.1f} s "
        "(crash recovery included)"
    )
    for label, back in (("a page", page_back), ("a vote", vote_back)):
        if back is None:
            report.check(False, f"{label} answers 200 again without restarting gunicorn", "never")
        else:
            report.check(
                back - ready <= RECOVERY_GOAL,
                f"{label} answers 200 again without restarting gunicorn",
                f"{back - ready:.2f} s after PostgreSQL accepts connections "
                f"({back - restarting:.1f} s after pg_ctl start)",
            )

    back_at = vote_back or ready
    before = [a for a in attempts if a.answered < killed]
    killing = [a for a in attempts if a.answered >= killed and a.sent < stopped]
    down = [a for a in attempts if a.sent >= stopped and a.answered <= restarting]
    restart = [a for a in attempts if a not in down and stopped <= a.sent < back_at]
    after = [a for a in attempts if a.sent >= back_at]
    for label, group in (
        ("before the crash", before),
        ("in flight while pg_ctl stop ran", killing),
        ("sent and answered while PostgreSQL was down", down),
        ("across pg_ctl start, until the probe's first 200", restart),
        ("after", after),
    ):
        statuses = Counter(a.status for a in group)
        print(
            f"  load {label}: {len(group)} votes, answers "
            + ", ".join(f"{s or 'none'}: {n}" for s, n in sorted(statuses.items()))
        )
    odd = [
        a for a in attempts if a.status not in (200, 503) or (a.status == 503 and not a.site_page)
    ]
    report.check(
        not odd,
        "the load saw only 200 and the site's 503 page (no 500, no gunicorn error, no reset)",
        f"{len(odd)} other answers " + str(Counter(a.status for a in odd)) if odd else "",
    )
    report.check(
        all(a.status == 503 for a in down),
        "every vote sent while PostgreSQL was down was answered 503",
        f"{sum(a.status == 503 for a in down)} of {len(down)}",
    )

    with app.app_context():
        final = {
            (row.user_id, row.proposal_id): row.value
            for row in db.session.execute(
                sa.select(Vote.user_id, Vote.proposal_id, Vote.value).where(
                    Vote.user_id.in_(user_ids), Vote.proposal_id.in_(pool)
                )
            )
        }
        counters = check_counters(db.session, world.consultation_id)
        db.session.remove()
    by_pair: dict[tuple[int, int], list[Attempt]] = {}
    for a in sorted(attempts, key=lambda a: a.sent):
        by_pair.setdefault((a.user_id, a.proposal_id), []).append(a)
    lost, unacknowledged_kept, acknowledged = [], 0, 0
    for pair, tries in by_pair.items():
        acked = [i for i, a in enumerate(tries) if a.status == 200]
        acknowledged += len(acked)
        last = acked[-1] if acked else -1
        allowed = {tries[last].value} if acked else {initial.get(pair)}
        allowed |= {a.value for a in tries[last + 1 :]}
        if final.get(pair) not in allowed:
            lost.append((pair, final.get(pair), allowed))
        elif acked and final.get(pair) != tries[last].value:
            unacknowledged_kept += 1
    report.check(
        not lost,
        "no acknowledged vote lost: each (participant, proposal) holds its last acknowledged value",
        f"{acknowledged} acknowledged votes on {len(by_pair)} pairs, {len(lost)} lost"
        + (f" (first: {lost[0]})" if lost else ""),
    )
    report.info(
        f"{unacknowledged_kept} pairs hold the value of a later attempt that got no 200 (it "
        "committed, then the answer failed with the server)"
    )
    wrong = (
        counters["wrong_proposals"]
        + counters["wrong_participations"]
        + counters["missing_participations"]
    )
    report.check(
        wrong == 0,
        "every counter equals COUNT(*) after the crash",
        f"{counters['proposals']} proposals, {counters['wrong_proposals']} wrong; "
        f"{counters['participations']} agree budgets, {counters['wrong_participations']} wrong",
    )


# --- (b) Redis stopped ---------------------------------------------------------------------


def notifications(app, proposal_id: int, since) -> int:
    from civic.core.notify import Notification
    from civic.extensions import db

    with app.app_context():
        n = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(
                Notification.link.like(f"%/propositions/{proposal_id}"),
                Notification.created_at >= since,
            )
        )
        db.session.remove()
    return n


def answer(client: Client, world: World, pid: int) -> requests.Response:
    client.get(f"/concertations/{world.slug}/propositions/{pid}")
    return client.post(
        f"/concertations/{world.slug}/propositions/{pid}/reponse",
        {
            "status": "under_study",
            "text": "Le bureau communautaire étudie cette proposition.",
            "signed_as": "Vice-président à la participation",
        },
    )


def wait_for(predicate, timeout: float, every: float = 0.25) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(every)
    return None


def fault_redis(app, redis, base_url, world: World, env, workdir, worker, log, report) -> None:
    from civic.core.models import utcnow
    from civic.core.notify import OutboxEmail
    from civic.extensions import db

    print("\n(b) Redis stopped")
    elected, voter = Client(base_url, 300), Client(base_url, 301)
    log_in_all([elected, voter], [world.elected_id, 41])
    since = utcnow()
    pid_up, pid_down = world.popular[30], world.popular[31]
    response = answer(elected, world, pid_up)
    took = wait_for(lambda: notifications(app, pid_up, since) > 0, 30)
    report.info(
        f"Redis up: an official answer ({response.status_code}) notifies "
        f"{notifications(app, pid_up, since)} participants through the RQ worker"
        + (f" within {took:.1f} s" if took is not None else " (NOT within 30 s)")
    )

    log_mark = len(log.read_text(errors="replace"))
    redis.stop()
    down_at = utcnow()
    print("  Redis stopped (SHUTDOWN NOSAVE)")
    page = f"/concertations/{world.slug}/propositions/{pid_down}"
    checks = []
    started = time.monotonic()
    checks.append(("GET the home page", Client(base_url, 302).get("/"), (200,)))
    checks.append(
        ("GET a proposal list", voter.get(f"/concertations/{world.slug}/propositions"), (200,))
    )
    checks.append(("GET a proposal page", voter.get(page), (200,)))
    checks.append(
        (
            "POST a vote (htmx)",
            voter.post(vote_path(world, pid_down), {"vote": "agree"}, True),
            (200,),
        )
    )
    voter.get(page)
    checks.append(
        (
            "POST a comment (rate-limited)",
            voter.post(page + "/commentaires", {"body": "Bonne idée.", "stance": "for"}),
            (303,),
        )
    )
    newcomer = Client(base_url, 303)
    newcomer.get("/compte/connexion")
    checks.append(
        (
            "POST the login form (rate-limited)",
            newcomer.post("/compte/connexion", {"email": email(42), "password": PASSWORD}),
            (303,),
        )
    )
    forgetful = Client(base_url, 304)
    forgetful.get("/compte/mot-de-passe-oublie")
    checks.append(
        (
            "POST a password reset request (an e-mail job)",
            forgetful.post("/compte/mot-de-passe-oublie", {"email": email(43)}),
            (303,),
        )
    )
    checks.append(
        ("POST an official answer (a notification job)", answer(elected, world, pid_down), (303,))
    )
    elapsed = time.monotonic() - started
    for label, response, expected in checks:
        report.check(
            response.status_code in expected,
            f"while Redis is down, {label} answers {'/'.join(map(str, expected))}",
            describe(response),
        )
    report.info(f"these {len(checks)} requests took {elapsed:.2f} s in all while Redis was down")

    # The in-memory fallback: each gunicorn worker counts on its own.
    attacker = Client(base_url, 305)
    attacker.get("/compte/connexion")
    tries, limited = 0, None
    for tries in range(1, 61):  # noqa: B007 - the count is the result
        response = attacker.post(
            "/compte/connexion", {"email": email(44), "password": "not-the-password"}
        )
        if response.status_code == 429:
            limited = tries
            break
    report.info(
        "rate limits in memory meanwhile (CIVIC_LOGIN_LIMIT, 10 per minute per address and per "
        "e-mail): wrong logins from one address "
        + (f"refused from attempt {limited}" if limited else f"never refused in {tries} attempts")
        + " (each of the 4 workers counts apart)"
    )
    if limited is None:
        report.check(False, "rate limits still apply in memory while Redis is down")

    time.sleep(1)
    logged = log.read_text(errors="replace")[log_mark:]
    warnings = [line for line in logged.splitlines() if "WARNING" in line]
    limiter_warned = any("falling back to in-memory" in line for line in warnings)
    jobs_warned = any("job queue unreachable" in line for line in warnings)
    report.check(
        limiter_warned and jobs_warned,
        "the gunicorn log warns (rate limits fall back to memory; jobs not queued)",
        f"limiter: {'yes' if limiter_warned else 'NO'}, jobs: {'yes' if jobs_warned else 'NO'}; "
        f"{len(warnings)} warning lines",
    )
    for message in sorted({line.split(" ", 4)[-1][:110] for line in warnings}):
        print(f"         log: {message}")
    errors = [line for line in logged.splitlines() if " ERROR " in line or "[ERROR]" in line]
    report.check(
        not errors,
        "no error in the gunicorn log (warnings only)",
        errors[0][:160] if errors else f"{logged.count('Traceback')} tracebacks with warnings",
    )
    worker_alive = worker.alive()
    report.info(
        f"the RQ worker {'is still running' if worker_alive else 'EXITED'} while Redis is down"
        + ("" if worker_alive else " (a service manager must restart it: Restart=always)")
    )

    restarted = redis.start()
    print(f"  Redis started again ({restarted:.1f} s)")
    if not worker.alive():
        worker.start()
        report.info("RQ worker started again, as systemd would")
    back = voter.post(vote_path(world, pid_down), {"vote": "pass"}, True)
    report.check(
        back.status_code == 200, "after Redis restarts, a vote answers 200", describe(back)
    )
    # Each worker's limiter tries its storage again after a growing delay (1, 2, 4... s).
    from redis import Redis

    storage = Redis.from_url(redis.url)
    returning = Client(base_url, 306)
    returning.get("/compte/connexion")

    def limits_in_redis() -> bool:
        returning.post("/compte/connexion", {"email": email(45), "password": "wrong"})
        return bool(storage.keys("LIMITS*"))

    took = wait_for(limits_in_redis, 45, every=1.0)
    report.info(
        "rate limits counted in Redis again "
        + (f"{took:.1f} s after its restart" if took is not None else "NOT within 45 s")
        + " (the first gunicorn worker to look again)"
    )
    wait_for(lambda: notifications(app, pid_down, down_at) > 0, 10)
    missing = notifications(app, pid_down, down_at)
    report.check(
        missing > 0,
        "the notification job asked while Redis was down runs once Redis is back",
        f"{missing} notifications for the answer given during the outage (the job was "
        "dropped: civic/core/jobs.py only logs it)"
        if not missing
        else f"{missing} notifications",
    )
    with app.app_context():
        mail = db.session.scalar(sa.select(OutboxEmail).where(OutboxEmail.to_address == email(43)))
        kept = mail is not None
        db.session.remove()
    report.check(
        kept,
        "the e-mail asked while Redis was down is kept in the outbox (`flask civic outbox "
        "flush` sends it later)",
        "in the outbox" if kept else "missing",
    )
    output = servers.flask(env, "civic", "outbox", "flush").strip()
    report.info(f"flask civic outbox flush after the outage: {output} (no SMTP server here)")


# --- (c) SQLite on a full disk -------------------------------------------------------------


@contextlib.contextmanager
def small_disk(size_mib: int = 8):
    """A small file system of its own (root only): a tmpfs, else a loop-mounted ext4 image.

    Yields (its path, how it was made).
    """
    path = Path(tempfile.mkdtemp(prefix="civic-full-"))
    image = path.with_suffix(".img")
    tmpfs = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mib}m,mode=0755", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    how = f"tmpfs of {size_mib} MiB"
    if tmpfs.returncode != 0:
        how = f"loop-mounted ext4 image of {size_mib} MiB (tmpfs refused)"
        with open(image, "wb") as f:
            f.truncate(size_mib * 2**20)
        loop = subprocess.run(["mkfs.ext4", "-q", "-m", "0", str(image)], capture_output=True)
        if loop.returncode == 0:
            loop = subprocess.run(
                ["mount", "-o", "loop", str(image), str(path)], capture_output=True
            )
        if loop.returncode != 0:
            path.rmdir()
            image.unlink(missing_ok=True)
            raise servers.ServerError(
                f"no small disk: mount -t tmpfs said {tmpfs.stderr.strip()!r}, the loop-mounted "
                f"ext4 image {loop.stderr.decode(errors='replace').strip()!r}"
            )
    try:
        yield path, how
    finally:
        for _ in range(10):
            if subprocess.run(["umount", str(path)], capture_output=True).returncode == 0:
                break
            time.sleep(0.5)
        with contextlib.suppress(OSError):
            path.rmdir()
        image.unlink(missing_ok=True)


def fill(directory: Path) -> int:
    """Write a ballast file until the disk is full; returns its size."""
    written = 0
    chunk = b"\0" * 65536
    with open(directory / "ballast", "wb", buffering=0) as ballast:
        while True:
            try:
                written += ballast.write(chunk)
            except OSError:
                break
        # The last bytes a smaller write can still place.
        for size in (4096, 512, 1):
            with contextlib.suppress(OSError):
                while True:
                    written += ballast.write(b"\0" * size)
    return written


def integrity(path: Path) -> str:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def count_votes(path: Path) -> int:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT count(*) FROM vote").fetchone()[0]
    finally:
        connection.close()


def fault_disk_full(workdir: Path, report: Report) -> None:
    from civic import create_app
    from civic.extensions import db

    print("\n(c) SQLite on a full disk")
    build_dir = workdir / "sqlite"
    build_dir.mkdir()
    source = build_dir / "civic.sqlite"
    env = servers.app_environment(
        f"sqlite:///{source}", None, "http://127.0.0.1", CIVIC_PROXY_COUNT="1"
    )
    servers.flask(env, "db", "upgrade")
    with environment(env):
        app = create_app()
        world = build(
            app, Sizes(users=80, proposals=60, votes=600, comments=200, featured_comments=20)
        )
        with app.app_context():
            db.engine.dispose()
    checkpoint = sqlite3.connect(source)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    size = source.stat().st_size
    try:
        disk_context = small_disk(max(8, size // 2**20 + 4))
        disk, how = disk_context.__enter__()
    except servers.ServerError as error:
        report.check(False, "a small disk for SQLite", str(error))
        return
    try:
        database = disk / "civic.sqlite"
        shutil.copy(source, database)
        print(f"  the database on a {how}, served by gunicorn --workers 2")
        port = servers.free_port(58090)
        base_url = f"http://127.0.0.1:{port}"
        env = servers.app_environment(
            f"sqlite:///{database}",
            None,
            base_url,
            CIVIC_PROXY_COUNT="1",
            CIVIC_UPLOAD_DIR=str(workdir / "uploads-sqlite"),
        )
        log = workdir / "gunicorn-sqlite.log"
        with servers.gunicorn_server(env, port, log, workers=2):
            run_disk_full(base_url, world, disk, database, log, report)
        verdict = integrity(database)
        report.check(verdict == "ok", "PRAGMA integrity_check after the run", verdict)
    finally:
        disk_context.__exit__(None, None, None)


def run_disk_full(base_url, world: World, disk: Path, database: Path, log, report) -> None:
    participant, visitor = Client(base_url, 400), Client(base_url, 401)
    participant.log_in(email(5))  # logging in writes (last seen): before the disk is full
    page = f"/concertations/{world.slug}/propositions/{world.popular[0]}"
    participant.get(page)
    visitor.get(page)
    usage = shutil.disk_usage(disk)
    ballast = fill(disk)
    print(
        f"  {usage.total // 1024} KiB disk, database {database.stat().st_size // 1024} KiB; "
        f"ballast of {ballast // 1024} KiB written: {shutil.disk_usage(disk).free} bytes free"
    )
    votes_before = count_votes(database)
    log_mark = len(log.read_text(errors="replace"))
    for pid in world.popular[1:4]:
        participant.get(f"/concertations/{world.slug}/propositions/{pid}")
        response = participant.post(vote_path(world, pid), {"vote": "agree"}, htmx=True)
        if response.status_code != 200:
            break
    writes = {
        "POST a vote (htmx)": response,
        "POST a vote (no JavaScript)": participant.post(
            vote_path(world, world.popular[5]), {"vote": "disagree"}
        ),
        "POST a comment": participant.post(
            page + "/commentaires", {"body": "Plus de place ?", "stance": "neutral"}
        ),
    }
    for label, response in writes.items():
        clear = (
            response.status_code in (503, 507)
            and 'class="error-page"' in response.text
            and "Traceback" not in response.text
        )
        report.check(clear, f"disk full: {label} answers a clear page", describe(response))
        mentions = any(word in response.text for word in ("espace", "disque", "stockage"))
        report.check(
            mentions,
            f"disk full: the page of {label} says that the server has no space left",
            "yes" if mentions else "it does not say why",
        )
    newcomer = Client(base_url, 402)
    newcomer.get("/compte/connexion")
    response = newcomer.post("/compte/connexion", {"email": email(6), "password": PASSWORD})
    report.info(f"disk full: logging in (it writes the last visit) answers {describe(response)}")
    for label, path in (("a proposal page", page), ("the proposal list", page.rsplit("/", 1)[0])):
        response = visitor.get(path)
        report.check(
            response.status_code == 200, f"disk full: {label} is still read", describe(response)
        )
    report.check(
        count_votes(database) == votes_before,
        "disk full: no half-written vote",
        f"{count_votes(database)} votes, {votes_before} before",
    )
    verdict = integrity(database)
    report.check(verdict == "ok", "PRAGMA integrity_check while the disk is full", verdict)

    (disk / "ballast").unlink()
    participant.get(page)
    response = participant.post(vote_path(world, world.popular[6]), {"vote": "agree"}, htmx=True)
    report.check(
        response.status_code == 200,
        "space freed: a vote is recorded again, without restarting gunicorn",
        describe(response),
    )
    logged = log.read_text(errors="replace")[log_mark:]
    tracebacks = logged.count("Traceback")
    report.info(
        f"gunicorn log meanwhile: {len(logged.splitlines())} lines, {tracebacks} tracebacks; "
        + "; ".join(
            sorted(
                {line.split(" ", 3)[-1][:100] for line in logged.splitlines() if "ERROR" in line}
            )
        )[:300]
    )


# --- main ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["postgres", "redis", "disk"], action="append")
    args, _unknown = parser.parse_known_args()  # `make bench` passes the same to every bench
    only = set(args.only or ["postgres", "redis", "disk"])
    servers.exit_on_sigterm()
    started = time.perf_counter()
    report = Report()
    workdir = Path(tempfile.mkdtemp(prefix="civic-faults-"))
    try:
        if only & {"postgres", "redis"}:
            with servers.postgres_server() as pg, servers.redis_server() as redis:
                run_servers(pg, redis, workdir, only, report)
        if "disk" in only:
            fault_disk_full(workdir, report)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    if report.misses:
        print("PROMISES BROKEN:")
        for miss in report.misses:
            print(f"  - {miss}")
        return 1
    print("all promises kept")
    return 0


def run_servers(pg, redis, workdir: Path, only: set[str], report: Report) -> None:
    port = servers.free_port(58085)
    base_url = f"http://127.0.0.1:{port}"
    env = servers.app_environment(
        pg.url,
        redis.url,
        base_url,
        CIVIC_PROXY_COUNT="1",
        CIVIC_UPLOAD_DIR=str(workdir / "uploads"),
    )
    t = time.perf_counter()
    servers.flask(env, "db", "upgrade")
    with environment(env):
        run_app(pg, redis, env, port, base_url, workdir, only, report, t)


def run_app(pg, redis, env, port, base_url, workdir, only, report, t) -> None:
    from civic import create_app
    from civic.extensions import db

    app = create_app()
    logging.getLogger().setLevel(logging.WARNING)
    world = build(app, SIZES)
    print(
        f"private PostgreSQL on port {pg.port}, Redis on {redis.port}, gunicorn on {port}; "
        f"{len(world.proposals)} proposals seeded in {time.perf_counter() - t:.1f} s"
    )
    log = workdir / "gunicorn.log"
    try:
        with (
            servers.gunicorn_server(env, port, log, workers=4),
            servers.rq_worker(env, workdir / "worker.log") as worker,
        ):
            if "postgres" in only:
                fault_postgres(app, pg, base_url, world, report)
            if "redis" in only:
                fault_redis(app, redis, base_url, world, env, workdir, worker, log, report)
    finally:
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
