"""Read side of the opinion map: the votes it is computed from, and each one's own votes."""

import sqlalchemy as sa

from civic.analysis.positions.models import OpinionMap
from civic.consultations.models import Proposal, ProposalStatus, Vote
from civic.extensions import db


def opinion_votes(consultation_id: int) -> list[tuple[int, int, int]]:
    """(participant, proposal, vote) for every vote of the consultation, by vote id."""
    rows = db.session.execute(
        sa.select(Vote.user_id, Vote.proposal_id, Vote.value)
        .join(Proposal)
        .where(Proposal.consultation_id == consultation_id)
        .order_by(Vote.id)
    )
    return [(u, p, v) for u, p, v in rows]


def moderated_out(consultation_id: int) -> set[int]:
    """Proposals not (or no longer) published: left out of the groups, as Pol.is leaves out
    the statements moderated out."""
    return set(
        db.session.scalars(
            sa.select(Proposal.id).where(
                Proposal.consultation_id == consultation_id,
                Proposal.status != ProposalStatus.PUBLISHED.value,
            )
        )
    )


def vote_count(consultation_id: int, user_id: int | None = None) -> int:
    query = (
        sa.select(sa.func.count(Vote.id))
        .join(Proposal)
        .where(Proposal.consultation_id == consultation_id)
    )
    if user_id is not None:
        query = query.where(Vote.user_id == user_id)
    return db.session.scalar(query) or 0


def my_votes(consultation_id: int, user_id: int) -> dict[int, int]:
    return dict(
        db.session.execute(
            sa.select(Vote.proposal_id, Vote.value)
            .join(Proposal)
            .where(Proposal.consultation_id == consultation_id, Vote.user_id == user_id)
        ).all()
    )


def opinion_map(consultation_id: int) -> OpinionMap | None:
    return db.session.scalar(
        sa.select(OpinionMap).where(OpinionMap.consultation_id == consultation_id)
    )


def titles(ids) -> dict[int, str]:
    wanted = [int(i) for i in ids]
    if not wanted:
        return {}
    return dict(
        db.session.execute(
            sa.select(Proposal.id, Proposal.title).where(Proposal.id.in_(wanted))
        ).all()
    )
