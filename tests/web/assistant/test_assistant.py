"""The assistant through the web: answers from the demo's data with their sources, "je ne
sais pas", tracked requests from residents and agents, and what staff learn from questions."""

import re

import sqlalchemy as sa

from civic.assistant.models import AskedQuestion, HelpPage, Request, TrainingExample
from civic.core.catalogues import french_spacing as fr
from civic.core.notify import OutboxEmail


def _answer(client, question: str, **headers) -> str:
    response = client.get("/question", query_string={"q": question}, headers=headers)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    exchange = re.search(r'<article class="exchange">(.*?)</article>', html, re.S)
    assert exchange, html
    return exchange.group(1)


def test_every_page_has_the_question_field(client):
    html = client.get("/").get_data(as_text=True)
    assert 'id="ask-header-q"' in html and 'action="/question"' in html


def test_hours_in_words_for_the_day_asked_with_the_service_as_source(client, territory, db):
    answer = _answer(client, "la piscine de labege est ouverte dimanche ?")
    assert "Piscine de Labège ouvre dimanche" in answer
    assert "de 10\u00a0h à 18\u00a0h" in answer
    assert 'href="/services/' in answer
    closed = _answer(client, "la dechetterie de castanet ouvre dimanche ?")
    assert "Déchèterie de Castanet-Tolosan n&#39;ouvre pas dimanche" in closed
    week = _answer(client, "horaires mediatheque castanet")
    assert "Médiathèque de Castanet-Tolosan ouvre mardi, 14\u00a0h – 18\u00a0h ;" in week
    asked = db.session.scalars(sa.select(AskedQuestion).order_by(AskedQuestion.id)).all()
    assert [(q.intent, q.answered) for q in asked] == [("hours", True)] * 3


def test_no_such_service_in_the_commune_is_not_invented(client, territory):
    answer = _answer(client, "La déchèterie de Labège est ouverte dimanche ?")
    assert fr("Aucun service « Déchèterie » à Labège dans l&#39;annuaire") in answer
    # The nearest ones instead, by their coordinates: Escalquens and Castanet border Labège.
    assert "Déchèterie d&#39;Escalquens n&#39;ouvre pas dimanche" in answer
    assert "Baziège" not in answer
    nowhere = _answer(client, "horaires de la creche de Labège")
    assert "Je ne sais pas" not in nowhere
    assert "/question/demande?q=" in answer


def test_contact_next_events_definition_consultation_and_help(client, territory, climate):
    contact = _answer(client, "numero de la mediatheque de labege")
    assert re.search(fr(r"téléphone : 05 61 \d\d \d\d \d\d"), contact)
    events = _answer(client, "prochaine réunion sur le plan climat à Labège")
    assert "Réunion publique sur le plan climat" in events
    assert f'href="/agenda/{territory["event"].id}"' in events
    none_there = _answer(client, "prochaine réunion publique à Escalquens")
    assert fr("Aucun rendez-vous à venir à Escalquens qui corresponde ; ailleurs :") in none_there
    assert "Réunion publique sur le plan climat" in none_there
    nothing = _answer(client, "prochaine réunion sur les déchets verts")
    assert "L&#39;agenda n&#39;annonce aucun rendez-vous à venir qui corresponde." in nothing
    definition = _answer(client, "c'est quoi un PCAET")
    assert "Plan climat-air-énergie territorial" in definition
    assert 'href="/glossaire#terme-pcaet"' in definition
    phase = _answer(client, "quand ferme la concertation sur le plan climat")
    assert fr("l&#39;étape « Propositions et votes », jusqu&#39;au") in phase
    assert 'href="/concertations/plan-climat"' in phase
    howto = _answer(client, "comment donner mon avis sur la piscine")
    assert "Donner mon avis" in howto
    page = territory and HelpPage.query.filter_by(title="Donner son avis sur un service public")
    assert f'href="/aide/{page.one().slug}"' in howto


def test_unknown_says_so_and_offers_a_person(client, territory, db):
    answer = _answer(client, "qui a gagné le match hier")
    assert "Je ne sais pas" in answer
    assert "Posez la question à un agent" in answer
    term = _answer(client, "c'est quoi un budget participatif")
    assert fr("« budget participatif » n&#39;est pas dans le glossaire") in term
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(AskedQuestion.answered.is_(False))) == 2
    )


def test_english_interface_answers_in_english_words(client, territory):
    answer = _answer(
        client, "Is the swimming pool in Labege open on Sunday?", **{"Accept-Language": "en"}
    )
    assert "10\u00a0am" in answer and "6\u00a0pm" in answer


def test_a_question_in_english_is_answered_in_english_on_a_french_page(client, territory):
    answer = _answer(client, "Is the swimming pool in Labege open on Sunday?")
    assert '<div class="reply-text" lang="en">' in answer
    assert "Piscine de Labège is open Sunday" in answer and "10\u00a0am" in answer
    assert "<h2>Réponse</h2>" in answer  # the page's own words stay French
    french = _answer(client, "la piscine de labege est ouverte dimanche ?")
    assert 'lang="en"' not in french


def test_htmx_gets_one_exchange_and_a_fresh_form(client, territory):
    response = client.get(
        "/question", query_string={"q": "c'est quoi le SCoT"}, headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    assert "<html" not in html and "Schéma de cohérence territoriale" in html
    assert 'hx-swap-oob="true"' in html and 'value=""' in html
    assert "HX-Request" in response.headers.get("Vary", "")


def test_too_long_a_question_is_refused_clearly(client):
    html = client.get("/question", query_string={"q": "x" * 301}).get_data(as_text=True)
    assert "trop longue" in html


def test_resident_request_reference_status_and_acknowledgement(client, territory, db):
    page = client.get("/question/demande", query_string={"q": "Ma carte de déchèterie à Labège"})
    html = page.get_data(as_text=True)
    assert "Ma carte de déchèterie à Labège" in html
    # A missing address for the chosen way of answering: an error, nothing lost.
    refused = client.post(
        "/question/demande",
        data={
            "question": "Ma carte de déchèterie",
            "reply_by": "email",
            "consent": "y",
            "name": "Ana",
        },
    )
    assert refused.status_code == 200
    body = refused.get_data(as_text=True)
    assert "adresse e-mail où vous répondre" in body and "Ma carte de déchèterie" in body
    response = client.post(
        "/question/demande",
        data={
            "question": "Ma carte de déchèterie à Labège ne marche plus",
            "reply_by": "email",
            "email": "Ana@Example.org",
            "name": "Ana",
            "commune_id": "",
            "consent": "y",
        },
    )
    assert response.status_code == 303
    item = db.session.scalar(sa.select(Request))
    assert response.location.endswith(f"/suivi/{item.reference}")
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", item.reference)
    assert item.commune.name == "Labège" and item.service_type == "decheterie"
    assert item.email == "ana@example.org" and item.status == "received"
    status = client.get(response.location).get_data(as_text=True)
    assert item.reference in status and "Reçue" in status and "Ana" not in status
    mail = db.session.scalar(sa.select(OutboxEmail))
    assert mail.to_address == "ana@example.org" and item.reference in mail.body
    assert f"/suivi/{item.reference}" in mail.body
    found = client.get("/suivi", query_string={"reference": item.reference.lower()})
    assert found.status_code == 303
    assert client.get("/suivi", query_string={"reference": "ZZZZ-ZZZZ"}).status_code == 200
    assert client.get("/suivi/ZZZZ-ZZZZ").status_code == 404


def test_agent_enters_a_phone_request_answers_by_post_and_reuses_it(
    client, territory, make_user, login, db
):
    citizen = make_user()
    login(citizen)
    assert client.get("/gestion/demandes").status_code == 403
    agent = territory["agent"]
    login(agent)
    # The agent's form speaks of the resident, not to the agent as if they were asking.
    form = client.get("/gestion/demandes/nouvelle").get_data(as_text=True)
    assert "Nom de l&#39;habitant" in form or "Nom de l'habitant" in form
    assert "Votre nom" not in form and "Comment voulez-vous" not in form
    response = client.post(
        "/gestion/demandes/nouvelle",
        data={
            "channel": "phone",
            "question": "Comment obtenir un composteur ?",
            "subject": "unknown",
            "service_type": "decheterie",
            "commune_id": str(territory["communes"]["31113"].id),
            "name": "M. Durand",
            "reply_by": "post",
            "postal_address": "3 rue des Lilas\n31320 Castanet-Tolosan",
            "consent": "y",
        },
    )
    assert response.status_code == 303
    item = db.session.scalar(sa.select(Request))
    assert item.channel == "phone" and item.entered_by_id == agent.id
    listing = client.get("/gestion/demandes").get_data(as_text=True)
    assert item.reference in listing and "Castanet-Tolosan" in listing
    client.post(f"/gestion/demandes/{item.id}/prise-en-charge")
    db.session.refresh(item)
    assert item.status == "in_progress"
    assert (
        client.post(f"/gestion/demandes/{item.id}/reponse", data={"answer": ""}).status_code == 422
    )
    client.post(
        f"/gestion/demandes/{item.id}/reponse",
        data={"answer": "Les composteurs se retirent à la déchèterie de Castanet."},
    )
    db.session.refresh(item)
    assert item.status == "answered" and item.answered_at is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 0
    letter = client.get(f"/gestion/demandes/{item.id}/courrier").get_data(as_text=True)
    assert "3 rue des Lilas" in letter and "Les composteurs se retirent" in letter
    status = client.get(f"/suivi/{item.reference}").get_data(as_text=True)
    assert "Répondue" in status
    reused = client.post(f"/gestion/demandes/{item.id}/page-aide")
    page = db.session.scalar(sa.select(HelpPage).where(HelpPage.id == item.help_page_id))
    assert reused.status_code == 303 and not page.published
    assert page.title == "Comment obtenir un composteur ?" and "composteurs" in page.body
    figures = client.get("/gestion/demandes").get_data(as_text=True)
    assert "Répondues par un agent" in figures
    # The person asks for erasure by phone: the request stays as figures only.
    client.post(f"/gestion/demandes/{item.id}/effacement")
    db.session.refresh(item)
    assert (item.question, item.name, item.postal_address, item.answer) == ("", "", "", "")
    assert item.erased_at is not None and item.subject == "unknown"
    assert "Imprimer le courrier" not in client.get(f"/gestion/demandes/{item.id}").get_data(
        as_text=True
    )
    assert client.get(f"/gestion/demandes/{item.id}/courrier").status_code == 404


def test_staff_learn_from_questions_not_understood(client, territory, make_user, login, db):
    _answer(client, "ou acheter du pain frais le dimanche")
    asked = db.session.scalar(sa.select(AskedQuestion))
    assert not asked.answered
    login(make_user())
    assert client.get("/gestion/questions").status_code == 403
    login(territory["agent"])
    assert asked.text in client.get("/gestion/questions").get_data(as_text=True)
    client.post(f"/gestion/questions/{asked.id}/exemple", data={"intent": "unknown"})
    example = db.session.scalar(sa.select(TrainingExample))
    assert (example.question, example.intent) == (asked.text, "unknown")
    assert asked.text not in client.get("/gestion/questions").get_data(as_text=True)
    new = client.post(
        f"/gestion/aide/nouvelle?q=pain&question={asked.id}",
        data={
            "title": "Les marchés",
            "body": "Le dimanche matin à Castanet.",
            "keywords": "pain",
            "published": "y",
        },
    )
    assert new.status_code == 303
    assert "Le dimanche matin" in client.get(new.location).get_data(as_text=True)


def test_requests_are_exported_erased_and_kept_as_figures(
    client, territory, make_user, login, db, app
):
    from civic.accounts.services import erase_account, export_personal_data
    from civic.assistant.services import apply_retention
    from civic.core.models import utcnow

    user = make_user(display_name="Lou")
    login(user)
    client.post(
        "/question/demande",
        data={
            "question": "Ma question privée",
            "reply_by": "email",
            "email": user.email,
            "name": "Lou",
            "consent": "y",
        },
    )
    item = db.session.scalar(sa.select(Request))
    assert item.user_id == user.id
    exported = export_personal_data(user)["assistant"]["requests"]
    assert exported[0]["question"] == "Ma question privée"
    erase_account(user)
    db.session.commit()
    db.session.refresh(item)
    assert (item.question, item.email, item.name, item.user_id) == ("", "", "", None)
    assert item.erased_at is not None and item.subject
    # Retention: answered long ago, the contact details go; the figures stay.
    other = Request(
        reference="AAAA-BBBB",
        question="Q",
        subject="hours",
        email="x@example.org",
        due_at=utcnow(),
        answered_at=utcnow().replace(year=2020),
        status="answered",
    )
    other.created_at = utcnow().replace(year=2020)
    db.session.add(other)
    db.session.flush()
    old = AskedQuestion(text="ancienne", intent="unknown", created_at=utcnow().replace(year=2020))
    recent = AskedQuestion(text="récente", intent="unknown")
    db.session.add_all([old, recent])
    db.session.flush()
    with app.test_request_context():
        erased, deleted = apply_retention()
    assert erased == 1 and other.email == "" and other.question == ""
    assert deleted == 1
    assert db.session.scalars(sa.select(AskedQuestion.text)).all() == ["récente"]


def test_open_data_has_totals_and_no_text(client, territory, db):
    _answer(client, "c'est quoi un PCAET")
    _answer(client, "un texte personnel introuvable")
    csv_text = client.get("/donnees-ouvertes/assistant.csv").get_data(as_text=True)
    assert "questions_repondues" in csv_text.splitlines()[0]
    assert "introuvable" not in csv_text and "PCAET" not in csv_text
    row = csv_text.splitlines()[1].split(";")
    assert row[1:3] == ["1", "1"]


def test_train_command_adds_staff_examples_and_retention_command(app, db, tmp_path, monkeypatch):
    import os

    from civic.assistant import classifier
    from civic.assistant.models import TrainingExample

    monkeypatch.setattr(classifier, "MODEL", tmp_path / "model.joblib")
    db.session.add(TrainingExample(question="horaires de la ludothèque demain", intent="hours"))
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["civic", "assistant", "train"])
    assert result.exit_code == 0, result.output
    assert f"{len(classifier.read_examples())} " in result.output and " 1 " in result.output
    model = classifier.load(tmp_path / "model.joblib")
    assert "hours" in model.classes_
    from civic.assistant import answering

    first = answering.model()
    assert answering.model() is first  # loaded once per worker...
    os.utime(tmp_path / "model.joblib", ns=(0, 10**18))
    assert answering.model() is not first  # ...and again when a new file is written
    result = runner.invoke(args=["civic", "assistant", "examples"])
    assert result.output == "horaires de la ludothèque demain,hours,,,,,\n"
    result = runner.invoke(args=["civic", "assistant", "retention"])
    assert result.exit_code == 0 and "0" in result.output


def _scoped_agent(make_user, db, commune, **fields):
    """An agent granted the role for one commune only (the territory's scoped roles)."""
    from civic.accounts.models import RoleGrant

    user = make_user(**fields)
    user.grants.append(RoleGrant(role="agent", communes=[commune]))
    db.session.commit()
    return user


def test_a_commune_agent_handles_the_requests_of_the_commune(
    client, territory, make_user, login, db
):
    from civic.core.models import utcnow

    communes = territory["communes"]
    labege, castanet = communes["31254"], communes["31113"]
    for reference, commune in (("LABE-2222", labege), ("CAST-3333", castanet), ("NONE-4444", None)):
        db.session.add(
            Request(
                reference=reference,
                question="?",
                due_at=utcnow(),
                commune_id=commune.id if commune else None,
                subject="hours",
            )
        )
    db.session.commit()
    ids = {r.reference: r.id for r in db.session.scalars(sa.select(Request))}
    login(_scoped_agent(make_user, db, labege))
    listing = client.get("/gestion/demandes").get_data(as_text=True)
    assert "LABE-2222" in listing and "NONE-4444" in listing and "CAST-3333" not in listing
    assert client.get(f"/gestion/demandes/{ids['CAST-3333']}").status_code == 403
    assert client.get(f"/gestion/demandes/{ids['LABE-2222']}").status_code == 200
    login(make_user("agent"))  # an agent of the Sicoval itself
    assert "CAST-3333" in client.get("/gestion/demandes").get_data(as_text=True)


def test_the_written_questions_are_answered_from_the_demo_data(app, territory, climate):
    """Each of the 200 questions, answered from the demo's data: questions about services
    name one (in the commune asked, or the nearest), definitions come from the glossary only,
    how-to questions find a help page, and the rest says it does not know."""
    import csv
    from pathlib import Path

    from civic.assistant import answering
    from civic.assistant.recognition import normalize
    from civic.consultations.demo import GLOSSARY

    def in_glossary(term: str) -> bool:
        return any(term == normalize(t) or normalize(d).startswith(term) for t, d in GLOSSARY)

    path = Path(__file__).parents[2] / "data" / "questions.csv"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    wrong = []
    with app.test_request_context():
        for row in rows:
            result = answering.answer(row["question"])
            if result.intent != row["intent"]:
                continue  # measured by the recognition test
            text = " ".join(result.lines)
            intent = row["intent"]
            if intent in ("hours", "contact") and row["service"]:
                ok = result.known and any("/services/" in s.url for s in result.sources)
            elif intent == "definition":
                known = in_glossary(row["term"])
                ok = result.known == known and ("Je ne sais pas" in text) != known
            elif intent == "howto":
                ok = result.known and any("/aide/" in s.url for s in result.sources)
            elif intent == "unknown":
                ok = not result.known and ("Je ne sais pas" in text or "I don't know" in text)
            else:
                ok = bool(result.lines and result.sources)
            if not ok:
                wrong.append((row["question"], text))
    assert not wrong


def test_the_agents_answering_for_a_service_type_are_told(client, territory, make_user, db):
    from civic.core.notify import Notification
    from civic.ratings import services as ratings

    labege, castanet = territory["communes"]["31254"], territory["communes"]["31113"]
    pools = make_user("agent", email="piscines@example.org")
    elsewhere = _scoped_agent(make_user, db, castanet, email="piscines.castanet@example.org")
    waste = make_user("agent", email="dechets@example.org")
    for user, kind in ((pools, "Piscine"), (elsewhere, "Piscine"), (waste, "Déchèterie")):
        ratings.set_responsible(territory["agent"], user, service_type=kind)
    db.session.commit()
    client.post(
        "/question/demande",
        data={
            "question": "La piscine de Labège prête-t-elle des bonnets ?",
            "reply_by": "phone",
            "phone": "05 61 00 00 01",
            "consent": "y",
            "commune_id": str(labege.id),
        },
    )
    told = db.session.scalars(sa.select(Notification.user_id)).all()
    assert told == [pools.id]  # not the agent of another commune, nor the waste service's


def test_a_commune_not_in_the_list_is_refused_not_a_server_error(client, territory, db):
    for value in ("999999", "²", "2147483648"):
        response = client.post(
            "/question/demande",
            data={
                "question": "Une question",
                "reply_by": "phone",
                "phone": "0561000000",
                "consent": "y",
                "commune_id": value,
            },
        )
        assert response.status_code == 200
        assert "Choisissez une commune de la liste." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Request)) == 0


def test_questions_are_limited_per_address(client, app, limit):
    limit("CIVIC_ASSISTANT_LIMIT", "2 per minute")
    assert client.get("/question?q=bonjour").status_code == 200
    assert client.get("/question?q=bonjour").status_code == 200
    assert client.get("/question?q=bonjour").status_code == 429


def test_the_examples_offered_are_answered_in_both_languages(client, territory, climate):
    from html import unescape

    for language in ("fr", "en"):
        page = client.get("/question", headers={"Accept-Language": language})
        links = re.findall(r'<li><a href="(/question\?q=[^"]+)">', page.get_data(as_text=True))
        assert len(links) == 4
        for link in links:
            html = client.get(unescape(link), headers={"Accept-Language": language})
            reply = re.search(r'class="reply([^"]*)"', html.get_data(as_text=True))
            assert reply and "reply-unknown" not in reply.group(1), (language, link)
