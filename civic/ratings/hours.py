"""Opening hours in OSM `opening_hours` syntax: open now or not, and when that changes."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import opening_hours

PARIS = ZoneInfo("Europe/Paris")


@dataclass
class HoursState:
    known: bool
    is_open: bool = False
    next_change: datetime | None = None  # Paris local time


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
    return HoursState(
        known=True, is_open=hours.is_open(local), next_change=hours.next_change(local)
    )
