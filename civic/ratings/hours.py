"""Opening hours in OSM `opening_hours` syntax: open now or not, when that changes, and the
week's hours in words (residents do not read "Mo-Fr 08:30-12:00")."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import opening_hours
from flask_babel import gettext as _

from civic.core import formatting

PARIS = ZoneInfo("Europe/Paris")


@dataclass
class HoursState:
    known: bool
    is_open: bool = False
    next_change: datetime | None = None  # aware, in Paris time


def state(expression: str, now: datetime) -> HoursState:
    if not expression.strip():
        return HoursState(known=False)
    try:
        hours = opening_hours.OpeningHours(expression)
    except Exception:  # noqa: BLE001 - the library raises its own ParserError; an unreadable value is "unknown"
        return HoursState(known=False)
    local = now.astimezone(PARIS).replace(tzinfo=None)
    if hours.is_unknown(local):
        return HoursState(known=False)
    change = hours.next_change(local)
    return HoursState(
        known=True,
        is_open=hours.is_open(local),
        next_change=change.replace(tzinfo=PARIS) if change else None,
    )


def weekly(expression: str, now: datetime) -> list[str]:
    """The opening hours of the coming week in words, one line per run of days that share
    them: ["du lundi au vendredi, 8 h 30 – 12 h et 13 h 30 – 17 h", "samedi, 9 h – 12 h"].
    Empty when the expression cannot be read."""
    if not expression.strip():
        return []
    try:
        hours = opening_hours.OpeningHours(expression)
    except Exception:  # noqa: BLE001 - as in state()
        return []
    language = "en" if str(formatting.current_locale()) == "en" else "fr"
    local = now.astimezone(PARIS).replace(tzinfo=None)
    monday = datetime.combine(local.date() + timedelta(days=7 - local.weekday()), time())
    week: list[tuple[tuple[time, time], ...]] = []
    for day in range(7):
        start = monday + timedelta(days=day)
        end = start + timedelta(days=1)
        spans = []
        for begin, finish, kind, _comment in hours.intervals(start, end):
            if kind == opening_hours.State.OPEN:
                spans.append((max(begin, start), min(finish, end)))
        week.append(tuple((a.time(), b.time() if b < end else time(0)) for a, b in spans))
    if all(day == ((time(0), time(0)),) for day in week):
        return [_("tous les jours, 24 h sur 24")]
    names = formatting.day_names(language)
    lines, day = [], 0
    while day < 7:
        last = day
        while last + 1 < 7 and week[last + 1] == week[day]:
            last += 1
        if week[day]:
            lines.append(
                _("%(days)s, %(hours)s", days=_days(names, day, last), hours=_spans(week[day]))
            )
        day = last + 1
    return lines or [_("fermé toute la semaine")]


def _days(names: list[str], first: int, last: int) -> str:
    if first == last:
        return names[first]
    if last == first + 1:
        return _("%(first)s et %(last)s", first=names[first], last=names[last])
    return _("du %(first)s au %(last)s", first=names[first], last=names[last])


def _spans(spans: tuple[tuple[time, time], ...]) -> str:
    language = "en" if str(formatting.current_locale()) == "en" else "fr"

    def text(moment: time) -> str:
        if moment == time(0):
            return "24\u00a0h" if language == "fr" else "midnight"
        return formatting.time_text(moment, language)

    parts = [f"{text(a)} – {text(b)}" for a, b in spans]
    if len(parts) == 1:
        return parts[0]
    return _("%(first)s et %(last)s", first=", ".join(parts[:-1]), last=parts[-1])
