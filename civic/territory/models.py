"""The 36 communes of the Sicoval: the baseline for representativeness."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from civic.extensions import db


class Commune(db.Model):
    __tablename__ = "commune"

    id: Mapped[int] = mapped_column(primary_key=True)
    insee: Mapped[str] = mapped_column(sa.String(5), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    population: Mapped[int] = mapped_column(default=0)
    # La Poste's code for mail: not the INSEE code (Ayguesvives: INSEE 31004, postcode 31450).
    postcode: Mapped[str] = mapped_column(sa.String(5), default="", server_default="")
    # WGS84 GeoJSON geometry, drawn on maps without any tile server. Tens of kilobytes per
    # commune: deferred, so that the many pages that load communes (a proposal's, a user's)
    # do not fetch and decode it; code that draws or tests outlines asks for it with
    # `.options(undefer(Commune.outline))`.
    outline: Mapped[dict | None] = mapped_column(sa.JSON, deferred=True)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]

    def __str__(self) -> str:
        return self.name
