"""A draft text in a real browser, with and without JavaScript: a resident reacts to a
passage and proposes an amendment, another votes on it, an elected official answers it, an
agent publishes version 2 with the difference, and the author reads what became of it.
With JavaScript, axe checks the text, the amendment after the htmx vote, the difference and
the analysis of the reactions.
"""

import re
import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from civic.accounts.models import RoleGrant, User
from civic.consultations import services as consultations
from civic.consultations.models import Consultation
from civic.core.models import utcnow
from civic.documents import services
from civic.extensions import db as _db
from tests.e2e.conftest import log_in, unique_email
from tests.e2e.test_accessibility import assert_no_axe_violations
from tests.fixtures_documents import SAMPLE

pytestmark = pytest.mark.e2e


@pytest.fixture
def live_draft(live_server, live_users):
    """A published consultation open to everyone, with the sample draft; deleted after."""
    token = secrets.token_hex(4)
    with live_server.app.test_request_context():
        try:
            agent = User(
                email=unique_email("agent-doc"),
                email_confirmed_at=utcnow(),
                charter_accepted_at=utcnow(),
                grants=[RoleGrant(role="agent")],
            )
            _db.session.add(agent)
            _db.session.flush()
            live_users.ids.add(agent.id)
            now = utcnow()
            consultation = consultations.save_consultation(
                agent,
                None,
                title=f"Plan climat {token}",
                slug=f"e2e-doc-{token}",
                summary="Le projet de plan climat.",
                body="<p>Lisez et amendez le projet.</p>",
                theme="Climat",
                communes=[],
                agree_limit=None,
                premoderation=False,
            )
            consultations.add_phase(
                agent,
                consultation,
                title="Ouverte à tous",
                description="",
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=30),
                features=["information", "proposing", "commenting", "voting"],
                audience="public",
            )
            consultations.publish(agent, consultation)
            draft = services.import_draft(
                agent, consultation, title="Projet de plan climat", summary="", source=SAMPLE
            )
            _db.session.commit()
            path = f"/concertations/{consultation.slug}/textes/{draft.id}"
        finally:
            _db.session.remove()
    yield {"path": path}
    with live_server.app.app_context():
        _db.session.execute(sa.delete(Consultation).where(Consultation.slug == f"e2e-doc-{token}"))
        _db.session.commit()
        _db.session.remove()


def switch_to(page: Page, email: str, password: str) -> None:
    page.context.clear_cookies()
    log_in(page, email, password)


def test_react_amend_vote_answer_and_publish_version_2(page: Page, js, live_users, live_draft):
    author = live_users.create(unique_email("auteur"), display_name="Camille")
    voter = live_users.create(unique_email("votant"), display_name="Louis")
    elected = live_users.create(
        unique_email("elu"), display_name="Élue", grants=[RoleGrant(role="elected")]
    )
    agent = live_users.create(
        unique_email("agent"), display_name="Agent", grants=[RoleGrant(role="agent")]
    )

    # The author reacts to the first paragraph through its own page.
    log_in(page, *author)
    page.goto(live_draft["path"])
    expect(page.get_by_role("heading", name="Projet de plan climat")).to_be_visible()
    if js:
        assert_no_axe_violations(page)
    page.get_by_role("link", name="Réagir — § 1").click()
    page.get_by_label("Question", exact=True).check()
    page.get_by_label("Commentaire ou question").fill("Quelle est la source de ce chiffre ?")
    page.get_by_role("button", name="Envoyer ma réaction").click()
    expect(page.get_by_text("Votre réaction est publiée.")).to_be_visible()
    expect(page.get_by_text("Quelle est la source de ce chiffre ?")).to_be_visible()

    # ... then proposes a new wording, shown as a word difference.
    page.get_by_role("link", name="Proposer un amendement").click()
    wording = page.get_by_label("Nouvelle rédaction du passage")
    wording.fill(wording.input_value().replace("la moitié", "près de la moitié"))
    page.get_by_role("button", name="Proposer cet amendement").click()
    expect(page.get_by_text("Votre amendement est publié.")).to_be_visible()
    expect(page.locator("ins").filter(has_text="près de")).to_be_visible()
    amendment_url = page.url

    # Another resident votes for it (with JavaScript, only the vote block is swapped).
    switch_to(page, *voter)
    page.goto(amendment_url)
    page.get_by_role("button", name="Pour", exact=True).click()
    expect(page.get_by_text("1 pour · 0 contre")).to_be_visible()
    expect(page.get_by_role("button", name="Retirer mon vote")).to_be_visible()
    if js:
        assert_no_axe_violations(page)

    # An elected official answers: integrated, with a justification.
    switch_to(page, *elected)
    page.goto(amendment_url)
    page.locator("summary", has_text="Décider").click()
    page.get_by_label("Intégré", exact=True).check()
    page.get_by_label("Justification").fill("Le chiffre est précisé dans la version 2.")
    page.get_by_role("button", name="Publier la décision").click()
    expect(page.get_by_text("La décision est publiée")).to_be_visible()

    # An agent publishes version 2, prepared with the integrated wording.
    switch_to(page, *agent)
    page.goto(live_draft["path"])
    page.get_by_role("link", name="Publier une nouvelle version").click()
    expect(page.get_by_label("Texte de la nouvelle version")).to_contain_text("près de la moitié")
    page.get_by_label("Ce qui change").fill("Le diagnostic précise la part des transports.")
    page.get_by_role("button", name="Publier la nouvelle version").click()
    expect(page.get_by_text("La version 2 est publiée.")).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile("entre la version 1 et la version 2"))
    ).to_be_visible()
    expect(page.locator("td ins").filter(has_text="près de")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"Amendement n° \d+"))).to_be_visible()
    if js:
        assert_no_axe_violations(page)

    # The text's analysis: the section's reactions counted, the amendment's answer and the
    # version it led to.
    page.goto(live_draft["path"])
    page.get_by_role("link", name="Analyse des réactions").click()
    expect(page.get_by_role("heading", name="1. Diagnostic")).to_be_visible()
    expect(page.get_by_text(re.compile(r"intègre l'amendement n° \d+"))).to_be_visible()
    expect(page.get_by_text("(dans la version 2)")).to_be_visible()
    if js:
        assert_no_axe_violations(page)

    # The author finds what became of the amendment.
    switch_to(page, *author)
    page.goto("/mes-amendements")
    expect(page.get_by_text("Intégré", exact=True)).to_be_visible()
    expect(page.get_by_text("Pris en compte dans la version 2.")).to_be_visible()
