"""Small territory files in each format an authority gets, generated for the tests: square
communes around real places, written in the CRS the format uses."""

import json
from pathlib import Path

from pyproj import Transformer


def square(lon: float, lat: float, crs: str = "EPSG:4326", half: float = 0.02) -> dict:
    corners = [
        (lon - half, lat - half),
        (lon + half, lat - half),
        (lon + half, lat + half),
        (lon - half, lat + half),
        (lon - half, lat - half),
    ]
    if crs != "EPSG:4326":
        to = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        corners = [to.transform(x, y) for x, y in corners]
    return {"type": "Polygon", "coordinates": [[list(p) for p in corners]]}


def write(path: Path, features: list[dict], crs: str | None = None) -> Path:
    document = {"type": "FeatureCollection", "features": features}
    if crs:
        document["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:{crs}"}}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def admin_express(path: Path, communes: list[tuple], crs: str = "EPSG:2154") -> Path:
    """(insee, name, population, siren_epci, lon, lat) -> IGN Admin Express properties."""
    features = [
        {
            "type": "Feature",
            "properties": {
                "ID": f"COMMUNE_{insee}",
                "NOM": name,
                "NOM_M": name.upper(),
                "INSEE_COM": insee,
                "STATUT": "Commune simple",
                "POPULATION": population,
                "SIREN_EPCI": epci,
            },
            "geometry": square(lon, lat, crs),
        }
        for insee, name, population, epci, lon, lat in communes
    ]
    return write(path, features, crs.replace("EPSG:", "EPSG::"))


def geo_api(path: Path, communes: list[tuple]) -> Path:
    """(insee, name, population, code_epci, lon, lat) -> geo.api.gouv.fr's GeoJSON."""
    features = [
        {
            "type": "Feature",
            "properties": {"code": insee, "nom": name, "population": population, "codeEpci": epci},
            "geometry": square(lon, lat),
        }
        for insee, name, population, epci, lon, lat in communes
    ]
    return write(path, features)


def france_geojson(path: Path, communes: list[tuple]) -> Path:
    """(insee, name, lon, lat) -> a france-geojson department file: code and nom only."""
    features = [
        {
            "type": "Feature",
            "properties": {"code": insee, "nom": name},
            "geometry": square(lon, lat),
        }
        for insee, name, lon, lat in communes
    ]
    return write(path, features)
