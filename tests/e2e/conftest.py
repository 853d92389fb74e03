"""Browser tests: Debian's Chromium driven by Playwright (sync API) against a live server.

The live server runs its own app on its own SQLite file, in a thread of this process: its
data is committed for real (LESSONS: live-server tests use their own connection), so every
test uses fresh e-mail addresses and removes the users it creates.
"""

import itertools
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from civic import create_app
from civic.accounts.models import User
from civic.accounts.passwords import hash_password
from civic.core.models import utcnow
from civic.extensions import db as _db
from tests.conftest import PASSWORD, app_config

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Playwright waits (expect, clicks) give up after this many milliseconds.
TIMEOUT_MS = 10_000
_counter = itertools.count(1)


def unique_email(prefix: str = "e2e") -> str:
    """A new address (the live database is new each session, so a counter is enough)."""
    return f"{prefix}-{next(_counter)}@example.org"


# --- the live server -----------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per request is noise in test output
        pass


@dataclass
class LiveServer:
    app: Flask
    url: str

    def query(self, statement):
        """Run a read query on the live database, in the live app's context."""
        with self.app.app_context():
            try:
                return _db.session.execute(statement).all()
            finally:
                _db.session.remove()

    def outbox(self, to_address: str) -> list[str]:
        """Bodies of the e-mails kept for this address, oldest first."""
        from civic.core.notify import OutboxEmail

        rows = self.query(
            sa.select(OutboxEmail.body)
            .where(OutboxEmail.to_address == to_address)
            .order_by(OutboxEmail.id)
        )
        return [body for (body,) in rows]

    def link_in_last_email(self, to_address: str, path_prefix: str) -> str:
        bodies = self.outbox(to_address)
        assert bodies, f"no e-mail for {to_address} in the outbox"
        pattern = re.escape(self.url + path_prefix) + r"\S+"
        match = re.search(pattern, bodies[-1])
        assert match, f"no link to {self.url}{path_prefix}... in:\n{bodies[-1]}"
        return match.group(0)


def live_app(path) -> Flask:
    """An app on its own SQLite file, set up as a browser reaches it (plain HTTP, no limits,
    e-mails kept in the outbox, jobs run inline); its schema is left to the caller."""
    config = app_config(f"sqlite:///{path}")
    config.update(
        RATELIMIT_ENABLED=False,
        SESSION_COOKIE_SECURE=False,
        CIVIC_HSTS=False,
        CIVIC_MAIL_SERVER=None,  # e-mails stay in the outbox, where the tests read them
        CIVIC_REDIS_URL=None,  # jobs run inline
    )
    config.pop("SERVER_NAME")
    return create_app(config)


@contextmanager
def serving(app: Flask, name: str) -> Iterator[str]:
    """Serve the app on a free port of 127.0.0.1 in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    host = f"127.0.0.1:{server.port}"
    # Links in e-mails (url_for(..., _external=True)) point at the live server.
    app.config["SERVER_NAME"] = host
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://{host}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            _db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    app = live_app(tmp_path_factory.mktemp("live") / "live.sqlite")
    with app.app_context():
        upgrade()
        from civic.territory.services import load_communes

        load_communes()
        _db.session.commit()
        _db.session.remove()
    with serving(app, "live-server") as url:
        yield LiveServer(app=app, url=url)


@pytest.fixture(autouse=True)
def db():
    """Override the root fixture: browser tests must not open the session app's rolled-back
    transaction (nor build that app at all); the live server commits into its own file."""
    yield None


@dataclass
class LiveUsers:
    """Accounts of the live database that a test created, deleted when it ends."""

    server: LiveServer
    ids: set[int] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)

    def create(self, email: str | None = None, **fields) -> tuple[str, str]:
        """A confirmed account, committed in the live database; returns (email, password)."""
        email = email or unique_email("user")
        with self.server.app.app_context():
            user = User(
                email=email,
                password_hash=hash_password(PASSWORD),
                email_confirmed_at=utcnow(),
                charter_accepted_at=utcnow(),
                **fields,
            )
            _db.session.add(user)
            _db.session.commit()
            self.ids.add(user.id)
            _db.session.remove()
        return email, PASSWORD

    def remove_all(self) -> None:
        condition = sa.or_(User.id.in_(self.ids), User.email.in_(self.emails))
        with self.server.app.app_context():
            _db.session.execute(sa.delete(User).where(condition))
            _db.session.commit()
            _db.session.remove()


@pytest.fixture
def live_users(live_server):
    users = LiveUsers(live_server)
    yield users
    users.remove_all()


# --- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class BrowserLog:
    """What Chromium reported while a test ran: console messages and uncaught page errors."""

    console: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        location = message.location or {}
        self.console.append(f"[{message.type}] {message.text} ({location.get('url', '')})")

    def on_page_error(self, error) -> None:
        self.page_errors.append(str(error))

    def problems(self) -> list[str]:
        """CSP violations (reported whether JavaScript runs or not) and JavaScript errors."""
        found = [f"page error: {e}" for e in self.page_errors]
        for line in self.console:
            if "Content Security Policy" in line or "Content-Security-Policy" in line:
                found.append(f"CSP violation: {line}")
            elif line.startswith("[error]") and not _EXPECTED_HTTP_ERROR.search(line):
                found.append(f"console error: {line}")
        return found


# Chromium logs the status of a page answered with an error, e.g. a form with errors (422)
# or a wrong login; these are expected answers, not JavaScript errors.
_EXPECTED_HTTP_ERROR = re.compile(
    r"Failed to load resource: the server responded with a status of (401|403|404|409|422)\b"
)


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def js(request) -> bool:
    return request.param


@pytest.fixture
def browser_log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def page(browser: Browser, live_server, js, browser_log):
    """A fresh browser context (no cookies), with or without JavaScript; the test fails if
    Chromium reports a CSP violation or a JavaScript error."""
    context = browser.new_context(
        base_url=live_server.url,
        java_script_enabled=js,
        locale="fr-FR",
        accept_downloads=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", browser_log.on_console)
    page.on("pageerror", browser_log.on_page_error)
    yield page
    context.close()
    if browser_log.console:  # shown by pytest when the test fails
        print("Chromium console:", *browser_log.console, sep="\n  ")
    problems = browser_log.problems()
    if problems:
        pytest.fail("Chromium reported problems:\n" + "\n".join(problems), pytrace=False)


# --- shared steps --------------------------------------------------------------------------


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.locator("main").get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
