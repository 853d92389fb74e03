"""Reading the territory's agenda files: OpenAgenda JSON and CSV exports, iCalendar."""

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from civic.events import importer, services
from civic.events.models import Event

CSV = (
    "uid;title_fr;description_fr;firstdate_begin;firstdate_end;location_name;"
    "location_address;location_city;location_insee;canonicalurl;status\r\n"
    "901;Visite de la station d'épuration;Sur inscription;2027-04-02T10:00:00+02:00;"
    "2027-04-02T12:00:00+02:00;Station;Chemin de l'Hers;Castanet-Tolosan;31113;"
    "https://openagenda.com/sicoval/events/visite;1\r\n"
    "902;Permanence France Services;;02/04/2027 14:00;02/04/2027 17:00;Mairie;;Labège;;;"
    "Annulé\r\n"
    ";Sans identifiant;;2027-04-02T10:00:00;;;;;;;\r\n"
    "903;Date fausse;;le 2 avril;;;;;;;\r\n"
)

ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Commune//Agenda//FR\r
BEGIN:VEVENT\r
UID:conseil-2027-05@mairie.example\r
DTSTAMP:20270101T000000Z\r
DTSTART;TZID=Europe/Paris:20270512T203000\r
DTEND;TZID=Europe/Paris:20270512T223000\r
SUMMARY:Conseil municipal\r
LOCATION:Salle du conseil\\, Escalquens\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:fete@mairie.example\r
DTSTAMP:20270101T000000Z\r
DTSTART;VALUE=DATE:20270621\r
DTEND;VALUE=DATE:20270622\r
SUMMARY:Fête de la musique\r
STATUS:CANCELLED\r
END:VEVENT\r
END:VCALENDAR\r
""".encode()


def test_openagenda_csv_columns_dates_and_rejections():
    result = importer.parse(CSV.encode(), "auto", "export.csv")
    assert result.format == "csv"
    assert [r["source_id"] for r in result.rows] == ["901", "902"]
    visit, permanence = result.rows
    assert visit["starts_at"] == datetime(2027, 4, 2, 8, 0, tzinfo=UTC)
    assert visit["insee"] == "31113" and visit["kind"] == "visite"
    # French dates without offset are Paris time.
    assert permanence["starts_at"] == datetime(2027, 4, 2, 12, 0, tzinfo=UTC)
    assert permanence["cancelled"] and permanence["kind"] == "permanence"
    assert [r["row"] for r in result.rejected] == [4, 5]
    assert "identifiant" in result.rejected[0]["reason"]


def test_csv_without_known_columns_is_unreadable():
    with pytest.raises(importer.UnreadableFile):
        importer.parse(b"a;b\n1;2\n", "csv")
    with pytest.raises(importer.UnreadableFile):
        importer.parse(b"   ", "auto")


def test_openagenda_json_with_several_timings():
    document = {
        "events": [
            {
                "uid": 5,
                "title": {"fr": "Atelier compost", "en": "Compost workshop"},
                "location": {"city": "Ramonville-Saint-Agne"},
                "timings": [
                    {"begin": "2027-03-01T18:00:00+01:00", "end": "2027-03-01T19:00:00+01:00"},
                    {"begin": "2027-03-08T18:00:00+01:00", "end": "2027-03-08T19:00:00+01:00"},
                ],
            },
            "not an event",
        ]
    }
    result = importer.parse(json.dumps(document).encode())
    assert [r["source_id"] for r in result.rows] == ["5/20270301T1700", "5/20270308T1700"]  # UTC
    assert result.rows[0]["title"] == "Atelier compost"
    assert result.rows[0]["kind"] == "atelier"
    assert result.rejected == [{"row": 2, "reason": "élément illisible"}]
    with pytest.raises(importer.UnreadableFile):
        importer.parse(b"{not json", "openagenda-json")


def test_any_icalendar_file():
    result = importer.parse(ICS, "auto", "agenda.ics")
    council, party = result.rows
    assert council["source_id"] == "conseil-2027-05@mairie.example"
    assert council["starts_at"] == datetime(2027, 5, 12, 18, 30, tzinfo=UTC)
    assert council["address"] == "Salle du conseil, Escalquens"
    assert party["cancelled"] is True
    assert party["starts_at"] == datetime(2027, 6, 20, 22, 0, tzinfo=UTC)


def test_importing_twice_changes_nothing_then_updates(app, db, publisher):
    rows = importer.parse(CSV.encode()).rows
    first = services.import_events(publisher, "oa", rows, [])
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = services.import_events(publisher, "oa", importer.parse(CSV.encode()).rows, [])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = CSV.replace("Visite de la station d'épuration", "Visite de la station")
    third = services.import_events(publisher, "oa", importer.parse(changed.encode()).rows, [])
    assert (third.created, third.updated) == (0, 1)
    events = list(db.session.scalars(sa.select(Event).where(Event.source == "oa")))
    assert len(events) == 2
    visit = next(e for e in events if e.source_id == "901")
    assert visit.title == "Visite de la station" and visit.sequence == 1
    assert visit.commune.insee == "31113"
    # Found by the commune's name when the file has no INSEE code.
    permanence = next(e for e in events if e.source_id == "902")
    assert permanence.commune.name == "Labège" and permanence.status == "cancelled"
