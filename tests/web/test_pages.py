"""Public pages, language switch, htmx fragments and error pages."""

from flask import Blueprint
from sqlalchemy import text as sql

from civic import create_app
from civic.core.catalogues import french_spacing as fr
from civic.core.permissions import always, register, route
from civic.extensions import db
from tests.conftest import app_config, log_in
from tests.web.helpers import text

HX = {"HX-Request": "true"}


def test_home_and_navigation(client):
    page = text(client.get("/"))
    assert '<html lang="fr">' in page
    for label in ("Concertations", "Ateliers", "Services publics", "Aller au contenu"):
        assert label in page
    assert fr("Accessibilité : partiellement conforme") in page
    assert 'id="contenu"' in page and 'aria-label="Menu principal"' in page


def test_home_lists_open_consultations(client, climate):
    page = text(client.get("/"))
    assert "Plan climat" in page and "Propositions et votes" in page


def test_module_indexes_exist_with_empty_states(client):
    for url, empty in [
        ("/concertations", "Aucune concertation"),
        ("/ateliers", "Aucun atelier"),
        ("/services", "Aucun service ne correspond"),
    ]:
        response = client.get(url)
        assert response.status_code == 200 and empty in text(response)
        fragment = client.get(url, headers=HX)
        assert "<html" not in text(fragment) and empty in text(fragment)


def test_legal_pages(client):
    assert "partiellement conforme" in text(client.get("/accessibilite"))
    assert "Défenseur des droits" in text(client.get("/accessibilite"))
    assert "SIREN" in text(client.get("/mentions-legales"))
    assert "CNIL" in text(client.get("/donnees-personnelles"))
    assert "CODEV" in text(client.get("/charte"))


def test_switch_to_english_and_back(client, make_user, db):
    response = client.post("/langue", data={"lang": "en", "next": "/concertations"})
    assert response.status_code == 303 and response.headers["Location"] == "/concertations"
    page = text(client.get("/concertations"))
    assert '<html lang="en">' in page
    assert "Consultations" in page and "Skip to content" in page
    client.post("/langue", data={"lang": "fr", "next": "https://evil.example"})
    assert '<html lang="fr">' in text(client.get("/"))
    # A logged-in user's switch changes the pages, not the language of the account's e-mails.
    user = make_user(locale="fr")
    log_in(client, user)
    client.post("/langue", data={"lang": "en"})
    assert '<html lang="en">' in text(client.get("/"))
    db.session.refresh(user)
    assert user.locale == "fr"


def test_browser_language_is_honoured(client):
    page = text(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}))
    assert '<html lang="en">' in page
    page = text(client.get("/", headers={"Accept-Language": "de"}))
    assert '<html lang="fr">' in page


def test_fragment_only_for_plain_htmx_requests(client, make_user):
    log_in(client, make_user("admin"))
    full = client.get("/gestion/utilisateurs")
    fragment = client.get("/gestion/utilisateurs", headers=HX)
    boosted = client.get("/gestion/utilisateurs", headers={**HX, "HX-Boosted": "true"})
    restore = client.get(
        "/gestion/utilisateurs", headers={**HX, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in text(full) and "<html" in text(boosted) and "<html" in text(restore)
    assert "<html" not in text(fragment) and "<table" in text(fragment)
    for response in (full, fragment):
        assert "HX-Request" in response.headers["Vary"]


def test_404_page_and_fragment(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in text(response) and "<html" in text(response)
    fragment = client.get("/nulle-part", headers=HX)
    assert fragment.status_code == 404 and "<html" not in text(fragment)
    assert "Page introuvable" in text(fragment)


def test_403_page_and_htmx_login_redirect(client, make_user):
    anonymous = client.get("/gestion/utilisateurs", headers=HX)
    assert anonymous.status_code == 401
    assert anonymous.headers["HX-Redirect"].startswith("/compte/connexion?next=")
    log_in(client, make_user())
    response = client.get("/gestion/utilisateurs")
    assert response.status_code == 403 and "Accès refusé" in text(response)


def failing_app(database_url, database=None):
    config = app_config(database or database_url)
    app = create_app(config)
    bp = Blueprint("broken", __name__)
    register("tests.broken", always)

    def crash():
        raise RuntimeError("boom")

    def query():
        db.session.execute(sql("SELECT 1"))
        return "ok"

    route(bp, "/crash", crash, "tests.broken")
    route(bp, "/query", query, "tests.broken")
    app.register_blueprint(bp)
    return app


def test_500_page(database_url):
    client = failing_app(database_url).test_client()
    response = client.get("/crash")
    assert response.status_code == 500
    assert "Erreur du serveur" in text(response) and "boom" not in text(response)
    fragment = client.get("/crash", headers=HX)
    assert fragment.status_code == 500 and "<html" not in text(fragment)


def test_503_when_database_is_down(database_url):
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/civic?connect_timeout=2"
    client = failing_app(database_url, unreachable).test_client()
    response = client.get("/query")
    assert response.status_code == 503
    assert "Service momentanément indisponible" in text(response)
    assert client.get("/charte").status_code == 200  # pages that need no database still answer


def test_pagination_argument_never_errors(client, make_user):
    log_in(client, make_user("admin"))
    for bad in ("0", "-1", "abc", "1e3", "999999999999"):
        assert client.get(f"/gestion/journal?page={bad}").status_code == 404, bad
    assert client.get("/gestion/journal?page=3").status_code == 200


def test_home_lists_upcoming_workshops_and_headline_figures(client, db):
    from datetime import timedelta

    from civic.core.models import utcnow
    from civic.workshops.models import Workshop

    workshop = Workshop(
        title="Atelier mobilités à venir",
        slug="atelier-a-venir",
        purpose="Parler vélo.",
        starts_at=utcnow() + timedelta(days=10),
        published_at=utcnow(),
    )
    db.session.add(workshop)
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Atelier mobilités à venir" in page
    assert "Aucun atelier n&#39;est prévu" not in page
    assert 'class="figures"' in page and "réponse" in page


def test_english_says_reception_for_the_criterion_and_home_for_the_page(app, client):
    from flask_babel import force_locale

    from civic.ratings.models import CRITERIA

    with app.test_request_context("/"), force_locale("en"):
        assert str(CRITERIA["welcome"]) == "Reception"
    client.post("/langue", data={"lang": "en", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert ">Home</a>" in page and "«" not in page
