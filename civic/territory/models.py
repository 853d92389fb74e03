"""The communes of the territory: the baseline for representativeness, and their spaces."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from civic.core.models import TimestampMixin, UTCDateTime
from civic.extensions import db


class Commune(db.Model):
    __tablename__ = "commune"

    id: Mapped[int] = mapped_column(primary_key=True)
    insee: Mapped[str] = mapped_column(sa.String(5), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    population: Mapped[int] = mapped_column(default=0)
    # False when the file gave no population (france-geojson): pages then say it is unknown
    # rather than show 0 inhabitants.
    population_known: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # INSEE department code (31, 2A, 971) and the SIREN of the commune's EPCI, when known.
    departement: Mapped[str] = mapped_column(sa.String(3), default="", server_default="")
    epci: Mapped[str] = mapped_column(sa.String(9), default="", server_default="")
    # La Poste's code for mail: not the INSEE code (Ayguesvives: INSEE 31004, postcode 31450).
    postcode: Mapped[str] = mapped_column(sa.String(5), default="", server_default="")
    # WGS84 GeoJSON geometry, drawn on maps without any tile server. Tens of kilobytes per
    # commune: deferred, so that the many pages that load communes (a proposal's, a user's)
    # do not fetch and decode it; code that draws or tests outlines asks for it with
    # `.options(undefer(Commune.outline))`.
    outline: Mapped[dict | None] = mapped_column(sa.JSON, deferred=True)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    # Set when a reload no longer lists the commune: it leaves the territory but is kept, so
    # that the contributions, accounts and services placed in it keep their commune.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __str__(self) -> str:
        return self.name


class CommuneFollow(TimestampMixin, db.Model):
    """A resident following a commune: told when a consultation or workshop opens there."""

    __tablename__ = "commune_follow"
    __table_args__ = (sa.UniqueConstraint("commune_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(sa.ForeignKey("commune.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
