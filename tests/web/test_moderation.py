"""Moderation through the web: report, auto-hide, queue, bulk decisions, appeals, blocks."""

from datetime import timedelta

import sqlalchemy as sa
from freezegun import freeze_time

from civic.consultations import services as consultations
from civic.consultations.models import Proposal
from civic.core.catalogues import french_spacing as fr
from civic.core.models import AuditEvent, utcnow
from civic.core.notify import Notification, OutboxEmail
from civic.moderation import services
from civic.moderation.models import Case, Decision
from tests.conftest import log_in
from tests.web.helpers import text

BASE = "/concertations/plan-climat"


def report_url(climate):
    return f"/signalements/proposal/{climate['proposal'].id}"


def test_three_reports_hide_the_item_pending_review(client, climate, make_user, db):
    proposal = climate["proposal"]
    for n in range(3):
        log_in(client, make_user())
        page = client.get(report_url(climate))
        assert "Des pistes cyclables" not in text(page) or "Relier Labège" in text(page)
        response = client.post(report_url(climate), data={"reason": "spam"})
        assert response.status_code == 303, n
        db.session.refresh(proposal)
        assert proposal.status == ("hidden" if n == 2 else "published")
    # Hidden items are unreachable for non-moderators: page, listing, search, similar.
    log_in(client, make_user())
    assert client.get(f"{BASE}/propositions/{proposal.id}").status_code == 404
    assert "pistes cyclables" not in text(client.get(f"{BASE}/propositions"))
    assert "pistes cyclables" not in text(
        client.get(f"{BASE}/propositions", query_string={"q": "cyclable"})
    )
    assert "pistes cyclables" not in text(
        client.get(f"{BASE}/propositions/similaires", query_string={"title": "pistes cyclables"})
    )
    assert client.get(report_url(climate)).status_code == 404
    log_in(client, make_user("moderator"))
    assert client.get(f"{BASE}/propositions/{proposal.id}").status_code == 200


def test_one_report_per_person_and_reasons_checked(client, climate, make_user, db):
    log_in(client, make_user())
    assert client.post(report_url(climate), data={"reason": "spam"}).status_code == 303
    again = client.post(report_url(climate), data={"reason": "off_topic"})
    assert again.status_code == 422 and "déjà signalé" in text(again)
    other = client.post(report_url(climate), data={"reason": "other"})
    assert other.status_code == 422
    log_in(client, climate["author"])
    own = client.post(report_url(climate), data={"reason": "spam"})
    assert own.status_code == 422 and "propre contribution" in text(own)
    case = db.session.scalar(sa.select(Case))
    assert case.report_count == 1


def test_queue_bulk_decision_notifies_authors_and_writes_the_log(
    client, climate, make_user, db, app
):
    with app.test_request_context():
        second = consultations.submit_proposal(
            climate["author"],
            climate["consultation"],
            title="Achetez mes panneaux solaires",
            body="Promotion exceptionnelle chez mon entreprise",
            theme="",
            commune_id=None,
        )
        for item in (climate["proposal"], second):
            services.report(make_user(), "proposal", item, "spam")
    db.session.commit()
    moderator = make_user("moderator")
    log_in(client, moderator)
    queue = client.get("/gestion/moderation")
    assert queue.status_code == 200 and "2 contributions en attente" in text(queue)
    assert "Promotion exceptionnelle" in text(queue)
    fragment = client.get(
        "/gestion/moderation", query_string={"reason": "spam"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in text(fragment) and "2 contributions" in text(fragment)
    cases = db.session.scalars(sa.select(Case.id)).all()
    refused = client.post("/gestion/moderation/decisions", data={"case": cases, "action": "hide"})
    assert refused.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Decision)) == 0
    response = client.post(
        "/gestion/moderation/decisions",
        data={
            "case": cases,
            "action": "hide",
            "charter_reason": "advertising",
            "note": "Publicité",
        },
    )
    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Decision)) == 2
    for proposal in (climate["proposal"], second):
        db.session.refresh(proposal)
        assert proposal.status == "hidden"
    message = db.session.scalar(
        sa.select(Notification.message).where(Notification.user_id == climate["author"].id)
    )
    assert "a masqué votre proposition" in message and "appel" in message
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "moderation.hide")
        )
        == 2
    )
    log = text(client.get("/moderation/journal"))
    assert "Publicité ou propagande" in log and "Plan climat" in log
    assert "Promotion exceptionnelle" not in log and "Auteur" not in log
    assert "auteur@example.org" not in log


def test_appeal_goes_to_another_moderator(client, climate, make_user, db, app):
    first, second = make_user("moderator"), make_user("moderator")
    with app.test_request_context():
        case = services.report(make_user(), "proposal", climate["proposal"], "harassment")
        services.decide(first, [case], "hide", "respect")
    db.session.commit()
    log_in(client, make_user())
    assert client.get(f"/moderation/appel/{case.id}").status_code == 403
    log_in(client, climate["author"])
    # The author still sees the proposal, with the rule applied and the way to appeal.
    url = f"/concertations/plan-climat/propositions/{climate['proposal'].id}"
    own = text(client.get(url))
    assert fr("La modération a masqué cette proposition : ") in own
    assert f'href="/moderation/appel/{case.id}"' in own
    page = client.get(f"/moderation/appel/{case.id}")
    assert page.status_code == 200 and "une seule fois" in text(page)
    empty = client.post(f"/moderation/appel/{case.id}", data={"text": ""})
    assert empty.status_code == 422
    assert (
        client.post(
            f"/moderation/appel/{case.id}", data={"text": "Je n'ai insulté personne."}
        ).status_code
        == 303
    )
    again = client.post(f"/moderation/appel/{case.id}", data={"text": "Encore"})
    assert again.status_code == 422 and "déjà fait appel" in text(again)
    assert "Votre appel est en cours d'examen" in text(client.get(url))
    log_in(client, first)
    same = client.post(f"/gestion/moderation/{case.id}", data={"action": "keep"})
    assert same.status_code == 422 and "autre modérateur" in text(same)
    log_in(client, second)
    assert client.post(f"/gestion/moderation/{case.id}", data={"action": "keep"}).status_code == 303
    db.session.refresh(climate["proposal"])
    assert climate["proposal"].status == "published"
    decision = db.session.scalars(sa.select(Decision).order_by(Decision.id.desc())).first()
    assert decision.on_appeal and decision.moderator_id == second.id


def test_edit_out_personal_data_keeps_original_for_moderators(client, climate, make_user, db, app):
    with app.test_request_context():
        comment = consultations.add_comment(
            make_user(), climate["proposal"], body="Appelez-moi au 06 12 34 56 78", stance="for"
        )
        case = services.report(make_user(), "comment", comment, "personal_data")
    db.session.commit()
    log_in(client, make_user("moderator"))
    page = client.get(f"/gestion/moderation/{case.id}")
    assert "06 12 34 56 78" in text(page)
    response = client.post(
        f"/gestion/moderation/{case.id}",
        data={"action": "edit", "edited_text": "Appelez-moi au [numéro retiré par la modération]"},
    )
    assert response.status_code == 303
    db.session.refresh(comment)
    assert "06 12" not in comment.body and comment.status == "published"
    public = text(client.get(f"{BASE}/propositions/{climate['proposal'].id}"))
    assert "numéro retiré" in public and "06 12 34 56 78" not in public
    assert "06 12 34 56 78" in text(client.get(f"/gestion/moderation/{case.id}"))
    log_in(client, make_user())
    assert client.get(f"/gestion/moderation/{case.id}").status_code == 403


def test_premoderation_holds_items_until_accepted(client, climate, make_user, db):
    consultation = climate["consultation"]
    consultation.premoderation = True
    db.session.commit()
    citizen = make_user()
    log_in(client, citizen)
    client.post(
        f"{BASE}/propositions/nouvelle",
        data={"title": "Un composteur par quartier", "body": "Des composteurs partagés partout."},
    )
    proposal = db.session.scalar(sa.select(Proposal).where(Proposal.title.like("Un compost%")))
    assert proposal.status == "pending"
    own = text(client.get(f"{BASE}/propositions/{proposal.id}"))
    assert "En attente de modération" in own
    assert "composteur" not in text(client.get(f"{BASE}/propositions"))
    client.post(
        f"{BASE}/propositions/{climate['proposal'].id}/commentaires",
        data={"body": "Oui !", "stance": "for"},
    )
    db.session.refresh(climate["proposal"])
    assert climate["proposal"].comment_count == 0
    log_in(client, make_user())
    assert client.get(f"{BASE}/propositions/{proposal.id}").status_code == 404
    log_in(client, make_user("moderator"))
    cases = db.session.scalars(sa.select(Case.id)).all()
    assert len(cases) == 2
    client.post("/gestion/moderation/decisions", data={"case": cases, "action": "keep"})
    db.session.refresh(proposal)
    db.session.refresh(climate["proposal"])
    assert proposal.status == "published" and climate["proposal"].comment_count == 1
    messages = db.session.scalars(
        sa.select(Notification.message).where(Notification.user_id == citizen.id)
    ).all()
    assert "La modération a publié votre proposition." in messages
    assert "La modération a publié votre commentaire." in messages


def test_duplicates_and_bursts_are_held(climate, make_user, db, app):
    author = make_user()
    with app.test_request_context():
        first = consultations.submit_proposal(
            author,
            climate["consultation"],
            title="Des bancs à l'ombre",
            body="Installer des bancs à l'ombre dans tous les parcs du Sicoval.",
            theme="",
            commune_id=None,
        )
        copy = consultations.submit_proposal(
            author,
            climate["consultation"],
            title="Des bancs à l'ombre !",
            body="Installer des bancs à l'ombre dans tous les parcs du Sicoval",
            theme="",
            commune_id=None,
        )
        newcomers = [make_user() for _ in range(3)]
        burst = [
            consultations.add_comment(
                user, climate["proposal"], body="Votez pour la liste Renouveau !", stance="for"
            )
            for user in newcomers
        ]
    assert first.status == "published" and copy.status == "pending"
    assert [c.status for c in burst] == ["published", "published", "pending"]
    origins = db.session.scalars(sa.select(Case.origin)).all()
    assert sorted(origins) == ["duplicate", "duplicate"]


def test_blocked_accounts_cannot_post_vote_or_report(client, climate, make_user, db):
    troll, moderator, admin = make_user(), make_user("moderator"), make_user("admin")
    log_in(client, moderator)
    response = client.post(
        "/gestion/moderation/blocages", data={"user_id": troll.id, "reason": "Insultes", "days": 7}
    )
    assert response.status_code == 303
    assert (
        client.post(
            "/gestion/moderation/blocages", data={"user_id": 999999, "reason": "x", "days": 7}
        ).status_code
        == 422
    )
    log_in(client, troll)
    assert client.get(f"{BASE}/propositions/nouvelle").status_code == 403
    assert (
        client.post(
            f"{BASE}/propositions/{climate['proposal'].id}/vote", data={"vote": "agree"}
        ).status_code
        == 403
    )
    assert client.get(report_url(climate)).status_code == 403
    assert client.get(f"{BASE}/propositions").status_code == 200  # reading is still allowed
    log_in(client, moderator)
    from civic.moderation.models import Block

    block = db.session.scalar(sa.select(Block))
    assert client.post(f"/gestion/moderation/blocages/{block.id}/levee").status_code == 403
    log_in(client, admin)
    assert "Insultes" in text(client.get("/gestion/moderation/blocages"))
    assert client.post(f"/gestion/moderation/blocages/{block.id}/levee").status_code == 303
    db.session.refresh(troll)
    assert not troll.is_blocked


def test_links_limited_and_posting_rate_limited(client, make_user, climate, limit):
    limit("CIVIC_NEW_ACCOUNT_POST_LIMIT", "3 per hour")  # every attempt counts
    log_in(client, make_user())
    url = f"{BASE}/propositions/{climate['proposal'].id}/commentaires"
    spam = client.post(url, data={"body": "http://a.fr http://b.fr www.c.fr", "stance": "for"})
    assert spam.status_code == 422 and "Pas plus de 2 liens" in text(spam)
    statuses = [
        client.post(url, data={"body": f"Avis numéro {i}", "stance": "for"}).status_code
        for i in range(3)
    ]
    assert statuses == [303, 303, 429]
    log_in(client, make_user(created_at=utcnow() - timedelta(days=30)))
    response = client.post(url, data={"body": "Avis d'un ancien", "stance": "for"})
    assert response.status_code == 303


def test_alerts_and_digest(make_user, climate, db, app):
    moderator = make_user("moderator", email="codev@example.org")
    app.config.update(CIVIC_MODERATION_QUEUE_ALERT=1)
    try:
        with app.test_request_context():
            services.report(make_user(), "proposal", climate["proposal"], "spam")
            assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 0
            comment = consultations.add_comment(
                make_user(), climate["proposal"], body="x", stance="for"
            )
            services.report(make_user(), "comment", comment, "spam")
    finally:
        app.config.update(CIVIC_MODERATION_QUEUE_ALERT=20)
    db.session.commit()  # news leaves when its transaction commits
    alert = db.session.scalar(sa.select(OutboxEmail).where(OutboxEmail.user_id == moderator.id))
    assert "File de modération chargée" in alert.subject
    with app.test_request_context():
        with freeze_time(utcnow() + timedelta(hours=49)):
            assert services.alert_late_items() == 2
            assert services.alert_late_items() == 0  # once per item
            assert services.send_digest() == 1
    db.session.commit()
    # The alert and the digest of one run leave together, as one e-mail.
    mails = db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.user_id == moderator.id).order_by(OutboxEmail.id)
    ).all()
    assert len(mails) == 2 and mails[1].subject == "2 nouvelles sur Civic"
    assert "plus de 48 heures" in mails[1].body and "2 contributions en attente" in mails[1].body


def test_report_links_and_cli(client, climate, make_user, app, db):
    log_in(client, make_user())
    page = text(client.get(f"{BASE}/propositions/{climate['proposal'].id}"))
    assert f"/signalements/proposal/{climate['proposal'].id}" in page
    log_in(client, climate["author"])
    own = text(client.get(f"{BASE}/propositions/{climate['proposal'].id}"))
    assert "/signalements/proposal/" not in own  # nobody reports their own text
    runner = app.test_cli_runner()
    alerts = runner.invoke(args=["civic", "moderation", "alerts"])
    assert alerts.output.strip() == fr("Contenus en retard : 0.")
    digest = runner.invoke(args=["civic", "moderation", "digest"])
    assert digest.output.strip() == fr("Courriels envoyés : 0.")


def test_a_blocked_author_may_still_appeal(client, climate, make_user, db, app):
    moderator = make_user("moderator")
    with app.test_request_context():
        case = services.report(make_user(), "proposal", climate["proposal"], "harassment")
        services.decide(moderator, [case], "hide", "respect")
        services.block(moderator, climate["author"], "Insultes répétées", 7)
    db.session.commit()
    log_in(client, climate["author"])
    assert client.get(f"/moderation/appel/{case.id}").status_code == 200
    appeal = client.post(f"/moderation/appel/{case.id}", data={"text": "Je conteste."})
    assert appeal.status_code == 303


def test_hiding_without_a_charter_rule_points_at_that_field_and_keeps_the_note(
    client, climate, make_user, db, app
):
    with app.test_request_context():
        services.report(make_user(), "proposal", climate["proposal"], "spam")
    db.session.commit()
    case = db.session.scalar(sa.select(Case))
    log_in(client, make_user("moderator"))
    refused = client.post(
        f"/gestion/moderation/{case.id}",
        data={"action": "hide", "note": "Merci de rester courtois."},
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    # The error sits on the charter rule's field (its summary links there), once, and what
    # the moderator typed is still in the form.
    assert 'href="#charter_reason"' in html
    assert html.count("choisissez la règle de la charte concernée") == 2  # summary + field
    assert "Merci de rester courtois." in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Decision)) == 0


def test_the_hidden_contribution_s_author_reads_which_text_and_the_moderators_word(
    client, climate, make_user, db, app
):
    with app.test_request_context():
        services.report(make_user(), "proposal", climate["proposal"], "spam")
    db.session.commit()
    case = db.session.scalar(sa.select(Case))
    log_in(client, make_user("moderator"))
    response = client.post(
        f"/gestion/moderation/{case.id}",
        data={"action": "hide", "charter_reason": "advertising", "note": "Sans publicité, merci."},
    )
    assert response.status_code == 303
    mail = db.session.scalar(
        sa.select(OutboxEmail).where(OutboxEmail.user_id == climate["author"].id)
    )
    assert mail is not None, "the author is told at once"
    assert f"Votre texte : « {climate['proposal'].body[:40]}" in " ".join(mail.body.split())
    assert fr("Le mot des modérateurs : Sans publicité, merci.") in mail.body
    assert "/moderation/appel/" in mail.body
