"""What the agenda gives to others: iCalendar feeds (RFC 5545) and schema.org Event data.

UIDs are stable (`evenement-12@host`, `atelier-3@host`, `phase-7@host`, the host being the
site's public address), SEQUENCE grows with each change a calendar must take in, and a
cancelled event stays in the feed with STATUS:CANCELLED so that subscribed calendars drop it.
"""

import json
from datetime import UTC, timedelta
from urllib.parse import urlsplit

from flask import current_app, url_for
from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event as VEvent
from markupsafe import Markup

from civic.core.identity import authority_words
from civic.core.models import utcnow
from civic.core.validators import PARIS
from civic.events import recurrence
from civic.events.models import Kind
from civic.events.sources import AgendaItem


def host() -> str:
    return urlsplit(current_app.config["CIVIC_BASE_URL"]).hostname or "localhost"


def _absolute(url: str) -> str:
    if url.startswith("/"):
        return current_app.config["CIVIC_BASE_URL"].rstrip("/") + url
    return url


def calendar(items: list[AgendaItem], name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Civic//Agenda//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Paris")
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    stamp = utcnow().replace(microsecond=0)
    domain = host()
    for item in items:
        url = _absolute(item.url)
        entry = VEvent()
        entry.add("uid", f"{item.uid}@{domain}")
        entry.add("dtstamp", stamp)
        if item.updated_at is not None:
            entry.add("last-modified", item.updated_at.astimezone(UTC).replace(microsecond=0))
        entry.add("sequence", item.sequence)
        rule = item.recurrence
        if rule is None:
            entry.add("dtstart", item.starts_at.astimezone(UTC))
            entry.add("dtend", item.ends_at.astimezone(UTC))
        else:
            # In Paris time with its zone, so that "9 h" stays 9 h after a change of hour.
            entry.add("dtstart", rule.first_start.astimezone(PARIS))
            entry.add("dtend", rule.first_end.astimezone(PARIS))
            entry.add("rrule", recurrence.ical_rule(rule))
            for start in recurrence.exception_starts(rule):
                entry.add("exdate", start)
        entry.add("summary", item.title)
        if item.place:
            entry.add("location", item.place)
        entry.add("url", url)
        text = "\n\n".join(t for t in (item.description, url) if t)
        entry.add("description", text)
        entry.add("categories", [item.type])
        entry.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        entry.add("transp", "OPAQUE")
        cal.add_component(entry)
    cal.add_missing_timezones()  # the VTIMEZONE of Europe/Paris, when a series names it
    return cal.to_ical()


SCHEMA_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _schedule(rule) -> dict:
    """schema.org's Schedule: the same series as the RRULE, for search engines."""
    start, end = rule.first_start.astimezone(PARIS), rule.first_end.astimezone(PARIS)
    schedule = {
        "@type": "Schedule",
        "repeatFrequency": {
            recurrence.Repeat.WEEKLY: "P1W",
            recurrence.Repeat.FORTNIGHTLY: "P2W",
            recurrence.Repeat.MONTHLY: "P1M",
        }[rule.repeat],
        "byDay": "https://schema.org/" + SCHEMA_DAYS[start.weekday()],
        "startDate": start.date().isoformat(),
        "endDate": rule.until.isoformat(),
        "startTime": start.strftime("%H:%M"),
        "endTime": end.strftime("%H:%M"),
        "scheduleTimezone": "Europe/Paris",
    }
    if rule.repeat == recurrence.Repeat.MONTHLY:
        schedule["byMonthWeek"] = rule.nth
    if rule.exceptions:
        schedule["exceptDate"] = [d.isoformat() for d in sorted(rule.exceptions)]
    return schedule


def json_ld(item: AgendaItem, event) -> Markup:
    """schema.org Event data for search engines and the authority's own site."""
    online = event.kind == Kind.ONLINE
    place = {
        "@type": "Place",
        "name": event.place_name or (event.commune.name if event.commune else ""),
        "address": {
            "@type": "PostalAddress",
            "streetAddress": event.address,
            "addressLocality": event.commune.name if event.commune else "",
            "addressCountry": "FR",
        },
    }
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.description,
        "startDate": event.starts_at.astimezone(PARIS).isoformat(),
        "endDate": event.ends_at.astimezone(PARIS).isoformat(),
        "eventStatus": "https://schema.org/EventCancelled"
        if event.is_cancelled
        else "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OnlineEventAttendanceMode"
        if online
        else "https://schema.org/OfflineEventAttendanceMode",
        "location": {"@type": "VirtualLocation", "url": event.online_url} if online else place,
        "organizer": {"@type": "Organization", "name": item.organiser},
        "url": url_for("events.show", event_id=event.id, _external=True),
        "isAccessibleForFree": True,
    }
    rule = event.rule
    if rule is not None:
        data["eventSchedule"] = _schedule(rule)
    if event.capacity is not None:
        data["maximumAttendeeCapacity"] = event.capacity
        data["remainingAttendeeCapacity"] = event.seats_left
    text = json.dumps(data, ensure_ascii=False)
    # Inside <script>: no "</script>" nor "<!--" can come from the data.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704  # nosec B704 - JSON with <, >, & escaped


def feed_name(parts: list[str]) -> str:
    base = _("Agenda %(of_authority)s", **authority_words())
    return " · ".join([base, *parts])
