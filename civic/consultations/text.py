"""French text helpers: slugs, search stems, and glossary terms explained in place."""

import re
import unicodedata
from functools import cache

import snowballstemmer
from markupsafe import Markup, escape

WORD = re.compile(r"[a-z0-9]+")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slugify(text: str, max_length: int = 80) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", strip_accents(text).lower()).strip("-")
    return slug[:max_length].rstrip("-") or "x"


@cache
def _stemmer():
    return snowballstemmer.stemmer("french")


def stems(text: str) -> list[str]:
    """Lower-cased Snowball stems without accents: 'Écoles' and 'école' give the same stem."""
    words = WORD.findall(strip_accents(text.lower().replace("’", "'")))
    return [strip_accents(s) for s in _stemmer().stemWords(words) if len(s) > 1]


def link_glossary(html: str, terms: list[tuple[str, str, str]]) -> Markup:
    """Link the first occurrence of each glossary term in cleaned HTML to its definition.

    `terms` are (term, definition, anchor). Only text outside tags and outside links is
    touched, so the cleaned markup stays as it was.
    """
    if not terms:
        return Markup(html)  # noqa: S704  # nosec B704 - already cleaned by core.sanitize
    pending = {t.lower(): (t, d, a) for t, d, a in terms}
    pattern = re.compile(
        r"\b("
        + "|".join(re.escape(t) for t, _, _ in sorted(terms, key=lambda x: -len(x[0])))
        + r")\b",
        re.IGNORECASE,
    )
    out, in_link = [], 0
    for part in re.split(r"(<[^>]+>)", html):
        if part.startswith("<"):
            if re.match(r"<a[\s>]", part, re.IGNORECASE):
                in_link += 1
            elif part.lower().startswith("</a"):
                in_link = max(0, in_link - 1)
            out.append(part)
            continue
        if in_link:
            out.append(part)
            continue

        def replace(match):
            found = pending.pop(match.group(0).lower(), None)
            if found is None:
                return match.group(0)
            _term, definition, anchor = found
            return (
                f'<a class="glossary-term" href="/glossaire#{anchor}" '
                f'title="{escape(definition)}">{match.group(0)}</a>'
            )

        out.append(pattern.sub(replace, part))
    return Markup("".join(out))  # noqa: S704  # nosec B704 - cleaned HTML, escaped definitions
