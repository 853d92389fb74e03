"""Read communes from the files an authority gets: IGN Admin Express (GeoJSON, any CRS),
geo.api.gouv.fr's GeoJSON, and france-geojson's department files; postcodes from the
codes-postaux data (CSV or JSON). Pure functions: paths in, plain rows out; no database."""

import csv
import io
import json
from pathlib import Path

from civic.cli_i18n import _c
from civic.territory.france import (
    UnknownCRS,
    crs_of_geojson,
    departement_of_insee,
    is_wgs84,
    transformer,
)

# Property names of each format, compared lower-cased: Admin Express, geo.api.gouv.fr and
# france-geojson (which has only code and nom).
INSEE_KEYS = ("insee_com", "code", "code_insee", "insee")
NAME_KEYS = ("nom", "nom_com", "name")
POPULATION_KEYS = ("population", "pop")
EPCI_KEYS = ("siren_epci", "codeepci", "epci")
DEPARTEMENT_KEYS = ("insee_dep", "codedepartement", "code_dep")


class TerritoryFileError(Exception):
    """A file that cannot be read as communes: nothing is loaded."""


def _first(properties: dict, keys: tuple[str, ...]):
    for key in keys:
        value = properties.get(key)
        if value not in (None, ""):
            return value
    return None


def _rings(geometry: dict) -> list:
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    if geometry.get("type") == "MultiPolygon":
        return geometry["coordinates"]
    raise TerritoryFileError(
        _c("géométrie %(type)r : Polygon ou MultiPolygon attendu", type=geometry.get("type"))
    )


def _to_wgs84(geometry: dict, crs: str | None) -> dict:
    """The outline in WGS84 degrees rounded to 6 decimals (about 10 cm): each ring is sent
    to pyproj at once, which keeps a department's thousands of rings fast."""
    polygons = []
    for polygon in _rings(geometry):
        rings = []
        for ring in polygon:
            xs = [point[0] for point in ring]
            ys = [point[1] for point in ring]
            if not is_wgs84(crs):
                xs, ys = transformer(crs).transform(xs, ys)
            rings.append([[round(x, 6), round(y, 6)] for x, y in zip(xs, ys, strict=True)])
        polygons.append(rings)
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def centre(geometry: dict) -> tuple[float, float]:
    """Mean of the largest outer ring's vertices: a label point, good enough for communes."""
    ring = max((polygon[0] for polygon in _rings(geometry)), key=len)
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring = ring[:-1]  # the closing vertex would count twice
    lon = sum(p[0] for p in ring) / len(ring)
    lat = sum(p[1] for p in ring) / len(ring)
    return round(lat, 6), round(lon, 6)


def _population(value) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = int(float(str(value).replace(" ", "").replace("\u00a0", "")))
    except ValueError:
        return None
    return number if 0 <= number < 2**31 else None


def read_file(path: Path) -> list[dict]:
    """One dict per commune: insee, name, population (None when the file has none), epci,
    departement, outline (WGS84), latitude, longitude, postcode (when the file gives them)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as error:
        raise TerritoryFileError(
            _c("%(file)s : fichier illisible (%(error)s)", file=path.name, error=error)
        ) from None
    except (ValueError, RecursionError):
        raise TerritoryFileError(_c("%(file)s : JSON invalide", file=path.name)) from None
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        raise TerritoryFileError(
            _c("%(file)s : pas de liste « features » (GeoJSON attendu)", file=path.name)
        )
    crs = crs_of_geojson(document)
    if crs and not is_wgs84(crs):
        try:
            transformer(crs)
        except UnknownCRS:
            raise TerritoryFileError(
                _c("%(file)s : système de coordonnées inconnu %(crs)s", file=path.name, crs=crs)
            ) from None
    rows = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
            raise TerritoryFileError(
                _c(
                    "%(file)s, élément %(number)s : pas un objet GeoJSON",
                    file=path.name,
                    number=number,
                )
            )
        properties = {str(k).lower(): v for k, v in feature["properties"].items()}
        insee = str(_first(properties, INSEE_KEYS) or "").strip().upper()
        name = str(_first(properties, NAME_KEYS) or "").strip()
        if not departement_of_insee(insee) or not name:
            raise TerritoryFileError(
                _c(
                    "%(file)s, élément %(number)s : code INSEE ou nom de commune manquant",
                    file=path.name,
                    number=number,
                )
            )
        row = {
            "insee": insee,
            "name": name[:120],
            "population": _population(_first(properties, POPULATION_KEYS)),
            "epci": str(_first(properties, EPCI_KEYS) or "")[:9],
            "departement": str(_first(properties, DEPARTEMENT_KEYS) or departement_of_insee(insee))[
                :3
            ],
        }
        postcodes = properties.get("codespostaux")  # geo.api.gouv.fr, when asked for
        if isinstance(postcodes, list) and postcodes:
            row["postcode"] = str(postcodes[0])[:5]
        geometry = feature.get("geometry")
        if isinstance(geometry, dict) and geometry.get("coordinates"):
            try:
                row["outline"] = _to_wgs84(geometry, crs)
            except (KeyError, TypeError, IndexError, ValueError) as error:
                raise TerritoryFileError(
                    _c(
                        "%(file)s, élément %(number)s (%(insee)s) : géométrie illisible",
                        file=path.name,
                        number=number,
                        insee=insee,
                    )
                ) from error
            row["latitude"], row["longitude"] = centre(row["outline"])
        rows.append(row)
    return rows


def merge(files: list[list[dict]]) -> list[dict]:
    """Communes of several files, by INSEE code: each field comes from the first file that
    gives it (an outline file and a population file of the same communes, for instance)."""
    merged: dict[str, dict] = {}
    for rows in files:
        for row in rows:
            into = merged.setdefault(row["insee"], {})
            for key, value in row.items():
                if into.get(key) in (None, "") and value not in (None, ""):
                    into[key] = value
    return list(merged.values())


def select(
    rows: list[dict],
    *,
    epci: str | None = None,
    departement: str | None = None,
    communes: set[str] | None = None,
) -> list[dict]:
    """The communes of the territory among those of the files: every given filter applies."""
    if epci:
        rows = [r for r in rows if r.get("epci") == epci]
    if departement:
        rows = [r for r in rows if r.get("departement", "").upper() == departement.upper()]
    if communes:
        rows = [r for r in rows if r["insee"] in communes]
    return rows


def read_postcodes(path: Path) -> dict[str, str]:
    """INSEE code -> postcode, from the codes-postaux JSON (codeCommune, codePostal), La
    Poste's CSV (Code_commune_INSEE;…;Code_postal) or any CSV with insee / code_postal
    columns. A commune with several postcodes keeps the first one listed."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise TerritoryFileError(
            _c("%(file)s : fichier illisible (%(error)s)", file=path.name, error=error)
        ) from None
    if text.lstrip().startswith("["):
        try:
            records = json.loads(text)
        except ValueError:
            raise TerritoryFileError(_c("%(file)s : JSON invalide", file=path.name)) from None
    else:
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        records = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
    postcodes: dict[str, str] = {}
    for record in records:
        if not isinstance(record, dict):
            continue
        keys = {str(k).lower().lstrip("#"): v for k, v in record.items() if k}
        insee = _first(keys, ("codecommune", "code_commune_insee", "insee", "code_insee"))
        postcode = _first(keys, ("codepostal", "code_postal", "postcode"))
        if insee and postcode:
            postcodes.setdefault(str(insee).strip().upper(), str(postcode).strip().zfill(5)[:5])
    if not postcodes:
        raise TerritoryFileError(
            _c("%(file)s : aucune colonne code commune / code postal reconnue", file=path.name)
        )
    return postcodes
