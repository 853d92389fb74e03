"""Diversity dashboards ("Toujours Les Mêmes") and the workshops' iCalendar feed.

The figures are checked on small datasets whose indicators were computed by hand (the
computation is written next to each expected value)."""

import re
from datetime import UTC, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from civic.consultations.models import Comment, Consultation, Proposal, Vote
from civic.core.models import utcnow
from civic.territory.models import Commune
from civic.workshops.models import Note, Participant, Volunteer

PLATFORM = "/ateliers/diversite"
CONSULTATION = "/concertations/plan-climat/diversite"


def workshop_url(workshop) -> str:
    return f"/ateliers/{workshop.slug}/diversite"


def _plain(value: str) -> str:
    """Tags stripped, entities decoded, every kind of space made one plain space."""
    value = text_of(value)
    return re.sub(r"[\s\u00a0\u202f]+", " ", value).strip()


def text_of(markup: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def by_id(page: str, element_id: str) -> str:
    """The text of the element with this id (a dd, a td row, a paragraph)."""
    match = re.search(
        rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"[^>]*>(.*?)</\1>', page, flags=re.S
    )
    assert match, f"no element #{element_id}"
    return _plain(match.group(2))


def cells(page: str, row_id: str) -> list[str]:
    """The cells of a table row: its header then its data cells."""
    row = re.search(rf'<tr id="{re.escape(row_id)}">(.*?)</tr>', page, flags=re.S)
    assert row, f"no row #{row_id}"
    return [_plain(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(1), re.S)]


@pytest.fixture
def communes(db):
    """The two most populous communes, A and B, and the total population of the Sicoval."""
    a, b = db.session.scalars(
        sa.select(Commune).order_by(Commune.population.desc(), Commune.id).limit(2)
    ).all()
    total = db.session.scalar(sa.select(sa.func.sum(Commune.population)))
    return a, b, total


def _consenting(make_user, commune, age, gender, pcs, consent=True):
    return make_user(
        stats_consent_at=utcnow() if consent else None,
        commune_id=commune.id,
        age_bracket=age,
        gender=gender,
        pcs=pcs,
    )


@pytest.fixture
def consultation_data(db, climate, make_user, make_workshop, communes):
    """Eleven people took part in « Plan climat »:

    - the author of the fixture's proposal (1 proposal, no statistical profile);
    - H (A, 30-44, woman, PCS 3): 3 proposals and 2 comments, 5 contributions;
    - F1 to F4 (A, 30-44, woman, PCS 3) and F5 (A, 45-59, woman, PCS 5): one vote each;
      F1 had voted in another consultation 60 days ago: not a first time;
    - M1 (B, 60-74, man, PCS 7): a vote and a note at a workshop of the consultation;
      M2 (B, 60-74, man, PCS 7): a vote;
    - N, whose profile says B / man but without consent: a comment;
    - S, a citizen seated without an account, who declared it was not a first time.

    Plus one paper proposal without an author. Contributions per person:
    [1, 5, 1, 1, 1, 1, 1, 2, 1, 1, 0], 15 in all."""
    a, b, _total = communes
    consultation, proposal = climate["consultation"], climate["proposal"]
    h = _consenting(make_user, a, "30-44", "female", "3")
    fs = [_consenting(make_user, a, "30-44", "female", "3") for _ in range(4)]
    fs.append(_consenting(make_user, a, "45-59", "female", "5"))
    m1, m2 = (_consenting(make_user, b, "60-74", "male", "7") for _ in range(2))
    n = _consenting(make_user, b, "15-29", "male", "6", consent=False)
    for i in range(3):
        db.session.add(
            Proposal(consultation_id=consultation.id, author_id=h.id, title=f"P{i}", body="…")
        )
    db.session.add(
        Proposal(consultation_id=consultation.id, author_id=None, title="Papier", body="…")
    )
    for author in (h, h, n):
        db.session.add(Comment(proposal_id=proposal.id, author_id=author.id, body="Oui"))
    for voter in (*fs, m1, m2):
        db.session.add(Vote(proposal_id=proposal.id, user_id=voter.id, value=1))
    other = Consultation(slug="autre-concertation", title="Autre", published_at=utcnow())
    db.session.add(other)
    db.session.flush()
    earlier = Proposal(consultation_id=other.id, author_id=None, title="Ancienne", body="…")
    db.session.add(earlier)
    db.session.flush()
    long_ago = utcnow() - timedelta(days=60)
    db.session.add(Vote(proposal_id=earlier.id, user_id=fs[0].id, value=1, created_at=long_ago))
    workshop = make_workshop()
    db.session.add(Note(workshop_id=workshop.id, author_id=m1.id, author_role="citizen", body="x"))
    volunteer = Volunteer(workshop_id=workshop.id, name="S", first_time=False, status="confirmed")
    db.session.add(volunteer)
    db.session.flush()
    db.session.add(
        Participant(workshop_id=workshop.id, role="citizen", volunteer_id=volunteer.id, name="S")
    )
    db.session.commit()
    return {"h": h, "fs": fs, "m1": m1, "m2": m2, "n": n, "workshop": workshop}


@pytest.fixture
def workshop_data(db, climate, make_user, make_workshop, communes):
    """A workshop held two hours ago. Seats: elected E1 (present, 4 notes), E2 (absent),
    technician T1 (presence not taken), a facilitator (no seat, 1 note), citizens C1 to C4
    with accounts and C5, C6 without (all present), C7 (absent). C1 wrote 2 notes, C2 one,
    and one note was typed for a citizen without author.

    Declared by the volunteers C1 to C6: communes A x5 and B x1, ages 30-44 x5 and 75+ x1,
    3 women and 3 men, PCS 5 x6, all "first time". C1 had voted online a month ago, so the
    platform knows it is not a first time for C1."""
    a, b, _total = communes
    workshop = make_workshop(
        title="Atelier bilan",
        starts_at=utcnow() - timedelta(hours=2),
        call_closes_at=utcnow() - timedelta(days=3),
    )
    seat = {}

    def sit(key, role, attended, user=None, volunteer=None):
        item = Participant(
            workshop_id=workshop.id,
            role=role,
            user_id=user.id if user else None,
            volunteer_id=volunteer.id if volunteer else None,
            name=key,
            attended=attended,
        )
        db.session.add(item)
        seat[key] = user

    sit("E1", "elected", True, make_user("elected"))
    sit("E2", "elected", False, make_user("elected"))
    sit("T1", "technician", None, make_user("agent"))
    sit("F", "facilitator", None, workshop.facilitator)
    declared = [
        (a, "30-44", "female"),
        (a, "30-44", "female"),
        (a, "30-44", "female"),
        (a, "30-44", "male"),
        (a, "30-44", "male"),
        (b, "75+", "male"),
        (a, "30-44", "female"),  # C7, absent
    ]
    for i, (commune, age, gender) in enumerate(declared, start=1):
        user = make_user() if i <= 4 else None
        volunteer = Volunteer(
            workshop_id=workshop.id,
            user_id=user.id if user else None,
            name=f"C{i}",
            commune_id=commune.id,
            age_bracket=age,
            gender=gender,
            pcs="5",
            first_time=True,
            status="confirmed",
        )
        db.session.add(volunteer)
        db.session.flush()
        sit(f"C{i}", "citizen", i != 7, user, volunteer)
    db.session.add(
        Vote(
            proposal_id=climate["proposal"].id,
            user_id=seat["C1"].id,
            value=1,
            created_at=utcnow() - timedelta(days=30),
        )
    )
    for author, role, count in (
        (seat["E1"], "elected", 4),
        (seat["C1"], "citizen", 2),
        (seat["C2"], "citizen", 1),
        (workshop.facilitator, "facilitator", 1),
        (None, "citizen", 1),
    ):
        for _ in range(count):
            db.session.add(
                Note(
                    workshop_id=workshop.id,
                    author_id=author.id if author else None,
                    author_role=role,
                    body="note",
                )
            )
    db.session.commit()
    return workshop


# --- permissions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("citizen", 403),
        ("moderator", 403),
        ("agent", 200),
        ("elected", 200),
        ("facilitator", 200),
        ("admin", 200),
    ],
)
def test_dashboards_are_for_staff(client, make_user, login, make_workshop, role, status):
    workshop = make_workshop()
    login(make_user(role))
    for url in (PLATFORM, CONSULTATION, workshop_url(workshop)):
        response = client.get(url)
        assert response.status_code == status, url


def test_anonymous_visitors_are_sent_to_the_login_page(client, make_workshop):
    workshop = make_workshop()
    for url in (PLATFORM, CONSULTATION, workshop_url(workshop)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/compte/connexion" in response.headers["Location"]


def test_unknown_workshop_or_consultation_is_404(client, make_user, login):
    login(make_user("admin"))
    assert client.get("/ateliers/inconnu/diversite").status_code == 404
    assert client.get("/concertations/inconnue/diversite").status_code == 404


def test_a_draft_consultation_is_hidden_from_elected_officials(client, make_user, login, db):
    db.session.add(Consultation(slug="brouillon", title="Brouillon"))
    db.session.commit()
    login(make_user("elected"))
    assert client.get("/concertations/brouillon/diversite").status_code == 404
    login(make_user("agent"))
    assert client.get("/concertations/brouillon/diversite").status_code == 200


# --- figures on a known dataset ---------------------------------------------------------


def test_consultation_figures(client, make_user, login, consultation_data, communes):
    a, b, total = communes
    login(make_user("agent"))
    response = client.get(CONSULTATION)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert by_id(page, "participants") == "11"
    assert by_id(page, "contributions") == "15"
    # Sorted [0, 1 x 8, 2, 5]: 2 * (2+...+9 + 2*10 + 5*11) / (11 * 15) - 12/11 = 58/165
    assert by_id(page, "gini") == "0,35"
    # The 10 % most active of 11 people are 2 (rounded up): 5 + 2 = 7 of 15
    assert by_id(page, "top-share").startswith("46,7 %")
    # Everybody but F1 (voted elsewhere before) and S (declared): 9 of 11
    assert by_id(page, "first-time") == "81,8 %"
    assert cells(page, "kind-proposal")[1:] == ["5"]  # 1 + 3 + the paper one
    assert cells(page, "kind-comment")[1:] == ["3"]
    assert cells(page, "kind-vote")[1:] == ["7"]
    assert cells(page, "kind-note")[1:] == ["1"]
    # Communes, among the 8 people whose commune is known with consent: A 6, B 2 (hidden).
    share_a = 6 / 8
    ratio_a = share_a / (a.population / total)
    row = cells(page, f"commune-{a.insee}")
    assert row[1:3] == ["6", "75,0 %"]
    assert row[5] == f"{ratio_a:.2f}".replace(".", ",")
    assert cells(page, f"commune-{b.insee}")[1:3] == ["< 5", "—"]
    assert cells(page, f"commune-{b.insee}")[5] == "—"
    assert "3 personnes" in by_id(page, "commune-unknown")  # the author, N (no consent), S
    # Ages: 30-44 x5 shown (5 of the 8 who declared one), 45-59 x1 and 60-74 x2 hidden.
    assert cells(page, "age-30-44")[1:] == ["5", "62,5 %"]
    assert cells(page, "age-45-59")[1:] == ["< 5", "—"]
    assert cells(page, "age-60-74")[1:] == ["< 5", "—"]
    assert cells(page, "age-inconnu")[1:] == ["3", "—"]
    # Gender: 6 women; 2 men hidden, and "other" (0) hidden with them, or 8 - 6 gives it away.
    assert cells(page, "gender-female")[1:] == ["6", "75,0 %"]
    assert cells(page, "gender-male")[1] == "< 5"
    assert cells(page, "gender-other")[1] == "< 5"
    assert cells(page, "pcs-3")[1:] == ["5", "62,5 %"]


def test_platform_figures_depend_on_the_period(client, make_user, login, consultation_data):
    login(make_user("admin"))
    # Last 12 months: F1's vote of 60 days ago is in, and so F1 is a first-timer too.
    page = client.get(PLATFORM).get_data(as_text=True)
    assert by_id(page, "participants") == "11"
    assert by_id(page, "contributions") == "16"
    assert by_id(page, "first-time") == "90,9 %"  # 10 of 11
    # Last 30 days: F1 had taken part before the period.
    page = client.get(PLATFORM + "?periode=30").get_data(as_text=True)
    assert by_id(page, "contributions") == "15"
    assert by_id(page, "first-time") == "81,8 %"
    # Since the start, everybody's first time is inside: the share would mean nothing.
    page = client.get(PLATFORM + "?periode=tout").get_data(as_text=True)
    assert by_id(page, "first-time") == "—"
    # An unknown period falls back on 12 months.
    page = client.get(PLATFORM + "?periode=1000").get_data(as_text=True)
    assert by_id(page, "contributions") == "16"


def test_workshop_figures(client, make_user, login, workshop_data, communes):
    a, b, _total = communes
    login(make_user("facilitator"))
    response = client.get(workshop_url(workshop_data))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # Present or not recorded, facilitator left out: E1, T1, C1 to C6.
    assert by_id(page, "participants") == "8"
    # Notes per person [4, 0, 2, 1, 0, 0, 0, 0]: sorted, 2 * (6*1 + 7*2 + 8*4) / (8 * 7)
    # - 9/8 = 41/56 = 0.732
    assert by_id(page, "contributions") == "7"
    assert by_id(page, "gini") == "0,73"
    assert by_id(page, "top-share").startswith("57,1 %")  # 1 person of 8 wrote 4 of 7
    assert cells(page, "kind-note")[1:] == ["9"]  # 7 + the facilitator's + one for someone
    assert cells(page, "college-elected")[1:] == ["2", "1", "1", "0", "4"]
    assert cells(page, "college-technician")[1:] == ["1", "0", "0", "1", "0"]
    assert cells(page, "college-citizen")[1:] == ["7", "6", "1", "0", "4"]
    # Citizens present, as they declared: A x5 of 6, B x1 hidden.
    assert cells(page, f"commune-{a.insee}")[1:3] == ["5", "83,3 %"]
    assert cells(page, f"commune-{b.insee}")[1] == "< 5"
    assert cells(page, "age-30-44")[1:] == ["5", "83,3 %"]
    assert cells(page, "age-75+")[1] == "< 5"
    # 3 women and 3 men: both under 5, both hidden.
    assert cells(page, "gender-female")[1] == "< 5"
    assert cells(page, "gender-male")[1] == "< 5"
    assert cells(page, "pcs-5")[1:] == ["6", "100,0 %"]
    # First time: C2 to C6 yes, C1 no (voted before, whatever C1 declared). At a workshop
    # it is a declared characteristic: 1 "no" is hidden, and "yes" with it.
    assert by_id(page, "first-time") == "< 5"


def test_no_small_count_of_a_declared_characteristic_is_ever_shown(
    client, make_user, login, workshop_data, consultation_data
):
    login(make_user("admin"))
    for url in (workshop_url(workshop_data), CONSULTATION, PLATFORM):
        page = client.get(url).get_data(as_text=True)
        for table in ("age", "gender", "pcs"):
            body = re.search(rf'id="table-{table}">(.*?)</table>', page, re.S).group(1)
            rows = re.findall(r'<tr id="[^"]+-(?!inconnu)[^"]*">(.*?)</tr>', body, re.S)
            for row in rows:
                count = _plain(re.findall(r"<td>(.*?)</td>", row, re.S)[0])
                assert count == "< 5" or count == "0" or int(count) >= 5, (url, table, row)


def test_empty_dashboard(client, make_user, login, make_workshop):
    login(make_user("agent"))
    page = client.get(workshop_url(make_workshop())).get_data(as_text=True)
    assert "Personne n'a encore pris part" in text_of(page)
    assert by_id(page, "gini") == "0,00"
    assert by_id(page, "top-share") == "—"


def test_pages_and_fragments(client, make_user, login, consultation_data):
    login(make_user("agent"))
    workshop = consultation_data["workshop"]
    for url in (PLATFORM + "?periode=90", CONSULTATION, workshop_url(workshop)):
        page = client.get(url)
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        assert "<html" in body and 'id="indicateurs"' in body
        assert "HX-Request" in page.headers.get("Vary", "")
        # htmx (not boosted) gets only the indicators, which the period form swaps in.
        fragment = client.get(url, headers={"HX-Request": "true"})
        assert fragment.status_code == 200
        part = fragment.get_data(as_text=True)
        assert "<html" not in part and 'id="gini"' in part
        # A boosted navigation gets the whole page.
        boosted = client.get(url, headers={"HX-Request": "true", "HX-Boosted": "true"})
        assert "<html" in boosted.get_data(as_text=True)


def test_charts_have_their_tables(client, make_user, login, consultation_data):
    login(make_user("agent"))
    page = client.get(CONSULTATION).get_data(as_text=True)
    charts = re.findall(r'<svg class="chart" role="img" aria-label="[^"]+"', page)
    assert len(charts) >= 6  # communes, age, gender, PCS, distribution, Lorenz
    for table in ("communes", "age", "gender", "pcs", "spread", "lorenz", "kinds"):
        assert f'id="table-{table}"' in page
    # The distribution of contributions per person: [0, 1 x 8, 2, 5].
    assert cells(page, "spread-0")[1] == "1"
    assert cells(page, "spread-1")[1] == "8"
    assert cells(page, "spread-2")[1] == "1"
    assert cells(page, "spread-3")[1] == "1"  # 3 to 5
    # The hidden counts are not written in the charts either.
    assert "< 5" in text_of(page[page.index('id="age-title"') : page.index('id="table-age"')])


def test_figures_follow_the_reader_s_language(client, make_user, login, consultation_data):
    login(make_user("agent", locale="en"))
    page = client.get(CONSULTATION).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert by_id(page, "gini") == "0.35"
    assert by_id(page, "top-share").startswith("46.7%")


# --- the agenda feed ---------------------------------------------------------------------


@pytest.fixture
def agenda(make_workshop, communes, db):
    a, b, _total = communes
    now = utcnow().replace(microsecond=0)
    items = {
        "coming_a": make_workshop(
            title="Atelier à venir",
            commune_id=a.id,
            address="12 rue de la Mairie",
            starts_at=now + timedelta(days=12),
            duration_minutes=150,
        ),
        "coming_b": make_workshop(
            title="Atelier hybride", commune_id=b.id, mode="hybrid", address="Salle B"
        ),
        "recent_a": make_workshop(
            title="Atelier récent",
            commune_id=a.id,
            starts_at=now - timedelta(days=10),
            call_closes_at=now - timedelta(days=15),
        ),
        "old_a": make_workshop(
            title="Atelier ancien",
            commune_id=a.id,
            starts_at=now - timedelta(days=90),
            call_closes_at=now - timedelta(days=95),
        ),
        "draft_a": make_workshop(title="Atelier en préparation", commune_id=a.id),
        "online": make_workshop(
            title="Atelier en ligne", mode="online", online_url="https://visio.example.org/x"
        ),
    }
    items["draft_a"].published_at = None
    db.session.commit()
    return items


def _events(response) -> dict[str, object]:
    calendar = Calendar.from_ical(response.data)
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def test_agenda_feed(client, agenda, communes):
    a, _b, _total = communes
    response = client.get("/ateliers/agenda.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["x-wr-timezone"]) == "Europe/Paris"
    events = _events(response)
    assert set(events) == {
        "Atelier à venir",
        "Atelier hybride",
        "Atelier récent",
        "Atelier en ligne",
    }  # no draft, nothing older than a month
    event, workshop = events["Atelier à venir"], agenda["coming_a"]
    assert str(event["uid"]) == f"atelier-{workshop.id}@civic.test"
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start == workshop.starts_at and start.utcoffset() == timedelta(0)
    assert end - start == timedelta(minutes=150)
    assert event.decoded("dtstamp").tzinfo is not None
    assert b"DTSTART:" in response.data and re.search(rb"DTSTART:\d{8}T\d{6}Z", response.data)
    assert str(event["location"]) == f"12 rue de la Mairie, {a.name}"
    assert str(event["url"]) == f"http://civic.test/ateliers/{workshop.slug}"
    description = str(event["description"])
    assert "Imaginer les mobilités de demain." in description
    assert "boucle magnétique" in description
    assert "heure de Paris" in description
    assert len({str(e["uid"]) for e in events.values()}) == len(events)
    assert str(events["Atelier hybride"]["location"]).endswith("(et en ligne)")
    # The videoconference link is for the people invited, not for a public feed.
    assert str(events["Atelier en ligne"]["location"]) == "En ligne"
    assert b"visio.example.org" not in response.data


def test_agenda_feed_local_time_is_right_across_daylight_saving(client, make_workshop, db):
    # 1 July 2030 at 16:00 UTC is 18:00 in Paris (summer time); 2 December at 17:00 UTC too.
    from datetime import datetime

    summer = make_workshop(title="Été", starts_at=datetime(2030, 7, 1, 16, 0, tzinfo=UTC))
    winter = make_workshop(title="Hiver", starts_at=datetime(2030, 12, 2, 17, 0, tzinfo=UTC))
    events = _events(client.get("/ateliers/agenda.ics"))
    assert b"DTSTART:20300701T160000Z" in events["Été"].to_ical()
    assert b"DTSTART:20301202T170000Z" in events["Hiver"].to_ical()
    for event, workshop in ((events["Été"], summer), (events["Hiver"], winter)):
        assert event.decoded("dtstart") == workshop.starts_at
        assert "18\u00a0h" in str(event["description"])


def test_agenda_feed_by_commune(client, agenda, communes):
    a, b, _total = communes
    events = _events(client.get(f"/ateliers/agenda.ics?commune={a.insee}"))
    assert set(events) == {"Atelier à venir", "Atelier récent"}
    calendar = Calendar.from_ical(client.get(f"/ateliers/agenda.ics?commune={b.insee}").data)
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == ["Atelier hybride"]
    assert a.name not in str(calendar["x-wr-calname"]) and b.name in str(calendar["x-wr-calname"])
    assert client.get("/ateliers/agenda.ics?commune=99999").status_code == 404
    assert client.get(f"/ateliers/agenda.ics?commune={a.insee}x").status_code == 404


def test_agenda_feed_is_public_and_empty_without_workshops(client):
    response = client.get("/ateliers/agenda.ics")
    assert response.status_code == 200
    assert Calendar.from_ical(response.data).walk("VEVENT") == []
