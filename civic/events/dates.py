"""Dates for people: "jeudi 31 décembre 2026 à 19 h", in Paris time, in both languages.

The one place where the agenda formats its dates, so that it can move to core.formatting's
helpers as soon as they say the same thing.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask_babel import get_locale
from flask_babel import gettext as _

PARIS = ZoneInfo("Europe/Paris")


def _locale() -> str:
    locale = get_locale()
    return str(locale) if locale else "fr"


def _hour(moment: datetime, locale: str) -> str:
    if locale.startswith("fr"):
        return f"{moment.hour} h" if moment.minute == 0 else f"{moment.hour} h {moment.minute:02d}"
    return format_time(moment, "short", locale=locale)


def day(value: datetime) -> str:
    """ "jeudi 31 décembre 2026" """
    locale = _locale()
    return format_date(value.astimezone(PARIS).date(), "full", locale=locale)


def moment(value: datetime) -> str:
    """ "jeudi 31 décembre 2026 à 19 h" """
    locale = _locale()
    local = value.astimezone(PARIS)
    return _("%(day)s à %(hour)s", day=day(value), hour=_hour(local, locale))


def span(starts: datetime, ends: datetime) -> str:
    """ "jeudi 31 décembre 2026 de 19 h à 21 h", or "du … au …" over several days."""
    locale = _locale()
    start, end = starts.astimezone(PARIS), ends.astimezone(PARIS)
    if start.date() == end.date():
        return _(
            "%(day)s de %(start)s à %(end)s",
            day=day(starts),
            start=_hour(start, locale),
            end=_hour(end, locale),
        )
    return _("du %(start)s au %(end)s", start=moment(starts), end=moment(ends))


def register(state) -> None:
    """Blueprint hook: the agenda's date filters in every template."""
    env = state.app.jinja_env
    env.filters["agenda_day"] = day
    env.filters["agenda_moment"] = moment
    env.globals["agenda_span"] = span
