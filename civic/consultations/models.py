"""Consultations in phases, proposals, comments, votes, official answers and follow-up."""

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.models import TimestampMixin, UTCDateTime, utcnow
from civic.extensions import db


class Feature(enum.StrEnum):
    """What a phase opens. A phase may open several."""

    INFORMATION = "information"
    PROPOSING = "proposing"
    COMMENTING = "commenting"
    VOTING = "voting"
    ANALYSIS = "analysis"
    DECISION = "decision"
    FOLLOWUP = "followup"


FEATURE_LABELS = {
    Feature.INFORMATION: _l("Information"),
    Feature.PROPOSING: _l("Propositions"),
    Feature.COMMENTING: _l("Commentaires"),
    Feature.VOTING: _l("Votes"),
    Feature.ANALYSIS: _l("Analyse"),
    Feature.DECISION: _l("Décision"),
    Feature.FOLLOWUP: _l("Suivi"),
}


class Audience(enum.StrEnum):
    PUBLIC = "public"
    ROLE = "role"
    INVITED = "invited"


class Channel(enum.StrEnum):
    ONLINE = "online"
    PAPER = "paper"
    COUNTER = "counter"
    PHONE = "phone"
    MAIL = "mail"
    WORKSHOP = "workshop"
    # Collected on paper at a public meeting of the agenda, which the entry names.
    MEETING = "meeting"


CHANNEL_LABELS = {
    Channel.ONLINE: _l("en ligne"),
    Channel.PAPER: _l("sur papier"),
    Channel.COUNTER: _l("à l'accueil"),
    Channel.PHONE: _l("par téléphone"),
    Channel.MAIL: _l("par courrier"),
    Channel.WORKSHOP: _l("en atelier"),
    Channel.MEETING: _l("en réunion publique"),
}


class ProposalStatus(enum.StrEnum):
    PUBLISHED = "published"
    PENDING = "pending"  # waiting for a moderator (pre-moderation)
    HIDDEN = "hidden"  # hidden by moderation
    WITHDRAWN = "withdrawn"


class AnswerStatus(enum.StrEnum):
    UNDER_STUDY = "under_study"
    RETAINED = "retained"
    PARTLY_RETAINED = "partly_retained"
    NOT_RETAINED = "not_retained"
    OUT_OF_SCOPE = "out_of_scope"


ANSWER_LABELS = {
    AnswerStatus.UNDER_STUDY: _l("À l'étude"),
    AnswerStatus.RETAINED: _l("Retenue"),
    AnswerStatus.PARTLY_RETAINED: _l("Retenue en partie"),
    AnswerStatus.NOT_RETAINED: _l("Non retenue"),
    AnswerStatus.OUT_OF_SCOPE: _l("Hors compétence"),
}


class Stance(enum.StrEnum):
    FOR = "for"
    AGAINST = "against"
    NEUTRAL = "neutral"


STANCE_LABELS = {Stance.FOR: _l("Pour"), Stance.AGAINST: _l("Contre"), Stance.NEUTRAL: _l("Neutre")}

VOTE_AGREE, VOTE_DISAGREE, VOTE_PASS = 1, -1, 0
VOTE_LABELS = {
    VOTE_AGREE: _l("D'accord"),
    VOTE_DISAGREE: _l("Pas d'accord"),
    VOTE_PASS: _l("Passer"),
}

consultation_commune = sa.Table(
    "consultation_commune",
    db.metadata,
    sa.Column(
        "consultation_id", sa.ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("commune_id", sa.ForeignKey("commune.id", ondelete="CASCADE"), primary_key=True),
)


class Consultation(TimestampMixin, db.Model):
    __tablename__ = "consultation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")  # cleaned by core.sanitize
    theme: Mapped[str] = mapped_column(sa.String(80), default="")
    cover_filename: Mapped[str | None] = mapped_column(sa.String(200))
    cover_alt: Mapped[str] = mapped_column(sa.String(300), default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    all_communes: Mapped[bool] = mapped_column(default=True)
    # At most this many "d'accord" per participant in this consultation (None: no limit).
    agree_limit: Mapped[int | None]
    premoderation: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    # Kept by the database's triggers on proposal (migration 9d4b6e2f1c3a), in the transaction
    # that adds, removes or changes a proposal: the number of published proposals (the
    # unfiltered list's total), and a value drawn anew at every change of a proposal's status,
    # theme or commune (the key of what is cached of the listing). Read them from a fresh row:
    # an object loaded before such a change in the same session still holds the old values.
    published_proposals: Mapped[int] = mapped_column(default=0)
    listing_version: Mapped[int] = mapped_column(
        sa.BigInteger, default=lambda: secrets.randbits(62)
    )

    phases: Mapped[list["Phase"]] = relationship(
        back_populates="consultation",
        order_by="Phase.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    communes = relationship("Commune", secondary=consultation_commune, lazy="selectin")
    documents: Mapped[list["Document"]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan", order_by="Document.id"
    )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def current_phase(self, now: datetime | None = None) -> "Phase | None":
        now = now or utcnow()
        return next((p for p in self.phases if p.starts_at <= now < p.ends_at), None)


class Phase(db.Model):
    __tablename__ = "phase"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    features: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    audience: Mapped[str] = mapped_column(sa.String(10), default=Audience.PUBLIC.value)
    audience_role: Mapped[str | None] = mapped_column(sa.String(20))

    consultation: Mapped[Consultation] = relationship(back_populates="phases")
    invitations: Mapped[list["PhaseInvitation"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    def opens(self, feature: Feature | str) -> bool:
        return str(feature) in self.features

    def admits(self, user) -> bool:
        """Whether this user belongs to the phase's audience."""
        if self.audience == Audience.PUBLIC:
            return True
        if not user or not user.is_authenticated:
            return False
        if self.audience == Audience.ROLE:
            return bool(self.audience_role) and user.has_role(self.audience_role)
        return any(i.user_id == user.id for i in self.invitations)


class PhaseInvitation(db.Model):
    __tablename__ = "phase_invitation"
    __table_args__ = (sa.UniqueConstraint("phase_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phase_id: Mapped[int] = mapped_column(sa.ForeignKey("phase.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))


class Document(TimestampMixin, db.Model):
    __tablename__ = "consultation_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    stored_name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    size: Mapped[int] = mapped_column(default=0)

    consultation: Mapped[Consultation] = relationship(back_populates="documents")


# Proposals' shuffle keys and visitors' starting points are drawn below this (31 bits).
SHUFFLE_KEYS = 2**31


# How debated a proposal is: its votes on both sides, weighted by how balanced they are (0 when
# nobody voted on either side). Computed by the database from the counters, and indexed, so
# that "most debated first" reads the first rows of an index instead of sorting them all.
DEBATE_SCORE = (
    "coalesce((agree_count + disagree_count) * "
    "(CAST(CASE WHEN agree_count < disagree_count THEN agree_count ELSE disagree_count END "
    "AS FLOAT) / "
    "nullif(CASE WHEN agree_count < disagree_count THEN disagree_count ELSE agree_count END, 0)"
    "), 0)"
)


class Proposal(TimestampMixin, db.Model):
    __tablename__ = "proposal"
    __table_args__ = (
        # Listings: the count and the shuffled order (the id is in the index, which
        # PostgreSQL can then scan alone), "most supported", "most debated" and "newest"
        # first, a theme and the list of themes.
        sa.Index("ix_proposal_listing", "consultation_id", "status", "agree_count", "id"),
        sa.Index("ix_proposal_debated", "consultation_id", "status", "debate_score"),
        sa.Index("ix_proposal_consultation_created", "consultation_id", "created_at"),
        sa.Index("ix_proposal_theme", "consultation_id", "theme", "status"),
        sa.Index("ix_proposal_shuffle", "consultation_id", "status", "shuffle_key", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE")
    )
    phase_id: Mapped[int | None] = mapped_column(sa.ForeignKey("phase.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    theme: Mapped[str] = mapped_column(sa.String(80), default="")
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(sa.String(10), default=Channel.ONLINE.value)
    # For contributions typed by an agent on behalf of a resident.
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    entered_at_label: Mapped[str] = mapped_column(sa.String(120), default="")
    status: Mapped[str] = mapped_column(
        sa.String(10), default=ProposalStatus.PUBLISHED.value, index=True
    )
    answer_status: Mapped[str | None] = mapped_column(sa.String(16), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Counters kept by the database in the same transaction as the rows they count.
    agree_count: Mapped[int] = mapped_column(default=0)
    disagree_count: Mapped[int] = mapped_column(default=0)
    pass_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    # Stored where the database can (SQLite adds it to an existing table as a virtual column).
    debate_score: Mapped[float | None] = mapped_column(
        sa.Float, sa.Computed(DEBATE_SCORE, persisted=True)
    )
    # A random place in the shuffled order that visitors read from their own starting point.
    shuffle_key: Mapped[int] = mapped_column(default=lambda: secrets.randbelow(SHUFFLE_KEYS))
    # Normalised stems of title and text (French Snowball): what SQLite's FTS5 indexes.
    search_stems: Mapped[str] = mapped_column(sa.Text, default="")

    consultation: Mapped[Consultation] = relationship()
    author = relationship("User", foreign_keys=[author_id], lazy="joined")
    entered_by = relationship("User", foreign_keys=[entered_by_id])
    commune = relationship("Commune", lazy="joined")
    answer: Mapped["Answer | None"] = relationship(
        back_populates="proposal", uselist=False, lazy="joined"
    )
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="proposal", order_by="Milestone.due_on", cascade="all, delete-orphan"
    )

    @property
    def vote_count(self) -> int:
        return self.agree_count + self.disagree_count + self.pass_count

    @property
    def is_visible(self) -> bool:
        return self.status == ProposalStatus.PUBLISHED


class Comment(TimestampMixin, db.Model):
    __tablename__ = "comment"
    __table_args__ = (sa.Index("ix_comment_proposal_created", "proposal_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(sa.Text)
    stance: Mapped[str] = mapped_column(sa.String(8), default=Stance.NEUTRAL.value)
    status: Mapped[str] = mapped_column(sa.String(10), default=ProposalStatus.PUBLISHED.value)

    proposal: Mapped[Proposal] = relationship()
    author = relationship("User", lazy="joined")


class Vote(db.Model):
    __tablename__ = "vote"
    # One vote per person per proposal: the database guarantees it.
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "user_id"),
        sa.CheckConstraint("value IN (-1, 0, 1)", name="value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposal.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    value: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Participation(db.Model):
    """One row per participant and consultation: the agree budget, kept exact by the database."""

    __tablename__ = "participation"
    __table_args__ = (
        sa.UniqueConstraint("consultation_id", "user_id"),
        sa.CheckConstraint("agree_used >= 0", name="agree_used"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    agree_used: Mapped[int] = mapped_column(default=0)


class Answer(TimestampMixin, db.Model):
    """The official, reasoned answer to a proposal."""

    __tablename__ = "answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposal.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(sa.String(16))
    text: Mapped[str] = mapped_column(sa.Text)
    signed_as: Mapped[str] = mapped_column(sa.String(120))  # a function, e.g. "Vice-président"
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="answer")


class PostalContact(TimestampMixin, db.Model):
    """Where to post the answer to a contribution received on paper, when the resident asked
    for it. Erased once the answer letter is printed (or with the contribution)."""

    __tablename__ = "postal_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposal.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    address: Mapped[str] = mapped_column(sa.String(300))  # number, street, complement
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune.id", ondelete="SET NULL"))

    proposal: Mapped[Proposal] = relationship()
    commune = relationship("Commune")


class Milestone(TimestampMixin, db.Model):
    __tablename__ = "milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    due_on: Mapped[datetime | None] = mapped_column(UTCDateTime)
    progress: Mapped[int] = mapped_column(default=0)  # percent, 0 to 100

    proposal: Mapped[Proposal] = relationship(back_populates="milestones")


class Follow(TimestampMixin, db.Model):
    __tablename__ = "follow"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    daily: Mapped[bool] = mapped_column(default=False)  # False: immediate e-mails


class ConsultationEvent(TimestampMixin, db.Model):
    """What happened in a consultation, for followers' notifications and e-mails."""

    __tablename__ = "consultation_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20))
    proposal_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("proposal.id", ondelete="CASCADE")
    )
    summary: Mapped[str] = mapped_column(sa.Text)  # in French
    # The catalogue message and its values, to write the summary in each reader's language.
    message: Mapped[dict | None] = mapped_column(sa.JSON)


class GlossaryTerm(TimestampMixin, db.Model):
    __tablename__ = "glossary_term"

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(sa.String(80), unique=True)
    definition: Mapped[str] = mapped_column(sa.Text)

    @property
    def anchor(self) -> str:
        from civic.consultations.text import slugify

        return "terme-" + slugify(self.term)
