"""Model mixins shared by every package, and the append-only audit log."""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from civic.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator):
    """Timezone-aware UTC datetimes on SQLite too (which stores them naive)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class AuditEvent(db.Model):
    """Who did what, to what, why and when. Rows are never updated nor deleted."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False, index=True
    )
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    target_type: Mapped[str] = mapped_column(sa.String(64))
    target_id: Mapped[int | None]
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    actor = db.relationship("User", foreign_keys=[actor_id])


def audit(
    actor, action: str, target_type: str, target_id: int | None, reason: str = "", **details
) -> AuditEvent:
    """Record one event in the audit log (the caller commits)."""
    entry = AuditEvent(
        actor_id=actor.id if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        reason=reason,
        details=details,
    )
    db.session.add(entry)
    return entry


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session, flush_context, instances):
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise PermissionError("the audit log is append-only")
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise PermissionError("the audit log is append-only")


class Submission(db.Model):
    """A create form's one-time key, claimed by the first request that carries it: the same
    key again answers with that request's result instead of creating a second item."""

    __tablename__ = "submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    # sha256 of who sent it, where, and the key: a key is worth nothing to anyone else.
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, nullable=False, index=True
    )
    # The first request's answer, once it is known.
    status: Mapped[int | None]
    location: Mapped[str | None] = mapped_column(sa.Text)
    headers: Mapped[dict | None] = mapped_column(sa.JSON)
    body: Mapped[str | None] = mapped_column(sa.Text)
