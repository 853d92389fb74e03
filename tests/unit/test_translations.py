"""The catalogues are complete: every string the code and the templates mark for translation (the
same extraction as `make extract`) has a checked English translation with the same
placeholders, the English pages show no French left over, and French plurals follow the French
rule. French is the source language: the msgids are French."""

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask_babel import force_locale, get_domain, get_translations
from jinja2 import TemplateSyntaxError

from civic.core.catalogues import NARROW_NBSP, NBSP, compile_catalogue, french_spacing

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
# The options of `pybabel extract` in the Makefile: babel.cfg, and -k _l -k lazy_gettext.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
# A %-format token: %(name)s, %(num)d, %%, or a bare % (no space flag, so that "50 % des" is a
# bare % and not the "% d" conversion).
FORMAT = re.compile(r"%(?:\(\w+\))?(?:[-#0+]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%])?")
LAYOUT_FRENCH = (
    "Aller au contenu",
    "Aller au menu",
    "Mentions légales",
    "Données personnelles",
    "Charte de participation",
    "Menu principal",
)


def extract(strict: bool = False) -> Catalog:
    """The messages that `make extract` finds. With strict, a template that Jinja cannot parse
    fails instead of being skipped without a word (babel's jinja2 extractor is silent by
    default)."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, filename="babel.cfg")
    if strict:
        jinja = {pattern for pattern, method in method_map if method == "jinja2"}
        options_map = {
            pattern: {**options, "silent": "false"} if pattern in jinja else options
            for pattern, options in options_map.items()
        }
    current = {}

    def note_file(filename, method, options):
        current["file"] = filename

    catalog = Catalog(locale=None)
    try:
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS, callback=note_file
        ):
            catalog.add(
                message, None, [(filename, lineno)], auto_comments=comments, context=context
            )
    except TemplateSyntaxError as error:
        problem = f"line {error.lineno}: {error.message}"
    else:
        return catalog
    pytest.fail(
        f"{current.get('file')} cannot be parsed for extraction ({problem}), so none of its "
        "strings reach the catalogue. If the tag comes from a Jinja extension, such as "
        "{% do %}, list it in babel.cfg under [jinja2: ...]: `extensions = jinja2.ext.do`."
    )


def read_catalogue(lang: str) -> Catalog:
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=lang)


def strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def tokens(text: str) -> set[str]:
    return set(FORMAT.findall(text))


@pytest.fixture(scope="module")
def extracted() -> Catalog:
    return extract()


@pytest.fixture(scope="module")
def english() -> Catalog:
    return read_catalogue("en")


@pytest.fixture
def compiled(app):
    """Compile each .po whose .mo is missing or older (as `make translations` does), then drop
    Flask-Babel's cache, which may hold a catalogue loaded before."""
    changed = False
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        compile_catalogue(po_path, mo_path)
        changed = True
    if changed:
        with app.app_context():
            get_domain().cache.clear()


def test_every_template_can_be_extracted():
    extract(strict=True)


def test_every_message_has_a_checked_english_translation(extracted, english):
    missing = []
    for message in extracted:
        if not message.id:
            continue
        entry = english.get(message.id, message.context)
        if entry is None or entry.fuzzy or not all(s.strip() for s in strings(entry)):
            missing.append(ids(message)[0])
    assert not missing, (
        f"{len(missing)} message(s) without a checked English translation in "
        "translations/en/LC_MESSAGES/messages.po (run `make extract`, translate, remove the "
        "fuzzy flags):\n" + "\n".join(f"  {msgid!r}" for msgid in missing)
    )


def test_french_messages_use_no_point_median(extracted):
    """"inscrit·e", "présent·e": screen readers stumble on the point médian and the State's
    writing rules avoid it; French messages use both forms or neutral words."""
    inclusive = [i for message in extracted for i in ids(message) if re.search(r"\w·\w", i)]
    assert not inclusive, inclusive


def test_catalogues_have_a_header_that_is_not_fuzzy():
    # Without its header a .po is fuzzy as a whole, and `pybabel compile` skips it silently.
    for lang in ("en", "fr"):
        catalog = read_catalogue(lang)
        assert not catalog.fuzzy, (
            f"translations/{lang}/LC_MESSAGES/messages.po has no header or a fuzzy one: "
            "compiling skips it. `pybabel update` must not be given "
            "--omit-header."
        )
        assert catalog.plural_forms == Catalog(locale=lang).plural_forms


def test_translations_keep_the_placeholders(english):
    wrong = []
    for message in english:
        if not message.id:
            continue
        sources = ids(message)
        for index, translation in enumerate(strings(message)):
            if not translation:
                continue
            source = sources[min(index, len(sources) - 1)]
            if tokens(source) != tokens(translation):
                wrong.append(f"  {source!r}: {sorted(tokens(source))} ≠ {translation!r}")
    assert not wrong, "Placeholders differ between msgid and msgstr:\n" + "\n".join(wrong)


def test_french_catalogue_keeps_empty_msgstr_and_every_plural(extracted):
    """French is the source: its catalogue keeps empty msgstr (the compiled catalogue spaces
    the msgids), and holds every plural message so that it is compiled with the French rule
    (0 and 1 take the singular)."""
    french = read_catalogue("fr")
    translated = [m.id for m in french if m.id and any(strings(m))]
    assert not translated, f"French msgstr must stay empty (French is the source): {translated}"
    plurals = [m.id for m in extracted if isinstance(m.id, tuple)]
    absent = [p[0] for p in plurals if french.get(p[0]) is None]
    assert not absent, f"Plural messages missing from the fr catalogue: {absent}"


def test_french_plural_of_zero_is_singular(app, extracted, compiled):
    plurals = [m.id for m in extracted if isinstance(m.id, tuple)]
    if not plurals:
        pytest.skip("no plural message yet")
    singular, plural = plurals[0][:2]
    with app.test_request_context(), force_locale("fr"):
        translations = get_translations()
        assert translations.ngettext(singular, plural, 0) == french_spacing(singular)
        assert translations.ngettext(singular, plural, 2) == french_spacing(plural)


def test_english_home_page_has_no_french_left_in_the_layout(client, compiled):
    client.post("/langue", data={"lang": "en"})
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Skip to content" in page and "Legal notice" in page
    left = [text for text in LAYOUT_FRENCH if text in page]
    assert not left, f"French left on the English home page: {left}"


def test_french_spacing_follows_french_typography():
    text = "Erreur : « %(x)s » ; encore ! Vraiment ?"
    spaced = (
        f"Erreur{NBSP}: «{NBSP}%(x)s{NBSP}»{NARROW_NBSP}; encore{NARROW_NBSP}! "
        f"Vraiment{NARROW_NBSP}?"
    )
    assert french_spacing(text) == spaced
    assert french_spacing(spaced) == spaced
    assert french_spacing(" : %(note)s") == f"{NBSP}: %(note)s"
    for unchanged in ("https://sicoval.fr/?q=1", "à 10:30", "8 h 30", "?!"):
        assert french_spacing(unchanged) == unchanged


# Markup and code of a page, left out before reading its text.
_NOT_TEXT = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S)
# A space before ":", ";", "!", "?", "»" (or after "«") that a line may break at.
_BREAKABLE = re.compile(r"\S [:;!?»]|« ")


@pytest.mark.parametrize("path", ["/charte", "/aide", "/compte/inscription", "/donnees-ouvertes"])
def test_french_pages_never_break_a_line_before_a_colon(client, compiled, path):
    response = client.get(path)
    assert response.status_code == 200
    text = _NOT_TEXT.sub("", response.get_data(as_text=True))
    assert f"{NBSP}:" in text
    assert not _BREAKABLE.findall(text), _BREAKABLE.findall(text)[:5]


def test_english_text_keeps_its_own_punctuation(client, compiled):
    client.post("/langue", data={"lang": "en"})
    text = _NOT_TEXT.sub("", client.get("/charte").get_data(as_text=True))
    assert f"{NBSP}:" not in text and NARROW_NBSP not in text
