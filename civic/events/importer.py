"""Read events from the territory's agenda files: OpenAgenda exports (JSON or CSV) and any
iCalendar file. Pure functions: bytes in, rows and rejections out; no database.

A row: source_id, title, description, starts_at, ends_at (aware, UTC), place_name, address,
insee, city, online_url, source_url, kind, cancelled. An event with several timings (a weekly
permanence) gives one row per timing, each keyed by the event's id and the timing's start.
"""

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from civic.events.models import Kind

PARIS = ZoneInfo("Europe/Paris")
MAX_ROWS = 5000
FORMATS = ("auto", "openagenda-json", "csv", "ical")

# Column names recognised in CSV exports (OpenAgenda's, and its copies on open-data portals),
# compared lower-cased, accents and punctuation folded.
COLUMNS = {
    "source_id": ["uid", "identifiant", "id", "identifiant evenement", "event uid"],
    "title": ["title fr", "titre fr", "titre", "title", "nom"],
    "description": ["description fr", "description courte fr", "description", "resume"],
    "long_description": ["longdescription fr", "description longue fr", "description longue"],
    "begin": [
        "firstdate begin",
        "premiere date debut",
        "date de debut",
        "debut",
        "date debut",
        "begin",
        "start",
        "date start",
    ],
    "end": [
        "firstdate end",
        "premiere date fin",
        "date de fin",
        "fin",
        "date fin",
        "end",
        "date end",
    ],
    "place_name": ["location name", "nom du lieu", "lieu", "placename", "place"],
    "address": ["location address", "adresse", "address", "adresse du lieu"],
    "insee": ["location insee", "code insee", "insee", "code commune"],
    "city": ["location city", "ville", "city", "commune"],
    "source_url": ["canonicalurl", "url", "lien", "link", "lien openagenda"],
    "online_url": ["onlineaccesslink", "lien d acces en ligne", "online access link"],
    "status": ["status", "statut", "etat"],
}
CANCELLED_WORDS = {"6", "cancelled", "canceled", "annule", "annulee", "annulé", "annulée"}


class UnreadableFile(Exception):
    """The file cannot be read at all: nothing is imported."""


@dataclass
class ParseResult:
    rows: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)  # {"row": n, "reason": "..."}
    format: str = ""


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _text(value) -> str:
    """OpenAgenda's multilingual fields ({"fr": "...", "en": "..."}) or plain strings."""
    if isinstance(value, dict):
        value = value.get("fr") or next((v for v in value.values() if v), "")
    if value is None:
        return ""
    return str(value).replace("\x00", "").strip()


def parse_moment(value) -> datetime | None:
    """ISO 8601 with or without offset (without: Paris time), or "31/12/2026 19:00"."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = _text(value)
        if not text:
            return None
        match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2})[:h](\d{2}))?", text)
        try:
            if match:
                d, m, y, hh, mm = match.groups()
                moment = datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0))
            else:
                moment = datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return moment.astimezone(UTC)


def guess_kind(title: str, online: bool) -> str:
    folded = fold(title)
    if "permanence" in folded:
        return Kind.PERMANENCE.value
    if "visite" in folded:
        return Kind.VISIT.value
    if "atelier" in folded:
        return Kind.WORKSHOP.value
    if online:
        return Kind.ONLINE.value
    if "information" in folded:
        return Kind.INFORMATION.value
    return Kind.MEETING.value


def _finish(raw: dict, number: int, result: ParseResult) -> None:
    """Check one row and add it, or reject it with the reason."""
    if not raw.get("source_id"):
        result.rejected.append({"row": number, "reason": str(_l("identifiant manquant"))})
        return
    if not raw.get("title"):
        result.rejected.append({"row": number, "reason": str(_l("titre manquant"))})
        return
    starts = raw.get("starts_at")
    if starts is None:
        result.rejected.append({"row": number, "reason": str(_l("date de début illisible"))})
        return
    ends = raw.get("ends_at") or starts + timedelta(hours=2)
    if ends <= starts:
        result.rejected.append({"row": number, "reason": str(_l("la fin précède le début"))})
        return
    if len(result.rows) >= MAX_ROWS:
        result.rejected.append(
            {"row": number, "reason": str(_l("plus de %(n)s événements", n=MAX_ROWS))}
        )
        return
    online = raw.get("online_url", "")
    row = {
        "source_id": str(raw["source_id"])[:200],
        "title": raw["title"][:200],
        "description": raw.get("description", ""),
        "starts_at": starts,
        "ends_at": ends,
        "place_name": raw.get("place_name", "")[:200],
        "address": raw.get("address", "")[:300],
        "insee": raw.get("insee", "")[:5],
        "city": raw.get("city", ""),
        "online_url": online[:500] if online.startswith("https://") else "",
        "source_url": raw.get("source_url", "")[:500]
        if raw.get("source_url", "").startswith(("https://", "http://"))
        else "",
        "cancelled": bool(raw.get("cancelled")),
        "row": number,
    }
    row["kind"] = guess_kind(row["title"], bool(row["online_url"]) and not row["address"])
    result.rows.append(row)


# --- OpenAgenda JSON ------------------------------------------------------------------------


def parse_openagenda_json(data: bytes) -> ParseResult:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UnreadableFile(str(_l("JSON invalide"))) from error
    if isinstance(document, dict):
        events = document.get("events", document.get("records"))
    else:
        events = document
    if not isinstance(events, list):
        raise UnreadableFile(str(_l("aucune liste d'événements (« events ») dans ce JSON")))
    result = ParseResult(format="openagenda-json")
    for number, item in enumerate(events, start=1):
        if not isinstance(item, dict):
            result.rejected.append({"row": number, "reason": str(_l("élément illisible"))})
            continue
        if "fields" in item and isinstance(item["fields"], dict):
            # An open-data portal's copy (one flat record per event).
            _finish(_from_columns(item["fields"], _mapping(list(item["fields"]))), number, result)
            continue
        location = item.get("location") if isinstance(item.get("location"), dict) else {}
        status = fold(_text(item.get("status")))
        base = {
            "title": _text(item.get("title")),
            "description": "\n\n".join(
                t for t in (_text(item.get("description")), _long(item)) if t
            ),
            "place_name": _text(location.get("name")),
            "address": _text(location.get("address")),
            "insee": _text(location.get("insee") or location.get("inseeCode")),
            "city": _text(location.get("city")),
            "online_url": _text(item.get("onlineAccessLink")),
            "source_url": _text(item.get("canonicalUrl") or item.get("link")),
            "cancelled": status in CANCELLED_WORDS,
        }
        uid = _text(item.get("uid") or item.get("id"))
        timings = item.get("timings") or []
        if not isinstance(timings, list) or not timings:
            timings = [
                {
                    "begin": item.get("firstTiming", {}).get("begin")
                    if isinstance(item.get("firstTiming"), dict)
                    else item.get("begin"),
                    "end": item.get("end"),
                }
            ]
        for timing in timings:
            timing = timing if isinstance(timing, dict) else {}
            starts = parse_moment(timing.get("begin"))
            key = uid
            if len(timings) > 1 and uid and starts is not None:
                key = f"{uid}/{starts:%Y%m%dT%H%M}"
            _finish(
                {
                    **base,
                    "source_id": key,
                    "starts_at": starts,
                    "ends_at": parse_moment(timing.get("end")),
                },
                number,
                result,
            )
    return result


def _long(item: dict) -> str:
    text = _text(item.get("longDescription"))
    # OpenAgenda's long descriptions are Markdown or HTML: kept as plain text.
    return re.sub(r"<[^>]+>", "", text).strip()


# --- CSV ------------------------------------------------------------------------------------


def _mapping(columns: list[str]) -> dict[str, str]:
    folded = {fold(c): c for c in columns}
    mapping = {}
    for name, candidates in COLUMNS.items():
        for candidate in candidates:
            if candidate in folded:
                mapping[name] = folded[candidate]
                break
    return mapping


def _from_columns(record: dict, mapping: dict[str, str]) -> dict:
    def get(name):
        column = mapping.get(name)
        return _text(record.get(column)) if column else ""

    description = "\n\n".join(t for t in (get("description"), get("long_description")) if t)
    return {
        "source_id": get("source_id"),
        "title": get("title"),
        "description": re.sub(r"<[^>]+>", "", description),
        "starts_at": parse_moment(get("begin")),
        "ends_at": parse_moment(get("end")),
        "place_name": get("place_name"),
        "address": get("address"),
        "insee": get("insee"),
        "city": get("city"),
        "online_url": get("online_url"),
        "source_url": get("source_url"),
        "cancelled": fold(get("status")) in CANCELLED_WORDS,
    }


def parse_csv(data: bytes) -> ParseResult:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    text = text.replace("\x00", "")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = reader.fieldnames or []
    mapping = _mapping(columns)
    missing = [n for n in ("source_id", "title", "begin") if n not in mapping]
    if missing:
        raise UnreadableFile(
            str(
                _l(
                    "colonnes introuvables : %(names)s (par exemple uid, title_fr, "
                    "firstdate_begin)",
                    names=", ".join(missing),
                )
            )
        )
    result = ParseResult(format="csv")
    try:
        for number, record in enumerate(reader, start=2):
            _finish(_from_columns(record, mapping), number, result)
    except csv.Error as error:
        raise UnreadableFile(str(_l("CSV illisible"))) from error
    return result


# --- iCalendar ------------------------------------------------------------------------------


def _ical_moment(value) -> datetime | None:
    if value is None:
        return None
    moment = value.dt
    if isinstance(moment, datetime):
        return parse_moment(moment)
    if isinstance(moment, date):
        return datetime.combine(moment, time(0), tzinfo=PARIS).astimezone(UTC)
    return None


def parse_ical(data: bytes) -> ParseResult:
    from icalendar import Calendar

    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as error:
        raise UnreadableFile(str(_l("fichier iCalendar invalide"))) from error
    result = ParseResult(format="ical")
    for number, component in enumerate(calendar.walk("VEVENT"), start=1):
        uid = _text(component.get("uid"))
        recurrence = component.get("recurrence-id")
        if uid and recurrence is not None:
            moment = _ical_moment(recurrence)
            uid = f"{uid}/{moment:%Y%m%dT%H%M}" if moment else uid
        starts = _ical_moment(component.get("dtstart"))
        ends = _ical_moment(component.get("dtend"))
        if ends is None and starts is not None and component.get("duration") is not None:
            ends = starts + component.get("duration").dt
        location = _text(component.get("location"))
        _finish(
            {
                "source_id": uid,
                "title": _text(component.get("summary")),
                "description": _text(component.get("description")),
                "starts_at": starts,
                "ends_at": ends,
                "address": location,
                "source_url": _text(component.get("url")),
                "cancelled": _text(component.get("status")).upper() == "CANCELLED",
            },
            number,
            result,
        )
    return result


def parse(data: bytes, fmt: str = "auto", filename: str = "") -> ParseResult:
    if not data.strip():
        raise UnreadableFile(str(_l("fichier vide")))
    if fmt == "auto":
        head = data.lstrip()[:200]
        if head.startswith(b"BEGIN:VCALENDAR") or filename.lower().endswith(".ics"):
            fmt = "ical"
        elif head[:1] in (b"{", b"[") or filename.lower().endswith(".json"):
            fmt = "openagenda-json"
        else:
            fmt = "csv"
    if fmt == "ical":
        return parse_ical(data)
    if fmt == "openagenda-json":
        return parse_openagenda_json(data)
    return parse_csv(data)
