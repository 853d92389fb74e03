"""Fixtures shared by the web tests."""

import pytest

from civic.core.notify import OutboxEmail


@pytest.fixture
def url_values(make_user, db, climate, app):
    from civic.consultations import services
    from civic.consultations.models import GlossaryTerm

    target = make_user("citizen", email="target@example.org")
    mail = OutboxEmail(user_id=target.id, to_address=target.email, subject="s", body="b")
    term = GlossaryTerm(term="PCAET", definition="Plan climat-air-énergie territorial")
    db.session.add_all([mail, term])
    document = services.add_document(
        climate["agent"], climate["consultation"], "Diagnostic", b"%PDF-1.4 test"
    )
    db.session.commit()
    return {
        "user_id": target.id,
        "email_id": mail.id,
        "token": "not-a-valid-token",
        "slug": "plan-climat",
        "proposal_id": climate["proposal"].id,
        "consultation_id": climate["consultation"].id,
        "phase_id": climate["past_phase"].id,
        "document_id": document.id,
        "term_id": term.id,
    }
