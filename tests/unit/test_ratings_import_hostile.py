"""The importer on hostile files: every problem of a row is a row error, never an exception;
what makes the whole file unreadable is an UnreadableFile with a reason, never a crash."""

import json
import os
import time
from io import BytesIO

import pytest
import sqlalchemy as sa

from civic.ratings import importer, services
from civic.ratings.models import Service
from tests.conftest import log_in


def geojson(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def feature(name="Piscine", **properties) -> dict:
    return {
        "type": "Feature",
        "properties": {"nom": name, "commune": "Labège", **properties},
        "geometry": None,
    }


GOOD = feature(geo_point_2d={"lon": 1.53, "lat": 43.54})


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (feature(geo_point_2d={"lon": "est", "lat": 43.5}), "coordonnées illisibles"),
        (feature(geo_point_2d={"lon": 1.5}), "coordonnées illisibles"),
        (feature(geo_point_2d=[None, {}]), "coordonnées illisibles"),
        (feature(geo_point_2d="43.5,1.5"), "coordonnées illisibles"),
        (feature(geo_point_2d={"lon": True, "lat": 43.5}), "coordonnées illisibles"),
        ({"type": "Feature", "properties": {"nom": "x"}, "geometry": "Point"}, "géométrie"),
        (
            {"properties": {"nom": "x"}, "geometry": {"type": "Point", "coordinates": ["a", 1]}},
            "coordonnées illisibles",
        ),
        ({"properties": {"nom": "x"}, "geometry": {"type": "Point", "coordinates": 5}}, "géo"),
        ("une chaîne", "pas un objet"),
        (42, "pas un objet"),
        ([1, 2], "pas un objet"),
        (None, "pas un objet"),
        ({"properties": ["nom", "x"]}, "propriétés illisibles"),
        (feature(type=[[[[[[["profond"]]]]]]]), "trop imbriquée"),
        (feature(name="Pis\x00cine"), "caractère de contrôle"),
    ],
)
def test_a_bad_feature_is_a_row_error_and_the_others_are_read(bad, reason):
    result = importer.parse(geojson(GOOD, bad, GOOD))
    assert [r["row"] for r in result.rows] == [1, 3]
    (rejected,) = result.rejected
    assert rejected["row"] == 2 and reason in rejected["reason"]


def test_deeply_nested_json_is_an_unreadable_file_not_a_recursion_error():
    deep = b'{"features": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(importer.UnreadableFile, match="imbriqué"):
        importer.parse(deep, filename="x.geojson")
    nested_cell = "nom;type\nPiscine;" + "[" * 5000 + "]" * 5000 + "\n"
    result = importer.parse(nested_cell.encode())
    assert len(result.rows) + len(result.rejected) == 1


def test_nul_and_control_characters_in_csv_are_row_errors():
    data = "nom;commune\nPiscine;Labège\nPis\x00cine;Labège\nBib\x07;Labège\n".encode()
    result = importer.parse(data)
    assert [r["name"] for r in result.rows] == ["Piscine"]
    assert [r["row"] for r in result.rejected] == [2, 3]


def test_values_longer_than_their_column_are_row_errors(db):
    data = (
        "nom;commune;latitude;longitude;id\n"
        f"{'P' * 300};Labège;43,54;1,53;a\n"
        f"Piscine;Labège;43,54;1,53;{'i' * 121}\n"
        f"Piscine;Labège;43,54;1,53;b;\n"
    ).encode()
    report = services.import_services(None, "test", importer.parse(data))
    assert report.created == 1
    assert [r["row"] for r in report.rejected] == [1, 2]
    assert "name" in report.rejected[0]["reason"] and "200" in report.rejected[0]["reason"]
    assert "id" in report.rejected[1]["reason"]
    db.session.flush()  # and nothing too long reached the session


def test_a_source_name_too_long_or_with_nul_is_refused_with_a_message(db):
    parsed = importer.parse(b"nom;commune\nPiscine;Labege\n")
    for source in ("s" * 81, "sicoval\x00"):
        with pytest.raises(services.RatingError, match="source"):
            services.import_services(None, source, parsed)
    # A long file name only describes the file: it is shortened.
    services.import_services(None, "ok", parsed, filename="f" * 300 + ".csv")
    db.session.flush()


@pytest.mark.parametrize(
    "content",
    [
        geojson(GOOD, feature(geo_point_2d={"lon": "est", "lat": 1})),
        geojson(GOOD, "pas un objet", [1]),
        geojson(GOOD, feature(name="N" * 300)),
        geojson(GOOD, feature(name="Pis\x00cine")),
        "nom;commune\nPis\x00cine;Labège\nPiscine;Labège\n".encode(),
        b'{"features": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    ],
)
def test_the_command_reports_rows_without_a_stack_trace(app, tmp_path, db, content):
    suffix = ".csv" if content.startswith(b"nom") else ".geojson"
    path = tmp_path / f"services{suffix}"
    path.write_bytes(content)
    result = app.test_cli_runner().invoke(
        args=["civic", "ratings", "import", str(path), "--source", "cli", "--dry-run"]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1)


def test_refused_and_abandoned_uploads_are_removed(app, client, make_user, db):
    from civic.core.uploads import upload_dir

    log_in(client, make_user("agent"))
    with app.test_request_context():
        folder = upload_dir()

    def pending():
        return sorted(p.name for p in folder.glob("import-*.bin"))

    for path in folder.glob("import-*.bin"):
        path.unlink()
    refused = client.post(
        "/gestion/services/import",
        data={"source": "x", "format": "geojson", "file": (BytesIO(b"{oops"), "x.geojson")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422 and pending() == []
    previewed = client.post(
        "/gestion/services/import",
        data={
            "source": "x",
            "format": "auto",
            "file": (BytesIO("nom;commune\nPiscine;Labège\n".encode()), "x.csv"),
        },
        content_type="multipart/form-data",
    )
    assert previewed.status_code == 200 and len(pending()) == 1
    # Abandoned: an hour and more later, the next visit of the import page removes it.
    (stale,) = folder.glob("import-*.bin")
    old = time.time() - 3601
    os.utime(stale, (old, old))
    assert client.get("/gestion/services/import").status_code == 200
    assert pending() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Service)) == 0
