"""Rows of national open-data files placed in the territory or counted outside it."""

import json

import pytest
import sqlalchemy as sa
from pyproj import Transformer

from civic.core.catalogues import french_spacing as fr
from civic.ratings import importer, services
from civic.ratings.models import Service, ServiceImport
from civic.territory.models import Commune
from civic.territory.placing import Locator, inside, name_key
from civic.territory.services import load_communes, read_communes
from tests.territory_files import admin_express


def commune_id(insee: str) -> int:
    return sa.select(Commune.id).where(Commune.insee == insee).scalar_subquery()


def test_placed_by_insee_then_point_then_name_within_the_department(db):
    locator = Locator()
    labege = locator.by_insee["31254"]
    assert locator.place(insee="31254_0001_00012").commune is labege  # BAN key
    assert locator.place(insee="75056", name="Labège").outside  # the code wins over the name
    assert locator.place(insee="ABCDE").reason == "code INSEE illisible : ABCDE"
    assert locator.place(lat=43.5412, lon=1.5310).commune is labege
    assert locator.place(lat=43.6008, lon=1.4466, name="Labège").outside  # Toulouse's centre
    assert locator.place(name="LABEGE", postcode="31670").commune is labege
    # Same name, another department: Labège has no namesake, Mauvezin has three.
    assert locator.place(name="Labège", postcode="32120").outside
    assert locator.place(name="Ramonville-Saint-Agne", postcode="31520").placed
    assert locator.place(name="RAMONVILLE ST AGNE", departement="31").placed
    assert locator.place(name="Labège").commune is labege  # no department: the territory's
    assert locator.place().reason.startswith("lieu inconnu")


def test_a_commune_closed_by_a_reload_places_nothing(db, tmp_path):
    rows = [r for r in read_communes() if r["insee"] != "31254"]
    load_communes(rows)
    assert Locator().place(insee="31254").outside


def test_a_hole_in_an_outline_is_not_inside():
    square = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    hole = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
    geometry = {"type": "Polygon", "coordinates": [square, hole]}
    assert inside(2, 2, geometry) and not inside(5, 5, geometry)
    assert name_key("Sainte-Foy-d'Aigrefeuille") == name_key("STE FOY D AIGREFEUILLE")


def test_a_national_file_imports_the_territory_and_counts_the_rest_apart(app, db, tmp_path):
    """A 'Musées de France'-like file: rows in the territory, in the rest of France and
    overseas (in their own UTM coordinates), and real errors."""
    to_utm20 = Transformer.from_crs("EPSG:4326", "EPSG:5490", always_xy=True)
    x, y = to_utm20.transform(-61.73, 16.0)
    features = [
        {"properties": {"nom": "Musée de Labège", "code_insee": "31254"}},
        {"properties": {"nom": "Musée Saint-Raymond", "code_insee": "31555"}},
        {"properties": {"nom": "Musée de Mauvezin", "commune": "Mauvezin", "cp": "32120"}},
        {
            "properties": {"nom": "Musée du Fort Delgrès"},
            "geometry": {"type": "Point", "coordinates": [x, y]},
        },
        {"properties": {"nom": "Musée de Villeret"}, "geometry": None},
        {"properties": {"nom": ""}},
        {
            "properties": {"nom": "Musée du Prado"},
            "geometry": {"type": "Point", "coordinates": [-3.69, 40.41]},
        },
    ]
    path = tmp_path / "musees.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["civic", "ratings", "import", str(path), "--source", "musees", "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert (payload["created"], payload["outside"]) == (1, 3)
    assert payload["rejected"] == [
        {"row": 6, "reason": "nom manquant"},
        {"row": 7, "reason": "coordonnées hors de France"},
        {"row": 5, "reason": "lieu inconnu : ni code INSEE, ni coordonnées, ni commune"},
    ]
    run = db.session.scalar(sa.select(ServiceImport).where(ServiceImport.source == "musees"))
    assert (run.created, run.outside, run.rejected) == (1, 3, 3)
    text = runner.invoke(args=["civic", "ratings", "import", str(path), "--source", "musees"])
    assert fr("hors territoire : 3 ; lignes refusées : 3.") in text.output


def test_an_overseas_territory_imports_its_own_rows(db, tmp_path):
    """Guadeloupe as the territory, its services in RGAF09 / UTM 20N without a declared CRS."""
    path = admin_express(
        tmp_path / "guadeloupe.geojson",
        [
            ("97105", "Basse-Terre", 9800, "249710047", -61.73, 16.0),
            ("97118", "Petit-Bourg", 24000, "249710062", -61.59, 16.19),
        ],
        crs="EPSG:5490",
    )
    load_communes(read_communes([path]))
    to_utm20 = Transformer.from_crs("EPSG:4326", "EPSG:5490", always_xy=True)
    rows = ["nom;x;y"]
    for name, lon, lat in (
        ("Médiathèque", -61.73, 16.0),
        ("Piscine", -61.59, 16.19),
        ("Marché de Fort-de-France", -61.07, 14.6),  # Martinique: France, not here
    ):
        x, y = to_utm20.transform(lon, lat)
        rows.append(f"{name};{x:.1f};{y:.1f}")
    parsed = importer.parse("\n".join(rows).encode(), overrides={"lon": "x", "lat": "y"})
    report = services.import_services(None, "karu", parsed)
    assert (report.created, report.outside, report.rejected) == (2, 1, [])
    placed = dict(db.session.execute(sa.select(Service.name, Service.commune_id)).all())
    assert placed["Piscine"] == db.session.scalar(sa.select(commune_id("97118")))


def test_a_services_file_in_its_declared_crs(tmp_path):
    to_rgr92 = Transformer.from_crs("EPSG:4326", "EPSG:2975", always_xy=True)
    x, y = to_rgr92.transform(55.48, -21.34)
    document = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2975"}},
        "features": [
            {
                "type": "Feature",
                "properties": {"nom": "Médiathèque de Saint-Pierre"},
                "geometry": {"type": "Point", "coordinates": [x, y]},
            }
        ],
    }
    (row,) = importer.parse(json.dumps(document).encode(), filename="x.geojson").rows
    assert (round(row["lat"], 3), round(row["lon"], 3)) == (-21.34, 55.48)
    document["crs"]["properties"]["name"] = "urn:ogc:def:crs:EPSG::999999"
    with pytest.raises(importer.UnreadableFile, match="système de coordonnées inconnu"):
        importer.parse(json.dumps(document).encode(), filename="x.geojson")
