"""The importer on every trait of real French open-data exports, with files built here."""

import json

import pytest
import sqlalchemy as sa

from civic.core.catalogues import french_spacing as fr
from civic.ratings import importer, services
from civic.ratings.models import Service

SCDL_HEADER = (
    "COLL_NOM;COLL_SIRET;EQUIP_UID;EQUIP_THEME;EQUIP_CODE;EQUIP_TYPE;EQUIP_NOM;"
    "ADR_NUMERO;ADR_NOMVOIE;ADR_CODEPOSTAL;ADR_COMMUNE;ADR_CLE_INTEROP;ERP_ID;"
    "ERP_TYPE;ERP_CATEGORIE;EQUIP_LAT;EQUIP_LONG;EQUIP_OUVERTURE;EQUIP_TEL;"
    "EQUIP_EMAIL;EQUIP_WEB"
)


def scdl_row(uid, name, commune, lat, lon, postcode="31670", insee="31254", kind="Piscine"):
    return (
        f"Sicoval;24310063300000;{uid};Sport;P1;{kind};{name};12;rue du Lac;{postcode};"
        f"{commune};{insee}_0001_00012;;;;{lat};{lon};Mo-Fr 10:00-19:00;05 61 00 00 00;"
        f"piscine@sicoval.fr;https://www.sicoval.fr"
    )


def scdl_file(rows: list[str], bom=True, crlf=True) -> bytes:
    text = ("\r\n" if crlf else "\n").join([SCDL_HEADER, *rows]) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def test_scdl_csv_with_bom_crlf_semicolons_and_decimal_commas():
    data = scdl_file([scdl_row("P-1", "Piscine de Labège", "Labège", "43,5412", "1,5310")])
    result = importer.parse(data)
    assert result.rejected == []
    (row,) = result.rows
    assert (row["id"], row["name"], row["type"]) == ("P-1", "Piscine de Labège", "Piscine")
    assert (row["lat"], row["lon"]) == (43.5412, 1.531)
    assert row["postcode"] == "31670" and row["insee"].startswith("31254")
    assert row["hours"] == "Mo-Fr 10:00-19:00" and row["email"] == "piscine@sicoval.fr"
    assert result.mapping["name"] == "EQUIP_NOM"
    assert row["address"] == "12 rue du Lac"  # SCDL's ADR_NUMERO and ADR_NOMVOIE, joined


def test_comma_separated_without_bom_and_leading_zero_postcodes():
    data = (
        "nom,type,commune,code_postal,latitude,longitude\n"
        "Médiathèque,Médiathèque,Ramonville-Saint-Agne,1500,43.545,1.476\n"
        "Accueil,Mairie,Ramonville-Saint-Agne,01500,43.546,1.477\n"
    ).encode()
    result = importer.parse(data)
    assert [r["postcode"] for r in result.rows] == ["01500", "01500"]
    assert result.rows[0]["id"].startswith("h-")  # no id column: a stable hash of the row
    again = importer.parse(data)
    assert [r["id"] for r in again.rows] == [r["id"] for r in result.rows]


def test_lambert93_coordinates_are_reprojected():
    data = "nom;x;y\nDéchèterie;574000;6270000\n".encode()
    (row,) = importer.parse(data, overrides={"lon": "x", "lat": "y"}).rows
    assert abs(row["lat"] - 43.5179) < 0.001 and abs(row["lon"] - 1.4421) < 0.001


def test_rows_without_name_or_outside_france_are_rejected_the_rest_imported():
    # Madrid is not in France; La Réunion is.
    data = (
        "nom;latitude;longitude\n;43.5;1.5\nCrèche;40.42;-3.70\nCrèche du lac;43.55;1.53\n"
        "Crèche de Saint-Pierre;-21.34;55.48\n"
    ).encode()
    result = importer.parse(data)
    assert [r["name"] for r in result.rows] == ["Crèche du lac", "Crèche de Saint-Pierre"]
    assert result.rejected == [
        {"row": 1, "reason": "nom manquant"},
        {"row": 2, "reason": "coordonnées hors de France"},
    ]


def feature(props, geometry=None):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def test_opendatasoft_geojson_traits():
    document = {
        "type": "FeatureCollection",
        "features": [
            feature(
                {
                    "nom": "Piscine A",
                    "geo_point_2d": {"lon": 1.53, "lat": 43.54},
                    "type": '["Piscine"]',
                    "accessible": "T",
                }
            ),
            feature(
                {"nom": "Piscine B", "geo_point_2d": [43.55, 1.52], "type": '["Piscine", "Sport"]'}
            ),
            feature({"nom": "Piscine C"}, {"type": "MultiPoint", "coordinates": [[1.51, 43.53]]}),
            feature({"nom": "Piscine D"}, {"type": "Point", "coordinates": [1.50, 43.52]}),
        ],
    }
    result = importer.parse(json.dumps(document).encode(), filename="equipements.geojson")
    coords = [(r["lat"], r["lon"]) for r in result.rows]
    assert coords == [(43.54, 1.53), (43.55, 1.52), (43.53, 1.51), (43.52, 1.5)]
    assert [r["type"] for r in result.rows[:2]] == ["Piscine", "Piscine, Sport"]


def test_map_overrides_and_unreadable_files():
    data = "Libellé du lieu;Genre\nCentre social;Social\n".encode()
    with pytest.raises(importer.UnreadableFile, match="nom"):
        importer.parse(data)
    (row,) = importer.parse(data, overrides={"name": "Libellé du lieu", "type": "Genre"}).rows
    assert row["name"] == "Centre social" and row["type"] == "Social"
    for broken in (b"", b"{not json", b"\x00\x01\x02"):
        with pytest.raises(importer.UnreadableFile):
            importer.parse(broken, filename="x.geojson" if broken.startswith(b"{") else "x.csv")
    with pytest.raises(importer.UnreadableFile, match="colonne absente"):
        importer.parse(data, overrides={"name": "Nope"})


def test_import_is_idempotent_and_closes_what_disappeared(db, app):
    rows = [
        scdl_row("P-1", "Piscine de Labège", "Labège", "43,54", "1,53"),
        scdl_row("P-2", "Piscine d'Escalquens", "Escalquens", "43,52", "1,55", insee="31169"),
        scdl_row("P-3", "Piscine de Paris", "Paris", "48,85", "2,35", insee="75056"),
    ]
    report = services.import_services(None, "sicoval", importer.parse(scdl_file(rows)))
    assert (report.created, report.updated, report.unchanged, report.outside) == (2, 0, 0, 1)
    assert report.rejected == []  # Paris is outside the territory, not an error
    again = services.import_services(None, "sicoval", importer.parse(scdl_file(rows)))
    assert (again.created, again.updated, again.unchanged, again.closed) == (0, 0, 2, 0)
    renamed = [rows[0].replace("Piscine de Labège", "Centre aquatique de Labège")]
    third = services.import_services(None, "sicoval", importer.parse(scdl_file(renamed)))
    assert (third.created, third.updated, third.unchanged, third.closed) == (0, 1, 0, 1)
    closed = db.session.scalar(sa.select(Service).where(Service.source_id == "P-2"))
    assert closed.closed_at is not None  # kept, with its ratings
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Service)) == 2


def test_commune_found_by_name_or_by_the_point(db):
    data = (
        "nom;commune;latitude;longitude\n"
        "Médiathèque;ramonville saint agne;43.545;1.476\n"
        "Sans commune;;43.5412;1.5310\n"
        "Ailleurs;Toulouse;43.6;1.44\n"
    ).encode()
    report = services.import_services(None, "test", importer.parse(data))
    assert report.created == 2
    assert report.rejected == [] and report.outside == 1  # Toulouse
    names = dict(db.session.execute(sa.select(Service.name, Service.commune_id)).all())
    from civic.territory.models import Commune

    labege = db.session.scalar(sa.select(Commune.id).where(Commune.insee == "31254"))
    assert names["Sans commune"] == labege


def test_cli_contract(app, tmp_path, db):
    path = tmp_path / "equipements.csv"
    path.write_bytes(
        scdl_file(
            [
                scdl_row("P-9", "Piscine", "Labège", "43,54", "1,53"),
                scdl_row("P-10", "", "Labège", "43,54", "1,53"),
            ]
        )
    )
    runner = app.test_cli_runner()
    dry = runner.invoke(
        args=["civic", "ratings", "import", str(path), "--source", "cli", "--dry-run"]
    )
    assert dry.exit_code == 0
    assert dry.output.splitlines() == [
        fr(
            "Services créés : 1 ; mis à jour : 0 ; inchangés : 0 ; hors territoire : 0 ; "
            "lignes refusées : 1."
        ),
        fr("  ligne 2 : nom manquant"),
        fr("Essai (--dry-run) : rien n'a été enregistré."),
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Service)) == 0
    result = runner.invoke(
        args=["civic", "ratings", "import", str(path), "--source", "cli", "--json"]
    )
    payload = json.loads(result.output)
    assert payload["created"] == 1 and payload["rejected"] == [{"row": 2, "reason": "nom manquant"}]
    assert payload["outside"] == 0
    again = runner.invoke(args=["civic", "ratings", "import", str(path), "--source", "cli"])
    assert again.output.splitlines()[0] == (
        fr(
            "Services créés : 0 ; mis à jour : 0 ; inchangés : 1 ; hors territoire : 0 ; "
            "lignes refusées : 1."
        )
    )
    broken = tmp_path / "broken.geojson"
    broken.write_text("{oops")
    failed = runner.invoke(args=["civic", "ratings", "import", str(broken), "--source", "cli"])
    assert failed.exit_code != 0 and "rien n'est importé" in failed.output
    bad_map = runner.invoke(
        args=["civic", "ratings", "import", str(path), "--source", "cli", "--map", "name"]
    )
    assert bad_map.exit_code != 0 and "--map" in bad_map.output
    unknown_field = runner.invoke(
        args=["civic", "ratings", "import", str(path), "--source", "cli", "--map", "foo=bar"]
    )
    assert unknown_field.exit_code != 0
    assert fr("Valeur invalide pour --map : champ inconnu « foo »") in unknown_field.output
    assert "illisible" not in unknown_field.output
