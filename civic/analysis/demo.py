"""The demo's climate plan has an analysis, a synthesis and a published decision."""

import sqlalchemy as sa

from civic.accounts.models import User
from civic.analysis import services
from civic.consultations.models import Consultation
from civic.extensions import db

JUSTIFICATIONS = [
    (
        "retained",
        "Ces propositions rejoignent le programme d'actions 2027 du plan climat, "
        "avec un budget dédié et un suivi public.",
    ),
    (
        "partly_retained",
        "Retenues pour les communes volontaires dans un premier temps ; une "
        "évaluation décidera de l'extension.",
    ),
    (
        "out_of_scope",
        "Ces sujets relèvent de l'État ou de la Région : nous leur avons transmis "
        "vos contributions.",
    ),
    (
        "not_retained",
        "Le coût est trop élevé au regard du gain attendu ; nous renforçons "
        "plutôt les aides existantes.",
    ),
]


def load(people: dict[str, User]) -> None:
    climate = db.session.scalar(sa.select(Consultation).where(Consultation.slug == "plan-climat"))
    run = services.start(people["agent"], climate, seed=2026)
    db.session.flush()
    services.run_analysis(run.id)
    for i, cluster in enumerate(run.clusters):
        decision, text = JUSTIFICATIONS[i % len(JUSTIFICATIONS)]
        services.decide(people["elected"], cluster, decision, text)
    services.publish(people["elected"], run)
    db.session.flush()
