"""The shared agenda: events published by the Sicoval or a commune, and registrations."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.models import TimestampMixin, UTCDateTime, utcnow
from civic.core.uploads import BY_SUFFIX, FileType
from civic.extensions import db


class Kind(enum.StrEnum):
    """The values appear in URLs (`/agenda?type=reunion`): French, stable."""

    MEETING = "reunion"
    PERMANENCE = "permanence"
    INFORMATION = "information"
    VISIT = "visite"
    WORKSHOP = "atelier"
    ONLINE = "en-ligne"


KIND_LABELS = {
    Kind.MEETING: _l("Réunion publique"),
    Kind.PERMANENCE: _l("Permanence"),
    Kind.INFORMATION: _l("Réunion d'information"),
    Kind.VISIT: _l("Visite de site"),
    Kind.WORKSHOP: _l("Atelier"),
    Kind.ONLINE: _l("Réunion en ligne"),
}
# Consultation phases appear in the agenda too, under this type.
PHASE = "phase"
AGENDA_TYPE_LABELS = {**KIND_LABELS, PHASE: _l("Étape de concertation")}


class Status(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


STATUS_LABELS = {
    Status.DRAFT: _l("Brouillon"),
    Status.PUBLISHED: _l("Publié"),
    Status.CANCELLED: _l("Annulé"),
}


class Event(TimestampMixin, db.Model):
    __tablename__ = "event"
    __table_args__ = (
        # The seat counter never goes below zero nor past the capacity: the database holds it.
        sa.CheckConstraint("seats_taken >= 0", name="seats_not_negative"),
        sa.CheckConstraint(
            "capacity IS NULL OR seats_taken <= capacity", name="seats_within_capacity"
        ),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        # Imports are idempotent on the source's own ids.
        sa.UniqueConstraint("source", "source_id"),
        sa.Index("ix_event_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), default=Kind.MEETING.value)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The place.
    commune_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("commune.id", ondelete="SET NULL"), index=True
    )
    place_name: Mapped[str] = mapped_column(sa.String(200), default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    accessibility: Mapped[str] = mapped_column(sa.Text, default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    # The organiser: a commune, or the Sicoval itself when empty.
    organiser_commune_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("commune.id", ondelete="SET NULL")
    )
    consultation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="SET NULL"), index=True
    )
    phase_id: Mapped[int | None] = mapped_column(sa.ForeignKey("phase.id", ondelete="SET NULL"))
    # Registration: None as capacity means no limit. `seats_taken` counts the confirmed
    # registrations; it is changed only by conditional UPDATEs (see services).
    registration: Mapped[bool] = mapped_column(default=False)
    capacity: Mapped[int | None]
    seats_taken: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(sa.String(10), default=Status.DRAFT.value)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="")
    # iCalendar's SEQUENCE: bumped by every change a subscribed calendar must take in.
    sequence: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Imported events: where they come from (None for events typed here).
    source: Mapped[str | None] = mapped_column(sa.String(80))
    source_id: Mapped[str | None] = mapped_column(sa.String(200))
    source_url: Mapped[str] = mapped_column(sa.String(500), default="")
    # After the event: the organiser's short report (cleaned by core.sanitize).
    report_html: Mapped[str] = mapped_column(sa.Text, default="")
    report_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminders_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A recurring event (civic.events.recurrence): the rule, its last day and the days left
    # out; starts_at and ends_at are the first occurrence.
    recurrence: Mapped[str] = mapped_column(sa.String(10), default="")
    recurrence_until: Mapped[date | None] = mapped_column(sa.Date)
    exceptions: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The cover image (core.uploads), with its text for those who do not see it.
    cover_filename: Mapped[str | None] = mapped_column(sa.String(100))
    cover_alt: Mapped[str] = mapped_column(sa.String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    commune = relationship("Commune", foreign_keys=[commune_id])
    organiser_commune = relationship("Commune", foreign_keys=[organiser_commune_id])
    consultation = relationship("Consultation")
    phase = relationship("Phase")
    documents: Mapped[list["EventDocument"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventDocument.id"
    )

    @property
    def is_public(self) -> bool:
        return self.status in (Status.PUBLISHED, Status.CANCELLED)

    @property
    def is_cancelled(self) -> bool:
        return self.status == Status.CANCELLED

    @property
    def is_past(self) -> bool:
        return self.ends_at <= utcnow()

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(0, self.capacity - self.seats_taken)

    @property
    def rule(self):
        """The recurrence rule, or None for a one-off event."""
        from civic.events.recurrence import Repeat, Rule

        if not self.recurrence or self.recurrence_until is None:
            return None
        return Rule(
            Repeat(self.recurrence),
            self.starts_at,
            self.ends_at,
            self.recurrence_until,
            frozenset(date.fromisoformat(d) for d in self.exceptions or []),
        )

    def registration_is_open(self) -> bool:
        return self.registration and self.status == Status.PUBLISHED and self.starts_at > utcnow()


class RegistrationStatus(enum.StrEnum):
    PENDING = "pending"  # e-mail not confirmed yet: holds no seat
    CONFIRMED = "confirmed"  # holds a seat
    WAITING = "waiting"  # on the waiting list
    CANCELLED = "cancelled"


REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.PENDING: _l("En attente de confirmation de l'adresse"),
    RegistrationStatus.CONFIRMED: _l("Inscription confirmée"),
    RegistrationStatus.WAITING: _l("Sur liste d'attente"),
    RegistrationStatus.CANCELLED: _l("Inscription annulée"),
}


class Registration(TimestampMixin, db.Model):
    """One person's place (or place in the queue) at an event, with or without an account."""

    __tablename__ = "event_registration"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "email"),
        sa.Index("ix_event_registration_queue", "event_id", "status", "queued_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    # Lower-cased; the key of "one registration per person and event".
    email: Mapped[str] = mapped_column(sa.String(320))
    # Declared or the account's: numbers by commune, never names, in the public figures.
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(10), default=RegistrationStatus.PENDING.value)
    # The language of the e-mails sent to someone without an account.
    locale: Mapped[str] = mapped_column(sa.String(5), default="fr")
    # The hash of the link sent by e-mail (confirm, cancel); the link itself is never stored.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # When the person asked for a seat (confirmed their address): the waiting list's order.
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attended: Mapped[bool | None]
    # "counter", "phone": entered by an agent for someone who called or came.
    channel: Mapped[str] = mapped_column(sa.String(10), default="online")
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()
    user = relationship("User", foreign_keys=[user_id])
    commune = relationship("Commune")


class EventDocument(TimestampMixin, db.Model):
    """A document given before or after the event (agenda, slides, map...)."""

    __tablename__ = "event_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    stored_name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    # The suffix core.uploads recognised from the content (".pdf", ".odt"...).
    suffix: Mapped[str] = mapped_column(sa.String(10))
    size: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="documents")

    @property
    def file_type(self) -> FileType:
        return BY_SUFFIX[self.suffix]


class EventContribution(db.Model):
    """A contribution collected on paper at the event and entered by an agent: a proposal of
    the linked consultation, with the meeting as its channel."""

    __tablename__ = "event_contribution"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposal.id", ondelete="CASCADE"), unique=True
    )

    event: Mapped[Event] = relationship()
    proposal = relationship("Proposal")


class AgendaRevision(db.Model):
    """The calendar revision of an agenda item that lives in another package (a workshop, a
    consultation's phase): its iCalendar SEQUENCE, bumped by each change a subscribed calendar
    must take in (see civic.events.revisions). Events keep theirs on their own row."""

    __tablename__ = "agenda_revision"
    __table_args__ = (sa.UniqueConstraint("source", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(20))
    item_id: Mapped[int]
    sequence: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EventOccurrence(db.Model):
    """One dated occurrence of a recurring event, written when the event is saved, so that
    the agenda lists and pages occurrences in SQL."""

    __tablename__ = "event_occurrence"
    __table_args__ = (sa.Index("ix_event_occurrence_event_id_starts_at", "event_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
