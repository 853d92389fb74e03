"""Answering made easy: remembered signature, templates, the list of what waits, and the
second-person validation."""

from datetime import timedelta

import sqlalchemy as sa

from civic.answers.models import Draft, Signature, Template
from civic.consultations import services as consultations
from civic.consultations.models import Answer, Proposal
from civic.core.catalogues import french_spacing as fr
from civic.core.models import AuditEvent, utcnow
from tests.conftest import log_in
from tests.web.helpers import text


def _proposals(app, climate, make_user, communes):
    """Three more proposals, the first the oldest, in two themes and two communes."""
    author = make_user()
    made = []
    with app.test_request_context():
        for i, (theme, commune) in enumerate(
            [("Mobilité", communes[0]), ("Énergie", communes[1]), ("Mobilité", communes[1])]
        ):
            p = consultations.submit_proposal(
                author,
                climate["consultation"],
                title=f"Proposition {i}",
                body=f"Texte de la proposition {i}.",
                theme=theme,
                commune_id=commune.id,
            )
            p.created_at = utcnow() - timedelta(days=10 - i)
            made.append(p)
    return made


def _communes(db):
    from civic.territory.models import Commune

    return db.session.scalars(sa.select(Commune).order_by(Commune.name).limit(2)).all()


def test_waiting_list_oldest_first_and_filtered(app, client, climate, make_user, db):
    communes = _communes(db)
    made = _proposals(app, climate, make_user, communes)
    db.session.commit()
    log_in(client, make_user("elected"))
    page = text(client.get("/gestion/a-repondre"))
    order = [page.index(f"Proposition {i}") for i in range(3)]
    assert order == sorted(order)
    # The fixture's own proposal is the newest: it comes last.
    assert page.index("Proposition 2") < page.index(climate["proposal"].title)
    assert "4 propositions attendent une réponse" in page
    mobility = text(client.get("/gestion/a-repondre?theme=Mobilit%C3%A9"))
    assert "Proposition 0" in mobility and "Proposition 2" in mobility
    assert "Proposition 1" not in mobility
    there = text(client.get(f"/gestion/a-repondre?commune={communes[1].id}"))
    assert "Proposition 1" in there and "Proposition 0" not in there
    # htmx gets the results alone.
    fragment = text(
        client.get("/gestion/a-repondre?theme=%C3%89nergie", headers={"HX-Request": "true"})
    )
    assert "<html" not in fragment and "Proposition 1" in fragment
    # Answered, a proposal leaves the list.
    with app.test_request_context():
        consultations.answer_proposal(
            climate["agent"], made[0], status="retained", text="Oui.", signed_as="Maire"
        )
    db.session.commit()
    assert "Proposition 0" not in text(client.get("/gestion/a-repondre"))


def test_signature_is_remembered_and_editable(app, client, climate, make_user, db):
    elected = make_user("elected")
    english = make_user(locale="en")
    with app.test_request_context():
        consultations.cast_vote(english, climate["proposal"], 1)
    db.session.commit()
    log_in(client, elected)
    url = f"/concertations/plan-climat/propositions/{climate['proposal'].id}"
    client.post(
        url + "/reponse",
        data={"status": "retained", "text": "Inscrite au plan.", "signed_as": "Vice-présidente"},
    )
    assert db.session.get(Signature, elected.id).signed_as == "Vice-présidente"
    # The author is told the answer itself, in their own language.
    from civic.core.notify import Notification

    message = db.session.scalar(
        sa.select(Notification.message).where(Notification.user_id == climate["author"].id)
    )
    assert message.endswith(fr("a reçu une réponse officielle : Retenue."))
    in_english = db.session.scalar(
        sa.select(Notification.message).where(Notification.user_id == english.id)
    )
    assert in_english.endswith("has received an official answer: Accepted.")
    page = text(client.get(url))
    assert 'value="Vice-présidente"' in page
    response = client.post("/gestion/a-repondre/signature", data={"signed_as": "Présidente"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Signature, elected.id).signed_as == "Présidente"
    assert 'value="Présidente"' in text(client.get("/gestion/a-repondre"))
    refused = client.post(
        "/gestion/a-repondre/signature", data={"signed_as": "  "}, follow_redirects=True
    )
    assert "Indiquez votre fonction." in text(refused)


def test_templates_prefill_the_answer(app, client, climate, make_user, db):
    agent = make_user("agent")
    log_in(client, agent)
    consultation_id = climate["consultation"].id
    client.post(
        f"/gestion/concertations/{consultation_id}/reponses/modeles",
        data={"title": "Hors compétence", "status": "out_of_scope", "text": "Relève de l'État."},
    )
    template = db.session.scalar(sa.select(Template))
    assert template.status == "out_of_scope"
    url = f"/concertations/plan-climat/propositions/{climate['proposal'].id}"
    page = text(client.get(f"{url}?modele={template.id}"))
    assert "Relève de l'État.</textarea>" in page
    assert '<option selected value="out_of_scope">' in page or (
        'value="out_of_scope" selected' in page
    )
    fragment = text(
        client.get(
            f"/gestion/a-repondre/propositions/{climate['proposal'].id}/formulaire"
            f"?modele={template.id}",
            headers={"HX-Request": "true"},
        )
    )
    assert "<html" not in fragment and "Relève de l'État.</textarea>" in fragment
    empty = client.post(
        f"/gestion/concertations/{consultation_id}/reponses/modeles",
        data={"title": "", "status": "retained", "text": ""},
        follow_redirects=True,
    )
    assert "Donnez un nom et un texte au modèle." in text(empty)
    client.post(f"/gestion/modeles-de-reponse/{template.id}/suppression")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Template)) == 0


def test_second_person_validation(app, client, climate, make_user, db):
    first, second = make_user("elected"), make_user("agent")
    proposal = climate["proposal"]
    log_in(client, second)
    client.post(
        f"/gestion/concertations/{climate['consultation'].id}/reponses/validation",
        data={"second_validation": "1"},
    )
    log_in(client, first)
    url = f"/concertations/plan-climat/propositions/{proposal.id}"
    response = client.post(
        url + "/reponse",
        data={"status": "partly_retained", "text": "En partie.", "signed_as": "Maire"},
        follow_redirects=True,
    )
    assert "attend sa validation" in text(response)
    assert db.session.scalar(sa.select(Answer).where(Answer.proposal_id == proposal.id)) is None
    draft = db.session.scalar(sa.select(Draft))
    # Not public yet, and still waiting for an answer.
    log_in(client, make_user())
    assert "En partie." not in text(client.get(url))
    # Its writer cannot validate it.
    log_in(client, first)
    refused = client.post(
        f"/gestion/a-repondre/brouillons/{draft.id}/validation", follow_redirects=True
    )
    assert "Une autre personne doit valider" in text(refused)
    log_in(client, second)
    assert "1 réponse à valider" in text(client.get("/gestion/a-repondre"))
    assert client.post(f"/gestion/a-repondre/brouillons/{draft.id}/validation").status_code == 303
    db.session.expire_all()
    answer = db.session.scalar(sa.select(Answer).where(Answer.proposal_id == proposal.id))
    assert (answer.status, answer.author_id) == ("partly_retained", first.id)
    assert db.session.get(Proposal, proposal.id).answer_status == "partly_retained"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Draft)) == 0
    actions = [
        (e.action, e.actor_id)
        for e in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action.like("answers.%"))
        )
    ]
    assert ("answers.policy", second.id) in actions
    assert ("answers.drafted", first.id) in actions
    assert ("answers.validated", second.id) in actions
    log_in(client, make_user())
    assert "En partie." in text(client.get(url))
