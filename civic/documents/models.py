"""Draft texts of a consultation, their versions and items, reactions, amendments and votes.

A version's items are immutable once published: a new version is a new set of items, so an
older version stays readable as it was, and each reaction stays tied to the wording it read.
Counters shown beside every paragraph are kept in SQL in the transaction that changes them.
"""

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.models import TimestampMixin, UTCDateTime
from civic.extensions import db


class ItemKind(enum.StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    ACTION = "action"


class ReactionKind(enum.StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"
    QUESTION = "question"


REACTION_LABELS = {
    ReactionKind.AGREE: _l("D'accord"),
    ReactionKind.DISAGREE: _l("Pas d'accord"),
    ReactionKind.QUESTION: _l("Question"),
}


class Status(enum.StrEnum):
    PUBLISHED = "published"
    PENDING = "pending"  # waiting for a moderator
    HIDDEN = "hidden"  # hidden by moderation


class AmendmentDecision(enum.StrEnum):
    INTEGRATED = "integrated"
    PARTLY = "partly"
    NOT_RETAINED = "not_retained"
    OUT_OF_SCOPE = "out_of_scope"


DECISION_LABELS = {
    AmendmentDecision.INTEGRATED: _l("Intégré"),
    AmendmentDecision.PARTLY: _l("Intégré en partie"),
    AmendmentDecision.NOT_RETAINED: _l("Non retenu"),
    AmendmentDecision.OUT_OF_SCOPE: _l("Hors compétence"),
}
# Decisions that change the text: the next version is expected to show them.
CHANGING = {AmendmentDecision.INTEGRATED, AmendmentDecision.PARTLY}


class Draft(TimestampMixin, db.Model):
    __tablename__ = "draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    # The version that residents read and react to (the last published).
    current_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("draft_version.id", ondelete="SET NULL", use_alter=True)
    )

    consultation = relationship("Consultation", lazy="joined")
    versions: Mapped[list["DraftVersion"]] = relationship(
        back_populates="draft",
        order_by="DraftVersion.number",
        foreign_keys="DraftVersion.draft_id",
        cascade="all, delete-orphan",
    )
    current_version: Mapped["DraftVersion | None"] = relationship(
        foreign_keys=[current_version_id], post_update=True, lazy="joined"
    )


class DraftVersion(TimestampMixin, db.Model):
    __tablename__ = "draft_version"
    __table_args__ = (sa.UniqueConstraint("draft_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(sa.ForeignKey("draft.id", ondelete="CASCADE"))
    number: Mapped[int]
    note: Mapped[str] = mapped_column(sa.Text, default="")  # what changed, in a few words
    # The Markdown it was built from: long, and read only by staff, so loaded on demand.
    source: Mapped[str] = mapped_column(sa.Text, default="", deferred=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    # Drawn anew in the transaction that changes anything its page shows (a counter, an
    # answer): the key of the rendered text kept by each process (core.caching).
    activity: Mapped[int] = mapped_column(sa.BigInteger, default=lambda: secrets.randbits(62))

    draft: Mapped[Draft] = relationship(back_populates="versions", foreign_keys=[draft_id])


class DraftItem(db.Model):
    """A numbered heading, paragraph or action of one version."""

    __tablename__ = "draft_item"
    __table_args__ = (sa.UniqueConstraint("version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("draft_version.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(10))
    level: Mapped[int] = mapped_column(default=0)  # headings: 1 to 4
    number: Mapped[str] = mapped_column(sa.String(20))  # "2.3", "§ 14", "Action 5"
    anchor: Mapped[str] = mapped_column(sa.String(30))  # stable in the page: "p14"
    title: Mapped[str] = mapped_column(sa.String(300), default="")  # headings and actions
    text: Mapped[str] = mapped_column(sa.Text, default="")  # paragraph, action's description
    lead_service: Mapped[str] = mapped_column(sa.String(200), default="")
    budget_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    indicators: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # Counters of published reactions and amendments, moved in SQL by the services.
    agree_count: Mapped[int] = mapped_column(default=0)
    disagree_count: Mapped[int] = mapped_column(default=0)
    question_count: Mapped[int] = mapped_column(default=0)
    amendment_count: Mapped[int] = mapped_column(default=0)
    # The staff's answer to the reactions on this item.
    answer: Mapped[str] = mapped_column(sa.Text, default="")

    version: Mapped[DraftVersion] = relationship()

    @property
    def reacts(self) -> bool:
        return self.kind != ItemKind.HEADING

    @property
    def label(self) -> str:
        return self.title or self.text[:80]

    def comparable(self) -> str:
        """What the difference between versions compares."""
        parts = [self.title, self.text]
        if self.kind == ItemKind.ACTION:
            parts += [self.lead_service, str(self.budget_cents or ""), *self.indicators]
        return "\n".join(p for p in parts if p)


class Reaction(TimestampMixin, db.Model):
    __tablename__ = "draft_reaction"
    __table_args__ = (
        sa.Index("ix_draft_reaction_item_created", "item_id", "created_at"),
        # One "d'accord" or "pas d'accord" per person and item; questions are not limited.
        sa.Index(
            "uq_draft_reaction_stance",
            "item_id",
            "author_id",
            unique=True,
            sqlite_where=sa.text("kind IN ('agree', 'disagree')"),
            postgresql_where=sa.text("kind IN ('agree', 'disagree')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("draft_item.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    phase_id: Mapped[int | None] = mapped_column(sa.ForeignKey("phase.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(sa.String(10))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(10), default=Status.PENDING.value)

    item: Mapped[DraftItem] = relationship()
    author = relationship("User", lazy="joined")


class Amendment(TimestampMixin, db.Model):
    __tablename__ = "draft_amendment"
    __table_args__ = (
        sa.Index("ix_draft_amendment_item", "item_id", "status"),
        sa.CheckConstraint(
            "decision IS NULL OR decision IN "
            "('integrated', 'partly', 'not_retained', 'out_of_scope')",
            name="decision",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("draft_item.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    phase_id: Mapped[int | None] = mapped_column(sa.ForeignKey("phase.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(sa.Text)  # the proposed wording of the whole item
    reason: Mapped[str] = mapped_column(sa.Text, default="")  # why, in the author's words
    status: Mapped[str] = mapped_column(sa.String(10), default=Status.PENDING.value)
    for_count: Mapped[int] = mapped_column(default=0)
    against_count: Mapped[int] = mapped_column(default=0)
    decision: Mapped[str | None] = mapped_column(sa.String(16), index=True)
    justification: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[DraftItem] = relationship(lazy="joined")
    author = relationship("User", foreign_keys=[author_id], lazy="joined")
    changes: Mapped[list["AmendmentChange"]] = relationship(
        back_populates="amendment", cascade="all, delete-orphan"
    )


class AmendmentVote(db.Model):
    __tablename__ = "draft_amendment_vote"
    # One vote per person per amendment: the database guarantees it.
    __table_args__ = (
        sa.UniqueConstraint("amendment_id", "user_id"),
        sa.CheckConstraint("value IN (-1, 1)", name="value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("draft_amendment.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    value: Mapped[int]


class AmendmentChange(db.Model):
    """This amendment led to this item of a new version (None: the item was removed)."""

    __tablename__ = "draft_amendment_change"
    __table_args__ = (sa.UniqueConstraint("amendment_id", "version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("draft_amendment.id", ondelete="CASCADE")
    )
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("draft_version.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("draft_item.id", ondelete="SET NULL"))

    amendment: Mapped[Amendment] = relationship(back_populates="changes")
    version: Mapped[DraftVersion] = relationship()
    item: Mapped[DraftItem | None] = relationship()
