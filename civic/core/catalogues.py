"""Compiling the catalogues (`make translations`; the tests call the same function): French
gets its typographic spaces here.

French is the source language, and its msgids are written as people type them, with ordinary
spaces. French typography puts a no-break space before ":" and "»" and after "«", and a narrow
no-break space before ";", "!" and "?", so that a line never starts with one of them and a
screen reader reads one sentence. The French catalogue is compiled with each text so spaced
(the msgid where the msgstr is empty, as it always is in messages.po; the msgstr in click.po),
so that pages, e-mails, letters, PDFs and the command line all get them, with no call anywhere
else and nothing to remember when writing a new string. What users type is never changed.

Usage: python -m civic.core.catalogues translations      (every .po under the folder)
       python -m civic.core.catalogues IN.po OUT.mo
"""

import os
import re
import sys
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
# A msgid may start with the space: " : %(note)s" follows other text on the page.
_BEFORE_WIDE = re.compile(r"(?:(?<=\S)|^) +(?=[:»])")
_BEFORE_NARROW = re.compile(r"(?:(?<=\S)|^) +(?=[;!?])")
_AFTER_OPENING = re.compile(r"« +(?=\S)")


def french_spacing(text: str) -> str:
    """The text with no-break spaces where French typography wants them (idempotent)."""
    if not text:
        return text
    text = _BEFORE_WIDE.sub(NBSP, text)
    text = _BEFORE_NARROW.sub(NARROW_NBSP, text)
    return _AFTER_OPENING.sub("«" + NBSP, text)


def _french(catalog) -> None:
    """Each message's French text, spaced: the msgstr if there is one, else the msgid."""
    forms = catalog.num_plurals
    for message in catalog:
        if not message.id:
            continue  # the header
        message.flags.discard("fuzzy")  # the msgid is the French text: nothing to doubt
        if isinstance(message.id, tuple):
            singular, plural = message.id
            given = message.string if isinstance(message.string, tuple) else ()
            texts = [singular] + [plural] * (forms - 1)
            message.string = tuple(
                french_spacing(given[i] if i < len(given) and given[i] else texts[i])
                for i in range(forms)
            )
        else:
            message.string = french_spacing(message.string or message.id)


def compile_catalogue(po_path: Path, mo_path: Path) -> None:
    """Writes the .mo of a .po (atomically: a running server never reads half a file)."""
    language = po_path.parent.parent.name
    with open(po_path, "rb") as po:
        catalog = read_po(po, locale=language)
    if catalog.locale is not None and catalog.locale.language == "fr":
        _french(catalog)
    fd, tmp = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
    with os.fdopen(fd, "wb") as mo:
        write_mo(mo, catalog)
    os.replace(tmp, mo_path)


if __name__ == "__main__":
    if len(sys.argv) == 3:
        compile_catalogue(Path(sys.argv[1]), Path(sys.argv[2]))
    else:
        for po_path in sorted(Path(sys.argv[1]).glob("*/LC_MESSAGES/*.po")):
            compile_catalogue(po_path, po_path.with_suffix(".mo"))
