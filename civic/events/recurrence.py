"""Recurring events (an elected official's permanence every Tuesday morning, a monthly open
house): the rule, its expansion into dated occurrences, and the same rule as RRULE.

The rule is written in Paris wall-clock time: "every Tuesday from 9 h to 12 h" stays 9 h
across the changes of summer time. Occurrences are stored (`event_occurrence`) so that the
agenda pages them in SQL like any other dated item.
"""

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l

from civic.core.validators import PARIS


class Repeat(enum.StrEnum):
    NONE = ""
    WEEKLY = "weekly"
    FORTNIGHTLY = "2weeks"
    MONTHLY = "monthly"  # the same weekday of the month: "the first Tuesday"


REPEAT_LABELS = {
    Repeat.NONE: _l("Une seule fois"),
    Repeat.WEEKLY: _l("Chaque semaine"),
    Repeat.FORTNIGHTLY: _l("Toutes les deux semaines"),
    Repeat.MONTHLY: _l("Chaque mois, le même jour de la semaine"),
}
# A series is bounded: at most two years, which is also at most 105 weekly occurrences.
LONGEST = timedelta(days=731)
ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Rule:
    repeat: Repeat
    first_start: datetime  # UTC, the first occurrence
    first_end: datetime
    until: date  # the last day (Paris) an occurrence may fall on
    exceptions: frozenset[date]

    @property
    def local_start(self) -> datetime:
        return self.first_start.astimezone(PARIS)

    @property
    def nth(self) -> int:
        """Which weekday of the month, for monthly rules: 1 to 4, or -1 for the last."""
        n = (self.local_start.day - 1) // 7 + 1
        return -1 if n == 5 else n


def _month_day(year: int, month: int, weekday: int, nth: int) -> date | None:
    first = date(year, month, 1)
    if nth > 0:
        day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
        return day if day.month == month else None
    following = date(year + month // 12, month % 12 + 1, 1)
    last = following - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _days(rule: Rule):
    start = rule.local_start.date()
    if rule.repeat in (Repeat.WEEKLY, Repeat.FORTNIGHTLY):
        step = timedelta(weeks=1 if rule.repeat == Repeat.WEEKLY else 2)
        day = start
        while day <= rule.until:
            yield day
            day += step
    elif rule.repeat == Repeat.MONTHLY:
        year, month = start.year, start.month
        while date(year, month, 1) <= rule.until:
            day = _month_day(year, month, start.weekday(), rule.nth)
            if day is not None and start <= day <= rule.until:
                yield day
            year, month = year + month // 12, month % 12 + 1
    else:
        yield start


def occurrences(rule: Rule) -> list[tuple[datetime, datetime]]:
    """(start, end) in UTC of every occurrence but the exceptions, in order."""
    wall: time = rule.local_start.time().replace(tzinfo=None)
    duration = rule.first_end - rule.first_start
    found = []
    for day in _days(rule):
        if day in rule.exceptions:
            continue
        start = datetime.combine(day, wall, tzinfo=PARIS).astimezone(UTC)
        found.append((start, start + duration))
    return found


def ical_rule(rule: Rule) -> dict:
    """The RRULE (icalendar's vRecur); UNTIL in UTC, as RFC 5545 wants with a TZID start."""
    weekday = ICAL_DAYS[rule.local_start.weekday()]
    last = datetime.combine(rule.until, time(23, 59, 59), tzinfo=PARIS).astimezone(UTC)
    if rule.repeat == Repeat.MONTHLY:
        return {"freq": "monthly", "byday": f"{rule.nth}{weekday}", "until": last}
    interval = 2 if rule.repeat == Repeat.FORTNIGHTLY else 1
    return {"freq": "weekly", "interval": interval, "byday": weekday, "until": last}


def exception_starts(rule: Rule) -> list[datetime]:
    """EXDATE: the starts, in Paris time, of the days left out."""
    wall = rule.local_start.time().replace(tzinfo=None)
    return [datetime.combine(day, wall, tzinfo=PARIS) for day in sorted(rule.exceptions)]


def parse_days(text: str) -> tuple[list[date], list[str]]:
    """Dates typed one per line (or separated by commas): 16/02/2027 or 2027-02-16.
    Returns the dates and the pieces that are not dates."""
    days, wrong = [], []
    for piece in text.replace(",", "\n").replace(";", "\n").split():
        piece = piece.strip()
        try:
            if "/" in piece:
                day, month, year = (int(p) for p in piece.split("/"))
                days.append(date(year, month, day))
            else:
                days.append(date.fromisoformat(piece))
        except (ValueError, OverflowError):
            wrong.append(piece[:30])
    return days, wrong


ORDINALS = {
    1: _l("premier"),
    2: _l("deuxième"),
    3: _l("troisième"),
    4: _l("quatrième"),
    -1: _l("dernier"),
}


def describe(rule: Rule) -> str:
    """'Chaque semaine, le mardi, de 9 h à 12 h' / 'Every week on Tuesday, 9 am – 12 pm'."""
    from civic.core.formatting import gettext, hours_filter, weekday_names

    day = weekday_names()[rule.local_start.weekday()]
    hours = hours_filter(rule.first_start, rule.first_end)
    if rule.repeat == Repeat.MONTHLY:
        return gettext(
            "Chaque mois, le %(nth)s %(day)s, %(hours)s",
            nth=str(ORDINALS[rule.nth]),
            day=day,
            hours=hours,
        )
    if rule.repeat == Repeat.FORTNIGHTLY:
        return gettext("Toutes les deux semaines, le %(day)s, %(hours)s", day=day, hours=hours)
    return gettext("Chaque semaine, le %(day)s, %(hours)s", day=day, hours=hours)
