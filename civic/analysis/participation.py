"""Who took part in a consultation: the one computation that the synthesis, the diversity
dashboard and the open data all read, so that their figures agree.

- People: the diversity dashboard's count of a consultation (`workshops.dashboard`): every
  account that proposed, commented, voted or took part in one of its workshops, and the
  citizens seated without an account. A person's commune, age and gender come only from a
  profile given with statistical consent, under statistical secrecy (no count from 1 to 4).
- Contributions: proposals (every channel, including those typed by an agent for a resident
  without an account), comments, votes and workshop notes, as the dashboard counts them.
- Contributions by commune concerned: the published proposals by the commune they name,
  a public attribute of each proposal, against the commune's share of the population.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from civic.consultations.models import Comment, Consultation, Proposal, ProposalStatus
from civic.extensions import db
from civic.territory.models import Commune
from civic.workshops.dashboard import Dashboard, consultation_dashboard


@dataclass(frozen=True)
class Concerned:
    insee: str
    name: str
    proposals: int
    share: float | None  # of the proposals that name a commune
    population_share: float | None


@dataclass
class Participation:
    people: Dashboard
    authors: int  # accounts that wrote at least one proposal or comment
    by_channel: dict[str, int]  # published proposals by channel
    concerned: list[Concerned]  # every commune of the territory, in order
    no_commune: int  # published proposals that name no commune

    @property
    def participants(self) -> int:
        return self.people.participants

    @property
    def contributions(self) -> int:
        return self.people.contributions


def participation(consultation: Consultation) -> Participation:
    people = consultation_dashboard(consultation)
    published = sa.and_(
        Proposal.consultation_id == consultation.id,
        Proposal.status == ProposalStatus.PUBLISHED.value,
    )
    by_channel = dict(
        db.session.execute(
            sa.select(Proposal.channel, sa.func.count()).where(published).group_by(Proposal.channel)
        ).all()
    )
    per_commune = dict(
        db.session.execute(
            sa.select(Proposal.commune_id, sa.func.count())
            .where(published)
            .group_by(Proposal.commune_id)
        ).all()
    )
    authors = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            sa.union(
                sa.select(Proposal.author_id).where(
                    Proposal.consultation_id == consultation.id, Proposal.author_id.is_not(None)
                ),
                sa.select(Comment.author_id)
                .join(Proposal, Proposal.id == Comment.proposal_id)
                .where(Proposal.consultation_id == consultation.id, Comment.author_id.is_not(None)),
            ).subquery()
        )
    )
    if consultation.all_communes or not consultation.communes:
        territory = list(
            db.session.scalars(
                sa.select(Commune).where(Commune.closed_at.is_(None)).order_by(Commune.name)
            )
        )
    else:
        territory = sorted(consultation.communes, key=lambda c: c.name)
    named = sum(n for key, n in per_commune.items() if key is not None)
    population = sum(c.population for c in territory)
    concerned = [
        Concerned(
            c.insee,
            c.name,
            per_commune.get(c.id, 0),
            per_commune.get(c.id, 0) / named if named else None,
            c.population / population if population else None,
        )
        for c in territory
    ]
    return Participation(people, authors or 0, by_channel, concerned, per_commune.get(None, 0))
