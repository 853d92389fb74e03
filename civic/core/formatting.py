"""Template filters: dates shown in Europe/Paris in the user's language, user text as typed;
and the templates' gettext.

Listings call these once per item (a proposal page shows up to a few hundred comment dates
and a hundred translated strings), so the common cases take a fast path that gives exactly
what Flask-Babel and Jinja give, at a fraction of the cost:

- the locale, time zone and translations that Flask-Babel selects for the request are looked
  up once per request and locale (`_current`), not three times per string (a `force_locale`
  block, or Flask-Babel's `refresh`, changes the locale object, and so the lookup);
- named date formats ("short", "medium", "long", "full") are compiled once per locale from
  Babel's own patterns, and the names of months, weekdays and periods taken from Babel itself
  (`_formatter`); fields that need more (time-zone names, eras...) keep Babel's formatter;
- text without anything that looks like a link or an address skips `urlize`, which would
  leave it unchanged (`_may_hold_a_link` finds every word urlize could turn into a link).
"""

import re
from datetime import UTC, date, datetime
from operator import attrgetter
from zoneinfo import ZoneInfo

import flask_babel
import markupsafe
from babel import dates as babel_dates
from flask import Flask, g
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    get_timezone,
    get_translations,
)
from flask_babel.speaklater import LazyString
from jinja2 import pass_context
from jinja2.utils import urlize
from markupsafe import Markup

NAMED_FORMATS = ("short", "medium", "long", "full")

# Everything urlize (Jinja 3.1) may turn into a link: http(s)://, www., an e-mail address
# (with or without mailto:), a bare domain under one of the generic top-level domains it knows
# (in any case). A superset: a false alarm only costs the slow path.
_DOMAINS = (".com", ".net", ".int", ".edu", ".gov", ".org", ".info", ".mil")


def _may_hold_a_link(text: str) -> bool:
    if "@" in text or "://" in text:
        return True
    lowered = text.lower()
    if "www." in lowered:
        return True
    for domain in _DOMAINS:  # a loop of `in`: several times faster than one regex
        if domain in lowered:
            return True
    return False


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def plain_text(text: str) -> Markup:
    """User text as typed: escaped, links made clickable but marked as user content."""
    text = text or ""
    if _may_hold_a_link(text):
        linked = urlize(text, rel="nofollow ugc noopener")  # escapes the text first
    else:
        linked = str(markupsafe.escape(text))  # what urlize returns when it finds no link
    linked = linked.strip()
    if "\n" not in linked:  # one paragraph, most often
        return Markup(f"<p>{linked}</p>" if linked else "")  # noqa: S704  # nosec B704 - escaped
    paragraphs = [p.replace("\n", "<br>\n") for p in _PARAGRAPH_BREAK.split(linked) if p]
    return Markup("".join(f"<p>{p}</p>" for p in paragraphs))  # noqa: S704  # nosec B704 - escaped


# --- dates ---------------------------------------------------------------------------------


def _field(char: str, count: int, locale):
    """One pattern field as (printf conversion, value -> argument), or None for Babel's.

    A number is the value's attribute (a string, so that several can be read at once);
    names (months, weekdays, am / pm) are taken from Babel for each possible value once.
    """

    def babel_says(value) -> str:
        return babel_dates.DateTimeFormat(value, locale)[char * count]

    attributes = {"d": "day", "M": "month", "y": "year", "H": "hour", "m": "minute", "s": "second"}
    if char in attributes and count <= 2 and not (char == "y" and count == 2):
        return (f"%0{count}d", attributes[char])
    if char == "y":
        return ("%02d", lambda v: v.year % 100) if count == 2 else (f"%0{count}d", "year")
    if char == "M":
        months = [babel_says(datetime(2001, m, 1)) for m in range(1, 13)]
        return ("%s", lambda v: months[v.month - 1])
    if char == "E":
        # 2001-01-01 was a Monday: weekday() 0.
        days = [babel_says(datetime(2001, 1, 1 + w)) for w in range(7)]
        return ("%s", lambda v: days[v.weekday()])
    if char == "h" and count <= 2:
        return (f"%0{count}d", lambda v: v.hour % 12 or 12)
    if char == "a":
        periods = [babel_says(datetime(2001, 1, 1, 1)), babel_says(datetime(2001, 1, 1, 13))]
        return ("%s", lambda v: periods[v.hour >= 12])
    return None


def _parts(pattern: str, locale) -> tuple[str, list] | None:
    """A Babel pattern as a printf format and what to fill it with, or None if a field needs
    Babel."""
    template, getters = [], []
    for kind, token in babel_dates.tokenize_pattern(pattern):
        if kind == "chars":
            template.append(token.replace("%", "%%"))
            continue
        field = _field(*token, locale)
        if field is None:
            return None
        template.append(field[0])
        getters.append(field[1])
    return "".join(template), getters


def _function(text: str, getters: list):
    """value -> text % (what each getter reads): one C call when they are all attributes."""
    if all(isinstance(get, str) for get in getters):
        read = attrgetter(*getters) if getters else (lambda value: ())
        if len(getters) == 1:
            return lambda value: text % (read(value),)
        return lambda value: text % read(value)
    readers = [attrgetter(get) if isinstance(get, str) else get for get in getters]
    return lambda value: text % tuple([read(value) for read in readers])


_compiled: dict[tuple[str, str, str], object] = {}


def _formatter(kind: str, fmt: str, locale):
    """The compiled formatter of a named format in a locale (None: use Babel)."""
    key = (kind, fmt, str(locale))
    if key not in _compiled:
        date_part = _parts(babel_dates.get_date_format(fmt, locale).pattern, locale)
        if kind == "date":
            _compiled[key] = date_part and _function(*date_part)
        else:
            time_part = _parts(babel_dates.get_time_format(fmt, locale).pattern, locale)
            # As babel.dates.format_datetime: the locale's "{1} {0}" without its quotes, the
            # time for {0}, the date for {1}; here in one printf format.
            joined = babel_dates.get_datetime_format(fmt, locale).replace("'", "")
            if date_part and time_part:
                parts = {"{0}": time_part, "{1}": date_part}
                text, getters = [], []
                for piece in re.split(r"(\{[01]\})", joined):
                    if piece in parts:
                        text.append(parts[piece][0])
                        getters.extend(parts[piece][1])
                    else:
                        text.append(piece.replace("%", "%%"))
                _compiled[key] = _function("".join(text), getters)
            else:
                _compiled[key] = None
    return _compiled[key]


_zones: dict[str, ZoneInfo] = {}


def current_locale():
    """The locale of this request, as Flask-Babel selects it (cached for the request)."""
    return _current()[0]


def _current():
    """(locale, time zone, translations, formats) as Flask-Babel selects them for this request.

    Kept in Flask-Babel's own per-request namespace next to the locale it caches there, and
    valid as long as that locale object is the same one. Outside a request, or if Flask-Babel
    keeps its state elsewhere one day, the answer comes from its public functions.
    The time zone is a zoneinfo one (converting with pytz takes 6 times longer; it also
    gives the right offsets after 2037, where pytz's tables stop).
    """
    try:
        ctx = g._flask_babel
        state = ctx.civic_formatting
        if state[0] is ctx.babel_locale:
            return state
    except (AttributeError, RuntimeError):
        pass
    locale = get_locale()
    name = str(get_timezone())
    zone = _zones.get(name)
    if zone is None:
        zone = _zones[name] = ZoneInfo(name)
    # The last item: this locale's compiled date formats, found once per request.
    state = (locale, zone, get_translations(), {})
    try:
        ctx = g._flask_babel
        if ctx.babel_locale is locale:
            ctx.civic_formatting = state
    except (AttributeError, RuntimeError):
        pass
    return state


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # stored in UTC, as Flask-Babel assumes
    return value.astimezone(zone)


def datetime_filter(value, fmt: str = "medium") -> str:
    if not value:
        return ""
    if fmt in NAMED_FORMATS and isinstance(value, datetime):
        locale, zone, _translations, formats = _current()
        if locale is not None:
            compiled = formats.get(("datetime", fmt), False)
            if compiled is False:
                compiled = formats[("datetime", fmt)] = _formatter("datetime", fmt, locale)
            if compiled is not None:
                return compiled(_local(value, zone))
    return format_datetime(value, fmt)


def date_filter(value, fmt: str = "long") -> str:
    if not value:
        return ""
    if fmt in NAMED_FORMATS and isinstance(value, date):
        locale, zone, _translations, formats = _current()
        if locale is not None:
            compiled = formats.get(("date", fmt), False)
            if compiled is False:
                compiled = formats[("date", fmt)] = _formatter("date", fmt, locale)
            if compiled is not None:
                local = _local(value, zone) if isinstance(value, datetime) else value
                return compiled(local)
    return format_date(value, fmt)


def gettext(message: str, **variables) -> str:
    """Flask-Babel's gettext, on the translations looked up once per request (for code that
    runs once per listed item)."""
    text = _current()[2].ugettext(message)
    return text % variables if variables else text


# The templates' gettext functions, as Jinja's i18n extension makes them ("newstyle": the
# variables are formatted in, and escaped in autoescaped templates), in one call each: the
# extension's own wrap three calls through the template context for each `_()`.


def lazy_text(value) -> str:
    """The text of a label, translated: a lazy Flask-Babel gettext goes through the fast path
    above (the labels of a listing's filters and items are read for each page)."""
    if isinstance(value, LazyString) and value._func is flask_babel.gettext:
        return gettext(*value._args, **value._kwargs)
    return str(value)


def _translated(context, text: str, variables: dict) -> str:
    if context.eval_ctx.autoescape:
        # A translation is markup as the template's own text is; the variables get escaped.
        text = Markup(text)  # noqa: S704  # nosec B704 - our own catalogue, not user text
    return text % variables


@pass_context
def _template_gettext(__context, __string: str, **variables) -> str:
    return _translated(__context, _current()[2].ugettext(__string), variables)


@pass_context
def _template_ngettext(__context, __singular: str, __plural: str, __num: int, **variables):
    variables.setdefault("num", __num)
    text = _current()[2].ungettext(__singular, __plural, __num)
    return _translated(__context, text, variables)


@pass_context
def _template_pgettext(__context, __string_ctx: str, __string: str, **variables) -> str:
    variables.setdefault("context", __string_ctx)
    return _translated(__context, _current()[2].upgettext(__string_ctx, __string), variables)


@pass_context
def _template_npgettext(__context, __string_ctx, __singular, __plural, __num, **variables):
    variables.setdefault("context", __string_ctx)
    variables.setdefault("num", __num)
    text = _current()[2].unpgettext(__string_ctx, __singular, __plural, __num)
    return _translated(__context, text, variables)


def register(app: Flask) -> None:
    # In place of the callables that Flask-Babel installed (newstyle, like them), and of the
    # i18n extension's `_`, which looks `gettext` up at each call.
    app.jinja_env.newstyle_gettext = True
    app.jinja_env.globals.update(
        _=_template_gettext,
        gettext=_template_gettext,
        ngettext=_template_ngettext,
        pgettext=_template_pgettext,
        npgettext=_template_npgettext,
    )
    app.jinja_env.filters["datetime"] = datetime_filter
    app.jinja_env.filters["date"] = date_filter
    app.jinja_env.filters["nofollow_links"] = plain_text
    app.jinja_env.filters["number"] = lambda value: format_decimal(value or 0)
