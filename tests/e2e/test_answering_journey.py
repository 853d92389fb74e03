"""Answering made easy, in a real browser, with and without JavaScript: an elected official
writes an answer template and asks for a second validation on the consultation's answers
page, filters « À répondre » by theme (htmx swaps the results with JavaScript), answers the
oldest proposal from a template (htmx swaps the form with JavaScript) with a signature that
is then remembered, and comes back to the list; an agent validates the draft, which only then
is public on the proposal page.
"""

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from civic.answers.models import Draft
from civic.consultations.models import Consultation
from tests.e2e.conftest import log_in
from tests.e2e.test_consultations_journey import (
    COMPOST,
    CYCLING,
    SUNDAY_BUS,
    LiveConsultations,
    flash,
    log_out,
)

pytestmark = pytest.mark.e2e

TEMPLATE_TEXT = "Cette proposition rejoint le plan de mobilité 2027, avec un budget dédié."
SIGNATURE = "Vice-présidente chargée des mobilités"


@pytest.fixture
def live_consultations(live_server, live_users):
    consultations = LiveConsultations(live_server, live_users)
    yield consultations
    consultations.remove_all()


def test_answering_with_a_template_and_a_second_person(
    page: Page, js: bool, live_server, live_consultations: LiveConsultations
):
    scene = live_consultations.create(seeds=(CYCLING, COMPOST, SUNDAY_BUS))
    (consultation_id,) = live_server.query(
        sa.select(Consultation.id).where(Consultation.slug == scene.slug)
    )[0]
    elected = live_consultations.user("elected", "Élue mobilités")
    agent = live_consultations.user("agent", "Agent Sicoval")

    # The consultation's answers page: a template, and the second validation.
    log_in(page, *elected)
    page.goto(f"/gestion/concertations/{consultation_id}/reponses")
    page.get_by_label("Nom du modèle").fill("Retenue au plan 2027")
    page.get_by_label("Décision").select_option("retained")
    page.get_by_label("Texte de la réponse").fill(TEMPLATE_TEXT)
    page.get_by_role("button", name="Enregistrer le modèle").click()
    expect(flash(page, "Le modèle de réponse est enregistré.")).to_be_visible()
    page.get_by_role("button", name="Activer la deuxième validation").click()
    expect(flash(page, "validée par une deuxième personne")).to_be_visible()

    # « À répondre », filtered on this consultation's mobility proposals, oldest first.
    page.goto("/gestion/a-repondre")
    filters = page.get_by_role("search", name="Filtrer les propositions à répondre")
    filters.get_by_label("Concertation").select_option(label=scene.title)
    filters.get_by_label("Thème").select_option("Mobilité")
    filters.get_by_role("button", name="Filtrer").click()
    results = page.locator("#waiting-results")
    expect(results.get_by_text("2 propositions attendent une réponse")).to_be_visible()
    expect(page).to_have_url(
        f"{live_server.url}/gestion/a-repondre?concertation="
        f"{consultation_id}&theme=Mobilit%C3%A9&commune="
    )
    rows = results.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(CYCLING.title)  # made first
    expect(results).not_to_contain_text(COMPOST.title)

    # Answer the oldest from the template.
    rows.nth(0).get_by_role("link", name="Répondre").click()
    expect(page.get_by_role("heading", name=CYCLING.title)).to_be_visible()
    page.get_by_label("Partir d'un modèle de réponse").select_option(
        label="Retenue au plan 2027 (Retenue)"
    )
    page.get_by_role("button", name="Appliquer le modèle").click()
    expect(page.get_by_label("Réponse argumentée")).to_have_value(TEMPLATE_TEXT)
    expect(page.get_by_label("Décision")).to_have_value("retained")
    page.get_by_label("Signée en tant que").fill(SIGNATURE)
    page.get_by_role("button", name="Envoyer la réponse à la validation").click()
    # Back on the list, the draft waits for someone else.
    expect(flash(page, "attend sa validation par une autre personne")).to_be_visible()
    expect(page.get_by_role("heading", name="1 réponse à valider")).to_be_visible()
    expect(
        page.get_by_text("Vous l'avez rédigée : une autre personne doit la valider.")
    ).to_be_visible()
    expect(page.locator("#waiting-results")).not_to_contain_text(CYCLING.title)
    # The signature is remembered.
    expect(page.get_by_label("Signée en tant que")).to_have_value(SIGNATURE)
    log_out(page)

    # Not public before its validation.
    proposal_url = f"/concertations/{scene.slug}/propositions/{scene.proposal_ids[CYCLING.title]}"
    page.goto(proposal_url)
    expect(page.get_by_text(TEMPLATE_TEXT)).to_have_count(0)

    # The agent validates it: now it is the proposal's answer.
    log_in(page, *agent)
    page.goto("/gestion/a-repondre")
    draft = page.locator(".card").filter(has_text=CYCLING.title)
    draft.get_by_role("button", name="Valider et publier").click()
    expect(flash(page, "La réponse est validée et publiée.")).to_be_visible()
    answer = page.locator("section.answer")
    expect(answer.locator(".tag").first).to_have_text("Retenue")
    expect(answer.locator(".answer-text")).to_have_text(TEMPLATE_TEXT)
    expect(answer).to_contain_text(SIGNATURE)
    assert not live_server.query(sa.select(Draft.id))
