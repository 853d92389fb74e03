"""Questions asked to the assistant, help pages written by staff, and tracked requests."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.models import TimestampMixin, UTCDateTime, utcnow
from civic.extensions import db

INTENT_LABELS = {
    "hours": _l("Horaires d'ouverture"),
    "events": _l("Prochains rendez-vous"),
    "consultation": _l("Dates d'une concertation"),
    "definition": _l("Définition"),
    "howto": _l("Utiliser Civic"),
    "contact": _l("Contacter un service"),
    "unknown": _l("Autre question"),
}

# The service types the assistant recognises (keys of recognition.SERVICE_WORDS).
SERVICE_LABELS = {
    "": _l("Je ne sais pas"),
    "piscine": _l("Piscine"),
    "decheterie": _l("Déchèterie"),
    "creche": _l("Crèche"),
    "mediatheque": _l("Médiathèque"),
    "mairie": _l("Mairie"),
}


class HelpPage(TimestampMixin, db.Model):
    """A page of help written by staff: how to do something, in plain words."""

    __tablename__ = "help_page"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)  # plain text, paragraphs separated by blank lines
    # Other words residents use for the same thing ("inscription, s'inscrire, sign up").
    keywords: Mapped[str] = mapped_column(sa.String(500), default="")
    published: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))


class AskedQuestion(db.Model):
    """A question typed in the assistant, without who asked it: what staff learn from.
    Deleted after CIVIC_ASSISTANT_QUESTIONS_DAYS."""

    __tablename__ = "asked_question"
    __table_args__ = (sa.Index("ix_asked_question_answered_created", "answered", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(sa.String(300))
    locale: Mapped[str] = mapped_column(sa.String(5), default="fr")
    intent: Mapped[str] = mapped_column(sa.String(20))
    # True when the assistant answered from data; False for "je ne sais pas".
    answered: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Staff looked at it (made a help page, an example, or judged it needs nothing).
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TrainingExample(TimestampMixin, db.Model):
    """A question staff classified: added to the repository's examples at the next training."""

    __tablename__ = "assistant_example"

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(sa.String(300))
    intent: Mapped[str] = mapped_column(sa.String(20))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))


class Status(enum.StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"


STATUS_LABELS = {
    Status.RECEIVED: _l("Reçue"),
    Status.IN_PROGRESS: _l("En cours"),
    Status.ANSWERED: _l("Répondue"),
}


class Channel(enum.StrEnum):
    """How the request came in."""

    ONLINE = "online"
    PHONE = "phone"
    COUNTER = "counter"
    MAIL = "mail"


CHANNEL_LABELS = {
    Channel.ONLINE: _l("En ligne"),
    Channel.PHONE: _l("Par téléphone"),
    Channel.COUNTER: _l("À l'accueil"),
    Channel.MAIL: _l("Par courrier"),
}


class ReplyBy(enum.StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    POST = "post"


REPLY_LABELS = {
    ReplyBy.EMAIL: _l("Par e-mail"),
    ReplyBy.PHONE: _l("Par téléphone"),
    ReplyBy.POST: _l("Par courrier postal"),
}


class Request(TimestampMixin, db.Model):
    """A question handed to a person, followed by its reference until it is answered."""

    __tablename__ = "assistant_request"
    __table_args__ = (sa.Index("ix_assistant_request_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Shown at once and typed on the public status page: short, unguessable, unambiguous.
    reference: Mapped[str] = mapped_column(sa.String(12), unique=True)
    question: Mapped[str] = mapped_column(sa.Text)
    subject: Mapped[str] = mapped_column(sa.String(20), default="unknown", index=True)
    # Routing: the commune and the service type concerned. Agents' commune scopes (the
    # territory issue) filter on commune_id.
    commune_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("commune.id", ondelete="SET NULL"), index=True
    )
    service_type: Mapped[str] = mapped_column(sa.String(20), default="")
    # Whom to answer: with or without an account, by e-mail, phone or post.
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    email: Mapped[str] = mapped_column(sa.String(320), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    postal_address: Mapped[str] = mapped_column(sa.String(500), default="")
    reply_by: Mapped[str] = mapped_column(sa.String(10), default=ReplyBy.EMAIL.value)
    locale: Mapped[str] = mapped_column(sa.String(5), default="fr")
    channel: Mapped[str] = mapped_column(sa.String(10), default=Channel.ONLINE.value)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(12), default=Status.RECEIVED.value)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    taken_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    answer: Mapped[str] = mapped_column(sa.Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    help_page_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("help_page.id", ondelete="SET NULL")
    )
    # Personal data removed (retention or erasure): the dates and subject stay for figures.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    commune = relationship("Commune")
    user = relationship("User", foreign_keys=[user_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])
    help_page = relationship(HelpPage)

    @property
    def is_answered(self) -> bool:
        return self.status == Status.ANSWERED

    @property
    def is_late(self) -> bool:
        end = self.answered_at or utcnow()
        return end > self.due_at
