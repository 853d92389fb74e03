"""'Où vous situez-vous ?' in a real browser, with and without JavaScript: a citizen who voted
on 8 proposals opens it from the consultation and finds the opinion map, their group in words
and where they differ from it; axe finds nothing on the page."""

import pytest
from playwright.sync_api import Page, expect

from civic.consultations import services
from civic.consultations.models import VOTE_AGREE, VOTE_DISAGREE
from civic.extensions import db as _db
from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import assert_no_axe_violations
from tests.e2e.test_consultations_journey import LiveConsultations, Seed

pytestmark = pytest.mark.e2e

SEEDS = tuple(
    Seed(title=f"Proposition de test {i} sur les mobilités", body=f"Texte {i} de la proposition.")
    for i in range(8)
)


@pytest.fixture
def live_consultations(live_server, live_users):
    consultations = LiveConsultations(live_server, live_users)
    yield consultations
    consultations.remove_all()


def two_camps(consultations: LiveConsultations, ids: list[int], citizen_email: str) -> None:
    """16 voters in two camps over the 8 proposals; the citizen votes with the first camp but
    for the last proposal."""
    from civic.accounts.models import User
    from civic.consultations.models import Proposal

    app = consultations.server.app
    with app.test_request_context():
        try:
            proposals = [_db.session.get(Proposal, i) for i in ids]
            for v in range(16):
                voter = consultations._someone()
                for j, proposal in enumerate(proposals):
                    agree = (j < 4) == (v % 2 == 0)
                    services.cast_vote(voter, proposal, VOTE_AGREE if agree else VOTE_DISAGREE)
            citizen = _db.session.scalar(_db.select(User).where(User.email == citizen_email))
            for j, proposal in enumerate(proposals):
                agree = j < 4 or j == 7
                services.cast_vote(citizen, proposal, VOTE_AGREE if agree else VOTE_DISAGREE)
            _db.session.commit()
        finally:
            _db.session.remove()


def test_where_do_i_stand(page: Page, live_consultations, js):
    consultation = live_consultations.create(seeds=SEEDS)
    email, password = live_consultations.user(display_name="Alix")
    two_camps(live_consultations, list(consultation.proposal_ids.values()), email)
    log_in(page, email, password)
    page.goto(consultation.path)
    page.get_by_role("link", name="Où vous situez-vous ?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Où vous situez-vous ?")
    summary = page.locator("#standing-summary")
    expect(summary).to_contain_text("Vous êtes dans le groupe")
    expect(summary).to_contain_text("(53 % des participants) : comme vous, ils sont d'accord avec")
    expect(page.get_by_role("img", name="Carte des opinions")).to_be_visible()
    expect(page.get_by_text("Dernier calcul")).to_be_visible()
    differ = page.locator("section", has=page.get_by_role("heading", name="Là où vous vous"))
    expect(differ).to_contain_text(SEEDS[7].title)
    if js:
        assert_no_axe_violations(page)
