"""Open data: every dataset anonymised, public items only, a catalogue, a read-only API."""

import csv
import io
import json
import socket

import pytest
import sqlalchemy as sa
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as rdf

from civic.analysis.models import AnalysisRun, Cluster, ClusterMember
from civic.consultations import services as consultations
from civic.consultations.models import VOTE_AGREE, VOTE_DISAGREE, Consultation
from civic.core.catalogues import french_spacing as fr
from civic.core.models import utcnow
from civic.core.opendata import LICENCE
from civic.documents import services as documents
from civic.moderation import services as moderation
from civic.opendata import publish, registry
from civic.ratings import services as ratings
from civic.ratings.models import CRITERIA, Service
from tests.conftest import log_in

# Every dataset's name is in the URLs of its files and of the API that others reuse: each
# package registers its own (civic.opendata.registry), and none is ever renamed.
PUBLISHED = (
    "agenda",
    "assistant",
    "ateliers",
    "ateliers-notes",
    "ateliers-votes",
    "avis-services",
    "avis-services-commentaires",
    "commentaires",
    "concertations",
    "decisions",
    "moderation",
    "participation",
    "phases",
    "propositions",
    "textes-amendements",
    "textes-passages",
    "textes-reactions",
    "votes",
)
SECRET_EMAIL = "jeanne.secrete@example.org"
SECRET_NAME = "Jeanne Secrète"
# An official signs answers with a function, never with their own name.
OFFICIAL_NAME = "Paul Élu-Secret"
SIGNATURE = "Vice-présidente chargée des mobilités"
# Words that must appear in no file and no API answer: people, hidden items, drafts, who voted.
FORBIDDEN = (
    SECRET_EMAIL,
    SECRET_NAME,
    OFFICIAL_NAME,
    "Votant Secret",
    "Modératrice Secrète",
    "@example.org",
    "Texte masqué",
    "Propos insultants",
    "Commentaire masqué",
    "Brouillon d'agenda",
    "Question secrète",
    "Demande secrète",
    "Avis masqué",
    "Avis en attente",
    "Brouillon secret",
    "Proposition du brouillon",
    "Groupe non publié",
    "Note interne du CODEV",
    "Volontaire Secret",
    "Note masquée de l'atelier",
    "Note d'un atelier en cours",
)


def test_every_package_registers_its_datasets_under_their_names(app):
    assert [d.name for d in registry.datasets()] == sorted(PUBLISHED)
    for d in registry.datasets():
        assert registry.get(d.name) is d
    assert registry.get("unknown") is None


def test_two_packages_cannot_publish_under_one_name(app):
    agenda = registry.get("agenda")
    registry.register(agenda)  # the same one again (another app of the same process): kept
    assert registry.get("agenda") is agenda
    with pytest.raises(ValueError, match="agenda"):
        registry.register(registry.Dataset("agenda", "x", "x", "daily", [], lambda **_: iter(())))


def seed(app, climate, make_user, db) -> dict:
    """Data in every dataset, next to everything that must never be published."""
    author = make_user(email=SECRET_EMAIL, display_name=SECRET_NAME)
    voter = make_user(email="votant.secret@example.org", display_name="Votant Secret")
    official = make_user("elected", email="elu.secret@example.org", display_name=OFFICIAL_NAME)
    moderator = make_user("moderator", display_name="Modératrice Secrète")
    consultation = climate["consultation"]
    with app.test_request_context():
        shown = consultations.submit_proposal(
            author,
            consultation,
            title='=HYPERLINK("http://evil")',
            body="Des navettes le dimanche",
            theme="",
            commune_id=None,
        )
        hidden = consultations.submit_proposal(
            author,
            consultation,
            title="Texte masqué par le CODEV",
            body="Propos insultants",
            theme="",
            commune_id=None,
        )
        case = moderation.report(make_user(), "proposal", hidden, "harassment")
        moderation.decide(moderator, [case], "hide", "respect", note="Note interne du CODEV")
        # A draft text: a reaction and an amendment shown, an amendment hidden.
        draft = documents.import_draft(
            climate["agent"],
            consultation,
            title="Projet de plan climat",
            summary="",
            source="# Axe 1\n\nDes navettes entre les villages.\n",
        )
        passage = next(i for i in documents.items_of(draft.current_version) if i.text)
        documents.react(author, passage, kind="agree", body="Oui, aussi le dimanche")
        documents.propose_amendment(
            author, passage, text="Des navettes électriques entre les villages.", reason="Le bruit"
        )
        masked = documents.propose_amendment(
            voter, passage, text="Texte masqué des navettes", reason="Propos insultants"
        )
        case = moderation.report(make_user(), "draft_amendment", masked, "harassment")
        moderation.decide(moderator, [case], "hide", "respect")
        consultations.cast_vote(voter, shown, VOTE_AGREE)
        consultations.cast_vote(author, climate["proposal"], VOTE_DISAGREE)
        reply_to = consultations.add_comment(
            author, shown, body="Oui, et le samedi aussi", stance="for"
        )
        hidden_comment = consultations.add_comment(
            voter, shown, body="Commentaire masqué : insulte", stance="against", parent=reply_to
        )
        case = moderation.report(author, "comment", hidden_comment, "harassment")
        moderation.decide(moderator, [case], "hide", "respect")
        consultations.answer_proposal(
            official,
            shown,
            status="retained",
            text="Une navette dominicale sera testée en 2027.",
            signed_as=SIGNATURE,
        )
        draft = consultations.save_consultation(
            climate["agent"],
            None,
            title="Brouillon secret",
            slug="brouillon",
            summary="x",
            body="",
            theme="",
            communes=[],
            agree_limit=None,
            premoderation=False,
        )
        consultations.add_phase(
            climate["agent"],
            draft,
            title="P",
            description="",
            starts_at=consultation.phases[1].starts_at,
            ends_at=consultation.phases[1].ends_at,
            features=["proposing"],
            audience="public",
        )
        in_draft = consultations.submit_proposal(
            author,
            draft,
            title="Proposition du brouillon",
            body="Invisible",
            theme="",
            commune_id=None,
        )
        case = moderation.report(make_user(), "proposal", in_draft, "spam")
        moderation.decide(moderator, [case], "keep")
        # A published analysis with its decision, one still unpublished, one of the draft.
        for target, published, label in (
            (consultation, utcnow(), "Navettes le dimanche"),
            (consultation, None, "Groupe non publié"),
            (draft, utcnow(), "Groupe non publié du brouillon"),
        ):
            run = AnalysisRun(
                consultation_id=target.id, status="done", progress=100, published_at=published
            )
            cluster = Cluster(
                run=run,
                label=label,
                keywords=["navette", "dimanche"],
                size=1,
                size_unique=1,
                decision="retained",
                justification="Le réseau sera étendu le dimanche.",
            )
            db.session.add_all([run, cluster])
            db.session.flush()
            db.session.add(
                ClusterMember(
                    run_id=run.id,
                    cluster_id=cluster.id,
                    kind="proposal",
                    item_id=shown.id,
                    author_id=author.id,
                    text="Des navettes le dimanche",
                )
            )
        # A workshop with its minutes out (a volunteer, seats, a note, a hidden one, a vote)
        # and one still running.
        from civic.workshops import board
        from civic.workshops import services as workshops
        from civic.workshops.models import Note, Participant, Volunteer

        facilitator = make_user("facilitator")
        fields = {
            "purpose": "Mobilités",
            "consultation_id": consultation.id,
            "starts_at": utcnow(),
            "duration_minutes": 120,
            "mode": "onsite",
            "commune_id": None,
            "address": "Labège",
            "accessibility": "",
            "online_url": "",
            "capacity": 20,
            "tables": 1,
            "seats_elected": 1,
            "seats_technician": 1,
            "seats_citizen": 4,
            "call_closes_at": None,
            "one_per_household": True,
        }
        done = workshops.save_workshop(facilitator, None, title="Atelier mobilités", **fields)
        running = workshops.save_workshop(facilitator, None, title="Atelier en cours", **fields)
        for w in (done, running):
            workshops.publish(facilitator, w)
        volunteer = Volunteer(
            workshop_id=done.id, name="Volontaire Secret", email="vol.secret@example.org"
        )
        db.session.add(volunteer)
        db.session.flush()
        db.session.add_all(
            [
                Participant(workshop_id=done.id, role="citizen", user_id=author.id, attended=True),
                Participant(
                    workshop_id=done.id, role="citizen", volunteer_id=volunteer.id, attended=False
                ),
                Participant(
                    workshop_id=done.id, role="elected", user_id=official.id, attended=True
                ),
            ]
        )
        theme_a = board.add_theme(facilitator, done, "Navettes")
        board.add_theme(facilitator, done, "Vélo")
        note = board.post_note(facilitator, done, "Une navette le dimanche matin")
        board.assign_note(facilitator, note, theme_a)
        db.session.add_all(
            [
                Note(
                    workshop_id=done.id,
                    author_id=author.id,
                    author_role="citizen",
                    body="Note masquée de l'atelier",
                    status="hidden",
                ),
                Note(
                    workshop_id=running.id, author_role="citizen", body="Note d'un atelier en cours"
                ),
            ]
        )
        board.open_vote(facilitator, done, "majority")
        board.paper_ballot(facilitator, done, "citizen", {t.id: 5 for t in board.themes(done)}, 1)
        board.close_vote(facilitator, done)
        board.publish_minutes(facilitator, done, "<p>Synthèse de l'atelier</p>")
        # Five ratings of one service (enough for its monthly means), three comments.
        service = Service(source="test", source_id="od-1", name="Piscine de Labège", type="Piscine")
        db.session.add(service)
        db.session.flush()
        statuses = {
            "Accueil très aimable": "published",
            "Avis masqué : insulte": "hidden",
            "Avis en attente de modération": "pending",
        }
        raters = [author, voter, make_user(), make_user(), make_user()]
        comments = [*statuses, "", ""]
        for rater, comment in zip(raters, comments, strict=True):
            rating = ratings.rate(
                rater,
                service,
                scores={c: 4 for c in CRITERIA},
                channel="on_site",
                open_as_announced=None,
                comment=comment,
            )
            rating.comment_status = statuses.get(comment, "")
    from datetime import timedelta

    from civic.events import services as events

    start = utcnow() + timedelta(days=4)
    event_fields = {
        "kind": "reunion", "title": "Réunion publique", "description": "", "starts_at": start,
        "ends_at": start + timedelta(hours=2), "commune_id": None, "place_name": "",
        "address": "", "accessibility": "", "online_url": "", "organiser_commune_id": None,
        "consultation_id": consultation.id, "phase_id": None, "registration": True,
        "capacity": 10,
    }  # fmt: skip
    with app.test_request_context():
        meeting = events.save_event(official, None, **event_fields)
        events.publish(official, meeting)
        events.register(meeting, name=SECRET_NAME, email=SECRET_EMAIL, user=author)
        # A draft event, and one linked to the draft consultation: neither is published as such.
        events.save_event(official, None, **{**event_fields, "title": "Brouillon d'agenda"})
        linked = events.save_event(
            official, None, **{**event_fields, "title": "Réunion liée", "consultation_id": draft.id}
        )
        events.publish(official, linked)
        # A question to the assistant and a request to an agent: totals only, never their text.
        from civic.assistant import services as assistant

        assistant.log_question("Question secrète à l'assistant", "unknown", False, "fr")
        assistant.create_request(
            question="Demande secrète à un agent", subject="unknown", commune_id=None,
            service_type="", name=SECRET_NAME, email=SECRET_EMAIL, phone="", postal_address="",
            reply_by="email", locale="fr", user=author,
        )  # fmt: skip
    db.session.commit()
    return {"shown": shown, "draft": draft, "service": service, "note": note}


def api_rows(client, name: str) -> list[dict]:
    """Every row of a dataset through the API, following the "next" links."""
    rows, url = [], f"/api/v1/{name}?limit=2"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        rows += response.get_json()["data"]
        url = (response.get_json()["next"] or "").replace("http://civic.test", "")
    return rows


def test_no_person_no_hidden_item_no_draft_anywhere(app, client, climate, make_user, db):
    data = seed(app, climate, make_user, db)
    with app.test_request_context():
        files = publish.files()
    api = {d.name: api_rows(client, d.name) for d in registry.datasets()}
    answers = [
        *files.values(),
        json.dumps(api, ensure_ascii=False),
        client.get("/donnees-ouvertes").get_data(as_text=True),
        client.get("/api/v1/").get_data(as_text=True),
        client.get("/api/v1/openapi.json").get_data(as_text=True),
    ]
    for text in answers:
        for forbidden in FORBIDDEN:
            assert forbidden not in text, forbidden
    # Not vacuous: every dataset has rows, and the API gives the same rows as the files.
    for d in registry.datasets():
        assert api[d.name], d.name
        assert api[d.name] == json.loads(files[f"{d.name}.json"]), d.name
    # No column could identify a person, nor tell who voted what.
    personal = {"user", "author", "auteur", "email", "mail", "nom", "name", "votant", "voter"}
    for d in registry.datasets():
        for field in d.field_names:
            assert not personal & set(field.split("_")), field
    # The official's answer is signed with a function, not a name.
    (shown,) = [p for p in api["propositions"] if p["id"] == data["shown"].id]
    assert shown["reponse_signee_par"] == SIGNATURE and shown["statut_reponse"] == "retained"
    assert shown["texte"] == "Des navettes le dimanche"
    # Hidden items are absent even by id; the draft consultation is never named.
    published_ids = {p["id"] for p in api["propositions"]}
    workshop_note = data["note"].proposal_id  # the note became a contribution
    assert published_ids == {climate["proposal"].id, data["shown"].id, workshop_note}
    assert {v["id"] for v in api["votes"]} == published_ids
    assert [c["texte"] for c in api["commentaires"]] == ["Oui, et le samedi aussi"]
    assert [c["slug"] for c in api["concertations"]] == ["plan-climat"]
    draft = data["draft"].id
    for d in registry.datasets():
        assert all(row.get("consultation_id") != draft for row in api[d.name]), d.name
    assert [c["libelle"] for c in api["decisions"]] == ["Navettes le dimanche"]
    # Workshops: only the one whose minutes are out, attendance counted by college.
    (workshop,) = api["ateliers"]
    assert (workshop["presents_citoyens"], workshop["places_citoyens"]) == (1, 4)
    assert (workshop["presents_elus"], workshop["presents_techniciens"]) == (1, 0)
    assert [(n["texte"], n["college"], n["theme"]) for n in api["ateliers-notes"]] == [
        ("Une navette le dimanche matin", "facilitator", "Navettes")
    ]
    assert {
        (v["theme"], v["mention_majoritaire"], v["bulletins"]) for v in api["ateliers-votes"]
    } == {
        ("Navettes", 5, 1),
        ("Vélo", 5, 1),
    }
    assert [c["commentaire"] for c in api["avis-services-commentaires"]] == ["Accueil très aimable"]
    (aggregate,) = api["avis-services"]
    assert aggregate["nombre_avis"] == 5 and aggregate["satisfaction"] == 4
    # The vote totals say how many, never who.
    votes = list(csv.DictReader(io.StringIO(files["votes.csv"]), delimiter=";"))
    assert set(votes[0]) == {"id", "consultation_id", "d_accord", "pas_d_accord", "passe"}
    assert sum(int(v["d_accord"]) for v in votes) == 1
    assert sum(int(v["pas_d_accord"]) for v in votes) == 1
    # The moderation log names the rule, not the content nor the people.
    log = list(csv.DictReader(io.StringIO(files["moderation.csv"]), delimiter=";"))
    assert [(e["type"], e["decision"], e["motif"]) for e in log] == [
        ("proposal", "hide", "respect"),
        ("draft_amendment", "hide", "respect"),
        ("comment", "hide", "respect"),
        ("proposal", "keep", ""),
    ]
    assert log[3]["consultation_id"] == ""  # the draft's
    # Draft texts: the passage with its counters, what was said, never who said it.
    assert [r["texte"] for r in api["textes-reactions"]] == ["Oui, aussi le dimanche"]
    amendments = api["textes-amendements"]
    assert [a["texte_propose"] for a in amendments] == [
        "Des navettes électriques entre les villages."
    ]
    passage = next(p for p in api["textes-passages"] if p["id"] == amendments[0]["passage_id"])
    assert passage["texte"] == "Des navettes entre les villages."
    assert (passage["d_accord"], passage["amendements"]) == (1, 1)


def test_csv_cells_are_neutralised(app, climate, make_user, db):
    seed(app, climate, make_user, db)
    with app.test_request_context():
        text = publish.files()["propositions.csv"]
    assert "'=HYPERLINK" in text and ";=HYPERLINK" not in text


# rdflib's own JSON-LD parser still uses its deprecated ConjunctiveGraph.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated")
def test_catalogue_is_dcat_json_ld(client, monkeypatch):
    """The catalogue parses as JSON-LD offline (inline context) into the DCAT-AP triples that
    data.gouv.fr harvests: a dataset per registered dataset, each with its CSV and JSON."""

    def no_network(*args, **kwargs):
        raise AssertionError("the JSON-LD context must not be fetched")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    response = client.get("/donnees-ouvertes/catalogue.jsonld")
    assert response.mimetype == "application/ld+json"
    document = json.loads(response.get_data(as_text=True))
    assert isinstance(document["@context"], dict)
    graph = Graph().parse(data=response.get_data(as_text=True), format="json-ld")
    RDF, XSD, DCAT, DCTERMS = rdf.RDF, rdf.XSD, rdf.DCAT, rdf.DCTERMS
    VCARD = rdf.Namespace("http://www.w3.org/2006/vcard/ns#")

    (catalog,) = graph.subjects(RDF.type, DCAT.Catalog)
    assert graph.value(catalog, DCTERMS.title) == Literal(
        "Civic, participation citoyenne du Sicoval", lang="fr"
    )
    assert graph.value(catalog, DCTERMS.publisher) is not None
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert set(graph.objects(catalog, DCAT.dataset)) == datasets
    assert len(datasets) == len(registry.datasets())
    names = {str(graph.value(d, DCTERMS.identifier)) for d in datasets}
    assert names == set(PUBLISHED)
    licence = URIRef(LICENCE["path"])
    frequencies = "http://publications.europa.eu/resource/authority/frequency/"
    for dataset in datasets:
        name = str(graph.value(dataset, DCTERMS.identifier))
        title = graph.value(dataset, DCTERMS.title)
        assert title == Literal(str(registry.get(name).title), lang="fr"), name
        assert graph.value(dataset, DCTERMS.description).language == "fr"
        assert graph.value(dataset, DCTERMS.license) == licence
        assert str(graph.value(dataset, DCTERMS.accrualPeriodicity)).startswith(frequencies)
        assert graph.value(dataset, DCTERMS.modified).datatype == XSD.dateTime
        contact = graph.value(dataset, DCAT.contactPoint)
        assert graph.value(contact, VCARD.fn) is not None
        media = {}
        for distribution in graph.objects(dataset, DCAT.distribution):
            assert (distribution, RDF.type, DCAT.Distribution) in graph
            assert graph.value(distribution, DCTERMS.license) == licence
            url = graph.value(distribution, DCAT.downloadURL)
            assert isinstance(url, URIRef)
            assert graph.value(distribution, DCAT.accessURL) == url
            media_type = str(graph.value(distribution, DCAT.mediaType)).rsplit("/", 2)
            media["/".join(media_type[1:])] = url
            file = client.get(str(url).replace("http://civic.test", ""))
            assert file.status_code == 200 and file.mimetype == "/".join(media_type[1:])
        assert set(media) == {"text/csv", "application/json"}, name
        assert str(media["text/csv"]).endswith(f"/{name}.csv")
        assert str(media["application/json"]).endswith(f"/{name}.json")
    # The API is described too, by its OpenAPI file.
    (service,) = graph.subjects(RDF.type, DCAT.DataService)
    assert set(graph.objects(service, DCAT.servesDataset)) == datasets
    spec = str(graph.value(service, DCAT.endpointDescription)).replace("http://civic.test", "")
    assert client.get(spec).get_json()["openapi"] == "3.1.0"


def test_catalogue_is_french_whatever_the_visitor_language(client):
    english = client.get("/donnees-ouvertes/catalogue.jsonld", headers={"Accept-Language": "en"})
    french = client.get("/donnees-ouvertes/catalogue.jsonld")
    titles = [
        [d["dct:title"] for d in json.loads(r.get_data())["dcat:dataset"]]
        for r in (english, french)
    ]
    assert titles[0] == titles[1] == [str(d.title) for d in registry.datasets()]


def test_open_data_page_and_downloads(client, climate):
    page = client.get("/donnees-ouvertes").get_data(as_text=True)
    for d in registry.datasets():
        assert f"/donnees-ouvertes/{d.name}.csv" in page
    schema = json.loads(client.get("/donnees-ouvertes/propositions.schema.json").get_data())
    assert [f["name"] for f in schema["fields"]][:3] == ["id", "consultation_id", "titre"]
    assert client.get("/donnees-ouvertes/nope.csv").status_code == 404
    assert client.get("/donnees-ouvertes/propositions.xml").status_code == 404
    data = json.loads(client.get("/donnees-ouvertes/concertations.json").get_data())
    assert [c["slug"] for c in data] == ["plan-climat"]


def test_api_pagination_filters_cors_and_errors(app, client, climate, make_user, db):
    with app.test_request_context():
        for i in range(5):
            consultations.submit_proposal(
                climate["author"],
                climate["consultation"],
                title=f"Idée numéro {i}",
                body="Un texte",
                theme="",
                commune_id=None,
            )
    db.session.commit()
    first = client.get("/api/v1/propositions", query_string={"limit": 4})
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    body = first.get_json()
    assert len(body["data"]) == 4 and body["next"]
    second = client.get(body["next"].replace("http://civic.test", "")).get_json()
    assert len(second["data"]) == 2 and second["next"] is None
    ids = [r["id"] for r in body["data"] + second["data"]]
    assert ids == sorted(ids) and len(set(ids)) == 6
    other = db.session.scalar(sa.select(Consultation.id).where(Consultation.slug != "x"))
    filtered = client.get("/api/v1/propositions", query_string={"consultation": other + 999})
    assert filtered.get_json()["data"] == []
    for bad in (
        {"limit": "0"},
        {"limit": "9999"},
        {"limit": "x"},
        {"cursor": "%%%"},
        {"since": "hier"},
        {"consultation": "abc"},
    ):
        response = client.get("/api/v1/propositions", query_string=bad)
        assert response.status_code == 400, bad
        assert "error" in response.get_json()
    assert client.get("/api/v1/nope").status_code == 404
    assert client.post("/api/v1/propositions", csrf=False).status_code in (400, 405)


def test_openapi_describes_every_dataset_and_answers_match(client, climate):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    for d in registry.datasets():
        path = f"/api/v1/{d.name}"
        assert path in spec["paths"]
        schema = spec["components"]["schemas"][d.name]
        for row in client.get(path).get_json()["data"]:
            assert set(row) == set(schema["properties"]), d.name
        parameters = [p["name"] for p in spec["paths"][path]["get"]["parameters"]]
        assert parameters == ["limit", "cursor", *d.filters], d.name
    docs = client.get("/api/v1/").get_data(as_text=True)
    assert "openapi.json" in docs and fr("filtres : consultation, since") in docs


def test_api_rate_limit(client, limit):
    limit("CIVIC_API_LIMIT", "3 per minute")
    statuses = [client.get("/api/v1/concertations").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_cli_export(app, climate, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["civic", "opendata", "export", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0
    written = {p.name for p in tmp_path.iterdir()}
    assert "catalogue.jsonld" in written and "propositions.csv" in written
    assert len(written) == 3 * len(PUBLISHED) + 1


def test_logged_in_pages_stay_private_but_api_is_public(client, make_user):
    log_in(client, make_user())
    assert client.get("/api/v1/concertations").status_code == 200
