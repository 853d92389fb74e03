"""One visibility rule for every channel: a proposal published, announced, then hidden by
moderation is quoted by no page, fragment, feed, API, export, notification, e-mail or digest
afterwards. Each channel that renders user text is listed here and checked after the hide."""

import pytest
import sqlalchemy as sa

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
        services.follow(daily, consultation, daily=True)
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
    from civic.core.notify import send_digests

    daily = announced_then_hidden["daily"]
    with app.test_request_context():
        send_digests()
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


def test_an_e_mail_queued_before_the_hide_is_not_sent(db, announced_then_hidden, smtp):
    quoting = _quoting(db, announced_then_hidden["immediate"])
    assert quoting
    for mail in quoting:
        assert deliver(mail.id) is False
    assert smtp == []


def _quoting(db, user):
    return [
        m
        for m in db.session.scalars(sa.select(OutboxEmail).filter_by(user_id=user.id))
        if SECRET in m.body
    ]


def test_an_item_restored_on_appeal_releases_the_e_mails_held_back(
    app, db, make_user, announced_then_hidden, smtp
):
    from civic.core.notify import pending_ids
    from civic.moderation import services as moderation
    from civic.moderation.models import Case

    immediate = announced_then_hidden["immediate"]
    quoting = _quoting(db, immediate)
    assert all(deliver(m.id) is False for m in quoting)
    assert not set(pending_ids()) & {m.id for m in quoting}
    case = db.session.scalar(sa.select(Case))
    with app.test_request_context():
        moderation.decide(make_user("moderator"), [case], "keep")
    db.session.commit()
    # The release queues them again (the job runs at once in tests).
    assert all(m.sent_at is not None for m in quoting)
    assert sum(SECRET in m.get_content() for m in smtp) == len(quoting)


def test_a_text_corrected_by_moderation_is_quoted_nowhere_in_its_former_wording(
    app, client, climate, db, make_user, smtp, monkeypatch
):
    """Personal data edited out of a proposal: the notifications and the e-mails not yet sent
    that quoted the former text never show it."""
    from civic.consultations import services
    from civic.moderation import services as moderation

    monkeypatch.setitem(app.config, "CIVIC_MAIL_SERVER", "")  # the mail server is down

    follower = make_user(email="follower@example.org")
    with app.test_request_context():
        services.follow(follower, climate["consultation"], daily=False)
        proposal = services.submit_proposal(
            climate["author"],
            climate["consultation"],
            title=f"Appelez {SECRET} au 06 12 34 56 78",
            body="Un texte ordinaire pour le territoire.",
            theme="Mobilité",
            commune_id=None,
        )
        services.notify_followers(
            services.ConsultationEvent.query.filter_by(proposal_id=proposal.id).one().id
        )
    db.session.commit()
    quoting = _quoting(db, follower)
    assert quoting
    log_in(client, follower)
    assert SECRET in client.get("/compte/notifications").get_data(as_text=True)

    with app.test_request_context():
        case = moderation.report(make_user(), "proposal", proposal, "personal_data")
        moderation.decide(make_user("moderator"), [case], "edit", edited_text="Appelez la mairie")
    db.session.commit()
    assert proposal.status == "published"
    monkeypatch.setitem(app.config, "CIVIC_MAIL_SERVER", "smtp.test")  # and back
    assert all(deliver(m.id) is False for m in quoting)
    assert smtp == []
    page = client.get("/compte/notifications").get_data(as_text=True)
    assert SECRET not in page and "corrigé par la modération" in page


def test_the_decision_e_mail_names_a_contribution_hidden_since_the_run_without_its_text(
    app, client, climate, db, make_user
):
    from civic.analysis.models import AnalysisRun
    from civic.analysis.services import notify_participants
    from civic.consultations.models import Proposal
    from civic.moderation import services as moderation
    from tests.web.analysis_helpers import THEMES, seed, start_run

    people = seed(app, climate, make_user)
    db.session.commit()
    log_in(client, make_user("agent"))
    start_run(client, climate)
    run = db.session.scalar(sa.select(AnalysisRun))
    hidden = db.session.scalar(sa.select(Proposal).filter_by(title=THEMES["vélo"][0]))
    with app.test_request_context():
        case = moderation.report(make_user(), "proposal", hidden, "spam")
        moderation.decide(make_user("moderator"), [case], "hide", charter_reason="advertising")
    db.session.commit()
    with app.test_request_context():
        notify_participants(run.id)
    db.session.commit()
    body = "".join(
        m.body
        for m in db.session.scalars(sa.select(OutboxEmail).filter_by(user_id=people[0].id))
        if "La décision sur la concertation" in m.body
    )
    assert THEMES["arbres"][0] in body  # their other contribution is quoted
    assert THEMES["vélo"][0] not in body and "plus visible" in body


def test_news_grouped_with_an_item_hidden_since_leaves_without_it(
    app, climate, db, make_user, smtp, monkeypatch
):
    from civic.consultations import services
    from civic.moderation import services as moderation

    monkeypatch.setitem(app.config, "CIVIC_MAIL_SERVER", "")  # queued, not sent yet
    follower = make_user(email="grouped@example.org")
    with app.test_request_context():
        services.follow(follower, climate["consultation"], daily=False)
    db.session.commit()
    with app.test_request_context():
        kept, hidden = (
            services.submit_proposal(
                climate["author"],
                climate["consultation"],
                title=title,
                body="Un texte ordinaire pour le territoire.",
                theme="Mobilité",
                commune_id=None,
            )
            for title in ("Une navette le samedi", f"Une idée {SECRET}")
        )
    db.session.commit()
    grouped = _quoting(db, follower)
    assert len(grouped) == 1 and "Une navette le samedi" in grouped[0].body
    with app.test_request_context():
        case = moderation.report(make_user(), "proposal", hidden, "spam")
        moderation.decide(make_user("moderator"), [case], "hide", charter_reason="advertising")
    db.session.commit()
    monkeypatch.setitem(app.config, "CIVIC_MAIL_SERVER", "smtp.test")
    with app.test_request_context():
        assert deliver(grouped[0].id) is False
    db.session.commit()
    again = [
        m
        for m in db.session.scalars(sa.select(OutboxEmail).filter_by(user_id=follower.id))
        if "Une navette le samedi" in m.body and m.id != grouped[0].id
    ]
    assert len(again) == 1 and SECRET not in again[0].body
    assert all(SECRET not in m.get_content() for m in smtp)
    assert any("Une navette le samedi" in m.get_content() for m in smtp)
