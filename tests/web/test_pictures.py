"""Pictures: a workshop's cover set on its form, a public service's own picture or its type's
drawing, and the demo, where every consultation, workshop, event and service has one."""

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from civic.accounts.models import RoleGrant
from civic.core import uploads
from civic.core.permissions import can
from civic.ratings import pictures
from civic.ratings import services as rating_services
from civic.ratings.models import Service
from civic.territory.models import Commune
from civic.workshops.models import Workshop
from tests.conftest import log_in
from tests.web.helpers import text

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 32
STATIC = Path(__file__).resolve().parents[2] / "static"


def _form(workshop: Workshop, **extra) -> dict:
    """The workshop's form as the facilitator sends it back, with the cover's fields."""
    return {
        "title": workshop.title,
        "purpose": workshop.purpose,
        "starts_at": "2027-03-15T18:30",
        "duration_minutes": "150",
        "mode": "onsite",
        "address": workshop.address,
        "capacity": "30",
        "tables": "1",
        "seats_elected": "2",
        "seats_technician": "2",
        "seats_citizen": "6",
        "call_closes_at": "2027-03-01T12:00",
        **extra,
    }


def _send(client, workshop, data=None, name="salle.png", headers=None, **extra):
    fields = _form(workshop, **extra)
    if data is not None:
        fields["cover"] = (io.BytesIO(data), name)
    return client.post(
        f"/gestion/ateliers/{workshop.id}",
        data=fields,
        content_type="multipart/form-data",
        headers=headers or {},
    )


def _image_tag(page: str, src: str) -> str:
    found = re.search(r'<img [^>]*src="' + re.escape(src) + r'"[^>]*>', page)
    assert found, f"no picture {src}"
    return found.group(0)


def test_workshop_cover_is_checked_and_nothing_typed_is_lost(client, db, make_workshop):
    workshop = make_workshop()
    log_in(client, workshop.facilitator)
    page = text(client.get(f"/gestion/ateliers/{workshop.id}"))
    assert 'enctype="multipart/form-data"' in page

    no_alt = _send(client, workshop, PNG, title="Atelier mobilités douces", cover_alt="")
    page = text(no_alt)
    assert no_alt.status_code == 422
    assert "Décrivez l'image en quelques mots (texte alternatif)." in page
    # What was typed is kept; the file, which no browser sends twice, is asked for again.
    assert 'value="Atelier mobilités douces"' in page
    assert "choisissez-la de nouveau" in page

    not_image = _send(client, workshop, b"<svg onload=alert(1)>", cover_alt="Une salle")
    assert not_image.status_code == 422
    assert "L'image doit être au format PNG, JPEG ou WebP." in text(not_image)
    assert 'value="Une salle"' in text(not_image)
    too_big = _send(client, workshop, PNG + b"\0" * uploads.MAX_IMAGE_BYTES, cover_alt="Une salle")
    assert too_big.status_code == 422 and "Le fichier dépasse 5 Mo." in text(too_big)
    workshop.facilitator.locale = "en"
    db.session.commit()
    english = _send(client, workshop, b"GIF89a", cover_alt="A room")
    assert "The image must be in PNG, JPEG or WebP format." in text(english)
    workshop.facilitator.locale = "fr"
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Workshop, workshop.id).cover_filename is None
    # A refused cover saves nothing of the rest of the form either.
    assert db.session.get(Workshop, workshop.id).title == "Atelier mobilités"

    # Another field in error: the cover is not kept, the page says to choose it again.
    other = _send(client, workshop, PNG, cover_alt="Une salle", capacity="2")
    assert other.status_code == 422 and "choisissez-la de nouveau" in text(other)
    assert db.session.get(Workshop, workshop.id).cover_filename is None


def test_workshop_cover_shown_with_its_alt_text_replaced_and_removed(client, db, make_workshop):
    workshop = make_workshop()
    log_in(client, workshop.facilitator)
    alt = "Des vélos garés devant la salle des fêtes"
    assert _send(client, workshop, PNG, cover_alt=alt).status_code == 303
    db.session.expire_all()
    workshop = db.session.get(Workshop, workshop.id)
    first = uploads.upload_dir() / workshop.cover_filename
    assert first.exists() and workshop.cover_alt == alt
    src = f"/ateliers/{workshop.slug}/couverture"
    image = client.get(src)
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"

    client.post("/deconnexion")
    for url in ("/ateliers", f"/ateliers/{workshop.slug}", "/"):
        tag = _image_tag(text(client.get(url)), src)
        assert f'alt="{alt}"' in tag
        assert 'width="1200"' in tag and 'height="480"' in tag
    assert 'loading="lazy"' in _image_tag(text(client.get("/ateliers")), src)

    log_in(client, workshop.facilitator)
    # The text alternative alone may change; it may not be emptied while the image stays.
    assert _send(client, workshop, cover_alt="Des vélos").status_code == 303
    assert _send(client, workshop, cover_alt="").status_code == 422
    db.session.expire_all()
    assert db.session.get(Workshop, workshop.id).cover_alt == "Des vélos"
    # Replaced: the old file goes.
    assert _send(client, workshop, JPEG, cover_alt="Une salle").status_code == 303
    assert not first.exists()
    db.session.expire_all()
    second = uploads.upload_dir() / db.session.get(Workshop, workshop.id).cover_filename
    assert _send(client, workshop, cover_alt="Une salle", remove_cover="y").status_code == 303
    db.session.expire_all()
    workshop = db.session.get(Workshop, workshop.id)
    assert workshop.cover_filename is None and workshop.cover_alt == ""
    assert not second.exists()
    assert client.get(src).status_code == 404
    assert "/couverture" not in text(client.get("/ateliers"))


def test_only_the_workshops_facilitators_set_its_cover(client, db, make_user, make_workshop):
    labege = db.session.scalar(sa.select(Commune).where(Commune.insee == "31254"))
    other = db.session.scalar(sa.select(Commune).where(Commune.insee == "31113"))
    workshop = make_workshop(commune_id=labege.id)
    local = make_user("citizen")
    local.grants.append(RoleGrant(role="facilitator", communes=[labege]))
    elsewhere = make_user("citizen")
    elsewhere.grants.append(RoleGrant(role="facilitator", communes=[other]))
    db.session.commit()
    assert can(workshop.facilitator, "workshops.set_cover", workshop)
    assert can(local, "workshops.set_cover", workshop)
    assert not can(elsewhere, "workshops.set_cover", workshop)
    for role in ("citizen", "agent", "elected", "moderator"):
        assert not can(make_user(role), "workshops.set_cover", workshop)
    log_in(client, elsewhere)
    assert _send(client, workshop, PNG, cover_alt="Une salle").status_code == 403
    log_in(client, make_user("agent"))
    assert _send(client, workshop, PNG, cover_alt="Une salle").status_code == 403
    db.session.expire_all()
    assert db.session.get(Workshop, workshop.id).cover_filename is None


# --- public services ---------------------------------------------------------------------------


@pytest.fixture
def pool_service(db):
    labege = db.session.scalar(sa.select(Commune).where(Commune.insee == "31254"))
    service = Service(
        source="test",
        source_id="pool",
        name="Piscine de Labège",
        type="Piscine",
        commune_id=labege.id,
        latitude=43.54,
        longitude=1.53,
    )
    db.session.add(service)
    db.session.commit()
    return service


def _picture(client, service, data, alt="Le grand bassin vu des gradins", headers=None):
    return client.post(
        f"/gestion/services/{service.id}/image",
        data={"picture": (io.BytesIO(data), "bassin.png"), "picture_alt": alt},
        content_type="multipart/form-data",
        headers=headers or {},
    )


def test_a_service_without_picture_shows_its_types_drawing_as_decoration(client, pool_service):
    drawing = "/static/img/services/piscine.png"
    for url in ("/services", f"/services/{pool_service.id}"):
        tag = _image_tag(text(client.get(url)), drawing)
        assert 'alt=""' in tag and 'width="1200"' in tag
    assert 'loading="lazy"' in _image_tag(text(client.get("/services")), drawing)
    point = client.get("/services/carte.json").get_json()["services"][0]
    assert point["picture"] == drawing and point["picture_alt"] == ""
    assert "picture_filename" not in point
    assert client.get(f"/services/{pool_service.id}/image").status_code == 404


def test_the_agent_answering_for_a_service_sets_its_picture(client, db, make_user, pool_service):
    service = pool_service
    url = f"/gestion/services/{service.id}/image"
    responsible, outsider = make_user("agent"), make_user("agent")
    rating_services.set_responsible(None, responsible, service_type="Piscine")
    db.session.commit()
    log_in(client, make_user("citizen"))
    assert client.get(url).status_code == 403
    log_in(client, outsider)
    assert client.get(url).status_code == 403
    assert _picture(client, service, PNG).status_code == 403
    assert "Ajouter une photo du service" not in text(client.get(f"/services/{service.id}"))

    log_in(client, responsible)
    assert "Ajouter une photo du service" in text(client.get(f"/services/{service.id}"))
    no_alt = _picture(client, service, PNG, alt="")
    assert no_alt.status_code == 422 and "texte alternatif" in text(no_alt)
    refused = _picture(client, service, b"%PDF-1.7", alt="Le bassin")
    assert refused.status_code == 422 and "PNG, JPEG ou WebP" in text(refused)
    assert 'value="Le bassin"' in text(refused)
    responsible.locale = "en"
    db.session.commit()
    english = _picture(client, service, b"%PDF-1.7")
    assert "The image must be in PNG, JPEG or WebP format." in text(english)
    assert "Describe the image" in text(_picture(client, service, PNG, alt=""))
    responsible.locale = "fr"
    db.session.commit()
    assert db.session.get(Service, service.id).picture_filename is None

    assert _picture(client, service, PNG).status_code == 303
    db.session.expire_all()
    service = db.session.get(Service, service.id)
    stored = uploads.upload_dir() / service.picture_filename
    src = f"/services/{service.id}/image"
    for page in ("/services", f"/services/{service.id}"):
        tag = _image_tag(text(client.get(page)), src)
        assert 'alt="Le grand bassin vu des gradins"' in tag
    assert client.get(src).mimetype == "image/png"
    point = client.get("/services/carte.json").get_json()["services"][0]
    assert point["picture"] == src and point["picture_alt"] == "Le grand bassin vu des gradins"

    log_in(client, outsider)
    assert client.post(url + "/suppression").status_code == 403
    log_in(client, responsible)
    assert client.post(url + "/suppression").status_code == 303
    assert not stored.exists()
    db.session.expire_all()
    assert db.session.get(Service, service.id).picture_filename is None
    assert "/static/img/services/piscine.png" in text(client.get(f"/services/{service.id}"))


def test_a_communes_agent_sets_the_pictures_of_its_communes_services(db, make_user, pool_service):
    labege = db.session.get(Commune, pool_service.commune_id)
    other = db.session.scalar(sa.select(Commune).where(Commune.insee == "31113"))
    local, elsewhere = make_user("citizen"), make_user("citizen")
    local.grants.append(RoleGrant(role="agent", communes=[labege]))
    elsewhere.grants.append(RoleGrant(role="agent", communes=[other]))
    db.session.commit()
    assert can(local, "ratings.set_picture", pool_service)
    assert not can(elsewhere, "ratings.set_picture", pool_service)
    assert can(make_user("admin"), "ratings.set_picture", pool_service)
    assert not can(make_user("facilitator"), "ratings.set_picture", pool_service)


@pytest.mark.parametrize(
    ("service_type", "kind"),
    [
        ("Piscine", "piscine"),
        ("Centre aquatique intercommunal", "piscine"),
        ("Médiathèque", "mediatheque"),
        ("Bibliothèque municipale", "mediatheque"),
        ("Crèche", "creche"),
        ("Multi-accueil petite enfance", "creche"),
        ("Déchèterie", "decheterie"),
        ("DECHETTERIE", "decheterie"),
        ("Accueil de mairie", "mairie"),
        ("Hôtel de ville", "mairie"),
        ("École élémentaire", "ecole"),
        ("Gymnase", "sport"),
        ("Bureau de poste", "service"),
        ("", "service"),
    ],
)
def test_each_type_of_service_has_its_drawing(service_type, kind):
    assert pictures.kind_of(service_type) == kind


@pytest.mark.parametrize("kind", pictures.ALL)
def test_the_drawings_exist_in_the_cover_format_and_stay_small(kind):
    path = STATIC / "img" / "services" / f"{kind}.png"
    assert path.stat().st_size < 60 * 1024
    with Image.open(path) as image:
        assert image.size == (pictures.WIDTH, pictures.HEIGHT)


# --- the demo ----------------------------------------------------------------------------------


def test_in_the_demo_everything_has_its_picture(app, client, db):
    from civic.consultations.models import Consultation
    from civic.demo import load_demo
    from civic.events.models import Event

    with app.test_request_context():
        load_demo()
    db.session.commit()
    # Every consultation, workshop and event: its own picture, described, served.
    items = [
        *(
            (c, f"/concertations/{c.slug}/couverture")
            for c in db.session.scalars(sa.select(Consultation))
        ),  # noqa: E501
        *((w, f"/ateliers/{w.slug}/couverture") for w in db.session.scalars(sa.select(Workshop))),
        *((e, f"/agenda/{e.id}/couverture") for e in db.session.scalars(sa.select(Event))),
    ]
    assert len(items) >= 9
    names = set()
    for item, url in items:
        assert item.cover_filename, item.title
        assert item.cover_alt.startswith("Dessin : "), item.title
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "image/png", item.title
        names.add(response.get_data())
    assert len(names) == len(items)  # each its own drawing
    # Every service: its own picture or the drawing of its type, never the generic one.
    services = list(db.session.scalars(sa.select(Service)))
    assert services
    for service in services:
        assert service.picture_filename or pictures.kind_of(service.type) != pictures.GENERIC
    # The agenda's cards show the events' covers, with their descriptions.
    meeting = db.session.scalar(
        sa.select(Event).where(Event.title.startswith("Réunion publique : le plan"))
    )
    agenda = text(client.get("/agenda"))
    tag = _image_tag(agenda, f"/agenda/{meeting.id}/couverture")
    assert f'alt="{meeting.cover_alt}"' in tag.replace("&#39;", "'")
    listing = text(client.get("/services"))
    for kind in {pictures.kind_of(s.type) for s in services}:
        assert f"/static/img/services/{kind}.png" in listing


def test_a_new_import_of_the_service_keeps_its_picture(app, db, make_user):
    from civic.ratings import importer
    from tests.unit.test_ratings_import import scdl_file, scdl_row

    row = scdl_row("P-1", "Piscine de Labège", "Labège", "43,54", "1,53")
    rating_services.import_services(None, "sicoval", importer.parse(scdl_file([row])))
    service = db.session.scalar(sa.select(Service).where(Service.source_id == "P-1"))
    with app.test_request_context():
        rating_services.set_picture(make_user("admin"), service, PNG, "Le bassin")
    db.session.commit()
    renamed = row.replace("Piscine de Labège", "Centre aquatique de Labège")
    report = rating_services.import_services(None, "sicoval", importer.parse(scdl_file([renamed])))
    assert report.updated == 1
    db.session.expire_all()
    service = db.session.get(Service, service.id)
    assert service.name == "Centre aquatique de Labège"
    assert service.picture_filename and service.picture_alt == "Le bassin"
