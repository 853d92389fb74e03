"""Read side of the agenda: the paginated agenda, an event's page, registrations, figures."""

import calendar
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from civic.core import formatting
from civic.core.formatting import local_time
from civic.core.identity import authority
from civic.core.models import utcnow
from civic.events import sources
from civic.events.models import (
    Event,
    EventContribution,
    EventOccurrence,
    Registration,
    RegistrationStatus,
    Status,
)
from civic.extensions import db
from civic.territory.models import Commune

PER_PAGE = 20


def organiser_name(event: Event) -> str:
    if event.organiser_commune is not None:
        return formatting.gettext("Commune de %(name)s", name=event.organiser_commune.name)
    return authority().name


def place_line(event: Event) -> str:
    parts = [event.place_name, event.address]
    if event.commune is not None and event.commune.name not in event.address:
        parts.append(event.commune.name)
    return ", ".join(p for p in parts if p)


@dataclass
class AgendaPage:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _union(filters: sources.Filters):
    selects = [s.select(filters) for s in sources.sources()]
    return sa.union_all(*selects).subquery("agenda")


def agenda(filters: sources.Filters, page: int = 1, per_page: int = PER_PAGE) -> AgendaPage:
    """One page of every source's items, by start: one COUNT and one LIMIT/OFFSET query,
    then one query per source for the items of the page."""
    union = _union(filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(union))
    rows = db.session.execute(
        sa.select(union.c.source, union.c.item_id)
        .order_by(union.c.starts_at, union.c.source, union.c.item_id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return AgendaPage(items=load(rows), page=page, per_page=per_page, total=total)


def all_items(filters: sources.Filters, limit: int) -> list[sources.AgendaItem]:
    """The items of a feed, by start, at most `limit`."""
    union = _union(filters)
    rows = db.session.execute(
        sa.select(union.c.source, union.c.item_id)
        .order_by(union.c.starts_at, union.c.source, union.c.item_id)
        .limit(limit)
    ).all()
    return load(rows)


def load(rows) -> list[sources.AgendaItem]:
    by_source: dict[str, list[int]] = {}
    for source, item_id in rows:
        by_source.setdefault(source, []).append(item_id)
    registry = {s.name: s for s in sources.sources()}
    loaded = {name: registry[name].load(ids) for name, ids in by_source.items()}
    return [loaded[s][i] for s, i in rows if i in loaded[s]]


def communes() -> list[Commune]:
    return list(db.session.scalars(sa.select(Commune).order_by(Commune.name)))


def commune_by_insee(insee: str) -> Commune | None:
    if not (len(insee) == 5 and insee.isascii() and insee.isalnum()):
        return None
    return db.session.scalar(sa.select(Commune).where(Commune.insee == insee))


def published_consultations():
    from civic.consultations.models import Consultation

    return list(
        db.session.scalars(
            sa.select(Consultation)
            .where(Consultation.published_at.is_not(None))
            .order_by(Consultation.title)
        )
    )


def consultation_by_slug(slug: str):
    from civic.consultations.models import Consultation

    return db.session.scalar(
        sa.select(Consultation).where(
            Consultation.slug == slug[:120], Consultation.published_at.is_not(None)
        )
    )


def phase_consultation_id(phase_id: int) -> int | None:
    from civic.consultations.models import Phase

    return db.session.scalar(sa.select(Phase.consultation_id).where(Phase.id == phase_id))


def registration_of(event: Event, user) -> Registration | None:
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event.id,
            Registration.status != RegistrationStatus.CANCELLED.value,
            sa.or_(Registration.user_id == user.id, Registration.email == (user.email or "")),
        )
    )


def registrations(event: Event) -> list[Registration]:
    """For the organiser and the attendance sheet: seats first, then the queue in order."""
    order = sa.case(
        (Registration.status == RegistrationStatus.CONFIRMED.value, 0),
        (Registration.status == RegistrationStatus.WAITING.value, 1),
        (Registration.status == RegistrationStatus.PENDING.value, 2),
        else_=3,
    )
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.event_id == event.id)
            .order_by(order, Registration.queued_at, Registration.id)
        )
    )


def counts(event: Event) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Registration.status, sa.func.count())
        .where(Registration.event_id == event.id)
        .group_by(Registration.status)
    ).all()
    found = dict(rows)
    return {s.value: found.get(s.value, 0) for s in RegistrationStatus}


def waiting_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITING:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count()).where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITING.value,
            sa.or_(
                Registration.queued_at < registration.queued_at,
                sa.and_(
                    Registration.queued_at == registration.queued_at,
                    Registration.id < registration.id,
                ),
            ),
        )
    )
    return ahead + 1


def by_commune(event: Event) -> list[tuple[str, int]]:
    """Confirmed registrations by commune: numbers only, never names."""
    rows = db.session.execute(
        sa.select(sa.func.coalesce(Commune.name, ""), sa.func.count(Registration.id))
        .select_from(Registration)
        .outerjoin(Commune, Commune.id == Registration.commune_id)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED.value,
        )
        .group_by(Commune.name)
        .order_by(sa.func.count(Registration.id).desc(), Commune.name)
    ).all()
    return [(name or _("Commune non indiquée"), n) for name, n in rows]


def managed_events(user, page: int, per_page: int = PER_PAGE) -> AgendaPage:
    from civic.events.permissions import scope_clause

    query = (
        sa.select(Event)
        .where(scope_clause(user))
        .order_by((Event.ends_at < utcnow()).asc(), Event.starts_at, Event.id)
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return AgendaPage(items=items, page=page, per_page=per_page, total=total)


def due_reminders(now, horizon) -> list[Event]:
    return list(
        db.session.scalars(
            sa.select(Event).where(
                Event.status == Status.PUBLISHED.value,
                Event.registration.is_(True),
                Event.reminders_sent_at.is_(None),
                Event.starts_at > now,
                Event.starts_at <= now + horizon,
            )
        )
    )


def contributions(event: Event, published_only: bool = True) -> list:
    """The proposals entered from the event's paper contributions, oldest first; for the
    public only those that moderation lets through."""
    from civic.consultations.models import Proposal, ProposalStatus

    query = (
        sa.select(Proposal)
        .join(EventContribution, EventContribution.proposal_id == Proposal.id)
        .where(EventContribution.event_id == event.id)
        .order_by(Proposal.id)
    )
    if published_only:
        query = query.where(Proposal.status == ProposalStatus.PUBLISHED.value)
    return list(db.session.scalars(query))


def month_grid(first: datetime, items: list) -> list[list[tuple]]:
    """The weeks of a month, Monday first: each day is (date, [(item, mark)]) or None outside
    the month. An event shows on the day it starts; a consultation stage on the day it opens
    and on the day it closes (mark "opens" / "closes")."""
    by_day: dict = {}
    for item in items:
        start = local_time(item.starts_at).date()
        if item.source == "phase":
            end = local_time(item.ends_at).date()
            by_day.setdefault(start, []).append((item, "opens"))
            by_day.setdefault(end, []).append((item, "closes"))
        else:
            by_day.setdefault(start, []).append((item, ""))
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        weeks.append([(d, by_day.get(d, [])) if d.month == first.month else None for d in week])
    return weeks


def next_occurrences(event: Event, limit: int = 6) -> list[EventOccurrence]:
    """The coming dates of a recurring event (those still running included)."""
    return list(
        db.session.scalars(
            sa.select(EventOccurrence)
            .where(EventOccurrence.event_id == event.id, EventOccurrence.ends_at > utcnow())
            .order_by(EventOccurrence.starts_at)
            .limit(limit)
        )
    )
