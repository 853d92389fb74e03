"""The demo's climate plan has a mixed workshop that took place, with its volunteers, quotas,
published selection, seats, live board, vote and minutes; and a next one calling for
volunteers."""

import random
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from civic.accounts.models import AGE_BRACKETS, PCS_GROUPS, User
from civic.consultations.models import Consultation
from civic.core.models import utcnow
from civic.extensions import db
from civic.territory.models import Commune
from civic.workshops import board, services
from civic.workshops.models import Volunteer, Workshop

# Drawn by scripts/draw_demo_pictures.py; each with the words that say what it shows.
DATA = Path(__file__).parent / "data"
COVERS = {
    "Atelier climat : se déplacer autrement": (
        "atelier-mobilites.png",
        "Dessin : trois cyclistes casqués sur une piste cyclable couleur brique, un bus bleu "
        "sur la route voisine et deux piétons, entre des maisons de village et des collines.",
    ),
    "Atelier climat : rénover les logements": (
        "atelier-renovation.png",
        "Dessin : une maison en travaux de rénovation énergétique, avec un échafaudage, des "
        "panneaux d'isolant au pied du mur, des panneaux solaires sur le toit et un ouvrier "
        "sur une échelle ; deux voisins regardent.",
    ),
}


def _cover(facilitator: User, workshop: Workshop) -> None:
    name, alt = COVERS[workshop.title]
    services.update_cover(facilitator, workshop, data=(DATA / name).read_bytes(), alt=alt)


FIRST_NAMES = [
    "Marie", "Jean", "Nathalie", "Pierre", "Isabelle", "Michel", "Sylvie", "Philippe",
    "Catherine", "Alain", "Sophie", "Nicolas", "Aurélie", "Julien", "Fatima", "Karim",
    "Léa", "Hugo", "Chloé", "Lucas", "Inès", "Mathis", "Camille", "Thomas", "Yasmine",
    "Bernard", "Monique", "Gérard", "Josiane", "Kevin",
]  # fmt: skip


def _fields(title: str, starts_at, call_closes_at, consultation, commune) -> dict:
    return {
        "title": title,
        "purpose": (
            "Élus, techniciens et habitants tirés au sort travaillent ensemble sur "
            "les propositions du plan climat : ce qui est prioritaire, ce qui est faisable, "
            "ce qui manque."
        ),
        "consultation_id": consultation.id,
        "starts_at": starts_at,
        "duration_minutes": 150,
        "mode": "onsite",
        "commune_id": commune.id,
        "address": "Salle du conseil communautaire, rue du Chêne Vert",
        "accessibility": (
            "Salle de plain-pied, places de stationnement réservées, boucle magnétique. "
            "Garde d'enfants sur demande à l'inscription."
        ),
        "online_url": "",
        "capacity": 30,
        "tables": 1,
        "seats_elected": 2,
        "seats_technician": 2,
        "seats_citizen": 12,
        "call_closes_at": call_closes_at,
        "one_per_household": True,
    }


def _pool(workshop: Workshop, agent: User, communes: list[Commune], rng: random.Random) -> None:
    """A self-selected pool, as calls for volunteers get: older, more often from the large
    communes, more often managers and retirees than the population."""
    weights = [c.population**1.3 for c in communes]
    ages = list(AGE_BRACKETS)
    for i in range(72):
        commune = rng.choices(communes, weights)[0]
        age = rng.choices(ages, [1, 2, 3, 4, 2])[0]
        pcs = (
            "7"
            if age in ("60-74", "75+")
            else rng.choices(list(PCS_GROUPS), [1, 2, 5, 4, 3, 1, 0, 2])[0]
        )
        db.session.add(
            Volunteer(
                workshop_id=workshop.id,
                name=f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {chr(65 + i % 26)}.",
                phone="05 61 " + " ".join(str(rng.randrange(10, 99)) for _ in range(3)),
                commune_id=commune.id,
                age_bracket=age,
                gender=rng.choices(["female", "male", "other"], [48, 50, 2])[0],
                pcs=pcs,
                first_time=rng.random() < 0.35,
                household_key=services.household_key(f"{i // 36} rue {i} {commune.name}"),
                channel=rng.choice(["phone", "counter", "letter"]),
                entered_by_id=agent.id,
            )
        )
    db.session.flush()


# What the table wrote on its board, by college, and the themes the facilitator made.
NOTES = {
    "Vélo au quotidien": [
        ("citizen", "Une piste cyclable continue entre Castanet et Labège, séparée des voitures."),
        ("citizen", "Des arceaux vélo abrités devant les écoles et les commerces."),
        ("elected", "Relier les pistes existantes avant d'en créer de nouvelles."),
        ("citizen", "Une aide à l'achat d'un vélo électrique pour les foyers modestes."),
    ],
    "Transports en commun": [
        ("citizen", "Un bus toutes les 20 minutes vers le métro, aussi le samedi."),
        ("technician", "Le prolongement de la ligne B rend possible un rabattement en bus."),
        ("citizen", "Du transport à la demande pour les villages du sud du Sicoval."),
    ],
    "Covoiturage et voiture partagée": [
        ("citizen", "Des aires de covoiturage éclairées près des entrées d'autoroute."),
        ("technician", "Une application commune avec Tisséo plutôt qu'un outil de plus."),
        ("citizen", "Des voitures en autopartage dans les communes sans bus."),
    ],
}
SUMMARY = (
    "<p>Quatre élus et techniciens et douze habitants tirés au sort ont travaillé "
    "deux heures et demie sur les mobilités du plan climat.</p>"
    "<p>La table place en tête le vélo au quotidien, à condition de relier d'abord les pistes "
    "existantes ; elle demande un bus plus fréquent vers le métro et du transport à la "
    "demande pour les villages. Les propositions rejoignent la concertation.</p>"
)


def _board(past: Workshop, facilitator: User, rng: random.Random) -> None:
    """Notes by each college, themes, a majority-judgment vote and the minutes."""
    seats = {s.role: s for s in services.participants(past) if s.user is not None}
    citizens = [
        s.user for s in services.participants(past) if s.role == "citizen" and s.user is not None
    ]
    for theme_title, notes in NOTES.items():
        theme = board.add_theme(facilitator, past, theme_title)
        for role, body in notes:
            author = seats[role].user if role in seats else facilitator
            note = board.post_note(
                citizens[0] if role == "citizen" and citizens else author, past, body
            )
            note.author_role = role  # paper post-its typed by the facilitator keep their college
            board.assign_note(facilitator, note, theme)
    themes = board.themes(past)
    board.open_vote(facilitator, past, "majority")
    for seat in services.participants(past):
        if seat.attended is False:
            continue
        grades = {
            t.id: rng.choices(range(7), [1, 1, 2, 3, 4, 3, 2 + 2 * (n == 0)])[0]
            for n, t in enumerate(themes)
        }
        if seat.user is not None and seat.role != "facilitator":
            board.cast_ballot(seat.user, past, grades)
        elif seat.user is None:
            board.paper_ballot(facilitator, past, seat.role, grades, seat.table_no)
    board.close_vote(facilitator, past)
    board.publish_minutes(facilitator, past, SUMMARY)


def load(people: dict[str, User]) -> Workshop:
    rng = random.Random(2026)  # noqa: S311  # nosec B311 - reproducible demo data
    climate = db.session.scalar(sa.select(Consultation).where(Consultation.slug == "plan-climat"))
    communes = list(db.session.scalars(sa.select(Commune).order_by(Commune.name)))
    labege = next(c for c in communes if c.name == "Labège")
    facilitator, agent, elected = people["facilitator"], people["agent"], people["elected"]
    now = utcnow().replace(minute=0, second=0, microsecond=0)

    past = services.save_workshop(
        facilitator,
        None,
        **_fields(
            "Atelier climat : se déplacer autrement",
            now - timedelta(days=12, hours=5),
            now - timedelta(days=30),
            climate,
            labege,
        ),
    )
    _cover(facilitator, past)
    services.publish(facilitator, past)
    services.set_quotas(facilitator, past, services.default_quotas(past))
    _pool(past, agent, communes, rng)
    run = services.start_selection(facilitator, past, method="leximin", seed=20261103)
    db.session.commit()
    services.run_selection_job(run.id)
    services.publish_selection(facilitator, run)
    # Drawn two days after the call closed, ahead of the workshop: not in the minute the
    # demo loads, after the workshop took place.
    run.created_at = run.published_at = now - timedelta(days=28)
    db.session.flush()
    invited = list(
        db.session.scalars(
            sa.select(Volunteer)
            .where(Volunteer.workshop_id == past.id, Volunteer.status == "selected")
            .order_by(Volunteer.id)
        )
    )
    services.respond(invited[0], False, actor=agent)  # one declines: the reserve steps in
    for volunteer in db.session.scalars(
        sa.select(Volunteer).where(Volunteer.workshop_id == past.id, Volunteer.status == "selected")
    ):
        services.respond(volunteer, True, actor=agent)
    services.add_participant(facilitator, past, elected, "elected")
    services.add_participant(facilitator, past, agent, "technician")
    services.add_participant(facilitator, past, facilitator, "facilitator")
    seats = services.participants(past)
    services.set_attendance(
        facilitator, past, {s.id for n, s in enumerate(seats) if n % 7 != 3}, {}
    )
    _board(past, facilitator, rng)

    upcoming = services.save_workshop(
        facilitator,
        None,
        **_fields(
            "Atelier climat : rénover les logements",
            now + timedelta(days=24, hours=18 - now.hour),
            now + timedelta(days=14),
            climate,
            labege,
        ),
    )
    _cover(facilitator, upcoming)
    services.publish(facilitator, upcoming)
    services.set_quotas(facilitator, upcoming, services.default_quotas(upcoming))
    db.session.flush()
    return past
