"""axe-core on the consultation pages, as a logged-in citizen sees them (vote buttons, comment
form), in a form's error state and after htmx swaps; and what keyboard and screen-reader users
get from those swaps (focus, live regions), which axe does not check."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import TIMEOUT_MS, LiveUsers, log_in, unique_email
from tests.e2e.test_accessibility import assert_no_axe_violations
from tests.e2e.test_consultations_journey import (
    COMPOST,
    CYCLING,
    LiveConsultation,
    LiveConsultations,
)

pytestmark = pytest.mark.e2e

# Only with JavaScript: axe needs scripts (see test_accessibility.py); the server sends the
# same HTML to both kinds of browsers.
JS_ONLY = pytest.mark.parametrize("js", [True], ids=["js"])


@pytest.fixture
def live_consultations(live_server, live_users):
    consultations = LiveConsultations(live_server, live_users)
    yield consultations
    consultations.remove_all()


@pytest.fixture(scope="module")
def citizen_cookies(browser: Browser, live_server):
    """One citizen for the module, logged in once through the form: its session cookie."""
    users = LiveUsers(live_server)
    email, password = users.create(unique_email("a11y"), display_name="Camille")
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        log_in(context.new_page(), email, password)
        cookies = context.cookies()
    finally:
        context.close()
    yield cookies
    users.remove_all()


@pytest.fixture
def consultation(live_consultations, page: Page, citizen_cookies) -> LiveConsultation:
    """A consultation with two proposals (one commented on), and the citizen logged in."""
    page.context.add_cookies(citizen_cookies)
    return live_consultations.create(seeds=(CYCLING, COMPOST), comment_on=CYCLING)


def open_consultation(page: Page, consultation: LiveConsultation) -> None:
    page.goto(consultation.path)
    expect(page.get_by_role("heading", level=1)).to_have_text(consultation.title)
    expect(page.get_by_role("button", name="Suivre")).to_be_visible()


def open_proposal_list(page: Page, consultation: LiveConsultation) -> None:
    page.goto(consultation.proposals_path)
    expect(page.locator("#results .proposal-card")).to_have_count(2)


def open_proposal(page: Page, consultation: LiveConsultation) -> None:
    page.goto(consultation.proposal_path(CYCLING.title))
    expect(page.get_by_role("heading", level=1)).to_have_text(CYCLING.title)
    expect(page.get_by_role("button", name="D'accord", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Commenter")).to_be_visible()
    expect(page.locator("ol.comments > li")).to_have_count(1)


def open_new_proposal_with_errors(page: Page, consultation: LiveConsultation) -> None:
    # A title close in meaning to a proposal, and no text. The page shows the error and the
    # similar proposals, rendered by the server.
    page.goto(f"{consultation.proposals_path}/nouvelle")
    page.get_by_label("Titre de votre proposition").fill("Une piste cyclable")
    page.get_by_role("button", name="Publier ma proposition").click()
    expect(page.get_by_role("alert").filter(has_text="Le formulaire contient")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Erreur · Faire une proposition"))
    expect(page.get_by_label("Votre proposition", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )
    expect(page.locator("#similar").get_by_role("link", name=CYCLING.title)).to_be_visible()


def open_proposal_after_vote(page: Page, consultation: LiveConsultation) -> None:
    open_proposal(page, consultation)
    region = page.locator(f"#vote-{consultation.proposal_ids[CYCLING.title]}")
    with page.expect_response(lambda r: r.url.endswith("/vote")) as answer:
        region.get_by_role("button", name="D'accord", exact=True).click()
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(region.get_by_role("button", name="D'accord", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(region.get_by_role("button", name="Retirer mon vote")).to_be_visible()


def open_proposal_list_after_htmx_filter(page: Page, consultation: LiveConsultation) -> None:
    open_proposal_list(page, consultation)
    with page.expect_response(lambda r: "/propositions?" in r.url) as answer:
        page.get_by_label("Thème").select_option("Climat")
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#results .proposal-card h3")).to_have_text([COMPOST.title])


PAGES = {
    "consultation": open_consultation,
    "proposal-list": open_proposal_list,
    "proposal-list-after-htmx-filter": open_proposal_list_after_htmx_filter,
    "proposal": open_proposal,
    "new-proposal-errors": open_new_proposal_with_errors,
    "proposal-after-htmx-vote": open_proposal_after_vote,
}


@JS_ONLY
@pytest.mark.parametrize("open_page", PAGES.values(), ids=PAGES.keys())
def test_consultation_pages_have_no_axe_violation(page: Page, consultation, open_page):
    open_page(page, consultation)
    assert_no_axe_violations(page)


@JS_ONLY
def test_vote_by_keyboard_keeps_focus_and_announces_the_counts(page: Page, consultation):
    open_proposal(page, consultation)
    region = page.locator(f"#vote-{consultation.proposal_ids[CYCLING.title]}")
    agree = region.get_by_role("button", name="D'accord", exact=True)
    counts = region.locator(".counts")
    expect(counts).to_have_attribute("role", "status")
    # A mark on the live region's node: still there only if the node is the same one.
    counts.evaluate("node => { node.civicE2eMarker = true; }")

    agree.focus()
    with page.expect_response(lambda r: r.url.endswith("/vote")):
        page.keyboard.press("Enter")
    expect(agree).to_have_attribute("aria-pressed", "true")
    expect(counts).to_have_text("3 d'accord · 0 pas d'accord · 0 sans avis")

    # Where is the keyboard now, and will a screen reader hear the new counts?
    problems = []
    if not agree.evaluate("button => button === document.activeElement"):
        focused = page.evaluate("() => document.activeElement.tagName.toLowerCase()")
        problems.append(
            f"the focus fell to <{focused}>: the pressed button is replaced and has no id, so "
            "htmx cannot give the focus back"
        )
    if not counts.evaluate("node => node.civicE2eMarker === true"):
        problems.append(
            "the role=status counts are a new node (swapped with the region): a live region "
            "added to the page is not announced"
        )
    if problems:
        pytest.xfail("templates/consultations/_vote.html: " + "; ".join(problems))


@JS_ONLY
def test_similar_proposals_hint_is_announced(page: Page, consultation):
    page.goto(f"{consultation.proposals_path}/nouvelle")
    hint = page.locator("#similar")
    expect(hint).to_have_attribute("aria-live", "polite")
    hint.evaluate("node => { node.civicE2eMarker = true; }")
    title = page.get_by_label("Titre de votre proposition")
    title.focus()
    with page.expect_response(lambda r: "/propositions/similaires?" in r.url):
        page.keyboard.type("Une piste cyclable")
    expect(hint.get_by_role("link", name=CYCLING.title)).to_be_visible()
    expect(title).to_be_focused()
    assert_no_axe_violations(page)
    if not hint.evaluate("node => node.civicE2eMarker === true"):
        pytest.xfail(
            "templates/consultations/proposal_form.html: the title's hx-swap=outerHTML replaces "
            "the aria-live #similar region with a new node, whose content is not announced"
        )
