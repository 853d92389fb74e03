"""The registry of agenda sources: what the agenda and its feeds list besides events.

Each source gives one SELECT of (source, item_id, starts_at, ends_at) for the filters, so that
the agenda is one UNION ALL paginated in SQL, and a loader that turns the ids of one page into
`AgendaItem`s. Workshops and consultation phases are read where they live, never copied.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import url_for

from civic.events.models import PHASE, Event, EventOccurrence, Kind, Status
from civic.extensions import db


@dataclass
class Filters:
    commune: object = None  # a Commune
    type: str | None = None
    consultation: object = None  # a Consultation
    after: datetime | None = None  # items still running at or after this moment
    before: datetime | None = None  # items starting before this moment
    # Feeds: a recurring event is one item (its rule), not one per date.
    whole_series: bool = False


@dataclass
class AgendaItem:
    source: str
    id: int
    uid: str  # stable iCalendar UID, without the host
    type: str
    title: str
    starts_at: datetime
    ends_at: datetime
    url: str
    description: str = ""
    commune: object = None
    place: str = ""
    cancelled: bool = False
    recurrence: object = None  # the series' Rule, for an entry that stands for all its dates
    sequence: int = 0
    updated_at: datetime | None = None
    consultation: object = None
    organiser: str = ""
    # (address, text alternative) of its cover image, if it has one: shown on the agenda's cards.
    picture: tuple[str, str] | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    name: str
    types: frozenset[str]  # the agenda types it can yield
    select: Callable[[Filters], sa.Select]
    load: Callable[[list[int]], dict[int, AgendaItem]]


_sources: dict[str, Source] = {}


def register(source: Source) -> None:
    _sources[source.name] = source


def sources() -> list[Source]:
    return list(_sources.values())


def _columns(name: str, id_column, starts, ends):
    return (
        sa.literal(name).label("source"),
        id_column.label("item_id"),
        starts.label("starts_at"),
        ends.label("ends_at"),
    )


def _window(query, starts, ends, filters: Filters):
    if filters.after is not None:
        query = query.where(ends >= filters.after)
    if filters.before is not None:
        query = query.where(starts < filters.before)
    return query


# --- events typed here or imported ----------------------------------------------------------


def _event_filters(query, filters: Filters):
    query = query.where(Event.status.in_([Status.PUBLISHED.value, Status.CANCELLED.value]))
    if filters.commune is not None:
        query = query.where(Event.commune_id == filters.commune.id)
    if filters.type:
        query = query.where(Event.kind == filters.type)
    if filters.consultation is not None:
        query = query.where(Event.consultation_id == filters.consultation.id)
    return query


def _events_select(filters: Filters) -> sa.Select:
    if not filters.whole_series:
        # A recurring event is listed by its dates (below).
        query = sa.select(*_columns("event", Event.id, Event.starts_at, Event.ends_at))
        query = _event_filters(query.where(Event.recurrence == ""), filters)
        return _window(query, Event.starts_at, Event.ends_at, filters)
    # A series lasts until its last date.
    last = (
        sa.select(sa.func.max(EventOccurrence.ends_at))
        .where(EventOccurrence.event_id == Event.id)
        .scalar_subquery()
    )
    # CASE first: the subquery runs for series only.
    ends = sa.case(
        (Event.recurrence == "", Event.ends_at), else_=sa.func.coalesce(last, Event.ends_at)
    )
    query = _event_filters(sa.select(*_columns("event", Event.id, Event.starts_at, ends)), filters)
    return _window(query, Event.starts_at, ends, filters)


def event_item(event: Event) -> AgendaItem:
    """The event as one calendar entry: a recurring one from its first occurrence, with its
    rule (`recurrence`)."""
    from civic.events.queries import organiser_name, place_line

    return AgendaItem(
        source="event",
        id=event.id,
        uid=f"evenement-{event.id}",
        type=event.kind,
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        url=url_for("events.show", event_id=event.id),
        description=event.description,
        commune=event.commune,
        place=place_line(event),
        cancelled=event.is_cancelled,
        sequence=event.sequence,
        updated_at=event.updated_at,
        consultation=event.consultation
        if event.consultation is not None and event.consultation.is_published
        else None,
        organiser=organiser_name(event),
        recurrence=event.rule,
        picture=(url_for("events.cover", event_id=event.id), event.cover_alt)
        if event.cover_filename
        else None,
        extra={"event": event},
    )


def _events_load(ids: list[int]) -> dict[int, AgendaItem]:
    rows = db.session.scalars(sa.select(Event).where(Event.id.in_(ids)))
    return {e.id: event_item(e) for e in rows}


# --- the dated occurrences of recurring events --------------------------------------------


def _occurrences_select(filters: Filters) -> sa.Select:
    query = sa.select(
        *_columns(
            "occurrence", EventOccurrence.id, EventOccurrence.starts_at, EventOccurrence.ends_at
        )
    ).join(Event, Event.id == EventOccurrence.event_id)
    if filters.whole_series:
        query = query.where(sa.false())
    query = _event_filters(query, filters)
    return _window(query, EventOccurrence.starts_at, EventOccurrence.ends_at, filters)


def _occurrences_load(ids: list[int]) -> dict[int, AgendaItem]:
    from dataclasses import replace

    from sqlalchemy.orm import joinedload

    query = (
        sa.select(EventOccurrence)
        .where(EventOccurrence.id.in_(ids))
        .options(joinedload(EventOccurrence.event))
    )
    series: dict[int, AgendaItem] = {}
    items = {}
    for occurrence in db.session.scalars(query):
        event = occurrence.event
        if event.id not in series:
            series[event.id] = event_item(event)
        # One date of the series: its own times, the series' page, UID and rule.
        items[occurrence.id] = replace(
            series[event.id],
            source="occurrence",
            id=occurrence.id,
            starts_at=occurrence.starts_at,
            ends_at=occurrence.ends_at,
        )
    return items


# --- the lottery workshops ------------------------------------------------------------------


def _workshops_select(filters: Filters) -> sa.Select:
    from civic.workshops.models import Workshop

    query = sa.select(
        *_columns("workshop", Workshop.id, Workshop.starts_at, Workshop.starts_at)
    ).where(Workshop.published_at.is_not(None))
    if filters.type and filters.type != Kind.WORKSHOP:
        query = query.where(sa.false())
    if filters.commune is not None:
        query = query.where(Workshop.commune_id == filters.commune.id)
    if filters.consultation is not None:
        query = query.where(Workshop.consultation_id == filters.consultation.id)
    # A workshop lasts at most 10 hours (its form says so): one that started less than that
    # before `after` may still be running.
    if filters.after is not None:
        query = query.where(Workshop.starts_at >= filters.after - timedelta(hours=10))
    if filters.before is not None:
        query = query.where(Workshop.starts_at < filters.before)
    return query


def _workshops_load(ids: list[int]) -> dict[int, AgendaItem]:
    from civic.events.revisions import revisions
    from civic.workshops.models import Workshop

    items = {}
    known = revisions("workshop", ids)
    for w in db.session.scalars(sa.select(Workshop).where(Workshop.id.in_(ids))):
        revision = known.get(w.id)
        place = ", ".join(p for p in (w.address, w.commune.name if w.commune else "") if p)
        items[w.id] = AgendaItem(
            source="workshop",
            id=w.id,
            # The same UID as the workshops' own feed: one calendar entry wherever it comes from.
            uid=f"atelier-{w.id}",
            type=Kind.WORKSHOP.value,
            title=w.title,
            starts_at=w.starts_at,
            ends_at=w.ends_at,
            url=url_for("workshops.show", slug=w.slug),
            description=w.purpose,
            commune=w.commune,
            place=place,
            consultation=w.consultation,
            sequence=revision.sequence if revision else 0,
            updated_at=revision.updated_at if revision else w.published_at,
            picture=(url_for("workshops.cover", slug=w.slug), w.cover_alt)
            if w.cover_filename
            else None,
        )
    return items


# --- consultation phases --------------------------------------------------------------------


def _phases_select(filters: Filters) -> sa.Select:
    from civic.consultations.models import Consultation, Phase, consultation_commune

    query = (
        sa.select(*_columns("phase", Phase.id, Phase.starts_at, Phase.ends_at))
        .join(Consultation, Consultation.id == Phase.consultation_id)
        .where(Consultation.published_at.is_not(None))
    )
    if filters.type and filters.type != PHASE:
        query = query.where(sa.false())
    if filters.commune is not None:
        in_commune = (
            sa.select(consultation_commune.c.consultation_id)
            .where(consultation_commune.c.commune_id == filters.commune.id)
            .scalar_subquery()
        )
        query = query.where(
            sa.or_(Consultation.all_communes.is_(True), Consultation.id.in_(in_commune))
        )
    if filters.consultation is not None:
        query = query.where(Consultation.id == filters.consultation.id)
    return _window(query, Phase.starts_at, Phase.ends_at, filters)


def _phases_load(ids: list[int]) -> dict[int, AgendaItem]:
    from sqlalchemy.orm import joinedload

    from civic.consultations.models import Phase
    from civic.events.revisions import revisions

    items = {}
    known = revisions("phase", ids)
    query = sa.select(Phase).where(Phase.id.in_(ids)).options(joinedload(Phase.consultation))
    for p in db.session.scalars(query):
        revision = known.get(p.id)
        items[p.id] = AgendaItem(
            source="phase",
            id=p.id,
            uid=f"phase-{p.id}",
            type=PHASE,
            title=f"{p.consultation.title} — {p.title}",
            starts_at=p.starts_at,
            ends_at=p.ends_at,
            url=url_for("consultations.show", slug=p.consultation.slug),
            description=p.description,
            consultation=p.consultation,
            sequence=revision.sequence if revision else 0,
            updated_at=revision.updated_at if revision else None,
            picture=(
                url_for("consultations.cover", slug=p.consultation.slug),
                p.consultation.cover_alt,
            )
            if p.consultation.cover_filename
            else None,
        )
    return items


register(Source("event", frozenset(Kind), _events_select, _events_load))
register(Source("occurrence", frozenset(Kind), _occurrences_select, _occurrences_load))
register(Source("workshop", frozenset({Kind.WORKSHOP.value}), _workshops_select, _workshops_load))
register(Source("phase", frozenset({PHASE}), _phases_select, _phases_load))
