"""CSV and Table Schema writing for every open-data export.

CSV is `;`-separated UTF-8, as French portals expect; a cell that a spreadsheet would read as
a formula (starting with =, +, -, @) is neutralised with a leading apostrophe. Downloads start
with a byte-order mark, without which Excel reads UTF-8 as Windows-1252 ("DÃ©cision").
"""

import csv
import io
import json

from flask import Response

LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
}


def neutralise(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(rows: list[dict], fields: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=fields, delimiter=";", lineterminator="\r\n", extrasaction="ignore"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else neutralise(row.get(k)) for k in fields})
    return out.getvalue()


def csv_download(text: str, filename: str) -> Response:
    return Response(
        "\ufeff" + text,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


def table_schema(title: str, description: str, fields: list[dict]) -> str:
    """A Table Schema (frictionless) describing a CSV's columns."""
    return json.dumps(
        {
            "$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
            "title": title,
            "description": description,
            "licenses": [LICENCE],
            "fields": fields,
            "missingValues": [""],
        },
        ensure_ascii=False,
        indent=2,
    )
