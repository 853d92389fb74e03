"""Object-level access: user B cannot edit, delete, export or see what belongs to user A:
A's proposals and drafts, A's personal data export, A's notifications and e-mails, A's
moderation cases, A's votes and ratings, A's account.

The role x route matrix (tests/web/test_access_matrix.py) decides who reaches a URL; these
tests give B a URL that B may reach, pointed at A's object.
"""

import json

import pytest
import sqlalchemy as sa

from civic.core.notify import Notification, OutboxEmail
from tests.conftest import PASSWORD, log_in
from tests.security.conftest import changed_tables, fingerprint
from tests.web.helpers import text


@pytest.fixture
def alice_and_bob(app, make_user, db, climate):
    """Alice's things: a published proposal (climate's), a proposal waiting for moderation,
    a comment, a vote, a rating with a pending comment, a notification, an e-mail, a hidden
    proposal she may appeal. Bob is another citizen."""
    from civic.consultations import services
    from civic.consultations.models import VOTE_AGREE
    from civic.moderation import services as moderation
    from civic.ratings import services as ratings
    from civic.ratings.models import CRITERIA, Service

    alice = climate["author"]
    alice.display_name = "Alice Privée"
    bob = make_user(email="bob@example.org", display_name="Bob")
    consultation = climate["consultation"]
    with app.test_request_context():
        consultation.premoderation = True
        draft = services.submit_proposal(
            alice,
            consultation,
            title="Brouillon d'Alice en attente",
            body="Texte d'Alice que personne n'a encore relu",
            theme="",
            commune_id=None,
        )
        consultation.premoderation = False
        hidden = services.submit_proposal(
            alice,
            consultation,
            title="Proposition masquée d'Alice",
            body="Un texte qui sera masqué par la modération",
            theme="",
            commune_id=None,
        )
        case = moderation.report(make_user(), "proposal", hidden, "spam")
        moderation.decide(make_user("moderator"), [case], "hide", "off_topic", "Hors sujet")
        comment = services.add_comment(
            alice, climate["proposal"], body="Commentaire d'Alice", stance="for"
        )
        services.cast_vote(alice, climate["proposal"], VOTE_AGREE)
        service = Service(source="t", source_id="1", name="Piscine", type="Piscine")
        db.session.add(service)
        db.session.flush()
        rating = ratings.rate(
            alice,
            service,
            scores={c: 2 for c in CRITERIA},
            channel="phone",
            open_as_announced=None,
            comment="Avis d'Alice pas encore relu",
        )
        db.session.add(Notification(user_id=alice.id, message="Notification privée d'Alice"))
        db.session.add(
            OutboxEmail(
                user_id=alice.id, to_address=alice.email, subject="Courriel d'Alice", body="x"
            )
        )
    db.session.commit()
    assert draft.status == "pending" and hidden.status == "hidden"
    return {
        "alice": alice,
        "bob": bob,
        "proposal": climate["proposal"],
        "draft": draft,
        "hidden": hidden,
        "case": case,
        "comment": comment,
        "service": service,
        "rating": rating,
        "base": f"/concertations/{consultation.slug}/propositions",
    }


def test_b_cannot_edit_or_withdraw_as_proposals(client, db, alice_and_bob):
    """B's edit and withdrawal of A's proposals, published or waiting, are refused, with no
    change; B's vote is B's own and leaves A's vote as it was."""
    things = alice_and_bob
    log_in(client, things["bob"])
    before = fingerprint(db)
    for proposal in (things["proposal"], things["draft"]):
        url = f"{things['base']}/{proposal.id}"
        expected = 403 if proposal is things["proposal"] else 404  # the draft: not even seen
        assert client.get(url + "/modifier").status_code == expected
        edit = {"title": "Remplacé par Bob", "body": "Le texte de Bob à la place"}
        assert client.post(url + "/modifier", data=edit).status_code == expected
        assert client.post(url + "/retrait").status_code == expected
    assert changed_tables(before, fingerprint(db)) == []
    url = f"{things['base']}/{things['proposal'].id}/vote"
    assert client.post(url, data={"vote": "disagree"}).status_code == 303
    from civic.consultations.models import Vote

    votes = dict(db.session.execute(sa.select(Vote.user_id, Vote.value)).all())
    assert votes == {things["alice"].id: 1, things["bob"].id: -1}


def test_b_cannot_see_as_drafts_pending_comments_or_hidden_items(app, client, db, alice_and_bob):
    """A's proposal waiting for moderation and A's hidden one are 404 for B on their page, in
    the listing, the search, the similar-proposals fragment and B's own pages; A sees both."""
    things = alice_and_bob
    log_in(client, things["bob"])
    base = things["base"]
    for proposal in (things["draft"], things["hidden"]):
        assert client.get(f"{base}/{proposal.id}").status_code == 404
        assert (
            client.get(f"{base}/{proposal.id}", headers={"HX-Request": "true"}).status_code == 404
        )
    pages = [
        base,
        f"{base}?q=Alice",
        f"{base}/similaires?title=Brouillon Alice masquée",
        "/mes-contributions",
        "/compte/notifications",
    ]
    for url in pages:
        body = text(client.get(url))
        assert "Brouillon d" not in body and "masquée d" not in body, url
    log_in(client, things["alice"])
    for proposal in (things["draft"], things["hidden"]):
        assert client.get(f"{base}/{proposal.id}").status_code == 200


def test_b_cannot_read_as_notifications_emails_or_export(app, client, db, alice_and_bob):
    """B's notifications, B's export and B's "my contributions" hold none of A's data, even
    with A's id in the query; marking B's notifications read leaves A's unread; A's e-mail
    in the outbox is for administrators only."""
    things = alice_and_bob
    alice = things["alice"]
    log_in(client, things["bob"])
    mine = client.get("/compte/notifications", query_string={"user_id": alice.id})
    assert "Notification privée" not in text(mine)
    export = client.get("/compte/donnees.json", query_string={"user_id": alice.id})
    data = json.loads(export.get_data(as_text=True))
    flat = json.dumps(data, ensure_ascii=False)
    assert data["account"]["email"] == "bob@example.org"
    for private in (alice.email, "Alice Privée", "Notification privée", "Courriel d'Alice"):
        assert private not in flat
    for contribution in ("Commentaire d'Alice", "Avis d'Alice", "Brouillon d'Alice"):
        assert contribution not in flat
    contributions = text(client.get("/mes-contributions"))
    assert "Commentaire d'Alice" not in contributions
    assert client.post("/compte/notifications/lues", data={"user_id": alice.id}).status_code == 303
    unread = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == alice.id, Notification.read_at.is_(None))
    )
    assert unread >= 1
    mail = db.session.scalar(sa.select(OutboxEmail).where(OutboxEmail.user_id == alice.id))
    assert client.get(f"/gestion/courriels/{mail.id}").status_code == 403
    assert client.get("/gestion/courriels").status_code == 403


def test_b_cannot_appeal_or_see_as_cases(client, db, alice_and_bob):
    """A's moderation case: the appeal form and its POST are A's only; the case page is for
    moderators."""
    things = alice_and_bob
    case = things["case"]
    log_in(client, things["bob"])
    before = fingerprint(db)
    assert client.get(f"/moderation/appel/{case.id}").status_code == 403
    assert (
        client.post(f"/moderation/appel/{case.id}", data={"text": "Appel de Bob"}).status_code
        == 403
    )
    assert client.get(f"/gestion/moderation/{case.id}").status_code == 403
    assert changed_tables(before, fingerprint(db)) == []
    log_in(client, things["alice"])
    assert client.get(f"/moderation/appel/{case.id}").status_code == 200


def test_b_cannot_change_or_answer_as_rating(client, db, alice_and_bob):
    """B rating the same service makes B's rating, never changes A's; B cannot answer A's
    rating; A's comment waiting for moderation is not on the service page."""
    from civic.ratings.models import CRITERIA, Rating

    things = alice_and_bob
    service, rating = things["service"], things["rating"]
    log_in(client, things["bob"])
    page = text(client.get(f"/services/{service.id}"))
    assert "Avis d'Alice" not in page
    answer = {"status": "noted", "text": "Réponse de Bob", "signed_as": "Bob"}
    url = f"/services/{service.id}/avis/{rating.id}/reponse"
    assert client.post(url, data=answer).status_code == 403
    form = {**{c: "5" for c in CRITERIA}, "channel": "on_site", "rating_id": rating.id}
    assert client.post(f"/services/{service.id}/avis", data=form).status_code == 303
    db.session.expire_all()
    alices = db.session.get(Rating, rating.id)
    assert alices.user_id == things["alice"].id and alices.satisfaction == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rating)) == 2


def test_b_cannot_delete_as_account(app, client, db, alice_and_bob):
    """The deletion form deletes the session's own account: with A's password it is refused,
    with B's own password and A's id in the form it deletes B, never A."""
    from civic.accounts.models import User

    things = alice_and_bob
    alice, bob = things["alice"], things["bob"]
    log_in(client, bob)
    # Alice's password is the same as Bob's in the tests: use a wrong one for "A's".
    refused = client.post(
        "/compte/suppression",
        data={"password": "le mot de passe d'Alice", "confirm": "y", "user_id": alice.id},
    )
    assert refused.status_code == 422
    done = client.post(
        "/compte/suppression",
        data={"password": PASSWORD, "confirm": "y", "user_id": alice.id, "id": alice.id},
    )
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, bob.id).is_deleted
    assert not db.session.get(User, alice.id).is_deleted
    assert db.session.get(User, alice.id).email == alice.email


def test_b_sees_only_bs_restitution(app, client, db, make_user, alice_and_bob):
    """The restitution page shows each participant what became of their own contributions:
    B's page does not list A's."""
    from civic.analysis.models import AnalysisRun, Cluster, ClusterMember
    from civic.core.models import utcnow

    things = alice_and_bob
    proposal = things["proposal"]
    run = AnalysisRun(
        consultation_id=proposal.consultation_id, status="done", progress=100, published_at=utcnow()
    )
    db.session.add(run)
    db.session.flush()
    cluster = Cluster(run_id=run.id, label="Vélo", size=1, decision="retained", justification="Oui")
    db.session.add(cluster)
    db.session.flush()
    db.session.add(
        ClusterMember(
            run_id=run.id,
            cluster_id=cluster.id,
            kind="proposal",
            item_id=proposal.id,
            author_id=things["alice"].id,
            text="Contribution personnelle d'Alice",
        )
    )
    db.session.commit()
    url = f"/concertations/{proposal.consultation.slug}/restitution"
    log_in(client, things["bob"])
    assert proposal.title not in text(client.get(url))
    assert f'data-contribution="proposal:{proposal.id}"' not in text(client.get(url))
    log_in(client, things["alice"])
    assert proposal.title in text(client.get(url))
    assert f'data-contribution="proposal:{proposal.id}"' in text(client.get(url))
