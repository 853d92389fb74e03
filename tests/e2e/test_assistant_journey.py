"""The assistant in a real browser, with and without JavaScript: a resident asks from the
header field and gets a sourced answer, asks again and gets "je ne sais pas", hands the
question to a person without an account, follows it by its number; an agent takes it on and
answers by e-mail, and the status page says it is answered. With JavaScript, the second question
is answered in the conversation without reloading the page, and axe checks every step.

The glossary term, the request and the questions live in the live server's database and are
deleted after.
"""

import re
import secrets

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from civic.accounts.models import RoleGrant
from civic.assistant.models import AskedQuestion, Request
from civic.consultations.models import GlossaryTerm
from civic.core.notify import OutboxEmail
from civic.extensions import db as _db
from tests.e2e.conftest import LiveServer, log_in, unique_email
from tests.e2e.test_consultations_journey import flash
from tests.e2e.test_moderation_journey import check_axe, htmx_settled

pytestmark = pytest.mark.e2e


@pytest.fixture
def glossary(live_server: LiveServer):
    term = f"SIGLE{secrets.token_hex(2).upper()}"
    email = unique_email("resident")
    with live_server.app.app_context():
        _db.session.add(GlossaryTerm(term=term, definition="Un sigle de démonstration : essai."))
        _db.session.commit()
        _db.session.remove()
    yield term, email
    with live_server.app.app_context():
        _db.session.execute(sa.delete(OutboxEmail).where(OutboxEmail.to_address == email))
        _db.session.execute(sa.delete(Request).where(Request.email == email))
        _db.session.execute(sa.delete(AskedQuestion).where(AskedQuestion.text.contains(term)))
        _db.session.execute(sa.delete(GlossaryTerm).where(GlossaryTerm.term == term))
        _db.session.commit()
        _db.session.remove()


def test_ask_answer_unknown_request_follow_and_agent_answer(
    page: Page, live_server: LiveServer, live_users, js: bool, glossary
):
    term, email = glossary
    # From the header of any page: a sourced answer.
    page.goto("/")
    page.locator("#ask-header-q").fill(f"c'est quoi le {term.lower()} ?")
    page.locator("#ask-header-q").press("Enter")
    answer = page.locator(".exchange").last
    expect(answer).to_contain_text("Un sigle de démonstration")
    expect(answer.get_by_role("link", name="Glossaire")).to_have_attribute(
        "href", re.compile(r"/glossaire#terme-")
    )
    check_axe(page, js)

    # A question the data cannot answer: "je ne sais pas", and a person offered.
    page.get_by_label("Votre question, en quelques mots").fill(f"qui a gagné le match {term} hier")
    page.get_by_role("button", name="Demander").last.click()
    if js:
        # Answered in the conversation: the first answer is still there, the field is empty.
        expect(page.locator(".exchange")).to_have_count(2)
        htmx_settled(page)
        field = page.get_by_label("Votre question, en quelques mots")
        expect(field).to_have_value("")
        expect(field).to_be_focused()  # ready for the next question, as in a conversation
    unknown = page.locator(".exchange").last
    expect(unknown).to_contain_text("Je ne sais pas")
    check_axe(page, js)

    # The question goes to a person, without an account.
    unknown.get_by_role("link", name="Posez la question à un agent : il vous répondra").click()
    expect(page.get_by_label("Votre question", exact=True)).to_have_value(
        f"qui a gagné le match {term} hier"
    )
    page.get_by_label("Votre nom").fill("Camille Test")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("J'accepte que ces coordonnées servent à me répondre").check()
    check_axe(page, js)
    page.get_by_role("button", name="Envoyer ma demande").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"Demande [2-9A-Z]{4}-[2-9A-Z]{4}"))
    reference = heading.inner_text().split()[-1]
    expect(flash(page, reference)).to_be_visible()
    expect(page.locator("#request-status")).to_have_text("Reçue")
    check_axe(page, js)
    assert reference in "\n".join(live_server.outbox(email))

    # Followed by its number.
    page.goto("/suivi")
    page.get_by_label("Numéro de la demande").fill(reference.lower())
    page.get_by_role("button", name="Voir où en est ma demande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Demande {reference}")

    # An agent takes it on and answers by e-mail.
    agent = live_users.create(unique_email("agent"), grants=[RoleGrant(role="agent")])
    log_in(page, *agent)
    page.goto("/gestion/demandes")
    page.get_by_role("link", name=reference, exact=True).click()
    check_axe(page, js)
    page.get_by_role("button", name="Prendre en charge").click()
    expect(page.locator("#request-status")).to_have_text("En cours")
    page.get_by_label("Réponse").fill("Les résultats sportifs ne sont pas de notre ressort.")
    page.get_by_role("button", name="Envoyer la réponse").click()
    expect(flash(page, "Réponse enregistrée.")).to_be_visible()
    expect(page.locator("#request-status")).to_have_text("Répondue")
    assert "pas de notre ressort" in live_server.outbox(email)[-1]
    page.goto(f"/suivi/{reference}")
    expect(page.locator("#request-status")).to_have_text("Répondue")
    check_axe(page, js)
