"""The latest opinion map of each consultation, recomputed in the background."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from civic.core.models import UTCDateTime
from civic.extensions import db


class OpinionMap(db.Model):
    __tablename__ = "opinion_map"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), unique=True
    )
    # The stored result of pipeline.opinion_groups (to_dict); empty until the first computation.
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    votes: Mapped[int] = mapped_column(default=0)  # votes counted at the last computation
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
