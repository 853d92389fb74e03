"""Open data: every dataset anonymised, public items only, a catalogue, a read-only API."""

import csv
import io
import json

import sqlalchemy as sa

from civic.consultations import services as consultations
from civic.consultations.models import VOTE_AGREE, Consultation
from civic.moderation import services as moderation
from civic.opendata import publish
from civic.opendata.datasets import DATASETS
from tests.conftest import log_in

SECRET_EMAIL = "jeanne.secrete@example.org"
SECRET_NAME = "Jeanne Secrète"


def seed(app, climate, make_user, db):
    author = make_user(email=SECRET_EMAIL, display_name=SECRET_NAME)
    with app.test_request_context():
        shown = consultations.submit_proposal(
            author,
            climate["consultation"],
            title='=HYPERLINK("http://evil")',
            body="Des navettes le dimanche",
            theme="",
            commune_id=None,
        )
        hidden = consultations.submit_proposal(
            author,
            climate["consultation"],
            title="Texte masqué par le CODEV",
            body="Propos insultants",
            theme="",
            commune_id=None,
        )
        case = moderation.report(make_user(), "proposal", hidden, "harassment")
        moderation.decide(make_user("moderator"), [case], "hide", "respect")
        consultations.cast_vote(author, shown, VOTE_AGREE)
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
            starts_at=climate["consultation"].phases[1].starts_at,
            ends_at=climate["consultation"].phases[1].ends_at,
            features=["proposing"],
            audience="public",
        )
        consultations.submit_proposal(
            author,
            draft,
            title="Proposition du brouillon",
            body="Invisible",
            theme="",
            commune_id=None,
        )
    db.session.commit()
    return shown


def test_no_person_no_hidden_item_no_draft_anywhere(app, client, climate, make_user, db):
    seed(app, climate, make_user, db)
    with app.test_request_context():
        files = publish.files()
    everything = "\n".join(files.values())
    for forbidden in (
        SECRET_EMAIL,
        SECRET_NAME,
        "Texte masqué",
        "Propos insultants",
        "Brouillon secret",
        "Proposition du brouillon",
        "@example.org",
    ):
        assert forbidden not in everything, forbidden
    for name, content in files.items():
        if name.endswith(".csv"):
            header = content.splitlines()[0]
            assert not any(word in header for word in ("user", "author", "auteur", "email"))
    assert "Des navettes le dimanche" in files["propositions.csv"]
    # The vote totals say how many, never who.
    votes = list(csv.DictReader(io.StringIO(files["votes.csv"]), delimiter=";"))
    assert set(votes[0]) == {"id", "consultation_id", "d_accord", "pas_d_accord", "passe"}
    assert sum(int(v["d_accord"]) for v in votes) == 1
    # The moderation log names the rule, not the content.
    log = list(csv.DictReader(io.StringIO(files["moderation.csv"]), delimiter=";"))
    assert log[0]["motif"] == "respect" and log[0]["type"] == "proposal"


def test_csv_cells_are_neutralised(app, climate, make_user, db):
    seed(app, climate, make_user, db)
    with app.test_request_context():
        text = publish.files()["propositions.csv"]
    assert "'=HYPERLINK" in text and ";=HYPERLINK" not in text


def test_catalogue_is_dcat_json_ld(client):
    response = client.get("/donnees-ouvertes/catalogue.jsonld")
    assert response.mimetype == "application/ld+json"
    document = json.loads(response.get_data(as_text=True))
    assert document["@type"] == "dcat:Catalog"
    assert set(document["@context"]) == {"dcat", "dct", "foaf"}
    names = {d["dct:identifier"] for d in document["dcat:dataset"]}
    assert names == {d.name for d in DATASETS}
    for dataset in document["dcat:dataset"]:
        assert dataset["dct:license"]["@id"].startswith("https://www.etalab.gouv.fr")
        assert {d["dct:format"] for d in dataset["dcat:distribution"]} == {"csv", "json"}
        for distribution in dataset["dcat:distribution"]:
            url = distribution["dcat:downloadURL"]["@id"].replace("http://civic.test", "")
            assert client.get(url).status_code == 200


def test_open_data_page_and_downloads(client, climate):
    page = client.get("/donnees-ouvertes").get_data(as_text=True)
    for d in DATASETS:
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
    for d in DATASETS:
        path = f"/api/v1/{d.name}"
        assert path in spec["paths"]
        schema = spec["components"]["schemas"][d.name]
        for row in client.get(path).get_json()["data"]:
            assert set(row) == set(schema["properties"]), d.name
    assert "openapi.json" in client.get("/api/v1/").get_data(as_text=True)


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
    assert len(written) == 3 * len(DATASETS) + 1


def test_logged_in_pages_stay_private_but_api_is_public(client, make_user):
    log_in(client, make_user())
    assert client.get("/api/v1/concertations").status_code == 200
