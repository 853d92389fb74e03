"""More of the agenda in a real browser, with and without JavaScript: an agent publishes a
weekly permanence with a day left out, gives it a cover image and a document; residents find
its dates on /agenda (list and month) and its files on its page. At a public meeting, paper
contributions are typed in and show in the meeting's report. With JavaScript, axe checks
every page on the way.

Everything lives in the live server's database and is deleted after.
"""

import secrets
import struct
import zlib
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from civic.accounts.models import RoleGrant, User
from civic.consultations.models import Consultation
from civic.core.models import utcnow
from civic.core.validators import PARIS
from civic.events import services
from civic.extensions import db as _db
from tests.e2e.conftest import LiveServer, log_in, unique_email
from tests.e2e.test_consultations_journey import flash, live_consultations  # noqa: F401
from tests.e2e.test_events_journey import cleanup  # noqa: F401
from tests.e2e.test_moderation_journey import check_axe

pytestmark = pytest.mark.e2e


def _png() -> bytes:
    """A real 1×1 image, as a browser draws it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x2a\x6e\x3c")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_weekly_permanence_with_cover_and_documents(
    page: Page,
    live_server: LiveServer,
    live_users,
    js: bool,
    cleanup,  # noqa: F811
):
    title = f"Permanence de l'élue à l'habitat {secrets.token_hex(3)}"
    cleanup.append(title)
    agent = live_users.create(unique_email("agent"), grants=[RoleGrant(role="agent")])
    today = utcnow().astimezone(PARIS).date()
    first = today + timedelta(days=(1 - today.weekday()) % 7 or 7)  # next Tuesday
    log_in(page, *agent)
    page.goto("/gestion/agenda/nouveau")
    page.get_by_label("Type").select_option("permanence")
    page.get_by_label("Titre").fill(title)
    page.get_by_label("Début (heure de Paris)").fill(f"{first.isoformat()}T09:00")
    page.get_by_label("Fin (heure de Paris)").fill(f"{first.isoformat()}T12:00")
    page.get_by_label("Nom du lieu").fill("Mairie")
    page.get_by_label("Répétition", exact=True).select_option("weekly")
    page.get_by_label("Dernier jour de la série").fill((first + timedelta(weeks=5)).isoformat())
    page.get_by_label("Sauf les jours suivants").fill(
        (first + timedelta(weeks=2)).strftime("%d/%m/%Y")
    )
    page.get_by_role("button", name="Enregistrer et publier").click()
    expect(flash(page, "L'événement est enregistré.")).to_be_visible()

    # A cover image, refused without its text alternative, then taken with it.
    page.get_by_label("Image de couverture (PNG").set_input_files(
        {"name": "mairie.png", "mimeType": "image/png", "buffer": _png()}
    )
    page.get_by_role("button", name="Ajouter l'image").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check_axe(page, js)
    page.get_by_label("Image de couverture (PNG").set_input_files(
        {"name": "mairie.png", "mimeType": "image/png", "buffer": _png()}
    )
    page.get_by_label("Texte alternatif de l'image").fill("La mairie, vue de la place")
    page.get_by_role("button", name="Ajouter l'image").click()
    expect(flash(page, "L'image est enregistrée.")).to_be_visible()
    page.get_by_label("Titre du document").fill("Plan d'accès")
    page.get_by_label("Fichier (PDF").set_input_files(
        {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"x" * 2000}
    )
    page.get_by_role("button", name="Ajouter le document").click()
    expect(flash(page, "Le document est ajouté.")).to_be_visible()
    check_axe(page, js)
    page.get_by_role("button", name="Se déconnecter").click()

    # Residents see each date of the series, in the list and in the month.
    page.goto("/agenda?type=permanence")
    expect(page.get_by_role("link", name=title)).to_have_count(5)
    check_axe(page, js)
    page.goto(f"/agenda?type=permanence&mois={first.strftime('%Y-%m')}")
    in_month = [first + timedelta(weeks=n) for n in (0, 1, 3, 4, 5)]
    expected = len([d for d in in_month if d.month == first.month])
    expect(page.get_by_role("link", name=title)).to_have_count(expected)
    check_axe(page, js)
    page.get_by_role("link", name=title).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("img", name="La mairie, vue de la place")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Chaque semaine, le mardi")
    expect(page.get_by_role("link", name="Plan d'accès")).to_be_visible()
    expect(page.locator(".documents")).to_contain_text("(PDF, 2,0\u00a0Ko)")
    check_axe(page, js)


def test_paper_contributions_of_a_public_meeting(
    page: Page,
    live_server: LiveServer,
    live_users,
    live_consultations,  # noqa: F811
    js: bool,
    cleanup,  # noqa: F811
):
    consultation = live_consultations.create()
    title = f"Réunion publique des mobilités {secrets.token_hex(3)}"
    cleanup.append(title)
    agent = live_users.create(unique_email("agent"), grants=[RoleGrant(role="agent")])
    with live_server.app.test_request_context():
        actor = _db.session.scalar(sa.select(User).where(User.email == agent[0]))
        consultation_id = _db.session.scalar(
            sa.select(Consultation.id).where(Consultation.slug == consultation.slug)
        )
        start = utcnow() - timedelta(hours=1)
        event = services.save_event(
            actor,
            None,
            kind="reunion",
            title=title,
            description="",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            commune_id=None,
            place_name="Salle des fêtes",
            address="",
            accessibility="",
            online_url="",
            organiser_commune_id=None,
            consultation_id=consultation_id,
            phase_id=None,
            registration=False,
            capacity=None,
        )
        services.publish(actor, event)
        _db.session.commit()
        event_id = event.id
        _db.session.remove()
    log_in(page, *agent)
    page.goto(f"/gestion/agenda/{event_id}")
    page.get_by_role("link", name="Contributions recueillies sur papier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Contributions recueillies sur papier"
    )
    page.get_by_role("button", name="Enregistrer la contribution").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check_axe(page, js)
    page.get_by_label("Titre de votre proposition").fill("Un abri vélo à la gare")
    page.get_by_label("Votre proposition", exact=True).fill(
        "Écrit sur la fiche : un abri couvert et fermé."
    )
    # The first text embedded by the server process may wait for the encoder to load.
    page.get_by_role("button", name="Enregistrer la contribution").click(timeout=60_000)
    expect(flash(page, "est enregistrée")).to_be_visible()
    expect(page.get_by_role("heading", name="1 contribution saisie")).to_be_visible()
    check_axe(page, js)
    page.goto(f"/gestion/agenda/{event_id}/compte-rendu")
    page.get_by_label("Compte rendu", exact=True).fill("Trente habitants sont venus.")
    page.get_by_label("Publier le compte rendu").check()
    page.get_by_role("button", name="Enregistrer").click()
    page.goto(f"/agenda/{event_id}/compte-rendu")
    expect(page.locator("main")).to_contain_text("1 contribution recueillie sur papier")
    expect(page.get_by_role("link", name="Un abri vélo à la gare")).to_be_visible()
    check_axe(page, js)
