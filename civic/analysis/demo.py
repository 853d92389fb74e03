"""The demo's climate plan has an analysis, a synthesis and a published decision."""

import unicodedata

import sqlalchemy as sa

from civic.accounts.models import User
from civic.analysis import services
from civic.consultations import demo as consultations_demo
from civic.consultations.models import Consultation
from civic.extensions import db

JUSTIFICATIONS = [
    (
        "retained",
        "Ce qui est proposé ici rejoint le programme d'actions 2027 du plan climat, "
        "avec un budget dédié et un suivi public.",
    ),
    (
        "partly_retained",
        "Mis en œuvre d'abord dans les communes volontaires ; une évaluation "
        "décidera de l'étendre aux autres.",
    ),
    (
        "out_of_scope",
        "Cette question relève de l'État ou de la Région : nous leur avons transmis "
        "ce que vous avez écrit.",
    ),
    (
        "not_retained",
        "Le coût est trop élevé au regard du gain attendu ; nous renforçons "
        "plutôt les aides existantes.",
    ),
]


# A decision that fits what the group says, as elected officials would answer it: a group of
# remarks made under proposals is not "retained" as if it were an action; national matters are
# outside the Sicoval's remit; local climate actions are what the plan takes up.
REMARKS = (
    "partly_retained",
    "Ces remarques accompagnent les propositions et ont été lues avec elles : le coût, le "
    "calendrier et les communes concernées de chaque action retenue seront publiés avec le "
    "programme 2027.",
)
# A group's label and keywords also name the State or a law outright.
NATIONAL = (*consultations_demo.NATIONAL, "etat ", "loi ")
LOCAL = (
    "velo",
    "cyclable",
    "circuit",
    "producteur",
    "bus",
    "transport",
    "renov",
    "isol",
    "compost",
    "dechet",
    "arbre",
    "energie",
    "solaire",
    "espace",
    "jardin",
    "marche",
)


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode() + " "


def decision_for(cluster, i: int) -> tuple[str, str]:
    members = cluster.members
    title = cluster.label.rstrip(" .…")
    named_by_a_remark = any(
        m.kind == "comment" and m.text.strip().startswith(title) for m in members
    )
    if named_by_a_remark or sum(m.kind == "comment" for m in members) * 2 > len(members):
        return REMARKS
    words = _plain(" ".join([cluster.label, *cluster.keywords]))
    if any(w in words for w in NATIONAL):
        return JUSTIFICATIONS[2]
    if any(w in words for w in LOCAL):
        return JUSTIFICATIONS[0] if i % 3 else JUSTIFICATIONS[1]
    return JUSTIFICATIONS[1] if i % 2 else JUSTIFICATIONS[3]


def load(people: dict[str, User]) -> None:
    climate = db.session.scalar(sa.select(Consultation).where(Consultation.slug == "plan-climat"))
    run = services.start(people["agent"], climate, seed=2026)
    db.session.flush()
    services.run_analysis(run.id)
    for i, cluster in enumerate(run.clusters):
        decision, text = decision_for(cluster, i)
        services.decide(people["elected"], cluster, decision, text)
    services.publish(people["elected"], run)
    db.session.flush()
