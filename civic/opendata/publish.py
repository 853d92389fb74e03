"""Dataset files (CSV, JSON, Table Schema), the DCAT-AP catalogue, and the file export."""

import json
from pathlib import Path

from flask import url_for

from civic.core.models import utcnow
from civic.core.opendata import LICENCE, table_schema, to_csv
from civic.opendata.datasets import DATASETS, Dataset


def rows(dataset: Dataset, **filters) -> list[dict]:
    return list(dataset.rows(**filters))


def as_csv(dataset: Dataset) -> str:
    return to_csv(rows(dataset), dataset.field_names)


def as_json(dataset: Dataset) -> str:
    return json.dumps(rows(dataset), ensure_ascii=False, indent=1)


def schema(dataset: Dataset) -> str:
    fields = [{"name": n, "type": t, "description": d} for n, t, d in dataset.fields]
    return table_schema(str(dataset.title), str(dataset.description), fields)


def catalogue() -> dict:
    """DCAT-AP as JSON-LD, for portals such as data.gouv.fr to harvest."""
    now = utcnow().isoformat()
    datasets = []
    for d in DATASETS:
        distributions = [
            {
                "@type": "dcat:Distribution",
                "dcat:mediaType": media,
                "dct:format": fmt,
                "dcat:downloadURL": {
                    "@id": url_for("opendata.download", filename=f"{d.name}.{fmt}", _external=True)
                },
                "dct:license": {"@id": LICENCE["path"]},
                "dct:conformsTo": {
                    "@id": url_for(
                        "opendata.download", filename=f"{d.name}.schema.json", _external=True
                    )
                },
            }
            for fmt, media in (("csv", "text/csv"), ("json", "application/json"))
        ]
        datasets.append(
            {
                "@id": url_for("opendata.index", _external=True) + "#" + d.name,
                "@type": "dcat:Dataset",
                "dct:identifier": d.name,
                "dct:title": str(d.title),
                "dct:description": str(d.description),
                "dct:modified": now,
                "dct:accrualPeriodicity": d.frequency,
                "dct:license": {"@id": LICENCE["path"]},
                "dct:publisher": {"@type": "foaf:Organization", "foaf:name": "Sicoval"},
                "dcat:distribution": distributions,
            }
        )
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
        },
        "@id": url_for("opendata.catalogue", _external=True),
        "@type": "dcat:Catalog",
        "dct:title": "Civic, participation citoyenne du Sicoval",
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": "Sicoval"},
        "dct:license": {"@id": LICENCE["path"]},
        "dcat:dataset": datasets,
    }


def files() -> dict[str, str]:
    out = {}
    for d in DATASETS:
        out[f"{d.name}.csv"] = as_csv(d)
        out[f"{d.name}.json"] = as_json(d)
        out[f"{d.name}.schema.json"] = schema(d)
    out["catalogue.jsonld"] = json.dumps(catalogue(), ensure_ascii=False, indent=1)
    return out


def write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files().items():
        path = directory / name
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written
