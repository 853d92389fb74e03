"""Ratings through the web and the services: honest scores, answers, abuse guard, export."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from civic.core.catalogues import french_spacing as fr
from civic.core.models import utcnow
from civic.core.notify import Notification
from civic.moderation import services as moderation
from civic.moderation.models import Case
from civic.ratings import export, queries, services
from civic.ratings.models import CRITERIA, Rating, Service
from tests.conftest import log_in
from tests.web.helpers import text

GOOD = {c: 5 for c in CRITERIA}


@pytest.fixture
def pool(db):
    from civic.territory.models import Commune

    labege = db.session.scalar(sa.select(Commune).where(Commune.insee == "31254"))
    made = []
    for i, name in enumerate(["Piscine de Labège", "Piscine d'Escalquens", "Piscine Nautica"]):
        made.append(
            Service(
                source="test",
                source_id=f"p{i}",
                name=name,
                type="Piscine",
                commune_id=labege.id,
                latitude=43.54,
                longitude=1.53,
                hours="Mo-Su 00:00-24:00",
                address="1 rue du Lac",
            )
        )
    db.session.add_all(made)
    db.session.commit()
    return made


def rate(user, service, value=5, comment="", **extra):
    return services.rate(
        user,
        service,
        scores={c: value for c in CRITERIA},
        channel=extra.get("channel", "on_site"),
        open_as_announced=True,
        comment=comment,
    )


def test_directory_list_map_and_filters(client, pool):
    page = text(client.get("/services"))
    assert "3 services" in page and "Piscine Nautica" in page
    data = client.get("/services").get_data(as_text=True)
    assert 'data-src="/services/carte.json' in data and "leaflet" in data
    payload = client.get("/services/carte.json").get_json()
    assert len(payload["services"]) == 3 and len(payload["communes"]["features"]) == 36
    assert payload["services"][0]["url"].startswith("/services/")
    only = client.get("/services/carte.json", query_string={"q": "nautica"}).get_json()
    assert [s["name"] for s in only["services"]] == ["Piscine Nautica"]
    found = text(client.get("/services", query_string={"q": "nautica"}))
    assert "1 service" in found and "Piscine Nautica" in found
    fragment = client.get(
        "/services", query_string={"type": "Piscine"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in text(fragment) and "3 services" in text(fragment)


def test_service_page_hours_and_threshold(client, pool, make_user, db):
    service = pool[0]
    page = text(client.get(f"/services/{service.id}"))
    assert "Ouvert maintenant" in page and "Pas encore assez d'avis" in page
    for _ in range(4):
        rate(make_user(), service, 4)
    db.session.commit()
    assert "Pas encore assez d'avis" in text(client.get(f"/services/{service.id}"))
    rate(make_user(), service, 2)
    db.session.commit()
    page = text(client.get(f"/services/{service.id}"))
    assert "Pas encore assez d'avis" not in page and "5 avis" in page
    assert "<svg" in client.get(f"/services/{service.id}").get_data(as_text=True)
    assert "Répartition des notes de satisfaction (données du graphique)" in page
    assert "80\u00a0% des usagers sont satisfaits" in page


def test_scores_are_bayesian_and_ranked_by_wilson(pool, make_user, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "CIVIC_RATING_BURST_MIN", 1000)  # all in one second
    few, many, other = pool
    for _ in range(5):
        rate(make_user(), few, 5)  # 5 perfect ratings
    for i in range(40):
        rate(make_user(), many, 5 if i < 36 else 2)  # 90 % satisfied over 40
    for _ in range(10):
        rate(make_user(), other, 1)
    db.session.commit()
    scores = queries.scores(few)
    assert scores.count == 5 and scores.enough
    all_means = (5 * 5 + 36 * 5 + 4 * 2 + 10 * 1) / 55
    # Pulled towards the type's mean by the prior weight of 5 ratings.
    assert scores.averages["satisfaction"] == pytest.approx((5 * all_means + 25) / 10)
    assert scores.raw_means["satisfaction"] == 5
    ranked = [row.service.name for row in queries.ranking("Piscine")]
    # 36/40 satisfied ranks above 5/5: the small sample's lower bound is lower.
    assert ranked == ["Piscine d'Escalquens", "Piscine de Labège", "Piscine Nautica"]
    assert queries.wilson_lower_bound(5, 5) < queries.wilson_lower_bound(36, 40)


def test_one_rating_per_90_days_replaces(pool, make_user, db):
    user, service = make_user(), pool[0]
    with freeze_time("2026-01-01"):
        rate(user, service, 2)
    with freeze_time("2026-02-01"):
        rate(user, service, 4)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rating)) == 1
    assert db.session.scalar(sa.select(Rating.satisfaction)) == 4
    with freeze_time("2026-05-01"):
        rate(user, service, 3)
    values = db.session.scalars(sa.select(Rating.satisfaction).order_by(Rating.id)).all()
    assert values == [4, 3]


def test_rating_form_errors_and_comment_moderation(client, pool, make_user, db):
    user = make_user()
    log_in(client, user)
    url = f"/services/{pool[0].id}/avis"
    assert client.get(url).status_code == 200
    missing = client.post(url, data={"satisfaction": "5", "comment": "Bien"})
    assert missing.status_code == 422 and "Accueil" in text(missing)
    assert ">Bien</textarea>" in text(missing) or "Bien</textarea>" in text(missing)
    response = client.post(
        url,
        data={
            **{c: "4" for c in CRITERIA},
            "channel": "phone",
            "open_as_announced": "yes",
            "comment": "Accueil aimable, attente longue.",
        },
    )
    assert response.status_code == 303
    rating = db.session.scalar(sa.select(Rating))
    assert rating.comment_status == "pending"
    assert "Accueil aimable" not in text(client.get(f"/services/{pool[0].id}"))
    case = db.session.scalar(sa.select(Case).where(Case.kind == "rating_comment"))
    moderation.decide(make_user("moderator"), [case], "keep")
    db.session.commit()
    assert "Accueil aimable" in text(client.get(f"/services/{pool[0].id}"))


def test_responsible_agent_answers_and_median_time(client, pool, make_user, db):
    service = pool[0]
    author = make_user()
    with freeze_time(utcnow() - timedelta(hours=6)):
        rating = rate(author, service, 2, comment="Vestiaires sales")
        rating.comment_status = "published"
        db.session.commit()
    outsider, agent = make_user("agent"), make_user("agent")
    services.set_responsible(None, agent, service_type="Piscine")
    db.session.commit()
    url = f"/services/{service.id}/avis/{rating.id}/reponse"
    data = {
        "status": "action_started",
        "text": "Nettoyage renforcé dès lundi.",
        "signed_as": "Responsable des piscines",
    }
    log_in(client, outsider)
    assert client.post(url, data=data).status_code == 403
    log_in(client, agent)
    assert client.post(url, data=data).status_code == 303
    page = text(client.get(f"/services/{service.id}"))
    assert "Nettoyage renforcé" in page and "Action engagée" in page
    assert fr("Délai de réponse médian du service : 6 heures") in page
    assert db.session.scalar(sa.select(Notification.user_id)) == author.id


def test_burst_freezes_ratings_and_alerts_moderators(pool, make_user, db, app, monkeypatch):
    moderator = make_user("moderator")
    monkeypatch.setitem(app.config, "CIVIC_RATING_BURST_MIN", 5)
    for _ in range(5):
        rate(make_user(), pool[1], 1)
    assert pool[1].is_frozen
    with pytest.raises(services.RatingError, match="suspendus"):
        rate(make_user(), pool[1], 1)
    assert "Afflux" in db.session.scalar(
        sa.select(Notification.message).where(Notification.user_id == moderator.id)
    )


def test_close_the_loop_with_a_proposal(client, pool, climate, make_user, db):
    log_in(client, make_user("agent"))
    url = f"/gestion/services/{pool[0].id}/proposition"
    form = text(client.get(url))
    assert "Améliorer" in form
    response = client.post(
        url,
        data={
            "consultation_id": climate["consultation"].id,
            "title": "Rénover les vestiaires de la piscine",
            "body": "Les avis signalent des vestiaires vétustes.",
        },
    )
    assert response.status_code == 303
    db.session.refresh(pool[0])
    assert pool[0].proposal is not None
    assert "proposition d'amélioration est ouverte" in text(client.get(f"/services/{pool[0].id}"))


def test_export_suppresses_small_cells(client, pool, make_user, db, app, tmp_path):
    with freeze_time("2026-04-10"):
        for _ in range(6):
            rate(make_user(), pool[0], 4)
        for _ in range(3):
            rate(make_user(), pool[1], 2)
        secret = rate(make_user(), pool[2], 1, comment="Mon voisin M. Dupont râle")
    db.session.commit()
    rows = list(
        csv.DictReader(io.StringIO(export.files()["avis-services-agregats.csv"]), delimiter=";")
    )
    by_service = {r["service"]: r for r in rows}
    assert by_service["Piscine de Labège"]["nombre_avis"] == "6"
    assert by_service["Piscine de Labège"]["satisfaction"] == "4.0"
    assert by_service["Piscine d'Escalquens"]["nombre_avis"] == ""
    assert by_service["Piscine d'Escalquens"]["satisfaction"] == ""
    comments = export.files()["avis-services-commentaires.csv"]
    assert "Dupont" not in comments and secret.comment_status == "pending"
    schema = json.loads(export.files()["avis-services-agregats.schema.json"])
    assert schema["licenses"][0]["name"] == "etalab-2.0"
    assert {f["name"] for f in schema["fields"]} >= set(CRITERIA)
    download = client.get("/donnees-ouvertes/avis-services.csv")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    result = app.test_cli_runner().invoke(
        args=["civic", "ratings", "export", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0 and (tmp_path / "avis-services-agregats.csv").exists()


def test_csv_injection_neutralised():
    from civic.core.opendata import to_csv

    out = to_csv(
        [{"a": '=HYPERLINK("x")', "b": "+33", "c": "@x", "d": "-1", "e": "ok"}],
        ["a", "b", "c", "d", "e"],
    )
    assert out.splitlines()[1] == '"\'=HYPERLINK(""x"")";\'+33;\'@x;\'-1;ok'


def test_import_page_preview_then_confirm(client, make_user, db):
    from io import BytesIO

    log_in(client, make_user("agent"))
    data = (
        "nom;commune;latitude;longitude\nPiscine;Labège;43,54;1,53\n;Labège;43,5;1,5\n"
        "Musée des Augustins;Toulouse;43,6008;1,4466\n"
    )
    preview = client.post(
        "/gestion/services/import",
        data={
            "source": "equipements",
            "format": "auto",
            "file": (BytesIO(data.encode()), "equipements.csv"),
        },
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    page = text(preview)
    assert "1 ligne dans le territoire" in page and "nom manquant" in page
    assert "1 ligne hors territoire (ignorée)" in page and "1 ligne rejetée" in page
    # The fields named in French, the coordinates written with decimal commas.
    assert "<td>Latitude</td>" in page and "<td>lat</td>" not in page
    assert "latitude 43,54, longitude 1,53" in page
    token = page.split('name="token" value="')[1].split('"')[0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Service)) == 0
    done = client.post(
        "/gestion/services/import",
        data={"source": "equipements", "format": "auto", "token": token, "confirm": "1"},
    )
    assert done.status_code == 303
    assert db.session.scalar(sa.select(Service.name)) == "Piscine"
    assert (
        fr("Import terminé : 1 service créé, 0 mis à jour, 0 inchangé, 0 fermé, "
        "1 hors territoire (ignoré), 1 ligne rejetée.") in text(client.get("/services"))
    )
    broken = client.post(
        "/gestion/services/import",
        data={"source": "x", "format": "geojson", "file": (BytesIO(b"{oops"), "x.geojson")},
        content_type="multipart/form-data",
    )
    assert broken.status_code == 422 and "ne peut pas être lu" in text(broken)


def test_ratings_erased_with_the_account_stay_counted(client, pool, make_user, db):
    user = make_user()
    rate(user, pool[0], 3)
    db.session.commit()
    from civic.accounts import services as accounts

    accounts.erase_account(user)
    db.session.commit()
    assert db.session.scalar(sa.select(Rating.user_id)) is None
    assert queries.scores(pool[0]).count == 1


def test_monthly_cells_use_utc_month(pool, make_user, db):
    with freeze_time(utcnow().replace(year=2026, month=6, day=30, hour=23) - timedelta(hours=0)):
        rate(make_user(), pool[0], 5)
    db.session.commit()
    assert queries.monthly_aggregates()[0]["mois"] == "2026-06"


def test_directory_in_french_alphabetical_order(db):
    from civic.ratings.models import Service
    from civic.ratings.queries import directory

    for uid, name in [("1", "Piscine"), ("2", "École de musique"), ("3", "Déchèterie")]:
        db.session.add(Service(source="test", source_id=uid, name=name))
    db.session.flush()
    names = [s.name for s in directory(1).items]
    assert names.index("Déchèterie") < names.index("École de musique") < names.index("Piscine")


def test_the_ranking_opens_on_a_type_with_scores_and_explains_its_two_figures(
    client, pool, make_user, db, app, monkeypatch
):
    monkeypatch.setitem(app.config, "CIVIC_RATING_BURST_MIN", 1000)
    creche = Service(
        source="test",
        source_id="c1",
        name="Crèche Les Lutins",
        type="Crèche",
        commune_id=pool[0].commune_id,
        latitude=43.54,
        longitude=1.53,
    )
    db.session.add(creche)
    db.session.commit()
    page = text(client.get("/services/classement"))
    assert "Aucun service n'a encore 5 avis" in page  # nothing ranked yet, and why
    for i in range(6):
        rate(make_user(), pool[1], 5 if i else 2)
    db.session.commit()
    page = text(client.get("/services/classement"))  # "Crèche" comes first, but is empty
    assert fr("Classement : Piscine") in page and "Piscine d'Escalquens" in page
    assert "Crèche (0 service classé)" in page and "Piscine (1 service classé)" in page
    assert re.search(r"<td[^>]*>83(,3)?\s%</td>", page) and "Pourquoi deux chiffres" in page
    # A literal "%" in a translated sentence: "sûr à 95 % au vu", not "95 {}u vu".
    assert re.search(r"sûr à 95\s% au vu", page) and "{}" not in page
    empty = text(client.get("/services/classement?type=Crèche"))
    assert "Aucun service de ce type n'a encore 5 avis" in empty


def test_a_lone_comment_shows_no_score_before_five_ratings(client, pool, make_user, db):
    rate(make_user(), pool[0], 2, comment="Trop de monde le samedi.").comment_status = "published"
    db.session.commit()
    page = text(client.get(f"/services/{pool[0].id}"))
    assert "Trop de monde le samedi." in page
    assert "Note : 2/5" not in page and "les notes s'affichent à partir de 5 avis" in page


def test_my_contributions_list_my_ratings_with_the_services_answer(
    client, pool, make_user, db, app
):
    citizen, agent = make_user(), make_user("agent")
    rating = rate(citizen, pool[0], 4, comment="Accueil aimable.")
    db.session.commit()
    log_in(client, citizen)
    page = text(client.get("/mes-contributions"))
    assert "Mes avis sur les services" in page and "Piscine de Labège" in page
    assert "4 sur 5" in page and "en attente de modération" in page and "pas encore" in page
    with app.test_request_context():
        services.answer(
            agent, rating, text="Merci pour votre avis.", signed_as="Accueil", status="noted"
        )
    db.session.commit()
    assert "Pris en compte" in text(client.get("/mes-contributions"))


def test_the_map_names_the_communes_and_gives_each_service_its_score(
    app, client, pool, make_user, db
):
    from civic.ratings import queries

    nautica = next(s for s in pool if s.name == "Piscine Nautica")
    with app.test_request_context():
        for _ in range(5):
            rate(make_user(), nautica, value=4)
        rate(make_user(), pool[1] if pool[1] is not nautica else pool[2], value=2)
    db.session.commit()
    payload = client.get("/services/carte.json").get_json()
    labels = {
        f["properties"]["name"]: f["properties"]["label"] for f in payload["communes"]["features"]
    }
    assert len(labels) == 36 and all(len(point) == 2 and point[0] for point in labels.values())
    by_name = {s["name"]: s["score"] for s in payload["services"]}
    # The same score as the service's page, in French number format.
    page = text(client.get(f"/services/{nautica.id}"))
    with app.test_request_context():
        expected = queries.scores(nautica).averages["satisfaction"]
    shown = f"{expected:.1f}".replace(".", ",")
    assert by_name["Piscine Nautica"] == fr(f"Satisfaction globale : {shown} sur 5 (5 avis)")
    assert shown in page
    assert sorted(by_name.values())[0].startswith(("0 avis", "1 avis"))
    english = client.get("/services/carte.json", headers={"Accept-Language": "en"}).get_json()
    assert "out of 5" in {s["name"]: s["score"] for s in english["services"]}["Piscine Nautica"]
