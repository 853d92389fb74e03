"""Dataset files (CSV, JSON, Table Schema), the DCAT-AP catalogue, and the file export."""

import json
from pathlib import Path

from flask import url_for
from flask_babel import force_locale

from civic.core.identity import authority
from civic.core.models import utcnow
from civic.core.opendata import LICENCE, table_schema, to_csv
from civic.opendata import registry
from civic.opendata.registry import Dataset


def rows(dataset: Dataset, **filters) -> list[dict]:
    return list(dataset.rows(**filters))


def as_csv(dataset: Dataset) -> str:
    return to_csv(rows(dataset), dataset.field_names)


def as_json(dataset: Dataset) -> str:
    return json.dumps(rows(dataset), ensure_ascii=False, indent=1)


def schema(dataset: Dataset) -> str:
    fields = [{"name": n, "type": t, "description": d} for n, t, d in dataset.fields]
    return table_schema(str(dataset.title), str(dataset.description), fields)


# DCAT-AP: the vocabularies of the EU Publications Office, and IANA's media types.
EU = "http://publications.europa.eu/resource/authority/"
FREQUENCIES = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY"}
DISTRIBUTIONS = (("csv", "CSV", "text/csv"), ("json", "JSON", "application/json"))
# The context is inline, so that a harvester (data.gouv.fr) or rdflib reads the catalogue
# without fetching anything.
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "@language": "fr",
}


def _iri(value: str) -> dict:
    return {"@id": value}


def _date_time(value: str) -> dict:
    return {"@value": value, "@type": "xsd:dateTime"}


def catalogue() -> dict:
    """DCAT-AP as JSON-LD, for portals such as data.gouv.fr to harvest; always in French."""
    with force_locale("fr"):
        return _catalogue()


def _catalogue() -> dict:
    now = _date_time(utcnow().isoformat())
    home = url_for("opendata.index", _external=True)
    licence = {"@id": LICENCE["path"], "@type": "dct:LicenseDocument"}
    who = authority()
    publisher = {"@type": "foaf:Organization", "foaf:name": who.long_name}
    contact = {
        "@type": "vcard:Organization",
        "vcard:fn": f"{who.name}, participation citoyenne",
        "vcard:hasURL": _iri(home),
    }
    datasets = []
    for d in registry.datasets():
        distributions = []
        for fmt, file_type, media in DISTRIBUTIONS:
            url = url_for("opendata.download", filename=f"{d.name}.{fmt}", _external=True)
            distributions.append(
                {
                    "@id": url,
                    "@type": "dcat:Distribution",
                    "dct:title": f"{d.title} ({file_type})",
                    "dcat:accessURL": _iri(url),
                    "dcat:downloadURL": _iri(url),
                    "dcat:mediaType": _iri(f"http://www.iana.org/assignments/media-types/{media}"),
                    "dct:format": _iri(f"{EU}file-type/{file_type}"),
                    "dct:license": licence,
                    "dct:conformsTo": _iri(
                        url_for(
                            "opendata.download", filename=f"{d.name}.schema.json", _external=True
                        )
                    ),
                    "dct:modified": now,
                }
            )
        datasets.append(
            {
                "@id": f"{home}#{d.name}",
                "@type": "dcat:Dataset",
                "dct:identifier": {"@value": d.name},
                "dct:title": str(d.title),
                "dct:description": str(d.description),
                "dct:modified": now,
                "dct:accrualPeriodicity": _iri(f"{EU}frequency/{FREQUENCIES[d.frequency]}"),
                "dct:language": _iri(f"{EU}language/FRA"),
                "dcat:theme": _iri(f"{EU}data-theme/GOVE"),
                "dcat:keyword": ["participation citoyenne", "concertation", who.name],
                "dcat:landingPage": _iri(home),
                "dct:license": licence,
                "dct:publisher": publisher,
                "dcat:contactPoint": contact,
                "dcat:distribution": distributions,
            }
        )
    words = who.words("fr")
    api = {
        "@id": url_for("opendata.api_docs", _external=True),
        "@type": "dcat:DataService",
        "dct:title": "API des données ouvertes de Civic",
        "dcat:endpointURL": _iri(url_for("opendata.api_docs", _external=True)),
        "dcat:endpointDescription": _iri(url_for("opendata.api_spec", _external=True)),
        "dcat:servesDataset": [_iri(d["@id"]) for d in datasets],
        "dct:license": licence,
    }
    return {
        "@context": CONTEXT,
        "@id": url_for("opendata.catalogue", _external=True),
        "@type": "dcat:Catalog",
        "dct:title": "Civic, participation citoyenne {of_authority}".format(**words),
        "dct:description": (
            "Les données publiques de la participation citoyenne {of_authority}, anonymisées : "
            "concertations, propositions, commentaires, totaux des votes, décisions, journal "
            "de la modération, avis sur les services publics."
        ).format(**words),
        "dct:language": _iri(f"{EU}language/FRA"),
        "dct:modified": now,
        "foaf:homepage": _iri(home),
        "dct:publisher": publisher,
        "dct:license": licence,
        "dcat:dataset": datasets,
        "dcat:service": [api],
    }


def files() -> dict[str, str]:
    out = {}
    for d in registry.datasets():
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
