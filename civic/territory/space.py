"""A commune's space: what happens there and who takes part, read from the packages that
place their items in communes. Read-only queries; follows are in services."""

from dataclasses import dataclass

import sqlalchemy as sa

from civic.extensions import db
from civic.territory.models import Commune, CommuneFollow

# Counts from 1 to 4 are shown as "< 5", as in the analysis reports: in a commune of a
# hundred inhabitants a small count points at people.
SMALL = 5


@dataclass(frozen=True)
class Figures:
    residents: int  # accounts that declared the commune
    proposals: int  # published proposals about the commune
    ratings: int  # ratings of the commune's services
    population: int | None  # None: unknown

    @property
    def residents_per_thousand(self) -> float | None:
        if not self.population:
            return None
        return 1000 * self.residents / self.population


def figures(commune: Commune) -> Figures:
    from civic.accounts.models import User
    from civic.consultations.models import Proposal, ProposalStatus
    from civic.ratings.models import Rating, Service

    residents = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.commune_id == commune.id, User.deleted_at.is_(None)
        )
    )
    proposals = db.session.scalar(
        sa.select(sa.func.count(Proposal.id)).where(
            Proposal.commune_id == commune.id, Proposal.status == ProposalStatus.PUBLISHED
        )
    )
    ratings = db.session.scalar(
        sa.select(sa.func.count(Rating.id))
        .join(Service, Service.id == Rating.service_id)
        .where(Service.commune_id == commune.id)
    )
    return Figures(
        residents, proposals, ratings, commune.population if commune.population_known else None
    )


def consultations(commune: Commune) -> tuple[list, list]:
    """Published consultations of the commune (those that name it), and those of the whole
    territory, newest first."""
    from civic.consultations.models import Consultation, consultation_commune

    published = sa.select(Consultation).where(Consultation.published_at.is_not(None))
    named = sa.select(consultation_commune.c.consultation_id).where(
        consultation_commune.c.commune_id == commune.id
    )
    own = db.session.scalars(
        published.where(Consultation.all_communes.is_(False), Consultation.id.in_(named))
        .order_by(Consultation.published_at.desc())
        .limit(20)
    )
    everywhere = db.session.scalars(
        published.where(Consultation.all_communes.is_(True))
        .order_by(Consultation.published_at.desc())
        .limit(5)
    )
    return list(own), list(everywhere)


def workshops(commune: Commune) -> list:
    from civic.workshops.models import Workshop

    return list(
        db.session.scalars(
            sa.select(Workshop)
            .where(Workshop.commune_id == commune.id, Workshop.published_at.is_not(None))
            .order_by(Workshop.starts_at.desc())
            .limit(20)
        )
    )


def services(commune: Commune, limit: int = 50) -> tuple[list, int]:
    """Open services of the commune (the first `limit`, by name) and how many there are."""
    from civic.ratings.models import Service

    where = (Service.commune_id == commune.id, Service.closed_at.is_(None))
    total = db.session.scalar(sa.select(sa.func.count(Service.id)).where(*where))
    items = db.session.scalars(sa.select(Service).where(*where).order_by(Service.name).limit(limit))
    return list(items), total


def follows(user, commune: Commune) -> bool:
    if not user.is_authenticated:
        return False
    return (
        db.session.scalar(
            sa.select(CommuneFollow.id).where(
                CommuneFollow.commune_id == commune.id, CommuneFollow.user_id == user.id
            )
        )
        is not None
    )
