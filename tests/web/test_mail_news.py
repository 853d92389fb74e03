"""News by e-mail: grouped per transaction, never about one's own action, at the rhythm each
person chose per kind, with a one-click unsubscribe (RFC 8058) that needs no login."""

from datetime import datetime

import sqlalchemy as sa
from freezegun import freeze_time

from civic.consultations import services
from civic.core import notify
from civic.core.catalogues import french_spacing as fr
from civic.core.notify import MailItem, MailPreference, OutboxEmail
from tests.conftest import log_in


def _mails(db, user):
    # In the order they were written (PostgreSQL returns rows in no set order without it).
    query = sa.select(OutboxEmail).where(OutboxEmail.user_id == user.id).order_by(OutboxEmail.id)
    return list(db.session.scalars(query))


def _propose(app, author, consultation, titles):
    with app.test_request_context():
        for title in titles:
            services.submit_proposal(
                author,
                consultation,
                title=title,
                body=f"{title} : une idée détaillée pour le territoire.",
                theme="Mobilité",
                commune_id=None,
            )


def test_ten_events_in_one_transaction_make_one_email(app, db, climate, make_user):
    follower = make_user()
    with app.test_request_context():
        services.follow(follower, climate["consultation"], daily=False)
    db.session.commit()
    titles = [f"Idée numéro {n} pour les communes" for n in range(10)]
    _propose(app, make_user(), climate["consultation"], titles)
    db.session.commit()
    mails = _mails(db, follower)
    assert len(mails) == 1
    assert mails[0].subject == "10 nouvelles sur Civic"
    assert all(title in mails[0].body for title in titles)
    assert mails[0].body.count("Plan climat") == 1  # the topic's title once, its news below
    # One more event later is one more e-mail, alone, with its own subject.
    _propose(app, make_user(), climate["consultation"], ["Une onzième idée pour tous"])
    db.session.commit()
    mails = _mails(db, follower)
    assert len(mails) == 2 and fr("Du nouveau dans « Plan climat »") == mails[1].subject


def test_the_author_is_not_told_of_their_own_proposal(app, db, climate, make_user):
    author = make_user()
    with app.test_request_context():
        services.follow(author, climate["consultation"], daily=False)
    db.session.commit()
    _propose(app, author, climate["consultation"], ["Ma propre idée pour les communes"])
    db.session.commit()
    assert _mails(db, author) == []
    other = make_user()
    _propose(app, other, climate["consultation"], ["Une idée d'une autre personne"])
    db.session.commit()
    assert len(_mails(db, author)) == 1


def test_one_click_unsubscribe_without_login_nor_page(app, db, client, climate, make_user):
    follower = make_user()
    with app.test_request_context():
        services.follow(follower, climate["consultation"], daily=False)
    db.session.commit()
    _propose(app, make_user(), climate["consultation"], ["Une idée à annoncer aux gens"])
    db.session.commit()
    (mail,) = _mails(db, follower)
    assert mail.unsubscribe_url and mail.unsubscribe_url in mail.body
    path = mail.unsubscribe_url.split("localhost", 1)[-1]
    # Opening the link (a mail scanner may) changes nothing; it asks.
    page = client.get(path)
    assert page.status_code == 200 and "Me désabonner" in page.get_data(as_text=True)
    assert notify.frequency_of(follower, "follow") == "immediate"
    # The mail client's one-click POST: no session, no CSRF token.
    done = client.post(path, data={"List-Unsubscribe": "One-Click"}, csrf=False)
    assert done.status_code == 200 and "C'est fait" in done.get_data(as_text=True)
    assert notify.frequency_of(follower, "follow") == "never"
    _propose(app, make_user(), climate["consultation"], ["Une autre idée, après le départ"])
    db.session.commit()
    assert len(_mails(db, follower)) == 1
    # A forged or altered token unsubscribes nobody.
    assert client.post(path[:-3] + "abc", csrf=False).status_code == 404


def test_smtp_message_carries_the_rfc_8058_headers(app, db, climate, make_user, smtp):
    follower = make_user()
    with app.test_request_context():
        services.follow(follower, climate["consultation"], daily=False)
    db.session.commit()
    _propose(app, make_user(), climate["consultation"], ["Une idée envoyée par SMTP"])
    db.session.commit()
    (mail,) = _mails(db, follower)
    (sent,) = [m for m in smtp if m["To"] == follower.email]
    assert sent["List-Unsubscribe"] == f"<{mail.unsubscribe_url}>"
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_weekly_news_waits_for_monday(app, db, client, climate, make_user):
    follower = make_user()
    with app.test_request_context():
        services.follow(follower, climate["consultation"], daily=False)
    db.session.commit()
    log_in(client, follower)
    page = client.get("/compte/courriels").get_data(as_text=True)
    assert "Un résumé par semaine" in page and "File de modération" not in page
    answer = client.post(
        "/compte/courriels",
        data={"follow": "weekly", "answers": "daily", "workshops": "never", "moderation": "daily"},
    )
    assert answer.status_code == 303
    assert notify.preferences(follower)["follow"] == "weekly"
    _propose(app, make_user(), climate["consultation"], ["Une idée de la semaine"])
    db.session.commit()
    assert _mails(db, follower) == []
    with app.test_request_context():
        with freeze_time(datetime(2027, 3, 2, 7)):  # a Tuesday
            assert notify.send_digests() == 0
        with freeze_time(datetime(2027, 3, 8, 7)):  # a Monday
            assert notify.send_digests() == 1
    (mail,) = _mails(db, follower)
    assert "Résumé" in mail.subject and "Une idée de la semaine" in mail.body
    # A rhythm that is not offered is refused, nothing is changed.
    bad = client.post("/compte/courriels", data={"follow": "hourly"})
    assert bad.status_code == 200 and notify.preferences(follower)["follow"] == "weekly"


def test_erasing_the_account_erases_its_waiting_news(app, db, client, climate, make_user):
    from civic.accounts.services import erase_account

    follower = make_user()
    with app.test_request_context():
        services.follow(follower, climate["consultation"], daily=True)
        notify.set_preferences(follower, {"answers": "weekly"})
    db.session.commit()
    _propose(app, make_user(), climate["consultation"], ["Une idée qui attend le résumé"])
    db.session.commit()
    assert db.session.scalar(sa.select(MailItem).filter_by(user_id=follower.id)) is not None
    with app.test_request_context():
        erase_account(follower)
    db.session.commit()
    for model in (MailItem, MailPreference):
        assert db.session.scalar(sa.select(model).filter_by(user_id=follower.id)) is None


def test_news_made_by_a_command_leaves_when_it_commits(app, db, climate, make_user):
    """`flask civic moderation digest` makes news, then commits: it leaves then, with its
    one-click unsubscribe address."""
    moderator = make_user("moderator")
    with app.test_request_context():
        services.add_comment(make_user(), climate["proposal"], body="Un avis", stance="for")
        from civic.moderation import services as moderation

        moderation.report(make_user(), "proposal", climate["proposal"], "spam")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["civic", "moderation", "digest"])
    assert result.exit_code == 0, result.output
    (mail,) = _mails(db, moderator)
    assert "/courriels/desabonnement/" in mail.unsubscribe_url


def test_each_follower_reads_the_news_in_their_own_language(app, db, climate, make_user):
    english, french = make_user(locale="en"), make_user(locale="fr")
    with app.test_request_context():
        for follower in (english, french):
            services.follow(follower, climate["consultation"], daily=False)
    db.session.commit()
    # Proposed by someone browsing in English: the French follower still reads French.
    with app.test_request_context(headers={"Accept-Language": "en"}):
        services.submit_proposal(
            make_user(locale="en"),
            climate["consultation"],
            title="Des fontaines dans les parcs",
            body="Des fontaines d'eau potable dans les parcs des communes.",
            theme="",
            commune_id=None,
        )
    db.session.commit()
    (to_english,) = _mails(db, english)
    (to_french,) = _mails(db, french)
    assert "New proposal: Des fontaines dans les parcs" in to_english.body
    assert fr("Nouvelle proposition : Des fontaines dans les parcs") in to_french.body
    from civic.core.notify import Notification

    notes = {n.user_id: n.message for n in db.session.scalars(sa.select(Notification)).all()}
    assert notes[english.id].startswith("New proposal") and notes[french.id].startswith(
        "Nouvelle proposition"
    )
