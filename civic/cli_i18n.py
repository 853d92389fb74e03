"""The language of `flask civic …`: French, the interface's source language, or English when the
environment asks for it (CIVIC_LANGUAGE, else LC_ALL, LC_MESSAGES or LANG).

Messages are marked `_c("…")` (or `_cn` for plurals) and extracted with the site's own, so the
English catalogue translates both. Click's own words ("Usage", "Error: No such option") come
from a small French catalogue of their own, `translations/fr/LC_MESSAGES/click.po`.
"""

from __future__ import annotations

import gettext
import os
from functools import cache
from pathlib import Path

import click
from babel.numbers import format_decimal
from babel.support import Translations

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def language() -> str:
    for name in ("CIVIC_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").strip().lower()
        if value and value not in ("c", "posix") and not value.startswith("c."):
            return "en" if value.startswith("en") else "fr"
    return "fr"


@cache
def _catalogue(lang: str, domain: str) -> gettext.NullTranslations:
    return Translations.load(str(TRANSLATIONS), [lang], domain=domain)


def _c(message: str, **variables) -> str:
    """A command-line message in the command line's language; %(name)s filled from variables."""
    text = _catalogue(language(), "messages").gettext(message)
    return text % variables if variables else text


def _cn(singular: str, plural: str, n: int, **variables) -> str:
    text = _catalogue(language(), "messages").ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def echo_rejected(rows: list[dict]) -> None:
    """The rows an import refused, one line each: {"row": N, "reason": "..."}."""
    for row in rows:
        click.echo(_c("  ligne %(row)s : %(reason)s", row=row["row"], reason=row["reason"]))


def decimal(value: float) -> str:
    """Two decimals: "0,25" in French, "0.25" in English."""
    return format_decimal(value, "0.00", locale=language())


def percent(share: float) -> str:
    """A share as a percentage with two decimals: "2,50 %" in French, "2.50%" in English."""
    number = decimal(share * 100)
    return f"{number}%" if language() == "en" else f"{number}\u202f%"


def translate_click() -> None:
    """Point click's own messages at the command line's language.

    Click translates its words with the standard library's gettext in the global domain, whose
    language only the environment chooses (C, the usual locale of servers, gives English). Its
    modules bind `_` and `ngettext` by name at import, so they are rebound here, once.
    """
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.termui
    import click.types

    def gettext_(message: str) -> str:
        return _catalogue(language(), "click").gettext(message)

    def ngettext(singular: str, plural: str, n: int) -> str:
        return _catalogue(language(), "click").ngettext(singular, plural, n)

    for module in (
        click.core,
        click.decorators,
        click.exceptions,
        click.formatting,
        click.parser,
        click.termui,
        click.types,
    ):
        if hasattr(module, "_"):
            module._ = gettext_
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext


# Click names its parameter types ("file", "directory") when they are built, at import: the
# command modules import this one first, so that those words are translated too.
translate_click()
