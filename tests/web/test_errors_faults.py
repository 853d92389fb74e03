"""Faults the site must survive with a clear answer: a full disk, Redis down.

bench/bench_faults.py stops real servers and fills a real disk; these tests make the same
errors happen without doing so: the database driver's own "disk full" error is raised where
the statement would run (so that SQLAlchemy wraps it and the view's error path is the real
one), and Redis is an address where nothing listens.
"""

import errno
import logging
import sqlite3

import pytest
import sqlalchemy as sa
from flask import Blueprint
from sqlalchemy import event

from civic import create_app
from civic.consultations.models import Comment, Proposal, Vote
from civic.core.permissions import always, register, route, rules
from civic.extensions import db as _db
from civic.extensions import limiter
from tests.conftest import CsrfClient, app_config, log_in
from tests.web.helpers import text

HX = {"HX-Request": "true"}
DISK_FULL_TITLE = "Espace de stockage plein"


def driver_error(dialect: str, kind: str) -> Exception:
    """The exception the database driver itself raises for a full disk, or another failure."""
    if dialect == "sqlite":
        message, code = {
            "full": ("database or disk is full", sqlite3.SQLITE_FULL),
            "locked": ("database is locked", sqlite3.SQLITE_BUSY),
        }[kind]
        error = sqlite3.OperationalError(message)
        error.sqlite_errorcode = code
        return error
    import psycopg.errors

    if kind == "full":
        return psycopg.errors.DiskFull(
            'could not extend file "base/16384/16397": No space left on device'
        )
    return psycopg.OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def failing_writes(db):
    """failing_writes("vote", "full"): every INSERT INTO that table fails as the driver would."""
    connection = db.engine  # the test's connection (tests/conftest.py)
    hooks = []

    def arm(table: str, kind: str = "full"):
        error = driver_error(connection.dialect.name, kind)

        def fail(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()} "):
                raise error

        event.listen(connection, "before_cursor_execute", fail)
        hooks.append(fail)

    yield arm
    for hook in hooks:
        event.remove(connection, "before_cursor_execute", hook)


def proposal_url(climate) -> str:
    return f"/concertations/plan-climat/propositions/{climate['proposal'].id}"


def votes_of(proposal_id: int) -> int:
    return _db.session.scalar(
        sa.select(sa.func.count()).select_from(Vote).where(Vote.proposal_id == proposal_id)
    )


def test_vote_on_a_full_disk_answers_a_clear_page(
    client, make_user, climate, failing_writes, caplog
):
    log_in(client, make_user())
    url = proposal_url(climate)
    failing_writes("vote")
    with caplog.at_level(logging.ERROR, logger="civic.errors"):
        response = client.post(url + "/vote", data={"vote": "agree"})
    page = text(response)
    assert response.status_code == 507
    assert DISK_FULL_TITLE in page and "rien de ce qui l'était déjà n'est perdu" in page
    assert "Traceback" not in page and "INSERT" not in page
    assert "no space left on disk" in caplog.text
    # The same for htmx: the error fragment, not a whole page.
    fragment = client.post(url + "/vote", data={"vote": "agree"}, headers=HX)
    assert fragment.status_code == 507 and "<html" not in text(fragment)
    assert DISK_FULL_TITLE in text(fragment)
    # Nothing half-written; the counters still equal COUNT(*).
    proposal = _db.session.get(Proposal, climate["proposal"].id)
    _db.session.refresh(proposal)
    assert votes_of(proposal.id) == 0
    assert proposal.agree_count == proposal.disagree_count == proposal.pass_count == 0


def test_reads_go_on_when_the_disk_is_full(client, make_user, climate, failing_writes):
    user = make_user()
    log_in(client, user)
    url = proposal_url(climate)
    failing_writes("comment")
    response = client.post(url + "/commentaires", data={"body": "Bonne idée", "stance": "for"})
    assert response.status_code == 507
    # The page keeps the visitor's session: the database is still readable.
    assert "Mon compte" in text(response)
    assert client.get(url).status_code == 200
    assert client.get("/concertations/plan-climat/propositions").status_code == 200
    count = sa.select(sa.func.count()).select_from(Comment)
    assert _db.session.scalar(count.where(Comment.author_id == user.id)) == 0


def test_other_database_failures_stay_503(client, make_user, climate, failing_writes):
    log_in(client, make_user())
    failing_writes("vote", "locked")
    response = client.post(proposal_url(climate) + "/vote", data={"vote": "agree"})
    assert response.status_code == 503
    assert "Service momentanément indisponible" in text(response)
    assert DISK_FULL_TITLE not in text(response)


def test_no_space_left_for_a_file_answers_507(database_url):
    app = create_app(app_config(database_url))
    bp = Blueprint("full_disk", __name__)
    if "tests.full_disk" not in rules():
        register("tests.full_disk", always)

    def upload():
        raise OSError(errno.ENOSPC, "No space left on device", "/srv/civic/uploads/plan.pdf")

    def crash():
        raise OSError(errno.EACCES, "Permission denied")

    route(bp, "/televersement", upload, "tests.full_disk", methods=["GET"])
    route(bp, "/autre-erreur", crash, "tests.full_disk", methods=["GET"])
    app.register_blueprint(bp)
    client = app.test_client()
    response = client.get("/televersement")
    assert response.status_code == 507 and DISK_FULL_TITLE in text(response)
    assert "/srv/civic" not in text(response)
    other = client.get("/autre-erreur")  # any other OSError is an ordinary server error
    assert other.status_code == 500 and DISK_FULL_TITLE not in text(other)


# --- Redis down ----------------------------------------------------------------------------


@pytest.fixture
def redis_down_app(app, db, database_url, monkeypatch):
    """make(): the app as configured with CIVIC_REDIS_URL on an address where nothing listens,
    on the test's connection (its data, its rollback). Call it once the test's data exist;
    the shared limiter is put back afterwards."""
    monkeypatch.setenv("CIVIC_REDIS_URL", "redis://127.0.0.1:1/0")
    saved_limiter = dict(limiter.__dict__)
    made = []

    def make():
        config = app_config(database_url)
        del config["CIVIC_REDIS_URL"]  # from the environment, as in production
        config["CIVIC_POST_LIMIT"] = "2 per hour"
        down = create_app(config)
        down.test_client_class = CsrfClient
        assert down.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:1/0"
        engines = _db._app_engines[down]
        made.append((engines, engines[None]))
        engines[None] = _db._app_engines[app][None]
        return down

    yield make
    for engines, own_engine in made:
        engines[None] = own_engine
        own_engine.dispose()
    limiter.__dict__.clear()
    limiter.__dict__.update(saved_limiter)


def test_redis_down_pages_votes_and_limits(redis_down_app, make_user, climate, caplog):
    user, url, proposal_id = make_user(), proposal_url(climate), climate["proposal"].id
    client = redis_down_app().test_client()
    log_in(client, user)
    with caplog.at_level(logging.WARNING):
        assert client.get(url).status_code == 200
        assert client.post(url + "/vote", data={"vote": "agree"}, headers=HX).status_code == 200
        comments = [
            client.post(url + "/commentaires", data={"body": f"Avis {i}", "stance": "for"})
            for i in range(3)
        ]
    assert [r.status_code for r in comments[:2]] == [303, 303]
    # The limit still holds, counted in this process's memory (CIVIC_POST_LIMIT: 2 per hour).
    assert comments[2].status_code == 429
    assert "falling back to in-memory storage" in caplog.text
    assert votes_of(proposal_id) == 1


def test_redis_down_jobs_are_not_queued_but_the_request_is_served(
    redis_down_app, make_user, climate, caplog
):
    user, url = make_user("elected"), proposal_url(climate)
    client = redis_down_app().test_client()
    log_in(client, user)
    with caplog.at_level(logging.WARNING, logger="civic.core.jobs"):
        response = client.post(
            url + "/reponse",
            data={"status": "under_study", "text": "À l'étude.", "signed_as": "Le président"},
        )
    assert response.status_code == 303
    assert "job queue unreachable" in caplog.text
