from datetime import timedelta

import sqlalchemy as sa

from civic.core.models import utcnow
from civic.core.pagination import Page, paginate
from civic.extensions import db
from civic.moderation.models import CHARTER_REASONS, Appeal, Block, Case, Decision, Report

AGES = {"24h": timedelta(hours=24), "48h": timedelta(hours=48), "7d": timedelta(days=7)}


def queue(
    page: int,
    *,
    consultation_id: int | None = None,
    kind: str = "",
    reason: str = "",
    older_than: str = "",
    appeals: bool = False,
) -> Page:
    return paginate(
        _queue_query(
            consultation_id=consultation_id,
            kind=kind,
            reason=reason,
            older_than=older_than,
            appeals=appeals,
        ),
        page,
        per_page=50,
    )


def queue_all(limit: int = 1000, **filters) -> list[Case]:
    """Every case of the filtered queue, for one decision on all of them."""
    return list(db.session.scalars(_queue_query(**filters).limit(limit)))


def _waiting_appeal():
    return sa.exists(
        sa.select(Appeal.id).where(Appeal.case_id == Case.id, Appeal.decided_at.is_(None))
    )


def counts() -> dict[str, int]:
    """Open cases in the queue, and those of them that are appeals (their own queue)."""
    appeals = sa.func.count().filter(_waiting_appeal())
    total, in_appeal = db.session.execute(
        sa.select(sa.func.count(), appeals).select_from(Case).where(Case.is_open.is_(True))
    ).one()
    return {"queue": total - in_appeal, "appeals": in_appeal}


def _queue_query(
    *,
    consultation_id: int | None = None,
    kind: str = "",
    reason: str = "",
    older_than: str = "",
    appeals: bool = False,
):
    query = sa.select(Case).where(Case.is_open.is_(True)).order_by(Case.opened_at, Case.id)
    query = query.where(_waiting_appeal() if appeals else ~_waiting_appeal())
    if consultation_id:
        query = query.where(Case.consultation_id == consultation_id)
    if kind:
        query = query.where(Case.kind == kind)
    if reason in ("premoderation", "duplicate", "named"):
        query = query.where(Case.origin == reason)
    elif reason:
        reported = sa.select(Report.id).where(
            Report.kind == Case.kind, Report.item_id == Case.item_id, Report.reason == reason
        )
        query = query.where(sa.exists(reported))
    if older_than in AGES:
        query = query.where(Case.opened_at < utcnow() - AGES[older_than])
    return query


def public_log(page: int) -> Page:
    query = (
        sa.select(Decision, Case)
        .join(Case, Case.id == Decision.case_id)
        .order_by(Decision.id.desc())
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Decision))
    rows = db.session.execute(query.limit(50).offset((page - 1) * 50)).all()
    return Page(items=rows, page=page, per_page=50, total=total)


def blocks(page: int) -> Page:
    return paginate(sa.select(Block).order_by(Block.lifted_at.is_not(None), Block.id.desc()), page)


def cases_by_ids(ids: list[int]) -> list[Case]:
    return list(db.session.scalars(sa.select(Case).where(Case.id.in_(ids), Case.is_open.is_(True))))


def why_hidden(kind: str, item_id: int) -> tuple[Case, str] | None:
    """The case that hid an item and the charter rule it applied, for the item's author."""
    row = db.session.execute(
        sa.select(Case, Decision.charter_reason)
        .join(Decision, Decision.case_id == Case.id)
        .where(Case.kind == kind, Case.item_id == item_id, Case.hidden.is_(True))
        .order_by(Decision.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    case, reason = row
    return case, CHARTER_REASONS.get(reason, "")
