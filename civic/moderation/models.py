"""Reports, cases in the moderators' queue, decisions, appeals and account blocks."""

import enum
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.models import TimestampMixin, UTCDateTime
from civic.extensions import db


class ReportReason(enum.StrEnum):
    HARASSMENT = "harassment"
    PERSONAL_DATA = "personal_data"
    SPAM = "spam"
    OFF_TOPIC = "off_topic"
    ILLEGAL = "illegal"
    OTHER = "other"


REPORT_LABELS = {
    ReportReason.HARASSMENT: _l("Insulte ou harcèlement"),
    ReportReason.PERSONAL_DATA: _l("Données personnelles"),
    ReportReason.SPAM: _l("Spam ou publicité"),
    ReportReason.OFF_TOPIC: _l("Hors sujet"),
    ReportReason.ILLEGAL: _l("Contenu illégal"),
    ReportReason.OTHER: _l("Autre raison"),
}

# The charter's rules, cited by every decision to hide (see templates/pages/charter.html).
CHARTER_REASONS = {
    "respect": _l("Manque de respect, insulte, harcèlement ou discrimination (règle 1)"),
    "personal_data": _l("Données personnelles (règle 2)"),
    "off_topic": _l("Hors sujet (règle 3)"),
    "advertising": _l("Publicité ou propagande (règle 4)"),
    "illegal": _l("Contenu illégal (règle 5)"),
    "duplicate": _l("Doublon ou envoi en masse"),
}


class CaseOrigin(enum.StrEnum):
    REPORTS = "reports"
    PREMODERATION = "premoderation"
    DUPLICATE = "duplicate"
    NAMED = "named"  # typed by an agent, it seems to name someone


ORIGIN_LABELS = {
    CaseOrigin.REPORTS: _l("signalements"),
    CaseOrigin.PREMODERATION: _l("modération a priori"),
    CaseOrigin.DUPLICATE: _l("doublon suspect"),
    CaseOrigin.NAMED: _l("nom de personne possible (saisie d'un agent)"),
}


class Action(enum.StrEnum):
    KEEP = "keep"  # or, for an item waiting in pre-moderation: publish
    HIDE = "hide"
    EDIT = "edit"  # personal data edited out


ACTION_LABELS = {
    Action.KEEP: _l("Conserver / publier"),
    Action.HIDE: _l("Masquer"),
    Action.EDIT: _l("Retirer des données personnelles"),
}


CLAIM_MINUTES = 30
CLAIM_LAPSE = timedelta(minutes=CLAIM_MINUTES)


class Case(TimestampMixin, db.Model):
    """One item in the queue: opened by reports, pre-moderation or the spam filter."""

    __tablename__ = "moderation_case"
    __table_args__ = (sa.UniqueConstraint("kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    item_id: Mapped[int]
    consultation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    origin: Mapped[str] = mapped_column(sa.String(16))
    is_open: Mapped[bool] = mapped_column(default=True, index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    report_count: Mapped[int] = mapped_column(default=0)
    hidden: Mapped[bool] = mapped_column(default=False)
    late_alert_sent: Mapped[bool] = mapped_column(default=False)
    # The moderator who took the case, so that two do not decide it at once; a claim lapses
    # after CLAIM_MINUTES.
    claimed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    decisions: Mapped[list["Decision"]] = relationship(
        back_populates="case", order_by="Decision.id", cascade="all, delete-orphan"
    )
    reports: Mapped[list["Report"]] = relationship(
        primaryjoin="and_(Case.kind == foreign(Report.kind), "
        "Case.item_id == foreign(Report.item_id))",
        viewonly=True,
        order_by="Report.id",
    )
    appeal: Mapped["Appeal | None"] = relationship(back_populates="case", uselist=False)
    claimed_by = relationship("User", foreign_keys=[claimed_by_id])

    @property
    def appeal_waiting(self) -> bool:
        return self.appeal is not None and self.appeal.decided_at is None

    def claimed_by_other(self, user, now: datetime) -> bool:
        """Taken by another moderator, and the claim still holds."""
        return (
            self.claimed_by_id is not None
            and self.claimed_by_id != user.id
            and self.claimed_at is not None
            and self.claimed_at > now - CLAIM_LAPSE
        )

    @property
    def last_decision(self) -> "Decision | None":
        return self.decisions[-1] if self.decisions else None


class Report(TimestampMixin, db.Model):
    __tablename__ = "moderation_report"
    # One report per person per item.
    __table_args__ = (sa.UniqueConstraint("kind", "item_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    item_id: Mapped[int]
    reporter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.String(16))
    detail: Mapped[str] = mapped_column(sa.Text, default="")


class Decision(TimestampMixin, db.Model):
    __tablename__ = "moderation_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("moderation_case.id", ondelete="CASCADE"), index=True
    )
    moderator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(8))
    charter_reason: Mapped[str] = mapped_column(sa.String(20), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # The text before personal data was edited out: for moderators only, kept for audit.
    original_text: Mapped[str | None] = mapped_column(sa.Text)
    on_appeal: Mapped[bool] = mapped_column(default=False)

    case: Mapped[Case] = relationship(back_populates="decisions")


class Appeal(TimestampMixin, db.Model):
    __tablename__ = "moderation_appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One appeal per case.
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("moderation_case.id", ondelete="CASCADE"), unique=True
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(sa.Text)
    # The moderator who took the first decision may not decide the appeal.
    excluded_moderator_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="appeal")


class Block(TimestampMixin, db.Model):
    __tablename__ = "moderation_block"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    moderator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.Text)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))

    user = relationship("User", foreign_keys=[user_id])
    moderator = relationship("User", foreign_keys=[moderator_id])


class Fingerprint(TimestampMixin, db.Model):
    """The normalised text of each new item, to spot copies and bursts of the same text."""

    __tablename__ = "moderation_fingerprint"
    __table_args__ = (sa.Index("ix_moderation_fingerprint_author", "author_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    item_id: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    digest: Mapped[str] = mapped_column(sa.String(64), index=True)
    normalised: Mapped[str] = mapped_column(sa.Text)
