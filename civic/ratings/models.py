"""Public services imported from open data, their ratings and the agents' answers."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from civic.core.formatting import sort_key
from civic.core.models import TimestampMixin, UTCDateTime, utcnow
from civic.extensions import db

CRITERIA = {
    "satisfaction": _l("Satisfaction globale"),
    "welcome": lazy_pgettext("critère d'un service", "Accueil"),
    "delay": _l("Délai"),
    "clarity": _l("Clarté de l'information"),
    "accessibility": _l("Accessibilité"),
    "simplicity": _l("Simplicité"),
}

CHANNELS = {
    "on_site": _l("Sur place"),
    "phone": _l("Téléphone"),
    "email": _l("E-mail"),
    "online": _l("En ligne"),
}


class AnswerStatus(enum.StrEnum):
    NOTED = "noted"
    ACTION_STARTED = "action_started"
    ACTION_DONE = "action_done"


ANSWER_LABELS = {
    AnswerStatus.NOTED: _l("Pris en compte"),
    AnswerStatus.ACTION_STARTED: _l("Action engagée"),
    AnswerStatus.ACTION_DONE: _l("Action réalisée"),
}


class Service(db.Model):
    __tablename__ = "public_service"
    # Re-importing a file finds each service again by its source and identifier.
    __table_args__ = (sa.UniqueConstraint("source", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(80))
    source_id: Mapped[str] = mapped_column(sa.String(120))
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    # The name without accents or case: the directory's French alphabetical order, in SQL.
    sort_name: Mapped[str] = mapped_column(
        sa.String(200), default="", server_default="", index=True
    )
    type: Mapped[str] = mapped_column(sa.String(120), default="", index=True)
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    postcode: Mapped[str] = mapped_column(sa.String(10), default="")
    commune_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("commune.id", ondelete="SET NULL"), index=True
    )
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    hours: Mapped[str] = mapped_column(sa.String(500), default="")  # OSM opening_hours
    phone: Mapped[str] = mapped_column(sa.String(60), default="")
    email: Mapped[str] = mapped_column(sa.String(200), default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    content_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    import_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_import.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # gone from the source
    frozen_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # burst of ratings
    proposal_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("proposal.id", ondelete="SET NULL")
    )
    # The service's own picture (core.uploads), with its text alternative; without one, the
    # pages show the drawing of its type (ratings.pictures).
    picture_filename: Mapped[str | None] = mapped_column(sa.String(100))
    picture_alt: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")

    @validates("name")
    def _keep_sort_name(self, _key: str, value: str) -> str:
        self.sort_name = sort_key(value)[0][:200]
        return value

    commune = relationship("Commune", lazy="joined")
    last_import = relationship("ServiceImport")
    proposal = relationship("Proposal")

    @property
    def is_frozen(self) -> bool:
        return self.frozen_until is not None and self.frozen_until > utcnow()


class ServiceImport(TimestampMixin, db.Model):
    """One import of a file: the provenance shown on each service."""

    __tablename__ = "service_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(80))
    dataset: Mapped[str] = mapped_column(sa.String(200), default="")
    filename: Mapped[str] = mapped_column(sa.String(200), default="")
    file_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    licence: Mapped[str] = mapped_column(sa.String(120), default="Licence Ouverte 2.0")
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    closed: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    # Rows in France but outside the territory, skipped apart from the rejected ones.
    outside: Mapped[int] = mapped_column(default=0, server_default="0")


class Rating(db.Model):
    __tablename__ = "service_rating"
    # The n-th rating of a person for a service: concurrent submissions cannot both be new.
    __table_args__ = (
        sa.UniqueConstraint("service_id", "user_id", "sequence"),
        *(sa.CheckConstraint(f"{c} BETWEEN 1 AND 5", name=c) for c in CRITERIA),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(
        sa.ForeignKey("public_service.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    sequence: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    satisfaction: Mapped[int]
    welcome: Mapped[int]
    delay: Mapped[int]
    clarity: Mapped[int]
    accessibility: Mapped[int]
    simplicity: Mapped[int]
    channel: Mapped[str] = mapped_column(sa.String(10))
    open_as_announced: Mapped[bool | None]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    # "" without comment; otherwise pending / published / hidden, as moderation decides.
    comment_status: Mapped[str] = mapped_column(sa.String(10), default="")

    service: Mapped[Service] = relationship()
    answer: Mapped["ServiceAnswer | None"] = relationship(back_populates="rating", uselist=False)


class ServiceAnswer(TimestampMixin, db.Model):
    __tablename__ = "service_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(
        sa.ForeignKey("service_rating.id", ondelete="CASCADE"), unique=True
    )
    agent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    signed_as: Mapped[str] = mapped_column(sa.String(120))
    text: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16))

    rating: Mapped[Rating] = relationship(back_populates="answer")


class ServiceResponsibility(db.Model):
    """An agent answers for one service, or for every service of a type."""

    __tablename__ = "service_responsibility"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("public_service.id", ondelete="CASCADE")
    )
    service_type: Mapped[str | None] = mapped_column(sa.String(120))
