"""Workshops through the web: creation, quotas, the call for volunteers, the fair selection,
invitations with replacement from the reserve, the table and attendance."""

import re
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from civic.accounts.services import erase_account
from civic.core.catalogues import french_spacing as fr
from civic.core.models import utcnow
from civic.core.notify import OutboxEmail
from civic.territory.models import Commune
from civic.workshops import services
from civic.workshops.models import (
    Participant,
    Quota,
    Selection,
    Volunteer,
    VolunteerStatus,
    Workshop,
)
from tests.conftest import log_in
from tests.web.helpers import text

HX = {"HX-Request": "true"}


def _communes(db, n=3):
    return list(db.session.scalars(sa.select(Commune).order_by(Commune.population.desc())))[:n]


def _quotas(workshop, communes):
    """Two sectors (the largest commune / the two next), and gender."""
    return [
        Quota(
            category="area", value="s1", label="Nord", communes=[communes[0].insee], min=1, max=4
        ),
        Quota(
            category="area",
            value="s2",
            label="Sud",
            communes=[c.insee for c in communes[1:]],
            min=1,
            max=4,
        ),
        Quota(category="gender", value="female", min=2, max=4),
        Quota(category="gender", value="male", min=2, max=4),
        Quota(category="gender", value="other", min=0, max=6),
    ]


def _pool(db, workshop, communes, n=14):
    """n volunteers entered by an agent, alternating sectors and genders."""
    people = []
    for i in range(n):
        v = Volunteer(
            workshop_id=workshop.id,
            name=f"Volontaire {i}",
            email=f"vol{i}@example.org" if i % 3 else "",
            phone="05 61 00 00 00",
            commune_id=communes[i % 3].id,
            gender="female" if i % 2 else "male",
            first_time=bool(i % 2),
            household_key=f"foyer-{i}",
            channel="phone",
        )
        db.session.add(v)
        people.append(v)
    db.session.commit()
    return people


def _selected_workshop(client, db, make_workshop, app, seed=7):
    workshop = make_workshop(call_closes_at=utcnow() - timedelta(hours=1))
    communes = _communes(db)
    with app.test_request_context():
        services.set_quotas(workshop.facilitator, workshop, _quotas(workshop, communes))
    db.session.commit()
    _pool(db, workshop, communes)
    log_in(client, workshop.facilitator)
    response = client.post(
        f"/gestion/ateliers/{workshop.id}/tirage", data={"method": "leximin", "seed": str(seed)}
    )
    assert response.status_code == 303
    run = db.session.scalar(sa.select(Selection).where(Selection.workshop_id == workshop.id))
    assert run.status == "done", run.error
    return workshop, run


def test_facilitator_creates_a_workshop_and_errors_keep_what_was_typed(client, make_user, db):
    facilitator = make_user("facilitator")
    log_in(client, facilitator)
    assert client.get("/gestion/ateliers/nouveau").status_code == 200
    bad = client.post(
        "/gestion/ateliers/nouveau",
        data={
            "title": "Atelier énergie",
            "purpose": "",
            "starts_at": "2027-03-15T18:30",
            "duration_minutes": "120",
            "mode": "onsite",
            "address": "",
            "capacity": "30",
            "tables": "2",
            "seats_elected": "4",
            "seats_technician": "4",
            "seats_citizen": "12",
        },
    )
    page = text(bad)
    assert bad.status_code == 422
    assert "Expliquez en quelques lignes" in page and "Indiquez l'adresse du lieu" in page
    assert 'value="Atelier énergie"' in page
    good = client.post(
        "/gestion/ateliers/nouveau",
        data={
            "title": "Atelier énergie",
            "purpose": "Économiser l'énergie",
            "starts_at": "2027-03-15T18:30",
            "duration_minutes": "120",
            "mode": "onsite",
            "address": "Salle du conseil, Labège",
            "capacity": "30",
            "tables": "2",
            "seats_elected": "4",
            "seats_technician": "4",
            "seats_citizen": "12",
            "call_closes_at": "2027-03-01T12:00",
            "one_per_household": "y",
        },
    )
    assert good.status_code == 303
    workshop = db.session.scalar(sa.select(Workshop).where(Workshop.slug == "atelier-energie"))
    # Typed in Paris time (UTC+1 in March), stored in UTC.
    assert workshop.starts_at.hour == 17 and not workshop.is_published
    assert client.get("/ateliers/atelier-energie").status_code == 200
    client.post(f"/gestion/ateliers/{workshop.id}/publication", data={"publish": "1"})
    client.post("/deconnexion")
    assert "Atelier énergie" in text(client.get("/ateliers"))


def test_more_seats_than_capacity_is_refused(client, make_workshop, db):
    workshop = make_workshop()
    log_in(client, workshop.facilitator)
    response = client.post(
        f"/gestion/ateliers/{workshop.id}",
        data={
            "title": workshop.title,
            "purpose": workshop.purpose,
            "starts_at": "2027-03-15T18:30",
            "duration_minutes": "120",
            "mode": "onsite",
            "address": "Ici",
            "capacity": "5",
            "tables": "1",
            "seats_elected": "2",
            "seats_technician": "2",
            "seats_citizen": "6",
        },
    )
    assert "plus que la capacité du lieu (5)" in text(response)
    assert 'value="Ici"' in text(response)


def test_drafts_are_hidden_from_the_public(client, make_workshop, make_user, db):
    workshop = make_workshop()
    workshop.published_at = None
    db.session.commit()
    assert client.get(f"/ateliers/{workshop.slug}").status_code == 302
    log_in(client, make_user())
    assert client.get(f"/ateliers/{workshop.slug}").status_code == 403
    assert workshop.title not in text(client.get("/ateliers"))
    assert workshop.title not in text(client.get("/ateliers", headers=HX))


def test_default_quotas_follow_the_population(app, make_workshop, db):
    workshop = make_workshop(seats_citizen=12)
    with app.test_request_context():
        quotas = services.default_quotas(workshop)
    areas = [q for q in quotas if q.category == "area"]
    assert len(areas) == 4
    # French elision before a commune's name: "Secteur d'Escalquens", never "de Escalquens".
    assert any(q.label.startswith("Secteur d'") for q in areas), [q.label for q in areas]
    assert not any(re.search(r"\bde [AEIOUÉaeioué]", q.label) for q in areas)
    communes = {c.insee: c.population for c in db.session.scalars(sa.select(Commune))}
    assert sorted(i for q in areas for i in q.communes) == sorted(communes)  # each commune once
    total = sum(communes.values())
    for q in areas:
        expected = 12 * sum(communes[i] for i in q.communes) / total
        assert q.min <= expected <= q.max
    assert {(q.value, q.min, q.max) for q in quotas if q.category == "gender"} >= {
        ("female", 5, 7),
        ("male", 5, 7),
    }


def test_quota_page_proposes_defaults_saves_and_reports_errors(client, make_workshop, db):
    workshop = make_workshop()
    log_in(client, workshop.facilitator)
    proposed = client.post(f"/gestion/ateliers/{workshop.id}/quotas", data={"action": "defaults"})
    page = text(proposed)
    assert "Territoire" in page and "Labège" in page and 'name="min-0"' in page
    bad = client.post(
        f"/gestion/ateliers/{workshop.id}/quotas",
        data={
            "row": ["0", "1"],
            "category-0": "gender",
            "value-0": "female",
            "min-0": "5",
            "max-0": "2",
            "category-1": "age",
            "value-1": "15-29",
            "min-1": "un",
            "max-1": "3",
        },
    )
    assert bad.status_code == 422
    assert fr("Ligne 2 : le minimum et le maximum sont des nombres entiers") in text(bad)
    bad = client.post(
        f"/gestion/ateliers/{workshop.id}/quotas",
        data={
            "row": ["0"],
            "category-0": "gender",
            "value-0": "female",
            "min-0": "5",
            "max-0": "2",
        },
    )
    assert "le minimum dépasse le maximum" in text(bad)
    mismatch = client.post(
        f"/gestion/ateliers/{workshop.id}/quotas",
        data={"row": ["0"], "category-0": "age", "value-0": "female", "min-0": "1", "max-0": "2"},
    )
    assert "ne correspond pas à la caractéristique" in text(mismatch)
    good = client.post(
        f"/gestion/ateliers/{workshop.id}/quotas",
        data={
            "row": ["0"],
            "category-0": "gender",
            "value-0": "female",
            "min-0": "2",
            "max-0": "4",
        },
    )
    assert good.status_code == 303
    db.session.refresh(workshop)
    assert [(q.category, q.value, q.min, q.max) for q in workshop.quotas] == [
        ("gender", "female", 2, 4)
    ]


def test_quota_check_names_the_quota_and_the_gap(client, make_workshop, db, app):
    workshop = make_workshop()
    communes = _communes(db)
    with app.test_request_context():
        services.set_quotas(workshop.facilitator, workshop, _quotas(workshop, communes))
    workshop.quotas[0].min = workshop.quotas[0].max = 4  # four from the north...
    db.session.commit()
    _pool(db, workshop, communes, n=8)  # ...where only three volunteered
    log_in(client, workshop.facilitator)
    fragment = client.post(f"/gestion/ateliers/{workshop.id}/quotas/verification", headers=HX)
    assert "<html" not in fragment.get_data(as_text=True)
    assert fr("Territoire : Nord") in text(fragment)
    assert "ramenez-le à 3 (1 de moins)" in text(fragment)
    page = client.post(f"/gestion/ateliers/{workshop.id}/quotas/verification")
    assert "<html" in page.get_data(as_text=True) and "ramenez-le à 3" in text(page)
    # The draw is refused before anything is computed.
    refused = client.post(f"/gestion/ateliers/{workshop.id}/tirage", data={"method": "leximin"})
    assert "ramenez-le à 3" in text(refused)
    assert db.session.scalar(sa.select(sa.func.count(Selection.id))) == 0


def test_citizen_volunteers_during_the_call_and_can_withdraw(client, make_workshop, make_user, db):
    workshop = make_workshop()
    communes = _communes(db)
    db.session.add(Quota(workshop_id=workshop.id, category="gender", value="female", min=0, max=6))
    db.session.commit()
    citizen = make_user()
    log_in(client, citizen)
    form = client.get(f"/ateliers/{workshop.slug}/volontariat")
    assert "Genre" in text(form) and "Âge" not in text(form)  # only what the quotas use
    missing = client.post(
        f"/ateliers/{workshop.slug}/volontariat", data={"commune_id": str(communes[0].id)}
    )
    assert missing.status_code == 422 and "Choisissez une réponse" in text(missing)
    ok = client.post(
        f"/ateliers/{workshop.slug}/volontariat",
        data={
            "commune_id": str(communes[0].id),
            "gender": "female",
            "first_time": "y",
            "address": "3 rue des Écoles, Labège",
            "needs": "Garde d'enfants",
        },
    )
    assert ok.status_code == 303
    item = db.session.scalar(sa.select(Volunteer).where(Volunteer.user_id == citizen.id))
    assert item.first_time and item.needs == "Garde d'enfants"
    assert len(item.household_key) == 64 and "cole" not in item.household_key  # a digest only
    assert "Volontaire" in text(client.get(f"/ateliers/{workshop.slug}"))
    assert client.post(f"/ateliers/{workshop.slug}/volontariat/retrait").status_code == 303
    assert db.session.scalar(sa.select(Volunteer).where(Volunteer.user_id == citizen.id)) is None


def test_the_call_closes(client, make_workshop, make_user, db):
    workshop = make_workshop(call_closes_at=utcnow() - timedelta(hours=1))
    log_in(client, make_user())
    assert client.get(f"/ateliers/{workshop.slug}/volontariat").status_code == 403
    assert "Me porter volontaire" not in text(client.get(f"/ateliers/{workshop.slug}"))


def test_selection_runs_publishes_and_invites(client, make_workshop, db, app):
    workshop, run = _selected_workshop(client, db, make_workshop, app)
    page = text(client.get(f"/gestion/ateliers/tirages/{run.id}"))
    assert "Calcul terminé" in page and str(run.seed) in page
    # The panel meets every quota.
    panel = [db.session.get(Volunteer, int(pid)) for pid in run.result["panel"]]
    assert len(panel) == workshop.seats_citizen
    genders = Counter(v.gender for v in panel)
    assert 2 <= genders["female"] <= 4 and 2 <= genders["male"] <= 4
    # LEXIMIN on a symmetric pool: every volunteer has the same chance, 6 in 14.
    for p in run.result["marginals"].values():
        assert abs(p - 6 / 14) < 1e-6
    assert client.post(f"/gestion/ateliers/tirages/{run.id}/publication").status_code == 303
    statuses = Counter(v.status for v in db.session.scalars(sa.select(Volunteer)))
    assert statuses == {"selected": 6, "reserve": 8}
    mails = db.session.scalars(sa.select(OutboxEmail)).all()
    assert len(mails) == sum(1 for v in panel if v.email)
    assert all("/ateliers/invitation/" in m.body for m in mails)
    # The audit page is public, without names.
    client.post("/deconnexion")
    audit = text(client.get(f"/ateliers/{workshop.slug}/tirage"))
    assert str(run.seed) in audit and "42,9\u00a0%" in audit
    assert "Volontaire 0" not in audit
    # A second draw cannot be published over the first.
    log_in(client, workshop.facilitator)
    again = client.post(f"/gestion/ateliers/{workshop.id}/tirage", data={"method": "maximin"})
    assert "déjà publié" in text(again)


def test_decline_calls_the_next_suitable_person_in_reserve(client, make_workshop, db, app):
    workshop, run = _selected_workshop(client, db, make_workshop, app)
    client.post(f"/gestion/ateliers/tirages/{run.id}/publication")
    panel = [db.session.get(Volunteer, int(pid)) for pid in run.result["panel"]]
    leaving = next(v for v in panel if v.email)
    with app.test_request_context():
        token = services.invitation_token(leaving)
    client.post("/deconnexion")
    assert "Pouvez-vous venir" in text(client.get(f"/ateliers/invitation/{token}"))
    assert client.post(f"/ateliers/invitation/{token}", data={"answer": "no"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Volunteer, leaving.id).status == "declined"
    seated = db.session.scalars(
        sa.select(Volunteer).where(Volunteer.status.in_(["selected", "confirmed"]))
    ).all()
    assert len(seated) == 6 and leaving not in seated
    newcomer = next(v for v in seated if str(v.id) not in run.result["panel"])
    # The first in reserve order who keeps the quotas.
    reserve = run.result["reserve"]
    genders = Counter(v.gender for v in seated)
    areas = Counter(services._area_of(workshop).get(v.commune.insee) for v in seated)
    assert 2 <= genders["female"] <= 4 and 2 <= genders["male"] <= 4
    assert all(1 <= n <= 4 for n in areas.values())
    skipped = reserve[: reserve.index(str(newcomer.id))]
    for pid in skipped:  # everyone before would have broken a quota
        other = db.session.get(Volunteer, int(pid))
        assert other.gender != leaving.gender or other.status == "declined"


def test_accepting_gives_a_seat_and_the_link_cannot_be_reused_after_decline(
    client, make_workshop, db, app
):
    workshop, run = _selected_workshop(client, db, make_workshop, app)
    client.post(f"/gestion/ateliers/tirages/{run.id}/publication")
    member = db.session.get(Volunteer, int(run.result["panel"][0]))
    with app.test_request_context():
        token = services.invitation_token(member)
    client.post("/deconnexion")
    client.post(f"/ateliers/invitation/{token}", data={"answer": "yes"})
    seat = db.session.scalar(sa.select(Participant).where(Participant.volunteer_id == member.id))
    assert seat is not None and seat.role == "citizen"
    client.post(f"/ateliers/invitation/{token}", data={"answer": "no"})
    assert (
        db.session.scalar(sa.select(Participant).where(Participant.volunteer_id == member.id))
        is None
    )
    again = client.post(
        f"/ateliers/invitation/{token}", data={"answer": "yes"}, follow_redirects=True
    )
    assert "plus valable" in text(again)
    assert client.get("/ateliers/invitation/not-a-token").status_code == 404


def test_agent_enters_volunteers_prints_letters_and_records_answers(
    client, make_workshop, make_user, db, app
):
    workshop, run = _selected_workshop(client, db, make_workshop, app)
    client.post(f"/gestion/ateliers/tirages/{run.id}/publication")
    agent = make_user("agent")
    log_in(client, agent)
    letters = text(client.get(f"/gestion/ateliers/{workshop.id}/courriers"))
    paper = [
        v
        for v in db.session.scalars(sa.select(Volunteer).where(Volunteer.status == "selected"))
        if not v.email
    ]
    assert paper and all(v.name in letters for v in paper)
    assert "/ateliers/invitation/" in letters
    # Fit to post: the postcode and commune under the address, a QR code beside the link.
    first = paper[0]
    commune = db.session.get(Commune, first.commune_id)
    assert f"{commune.postcode} {commune.name.upper()}" in letters
    assert letters.count('class="qr-code"') == len(paper)
    answer = client.post(
        f"/gestion/ateliers/volontaires/{paper[0].id}/reponse", data={"answer": "yes"}
    )
    assert answer.status_code == 303
    assert db.session.get(Volunteer, paper[0].id).status == VolunteerStatus.CONFIRMED


def test_agent_entry_requires_a_contact(client, make_workshop, make_user, db):
    workshop = make_workshop()
    log_in(client, make_user("agent"))
    commune = _communes(db, 1)[0]
    response = client.post(
        f"/gestion/ateliers/{workshop.id}/volontaires/nouveau",
        data={"name": "Jeanne Martin", "channel": "counter", "commune_id": str(commune.id)},
    )
    assert "au moins un moyen de joindre" in text(response)
    assert 'value="Jeanne Martin"' in text(response)
    ok = client.post(
        f"/gestion/ateliers/{workshop.id}/volontaires/nouveau",
        data={
            "name": "Jeanne Martin",
            "phone": "05 61 00 00 01",
            "channel": "counter",
            "commune_id": str(commune.id),
        },
    )
    assert ok.status_code == 303
    entered = db.session.scalar(sa.select(Volunteer).where(Volunteer.name == "Jeanne Martin"))
    assert entered.channel == "counter" and entered.entered_by_id is not None


def test_table_seats_and_attendance(client, make_workshop, make_user, db):
    workshop = make_workshop(seats_elected=1)
    elected = make_user("elected", email="elue@example.org", display_name="Élue")
    log_in(client, workshop.facilitator)
    add = {"email": "elue@example.org", "role": "elected", "table_no": "1"}
    assert client.post(f"/gestion/ateliers/{workshop.id}/table", data=add).status_code == 303
    full = client.post(
        f"/gestion/ateliers/{workshop.id}/table",
        data={**add, "email": make_user("elected").email},
    )
    assert full.status_code == 422 and "Toutes les places de ce collège" in text(full)
    unknown = client.post(
        f"/gestion/ateliers/{workshop.id}/table", data={**add, "email": "nobody@example.org"}
    )
    assert "Aucun compte" in text(unknown)
    seat = db.session.scalar(sa.select(Participant).where(Participant.user_id == elected.id))
    client.post(f"/gestion/ateliers/{workshop.id}/presences", data={"present": [str(seat.id)]})
    db.session.refresh(seat)
    assert seat.attended is True


def test_erasure_removes_the_declared_answers(client, make_workshop, make_user, db, app):
    workshop = make_workshop()
    citizen = make_user()
    with app.test_request_context():
        services.volunteer(
            citizen,
            workshop,
            address="1 rue Haute",
            commune_id=_communes(db, 1)[0].id,
            gender="female",
        )
        db.session.commit()
        erase_account(citizen)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Volunteer.id))) == 0


def test_the_agenda_filters_by_commune(client, make_workshop, db):
    labege = db.session.scalar(sa.select(Commune).where(Commune.name == "Labège"))
    make_workshop(title="Atelier de Labège", commune_id=labege.id)
    make_workshop(title="Atelier ailleurs")
    page = text(client.get(f"/ateliers?commune={labege.insee}"))
    assert "Atelier de Labège" in page and "Atelier ailleurs" not in page
    fragment = client.get(f"/ateliers?commune={labege.insee}", headers=HX)
    assert "<html" not in fragment.get_data(as_text=True)
    assert f"agenda.ics?commune={labege.insee}" in fragment.get_data(as_text=True)


def test_quota_check_counts_the_volunteers_and_names_each_obstacle_once(
    client, make_workshop, db, app
):
    workshop = make_workshop()  # 6 citizen seats
    communes = _communes(db)
    with app.test_request_context():
        services.set_quotas(workshop.facilitator, workshop, _quotas(workshop, communes))
    db.session.commit()
    _pool(db, workshop, communes, n=1)
    log_in(client, workshop.facilitator)
    page = text(client.post(f"/gestion/ateliers/{workshop.id}/quotas/verification", headers=HX))
    assert "Il y a 1 volontaire pouvant siéger pour 6 places" in page
    assert "None" not in page
    items = [line for line in page.split("\n") if line.strip()]
    assert len(items) == len(set(items))
    # A category's sum of maximums is named by its category, not as a value "None".
    with app.test_request_context():
        issues = services.check_quotas(workshop)
    assert any(i.startswith(fr("Catégorie « Genre »")) for i in issues), issues


def test_a_draw_while_the_call_is_open_needs_the_facilitators_word(client, make_workshop, db, app):
    workshop = make_workshop()  # the call closes in five days
    communes = _communes(db)
    with app.test_request_context():
        services.set_quotas(workshop.facilitator, workshop, _quotas(workshop, communes))
    db.session.commit()
    _pool(db, workshop, communes)
    log_in(client, workshop.facilitator)
    url = f"/gestion/ateliers/{workshop.id}/tirage"
    assert "Tirer au sort quand même" in text(client.get(url))
    refused = client.post(url, data={"method": "leximin", "seed": "7"})
    assert refused.status_code == 422
    assert "L'appel à volontaires est ouvert jusqu'au" in text(refused)
    assert db.session.scalar(sa.select(sa.func.count(Selection.id))) == 0
    accepted = client.post(url, data={"method": "leximin", "seed": "7", "despite_open_call": "y"})
    assert accepted.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Selection.id))) == 1


def test_a_new_date_is_sent_to_everyone_invited_once_and_not_to_who_changed_it(
    client, make_workshop, db, app
):
    workshop, run = _selected_workshop(client, db, make_workshop, app)
    client.post(f"/gestion/ateliers/tirages/{run.id}/publication")
    invited = db.session.scalars(
        sa.select(Volunteer).where(
            Volunteer.workshop_id == workshop.id, Volunteer.status == VolunteerStatus.SELECTED
        )
    ).all()
    assert invited

    def changed_mails():
        return db.session.scalars(
            sa.select(OutboxEmail).where(OutboxEmail.subject.like("%la date ou le lieu change%"))
        ).all()

    fields = {name: getattr(workshop, name) for name in services.WORKSHOP_FIELDS}
    with app.test_request_context():
        services.save_workshop(workshop.facilitator, workshop, **{**fields, "title": "Renommé"})
    assert changed_mails() == []  # a new title is not a new meeting
    later = workshop.starts_at + timedelta(days=7)
    with app.test_request_context():
        services.save_workshop(
            workshop.facilitator, workshop, **{**fields, "title": "Renommé", "starts_at": later}
        )
    db.session.commit()
    mails = changed_mails()
    with_email = sorted(v.email for v in invited if v.email)
    assert with_email and sorted(m.to_address for m in mails) == with_email
    assert all("change de date ou de lieu" in m.body for m in mails)
    assert workshop.facilitator.email not in {m.to_address for m in mails}
    # Whom no e-mail reaches, the facilitator is told to call or write to.
    without = len(invited) - len(with_email)
    log_in(client, workshop.facilitator)
    form = client.get(f"/gestion/ateliers/{workshop.id}")
    data = {
        "title": "Renommé",
        "purpose": workshop.purpose,
        "starts_at": "2027-05-04T18:30",
        "duration_minutes": str(workshop.duration_minutes),
        "mode": "onsite",
        "address": workshop.address,
        "capacity": str(workshop.capacity),
        "tables": str(workshop.tables),
        "seats_elected": str(workshop.seats_elected),
        "seats_technician": str(workshop.seats_technician),
        "seats_citizen": str(workshop.seats_citizen),
        "one_per_household": "y",
    }
    assert form.status_code == 200
    saved = client.post(f"/gestion/ateliers/{workshop.id}", data=data, follow_redirects=True)
    assert without and f"sauf {without} sans adresse" in text(saved)


def test_the_draws_progress_reads_in_the_readers_language(client, make_workshop, db, app):
    workshop, run = _selected_workshop(client, db, make_workshop, app)
    assert run.step == "Tirage terminé"  # stored once, in the source language
    client.post("/langue", data={"lang": "en"})
    page = text(client.get(f"/gestion/ateliers/{workshop.id}/tirage"))
    assert "Draw finished" in page and "Tirage terminé" not in page


def test_a_draw_without_volunteers_says_so_in_words(client, make_workshop, db, app):
    workshop = make_workshop()
    communes = _communes(db)
    with app.test_request_context():
        services.set_quotas(workshop.facilitator, workshop, _quotas(workshop, communes))
    db.session.commit()
    log_in(client, workshop.facilitator)
    check = text(client.post(f"/gestion/ateliers/{workshop.id}/quotas/verification"))
    assert "Aucun volontaire n'est inscrit" in check and "incohérentes" not in check
    refused = client.post(f"/gestion/ateliers/{workshop.id}/tirage", data={"method": "leximin"})
    assert "Aucun volontaire n'est inscrit" in text(refused)
    assert db.session.scalar(sa.select(sa.func.count(Selection.id))) == 0
