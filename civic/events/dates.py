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


def month_grid(first: datetime, items: list) -> list[list[tuple]]:
    """The weeks of a month, Monday first: each day is (date, [(item, mark)]) or None outside
    the month. An event shows on the day it starts; a consultation stage on the day it opens
    and on the day it closes (mark "opens" / "closes")."""
    import calendar

    by_day: dict = {}
    for item in items:
        start = item.starts_at.astimezone(PARIS).date()
        if item.source == "phase":
            end = item.ends_at.astimezone(PARIS).date()
            by_day.setdefault(start, []).append((item, "opens"))
            by_day.setdefault(end, []).append((item, "closes"))
        else:
            by_day.setdefault(start, []).append((item, ""))
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        weeks.append([(d, by_day.get(d, [])) if d.month == first.month else None for d in week])
    return weeks


def weekdays() -> list[str]:
    """Monday to Sunday, in the page's language."""
    from babel.dates import get_day_names

    names = get_day_names("wide", locale=_locale())
    return [names[i] for i in range(7)]
