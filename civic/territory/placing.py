"""Place an imported row in a commune of the territory, or tell that it lies elsewhere.

A commune's name is not unique in France (a Mauvezin lies in three departments, a
Saint-Pierre in La Réunion and another in Martinique): a row is placed by its INSEE code, then
by its point inside a commune's outline, and by its name only within the same department.
A row placed nowhere in the territory is "outside" (skipped and counted apart); a row that
says nothing about where it is, is rejected."""

import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import undefer

from civic.extensions import db
from civic.territory.france import departement_of_insee, departements_of_postcode
from civic.territory.models import Commune


def name_key(text: str) -> str:
    """Saint-Orens-de-Gameville = saint orens de gameville = ST ORENS DE GAMEVILLE."""
    decomposed = unicodedata.normalize("NFKD", text)
    key = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    key = key.replace("-", " ").replace("'", " ")
    words = ["saint" if w == "st" else "sainte" if w == "ste" else w for w in key.split()]
    return " ".join(words)


def _rings(geometry: dict) -> list:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def inside(lat: float, lon: float, geometry: dict) -> bool:
    """Ray casting, holes included: which commune a point falls in."""
    for polygon in _rings(geometry):
        hits = 0
        for ring in polygon:
            crossing = False
            j = len(ring) - 1
            for i in range(len(ring)):
                xi, yi = ring[i][0], ring[i][1]
                xj, yj = ring[j][0], ring[j][1]
                if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
                    crossing = not crossing
                j = i
            hits += crossing
        if hits % 2:  # in the outer ring and in no hole
            return True
    return False


def _box(geometry: dict) -> tuple[float, float, float, float]:
    points = [p for polygon in _rings(geometry) for p in polygon[0]]
    return (
        min(p[1] for p in points),
        max(p[1] for p in points),
        min(p[0] for p in points),
        max(p[0] for p in points),
    )


@dataclass(frozen=True)
class Placement:
    commune: Commune | None = None
    outside: bool = False  # in France, not in the territory: skipped, not an error
    reason: str | None = None  # why the row is rejected

    @property
    def placed(self) -> bool:
        return self.commune is not None


class Locator:
    """The territory's open communes, ready to place many rows (outlines read once)."""

    def __init__(self, communes: list[Commune] | None = None):
        if communes is None:
            communes = list(
                db.session.scalars(
                    sa.select(Commune)
                    .where(Commune.closed_at.is_(None))
                    .options(undefer(Commune.outline))
                )
            )
        self.by_insee = {c.insee: c for c in communes}
        self.by_name: dict[tuple[str, str], Commune] = {}
        names: dict[str, list[Commune]] = {}
        for c in communes:
            department = c.departement or departement_of_insee(c.insee)
            self.by_name[(name_key(c.name), department)] = c
            names.setdefault(name_key(c.name), []).append(c)
        # A name alone is used only when the territory has one commune of that name.
        self.unique_names = {key: found[0] for key, found in names.items() if len(found) == 1}
        self.shapes = [(c, _box(c.outline), c.outline) for c in communes if c.outline]

    def place(
        self,
        *,
        insee: str = "",
        name: str = "",
        postcode: str = "",
        departement: str = "",
        lat: float | None = None,
        lon: float | None = None,
    ) -> Placement:
        code = (insee or "").strip()[:5].upper()
        if code:
            if not departement_of_insee(code):
                return Placement(reason=f"code INSEE illisible : {code}")
            commune = self.by_insee.get(code)
            return Placement(commune) if commune else Placement(outside=True)
        if lat is not None and lon is not None:
            for commune, (south, north, west, east), outline in self.shapes:
                if south <= lat <= north and west <= lon <= east and inside(lat, lon, outline):
                    return Placement(commune)
            if self.shapes:
                return Placement(outside=True)
        name = (name or "").strip()
        if name:
            key = name_key(name)
            departments = departements_of_postcode(postcode) or (
                {departement.strip().upper()} if departement.strip() else set()
            )
            if departments:
                for department in departments:
                    commune = self.by_name.get((key, department))
                    if commune:
                        return Placement(commune)
                return Placement(outside=True)
            # No postcode nor department: the file is taken to be about the territory.
            commune = self.unique_names.get(key)
            return Placement(commune) if commune else Placement(outside=True)
        return Placement(reason="lieu inconnu : ni code INSEE, ni coordonnées, ni commune")
