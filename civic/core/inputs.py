"""Typed input at the edge: what a visitor sends is checked before it reaches SQL.

- `<int:...>` URL rules only match ASCII digits within the database's integer range: an id
  past 2**31-1 is a 404, never PostgreSQL's "integer out of range".
- `int_arg` / `int_list` / `strict_int` are the one parser for every integer of a query string
  or a form (pages, filters, seeds, bounds): ASCII digits only (`str.isdigit()` accepts "²",
  which `int()` refuses) and within bounds, or a 400/404 page that says what is wrong.
- `refuse_control_characters` (before_request) refuses NUL and the other control characters
  in the path, the query string and the form fields, before anything reaches the database
  (PostgreSQL refuses NUL in text); tab, newline and carriage return stay allowed in forms.
- `check_lengths` (before_flush) checks every string against its column's length, on SQLite
  too, and names the field in its message.
"""

import re

import sqlalchemy as sa
from flask import Flask, abort, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

# PostgreSQL's INTEGER; SQLite's are wider, but the application is the same on both.
DB_INT_MAX = 2**31 - 1
DIGITS = re.compile(r"[0-9]+")
# C0 controls but tab, newline and carriage return; DEL; C1 controls.
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# In a path or a query string, no control character at all.
CONTROL_ANYWHERE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Form fields that are never shown back (secrets, tokens of the mechanisms).
NOT_SHOWN_BACK = re.compile(r"password|csrf_token|submission_key|token", re.IGNORECASE)


class Refused(BadRequest):
    """A 400 whose page says what was wrong with the request (errors.py renders `detail`)."""

    def __init__(self, detail: str, typed: list[tuple[str, str]] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.typed = typed or []


class DatabaseIntegerConverter(IntegerConverter):
    """`<int:...>`: ASCII digits (`\\d` also matches "٣"), from 1 to PostgreSQL's INTEGER."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(
            map,
            fixed_digits,
            0 if min is None else min,
            DB_INT_MAX if max is None else max,
            signed,
        )


def strict_int(raw: str | None, low: int = 0, high: int = DB_INT_MAX) -> int | None:
    """The integer `raw` spells in ASCII digits within [low, high], otherwise None."""
    if raw is None or not DIGITS.fullmatch(raw) or len(raw) > 20:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def int_arg(
    name: str,
    default: int | None = None,
    *,
    low: int = 1,
    high: int = DB_INT_MAX,
    source: MultiDict | None = None,
    status: int = 400,
) -> int | None:
    """An integer of the query string (or of `source`, a form): missing or empty gives
    `default`; anything else but ASCII digits within [low, high] is refused (400, or 404 for
    values that address a page, such as `page`)."""
    values = request.args if source is None else source
    raw = values.get(name, "")
    if raw == "":
        return default
    value = strict_int(raw.strip(), low, high)
    if value is None:
        if status == 404:
            abort(404)
        raise Refused(
            _(
                "La valeur « %(name)s » doit être un nombre entier entre %(low)s et %(high)s.",
                name=name,
                low=low,
                high=high,
            )
        )
    return value


def int_list(
    name: str, *, low: int = 1, high: int = DB_INT_MAX, source: MultiDict | None = None
) -> list[int]:
    """Every value of a repeated field (checked boxes of ids): all valid, or a 400."""
    values = request.form if source is None else source
    result = []
    for raw in values.getlist(name):
        value = strict_int(raw.strip(), low, high)
        if value is None:
            raise Refused(
                _(
                    "La valeur « %(name)s » doit être un nombre entier entre %(low)s et %(high)s.",
                    name=name,
                    low=low,
                    high=high,
                )
            )
        result.append(value)
    return result


def refuse_control_characters():
    """before_request: nothing with a control character reaches a view, hence the database."""
    if CONTROL_ANYWHERE.search(request.path) or any(
        CONTROL_ANYWHERE.search(key) or CONTROL_ANYWHERE.search(value)
        for key, value in request.args.items(multi=True)
    ):
        return _refusal(
            _l(
                "L'adresse demandée contient un caractère de contrôle (invisible) qui n'est pas "
                "permis. Vérifiez l'adresse."
            )
        )
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    form = request.form
    if any(
        CONTROL_ANYWHERE.search(key) or CONTROL_IN_TEXT.search(value)
        for key, value in form.items(multi=True)
    ) or any(CONTROL_ANYWHERE.search(upload.filename or "") for upload in request.files.values()):
        # What was typed is shown back, without the invisible characters, so nothing is lost.
        typed = [
            (key, CONTROL_IN_TEXT.sub("", value))
            for key, value in form.items(multi=True)
            if value.strip() and not NOT_SHOWN_BACK.search(key) and not CONTROL_ANYWHERE.search(key)
        ]
        return _refusal(
            _l(
                "Le formulaire contient un caractère de contrôle (invisible, souvent venu d'un "
                "copier-coller) qui n'est pas permis. Rien n'a été enregistré. Voici ce que vous "
                "aviez saisi, sans ces caractères : copiez-le, revenez au formulaire et "
                "renvoyez-le."
            ),
            typed,
        )
    return None


def _refusal(message, typed=None):
    if request.path.startswith("/api/"):
        response = jsonify({"error": "control characters are not allowed"})
        response.status_code = 400
        return response
    raise Refused(str(message), typed)


def check_lengths(session: Session, flush_context, instances) -> None:
    """before_flush: a string longer than its column is refused with the field's name, the
    same on SQLite (which would store it) and PostgreSQL (which would fail with a 500)."""
    for obj in list(session.new) + list(session.dirty):
        mapper = sa.inspect(obj).mapper
        for column in mapper.columns:
            length = getattr(column.type, "length", None)
            if not length or not isinstance(column.type, sa.String):
                continue
            key = mapper.get_property_by_column(column).key
            value = getattr(obj, key, None)
            if isinstance(value, str) and len(value) > length:
                raise TooLong(column.info.get("label") or column.name, length, len(value))


class TooLong(Refused):
    def __init__(self, field: str, length: int, actual: int):
        self.field, self.length = field, length
        super().__init__(
            _(
                "Le champ « %(field)s » est trop long : %(actual)s caractères pour %(length)s "
                "au plus.",
                field=field,
                actual=actual,
                length=length,
            )
        )


def register(app: Flask) -> None:
    app.before_request(refuse_control_characters)
    if not event.contains(Session, "before_flush", check_lengths):
        event.listen(Session, "before_flush", check_lengths)


def install_converters(app: Flask) -> None:
    """Before any rule is added: `<int:...>` becomes a database id."""
    app.url_map.converters["int"] = DatabaseIntegerConverter
