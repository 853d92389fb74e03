"""Read-side queries of the workshop pages and of the selection audit."""

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from civic.core.models import utcnow
from civic.core.pagination import Page, paginate
from civic.extensions import db
from civic.workshops.models import (
    SEAT_ROLE_LABELS,
    VOLUNTEER_STATUS_LABELS,
    Ballot,
    Note,
    Participant,
    Selection,
    Volunteer,
    Workshop,
)


def published() -> sa.Select:
    return sa.select(Workshop).where(Workshop.published_at.is_not(None))


def agenda(page: int, commune_id: int | None = None) -> Page:
    """Published workshops that have not ended more than a day ago, soonest first."""
    query = published().where(Workshop.starts_at >= utcnow() - timedelta(days=1))
    if commune_id is not None:
        query = query.where(Workshop.commune_id == commune_id)
    return paginate(
        query.options(selectinload(Workshop.commune)).order_by(Workshop.starts_at, Workshop.id),
        page,
    )


def upcoming(limit: int = 3) -> list[Workshop]:
    """The next published workshops that have not started yet, soonest first."""
    return list(
        db.session.scalars(
            published()
            .where(Workshop.starts_at >= utcnow())
            .options(selectinload(Workshop.commune))
            .order_by(Workshop.starts_at, Workshop.id)
            .limit(limit)
        )
    )


def recent_minutes(limit: int = 5) -> list[Workshop]:
    return list(
        db.session.scalars(
            published()
            .where(Workshop.minutes_published_at.is_not(None))
            .order_by(Workshop.minutes_published_at.desc())
            .limit(limit)
        )
    )


def all_workshops(communes: frozenset[int] | None = None) -> list[Workshop]:
    """Every workshop, or those held in `communes` (a commune's staff)."""
    query = sa.select(Workshop).order_by(Workshop.starts_at.desc())
    if communes is not None:
        query = query.where(Workshop.commune_id.in_(communes))
    return list(db.session.scalars(query))


def seat_counts(workshop: Workshop) -> dict[str, int]:
    """Seats taken per college."""
    rows = db.session.execute(
        sa.select(Participant.role, sa.func.count(Participant.id))
        .where(Participant.workshop_id == workshop.id)
        .group_by(Participant.role)
    )
    return dict(rows.all())


def volunteers(workshop: Workshop) -> list[Volunteer]:
    return list(
        db.session.scalars(
            sa.select(Volunteer)
            .where(Volunteer.workshop_id == workshop.id)
            .options(selectinload(Volunteer.user), selectinload(Volunteer.commune))
            .order_by(Volunteer.reserve_rank.is_(None), Volunteer.reserve_rank, Volunteer.id)
        )
    )


def quota_rows(workshop: Workshop, run: Selection) -> list[dict]:
    """The audit table: each quota, the pool, the panel drawn and the expected seats."""
    from civic.workshops.services import quota_label

    quotas = {(q.category, q.value): q for q in workshop.quotas}
    rows = []
    for row in run.result.get("composition", []):
        quota = quotas.get((row["category"], row["value"]))
        if quota is None:
            continue  # a value left free, added for the engine only
        rows.append({**row, "label": quota_label(quota)})
    return rows


def probability_table(run: Selection) -> list[tuple[str, float, bool]]:
    """Every volunteer's probability by volunteer number, and whether drawn; no names."""
    panel = set(run.result.get("panel", []))
    marginals = run.result.get("marginals", {})
    return sorted(((pid, p, pid in panel) for pid, p in marginals.items()), key=lambda r: int(r[0]))


def panel_people(run: Selection) -> list[Volunteer]:
    ids = [int(pid) for pid in run.result.get("panel", [])]
    return list(
        db.session.scalars(sa.select(Volunteer).where(Volunteer.id.in_(ids)).order_by(Volunteer.id))
    )


def contributions_of(user) -> dict:
    """What this person did in workshops: volunteering, seats, notes and ballots."""
    volunteering = db.session.scalars(
        sa.select(Volunteer).where(Volunteer.user_id == user.id).order_by(Volunteer.id.desc())
    ).all()
    seats = db.session.scalars(
        sa.select(Participant).where(Participant.user_id == user.id).order_by(Participant.id.desc())
    ).all()
    notes = dict(
        db.session.execute(
            sa.select(Note.workshop_id, sa.func.count())
            .where(Note.author_id == user.id)
            .group_by(Note.workshop_id)
        ).all()
    )
    voted = set(db.session.scalars(sa.select(Ballot.workshop_id).where(Ballot.user_id == user.id)))
    if not (volunteering or seats):
        return {}
    return {
        "volunteering": volunteering,
        "seats": seats,
        "notes": notes,
        "voted": voted,
        "status_labels": VOLUNTEER_STATUS_LABELS,
        "role_labels": SEAT_ROLE_LABELS,
    }
