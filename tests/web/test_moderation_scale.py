"""Moderation at the scale of a campaign: a decision on every filtered case, the proposal
beside a comment, appeals in their own queue, waiting times in hours and days, a case
claimed by one moderator, and everyday phrases that are never held as copies."""

from datetime import timedelta

import sqlalchemy as sa

from civic.consultations import services as consultations
from civic.core.catalogues import french_spacing as fr
from civic.core.models import utcnow
from civic.moderation import services
from civic.moderation.models import Case
from tests.conftest import log_in
from tests.web.helpers import text


def _comments(app, db, climate, make_user, n, body="Ce commentaire est signalé"):
    with app.test_request_context():
        made = [
            consultations.add_comment(
                make_user(), climate["proposal"], body=f"{body} n° {i}", stance="for"
            )
            for i in range(n)
        ]
        for comment in made:
            services.report(make_user(), "comment", comment, "spam")
    db.session.commit()
    return made


def test_deciding_on_every_case_of_the_filtered_list(app, client, climate, make_user, db):
    _comments(app, db, climate, make_user, 3)
    with app.test_request_context():
        services.report(make_user(), "proposal", climate["proposal"], "spam")
    db.session.commit()
    log_in(client, make_user("moderator"))
    page = text(client.get("/gestion/moderation?kind=comment"))
    assert "toutes les 3 contributions de cette liste" in page
    answer = client.post(
        "/gestion/moderation/decisions",
        data={"scope": "all", "kind": "comment", "action": "keep", "next": "/gestion/moderation"},
    )
    assert answer.status_code == 303
    open_cases = db.session.scalars(sa.select(Case).where(Case.is_open.is_(True))).all()
    assert [c.kind for c in open_cases] == ["proposal"]  # the filter held


def test_a_comment_is_shown_with_its_proposal(app, client, climate, make_user, db):
    _comments(app, db, climate, make_user, 1)
    log_in(client, make_user("moderator"))
    page = text(client.get("/gestion/moderation"))
    assert fr("En réponse à la proposition « Des pistes cyclables entre les communes »") in page


def test_appeals_have_their_own_queue(app, client, climate, make_user, db):
    (comment,) = _comments(app, db, climate, make_user, 1)
    first = make_user("moderator")
    with app.test_request_context():
        case = db.session.scalar(sa.select(Case).where(Case.kind == "comment"))
        services.decide(first, [case], "hide", charter_reason="off_topic")
        services.appeal(comment.author, case, "Mon commentaire parle bien du sujet.")
        services.report(make_user(), "proposal", climate["proposal"], "spam")
    db.session.commit()
    log_in(client, make_user("moderator"))
    queue = text(client.get("/gestion/moderation"))
    assert "File d'attente (1)" in queue and "Appels (1)" in queue
    assert "Mon commentaire" not in queue
    appeals = text(client.get("/gestion/moderation?file=appels"))
    assert "Appels à examiner" in appeals and "1 appel en attente" in appeals
    assert f"/gestion/moderation/{case.id}" in appeals


def test_waiting_is_said_in_hours_then_days(app, client, climate, make_user, db):
    _comments(app, db, climate, make_user, 1)
    moderator = make_user("moderator")
    log_in(client, moderator)
    assert "moins d'une heure" in text(client.get("/gestion/moderation"))
    case = db.session.scalar(sa.select(Case))
    for waited, said in (
        (timedelta(hours=5, minutes=10), "5 heures"),
        (timedelta(days=3), "3 jours"),
    ):
        case.opened_at = utcnow() - waited
        db.session.commit()
        assert said in text(client.get("/gestion/moderation"))


def test_a_claimed_case_is_decided_by_its_moderator_only(app, client, climate, make_user, db):
    _comments(app, db, climate, make_user, 2)
    cases = db.session.scalars(sa.select(Case).order_by(Case.id)).all()
    alice, bob = make_user("moderator"), make_user("moderator")
    log_in(client, alice)
    assert client.post(f"/gestion/moderation/{cases[0].id}/prise").status_code == 303
    log_in(client, bob)
    refused = client.post(f"/gestion/moderation/{cases[0].id}/prise")
    assert refused.status_code == 303
    db.session.refresh(cases[0])
    assert cases[0].claimed_by_id == alice.id
    # Bob's decision on both leaves Alice's case to her.
    client.post(
        "/gestion/moderation/decisions",
        data={"case": [str(c.id) for c in cases], "action": "keep"},
    )
    db.session.refresh(cases[0])
    db.session.refresh(cases[1])
    assert cases[0].is_open and not cases[1].is_open
    page = client.post(f"/gestion/moderation/{cases[0].id}", data={"action": "keep"})
    assert page.status_code == 422 and "Un autre modérateur" in text(page)
    # A claim lapses: a case left aside goes back to everyone.
    cases[0].claimed_at = utcnow() - timedelta(minutes=31)
    db.session.commit()
    decided = client.post(f"/gestion/moderation/{cases[0].id}", data={"action": "keep"})
    assert decided.status_code == 303
    db.session.refresh(cases[0])
    assert not cases[0].is_open


def test_everyday_phrases_are_not_held_as_copies(app, climate, make_user, db):
    author = make_user()
    with app.test_request_context():
        for _ in range(2):
            consultations.add_comment(
                author, climate["proposal"], body="Tout à fait d'accord !", stance="for"
            )
        for _ in range(2):
            consultations.add_comment(
                author, climate["proposal"], body="Relier Labège et Castanet à vélo.", stance="for"
            )
    db.session.commit()
    held = db.session.scalars(sa.select(Case).where(Case.origin == "duplicate")).all()
    assert len(held) == 1  # the second copy of the longer text only
