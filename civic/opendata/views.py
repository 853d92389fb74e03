"""The open-data page, the dataset files, and the read-only JSON API under /api/v1/."""

import base64
import json
from datetime import datetime

from flask import Response, abort, jsonify, render_template, request, url_for

from civic.core import limits
from civic.opendata import publish
from civic.opendata.api import openapi
from civic.opendata.datasets import BY_NAME, DATASETS

# Longest suffix first: "x.schema.json" is a schema, not the JSON of "x.schema".
FORMATS = {"schema.json": "application/json", "csv": "text/csv", "json": "application/json"}
MAX_LIMIT = 500


def index():
    sizes = {d.name: len(publish.as_csv(d).encode()) for d in DATASETS}
    return render_template("opendata/index.html", datasets=DATASETS, sizes=sizes)


def download(filename: str):
    fmt = next((f for f in FORMATS if filename.endswith("." + f)), None)
    dataset = BY_NAME.get(filename[: -len(fmt) - 1]) if fmt else None
    if dataset is None:
        abort(404)
    content = {"csv": publish.as_csv, "json": publish.as_json, "schema.json": publish.schema}[fmt](
        dataset
    )
    return Response(
        content,
        mimetype=FORMATS[fmt],
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


def catalogue():
    return Response(
        json.dumps(publish.catalogue(), ensure_ascii=False), mimetype="application/ld+json"
    )


def _cursor(value: str) -> int:
    """Cursors are opaque to clients: the last id seen, encoded."""
    if not value:
        return 0
    try:
        return int(base64.urlsafe_b64decode(value.encode()).decode())
    except ValueError:
        abort(400)


def _encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode()


def _api_error(status: int, message: str):
    response = jsonify({"error": message})
    response.status_code = status
    return response


@limits.per_address("CIVIC_API_LIMIT", methods=["GET"])
def api_list(name: str):
    dataset = BY_NAME.get(name)
    if dataset is None:
        return _api_error(404, "unknown dataset")
    args = request.args
    limit_arg, consultation, since = args.get("limit", "100"), args.get("consultation", ""), None
    if not limit_arg.isdigit() or not 1 <= int(limit_arg) <= MAX_LIMIT:
        return _api_error(400, f"limit must be an integer between 1 and {MAX_LIMIT}")
    if consultation and not consultation.isdigit():
        return _api_error(400, "consultation must be an integer")
    if args.get("since"):
        try:
            since = datetime.fromisoformat(args["since"])
        except ValueError:
            return _api_error(400, "since must be an ISO 8601 date")
        if since.tzinfo is None:
            from datetime import UTC

            since = since.replace(tzinfo=UTC)
    try:
        after = _cursor(args.get("cursor", ""))
    except Exception:  # noqa: BLE001 - any undecodable cursor is the client's error
        return _api_error(400, "invalid cursor")
    key = "id" if "id" in dataset.field_names else None
    rows = list(
        dataset.rows(consultation_id=int(consultation) if consultation else None, since=since)
    )
    if key:
        rows = [r for r in rows if r[key] > after]
        page = rows[: int(limit_arg)]
        more = len(rows) > len(page)
        next_cursor = _encode(page[-1][key]) if more and page else None
    else:
        page = rows[after : after + int(limit_arg)]
        more = after + len(page) < len(rows)
        next_cursor = _encode(after + len(page)) if more else None
    body = {"data": page, "next": None}
    if next_cursor:
        body["next"] = url_for(
            "opendata.api_list",
            name=name,
            cursor=next_cursor,
            limit=limit_arg,
            consultation=consultation or None,
            since=args.get("since") or None,
            _external=True,
        )
    return jsonify(body)


def api_spec():
    return jsonify(openapi())


def api_docs():
    return render_template("opendata/api.html", datasets=DATASETS)


def cors(response):
    """Anyone may read the public API from a browser; nothing else is allowed across sites."""
    if request.path.startswith("/api/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET"
    return response
