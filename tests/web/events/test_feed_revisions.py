"""SEQUENCE of the workshops and consultation phases in the agenda's feed: each change a
calendar must take in bumps it; other changes do not; the UIDs never change."""

from datetime import timedelta

from icalendar import Calendar

from civic.events.models import AgendaRevision


def _entries(client) -> dict:
    response = client.get("/agenda.ics")
    assert response.status_code == 200
    return {
        str(e["uid"]).split("@")[0]: e for e in Calendar.from_ical(response.data).walk("VEVENT")
    }


def test_workshop_changes_bump_its_sequence(client, db, make_workshop):
    workshop = make_workshop()
    uid = f"atelier-{workshop.id}"
    assert int(_entries(client)[uid]["sequence"]) == 0
    workshop.starts_at += timedelta(hours=1)
    db.session.commit()
    entry = _entries(client)[uid]
    assert int(entry["sequence"]) == 1
    assert entry["dtstart"].dt == workshop.starts_at.replace(microsecond=0)
    assert "last-modified" in entry
    workshop.title = "Atelier mobilités (nouvelle salle)"
    workshop.address = "Salle B, Labège"
    db.session.commit()
    assert int(_entries(client)[uid]["sequence"]) == 2
    # What subscribers do not see is not a revision.
    workshop.capacity = 40
    workshop.seats_citizen = 8
    db.session.commit()
    assert int(_entries(client)[uid]["sequence"]) == 2


def test_phase_changes_bump_its_sequence_and_the_uid_stays(client, db, climate):
    phase = climate["consultation"].phases[1]
    uid = f"phase-{phase.id}"
    before = _entries(client)
    assert int(before[uid]["sequence"]) == 0
    phase.ends_at += timedelta(days=7)
    db.session.commit()
    after = _entries(client)
    assert int(after[uid]["sequence"]) == 1
    assert after[uid]["dtend"].dt == phase.ends_at.replace(microsecond=0)
    assert set(after) == set(before)
    phase.features = sorted(phase.features)  # unseen by calendars
    db.session.commit()
    assert int(_entries(client)[uid]["sequence"]) == 1


def test_one_revision_row_per_item_however_many_changes(db, make_workshop):
    import sqlalchemy as sa

    workshop = make_workshop()
    for hours in (1, 2, 3):
        workshop.duration_minutes = 60 * hours
        db.session.commit()
    rows = db.session.scalars(
        sa.select(AgendaRevision).where(
            AgendaRevision.source == "workshop", AgendaRevision.item_id == workshop.id
        )
    ).all()
    assert [r.sequence for r in rows] == [3]
