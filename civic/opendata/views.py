"""The open-data page, the dataset files, and the read-only JSON API under /api/v1/."""

import base64
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import Response, abort, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from civic.core import limits
from civic.core.opendata import csv_download
from civic.opendata import publish, registry
from civic.opendata.api import MAX_ID, MAX_LIMIT, openapi

# Longest suffix first: "x.schema.json" is a schema, not the JSON of "x.schema".
FORMATS = {"schema.json": "application/json", "csv": "text/csv", "json": "application/json"}
DEFAULT_LIMIT = 100


def index():
    datasets = registry.datasets()
    sizes = {d.name: len(publish.as_csv(d).encode()) for d in datasets}
    return render_template("opendata/index.html", datasets=datasets, sizes=sizes)


def download(filename: str):
    fmt = next((f for f in FORMATS if filename.endswith("." + f)), None)
    dataset = registry.get(filename[: -len(fmt) - 1]) if fmt else None
    if dataset is None:
        abort(404)
    content = {"csv": publish.as_csv, "json": publish.as_json, "schema.json": publish.schema}[fmt](
        dataset
    )
    if fmt == "csv":
        return csv_download(content, filename)
    return Response(
        content,
        mimetype=FORMATS[fmt],
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


def catalogue():
    return Response(
        json.dumps(publish.catalogue(), ensure_ascii=False), mimetype="application/ld+json"
    )


class ApiError(Exception):
    """A request the API cannot answer: a 400 with a JSON message, as the OpenAPI file says."""


# ASCII digits only: str.isdigit() also accepts "²", which int() refuses, and "٣".
DIGITS = re.compile(r"[0-9]+")
DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
DATE_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})"
)
PARIS = ZoneInfo("Europe/Paris")


def _integer(args, name: str, low: int, high: int) -> int | None:
    value = args.get(name)
    if value is None:
        return None
    if not DIGITS.fullmatch(value) or not low <= int(value) <= high:
        raise ApiError(f"{name} must be an integer between {low} and {high}")
    return int(value)


def _since(value: str | None) -> datetime | None:
    """An RFC 3339 date-time, or a date (midnight in Paris), as a UTC datetime."""
    if value is None:
        return None
    try:
        if date := DATE.fullmatch(value):
            parsed = datetime(*map(int, date.groups()), tzinfo=PARIS)
        elif match := DATE_TIME.fullmatch(value):
            y, mo, d, h, mi, sec, fraction, offset = match.groups()
            if offset in "Zz":
                zone = UTC
            else:
                sign = -1 if offset[0] == "-" else 1
                zone = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:])))
            micro = int((fraction or ".0")[1:7].ljust(6, "0"))
            # A leap second (":60") is within a second of ":59".
            parsed = datetime(*map(int, (y, mo, d, h, mi)), min(int(sec), 59), micro, zone)
        else:
            raise ValueError(value)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ApiError("since must be an RFC 3339 date-time or a date (YYYY-MM-DD)") from None


def _cursor(value: str | None) -> int:
    """Cursors are opaque to clients: the last id seen, or the rows already seen, encoded."""
    if not value:
        return 0
    try:
        decoded = base64.urlsafe_b64decode(value.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        decoded = b""
    if not re.fullmatch(rb"[0-9]{1,18}", decoded):
        raise ApiError("invalid cursor: use the next link of the previous page")
    return int(decoded)


def _encode(last: int) -> str:
    return base64.urlsafe_b64encode(str(last).encode()).decode()


def _api_error(status: int, message: str):
    response = jsonify({"error": message})
    response.status_code = status
    return response


def too_many_requests(error: HTTPException):
    """The API's rate limit answers in JSON, as the OpenAPI file describes it (the only limited
    view of this blueprint is the API's)."""
    return _api_error(429, "too many requests, retry later")


@limits.per_address("CIVIC_API_LIMIT", methods=["GET"])
def api_list(name: str):
    dataset = registry.get(name)
    if dataset is None:
        return _api_error(404, "unknown dataset")
    args = request.args
    try:
        for param in ("consultation", "since"):
            if param in args and param not in dataset.filters:
                raise ApiError(f"{dataset.name} cannot be filtered by {param}")
        limit = _integer(args, "limit", 1, MAX_LIMIT) or DEFAULT_LIMIT
        consultation = _integer(args, "consultation", 1, MAX_ID)
        since = _since(args.get("since"))
        after = _cursor(args.get("cursor"))
    except ApiError as error:
        return _api_error(400, str(error))
    # One row more than the page tells whether there is a next page.
    rows = list(
        dataset.rows(consultation_id=consultation, since=since, after=after, limit=limit + 1)
    )
    page = rows[:limit]
    body = {"data": page, "next": None}
    if len(rows) > limit:
        last = page[-1][dataset.key] if dataset.key else after + limit
        body["next"] = url_for(
            "opendata.api_list",
            name=name,
            cursor=_encode(last),
            limit=args.get("limit"),
            consultation=args.get("consultation"),
            since=args.get("since"),
            _external=True,
        )
    return jsonify(body)


def api_spec():
    return jsonify(openapi())


def api_docs():
    return render_template("opendata/api.html", datasets=registry.datasets())


def cors(response):
    """Anyone may read the public API from a browser; nothing else is allowed across sites."""
    if request.path.startswith("/api/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET"
    return response
