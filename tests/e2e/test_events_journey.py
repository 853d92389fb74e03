"""The agenda in a real browser, with and without JavaScript: a commune's agent publishes a
meeting with registration (one seat); a resident registers without an account and confirms
from the e-mail; a second one lands on the waiting list; the first cancels from her link and
the second gets the seat and is told; the reminder goes out; the feed, filtered by commune and
type, carries the meeting. With JavaScript, axe checks the agenda and the event page.

The meeting and its registrations live in the live server's database and are deleted after.
"""

import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar
from playwright.sync_api import Page, expect

from civic.accounts.models import RoleGrant
from civic.core.models import utcnow
from civic.core.notify import OutboxEmail
from civic.core.validators import PARIS
from civic.events import services
from civic.events.models import Event, Registration
from civic.extensions import db as _db
from civic.territory.models import Commune
from tests.e2e.conftest import LiveServer, log_in, unique_email
from tests.e2e.test_consultations_journey import flash
from tests.e2e.test_moderation_journey import check_axe

pytestmark = pytest.mark.e2e


@pytest.fixture
def cleanup(live_server: LiveServer):
    titles: list[str] = []
    yield titles
    with live_server.app.app_context():
        ids = list(_db.session.scalars(sa.select(Event.id).where(Event.title.in_(titles))))
        emails = list(
            _db.session.scalars(sa.select(Registration.email).where(Registration.event_id.in_(ids)))
        )
        _db.session.execute(sa.delete(OutboxEmail).where(OutboxEmail.to_address.in_(emails)))
        _db.session.execute(sa.delete(Registration).where(Registration.event_id.in_(ids)))
        _db.session.execute(sa.delete(Event).where(Event.id.in_(ids)))
        _db.session.commit()
        _db.session.remove()


def _labege_id(server: LiveServer) -> int:
    ((commune_id,),) = server.query(sa.select(Commune.id).where(Commune.insee == "31254"))
    return commune_id


def _register(page: Page, server: LiveServer, event_url: str, name: str) -> str:
    """Register without an account and confirm from the e-mail; returns the e-mail's link."""
    email = unique_email("resident")
    page.goto(event_url)
    page.get_by_label("Nom").fill(name)
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_role("button", name="M'inscrire", exact=True).click()
    expect(flash(page, "Un e-mail vient d'être envoyé")).to_be_visible()
    link = server.link_in_last_email(email, "/agenda/inscription/")
    page.goto(link)
    expect(page.locator("#situation")).to_contain_text("En attente de confirmation")
    page.get_by_role("button", name="Confirmer mon inscription").click()
    return link


def test_meeting_with_registration_waiting_list_and_feed(
    page: Page, live_server: LiveServer, live_users, js: bool, cleanup, browser
):
    title = f"Réunion publique sur la voirie {secrets.token_hex(3)}"
    cleanup.append(title)
    labege = _labege_id(live_server)
    agent = live_users.create(
        unique_email("agent"), grants=[RoleGrant(role="agent")], commune_id=labege
    )

    # The commune's agent publishes the meeting, with one seat.
    log_in(page, *agent)
    page.goto("/gestion/agenda/nouveau")
    start = (utcnow() + timedelta(days=15)).astimezone(PARIS).replace(hour=19, minute=0)
    page.get_by_label("Type").select_option("reunion")
    page.get_by_label("Titre").fill(title)
    page.get_by_label("Description").fill(
        "Les travaux de la rue principale, présentés et discutés."
    )
    page.get_by_label("Début (heure de Paris)").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Fin (heure de Paris)").fill(
        (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Commune du lieu").select_option(label="Labège")
    page.get_by_label("Nom du lieu").fill("Salle des fêtes")
    page.get_by_label("Organisateur").select_option(label="Commune de Labège")
    page.get_by_label("Inscription demandée").check()
    page.get_by_label("Nombre de places").fill("1")
    page.get_by_role("button", name="Enregistrer et publier").click()
    expect(flash(page, "L'événement est enregistré.")).to_be_visible()
    page.get_by_role("button", name="Se déconnecter").click()

    # The agenda, filtered by commune then by type, lists it.
    page.goto("/agenda")
    page.get_by_label("Commune").select_option("31254")
    if not js:
        page.get_by_role("button", name="Filtrer").click()
    page.get_by_label("Type").select_option("reunion")
    if not js:
        page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("link", name=title)).to_be_visible()
    check_axe(page, js)
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    event_url = page.url
    check_axe(page, js)

    # Two residents without an account: the first has the seat, the second waits.
    first = _register(page, live_server, event_url, "Claire Durand")
    expect(page.locator("#situation")).to_contain_text("Inscription confirmée")
    second = _register(page, live_server, event_url, "Karim Haddad")
    expect(page.locator("#situation")).to_contain_text("Sur liste d'attente")
    expect(page.locator("#situation")).to_contain_text("Rang sur la liste d'attente : 1.")

    # The first cancels from her e-mail: the second gets the seat and an e-mail.
    page.goto(first)
    page.get_by_role("button", name="Annuler mon inscription").click()
    expect(page.locator("#situation")).to_contain_text("Inscription annulée")
    page.goto(second)
    expect(page.locator("#situation")).to_contain_text("Inscription confirmée")
    ((second_email,),) = live_server.query(
        sa.select(Registration.email)
        .where(Registration.name == "Karim Haddad", Registration.status == "confirmed")
        .order_by(Registration.id.desc())
        .limit(1)
    )
    assert "Une place s'est libérée" in live_server.outbox(second_email)[-1]

    # The reminder, the day before.
    with live_server.app.test_request_context():
        event = _db.session.scalar(sa.select(Event).where(Event.title == title))
        services.send_reminders(now=event.starts_at - timedelta(hours=20))
        _db.session.commit()
        _db.session.remove()
    assert "Rappel" in live_server.outbox(second_email)[-1]

    # The filtered feed carries the meeting, as a calendar reads it.
    response = page.request.get("/agenda.ics?commune=31254&type=reunion")
    entries = Calendar.from_ical(response.body()).walk("VEVENT")
    assert title in [str(e["summary"]) for e in entries]


def test_management_pages_pass_axe(
    page: Page, live_server: LiveServer, live_users, js: bool, cleanup
):
    if not js:
        pytest.skip("axe needs JavaScript; the journey above runs these forms without it")
    title = f"Permanence de l'élu {secrets.token_hex(3)}"
    cleanup.append(title)
    agent = live_users.create(unique_email("agent"), grants=[RoleGrant(role="agent")])
    with live_server.app.test_request_context():
        start = utcnow() + timedelta(days=3)
        from civic.accounts.models import User

        actor = _db.session.scalar(sa.select(User).where(User.email == agent[0]))
        event = services.save_event(
            actor,
            None,
            kind="permanence",
            title=title,
            description="",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            commune_id=None,
            place_name="Mairie",
            address="",
            accessibility="",
            online_url="",
            organiser_commune_id=None,
            consultation_id=None,
            phase_id=None,
            registration=True,
            capacity=10,
        )
        services.publish(actor, event)
        services.register(
            event,
            name="Jeanne Martin",
            email=unique_email("sheet"),
            entered_by=actor,
            channel="counter",
        )
        _db.session.commit()
        event_id = event.id
        _db.session.remove()
    log_in(page, *agent)
    for path in (
        "/gestion/agenda",
        "/gestion/agenda/nouveau",
        f"/gestion/agenda/{event_id}",
        f"/gestion/agenda/{event_id}/inscriptions",
        f"/gestion/agenda/{event_id}/emargement",
        f"/gestion/agenda/{event_id}/annulation",
        f"/gestion/agenda/{event_id}/compte-rendu",
        "/gestion/agenda/import",
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        check_axe(page, js)
    # The event form with its errors.
    page.goto("/gestion/agenda/nouveau")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".error-summary")).to_be_visible()
    check_axe(page, js)
