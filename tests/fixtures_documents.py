"""Fixtures for draft texts: a short climate plan in the `climate` consultation."""

import pytest

SAMPLE = """# Diagnostic

Le territoire émet 600 000 tonnes de CO2 par an, dont la moitié vient des transports.

Les logements anciens consomment beaucoup d'énergie.

# Axe 1 : se déplacer autrement

## Action 1 : Relier les communes à vélo
Créer un réseau cyclable continu entre les communes.

Pilote : Service mobilités
Budget : 1,2 M€
Indicateurs : kilomètres aménagés ; part modale du vélo

Le vélo doit devenir le premier choix pour les trajets de moins de 5 km.
"""


@pytest.fixture
def climate_draft(climate, db, app):
    """The sample draft, imported by the climate consultation's agent."""
    from civic.documents import services

    with app.test_request_context():
        draft = services.import_draft(
            climate["agent"],
            climate["consultation"],
            title="Projet de plan climat",
            summary="Le projet soumis à la concertation.",
            source=SAMPLE,
        )
    db.session.commit()
    return draft


def item(draft, kind="paragraph", index=0):
    from civic.documents.services import items_of

    return [i for i in items_of(draft.current_version) if i.kind == kind][index]


# --- Word and OpenDocument files, built as an office suite writes them (zip files of XML) ---

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_bytes(paragraphs, styles=True) -> bytes:
    """A .docx of ("style id" or "list" or None, text) paragraphs; "\\n" in a text is a line
    break. Styles name "Titre1".."Titre4" as French Word does ("heading n")."""
    import io
    import zipfile
    from xml.sax.saxutils import escape

    body = []
    for style, text in paragraphs:
        runs = '<w:r><w:t xml:space="preserve">{}</w:t></w:r>'
        content = "<w:r><w:br/></w:r>".join(runs.format(escape(t)) for t in text.split("\n"))
        if style == "list":
            props = '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>'
        elif style:
            props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>'
        else:
            props = ""
        body.append(f"<w:p>{props}{content}</w:p>")
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}">'
        f"<w:body>{''.join(body)}<w:sectPr/></w:body></w:document>"
    )
    style_xml = "".join(
        f'<w:style w:type="paragraph" w:styleId="Titre{n}"><w:name w:val="heading {n}"/></w:style>'
        for n in range(1, 5)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document)
        if styles:
            archive.writestr(
                "word/styles.xml", f'<w:styles xmlns:w="{W_NS}">{style_xml}</w:styles>'
            )
    return buffer.getvalue()


def odt_bytes(body: str) -> bytes:
    """A .odt whose office:text holds this XML (text: and table: prefixes declared)."""
    import io
    import zipfile

    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0">'
        f"<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", content)
    return buffer.getvalue()
