"""A commune's space in a real browser, with and without JavaScript, on a phone: a resident
finds her commune from the menu, reads its page (axe-checked), and follows it; and an
administrator limits an agent's role to two communes from the account's page."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from civic.accounts.models import RoleGrant, User
from civic.extensions import db as _db
from tests.e2e.conftest import log_in
from tests.e2e.test_consultations_journey import flash
from tests.e2e.test_moderation_journey import check_axe

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def test_a_resident_finds_and_follows_her_commune(page: Page, live_users, js):
    page.set_viewport_size(PHONE)
    email, password = live_users.create(display_name="Inès")
    log_in(page, email, password)
    page.goto("/communes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Les communes")
    page.get_by_role("link", name="Labège", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Labège")
    expect(page.get_by_role("heading", name="Participation")).to_be_visible()
    check_axe(page, js)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Suivre Labège").click()
    expect(flash(page, "Vous suivez Labège")).to_be_visible()
    page.get_by_role("button", name="Ne plus suivre Labège").click()
    expect(flash(page, "Vous ne suivez plus Labège")).to_be_visible()


def test_an_administrator_limits_a_role_to_communes(page: Page, live_server, live_users, js):
    admin_email, password = live_users.create()
    agent_email, _ = live_users.create()
    with live_server.app.app_context():
        admin = _db.session.scalar(sa.select(User).where(User.email == admin_email))
        admin.grants.append(RoleGrant(role="admin"))
        agent_id = _db.session.scalar(sa.select(User.id).where(User.email == agent_email))
        _db.session.commit()
        _db.session.remove()
    log_in(page, admin_email, password)
    page.goto(f"/gestion/utilisateurs/{agent_id}")
    page.get_by_label("Agent (technicien)", exact=True).check()
    # The communes are ticked in a box that opens (a multiple select needs Ctrl, which
    # phones lack).
    communes = page.get_by_role("group", name="Communes du rôle « Agent (technicien) »")
    summary = page.locator("details.scope-communes summary").filter(has_text="Agent (technicien)")
    summary.click()
    for commune in ("Labège", "Escalquens"):
        communes.get_by_label(commune, exact=True).check()
    check_axe(page, js)
    page.get_by_role("button", name="Enregistrer les rôles").click()
    # With htmx only the roles region is swapped: the choice shows there once saved.
    expect(summary).to_contain_text("2 communes")
    expect(communes.locator("input:checked")).to_have_count(2)
    page.goto("/gestion/utilisateurs")
    expect(page.get_by_text("Agent (technicien) (Escalquens, Labège)")).to_be_visible()
