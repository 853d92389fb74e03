""".docx and .odt drafts to the Markdown of the import convention (civic.documents.text).

Both formats are zip files of XML: the text is read with zipfile and xml.etree, without a
new dependency. Headings come from the paragraph styles (Word's "Heading n" / "Titre n" or
an outline level; ODF's text:h), list entries become "- " lines, every other paragraph a
paragraph; the action convention then applies to the result as to a typed Markdown text.

An upload is untrusted: the archive's parts are read with a size limit whatever their
declared size (zip bombs), and XML declaring a DOCTYPE is refused (no office suite writes
one; it is how entity expansion attacks start). No Flask, no database: bytes in, text out.
"""

import io
import re
import zipfile
from xml.etree import ElementTree as ET  # noqa: S405  # nosec B405 - DOCTYPEs refused first

MAX_PART = 20_000_000  # bytes of XML in one part once unzipped: a 500-page text is ~5 MB
MAX_HEADING = 4  # the Markdown convention's deepest heading

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
HEADING_STYLE = re.compile(r"^(?:heading|titre|berschrift|überschrift)\s*(\d)$", re.IGNORECASE)
DOCTYPE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


class OfficeError(ValueError):
    """The file cannot be read; `code` says why: not_zip, not_text, too_large, bad_xml."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def to_markdown(data: bytes, extension: str) -> str:
    """The Markdown of a .docx or .odt file's text (extension: "docx" or "odt")."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise OfficeError("not_zip") from None
    with archive:
        if extension == "docx":
            return _docx(archive)
        return _odt(archive)


def _part(archive: zipfile.ZipFile, name: str, required: bool = True) -> ET.Element | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        if required:
            raise OfficeError("not_text") from None
        return None
    if info.file_size > MAX_PART:
        raise OfficeError("too_large")
    try:
        with archive.open(info) as member:
            raw = member.read(MAX_PART + 1)  # the declared size may lie
    except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, NotImplementedError):
        raise OfficeError("not_zip") from None  # damaged, encrypted or an unknown compression
    if len(raw) > MAX_PART:
        raise OfficeError("too_large")
    if DOCTYPE.search(raw):
        raise OfficeError("bad_xml")
    try:
        return ET.fromstring(raw)  # noqa: S314  # nosec B314 - no DOCTYPE, size bounded
    except ET.ParseError:
        raise OfficeError("bad_xml") from None


class _Writer:
    """Markdown blocks: a blank line between blocks, none inside a list or between a line
    ending with a colon and the list it introduces ("Indicateurs :" then its entries)."""

    def __init__(self):
        self.blocks: list[str] = []
        self.listing = False

    def heading(self, level: int, text: str) -> None:
        text = " ".join(text.split())
        if text:
            self.blocks.append("#" * max(1, min(level, MAX_HEADING)) + " " + text)
            self.listing = False

    def paragraph(self, text: str) -> None:
        lines = [" ".join(line.split()) for line in text.split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            self.blocks.append(text)
            self.listing = False

    def entry(self, text: str, depth: int = 0) -> None:
        text = " ".join(text.split())
        if not text:
            return
        line = "  " * depth + "- " + text
        if self.blocks and (self.listing or self.blocks[-1].endswith(":")):
            self.blocks[-1] += "\n" + line
        else:
            self.blocks.append(line)
        self.listing = True

    def text(self) -> str:
        return "\n\n".join(self.blocks) + "\n"


# --- Word (.docx) ------------------------------------------------------------------------------


RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MANIFEST = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}"


def _docx_main_part(archive: zipfile.ZipFile) -> str:
    """The main document's name: word/document.xml, unless the package's relationships name
    another (some generators do)."""
    relationships = _part(archive, "_rels/.rels", required=False)
    if relationships is not None:
        for relation in relationships.iter(f"{RELATIONSHIPS}Relationship"):
            if relation.get("Type", "").endswith("/officeDocument"):
                return relation.get("Target", "").lstrip("/")
    return "word/document.xml"


def _docx(archive: zipfile.ZipFile) -> str:
    document = _part(archive, _docx_main_part(archive))
    styles = _part(archive, "word/styles.xml", required=False)
    levels = _docx_heading_styles(styles) if styles is not None else {}
    body = document.find(f"{W}body")
    if body is None:
        raise OfficeError("not_text")
    writer = _Writer()
    _docx_blocks(body, levels, writer)
    return writer.text()


def _docx_heading_styles(styles: ET.Element) -> dict[str, int]:
    """Style id -> heading level, from the style's name or its outline level."""
    levels = {}
    for style in styles.iter(f"{W}style"):
        style_id = style.get(f"{W}styleId", "")
        name = style.find(f"{W}name")
        found = HEADING_STYLE.match((name.get(f"{W}val", "") if name is not None else "").strip())
        outline = style.find(f"{W}pPr/{W}outlineLvl")
        if found:
            levels[style_id] = int(found.group(1))
        elif (name is not None and name.get(f"{W}val", "").lower() == "title") or (
            style_id.lower() == "title"
        ):
            levels[style_id] = 1
        elif outline is not None and (outline.get(f"{W}val") or "").isdecimal():
            levels[style_id] = int(outline.get(f"{W}val")) + 1
    return levels


def _docx_blocks(parent: ET.Element, levels: dict[str, int], writer: _Writer) -> None:
    for child in parent:
        if child.tag == f"{W}p":
            _docx_paragraph(child, levels, writer)
        elif child.tag in {f"{W}tbl", f"{W}tr", f"{W}tc", f"{W}sdt", f"{W}sdtContent"}:
            _docx_blocks(child, levels, writer)  # tables and content controls: their text


def _docx_paragraph(paragraph: ET.Element, levels: dict[str, int], writer: _Writer) -> None:
    parts = []
    for node in paragraph.iter():
        if node.tag == f"{W}t":
            parts.append(node.text or "")
        elif node.tag == f"{W}tab":
            parts.append(" ")
        elif node.tag in {f"{W}br", f"{W}cr"}:
            parts.append("\n")
    text = "".join(parts)
    properties = paragraph.find(f"{W}pPr")
    style = properties.find(f"{W}pStyle") if properties is not None else None
    level = levels.get(style.get(f"{W}val", "")) if style is not None else None
    outline = properties.find(f"{W}outlineLvl") if properties is not None else None
    if outline is not None and (outline.get(f"{W}val") or "").isdecimal():
        level = int(outline.get(f"{W}val")) + 1
    if level and level <= 9:  # outline level 9 means "body text"
        writer.heading(level, text)
        return
    numbering = properties.find(f"{W}numPr") if properties is not None else None
    if numbering is not None:
        depth = numbering.find(f"{W}ilvl")
        raw = depth.get(f"{W}val", "0") if depth is not None else "0"
        writer.entry(text, int(raw) if raw.isdecimal() and len(raw) < 2 else 0)
    else:
        writer.paragraph(text)


# --- OpenDocument (.odt) -------------------------------------------------------------------------


def _odt(archive: zipfile.ZipFile) -> str:
    manifest = _part(archive, "META-INF/manifest.xml", required=False)
    if manifest is not None and manifest.find(f".//{MANIFEST}encryption-data") is not None:
        raise OfficeError("not_zip")  # protected by a password: its parts are ciphered
    content = _part(archive, "content.xml")
    text = content.find(f"{OFFICE}body/{OFFICE}text")
    if text is None:
        raise OfficeError("not_text")  # a spreadsheet or a presentation
    writer = _Writer()
    _odt_blocks(text, writer, depth=-1)
    return writer.text()


def _odt_text(node: ET.Element) -> str:
    """The text of a paragraph or heading: spans, links, spaces, tabs and line breaks."""
    parts = [node.text or ""]
    for child in node:
        if child.tag == f"{TEXT}s":
            count = child.get(f"{TEXT}c", "1")
            parts.append(" " * (int(count) if count.isdecimal() and len(count) < 4 else 1))
        elif child.tag == f"{TEXT}tab":
            parts.append(" ")
        elif child.tag == f"{TEXT}line-break":
            parts.append("\n")
        elif child.tag not in {f"{TEXT}note", f"{OFFICE}annotation"}:  # notes, comments: out
            parts.append(_odt_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _odt_blocks(parent: ET.Element, writer: _Writer, depth: int) -> None:
    for child in parent:
        if child.tag == f"{TEXT}h":
            level = child.get(f"{TEXT}outline-level", "1")
            writer.heading(
                int(level) if level.isdecimal() and len(level) < 2 else 1, _odt_text(child)
            )
        elif child.tag == f"{TEXT}p":
            text = _odt_text(child)
            if depth >= 0:
                writer.entry(text, depth)
            else:
                writer.paragraph(text)
        elif child.tag == f"{TEXT}list":
            _odt_blocks(child, writer, depth + 1)
        elif child.tag in {f"{TEXT}list-item", f"{TEXT}list-header"}:
            _odt_blocks(child, writer, depth)
        elif child.tag in {
            f"{TEXT}section",
            f"{TABLE}table",
            f"{TABLE}table-row",
            f"{TABLE}table-cell",
            f"{TABLE}table-header-rows",
            f"{TABLE}table-rows",
        }:
            _odt_blocks(child, writer, -1)
