"""Word and OpenDocument drafts to the import's Markdown, and broken or hostile files."""

import io
import zipfile

import pytest

from civic.documents import office
from civic.documents.text import parse
from tests.fixtures_documents import docx_bytes, odt_bytes

PLAN = [
    ("Titre1", "Diagnostic"),
    (None, "Le territoire émet 600 000 tonnes de CO2 par an."),
    ("Titre1", "Axe 1 : se déplacer autrement"),
    ("Titre2", "Action 1 : Relier les communes à vélo"),
    (None, "Créer un réseau cyclable continu."),
    (None, "Pilote : Service mobilités"),
    (None, "Budget : 1,2 M€"),
    (None, "Indicateurs :"),
    ("list", "kilomètres aménagés"),
    ("list", "part modale du vélo"),
    ("Titre1", "Axe 2 : habiter"),
    (None, "Les priorités :"),
    ("list", "isoler les écoles"),
    ("list", "aider les ménages"),
    (None, "Première ligne\nseconde ligne"),
]


def test_docx_headings_paragraphs_lists_and_the_action_convention():
    markdown = office.to_markdown(docx_bytes(PLAN), "docx")
    assert markdown.startswith("# Diagnostic\n\nLe territoire émet")
    assert "- isoler les écoles\n- aider les ménages" in markdown
    items = parse(markdown)
    assert [i.kind for i in items] == [
        "heading",
        "paragraph",
        "heading",
        "action",
        "heading",
        "paragraph",
        "paragraph",
    ]
    action = items[3]
    assert action.title == "Relier les communes à vélo"
    assert action.lead_service == "Service mobilités" and action.budget_cents == 120_000_000
    assert action.indicators == ["kilomètres aménagés", "part modale du vélo"]
    assert action.text == "Créer un réseau cyclable continu."
    assert items[5].text == "Les priorités :\n- isoler les écoles\n- aider les ménages"
    assert items[6].text == "Première ligne\nseconde ligne"


def test_docx_outline_level_without_styles_part():
    data = docx_bytes([("Heading2", "Sans styles"), (None, "Un paragraphe.")], styles=False)
    # No styles.xml: an unknown style id is a paragraph, so the heading needs its level.
    assert office.to_markdown(data, "docx") == "Sans styles\n\nUn paragraphe.\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "word/document.xml",
            f'<w:document xmlns:w="{office.W[1:-1]}"><w:body><w:p><w:pPr>'
            '<w:outlineLvl w:val="1"/></w:pPr><w:r><w:t>Niveau deux</w:t></w:r></w:p>'
            "</w:body></w:document>",
        )
    assert office.to_markdown(buffer.getvalue(), "docx") == "## Niveau deux\n"


def test_docx_main_part_named_by_the_package_relationships():
    paragraph = "<w:p><w:r><w:t>Ailleurs</w:t></w:r></w:p>"
    data = zipped(
        **{
            "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="/word/document2.xml"/>'
            "</Relationships>",
            "word/document2.xml": f'<w:document xmlns:w="{office.W[1:-1]}"><w:body>'
            f"{paragraph}</w:body></w:document>",
        }
    )
    assert office.to_markdown(data, "docx") == "Ailleurs\n"


def test_password_protected_odt_is_named_as_such():
    manifest = (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/>'
        "</manifest:file-entry></manifest:manifest>"
    )
    data = zipped(**{"META-INF/manifest.xml": manifest, "content.xml": "\x00\x93ciphered"})
    with pytest.raises(office.OfficeError) as raised:
        office.to_markdown(data, "odt")
    assert raised.value.code == "not_zip"


def test_odt_headings_lists_spaces_and_tables():
    body = (
        '<text:h text:outline-level="1">Diagnostic</text:h>'
        "<text:p>Deux<text:s/>espaces et <text:span>un style</text:span>"
        "<text:note><text:note-body><text:p>note</text:p></text:note-body></text:note>.</text:p>"
        '<text:h text:outline-level="3">Action 2 : Rénover les écoles</text:h>'
        "<text:p>Pilote : Service bâtiments</text:p>"
        "<text:p>Indicateurs :</text:p>"
        "<text:list><text:list-item><text:p>écoles rénovées</text:p></text:list-item>"
        "<text:list-item><text:p>kWh économisés</text:p></text:list-item></text:list>"
        '<text:h text:outline-level="1">Annexe</text:h>'
        "<table:table><table:table-row><table:table-cell><text:p>Dans un tableau</text:p>"
        "</table:table-cell></table:table-row></table:table>"
    )
    markdown = office.to_markdown(odt_bytes(body), "odt")
    assert "Deux espaces et un style." in markdown and "note" not in markdown
    items = parse(markdown)
    action = next(i for i in items if i.kind == "action")
    assert action.title == "Rénover les écoles" and action.lead_service == "Service bâtiments"
    assert action.indicators == ["écoles rénovées", "kWh économisés"]
    assert items[-1].kind == "paragraph" and items[-1].text == "Dans un tableau"


def zipped(**parts) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "extension", "code"),
    [
        (b"", "docx", "not_zip"),
        (b"PK\x03\x04 truncated", "docx", "not_zip"),
        (b"{\\rtf1 not a zip}", "odt", "not_zip"),
        (zipped(**{"other.xml": "x"}), "docx", "not_text"),  # a zip, but not a Word text
        (zipped(**{"word/document.xml": "<w:document"}), "docx", "bad_xml"),  # cut short
        (zipped(**{"content.xml": "<a/>"}), "odt", "not_text"),  # a spreadsheet, say
        (
            zipped(
                **{
                    "content.xml": '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx">'
                    '<!ENTITY y "&x;&x;">]><a>&y;</a>'
                }
            ),
            "odt",
            "bad_xml",
        ),
    ],
)
def test_broken_or_hostile_files_are_named_errors(data, extension, code):
    with pytest.raises(office.OfficeError) as raised:
        office.to_markdown(data, extension)
    assert raised.value.code == code


def test_zip_bomb_stops_at_the_size_limit(monkeypatch):
    monkeypatch.setattr(office, "MAX_PART", 10_000)
    bomb = zipped(**{"content.xml": "<a>" + " " * 1_000_000 + "</a>"})
    assert len(bomb) < 5_000  # a million spaces deflate to almost nothing
    with pytest.raises(office.OfficeError) as raised:
        office.to_markdown(bomb, "odt")
    assert raised.value.code == "too_large"
