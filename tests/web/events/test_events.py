"""The agenda through the test client: pages, registration, feeds, management, imports."""

import json
import re
from datetime import timedelta

import sqlalchemy as sa
from icalendar import Calendar

from civic.core.catalogues import french_spacing as fr
from civic.core.models import utcnow
from civic.events.models import Event, Registration
from civic.territory.models import Commune
from tests.web.helpers import last_email, link_in, text


def _commune(db, insee):
    return db.session.scalar(sa.select(Commune).where(Commune.insee == insee))


def _calendar(response) -> list:
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return list(Calendar.from_ical(response.data).walk("VEVENT"))


# --- the agenda ------------------------------------------------------------------------------


def test_agenda_lists_published_events_phases_and_workshops(
    client, db, make_event, climate, make_workshop
):
    make_event(title="Réunion publique à Labège")
    make_event(title="Brouillon secret", publish=False)
    make_workshop(title="Atelier des mobilités")
    page = text(client.get("/agenda"))
    assert "Réunion publique à Labège" in page
    assert "Brouillon secret" not in page
    assert "Atelier des mobilités" in page
    # The current phase of the climate consultation is a date of the agenda too.
    assert "Plan climat — Propositions et votes" in page


def test_agenda_filters(client, db, make_event):
    labege = _commune(db, "31254")
    make_event(title="À Labège", commune_id=labege.id)
    make_event(title="Permanence ailleurs", kind="permanence")
    page = text(client.get("/agenda?commune=31254"))
    assert "À Labège" in page and "Permanence ailleurs" not in page
    page = text(client.get("/agenda?type=permanence"))
    assert "Permanence ailleurs" in page and "À Labège" not in page
    for bad in (
        "commune=99999",
        "commune=%C2%B2",
        "type=fete",
        "concertation=nope",
        "mois=2026-13",
        "page=0",
        "page=%C2%B2",
    ):
        assert client.get("/agenda?" + bad).status_code == 404, bad


def test_agenda_pages_in_sql_and_counts_match(client, db, make_event):
    for i in range(23):
        make_event(
            title=f"Permanence numéro {i:02d}",
            kind="permanence",
            starts_at=utcnow() + timedelta(days=3, hours=i),
            ends_at=utcnow() + timedelta(days=3, hours=i, minutes=30),
        )
    first = text(client.get("/agenda?type=permanence"))
    second = text(client.get("/agenda?type=permanence&page=2"))
    assert "23 dates" in first
    assert "Permanence numéro 00" in first and "Permanence numéro 19" in first
    assert "Permanence numéro 20" in second and "Permanence numéro 00" not in second
    count = db.session.scalar(sa.select(sa.func.count()).where(Event.kind == "permanence"))
    assert count == 23


def test_agenda_month_view_without_javascript(client, db, make_event, climate):
    from civic.core.validators import PARIS

    event = make_event(title="Visite de la station", kind="visite")
    month = event.starts_at.astimezone(PARIS).strftime("%Y-%m")
    body = client.get(f"/agenda?mois={month}").get_data(as_text=True)
    grid = text(client.get(f"/agenda?mois={month}"))
    assert '<table class="table agenda-month">' in body
    day = event.starts_at.astimezone(PARIS).day
    cell = re.search(rf'<td><span class="day">{day}</span>(.*?)</td>', body, re.S).group(1)
    assert "Visite de la station" in cell
    assert "lundi" in grid and "Mois suivant" in grid
    listing = text(client.get(f"/agenda?mois={month}&vue=liste"))
    assert "Visite de la station" in listing and 'agenda-month"' not in listing
    # A consultation stage shows on the day it opens and on the day it closes.
    phase = climate["consultation"].phases[1]
    closing = phase.ends_at.astimezone(PARIS)
    body = client.get(f"/agenda?mois={closing:%Y-%m}").get_data(as_text=True)
    cell = re.search(rf'<td><span class="day">{closing.day}</span>(.*?)</td>', body, re.S)
    assert "Clôture" in cell.group(1)


def test_htmx_gets_only_the_results(client, db, make_event):
    make_event(title="Réunion fragment")
    response = client.get("/agenda?type=reunion", headers={"HX-Request": "true"})
    body = text(response)
    assert "Réunion fragment" in body and "<html" not in body
    assert "HX-Request" in response.headers["Vary"]


# --- an event's page -------------------------------------------------------------------------


def test_event_page_carries_schema_org_data(client, db, make_event):
    event = make_event(title="Réunion </script><script>alert(1)</script>")
    body = client.get(f"/agenda/{event.id}").get_data(as_text=True)
    raw = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', body, re.S)
    data = json.loads(raw.group(1))
    assert data["@type"] == "Event"
    assert data["name"] == event.title
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["startDate"].endswith(("+01:00", "+02:00"))
    assert "<script>alert(1)" not in body


def test_drafts_are_invisible_and_cancellations_shown(client, db, make_event, login, publisher):
    draft = make_event(publish=False)
    assert client.get(f"/agenda/{draft.id}").status_code == 404
    assert client.get(f"/agenda/{2**40}").status_code == 404
    login(publisher)
    assert client.get(f"/agenda/{draft.id}").status_code == 200


def test_dates_are_for_people(client, db, make_event):
    from datetime import UTC, datetime

    start = datetime(2027, 12, 30, 18, 0, tzinfo=UTC)  # 19 h in Paris
    event = make_event(starts_at=start, ends_at=start + timedelta(hours=2))
    page = text(client.get(f"/agenda/{event.id}")).replace("\u00a0", " ")
    # core.formatting's span, as every event of the site writes it.
    assert "jeudi 30 décembre 2027, de 19 h à 21 h" in page
    month = text(client.get("/agenda?mois=2027-12")).replace("\u00a0", " ")
    assert "de 19 h à 21 h" in month and ">lundi</th>" in month
    english = client.get(f"/agenda/{event.id}", headers={"Accept-Language": "en"})
    assert "Thursday 30 December 2027, 7 pm – 9 pm" in text(english).replace("\u00a0", " ")


# --- registration ----------------------------------------------------------------------------


def test_resident_registers_without_account_cancels_and_queue_moves(
    client, db, make_event, make_user, login
):
    event = make_event(capacity=1)
    response = client.post(
        f"/agenda/{event.id}/inscription",
        data={"name": "Claire", "email": "claire@example.org", "commune_id": ""},
    )
    assert response.status_code == 303
    mail = last_email("claire@example.org")
    link = link_in(mail)
    assert link.startswith("/agenda/inscription/")
    # Following the link does not confirm by itself (mail scanners follow links).
    page = text(client.get(link))
    assert "En attente de confirmation" in page
    assert client.post(link + "/confirmation").status_code == 303
    assert "Inscription confirmée" in text(client.get(link))
    # Someone else with an account joins the waiting list in one click.
    other = make_user(email="suivant@example.org")
    login(other)
    client.post(f"/agenda/{event.id}/inscription", data={"account": "1"})
    assert "Sur liste d'attente" in text(client.get(f"/agenda/{event.id}"))
    # Claire cancels from her e-mail's link: the next one gets the seat and is told.
    client.post(link + "/annulation")
    assert "Inscription annulée" in text(client.get(link))
    assert "Une place s'est libérée" in last_email("suivant@example.org").subject
    statuses = dict(
        db.session.execute(
            sa.select(Registration.email, Registration.status).where(
                Registration.event_id == event.id
            )
        ).all()
    )
    assert statuses == {"claire@example.org": "cancelled", "suivant@example.org": "confirmed"}


def test_registration_form_errors_are_announced(client, db, make_event):
    event = make_event()
    response = client.post(f"/agenda/{event.id}/inscription", data={"name": "", "email": "x"})
    assert response.status_code == 422
    assert 'role="alert"' in response.get_data(as_text=True)


def test_closed_registration_and_bad_tokens(client, db, make_event, publisher, app):
    from civic.events import services

    event = make_event()
    with app.test_request_context():
        services.cancel(publisher, event, "Reportée")
    db.session.commit()
    response = client.post(
        f"/agenda/{event.id}/inscription", data={"name": "A", "email": "a@example.org"}
    )
    assert response.status_code == 303
    assert not db.session.scalar(sa.select(Registration).where(Registration.event_id == event.id))
    assert "Cet événement est annulé." in text(client.get(f"/agenda/{event.id}"))
    assert client.get("/agenda/inscription/nope").status_code == 404
    assert client.post("/agenda/inscription/" + "x" * 300 + "/annulation").status_code == 404


# --- feeds -----------------------------------------------------------------------------------


def test_ical_feed_with_filters_sequence_and_cancellation(client, db, make_event, publisher, app):
    from civic.events import services

    labege = _commune(db, "31254")
    meeting = make_event(title="Réunion à Labège", commune_id=labege.id)
    permanence = make_event(title="Permanence", kind="permanence", commune_id=labege.id)
    make_event(title="Ailleurs")
    entries = _calendar(client.get("/agenda.ics?commune=31254&type=reunion"))
    assert [str(e["summary"]) for e in entries] == ["Réunion à Labège"]
    uid = str(entries[0]["uid"])
    assert uid.startswith(f"evenement-{meeting.id}@")
    assert int(entries[0]["sequence"]) == 0
    with app.test_request_context():
        services.cancel(publisher, meeting, "Salle fermée")
    db.session.commit()
    entries = {str(e["uid"]): e for e in _calendar(client.get("/agenda.ics?commune=31254"))}
    assert str(entries[uid]["status"]) == "CANCELLED"
    assert int(entries[uid]["sequence"]) == 1
    assert f"evenement-{permanence.id}@" in " ".join(entries)
    assert entries[uid]["dtstart"].dt == meeting.starts_at


def test_whole_feed_has_phases_and_workshops_with_stable_uids(
    client, db, make_event, climate, make_workshop
):
    workshop = make_workshop()
    make_event()
    uids = [str(e["uid"]) for e in _calendar(client.get("/agenda.ics"))]
    assert any(u.startswith(f"atelier-{workshop.id}@") for u in uids)
    assert any(u.startswith("phase-") for u in uids)
    assert uids == [str(e["uid"]) for e in _calendar(client.get("/agenda.ics"))]


def test_add_to_my_calendar(client, db, make_event):
    event = make_event(title="Visite du centre de tri", kind="visite")
    response = client.get(f"/agenda/{event.id}.ics")
    (entry,) = _calendar(response)
    assert str(entry["summary"]) == "Visite du centre de tri"
    assert "attachment" in response.headers["Content-Disposition"]


# --- management ------------------------------------------------------------------------------


def _event_form(**fields):
    start = (utcnow() + timedelta(days=20)).strftime("%Y-%m-%dT18:30")
    end = (utcnow() + timedelta(days=20)).strftime("%Y-%m-%dT20:30")
    return {
        "kind": "reunion",
        "title": "Réunion publique PLUi",
        "description": "Le zonage expliqué.",
        "starts_at": start,
        "ends_at": end,
        "commune_id": "",
        "place_name": "Salle du conseil",
        "address": "Rue du Lauragais",
        "accessibility": "",
        "online_url": "",
        "organiser_commune_id": "",
        "consultation_id": "",
        "registration": "y",
        "capacity": "30",
        **fields,
    }


def test_agent_creates_publishes_edits_and_cancels(client, db, login, publisher):
    login(publisher)
    response = client.post("/gestion/agenda/nouveau", data=_event_form())
    assert response.status_code == 303
    event = db.session.scalar(sa.select(Event).where(Event.title == "Réunion publique PLUi"))
    assert event.status == "draft"
    assert event.starts_at.astimezone().utcoffset() is not None
    client.post(f"/gestion/agenda/{event.id}/publication")
    assert db.session.get(Event, event.id).status == "published"
    response = client.post(
        f"/gestion/agenda/{event.id}", data=_event_form(title="Réunion publique PLUi (salle B)")
    )
    assert response.status_code == 303
    assert db.session.get(Event, event.id).sequence == 1
    assert (
        client.post(f"/gestion/agenda/{event.id}/annulation", data={"reason": ""}).status_code
        == 422
    )
    client.post(f"/gestion/agenda/{event.id}/annulation", data={"reason": "Intempéries"})
    assert db.session.get(Event, event.id).status == "cancelled"


def test_event_linked_to_a_consultation_stage(client, db, login, publisher, climate):
    login(publisher)
    phase = climate["consultation"].phases[1]
    response = client.post(
        "/gestion/agenda/nouveau", data=_event_form(phase_id=str(phase.id), publish="1")
    )
    assert response.status_code == 303
    event = db.session.scalar(sa.select(Event).where(Event.phase_id == phase.id))
    assert event.consultation_id == climate["consultation"].id
    page = text(client.get(f"/agenda/{event.id}"))
    assert "</a> — Propositions et votes" in page
    filtered = text(client.get("/agenda?concertation=plan-climat&type=reunion"))
    assert event.title in filtered


def test_event_form_refuses_bad_input(client, db, login, publisher):
    login(publisher)
    bad = [
        {"ends_at": _event_form()["starts_at"]},
        {"commune_id": "99999999"},
        {"commune_id": "²"},
        {"organiser_commune_id": "1"},  # not within an agent's scope (no commune)
        {"kind": "fete"},
        {"kind": "en-ligne", "online_url": ""},
    ]
    for fields in bad:
        response = client.post("/gestion/agenda/nouveau", data=_event_form(**fields))
        assert response.status_code == 422, fields
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(Event))


def test_registrations_page_sheet_and_attendance(client, db, login, publisher, make_event, app):
    from civic.events import services

    event = make_event(capacity=5)
    labege = _commune(db, "31254")
    with app.test_request_context():
        reg = services.register(
            event,
            name="Jeanne Martin",
            email="j@example.org",
            entered_by=publisher,
            commune_id=labege.id,
        ).registration
    db.session.commit()
    login(publisher)
    page = text(client.get(f"/gestion/agenda/{event.id}/inscriptions"))
    assert "Jeanne Martin" in page and "Labège" in page
    sheet = text(client.get(f"/gestion/agenda/{event.id}/emargement"))
    assert "Jeanne Martin" in sheet and "Signature" in sheet
    client.post(f"/gestion/agenda/{event.id}/presences", data={"present": [str(reg.id)]})
    assert db.session.get(Registration, reg.id).attended is True
    response = client.post(
        f"/gestion/agenda/{event.id}/inscriptions",
        data={
            "name": "Au téléphone",
            "email": "tel@example.org",
            "commune_id": "",
            "channel": "phone",
        },
    )
    assert response.status_code == 303


def test_citizens_and_other_communes_cannot_manage(client, db, login, make_user, make_event):
    event = make_event()
    login(make_user())
    assert client.get(f"/gestion/agenda/{event.id}").status_code == 403
    assert client.get("/gestion/agenda/nouveau").status_code == 403
    labege = _commune(db, "31254")
    other = make_event(organiser_commune_id=labege.id, actor=make_user("facilitator"))
    login(make_user("agent", commune_id=_commune(db, "31113").id))
    assert client.get(f"/gestion/agenda/{other.id}").status_code == 403
    assert client.get(f"/gestion/agenda/{event.id}").status_code == 200  # the Sicoval's


def test_report_after_the_event(client, db, login, publisher, make_event):
    event = make_event()
    assert client.get(f"/agenda/{event.id}/compte-rendu").status_code == 404
    login(publisher)
    client.post(
        f"/gestion/agenda/{event.id}/compte-rendu",
        data={"report": "<p>Quarante habitants.</p><script>x()</script>", "publish": "y"},
    )
    client.get("/compte/deconnexion")
    with client.session_transaction() as session:
        session.clear()
    body = text(client.get(f"/agenda/{event.id}/compte-rendu"))
    assert "Quarante habitants." in body and "x()" not in body


# --- imports ---------------------------------------------------------------------------------

OPENAGENDA = {
    "total": 2,
    "events": [
        {
            "uid": 48151623,
            "title": {"fr": "Permanence de l'élue à l'habitat"},
            "description": {"fr": "Sans rendez-vous."},
            "location": {
                "name": "Mairie",
                "address": "Place de la Mairie",
                "city": "Labège",
                "postalCode": "31670",
            },
            "timings": [
                {"begin": "2027-01-12T09:00:00+01:00", "end": "2027-01-12T12:00:00+01:00"},
                {"begin": "2027-01-19T09:00:00+01:00", "end": "2027-01-19T12:00:00+01:00"},
            ],
            "status": 1,
        },
        {
            "uid": 42,
            "title": {"fr": "Réunion publique mobilités"},
            "location": {"name": "Salle", "address": "Avenue", "insee": "31113"},
            "timings": [{"begin": "2027-02-03T18:30:00+01:00", "end": "2027-02-03T20:30:00+01:00"}],
            "status": 6,
        },
        {"uid": 7, "title": {"fr": "Sans date"}},
    ],
}


def test_import_page_previews_then_imports_idempotently(client, db, login, publisher):
    import io

    login(publisher)
    data = json.dumps(OPENAGENDA).encode()

    def upload():
        return client.post(
            "/gestion/agenda/import",
            data={
                "source": "openagenda-sicoval",
                "format": "auto",
                "file": (io.BytesIO(data), "export.json"),
            },
            content_type="multipart/form-data",
        )

    preview = upload()
    assert preview.status_code == 200
    page = text(preview)
    assert "3 événements lisibles" in page and "1 élément rejeté" in page
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    for _round in range(2):
        done = client.post(
            "/gestion/agenda/import",
            data={
                "source": "openagenda-sicoval",
                "format": "auto",
                "token": token,
                "filename": "export.json",
                "confirm": "1",
            },
        )
        assert done.status_code == 303
        if _round == 0:
            token = re.search(r'name="token" value="([0-9a-f]+)"', text(upload())).group(1)
    events = list(db.session.scalars(sa.select(Event).order_by(Event.starts_at)))
    assert len(events) == 3
    assert events[0].commune.insee == "31254" and events[0].kind == "permanence"
    assert events[2].status == "cancelled" and events[2].commune.insee == "31113"


def test_agenda_in_open_data_without_personal_data(client, db, make_event, app):
    from civic.events import services

    event = make_event()
    with app.test_request_context():
        services.register(event, name="Nom Secret", email="secret@example.org")
    db.session.commit()
    response = client.get("/donnees-ouvertes/agenda.csv")
    body = response.get_data(as_text=True)
    assert response.status_code == 200, response.status_code
    assert event.title in body
    api = client.get("/api/v1/agenda").get_json()
    assert [row["titre"] for row in api["data"]] == [event.title]
    assert api["data"][0]["liste_attente"] == 0
    assert "secret@example.org" not in body and "Nom Secret" not in body


def test_registration_with_odd_commune_values(client, db, make_event):
    event = make_event(capacity=5)
    for i, value in enumerate(("99999999", "²", "-1", "abc")):
        response = client.post(
            f"/agenda/{event.id}/inscription",
            data={"name": "A", "email": f"odd{i}@example.org", "commune_id": value},
        )
        assert response.status_code == 303, value
    communes = db.session.scalars(
        sa.select(Registration.commune_id).where(Registration.event_id == event.id)
    )
    assert set(communes) == {None}


def test_account_click_takes_the_seat_of_a_pending_registration(
    client, db, make_event, make_user, login
):
    event = make_event(capacity=5)
    user = make_user(email="deja@example.org")
    client.post(
        f"/agenda/{event.id}/inscription",
        data={"name": "Moi", "email": "deja@example.org", "commune_id": ""},
    )
    login(user)
    client.post(f"/agenda/{event.id}/inscription", data={"account": "1"})
    page = text(client.get(f"/agenda/{event.id}"))
    assert fr("Votre inscription : Inscription confirmée.") in page
    assert "Votre inscription est enregistrée." in page
    db.session.expire_all()
    assert db.session.get(Event, event.id).seats_taken == 1
