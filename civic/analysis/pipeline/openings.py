"""Prompt openings that consultation forms put before every idea, and their removal.

Forms prefill "Nous devrions…" or "J'ai une idée !" (in French, English and German on the
platform the shared proposals come from): the opening says nothing about the idea, weighs on
the vectors of every text alike, and makes a poor title.
"""

from __future__ import annotations

import re

_THEN = r"(?:\s+(?:de|que)|\s+(?:d|qu)['’])?"  # "de …", "que …" after the opening
_OPENINGS = [
    r"j['’]\s?ai\s+une\s+id[ée]e\s*!?",
    r"nous\s+devrions",
    r"nous\s+pourrions",
    r"il\s+faudrait",
    r"je\s+propose",
    r"je\s+voudrais",
    r"nous\s+avons\s+besoin",
    r"comment\s+pourrions[-\s]nous",
    r"i\s+have\s+an\s+idea\s*!?",
    r"i\s+would\s+like",
    r"our\s+community\s+needs",
    r"we\s+should",
    r"ich\s+habe\s+eine\s+idee\s*!?",
]
_OPENING_RE = re.compile(
    r"^\s*(?:" + "|".join(_OPENINGS) + r")" + _THEN + r"(?=[\s:,.!…-]|$|(?<=['’]))[\s:,.!…-]*",
    re.IGNORECASE,
)


def strip_opening(text: str) -> str:
    """`text` without its leading prompt openings, its first letter in upper case.

    "Nous devrions équiper les élèves" gives "Équiper les élèves"; "Comment pourrions-nous
    mieux trier ?" gives "Mieux trier ?"; "Nous avons besoin J'ai une idée ! Arrêtons…" (two
    prompts, as the shared data has) gives "Arrêtons…". A text that is nothing but an opening
    is kept as is.
    """
    rest = text
    while (match := _OPENING_RE.match(rest)) is not None and rest[match.end() :].strip():
        rest = rest[match.end() :].strip()
    if rest is text:
        return text
    return rest[0].upper() + rest[1:]


# Ways of speaking that open many ideas but make a poor title: dropped from titles only (an
# imported text keeps them, since its author wrote them).
_SPEECH_RE = re.compile(
    r"^\s*(?:il\s+faut|on\s+pourrait|on\s+devrait|nous\s+devons|je\s+souhaite(?:rais)?"
    r"|il\s+serait\s+(?:bien|bon|utile|temps)\s+(?:de|d['’]))"
    + _THEN
    + r"(?=[\s:,.!…-]|$|(?<=['’]))[\s:,.!…-]*",
    re.IGNORECASE,
)


def strip_speech(text: str) -> str:
    """`text` without its prompt openings nor a leading "Il faut", "On pourrait"…, for a
    title: "Il faut que les bus passent" gives "Les bus passent"."""
    text = strip_opening(text)
    match = _SPEECH_RE.match(text)
    rest = text[match.end() :].strip() if match else ""
    return rest[0].upper() + rest[1:] if rest else text
