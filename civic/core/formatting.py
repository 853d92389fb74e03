"""The one place for dates, times, numbers, collation and elision in both languages, for
templates and code alike; user text as typed; and the templates' gettext.

Listings call these once per item (a proposal page shows up to a few hundred comment dates
and a hundred translated strings), so the common cases take a fast path:

- the locale, time zone and translations that Flask-Babel selects for the request are looked
  up once per request and locale (`_current`), not three times per string (a `force_locale`
  block, or Flask-Babel's `refresh`, changes the locale object, and so the lookup);
- dates are written with the month and day names that Babel gives, fetched once per language;
- text without anything that looks like a link or an address skips `urlize`, which would
  leave it unchanged (`_may_hold_a_link` finds every word urlize could turn into a link).
"""

import re
import unicodedata
from datetime import UTC, date, datetime, time
from operator import attrgetter
from zoneinfo import ZoneInfo

import flask_babel
import markupsafe
from babel import core as babel_core
from babel import dates as babel_dates
from babel.numbers import format_decimal as format_decimal_babel
from babel.numbers import format_percent as format_percent_babel
from flask import Flask, g
from flask_babel import (
    format_date,
    format_datetime,
    get_locale,
    get_timezone,
    get_translations,
)
from flask_babel.speaklater import LazyString
from jinja2 import pass_context
from jinja2.utils import urlize
from markupsafe import Markup

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


# --- dates and times: one style for the whole site ---------------------------------------
# As a French public authority writes them: "jeudi 31 décembre 2026 à 19 h", "19 h 30",
# "1er mars 2027"; in English "Thursday 31 December 2026, 7 pm", "7.30 pm". Events (agenda,
# workshops, invitations) name the weekday ("full"); publication dates do not. Spaces inside
# a date or a time are no-break spaces, so that "19 h" never wraps between its parts.

NAMED_FORMATS = ("short", "medium", "long", "full")
NBSP = "\u00a0"

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


_names: dict[str, tuple[list[str], list[str]]] = {}


def _language(locale) -> str:
    return "en" if locale is not None and locale.language == "en" else "fr"


def current_language() -> str:
    """ "fr" or "en", for this request (or the language an e-mail is written in)."""
    return _language(current_locale())


def _month_and_day_names(language: str) -> tuple[list[str], list[str]]:
    if language not in _names:
        months = babel_dates.get_month_names("wide", locale=language)
        days = babel_dates.get_day_names("wide", locale=language)
        _names[language] = ([months[m] for m in range(1, 13)], [days[d] for d in range(7)])
    return _names[language]


def time_text(value: datetime | time, language: str = "fr") -> str:
    """'19 h', '19 h 30', '0 h 15'; in English '7 pm', '7.30 pm', '12.15 am'."""
    hour, minute = value.hour, value.minute
    if language == "en":
        text = str(hour % 12 or 12) + (f".{minute:02d}" if minute else "")
        return f"{text}{NBSP}{'am' if hour < 12 else 'pm'}"
    return f"{hour}{NBSP}h" + (f"{NBSP}{minute:02d}" if minute else "")


def date_text(value: date, language: str = "fr", weekday: bool = False) -> str:
    """'31 décembre 2026', '1er mars 2027', 'jeudi 31 décembre 2026'; English alike."""
    months, days = _month_and_day_names(language)
    day = f"{value.day}er" if value.day == 1 and language == "fr" else str(value.day)
    text = f"{day}{NBSP}{months[value.month - 1]}{NBSP}{value.year}"
    if weekday:
        name = days[value.weekday()]
        text = f"{name.capitalize() if language == 'en' else name} {text}"
    return text


def datetime_text(value: datetime, language: str = "fr", weekday: bool = False) -> str:
    joiner = ", " if language == "en" else " à "
    return date_text(value, language, weekday) + joiner + time_text(value, language)


def local_time(value: datetime) -> datetime:
    """A stored (UTC) moment in the request's time zone (Europe/Paris)."""
    return _local(value, _current()[1])


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # stored in UTC, as Flask-Babel assumes
    return value.astimezone(zone)


def datetime_filter(value, fmt: str = "medium") -> str:
    """A moment for people: with the weekday when fmt is "full" (events), without otherwise."""
    if not value:
        return ""
    if fmt not in NAMED_FORMATS:
        return format_datetime(value, fmt)  # an explicit Babel pattern
    locale, zone = _current()[:2]
    if not isinstance(value, datetime):
        return date_text(value, _language(locale), fmt == "full")
    return datetime_text(_local(value, zone), _language(locale), fmt == "full")


def date_filter(value, fmt: str = "long") -> str:
    if not value:
        return ""
    if fmt not in NAMED_FORMATS:
        return format_date(value, fmt)
    locale, zone = _current()[:2]
    local = _local(value, zone) if isinstance(value, datetime) else value
    return date_text(local, _language(locale), fmt == "full")


def time_filter(value) -> str:
    if not value:
        return ""
    locale, zone = _current()[:2]
    local = _local(value, zone) if isinstance(value, datetime) else value
    return time_text(local, _language(locale))


def span_filter(start: datetime, end: datetime | None = None) -> str:
    """An event: 'jeudi 31 décembre 2026, de 19 h à 21 h' (or across days, both in full)."""
    if not start:
        return ""
    locale, zone = _current()[:2]
    language = _language(locale)
    start = _local(start, zone)
    if end is None:
        return datetime_text(start, language, weekday=True)
    end = _local(end, zone)
    if end.date() != start.date():
        first = datetime_text(start, language, weekday=True)
        last = datetime_text(end, language, weekday=True)
        return f"{first} – {last}" if language == "en" else f"du {first} au {last}"
    day = date_text(start, language, weekday=True)
    if language == "en":
        return f"{day}, {time_text(start, language)} – {time_text(end, language)}"
    return f"{day}, de {time_text(start, language)} à {time_text(end, language)}"


def today_local() -> date:
    return datetime.now(UTC).astimezone(_current()[1]).date()


def day_names(language: str) -> list[str]:
    """Monday to Sunday, in words."""
    return _month_and_day_names(language)[1]


def relative_filter(value: datetime, now: datetime | None = None) -> str:
    """A moment in the coming days: 'aujourd'hui à 13 h 30', 'demain à 8 h 30',
    'lundi à 9 h', later 'le 3 janvier 2027 à 9 h'."""
    if not value:
        return ""
    locale, zone = _current()[:2]
    language = _language(locale)
    value = _local(value, zone)
    days = (value.date() - _local(now or datetime.now(UTC), zone).date()).days
    when = time_text(value, language)
    if days == 0:
        return gettext("aujourd'hui à %(time)s", time=when)
    if days == 1:
        return gettext("demain à %(time)s", time=when)
    if 1 < days < 7:
        return gettext("%(day)s à %(time)s", day=day_names(language)[value.weekday()], time=when)
    return gettext("le %(date)s", date=datetime_text(value, language))


def waiting_filter(since: datetime, now: datetime | None = None) -> str:
    """How long something has waited, as people count it: 'moins d'une heure', '5 heures',
    from two days on '3 jours'."""
    if not since:
        return ""
    hours = int(((now or datetime.now(UTC)) - since).total_seconds() // 3600)
    translations = _current()[2]
    if hours < 1:
        return translations.ugettext("moins d'une heure")
    if hours < 48:
        return translations.ungettext("%(num)d heure", "%(num)d heures", hours) % {"num": hours}
    days = hours // 24
    return translations.ungettext("%(num)d jour", "%(num)d jours", days) % {"num": days}


# --- numbers ------------------------------------------------------------------------------
# Babel's patterns of the request's language: decimal comma and narrow no-break space between
# thousands in French ("12 345,5"), a no-break space before "%" ("8,0 %").


def number(value, digits: int | None = None) -> str:
    """A number in the request's language; `digits` fixes the decimals (None: as needed)."""
    locale = _current()[0] or "fr"
    if value is None:
        value = 0
    elif not isinstance(value, int):
        value = float(value)  # a Fraction or Decimal, which Babel does not read
    if digits is None:
        return format_decimal_babel(value, locale=locale)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal_babel(value, pattern, locale=locale)


def percent(value, digits: int = 0) -> str:
    """A share (0.08) as a percentage: '8 %', or with digits=1 '8,0 %'."""
    locale = babel_core.Locale.parse(_current()[0] or "fr")
    pattern = locale.percent_formats[None].pattern
    if digits:
        pattern = pattern.replace("0", "0." + "0" * digits, 1)
    return format_percent_babel(float(value or 0), pattern, locale=locale)  # also Fraction


def file_size(size: int) -> str:
    """'0,3 Ko', '1,2 Mo', '640 octets'; in English '0.3 KB', '1.2 MB', '640 bytes'."""
    language = _language(_current()[0])
    units = ("Ko", "Mo", "Go") if language == "fr" else ("KB", "MB", "GB")
    if size < 100:
        word = "octets" if language == "fr" else "bytes"
        return f"{number(size)}{NBSP}{word}"
    value = size / 1000
    for unit in units:
        if value < 1000 or unit == units[-1]:
            return f"{number(value, 1)}{NBSP}{unit}"
        value /= 1000
    raise AssertionError("unreachable")


# --- collation ----------------------------------------------------------------------------
# Alphabetical order as French readers expect it: accents and case do not change a word's
# place ("Péchabou" before "Pouze", "Économie" among the E's), they only break ties; hyphens
# and apostrophes separate words. The Unicode Collation Algorithm at its first levels, which
# is all that French names and titles need (PyICU has no wheel on PyPI: it needs a compiler
# and ICU's headers at install time).

_FOLD = str.maketrans(
    {
        "œ": "oe",
        "Œ": "oe",
        "æ": "ae",
        "Æ": "ae",
        "-": " ",
        "'": " ",
        "\u2019": " ",
        "\u2010": " ",
        "\u2011": " ",
    }
)


def sort_key(text) -> tuple[str, str, str]:
    """Primary: letters without accents or case; then accents; then case."""
    text = str(text or "")
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    primary = " ".join(letters.casefold().split())
    # French orders accents from the end of the word ("cote < côte < coté < côté").
    secondary = "".join(
        "1" if unicodedata.combining(c) else "0" for c in reversed(decomposed.casefold())
    )
    return (primary, secondary, text)


def collate(items, attribute: str | None = None) -> list:
    """The items in French alphabetical order, by themselves or by one attribute."""
    if attribute is None:
        return sorted(items, key=sort_key)
    get = attrgetter(attribute)
    return sorted(items, key=lambda item: sort_key(get(item)))


# --- elision ------------------------------------------------------------------------------
# A French article or preposition before a word that starts with a vowel is elided:
# "mairie d'Ayguesvives", "table d'Éric A.". The catalogue's own words are written right;
# where a value is put into a sentence ("de %(commune)s"), the word before it is elided.
# H is left alone: "l'hôpital" but "le Hameau".

_VOWELS = "aeiouyàâäéèêëîïôöùûüœæ"
_BEFORE_VALUE = re.compile(r"\b([DdLlJjNnSsMmTt]e|[Ll]a|[Qq]ue) (%\((\w+)\)s)")
_BEFORE_VOWEL = re.compile(r"\b([DdLlJjNnSsMmTt]e|[Ll]a|[Qq]ue) (?=[" + _VOWELS + r"])", re.I)


def _elided(word: str) -> str:
    return word[:-1] + "'"


def elide(text: str) -> str:
    """French text with 'de', 'le', 'la', 'que'... elided before a vowel."""
    elided = _BEFORE_VOWEL.sub(lambda m: _elided(m.group(1)), str(text))
    return Markup(elided) if isinstance(text, Markup) else elided  # noqa: S704  # nosec B704


def _elide_before_values(text: str, variables: dict) -> str:
    """Elides the word before each %(name)s whose value starts with a vowel."""

    def fix(match: re.Match) -> str:
        value = str(variables.get(match.group(3), ""))
        if value[:1].lower() in _VOWELS and value[:1]:
            return _elided(match.group(1)) + match.group(2)
        return match.group(0)

    return _BEFORE_VALUE.sub(fix, text)


def gettext(message: str, **variables) -> str:
    """Flask-Babel's gettext, on the translations looked up once per request (for code that
    runs once per listed item)."""
    locale, _zone, translations, _cache = _current()
    text = translations.ugettext(message)
    if not variables:
        return text
    if _language(locale) == "fr":
        text = _elide_before_values(text, variables)
    return text % variables


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
    if variables and "%(" in text and _language(_current()[0]) == "fr":
        text = _elide_before_values(text, variables)
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
    app.jinja_env.filters.update(
        datetime=datetime_filter,
        date=date_filter,
        time=time_filter,
        span=span_filter,
        relative_day=relative_filter,
        waiting=waiting_filter,
        number=number,
        percent=percent,
        file_size=file_size,
        collate=collate,
        elide=elide,
        nofollow_links=plain_text,
    )
    app.jinja_env.filters.update(hours=hours_filter)
    app.jinja_env.globals.update(weekday_names=weekday_names)


# --- the agenda's needs: the hours of one day, the days of the week -----------------------


def hours_filter(start: datetime, end: datetime | None = None) -> str:
    """The hours of an event inside a day: 'de 19 h à 21 h', 'à 19 h' without an end; in
    English '7 pm – 9 pm', 'at 7 pm'. (Across days, `span` says both dates.)"""
    if not start:
        return ""
    locale, zone = _current()[:2]
    language = _language(locale)
    first = time_text(_local(start, zone), language)
    if end is None:
        return f"at {first}" if language == "en" else f"à {first}"
    last = time_text(_local(end, zone), language)
    return f"{first} – {last}" if language == "en" else f"de {first} à {last}"


def weekday_names() -> list[str]:
    """Monday to Sunday in the request's language, as a calendar's column headers."""
    return day_names(_language(_current()[0]))
