"""France as the places in it are written: departments from INSEE codes and postcodes, the
bounding boxes of metropolitan France and of the overseas departments, and their projections.
Pure functions, no database: importers use them to tell a row outside the territory (still in
France) from a row whose coordinates are wrong."""

import re
from functools import cache

# (south, north, west, east) in WGS84 degrees, with the projected CRS an authority's files
# use there (IGN Admin Express publishes each in its own).
AREAS = {
    "metropole": ((41.0, 51.6, -5.6, 10.0), "EPSG:2154"),  # Lambert-93
    "971": ((15.8, 16.6, -61.9, -60.9), "EPSG:5490"),  # Guadeloupe, RGAF09 / UTM 20N
    "972": ((14.3, 14.95, -61.3, -60.75), "EPSG:5490"),  # Martinique, RGAF09 / UTM 20N
    "973": ((2.1, 5.85, -54.65, -51.5), "EPSG:2972"),  # Guyane, RGFG95 / UTM 22N
    "974": ((-21.45, -20.8, 55.15, 55.9), "EPSG:2975"),  # La Réunion, RGR92 / UTM 40S
    "975": ((46.7, 47.2, -56.55, -56.1), "EPSG:4467"),  # Saint-Pierre-et-Miquelon, UTM 21N
    "976": ((-13.1, -12.55, 44.9, 45.35), "EPSG:4471"),  # Mayotte, RGM04 / UTM 38S
    "977": ((17.85, 18.15, -63.2, -62.75), "EPSG:5490"),  # Saint-Barthélemy, Saint-Martin
}

INSEE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")


def departement_of_insee(insee: str) -> str:
    """ "31" for 31254, "2A" for 2A004, "974" for 97416; "" for what is no INSEE code."""
    insee = (insee or "").strip().upper()
    if not INSEE.match(insee):
        return ""
    return insee[:3] if insee.startswith("97") else insee[:2]


def departements_of_postcode(postcode: str) -> frozenset[str]:
    """The departments a postcode may lie in: Corsica's 20xxx are 2A or 2B, and a few
    postcodes cross a department border, so callers match against a set."""
    postcode = (postcode or "").strip()
    if not re.fullmatch(r"\d{5}", postcode):
        return frozenset()
    if postcode.startswith("97"):
        return frozenset({postcode[:3]})
    if postcode.startswith("20"):
        return frozenset({"2A"}) if postcode[2] in "01" else frozenset({"2B"})
    return frozenset({postcode[:2]})


def area_of(lat: float, lon: float) -> str | None:
    for name, ((south, north, west, east), _crs) in AREAS.items():
        if south <= lat <= north and west <= lon <= east:
            return name
    return None


def in_france(lat: float, lon: float) -> bool:
    return area_of(lat, lon) is not None


class UnknownCRS(ValueError):
    """A CRS that pyproj does not know: the whole file is unreadable."""


@cache
def transformer(crs: str):
    from pyproj import Transformer
    from pyproj.exceptions import CRSError

    try:
        return Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    except CRSError:
        raise UnknownCRS(crs) from None


def is_wgs84(crs: str | None) -> bool:
    return not crs or crs.upper() in ("EPSG:4326", "OGC:CRS84", "CRS84")


def crs_of_geojson(document: dict) -> str | None:
    """The CRS a GeoJSON file declares (GDAL writes "urn:ogc:def:crs:EPSG::2154"), as
    "EPSG:2154"; None when it declares none (then RFC 7946: WGS84)."""
    crs = document.get("crs") if isinstance(document, dict) else None
    name = ((crs or {}).get("properties") or {}).get("name") if isinstance(crs, dict) else None
    if not isinstance(name, str):
        return None
    if name.upper().endswith("CRS84"):
        return "OGC:CRS84"
    match = re.search(r"EPSG:+(?:[\d.]*:)?(\d{4,6})$", name, re.IGNORECASE)
    return f"EPSG:{match.group(1)}" if match else name


def to_wgs84(x: float, y: float, crs: str | None = None) -> tuple[float, float] | None:
    """(lat, lon) of a point. Without a declared CRS, degrees are taken as WGS84 and metres
    are tried in each French projection in turn: the one that lands in its own area wins
    (Lambert-93 first). None when no projection places the point in France."""
    if crs and not is_wgs84(crs):
        lon, lat = transformer(crs).transform(x, y)
        return lat, lon
    if abs(x) <= 180 and abs(y) <= 90:
        return y, x
    for projection in dict.fromkeys(crs for _box, crs in AREAS.values()):
        lon, lat = transformer(projection).transform(x, y)
        area = area_of(lat, lon)
        if area is not None and AREAS[area][1] == projection:
            return lat, lon
    return None
