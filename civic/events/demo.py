"""The demo's agenda: meetings, a weekly permanence, a visit and an online session across
several communes, one full with a waiting list, one cancelled, one past with its report and
the paper contributions collected there."""

from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from civic.consultations.models import Consultation
from civic.core.models import utcnow
from civic.core.validators import PARIS
from civic.events import services
from civic.extensions import db
from civic.territory.models import Commune

# Written on the paper forms of the past meeting, typed in by an agent afterwards.
PAPER = [
    (
        "Un bus plus tôt le matin",
        "Le premier bus vers Labège passe à 7 h 10 : trop tard pour commencer à 7 h 30.",
    ),
    (
        "Un parking relais à Labège",
        "Pouvoir laisser sa voiture près du métro sans tourner une demi-heure.",
    ),
]
# Drawn by scripts/draw_demo_pictures.py; each with the words that say what it shows.
DATA = Path(__file__).parent / "data"
COVERS = {
    "Réunion publique : le plan climat à mi-parcours": (
        "reunion-plan-climat.png",
        "Dessin : une salle de réunion publique ; des habitants assis, vus de dos, font face "
        "à un écran qui montre une éolienne, une colline et le soleil ; un intervenant parle "
        "derrière un pupitre.",
    ),
    "Permanence de l'élue à l'habitat": (
        "permanence-habitat.png",
        "Dessin : une habitante et l'élue de part et d'autre d'une table, avec des "
        "plans et la maquette d'une maison équipée d'un panneau solaire ; derrière, des "
        "classeurs sur des étagères et une fenêtre sur le village.",
    ),
    "Visite de la station d'épuration": (
        "visite-station-epuration.png",
        "Dessin : un groupe de visiteurs suit une guide en gilet jaune devant les bassins "
        "ronds d'une station d'épuration et son bâtiment technique.",
    ),
    "Session en ligne : comprendre le budget participatif": (
        "session-budget-participatif.png",
        "Dessin : un ordinateur portable affiche une visioconférence à quatre participants ; "
        "à côté, une urne où tombe une pièce et une pile de pièces.",
    ),
    "Réunion d'information sur la collecte des déchets": (
        "collecte-dechets.png",
        "Dessin : un camion de collecte dans une rue de village, des poubelles jaunes, vertes "
        "et grises devant les maisons et un agent de collecte en tenue orange.",
    ),
    "Réunion publique : les mobilités entre Labège et Castanet": (
        "reunion-mobilites.png",
        "Dessin : entre des immeubles de bureaux et un village, le métro passe sur un viaduc, "
        "un bus et un cycliste roulent sur la route et des habitants attendent à un arrêt "
        "de bus.",
    ),
}
WAITING_NAMES = ["Martine Roques", "Youssef Benali", "Élodie Castan", "Paul Fabre"]


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    """A Paris wall-clock time `days` from today."""
    day = (utcnow() + timedelta(days=days)).astimezone(PARIS).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def _event(
    actor,
    kind,
    title,
    description,
    start,
    hours,
    commune=None,
    organiser=None,
    consultation=None,
    capacity=None,
    registration=False,
    place="",
    address="",
    accessibility="",
    online_url="",
    **series,
):
    event = services.save_event(
        actor,
        None,
        kind=kind,
        title=title,
        description=description,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        commune_id=commune.id if commune else None,
        place_name=place,
        address=address,
        accessibility=accessibility,
        online_url=online_url,
        organiser_commune_id=organiser.id if organiser else None,
        consultation_id=consultation.id if consultation else None,
        phase_id=None,
        registration=registration,
        capacity=capacity,
        **series,
    )
    name, alt = COVERS[title]
    services.set_cover(actor, event, (DATA / name).read_bytes(), alt)
    services.publish(actor, event)
    return event


def load(people: dict) -> None:
    communes = {c.insee: c for c in db.session.scalars(sa.select(Commune))}
    consultation = db.session.scalar(
        sa.select(Consultation)
        .where(Consultation.published_at.is_not(None))
        .order_by(Consultation.id)
    )
    agent, admin = people["agent"], people["admin"]
    labege, castanet = communes.get("31254"), communes.get("31113")
    ramonville, escalquens = communes.get("31446"), communes.get("31169")
    step = "Plain-pied, boucle magnétique, places de stationnement réservées."

    meeting = _event(
        admin,
        "reunion",
        "Réunion publique : le plan climat à mi-parcours",
        "Les élus et les services du Sicoval présentent l'avancement du plan climat et "
        "répondent à vos questions. Garde d'enfants possible sur demande.",
        _at(9, 19),
        2,
        commune=labege,
        consultation=consultation,
        capacity=80,
        registration=True,
        place="Salle des fêtes de Labège",
        address="Place Saint-Barthélemy, 31670 Labège",
        accessibility=step,
    )
    first = _at(4, 9)
    _event(
        agent,
        "permanence",
        "Permanence de l'élue à l'habitat",
        "Sans rendez-vous : logement, aides à la rénovation énergétique, projets de quartier.",
        first,
        3,
        commune=castanet,
        organiser=castanet,
        place="Mairie de Castanet-Tolosan",
        address="29 avenue de Toulouse, 31320 Castanet-Tolosan",
        accessibility=step,
        recurrence="weekly",
        recurrence_until=(first + timedelta(weeks=11)).date(),
        # The third week: the elected official is away.
        exception_days=[(first + timedelta(weeks=2)).date()],
    )
    visit = _event(
        admin,
        "visite",
        "Visite de la station d'épuration",
        "Découvrir comment l'eau usée de six communes est traitée avant de rejoindre l'Hers. "
        "Chaussures fermées conseillées.",
        _at(16, 10),
        2,
        commune=escalquens,
        capacity=3,
        registration=True,
        place="Station d'épuration",
        address="Chemin de l'Hers, 31750 Escalquens",
        accessibility="Parcours en extérieur, en partie sur graviers.",
    )
    # Full, with people waiting: the first one gets the seat of whoever cancels.
    for i, name in enumerate(WAITING_NAMES):
        services.register(
            visit,
            name=name,
            email=f"visite{i}@civic-demo.example.org",
            entered_by=agent,
            channel="phone",
            commune_id=escalquens.id if escalquens else None,
        )
    services.register(
        meeting,
        name=people["citizen"].public_name,
        email=people["citizen"].email,
        user=people["citizen"],
        commune_id=people["citizen"].commune_id,
    )
    _event(
        admin,
        "en-ligne",
        "Session en ligne : comprendre le budget participatif",
        "Une heure pour comprendre les règles, poser vos questions et préparer un projet.",
        _at(6, 18, 30),
        1,
        online_url="https://visio.sicoval.example.org/budget-participatif",
    )
    cancelled = _event(
        agent,
        "information",
        "Réunion d'information sur la collecte des déchets",
        "Les nouveaux jours de collecte et le tri des biodéchets.",
        _at(13, 18),
        2,
        commune=ramonville,
        place="Salle Marcaissonne",
        address="Rue des Lauriers, 31520 Ramonville-Saint-Agne",
    )
    services.cancel(agent, cancelled, "La salle est indisponible ; une nouvelle date suivra.")
    past = _event(
        admin,
        "reunion",
        "Réunion publique : les mobilités entre Labège et Castanet",
        "Bus, vélo, covoiturage : vos trajets de tous les jours.",
        _at(-12, 19),
        2,
        commune=castanet,
        consultation=consultation,
        place="Salle du Lac",
        address="Avenue de Toulouse, 31320 Castanet-Tolosan",
    )
    services.save_report(
        admin,
        past,
        "<p>Une soixantaine d'habitants. Trois demandes reviennent : une piste cyclable "
        "continue, des bus plus tôt le matin, un parking relais à Labège.</p>"
        "<p>Les services répondront dans la concertation avant la fin du mois.</p>",
        True,
    )
    if consultation is not None:
        for title, body in PAPER:
            services.enter_contribution(
                agent, past, title=title, body=body, theme="", commune_id=past.commune_id
            )
