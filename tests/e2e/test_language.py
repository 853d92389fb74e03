"""The language switch in the header: a real form, so it works with and without JavaScript."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

# Read once, before the live server loads its catalogues (Flask-Babel caches them).
HAS_ENGLISH = (
    Path(__file__).resolve().parents[2] / "translations/en/LC_MESSAGES/messages.mo"
).exists()


def test_switch_to_english_and_back(page: Page):
    page.goto("/compte/connexion?next=/compte/profil")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "fr")
    french_title = page.title()
    french_heading = page.get_by_role("heading", level=1).inner_text()

    switch = page.locator("header").get_by_role("button", name="English")
    expect(switch).to_have_attribute("lang", "en")  # the button's own text is in English
    switch.click()
    expect(html).to_have_attribute("lang", "en")
    # Back on the same page, with its query string.
    expect(page).to_have_url(re.compile(r"/compte/connexion\?next=/compte/profil$"))
    if HAS_ENGLISH:
        expect(page).not_to_have_title(french_title)
        expect(page.get_by_role("heading", level=1)).not_to_have_text(french_heading)

    # The choice is kept in the session, for the next pages.
    page.goto("/")
    expect(html).to_have_attribute("lang", "en")

    back = page.locator("header").get_by_role("button", name="Français")
    expect(back).to_have_attribute("lang", "fr")
    back.click()
    expect(html).to_have_attribute("lang", "fr")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("header").get_by_role("button", name="English")).to_be_visible()
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_attached()
