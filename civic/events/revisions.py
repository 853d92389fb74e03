"""SEQUENCE for the agenda items that other packages own (workshops, consultation phases).

Their models know nothing of calendars; the agenda watches the session instead: before each
flush, a workshop or a phase whose dates, title, place or text changed gets its revision
bumped in `agenda_revision`, in the same transaction as the change. The bump is one upsert,
so two requests changing the same item both count, in any process.
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from civic.core.models import utcnow
from civic.events.models import AgendaRevision
from civic.extensions import db

# What a calendar shows of each: changing anything else (a workshop's quotas, a phase's
# features) is not a new revision for subscribers.
WATCHED = {
    "workshop": (
        "title",
        "purpose",
        "starts_at",
        "duration_minutes",
        "mode",
        "address",
        "commune_id",
        "online_url",
    ),
    "phase": ("title", "description", "starts_at", "ends_at"),
}


def _source(obj) -> str | None:
    from civic.consultations.models import Phase
    from civic.workshops.models import Workshop

    if isinstance(obj, Workshop):
        return "workshop"
    if isinstance(obj, Phase):
        return "phase"
    return None


def _changed(session) -> list[tuple[str, int]]:
    found = []
    for obj in session.dirty:
        source = _source(obj)
        if source is None or obj.id is None:
            continue
        state = sa.inspect(obj)
        if any(state.attrs[name].history.has_changes() for name in WATCHED[source]):
            found.append((source, obj.id))
    return found


def _bump(session, flush_context, instances) -> None:
    changed = _changed(session)
    if not changed:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = AgendaRevision.__table__
    now = utcnow()
    for source, item_id in changed:
        statement = insert(table).values(source=source, item_id=item_id, sequence=1, updated_at=now)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["source", "item_id"],
                set_={"sequence": table.c.sequence + 1, "updated_at": now},
            )
        )


def watch() -> None:
    """At start-up (the agenda's blueprint): bump revisions on every flush."""
    if not sa.event.contains(db.session, "before_flush", _bump):
        sa.event.listen(db.session, "before_flush", _bump)


def revisions(source: str, ids: list[int]) -> dict[int, AgendaRevision]:
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(AgendaRevision).where(
            AgendaRevision.source == source, AgendaRevision.item_id.in_(ids)
        )
    )
    return {r.item_id: r for r in rows}
