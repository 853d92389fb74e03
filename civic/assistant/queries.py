"""Read-side queries: requests for agents, questions for review, and the figures."""

from datetime import datetime

import sqlalchemy as sa

from civic.assistant.models import AskedQuestion, HelpPage, Request, Status
from civic.assistant.permissions import scope_clause
from civic.core.pagination import paginate
from civic.extensions import db
from civic.opendata.registry import offset
from civic.territory.models import Commune


def by_reference(reference: str) -> Request | None:
    return db.session.scalar(sa.select(Request).where(Request.reference == reference.upper()))


def communes() -> list[tuple[int, str]]:
    return [(c.id, c.name) for c in db.session.scalars(sa.select(Commune).order_by(Commune.name))]


def requests(user, page: int, status: str = "", subject: str = ""):
    query = sa.select(Request).where(scope_clause(user))
    if status:
        query = query.where(Request.status == status)
    if subject:
        query = query.where(Request.subject == subject)
    return paginate(query.order_by(Request.due_at, Request.id), page)


def not_understood(page: int):
    query = (
        sa.select(AskedQuestion)
        .where(AskedQuestion.answered.is_(False), AskedQuestion.reviewed_at.is_(None))
        .order_by(AskedQuestion.created_at.desc(), AskedQuestion.id.desc())
    )
    return paginate(query, page)


def help_pages(published_only: bool = True) -> list[HelpPage]:
    query = sa.select(HelpPage).order_by(HelpPage.title)
    if published_only:
        query = query.where(HelpPage.published.is_(True))
    return list(db.session.scalars(query))


def help_by_slug(slug: str) -> HelpPage | None:
    return db.session.scalar(sa.select(HelpPage).where(HelpPage.slug == slug))


def _days(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 86400


def subjects(user) -> list[tuple[str, int]]:
    """The requests a user handles, counted by subject, the most frequent first."""
    rows = db.session.execute(
        sa.select(Request.subject, sa.func.count())
        .where(scope_clause(user))
        .group_by(Request.subject)
        .order_by(sa.func.count().desc(), Request.subject)
    ).all()
    return [(subject, count) for subject, count in rows]


def figures() -> dict:
    """Questions answered automatically, requests answered by a person, and delays."""
    asked = dict(
        db.session.execute(
            sa.select(AskedQuestion.answered, sa.func.count()).group_by(AskedQuestion.answered)
        ).all()
    )
    by_status = dict(
        db.session.execute(
            sa.select(Request.status, sa.func.count()).group_by(Request.status)
        ).all()
    )
    answered = db.session.execute(
        sa.select(Request.created_at, Request.answered_at, Request.due_at).where(
            Request.answered_at.is_not(None)
        )
    ).all()
    delays = sorted(_days(created, done) for created, done, _due in answered)
    on_time = sum(1 for _c, done, due in answered if done <= due)
    return {
        "questions": sum(asked.values()),
        "answered_automatically": asked.get(True, 0),
        "not_understood": asked.get(False, 0),
        "requests": sum(by_status.values()),
        "received": by_status.get(Status.RECEIVED.value, 0),
        "in_progress": by_status.get(Status.IN_PROGRESS.value, 0),
        "answered_by_person": by_status.get(Status.ANSWERED.value, 0),
        "median_days": delays[len(delays) // 2] if delays else None,
        "on_time": on_time,
    }


def monthly_rows(consultation_id=None, since=None, after=0, limit=None):
    """Open data: per month, questions and requests in totals only, never their text."""
    month = sa.func.substr(sa.cast(AskedQuestion.created_at, sa.String), 1, 7)
    rows: dict[str, dict] = {}
    for key, answered, count in db.session.execute(
        sa.select(month, AskedQuestion.answered, sa.func.count()).group_by(
            month, AskedQuestion.answered
        )
    ):
        row = rows.setdefault(key, _empty(key))
        row["questions_repondues" if answered else "questions_non_comprises"] += count
    for created, answered_at, due in db.session.execute(
        sa.select(Request.created_at, Request.answered_at, Request.due_at)
    ):
        row = rows.setdefault(created.strftime("%Y-%m"), _empty(created.strftime("%Y-%m")))
        row["demandes"] += 1
        if answered_at is not None:
            row["demandes_repondues"] += 1
            row["demandes_dans_le_delai"] += answered_at <= due
            row["_delays"].append(_days(created, answered_at))
    for row in rows.values():
        delays = sorted(row.pop("_delays"))
        row["delai_median_jours"] = round(delays[len(delays) // 2], 1) if delays else None
    yield from offset((rows[k] for k in sorted(rows)), after, limit)


def _empty(month: str) -> dict:
    return {
        "mois": month,
        "questions_repondues": 0,
        "questions_non_comprises": 0,
        "demandes": 0,
        "demandes_repondues": 0,
        "demandes_dans_le_delai": 0,
        "_delays": [],
    }
