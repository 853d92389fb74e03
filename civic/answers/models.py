"""What officials reuse when they answer, and answers waiting for a second person."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.models import TimestampMixin, UTCDateTime, utcnow
from civic.extensions import db


class Signature(db.Model):
    """How one official signs their answers (a function, never a name), remembered."""

    __tablename__ = "answer_signature"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    signed_as: Mapped[str] = mapped_column(sa.String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Template(TimestampMixin, db.Model):
    """A reusable answer of one consultation: a status and a text to adapt."""

    __tablename__ = "answer_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(120))
    status: Mapped[str] = mapped_column(sa.String(16))
    text: Mapped[str] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))


class Policy(db.Model):
    """A consultation's rule for answers: whether a second person validates each one."""

    __tablename__ = "answer_policy"

    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    )
    second_validation: Mapped[bool] = mapped_column(default=False)


class Draft(TimestampMixin, db.Model):
    """An answer written under second-person validation: public only once another official or
    agent validates it (then it becomes the proposal's answer and the draft goes)."""

    __tablename__ = "answer_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposal.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(sa.String(16))
    text: Mapped[str] = mapped_column(sa.Text)
    signed_as: Mapped[str] = mapped_column(sa.String(120))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    proposal = relationship("Proposal")
    author = relationship("User")
