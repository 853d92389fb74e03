"""Hostile text in a real browser, with and without JavaScript: stored payloads (every kind of
tests/security/inert.py, at once, in every text of a consultation, its proposal, comment,
answer and follow-up, the glossary, a service and its rating, an analysis, a notification
and a display name) and reflected ones (search boxes) are shown on the pages of the main
journeys; no dialog opens, Chromium logs no CSP violation and no script error, and the DOM,
after htmx has run, holds no handler, htmx attribute or script URL made of user text.

The data is made on the live server's own database with the models and services, in a
consultation with its own slug, and deleted afterwards.
"""

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from civic.accounts.models import RoleGrant, User
from civic.analysis.models import AnalysisRun, Cluster, ClusterMember
from civic.consultations import services
from civic.consultations.models import Consultation, GlossaryTerm, Milestone
from civic.core.models import utcnow
from civic.core.notify import Notification
from civic.extensions import db as _db
from civic.moderation.models import Fingerprint, Report
from civic.ratings.models import CRITERIA, Rating, Service, ServiceAnswer
from tests.e2e.conftest import BrowserLog, LiveServer, LiveUsers, log_in, unique_email
from tests.security.inert import MARKER, PAYLOADS, html_problems, marker, payload

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session", autouse=True)
def valid_session_mode():
    """tests/conftest.py's `db` fixture leaves the shared session configured with
    "conservative_savepoint", a name SQLAlchemy 2.1 no longer accepts: the live server, if it
    starts after a database test of the same run, cannot open a session. Restore the default
    (whatever this SQLAlchemy calls it) before the live server starts."""
    from typing import get_args

    from sqlalchemy.orm.session import JoinTransactionMode

    modes = get_args(JoinTransactionMode)
    default = "conditional_savepoint" if "conditional_savepoint" in modes else modes[0]
    _db.session.session_factory.configure(join_transaction_mode=default)


class Texts:
    """Hostile texts: every payload at once, each with its own marker."""

    def __init__(self):
        self.count = 0

    def all(self, prefix: str = "", limit: int | None = None) -> str:
        """Every payload after `prefix`; with a limit (a column's length), the whole payloads
        that fit, so that the database takes the text as a person could type it."""
        text = prefix
        for kind in PAYLOADS:
            self.count += 1
            piece = (" " if text.strip() else "") + payload(kind, marker(self.count))
            if limit is not None and len(text) + len(piece) > limit:
                continue
            text += piece
        return text

    def one(self, kind: str) -> str:
        self.count += 1
        return payload(kind, marker(self.count))


@dataclass
class Scene:
    server: LiveServer
    slug: str
    admin: tuple[str, str]
    proposal_id: int
    service_id: int
    service_type: str
    run_id: int
    consultation_id: int
    reflected: str
    service_ids: list[int] = field(default_factory=list)
    term_ids: list[int] = field(default_factory=list)
    proposal_ids: list[int] = field(default_factory=list)

    def pages(self) -> list[str]:
        c = f"/concertations/{self.slug}"
        q = quote(self.reflected)
        return [
            "/",
            "/concertations",
            c,
            f"{c}/propositions",
            f"{c}/propositions?q={q}",
            f"{c}/propositions/{self.proposal_id}",
            f"{c}/propositions/similaires?title={q}",
            f"{c}/suivi",
            f"{c}/synthese",
            f"{c}/restitution",
            "/glossaire",
            "/services",
            f"/services?q={q}",
            f"/services/{self.service_id}",
            f"/services/classement?type={quote(self.service_type)}",
            "/moderation/journal",
            "/mes-contributions",
            "/compte/notifications",
            "/compte/profil",
            "/gestion/concertations",
            f"/gestion/concertations/{self.consultation_id}",
            "/gestion/glossaire",
            f"/gestion/analyses/{self.run_id}",
            "/gestion/moderation",
            "/gestion/utilisateurs?q=" + q,
            "/gestion/courriels",
            "/gestion/journal",
            "/donnees-ouvertes",
            "/ateliers",
        ]


def make_scene(server: LiveServer, users: LiveUsers) -> Scene:
    t = Texts()
    token = secrets.token_hex(4)
    slug = f"e2e-xss-{token}"
    admin = users.create(
        unique_email("xss-admin"),
        display_name=t.one("svg-onload"),
        grants=[RoleGrant(role="admin")],
    )
    now = utcnow()
    with server.app.test_request_context():
        try:
            admin_user = _db.session.scalar(sa.select(User).where(User.email == admin[0]))
            author = User(
                email=unique_email("xss-author"),
                display_name=t.one("attribute-breakout"),
                email_confirmed_at=now,
                charter_accepted_at=now,
                created_at=now - timedelta(days=60),
            )
            _db.session.add(author)
            _db.session.flush()
            users.ids.add(author.id)
            consultation = services.save_consultation(
                admin_user,
                None,
                title=t.all("Concertation ", 200),
                slug=slug,
                summary=t.all(),
                body="<p>" + t.all() + "</p>",
                theme=t.one("htmx-attributes"),
                communes=[],
                agree_limit=None,
                premoderation=False,
                cover_alt=t.all(limit=300),
            )
            services.add_phase(
                admin_user,
                consultation,
                title=t.all("Phase ", 200),
                description=t.all(),
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=30),
                features=["information", "proposing", "commenting", "voting"],
                audience="public",
            )
            services.publish(admin_user, consultation)
            proposal = services.submit_proposal(
                author,
                consultation,
                title=t.all("Idée ", 200),
                body=t.all("Une idée : "),
                theme=t.one("single-quote-breakout"),
                commune_id=None,
            )
            services.add_comment(admin_user, proposal, body=t.all("Avis : "), stance="for")
            services.answer_proposal(
                admin_user, proposal, status="retained", text=t.all(), signed_as=t.all(limit=120)
            )
            proposal.milestones.append(
                Milestone(title=t.all(limit=200), description=t.all(), progress=30, due_on=now)
            )
            term = GlossaryTerm(term=f"xss{token}", definition=t.all())
            _db.session.add(term)
            service_type = t.one("javascript-link")
            service = Service(
                source=f"e2e-xss-{token}",
                source_id="1",
                name=t.all("Piscine ", 200),
                type=service_type,
                address=t.all(limit=300),
                email="x@example.org",
                website=t.one("javascript-url"),
                phone=t.one("script"),
                latitude=43.54,
                longitude=1.53,
            )
            _db.session.add(service)
            _db.session.flush()
            rating = Rating(
                service_id=service.id,
                user_id=author.id,
                channel="phone",
                comment=t.all(),
                comment_status="published",
                **{c: 4 for c in CRITERIA},
            )
            _db.session.add(rating)
            _db.session.flush()
            _db.session.add(
                ServiceAnswer(
                    rating_id=rating.id, status="noted", text=t.all(), signed_as=t.all(limit=120)
                )
            )
            run = AnalysisRun(
                consultation_id=consultation.id, status="done", progress=100, published_at=now
            )
            _db.session.add(run)
            _db.session.flush()
            cluster = Cluster(
                run_id=run.id,
                label=t.all(limit=200),
                keywords=[t.one("template")],
                size=1,
                decision="retained",
                justification=t.all(),
            )
            _db.session.add(cluster)
            _db.session.flush()
            _db.session.add(
                ClusterMember(
                    run_id=run.id,
                    cluster_id=cluster.id,
                    kind="proposal",
                    item_id=proposal.id,
                    author_id=admin_user.id,
                    text=t.all(),
                )
            )
            _db.session.add(
                Notification(user_id=admin_user.id, message=t.all(), link=f"/concertations/{slug}")
            )
            _db.session.commit()
            return Scene(
                server=server,
                slug=slug,
                admin=admin,
                proposal_id=proposal.id,
                service_id=service.id,
                service_type=service_type,
                run_id=run.id,
                consultation_id=consultation.id,
                reflected=t.all(),
                service_ids=[service.id],
                term_ids=[term.id],
                proposal_ids=[proposal.id],
            )
        finally:
            _db.session.remove()


def remove_scene(scene: Scene) -> None:
    with scene.server.app.app_context():
        for model in (Report, Fingerprint):
            _db.session.execute(
                sa.delete(model).where(
                    model.kind == "proposal", model.item_id.in_(scene.proposal_ids)
                )
            )
        _db.session.execute(sa.delete(Consultation).where(Consultation.slug == scene.slug))
        _db.session.execute(sa.delete(Service).where(Service.id.in_(scene.service_ids)))
        _db.session.execute(sa.delete(GlossaryTerm).where(GlossaryTerm.id.in_(scene.term_ids)))
        _db.session.commit()
        _db.session.remove()


@pytest.fixture
def scene(live_server, live_users):
    made = make_scene(live_server, live_users)
    yield made
    remove_scene(made)


def test_hostile_text_runs_nothing_in_the_browser(
    page: Page, js: bool, scene: Scene, browser_log: BrowserLog
):
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    log_in(page, *scene.admin)
    findings, seen = [], set()
    for path in scene.pages():
        response = page.goto(path)
        assert response is not None and response.status < 500, path
        if js:
            page.wait_for_load_state("networkidle")
        problems = browser_log.problems()
        if problems:
            findings.append(f"{path}: {problems}")
            browser_log.console.clear()
            browser_log.page_errors.clear()
        content = page.content()
        seen.update(MARKER.findall(content))
        findings += [f"{path}: {p}" for p in html_problems(content)]
        if dialogs:
            findings.append(f"{path}: dialogs {dialogs}")
            dialogs.clear()
    if js:
        # An htmx swap with a hostile search: the fragment is inert once in the page too.
        page.goto(f"/concertations/{scene.slug}/propositions")
        page.locator("#q").fill(scene.reflected)
        page.locator("#q").press("Enter")
        expect(page).to_have_url(re.compile(r"[?&]q="))
        page.wait_for_load_state("networkidle")
        findings += [f"htmx search: {p}" for p in html_problems(page.content())]
        if dialogs or browser_log.problems():
            findings.append(f"htmx search: {dialogs} {browser_log.problems()}")
    assert not findings, "\n".join(findings)
    assert len(seen) >= 50, f"the hostile texts were shown: only {len(seen)} markers seen"
