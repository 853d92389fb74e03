"""Fixtures: one app per session on a fresh database built by the migrations, one rolled-back
transaction per test (see LESSONS: the outer transaction and savepoints recipe)."""

import os
import re
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from hypothesis import settings

from civic import create_app
from civic.accounts.models import RoleGrant, User
from civic.accounts.passwords import hash_password
from civic.core.models import utcnow
from civic.extensions import db as _db

pytest_plugins = ["tests.fixtures_documents"]

PASSWORD = "une phrase de passe assez longue"
LIMITS = (
    "CIVIC_LOGIN_LIMIT",
    "CIVIC_SIGNUP_LIMIT",
    "CIVIC_RESET_LIMIT",
    "CIVIC_POST_LIMIT",
    "CIVIC_NEW_ACCOUNT_POST_LIMIT",
    "CIVIC_REPORT_LIMIT",
    "CIVIC_RATING_LIMIT",
    "CIVIC_API_LIMIT",
    "CIVIC_ASSISTANT_LIMIT",
)
# Timings are never asserted in tests: a loaded machine must not fail a property.
settings.register_profile("civic", deadline=None)
settings.load_profile("civic")

ROLES = ["anonymous", "citizen", "agent", "elected", "facilitator", "moderator", "admin"]
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def pytest_addoption(parser):
    parser.addoption(
        "--database-url",
        default=None,
        help="run on this database (emptied first) instead of a temporary SQLite",
    )


def app_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Limits are on, as in production, but too high for the tests to reach; the tests of
        # limits lower the one they test.
        "RATELIMIT_ENABLED": True,
        **{key: "100000 per minute" for key in LIMITS},
        "CIVIC_REDIS_URL": None,
        "CIVIC_MAIL_SERVER": None,
        "CIVIC_MAIL_ECHO": False,
        "SERVER_NAME": "civic.test",
        "CIVIC_UPLOAD_DIR": tempfile.mkdtemp(prefix="civic-uploads-"),
    }


def empty_database(url: str) -> None:
    """Drop every table of a PostgreSQL test database, so migrations start from nothing."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory):
    url = request.config.getoption("--database-url")
    if url:
        empty_database(url)
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app(app_config(database_url))
    app.test_client_class = CsrfClient
    with app.app_context():
        upgrade()
        from civic.territory.services import load_communes

        load_communes()
        _db.session.commit()
        _db.session.remove()
    return app


@pytest.fixture(scope="session")
def password_hash():
    # argon2id is slow on purpose: hash once for all the users the tests create.
    return hash_password(PASSWORD)


@pytest.fixture(autouse=True)
def db(app):
    """Each test runs in a transaction that is rolled back; app commits become savepoints."""
    with app.app_context():
        engines = _db._app_engines[app]
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        _db.session.remove()
        _db.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session.configure(join_transaction_mode="conditional_savepoint")
            outer.rollback()
            connection.close()
            engines[None] = engine


class CsrfClient(FlaskClient):
    """A test client that sends the CSRF token of its session with each POST, as a page would
    (pass csrf=False to leave it out)."""

    def open(self, *args, **kwargs):
        # Requests reuse the test's app context, so `g` (the logged-in user, the CSP nonce)
        # would leak from one request to the next: start each request with an empty one.
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        page = super().get("/charte")
        return CSRF_RE.search(page.get_data(as_text=True)).group(1)

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)):
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def limit(app):
    """Lower one rate limit for a test: limit("CIVIC_LOGIN_LIMIT", "3 per minute")."""
    from civic.extensions import limiter

    saved = {key: app.config[key] for key in LIMITS}
    with app.app_context():
        limiter.reset()

    def set_limit(key: str, value: str) -> None:
        app.config[key] = value

    yield set_limit
    app.config.update(saved)
    with app.app_context():
        limiter.reset()


@pytest.fixture
def make_user(db, password_hash):
    counter = iter(range(1, 10_000))

    def make(
        role: str | None = "citizen", email: str | None = None, confirmed: bool = True, **fields
    ) -> User:
        n = next(counter)
        user = User(
            email=email or f"user{n}@example.org",
            password_hash=password_hash,
            email_confirmed_at=utcnow() if confirmed else None,
            charter_accepted_at=utcnow(),
            **fields,
        )
        if role not in (None, "citizen", "anonymous"):
            user.grants.append(RoleGrant(role=role))
        db.session.add(user)
        db.session.commit()
        return user

    return make


def log_in(client, user: User) -> None:
    """Put the user in the client's session, as the login view does."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def login(client):
    def do(user: User):
        log_in(client, user)
        return client

    return do


def pytest_collection_modifyitems(config, items):
    # Browser tests need Debian's Chromium; .ci/run installs it and sets CIVIC_REQUIRE_BROWSER.
    if Path("/usr/bin/chromium").exists() or os.environ.get("CIVIC_REQUIRE_BROWSER"):
        return
    skip = pytest.mark.skip(reason="/usr/bin/chromium is not installed (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def redis_url():
    """A real Redis (CIVIC_TEST_REDIS_URL, set by .ci/run); emptied before the test."""
    url = os.environ.get("CIVIC_TEST_REDIS_URL")
    if not url:
        pytest.skip("CIVIC_TEST_REDIS_URL is not set")
    from redis import Redis

    Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def climate(make_user, db, app):
    """A published consultation whose current phase opens everything, with one proposal."""
    from datetime import timedelta

    from civic.consultations import services

    agent = make_user("agent", email="agent.climat@example.org")
    author = make_user(email="auteur@example.org", display_name="Auteur")
    now = utcnow()
    with app.test_request_context():
        consultation = services.save_consultation(
            agent,
            None,
            title="Plan climat",
            slug="plan-climat",
            summary="Le plan climat du Sicoval",
            body="<p>Le <b>PCAET</b> engage le Sicoval.</p>",
            theme="Climat",
            communes=[],
            agree_limit=None,
            premoderation=False,
        )
        services.add_phase(
            agent,
            consultation,
            title="Phase passée",
            description="",
            audience="public",
            starts_at=now - timedelta(days=30),
            ends_at=now - timedelta(days=10),
            features=["information"],
        )
        services.add_phase(
            agent,
            consultation,
            title="Propositions et votes",
            description="",
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=30),
            features=["information", "proposing", "commenting", "voting"],
            audience="public",
        )
        services.publish(agent, consultation)
        proposal = services.submit_proposal(
            author,
            consultation,
            title="Des pistes cyclables entre les communes",
            body="Relier Labège et Castanet par une piste cyclable sécurisée.",
            theme="Mobilité",
            commune_id=None,
        )
    db.session.commit()
    return {
        "consultation": consultation,
        "proposal": proposal,
        "author": author,
        "agent": agent,
        "past_phase": consultation.phases[0],
    }


@pytest.fixture
def make_workshop(make_user, db, app, climate):
    """A published workshop of the climate consultation; fields may be overridden."""
    from datetime import timedelta

    from civic.workshops import services

    facilitator = make_user("facilitator", email="animation@example.org")

    def make(**fields):
        now = utcnow()
        values = {
            "title": "Atelier mobilités",
            "purpose": "Imaginer les mobilités de demain.",
            "consultation_id": climate["consultation"].id,
            "starts_at": now + timedelta(days=10),
            "duration_minutes": 150,
            "mode": "onsite",
            "commune_id": None,
            "address": "Salle des fêtes, Labège",
            "accessibility": "Salle de plain-pied, boucle magnétique.",
            "online_url": "",
            "capacity": 30,
            "tables": 1,
            "seats_elected": 2,
            "seats_technician": 2,
            "seats_citizen": 6,
            "call_closes_at": now + timedelta(days=5),
            "one_per_household": True,
            **fields,
        }
        with app.test_request_context():
            workshop = services.save_workshop(facilitator, None, **values)
            services.publish(facilitator, workshop)
        db.session.commit()
        workshop.facilitator = facilitator
        return workshop

    return make


@pytest.fixture
def live_workshop(make_workshop, make_user, db, app):
    """A workshop that started ten minutes ago, with one seat per college taken."""
    from datetime import timedelta

    from civic.workshops.models import Participant

    workshop = make_workshop(
        starts_at=utcnow() - timedelta(minutes=10), call_closes_at=utcnow() - timedelta(days=3)
    )
    seats = {}
    for role, account_role in (
        ("elected", "elected"),
        ("technician", "agent"),
        ("citizen", "citizen"),
    ):
        user = make_user(account_role, display_name=f"Personne {role}")
        db.session.add(Participant(workshop_id=workshop.id, role=role, user_id=user.id))
        seats[role] = user
    db.session.commit()
    return {"workshop": workshop, "facilitator": workshop.facilitator, **seats}


@pytest.fixture
def smtp(app, monkeypatch):
    """The SMTP server, faked: the messages it would have sent; mail leaves at once."""
    sent = []

    class FakeSMTP:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *args):
            return False

        def starttls(self):
            pass

        def send_message(self, message):
            sent.append(message)

    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "CIVIC_MAIL_SERVER", "smtp.test")
    return sent
