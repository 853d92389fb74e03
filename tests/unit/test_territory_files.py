"""A territory loaded from the files an authority gets, in every CRS France uses."""

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import undefer

from civic.core.catalogues import french_spacing as fr
from civic.territory.france import departement_of_insee, departements_of_postcode, to_wgs84
from civic.territory.models import Commune
from civic.territory.queries import commune_choices, total_population
from civic.territory.services import load_communes, read_communes
from civic.territory.sources import TerritoryFileError, read_postcodes
from tests.territory_files import admin_express, france_geojson, geo_api

# Three communes of the Eurométropole de Strasbourg (SIREN 246700488) and one of another EPCI.
STRASBOURG = [
    ("67482", "Strasbourg", 291313, "246700488", 7.75, 48.58),
    ("67447", "Schiltigheim", 34000, "246700488", 7.75, 48.62),
    ("67218", "Illkirch-Graffenstaden", 27000, "246700488", 7.74, 48.53),
    ("67180", "Haguenau", 35000, "200067999", 7.79, 48.82),
]


def commune(insee: str) -> Commune:
    return Commune.query.options(undefer(Commune.outline)).filter_by(insee=insee).one()


def test_admin_express_in_lambert93_filtered_by_epci(db, tmp_path):
    path = admin_express(tmp_path / "COMMUNE.geojson", STRASBOURG)
    rows = read_communes([path], epci="246700488")
    assert sorted(r["insee"] for r in rows) == ["67218", "67447", "67482"]
    result = load_communes(rows)
    # The Sicoval's 36 communes leave the territory: closed, still there.
    assert (result.created, result.closed) == (3, 36)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commune)) == 39
    assert [name for _, name in commune_choices()] == [
        "Illkirch-Graffenstaden",
        "Schiltigheim",
        "Strasbourg",
    ]
    assert total_population() == 291313 + 34000 + 27000
    strasbourg = commune("67482")
    # Lambert-93 metres turned into WGS84 degrees, at the right place.
    assert strasbourg.latitude == pytest.approx(48.58, abs=0.001)
    assert strasbourg.longitude == pytest.approx(7.75, abs=0.001)
    x, y = strasbourg.outline["coordinates"][0][0]
    assert 7.7 < x < 7.8 and 48.5 < y < 48.6
    assert (strasbourg.departement, strasbourg.epci, strasbourg.population_known) == (
        "67",
        "246700488",
        True,
    )
    labege = commune("31254")
    assert labege.closed_at is not None and labege.name == "Labège"


def test_loading_twice_changes_nothing_and_a_returning_commune_reopens(db, tmp_path):
    path = admin_express(tmp_path / "COMMUNE.geojson", STRASBOURG)
    load_communes(read_communes([path], epci="246700488"))
    again = load_communes(read_communes([path], epci="246700488"))
    assert (again.created, again.updated, again.unchanged, again.closed) == (0, 0, 3, 0)
    smaller = load_communes(read_communes([path], communes={"67482"}))
    assert (smaller.unchanged, smaller.closed) == (1, 2)
    back = load_communes(read_communes([path], epci="246700488"))
    assert (back.updated, back.unchanged, back.closed) == (2, 1, 0)
    assert commune("67447").closed_at is None


def test_geo_api_gouv_fr_file(db, tmp_path):
    path = geo_api(tmp_path / "communes.geojson", STRASBOURG)
    rows = read_communes([path], communes={"67482", "67180"})
    assert {r["insee"]: r["epci"] for r in rows} == {"67482": "246700488", "67180": "200067999"}
    load_communes(rows)
    haguenau = commune("67180")
    assert haguenau.population == 35000 and haguenau.latitude == pytest.approx(48.82, abs=0.001)


def test_france_geojson_department_file_has_no_population(db, tmp_path):
    path = france_geojson(
        tmp_path / "communes-67-bas-rhin.geojson",
        [(insee, name, lon, lat) for insee, name, _p, _e, lon, lat in STRASBOURG],
    )
    load_communes(read_communes([path], departement="67"))
    strasbourg = commune("67482")
    assert strasbourg.population_known is False and strasbourg.population == 0


def test_overseas_territories_in_their_own_crs(db, tmp_path):
    # Guadeloupe in RGAF09 / UTM 20N, La Réunion in RGR92 / UTM 40S.
    antilles = admin_express(
        tmp_path / "guadeloupe.geojson",
        [("97105", "Basse-Terre", 9800, "249710047", -61.73, 16.0)],
        crs="EPSG:5490",
    )
    reunion = admin_express(
        tmp_path / "reunion.geojson",
        [("97416", "Saint-Pierre", 84000, "249740101", 55.48, -21.34)],
        crs="EPSG:2975",
    )
    load_communes(read_communes([antilles, reunion]))
    basse_terre, saint_pierre = commune("97105"), commune("97416")
    assert basse_terre.latitude == pytest.approx(16.0, abs=0.001)
    assert basse_terre.longitude == pytest.approx(-61.73, abs=0.001)
    assert saint_pierre.latitude == pytest.approx(-21.34, abs=0.001)
    assert (basse_terre.departement, saint_pierre.departement) == ("971", "974")


def test_merged_files_take_each_field_from_the_first_that_gives_it(tmp_path):
    outlines = france_geojson(tmp_path / "a.geojson", [("67482", "Strasbourg", 7.75, 48.58)])
    figures = geo_api(tmp_path / "b.geojson", [STRASBOURG[0]])
    (row,) = read_communes([outlines, figures])
    assert row["population"] == 291313 and row["population_known"] is True


def test_postcodes_from_codes_postaux_json_and_la_poste_csv(tmp_path):
    as_json = tmp_path / "codes-postaux.json"
    as_json.write_text(
        json.dumps(
            [
                {"codePostal": "67000", "codeCommune": "67482", "nomCommune": "Strasbourg"},
                {"codePostal": "67100", "codeCommune": "67482", "nomCommune": "Strasbourg"},
                {"codePostal": "67300", "codeCommune": "67447", "nomCommune": "Schiltigheim"},
            ]
        )
    )
    assert read_postcodes(as_json) == {"67482": "67000", "67447": "67300"}
    la_poste = tmp_path / "laposte_hexasmal.csv"
    la_poste.write_text(
        "#Code_commune_INSEE;Nom_de_la_commune;Code_postal;Libellé_d_acheminement;Ligne_5\n"
        "01001;L ABERGEMENT CLEMENCIAT;1400;L ABERGEMENT CLEMENCIAT;\n",
        encoding="utf-8",
    )
    assert read_postcodes(la_poste) == {"01001": "01400"}  # the zero a spreadsheet dropped
    (tmp_path / "bad.csv").write_text("a;b\n1;2\n")
    with pytest.raises(TerritoryFileError):
        read_postcodes(tmp_path / "bad.csv")


def test_cli_loads_a_file_with_its_postcodes_and_says_what_is_unknown(app, db, tmp_path):
    path = france_geojson(tmp_path / "communes.geojson", [("67482", "Strasbourg", 7.75, 48.58)])
    codes = tmp_path / "codes.csv"
    codes.write_text("insee,code_postal\n67482,67000\n")
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["civic", "territory", "load", str(path), "--postcodes", str(codes), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "closed": 36,
        "population_unknown": 1,
        "without_postcode": 0,
    }
    assert commune("67482").postcode == "67000"
    text = runner.invoke(args=["civic", "territory", "load", str(path)]).output
    assert "Population inconnue pour 1 commune (" in text
    assert fr("Sans code postal : 1") in text


def test_cli_refuses_a_filter_that_keeps_nothing_and_a_broken_file(app, db, tmp_path):
    path = geo_api(tmp_path / "communes.geojson", STRASBOURG)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["civic", "territory", "load", str(path), "--epci", "999"])
    assert result.exit_code != 0 and "rien n'est chargé" in result.output
    assert commune("31254").closed_at is None  # the territory is untouched
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [{"properties": {"x": 1}}]}')
    result = runner.invoke(args=["civic", "territory", "load", str(broken)])
    assert result.exit_code != 0 and "code INSEE ou nom de commune manquant" in result.output


def test_the_default_is_still_the_demo_territory(db):
    result = load_communes()
    assert (result.created, result.updated, result.unchanged, result.closed) == (0, 0, 36, 0)
    assert commune("31254").epci == "243100633"


def test_departments_from_insee_codes_and_postcodes():
    assert departement_of_insee("31254") == "31"
    assert departement_of_insee("2a004") == "2A"
    assert departement_of_insee("97416") == "974"
    assert departement_of_insee("3125") == ""
    assert departements_of_postcode("20000") == {"2A"}
    assert departements_of_postcode("20200") == {"2B"}
    assert departements_of_postcode("97410") == {"974"}


def test_projected_points_without_a_declared_crs_are_placed_in_france():
    lat, lon = to_wgs84(582687.27, 6267845.54)  # Lambert-93
    assert (round(lat, 2), round(lon, 2)) == (43.5, 1.55)
    lat, lon = to_wgs84(341327.08, 7640558.92)  # RGR92 / UTM 40S
    assert (round(lat, 2), round(lon, 2)) == (-21.33, 55.47)
    assert to_wgs84(10.0, 10.0) == (10.0, 10.0)  # degrees stay degrees
    assert to_wgs84(9_000_000.0, 9_000_000.0) is None


def test_cli_reads_the_deployment_territory_from_settings(app, db, tmp_path, monkeypatch):
    path = geo_api(tmp_path / "communes.geojson", STRASBOURG)
    codes = tmp_path / "codes.csv"
    codes.write_text("insee;code_postal\n67482;67000\n")
    for key, value in {
        "CIVIC_TERRITORY_FILES": str(path),
        "CIVIC_TERRITORY_EPCI": "246700488",
        "CIVIC_TERRITORY_POSTCODES": str(codes),
    }.items():
        monkeypatch.setitem(app.config, key, value)
    result = app.test_cli_runner().invoke(args=["civic", "territory", "load", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["created"] == 3
    assert commune("67482").postcode == "67000"
