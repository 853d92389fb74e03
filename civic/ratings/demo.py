"""Public services in the demo: an SCDL file built here, imported like a real one, rated."""

import csv
import io
import random

import sqlalchemy as sa

from civic.accounts.models import User
from civic.core.formatting import elide
from civic.extensions import db
from civic.moderation import services as moderation
from civic.moderation.models import Case
from civic.ratings import importer, services
from civic.ratings.models import CRITERIA, Rating, Service
from civic.territory.models import Commune

HEADER = (
    "EQUIP_UID;EQUIP_TYPE;EQUIP_NOM;ADR_NUMERO;ADR_NOMVOIE;ADR_CODEPOSTAL;ADR_COMMUNE;"
    "EQUIP_LAT;EQUIP_LONG;EQUIP_OUVERTURE;EQUIP_TEL"
)
PLACES = [
    (
        "Piscine",
        "Piscine",
        "Mo-Fr 12:00-14:00,17:00-20:00; Sa,Su 10:00-18:00",
        ["31254", "31113", "31446"],
    ),
    ("Déchèterie", "Déchèterie", "Mo-Sa 09:00-12:00,13:30-18:00", ["31113", "31169", "31048"]),
    ("Crèche", "Crèche", "Mo-Fr 07:30-18:30", ["31446", "31035", "31429"]),
    (
        "Médiathèque",
        "Médiathèque",
        "Tu,Th 14:00-18:00; We,Sa 10:00-12:30,14:00-18:00",
        ["31113", "31254", "31381"],
    ),
    (
        "Accueil de la mairie",
        "Accueil de mairie",
        "Mo-Fr 08:30-12:00,13:30-17:00",
        ["31446", "31113", "31169", "31004"],
    ),
]


def scdl_file(communes: dict[str, Commune], rng: random.Random) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER.split(";"))
    for prefix, kind, hours, insees in PLACES:
        for insee in insees:
            commune = communes[insee]
            lat = commune.latitude + rng.uniform(-0.004, 0.004)
            lon = commune.longitude + rng.uniform(-0.004, 0.004)
            writer.writerow(
                [
                    f"{kind[:3].upper()}-{insee}",
                    kind,
                    elide(f"{prefix} de {commune.name}"),
                    str(rng.randint(1, 40)),
                    "rue de la République",
                    commune.postcode,
                    commune.name,
                    f"{lat:.5f}".replace(".", ","),
                    f"{lon:.5f}".replace(".", ","),
                    hours,
                    f"05 61 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                ]
            )
    # Opening hours hold ";": the csv module quotes them, as a real export does.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def load(people: dict[str, User]) -> None:
    rng = random.Random(31)  # noqa: S311  # nosec B311 - reproducible demo data, not security
    communes = {c.insee: c for c in db.session.scalars(sa.select(Commune))}
    parsed = importer.parse(scdl_file(communes, rng), filename="equipements-sicoval.csv")
    services.import_services(
        people["agent"],
        "sicoval-equipements",
        parsed,
        dataset="Équipements collectifs publics du Sicoval (démo)",
    )
    services.set_responsible(people["admin"], people["agent"], service_type="Piscine")
    raters = list(
        db.session.scalars(
            sa.select(User).where(User.email.like("habitant%@civic-demo.example.org"))
        )
    )
    remarks = [
        "Personnel très aimable.",
        "Trop d'attente le samedi matin.",
        "Horaires affichés à jour, merci.",
        "Difficile d'accès en fauteuil roulant.",
    ]
    for service in db.session.scalars(sa.select(Service).order_by(Service.id)):
        for user in rng.sample(raters, rng.choice([2, 4, 7, 9])):
            base = rng.choice([2, 3, 4, 4, 5, 5])
            services.rate(
                user,
                service,
                channel=rng.choice(["on_site", "phone", "online"]),
                scores={c: max(1, min(5, base + rng.choice([-1, 0, 0, 1]))) for c in CRITERIA},
                open_as_announced=rng.choice([True, True, False, None]),
                comment=rng.choice(remarks) if rng.random() < 0.3 else "",
            )
    db.session.flush()
    # The demo's moderators have read the comments and kept them: published, out of the queue.
    waiting = db.session.scalars(
        sa.select(Case).where(Case.kind == "rating_comment", Case.is_open.is_(True))
    )
    moderation.decide(people["moderator"], list(waiting), "keep")
    db.session.flush()
    first = db.session.scalar(
        sa.select(Rating)
        .where(Rating.comment_status == "published")
        .join(Service)
        .where(Service.type == "Piscine")
    )
    if first is not None:
        services.answer(
            people["agent"],
            first,
            text="Merci, nous avons transmis à l'équipe.",
            signed_as="Responsable des piscines du Sicoval",
            status="noted",
        )
