"""The main journeys with the keyboard alone: Tab, Shift+Tab, Enter, Space, arrows and typing
into the focused field, never a click nor fill(). Every element that takes focus on the way
must show it (an outline or a box-shadow).

On the demo content (the server of test_axe_sweep): its consultation is open to proposals and
votes, its next workshop calls for volunteers and its public services take ratings.
"""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Locator, Page, expect

from civic.accounts.models import User
from civic.accounts.passwords import hash_password
from civic.core.models import utcnow
from civic.extensions import db as _db
from civic.territory.models import Commune
from tests.e2e.conftest import TIMEOUT_MS, BrowserLog
from tests.e2e.test_axe_sweep import DEMO_PASSWORD, demo_server  # noqa: F401 - a fixture

pytestmark = pytest.mark.e2e

MAX_TABS = 250

FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  return {outline, shadow, tag: el.tagName.toLowerCase(), id: el.id,
          text: (el.innerText || el.value || el.getAttribute('aria-label') || '').slice(0, 60)};
}"""


@pytest.fixture(scope="module")
def citizen(demo_server):  # noqa: F811
    """A citizen in good standing (the demo's own citizen account is blocked by its
    moderation demo), who has not yet proposed, volunteered nor rated."""
    email = "clavier@example.org"
    with demo_server.app.app_context():
        commune = _db.session.scalar(sa.select(Commune).where(Commune.insee == "31446"))
        _db.session.add(
            User(
                email=email,
                display_name="Clavier Seul",
                password_hash=hash_password(DEMO_PASSWORD),
                commune=commune,
                email_confirmed_at=utcnow(),
                charter_accepted_at=utcnow(),
            )
        )
        _db.session.commit()
        _db.session.remove()
    return email


@pytest.fixture
def kb_page(browser: Browser, demo_server):  # noqa: F811
    log = BrowserLog()
    context = browser.new_context(base_url=demo_server.url, locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", log.on_console)
    page.on("pageerror", log.on_page_error)
    yield page
    context.close()
    problems = log.problems()
    if problems:
        pytest.fail("Chromium reported problems:\n" + "\n".join(problems), pytrace=False)


# --- keyboard steps ------------------------------------------------------------------------


def is_focused(target: Locator) -> bool:
    return target.evaluate("el => el === document.activeElement")


def check_focus_visible(page: Page) -> None:
    style = page.evaluate(FOCUS_STYLE)
    if style is not None:
        assert style["outline"] or style["shadow"], f"focus not visible on {style}"


def tab_to(page: Page, target: Locator, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the target has the focus, checking each stop shows it."""
    target = target.first
    expect(target).to_be_attached()
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        if is_focused(target):
            return
        page.keyboard.press(key)
        check_focus_visible(page)
    raise AssertionError(f"{target} never got the focus after {MAX_TABS} × {key}")


def activate(page: Page, target: Locator, key: str = "Enter", backwards: bool = False) -> None:
    tab_to(page, target, backwards)
    page.keyboard.press(key)


def type_into(page: Page, target: Locator, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


def choose_with_arrows(page: Page, select: Locator, presses: int = 1) -> None:
    """Change a closed <select> (or a radio group) with the arrow keys."""
    tab_to(page, select)
    for _ in range(presses):
        page.keyboard.press("ArrowDown")


def skip_to_content(page: Page) -> None:
    """The first Tab reaches the skip link; Enter moves the focus to the main content."""
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    check_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("main#contenu")).to_be_focused()


def log_in_by_keyboard(page: Page, email: str) -> None:
    page.goto("/")
    skip_to_content(page)
    # The login link sits in the header, before the main content: go back to it.
    activate(page, page.locator("header").get_by_role("link", name="Se connecter"), backwards=True)
    expect(page).to_have_url(re.compile(r"/compte/connexion"))
    type_into(page, page.get_by_label("Adresse e-mail"), email)
    type_into(page, page.get_by_label("Mot de passe", exact=True), DEMO_PASSWORD)
    page.keyboard.press("Enter")  # submits the form from its field
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


# --- the journeys --------------------------------------------------------------------------


def test_skip_link_then_shift_tab_goes_back_to_the_header(kb_page: Page):
    page = kb_page
    page.goto("/concertations")
    skip_to_content(page)
    page.keyboard.press("Tab")
    expect(page.locator("main :focus")).to_have_count(1)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    check_focus_visible(page)
    expect(page.locator("main :focus")).to_have_count(0)


def test_propose_and_vote_with_the_keyboard(kb_page: Page, citizen):
    page = kb_page
    log_in_by_keyboard(page, citizen)
    main = page.locator("main")

    activate(page, page.locator("#menu").get_by_role("link", name="Concertations"))
    expect(page).to_have_url(re.compile(r"/concertations$"))
    skip_to_content(page)
    activate(page, main.locator("a[href$='/concertations/plan-climat']"))
    expect(page).to_have_url(re.compile(r"/concertations/plan-climat$"))

    activate(page, main.get_by_role("link", name="Faire une proposition"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Faire une proposition")
    type_into(
        page,
        page.get_by_label("Titre de votre proposition"),
        "Des abris vélos couverts à chaque gare",
    )
    type_into(
        page,
        page.get_by_label("Votre proposition", exact=True),
        "Pour que le vélo jusqu'au train soit possible toute l'année, même sous la pluie.",
    )
    activate(page, main.get_by_role("button", name="Publier ma proposition"))
    # The demo holds proposals of the same meaning: the confirmation step shows them, and the
    # keyboard user publishes anyway from there.
    published = main.get_by_role("heading", level=1, name="Des abris vélos couverts à chaque gare")
    anyway = main.get_by_role("button", name="Publier quand même ma proposition")
    expect(published.or_(anyway)).to_be_visible()
    if anyway.is_visible():
        activate(page, anyway)
    expect(main.get_by_role("heading", level=1)).to_have_text(
        "Des abris vélos couverts à chaque gare"
    )

    # Vote on another citizen's proposal, found from the list.
    page.goto("/concertations/plan-climat/propositions")
    skip_to_content(page)
    other = main.locator("#results a[href*='/propositions/']").filter(
        has_not_text="Des abris vélos couverts"
    )
    activate(page, other)
    expect(page).to_have_url(re.compile(r"/propositions/\d+$"))
    agree = main.locator("form[id^='vote-'] button[value='agree']")
    expect(agree).to_have_attribute("aria-pressed", "false")
    activate(page, agree, key="Space")
    expect(main.locator("form[id^='vote-'] button[value='agree']")).to_have_attribute(
        "aria-pressed", "true"
    )
    # The swap keeps the keyboard user where they were (not back at the top of the page).
    check_focus_visible(page)
    expect(page.locator("body")).not_to_be_focused()


def test_volunteer_for_the_next_workshop_with_the_keyboard(kb_page: Page, citizen):
    page = kb_page
    log_in_by_keyboard(page, citizen)
    main = page.locator("main")

    activate(page, page.locator("#menu").get_by_role("link", name="Ateliers"))
    expect(page).to_have_url(re.compile(r"/ateliers$"))
    skip_to_content(page)
    activate(page, main.locator("a[href$='/ateliers/atelier-climat-renover-les-logements']"))
    activate(page, main.get_by_role("link", name="Me porter volontaire"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Me porter volontaire")

    # A closed <select> changes with the arrow keys; Space checks the first radio of a group.
    commune = page.get_by_label("Commune de résidence")
    choose_with_arrows(page, commune)
    expect(commune).not_to_have_value("")
    for group in main.locator("fieldset").all():
        radio = group.locator("input[type=radio]")
        if radio.count():
            tab_to(page, radio)
            page.keyboard.press("Space")
            expect(group.locator("input[type=radio]:checked")).to_have_count(1)
    activate(page, main.get_by_role("button", name="Je me porte volontaire"))
    expect(page).to_have_url(re.compile(r"/ateliers/atelier-climat-renover-les-logements$"))
    expect(page.get_by_text("Merci ! Vous êtes volontaire.")).to_be_visible()


def test_rate_a_public_service_with_the_keyboard(kb_page: Page, citizen):
    page = kb_page
    log_in_by_keyboard(page, citizen)
    main = page.locator("main")

    activate(page, page.locator("#menu").get_by_role("link", name="Services publics"))
    expect(page).to_have_url(re.compile(r"/services$"))
    skip_to_content(page)
    activate(page, main.locator("#results a[href*='/services/']"))
    expect(page).to_have_url(re.compile(r"/services/\d+$"))
    service = page.get_by_role("heading", level=1).inner_text()
    activate(page, main.get_by_role("link", name="Donner mon avis"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Donner mon avis")

    for group in main.locator("fieldset.scale").all():
        tab_to(page, group.locator("input[type=radio]"))
        page.keyboard.press("Space")  # 1
        for _ in range(3):
            page.keyboard.press("ArrowRight")  # 4
        expect(group.locator("input[type=radio]:checked")).to_have_value("4")
    channel = main.locator("fieldset:not(.scale)").filter(has=page.get_by_label("Sur place"))
    tab_to(page, channel.locator("input[type=radio]"))
    page.keyboard.press("Space")
    expect(page.get_by_label("Sur place")).to_be_checked()
    type_into(page, page.get_by_label("Commentaire (facultatif)"), "Accueil rapide.")
    activate(page, main.get_by_role("button", name="Envoyer mon avis"))
    expect(page).to_have_url(re.compile(r"/services/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(service)
