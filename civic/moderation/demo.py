"""Moderation in the demo: reports waiting, a decision in the public log, a blocked account."""

import sqlalchemy as sa

from civic.accounts.models import User
from civic.consultations import services as consultations
from civic.consultations.models import Consultation, Proposal
from civic.extensions import db
from civic.moderation import services


def load(people: dict[str, User]) -> None:
    climate = db.session.scalar(sa.select(Consultation).where(Consultation.slug == "plan-climat"))
    citizens = list(
        db.session.scalars(
            sa.select(User)
            .where(User.email.like("habitant%@civic-demo.example.org"))
            .order_by(User.id)
        )
    )
    # Not the first citizen: that is the demo account printed for visitors to try.
    troll, reporters = citizens[-1], citizens[1:5]
    proposal = db.session.scalar(
        sa.select(Proposal).where(Proposal.consultation_id == climate.id).order_by(Proposal.id)
    )
    insult = consultations.add_comment(
        troll, proposal, stance="against", body="Ceux qui proposent ça sont des incapables."
    )
    advert = consultations.add_comment(
        troll, proposal, stance="neutral", body="Isolation à 1 euro, appelez vite notre société !"
    )
    for reporter in reporters[:3]:
        services.report(reporter, "comment", insult, "harassment")
    services.report(reporters[3], "comment", advert, "spam")
    case = services.report(reporters[0], "comment", advert, "spam")
    services.decide(people["moderator"], [case], "hide", "advertising", "Démarchage commercial.")
    services.block(people["moderator"], troll, "Démarchage commercial répété", 7)
    db.session.flush()
