"""Load the communes from the IGN Admin Express extracts shipped in territory/data/."""

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from civic.extensions import db
from civic.territory.models import Commune

DATA = Path(__file__).parent / "data"
POPULATION_FILE = DATA / "sicoval_coms_21.geojson"  # Lambert-93; only its properties are read
OUTLINE_FILE = DATA / "sicoval_coms_wgs84.geojson"
# INSEE code -> postcode (INSEE COG and DGFiP FIMOCT, via the codes-postaux package; MIT).
POSTCODE_FILE = DATA / "sicoval_postcodes.csv"


def read_postcodes(path: Path = POSTCODE_FILE) -> dict[str, str]:
    """The first postcode of each commune (each Sicoval commune has one)."""
    postcodes: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            postcodes.setdefault(row["insee"], row["code_postal"])
    return postcodes


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _centre(geometry: dict) -> tuple[float, float]:
    """Mean of the outer ring's vertices: a label point, good enough for small communes."""
    rings = (
        geometry["coordinates"]
        if geometry["type"] == "Polygon"
        else [polygon[0] for polygon in geometry["coordinates"]]
    )
    points = [point for point in rings[0]]
    lon = sum(p[0] for p in points) / len(points)
    lat = sum(p[1] for p in points) / len(points)
    return round(lat, 6), round(lon, 6)


def read_communes(
    population_file: Path = POPULATION_FILE, outline_file: Path = OUTLINE_FILE
) -> list[dict]:
    populations = {
        feature["properties"]["INSEE_COM"]: int(feature["properties"]["POPULATION"])
        for feature in json.loads(population_file.read_text(encoding="utf-8"))["features"]
    }
    postcodes = read_postcodes()
    rows = []
    for feature in json.loads(outline_file.read_text(encoding="utf-8"))["features"]:
        props = feature["properties"]
        latitude, longitude = _centre(feature["geometry"])
        rows.append(
            {
                "insee": props["INSEE_COM"],
                "name": props["NOM"],
                "population": populations.get(props["INSEE_COM"], 0),
                "postcode": postcodes.get(props["INSEE_COM"], ""),
                "outline": feature["geometry"],
                "latitude": latitude,
                "longitude": longitude,
            }
        )
    return rows


def load_communes(rows: list[dict] | None = None) -> LoadResult:
    """Create or update the communes by INSEE code; running it twice changes nothing."""
    result = LoadResult()
    existing = {c.insee: c for c in db.session.scalars(sa.select(Commune))}
    for row in rows if rows is not None else read_communes():
        commune = existing.get(row["insee"])
        if commune is None:
            db.session.add(Commune(**row))
            result.created += 1
            continue
        changed = False
        for key, value in row.items():
            if getattr(commune, key) != value:
                setattr(commune, key, value)
                changed = True
        if changed:
            result.updated += 1
        else:
            result.unchanged += 1
    db.session.flush()
    return result
