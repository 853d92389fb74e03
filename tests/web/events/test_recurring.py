"""Recurring permanences: expanded on /agenda (list and month), one VEVENT with RRULE and
EXDATE in the feeds, checked against dateutil's expansion of the same RRULE."""

from datetime import date, timedelta

import sqlalchemy as sa
from dateutil.rrule import rrulestr
from icalendar import Calendar

from civic.core.models import utcnow
from civic.core.validators import PARIS
from civic.events.models import Event, EventOccurrence
from tests.web.helpers import text


def _next_tuesday() -> date:
    today = utcnow().astimezone(PARIS).date()
    return today + timedelta(days=(1 - today.weekday()) % 7 or 7)


def _form(first: date, **fields):
    return {
        "kind": "permanence",
        "title": "Permanence de l'élue à l'habitat",
        "description": "Sans rendez-vous.",
        "starts_at": f"{first.isoformat()}T09:00",
        "ends_at": f"{first.isoformat()}T12:00",
        "commune_id": "",
        "place_name": "Mairie",
        "address": "Place de la Mairie",
        "accessibility": "",
        "online_url": "",
        "organiser_commune_id": "",
        "consultation_id": "",
        "recurrence": "weekly",
        "recurrence_until": (first + timedelta(weeks=5)).isoformat(),
        "exception_days": (first + timedelta(weeks=2)).strftime("%d/%m/%Y"),
        "publish": "1",
        **fields,
    }


def _series(client, db, login, publisher, **fields):
    first = _next_tuesday()
    login(publisher)
    response = client.post("/gestion/agenda/nouveau", data=_form(first, **fields))
    assert response.status_code == 303, text(response)
    event = db.session.scalar(sa.select(Event).where(Event.kind == "permanence"))
    return event, first


def test_a_weekly_permanence_is_listed_date_by_date(client, db, login, publisher):
    event, first = _series(client, db, login, publisher)
    starts = db.session.scalars(
        sa.select(EventOccurrence.starts_at)
        .where(EventOccurrence.event_id == event.id)
        .order_by(EventOccurrence.starts_at)
    ).all()
    # Six Tuesdays, one left out.
    expected = [first + timedelta(weeks=n) for n in (0, 1, 3, 4, 5)]
    assert [s.astimezone(PARIS).date() for s in starts] == expected
    assert all(s.astimezone(PARIS).hour == 9 for s in starts)
    page = text(client.get("/agenda?type=permanence"))
    assert page.count("Permanence de l'élue à l'habitat") == 5
    assert "5 dates" in page
    month = first.strftime("%Y-%m")
    grid = text(client.get(f"/agenda?mois={month}&type=permanence"))
    in_month = [d for d in expected if d.month == first.month]
    assert grid.count("Permanence de l'élue") == len(in_month)
    show = text(client.get(f"/agenda/{event.id}")).replace("\u00a0", " ")
    assert "Chaque semaine, le mardi, de 9 h à 12 h" in show
    assert "Prochaines dates" in show and "Inscription" not in show


def test_the_feed_holds_one_entry_with_its_rule(client, db, login, publisher):
    event, first = _series(client, db, login, publisher)
    for url in ("/agenda.ics", f"/agenda/{event.id}.ics"):
        response = client.get(url)
        cal = Calendar.from_ical(response.data)
        (entry,) = [e for e in cal.walk("VEVENT") if str(e["uid"]).startswith("evenement-")]
        assert str(entry["uid"]).startswith(f"evenement-{event.id}@")
        assert entry["dtstart"].params["TZID"] == "Europe/Paris"
        assert cal.walk("VTIMEZONE"), "the zone the start names is in the file"
        rule = entry["rrule"].to_ical().decode()
        assert rule.startswith("FREQ=WEEKLY") and "BYDAY=TU" in rule
        # A real RRULE engine gives the same dates as the agenda.
        expanded = list(rrulestr(rule, dtstart=entry["dtstart"].dt))
        excluded = {d.dt for d in entry["exdate"].dts}
        assert all(d.hour == 9 for d in expanded)
        dates = [d.date() for d in expanded if d not in excluded]
        assert dates == [first + timedelta(weeks=n) for n in (0, 1, 3, 4, 5)]


def test_changing_the_series_rewrites_its_dates_and_bumps_the_sequence(
    client, db, login, publisher
):
    event, first = _series(client, db, login, publisher)
    sequence = event.sequence
    response = client.post(
        f"/gestion/agenda/{event.id}",
        data=_form(first, recurrence="monthly", exception_days="", publish=""),
    )
    assert response.status_code == 303
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.sequence == sequence + 1
    count = db.session.scalar(
        sa.select(sa.func.count()).where(EventOccurrence.event_id == event.id)
    )
    assert count == 2  # this Tuesday's rank in two months (five weeks ahead)
    edit = text(client.get(f"/gestion/agenda/{event.id}"))
    assert 'value="monthly" selected' in edit or 'selected value="monthly"' in edit


def test_series_errors_keep_what_was_typed(client, db, login, publisher):
    first = _next_tuesday()
    login(publisher)
    bad = [
        {"registration": "y", "capacity": "10"},
        {"recurrence_until": ""},
        {"recurrence_until": (first - timedelta(days=1)).isoformat()},
        {"recurrence_until": (first + timedelta(days=800)).isoformat()},
        {"exception_days": (first + timedelta(days=1)).strftime("%d/%m/%Y")},
        {"exception_days": "le 3 mars"},
        {"recurrence": "daily"},
    ]
    for fields in bad:
        response = client.post("/gestion/agenda/nouveau", data=_form(first, **fields))
        assert response.status_code == 422, fields
        assert "Permanence de l'élue à l'habitat" in text(response)
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(Event))


def test_open_data_gives_the_rule(client, db, login, publisher):
    event, first = _series(client, db, login, publisher)
    rows = {row["id"]: row for row in client.get("/api/v1/agenda").get_json()["data"]}
    rule = rows[event.id]["repetition"]
    assert rule.startswith("RRULE:FREQ=WEEKLY;UNTIL=")
    assert rule.endswith("EXDATE;VALUE=DATE:" + (first + timedelta(weeks=2)).strftime("%Y%m%d"))


def test_search_engines_read_the_schedule(client, db, login, publisher):
    import json
    import re

    event, first = _series(client, db, login, publisher)
    page = client.get(f"/agenda/{event.id}").get_data(as_text=True)
    data = json.loads(re.search(r'ld\+json"[^>]*>(.*?)</script>', page, re.S).group(1))
    schedule = data["eventSchedule"]
    assert schedule["repeatFrequency"] == "P1W"
    assert schedule["byDay"] == "https://schema.org/Tuesday"
    assert (schedule["startTime"], schedule["endTime"]) == ("09:00", "12:00")
    assert schedule["exceptDate"] == [(first + timedelta(weeks=2)).isoformat()]


def test_series_do_not_crowd_other_events_out_of_the_feed(
    client, db, login, publisher, make_event, monkeypatch
):
    from civic.events import views

    event, first = _series(client, db, login, publisher)
    start = utcnow().replace(microsecond=0) + timedelta(days=60)
    meeting = make_event(starts_at=start, ends_at=start + timedelta(hours=2))
    # Two entries fit: the series (five dates) and the meeting.
    monkeypatch.setattr(views, "FEED_LIMIT", 2)
    uids = [
        str(e["uid"]).split("@")[0]
        for e in Calendar.from_ical(client.get("/agenda.ics").data).walk("VEVENT")
        if str(e["uid"]).startswith("evenement-")
    ]
    assert uids == [f"evenement-{event.id}", f"evenement-{meeting.id}"]
