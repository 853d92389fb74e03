"""Read public services from real open-data files (CSV or GeoJSON), as French portals
publish them. Pure functions: bytes in, rows and rejections out; no database.

Traits handled: `;` or `,` separators, UTF-8 with or without BOM, CRLF, decimal commas,
postcodes with leading zeros, Point or MultiPoint geometries, Opendatasoft `geo_point_2d`
as an object or as `[lat, lon]`, JSON-encoded list strings, 'T'/'F' booleans, a GeoJSON's
declared CRS, and projected metres without one (Lambert-93, or the overseas UTM zones).
"""

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field

from civic.territory import france

FIELDS = (
    "id",
    "name",
    "type",
    "address",
    "postcode",
    "commune",
    "insee",
    "lat",
    "lon",
    "hours",
    "phone",
    "email",
    "website",
)

# Column names recognised without --map: the national SCDL schema "Équipements collectifs
# publics" first, then names common in Opendatasoft exports. Compared lower-cased.
KNOWN_COLUMNS = {
    "id": ["equip_uid", "id", "identifiant", "recordid", "code", "uid"],
    "name": ["equip_nom", "nom", "name", "libelle", "nom_equipement", "denomination", "titre"],
    "type": [
        "equip_type",
        "type",
        "equip_theme",
        "categorie",
        "category",
        "theme",
        "type_equipement",
    ],
    "address": ["adresse", "address", "adr_voie", "adresse_complete", "adr"],
    "postcode": ["adr_codepostal", "code_postal", "codepostal", "cp", "postcode", "zip"],
    "commune": ["adr_commune", "commune", "ville", "city", "nom_commune", "localite"],
    # The BAN interoperability key starts with the INSEE code: 31254_0001_00012.
    "insee": [
        "code_insee",
        "insee",
        "insee_com",
        "codeinsee",
        "com_insee",
        "code_commune",
        "adr_cle_interop",
    ],
    "lat": ["equip_lat", "latitude", "lat", "y"],
    "lon": ["equip_long", "longitude", "lon", "lng", "long", "x"],
    "hours": ["equip_ouverture", "opening_hours", "horaires", "heures_ouverture", "horaire"],
    "phone": ["equip_tel", "telephone", "tel", "phone", "téléphone"],
    "email": ["equip_email", "email", "courriel", "mail", "e_mail"],
    "website": ["equip_web", "site_web", "website", "url", "site", "site_internet"],
}


class UnreadableFile(Exception):
    """The file cannot be read at all: nothing is imported."""


class RowError(ValueError):
    """One row cannot be read: it is rejected with this reason, the others are imported."""


# Lists inside a cell are opened this deep at most; deeper is a row error, not a RecursionError.
MAX_CELL_DEPTH = 4
# Control characters (NUL above all: PostgreSQL refuses it) make a row unreadable.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class ParseResult:
    rows: list[dict] = field(default_factory=list)  # with their 1-based "row" number
    rejected: list[dict] = field(default_factory=list)  # {"row": R, "reason": "..."}
    mapping: dict[str, str] = field(default_factory=dict)  # field -> column
    columns: list[str] = field(default_factory=list)


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("encodage inconnu (UTF-8 attendu)")


def detect_format(data: bytes, filename: str = "") -> str:
    head = data.lstrip(b"\xef\xbb\xbf \r\n\t")[:1]
    if filename.lower().endswith((".geojson", ".json")) or head in (b"{", b"["):
        return "geojson"
    return "csv"


def _clean(value, depth: int = 0) -> str:
    """A cell as text: JSON-encoded lists opened, 'T'/'F' kept, blanks trimmed."""
    if depth > MAX_CELL_DEPTH:
        raise RowError("valeur trop imbriquée")
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_clean(v, depth + 1) for v in value)
    if isinstance(value, bool):
        return "T" if value else "F"
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            decoded = json.loads(text)
        except (ValueError, RecursionError):
            return text
        if isinstance(decoded, list):
            return ", ".join(_clean(v, depth + 1) for v in decoded)
    return text


def _number(text: str) -> float | None:
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    try:
        return float(text.replace(",", "."))  # decimal commas
    except ValueError:
        return None


def read_csv(text: str) -> tuple[list[str], list[dict]]:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    if not reader.fieldnames or len(reader.fieldnames) < 2:
        raise UnreadableFile("aucune colonne reconnue dans la première ligne")
    columns = [c.strip() for c in reader.fieldnames]
    rows = []
    for raw in reader:
        rows.append({k.strip(): v for k, v in raw.items() if k is not None})
    return columns, rows


def _coordinate(value) -> float:
    """A number of a geometry: a JSON number or a numeric string, nothing else."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RowError("coordonnées illisibles")
    number = _number(value) if isinstance(value, str) else float(value)
    if number is None:
        raise RowError("coordonnées illisibles")
    return number


def _point(geometry) -> tuple[float, float] | None:
    """(x, y) of a Point, or of the first point of a MultiPoint."""
    if not geometry:
        return None
    if not isinstance(geometry, dict):
        raise RowError("géométrie illisible")
    coordinates = geometry.get("coordinates")
    if geometry.get("type") == "MultiPoint" and isinstance(coordinates, list) and coordinates:
        coordinates = coordinates[0]
    if geometry.get("type") not in ("Point", "MultiPoint") or not coordinates:
        return None
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        raise RowError("géométrie illisible")
    return _coordinate(coordinates[0]), _coordinate(coordinates[1])


def _geo_point_2d(geo) -> tuple[float, float] | None:
    """Opendatasoft's point: {"lon": .., "lat": ..} (v2.1) or [lat, lon] (v1)."""
    if isinstance(geo, dict):
        if "lon" not in geo or "lat" not in geo:
            raise RowError("coordonnées illisibles")
        return _coordinate(geo["lon"]), _coordinate(geo["lat"])
    if isinstance(geo, list) and len(geo) == 2:
        return _coordinate(geo[1]), _coordinate(geo[0])
    raise RowError("coordonnées illisibles")


def _feature_row(feature) -> dict:
    if not isinstance(feature, dict):
        raise RowError("élément qui n'est pas un objet GeoJSON")
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        raise RowError("propriétés illisibles")
    properties = dict(properties)
    point = _point(feature.get("geometry"))
    geo = properties.pop("geo_point_2d", None)
    if point is None and geo is not None:
        point = _geo_point_2d(geo)
    properties.pop("geo_shape", None)
    row = {str(k): _clean(v) for k, v in properties.items()}
    if point is not None:
        row["__x"], row["__y"] = str(point[0]), str(point[1])
    return row


def read_geojson(text: str) -> tuple[list[str], list[dict], str | None]:
    try:
        document = json.loads(text)
    except ValueError as error:
        raise UnreadableFile(f"JSON invalide : {error}") from None
    except RecursionError:
        raise UnreadableFile("JSON trop imbriqué") from None
    features = document.get("features") if isinstance(document, dict) else document
    if not isinstance(features, list):
        raise UnreadableFile("pas de liste « features » dans ce GeoJSON")
    rows, columns = [], []
    for feature in features:
        try:
            row = _feature_row(feature)
        except (RowError, RecursionError) as error:
            # Kept in its place, so that the rows after it keep their numbers.
            reason = str(error) if isinstance(error, RowError) else "valeur trop imbriquée"
            rows.append({"__error": reason})
            continue
        for key in row:
            if key not in columns and not key.startswith("__"):
                columns.append(key)
        rows.append(row)
    return columns, rows, france.crs_of_geojson(document)


def guess_mapping(columns: list[str], overrides: dict[str, str] | None = None) -> dict[str, str]:
    lowered = {c.lower(): c for c in columns}
    mapping = {}
    for name, candidates in KNOWN_COLUMNS.items():
        for candidate in candidates:
            if candidate in lowered:
                mapping[name] = lowered[candidate]
                break
    for name, column in (overrides or {}).items():
        if name not in FIELDS:
            raise UnreadableFile(f"champ inconnu dans --map : {name}")
        if column not in columns:
            raise UnreadableFile(f"colonne absente du fichier : {column}")
        mapping[name] = column
    return mapping


def row_hash(row: dict) -> str:
    payload = json.dumps({k: v for k, v in sorted(row.items()) if k != "row"}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


POSTCODE = re.compile(r"^\d{4,5}$")


def parse(
    data: bytes, fmt: str = "auto", filename: str = "", overrides: dict[str, str] | None = None
) -> ParseResult:
    """Rows ready to import (fields of FIELDS plus lat/lon floats), and the rows rejected."""
    if not data.strip():
        raise UnreadableFile("fichier vide")
    if fmt == "auto":
        fmt = detect_format(data, filename)
    text = decode(data)
    try:
        if fmt == "geojson":
            columns, raw_rows, crs = read_geojson(text)
        else:
            (columns, raw_rows), crs = read_csv(text), None
    except csv.Error as error:
        raise UnreadableFile(f"CSV illisible : {error}") from None
    mapping = guess_mapping(columns, overrides)
    if "name" not in mapping:
        raise UnreadableFile("aucune colonne de nom (utilisez --map name=COLONNE)")
    result = ParseResult(mapping=mapping, columns=columns)
    for number, raw in enumerate(raw_rows, start=1):
        if "__error" in raw:
            result.rejected.append({"row": number, "reason": raw["__error"]})
            continue
        try:
            row = {name: _clean(raw.get(column)) for name, column in mapping.items()}
        except (RowError, RecursionError):
            result.rejected.append({"row": number, "reason": "valeur trop imbriquée"})
            continue
        if not row.get("address"):
            # The national SCDL schema splits it: ADR_NUMERO and ADR_NOMVOIE.
            parts = {k.lower(): v for k, v in raw.items() if k}
            street = " ".join(
                _clean(parts.get(key)) for key in ("adr_numero", "adr_nomvoie") if parts.get(key)
            )
            if street:
                row["address"] = street
        row["row"] = number
        bad = next((name for name, value in row.items() if CONTROL.search(str(value))), None)
        if bad:
            result.rejected.append(
                {"row": number, "reason": f"caractère de contrôle (invisible) dans « {bad} »"}
            )
            continue
        if not row.get("name"):
            result.rejected.append({"row": number, "reason": "nom manquant"})
            continue
        x = _number(raw.get("__x", "")) if "__x" in raw else _number(row.get("lon", ""))
        y = _number(raw.get("__y", "")) if "__y" in raw else _number(row.get("lat", ""))
        if x is not None and y is not None:
            try:
                point = france.to_wgs84(x, y, crs)
            except france.UnknownCRS:  # the whole file declares it
                raise UnreadableFile(f"système de coordonnées inconnu : {crs}") from None
            # Metropolitan France and the overseas departments and regions.
            if point is None or not france.in_france(*point):
                result.rejected.append({"row": number, "reason": "coordonnées hors de France"})
                continue
            lat, lon = point
            row["lat"], row["lon"] = round(lat, 6), round(lon, 6)
        else:
            row["lat"] = row["lon"] = None
        postcode = row.get("postcode", "")
        if postcode and postcode.isdigit() and len(postcode) == 4:
            row["postcode"] = "0" + postcode  # a leading zero lost by a spreadsheet
        if not row.get("id"):
            row["id"] = "h-" + row_hash(row)
        result.rows.append(row)
    return result
