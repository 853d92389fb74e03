"""One visibility rule for every channel: a proposal published, announced, then hidden by
moderation is quoted by no page, fragment, feed, API, export, notification, e-mail or digest
afterwards. Each channel that renders user text is listed here and checked after the hide."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from civic.core.models import utcnow
from civic.core.notify import OutboxEmail, deliver
from civic.opendata import registry
from tests.conftest import log_in

SECRET = "Zlaterhiddensecret"


@pytest.fixture
def announced_then_hidden(app, client, climate, make_user, db):
    """Followers of the consultation (daily and immediate), a proposal holding SECRET that
    they were told about, then hidden by a moderator's decision."""
    from civic.consultations import services
    from civic.moderation import services as moderation
    from civic.moderation.models import Case

    consultation = climate["consultation"]
    daily, immediate = make_user(email="daily@example.org"), make_user(email="now@example.org")
    moderator = make_user("moderator")
    with app.test_request_context():
        services.follow(daily, consultation, daily=True).last_digest_at = utcnow() - timedelta(
            days=1
        )
        services.follow(immediate, consultation, daily=False)
        proposal = services.submit_proposal(
            climate["author"],
            consultation,
            title=f"Une idée {SECRET}",
            body="Un texte ordinaire pour le territoire.",
            theme="Mobilité",
            commune_id=None,
        )
    db.session.commit()
    # Before the hide the channels do quote it: the test would see a leak.
    assert SECRET in "".join(
        m.body for m in db.session.scalars(sa.select(OutboxEmail).filter_by(user_id=immediate.id))
    )
    with app.test_request_context():
        case = moderation.report(make_user(), "proposal", proposal, "spam")
        db.session.flush()
        case = db.session.get(Case, case.id)
        moderation.decide(moderator, [case], "hide", charter_reason="advertising")
    db.session.commit()
    assert proposal.status == "hidden"
    return {**climate, "proposal": proposal, "daily": daily, "immediate": immediate}


def test_pages_feeds_api_and_exports_do_not_quote_a_hidden_item(client, announced_then_hidden):
    proposal = announced_then_hidden["proposal"]
    base = "/concertations/plan-climat"
    urls = [
        f"{base}/propositions/{proposal.id}",
        f"{base}/propositions",
        f"{base}/propositions?q=idée",
        base,
        f"{base}/suivi",
        "/concertations/flux.atom",
        *(f"/api/v1/{d.name}" for d in registry.datasets()),
        *(
            f"/donnees-ouvertes/{d.name}.{fmt}"
            for d in registry.datasets()
            for fmt in ("csv", "json")
        ),
    ]
    for url in urls:
        body = client.get(url).get_data(as_text=True)
        assert SECRET not in body, url
    # The same pages as htmx fragments.
    for url in urls[1:3]:
        response = client.get(url, headers={"HX-Request": "true"})
        assert SECRET not in response.get_data(as_text=True), url


def test_the_digest_after_the_hide_does_not_quote_it(app, db, announced_then_hidden):
    from civic.consultations.services import send_daily_digests

    daily = announced_then_hidden["daily"]
    with app.test_request_context():
        send_daily_digests()
    db.session.commit()
    mails = db.session.scalars(sa.select(OutboxEmail).filter_by(user_id=daily.id)).all()
    assert all(SECRET not in m.body and SECRET not in m.subject for m in mails)


def test_notifications_and_personal_data_no_longer_show_its_text(client, db, announced_then_hidden):
    immediate = announced_then_hidden["immediate"]
    log_in(client, immediate)
    page = client.get("/compte/notifications").get_data(as_text=True)
    assert SECRET not in page and "plus visible" in page
    assert SECRET not in client.get("/compte/donnees.json").get_data(as_text=True)


def test_an_event_announced_after_the_hide_reaches_nobody(app, db, announced_then_hidden):
    """The job that notifies immediate followers may run after the hide (a queue)."""
    from civic.consultations.models import ConsultationEvent
    from civic.consultations.services import notify_followers
    from civic.core.notify import Notification

    event = db.session.scalar(
        sa.select(ConsultationEvent).filter_by(proposal_id=announced_then_hidden["proposal"].id)
    )
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Notification))
    with app.test_request_context():
        assert notify_followers(event.id) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == before


def test_an_e_mail_queued_before_the_hide_is_not_sent(app, db, announced_then_hidden, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *args):
            return False

        def send_message(self, message):
            sent.append(message)

    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "CIVIC_MAIL_SERVER", "smtp.test")
    immediate = announced_then_hidden["immediate"]
    mails = db.session.scalars(sa.select(OutboxEmail).filter_by(user_id=immediate.id)).all()
    quoting = [m for m in mails if SECRET in m.body]
    assert quoting
    for mail in quoting:
        assert deliver(mail.id) is False
    assert sent == []
