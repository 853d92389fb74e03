"""The life of an account, in a real browser, with and without JavaScript: register, confirm,
log in, edit the profile, download one's data, delete the account."""

import json
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from civic.accounts.models import User
from civic.core.notify import OutboxEmail
from tests.e2e.conftest import unique_email

pytestmark = pytest.mark.e2e

PASSWORD = "une phrase de passe pour le parcours"


def register(page: Page, email: str, password: str, confirm: str, display_name: str) -> None:
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_label("Confirmez le mot de passe").fill(confirm)
    page.get_by_label("Pseudonyme public (facultatif)").fill(display_name)
    page.get_by_label("J'ai lu la charte de participation et je l'accepte").check()
    page.get_by_role("button", name="Créer mon compte").click()


def test_account_journey(page: Page, live_server, live_users, js):
    email = unique_email("journey-js" if js else "journey-nojs")
    live_users.emails.add(email)

    # Registration: a mistake first. The error summary lists it, what was typed stays.
    page.goto("/compte/inscription")
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer un compte")
    # The two runs really differ: htmx runs only in the first.
    assert page.evaluate("() => typeof window.htmx") == ("object" if js else "undefined")
    register(page, email, PASSWORD, PASSWORD + " bis", display_name="Camille")
    summary = page.get_by_role("alert").filter(has_text="Le formulaire contient")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Les deux mots de passe ne sont pas identiques.")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#password_confirm")
    expect(page).to_have_title(re.compile(r"^Erreur · Créer un compte"))
    expect(page.get_by_label("Adresse e-mail")).to_have_value(email)
    expect(page.get_by_label("Pseudonyme public (facultatif)")).to_have_value("Camille")
    expect(page.get_by_label("J'ai lu la charte de participation et je l'accepte")).to_be_checked()
    expect(page.get_by_label("Mot de passe", exact=True)).to_have_value("")
    confirm_field = page.get_by_label("Confirmez le mot de passe")
    expect(confirm_field).to_have_attribute("aria-invalid", "true")
    expect(confirm_field).to_have_accessible_description(
        re.compile("Les deux mots de passe ne sont pas identiques")
    )
    assert live_server.outbox(email) == []

    register(page, email, PASSWORD, PASSWORD, display_name="Camille")
    expect(page).to_have_url(re.compile(r"/compte/verifiez-vos-courriels$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez vos e-mails")

    # Not confirmed yet: logging in is refused, with the way out.
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Confirmez d'abord votre adresse e-mail")

    # Confirmation: the link of the e-mail shows a button, the button confirms.
    link = live_server.link_in_last_email(email, "/compte/confirmation/")
    page.goto(link)
    page.get_by_role("button", name="Confirmer mon adresse").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("status")).to_contain_text(
        "Votre adresse e-mail est confirmée : vous êtes connecté."
    )

    # Signed in by the confirmation: edit the profile.
    page.get_by_role("link", name="Mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon profil")
    expect(page.locator("main")).to_contain_text(email)
    expect(page.get_by_label("Pseudonyme public")).to_have_value("Camille")
    page.get_by_label("Pseudonyme public").fill("Camille de Labège")
    page.get_by_label("Commune de résidence").select_option(label="Labège")
    page.get_by_label("J'accepte de donner les informations ci-dessous").check()
    page.get_by_label("Tranche d'âge").select_option(label="30 à 44 ans")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Votre profil est enregistré.")
    expect(page).to_have_url(re.compile(r"/compte/profil$"))
    expect(page.get_by_label("Pseudonyme public")).to_have_value("Camille de Labège")
    expect(page.get_by_label("Commune de résidence").locator("option:checked")).to_have_text(
        "Labège"
    )
    expect(page.get_by_label("J'accepte de donner les informations ci-dessous")).to_be_checked()
    expect(page.get_by_label("Tranche d'âge")).to_have_value("30-44")

    # Download "my data".
    page.get_by_role("link", name="Mes données", exact=True).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger mes données (JSON)").click()
    download = download_info.value
    assert download.suggested_filename == "civic-mes-donnees.json"
    data = json.loads(open(download.path(), encoding="utf-8").read())
    live_users.ids.add(data["account"]["id"])
    assert data["account"]["email"] == email
    assert data["profile"]["display_name"] == "Camille de Labège"
    assert data["profile"]["commune"] == "Labège"
    assert data["profile"]["age_bracket"] == "30-44"

    # Delete the account.
    page.get_by_role("link", name="Supprimer mon compte", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supprimer mon compte")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Je comprends que la suppression est définitive").check()
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Votre compte et vos données personnelles ont été supprimés."
    )
    expect(page.get_by_role("link", name="Se connecter", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)

    # Logging in again fails, and the address is gone from the database.
    page.goto("/compte/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Adresse e-mail ou mot de passe incorrect.")
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)

    assert live_server.query(sa.select(User.id).where(User.email == email)) == []
    assert live_server.query(sa.select(OutboxEmail.id).where(OutboxEmail.to_address == email)) == []
    # The row stays, emptied, so that contributions keep an author ("Participant supprimé").
    ((stored_email, password_hash, display_name, deleted_at),) = live_server.query(
        sa.select(User.email, User.password_hash, User.display_name, User.deleted_at).where(
            User.id == data["account"]["id"]
        )
    )
    assert (stored_email, password_hash, display_name) == (None, None, None)
    assert deleted_at is not None
