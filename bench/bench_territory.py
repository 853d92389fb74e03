"""Benchmark of the territory from official files (issue 23): loading a whole department from
an IGN Admin Express-like GeoJSON in Lambert-93, then importing a national open-data file
whose rows fall inside the territory, elsewhere in France (overseas included) or nowhere.

Run: .venv/bin/python bench/bench_territory.py [--communes 586] [--vertices 400]
     [--rows 20000] [--database-url URL]

The data are synthetic, since no IGN file ships here: a department of `--communes` communes
(Haute-Garonne has 586) laid out as a grid of irregular polygons of `--vertices` vertices each
around Toulouse, written in Lambert-93 metres as Admin Express publishes them; and a file of
`--rows` services: a third in the department, a third elsewhere in metropolitan France, a
sixth overseas in UTM 20N metres, and the rest without any location.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def department(path: Path, communes: int, vertices: int, rng: random.Random) -> Path:
    from pyproj import Transformer

    to_l93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    side = math.ceil(math.sqrt(communes))
    west, south, width, height = 0.45, 42.7, 1.5, 1.2  # around Toulouse
    cell_w, cell_h = width / side, height / side
    features = []
    for n in range(communes):
        i, j = divmod(n, side)
        cx, cy = west + (j + 0.5) * cell_w, south + (i + 0.5) * cell_h
        lons, lats = [], []
        for k in range(vertices):
            angle = 2 * math.pi * k / vertices
            r = 0.42 * rng.uniform(0.85, 1.0)
            lons.append(cx + r * cell_w * math.cos(angle))
            lats.append(cy + r * cell_h * math.sin(angle))
        xs, ys = to_l93.transform(lons, lats)
        ring = [[round(x, 1), round(y, 1)] for x, y in zip(xs, ys, strict=True)]
        ring.append(ring[0])
        insee = f"31{n + 1:03d}"
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "ID": f"COMMUNE_{insee}",
                    "NOM": f"Commune {n + 1}",
                    "INSEE_COM": insee,
                    "POPULATION": rng.randint(80, 40000),
                    "SIREN_EPCI": f"2431{n % 20:05d}",
                },
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    document = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}},
        "features": features,
    }
    path.write_text(json.dumps(document))
    return path


def national_file(path: Path, rows: int, rng: random.Random) -> Path:
    from pyproj import Transformer

    to_utm20 = Transformer.from_crs("EPSG:4326", "EPSG:5490", always_xy=True)
    features = []
    for n in range(rows):
        kind = n % 6
        props = {"nom": f"Équipement {n}", "id": str(n)}
        geometry = None
        if kind in (0, 1):  # in the department
            point = [rng.uniform(0.5, 1.9), rng.uniform(42.75, 43.85)]
            geometry = {"type": "Point", "coordinates": point}
        elif kind in (2, 3):  # elsewhere in metropolitan France
            point = [rng.uniform(2.5, 7.0), rng.uniform(44.5, 49.5)]
            geometry = {"type": "Point", "coordinates": point}
        elif kind == 4:  # Guadeloupe, in UTM 20N metres
            x, y = to_utm20.transform(rng.uniform(-61.7, -61.2), rng.uniform(16.0, 16.4))
            geometry = {"type": "Point", "coordinates": [round(x, 1), round(y, 1)]}
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


class Clock:
    """Wall and CPU time of a step: the machine may be shared, CPU time says what is ours."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:.2f} s (CPU {self.cpu:.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communes", type=int, default=586)
    parser.add_argument("--vertices", type=int, default=400)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    url = args.database_url or "sqlite:///" + str(work / "territory.sqlite")

    from flask_migrate import upgrade

    from civic import create_app
    from civic.extensions import db
    from civic.ratings import importer, services
    from civic.territory.services import load_communes, read_communes

    rng = random.Random(23)
    source = department(work / "COMMUNE.geojson", args.communes, args.vertices, rng)
    services_file = national_file(work / "equipements.geojson", args.rows, rng)
    print(
        f"department file: {args.communes} communes x {args.vertices} vertices, "
        f"{source.stat().st_size / 1e6:.1f} MB (Lambert-93)"
    )
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SERVER_NAME": "bench.local",
            "RATELIMIT_ENABLED": False,
            "CIVIC_REDIS_URL": None,
        }
    )
    with app.app_context(), app.test_request_context():
        upgrade()
        with Clock() as read:
            rows = read_communes([source], departement="31")
        with Clock() as stored:
            first = load_communes(rows)
            db.session.commit()
        with Clock() as reload:
            again = load_communes(read_communes([source], departement="31"))
            db.session.commit()
        print(
            f"read and reproject: {read}; first load (created {first.created}): {stored}; "
            f"reload, read included (unchanged {again.unchanged}): {reload}"
        )

        data = services_file.read_bytes()
        with Clock() as parse_time:
            parsed = importer.parse(data, filename=services_file.name)
        with Clock() as import_time:
            report = services.import_services(None, "national", parsed)
            db.session.commit()
        print(
            f"import of {args.rows} rows: parse {parse_time}, place and store "
            f"{import_time}; created {report.created}, outside {report.outside}, "
            f"rejected {len(report.rejected)}"
        )


if __name__ == "__main__":
    main()
