"""Files that managers upload (cover images, documents): recognised by their content, never
by their name or the browser's word, checked for size, and stored under random names in
CIVIC_UPLOAD_DIR, outside the static folder."""

import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, send_from_directory
from flask_babel import lazy_gettext as _l

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_DOCUMENT_BYTES = 15 * 1024 * 1024


class UploadError(ValueError):
    """A refused file, with a message for the person who sent it."""


@dataclass(frozen=True)
class FileType:
    suffix: str  # with the dot
    mimetype: str
    label: str  # what people call it: "PDF", "ODT"...

    @property
    def inline(self) -> bool:
        """Shown in the browser (PDF, images) rather than downloaded."""
        return self.suffix in (".pdf", ".png", ".jpg", ".webp")


PDF = FileType(".pdf", "application/pdf", "PDF")
PNG = FileType(".png", "image/png", "PNG")
JPEG = FileType(".jpg", "image/jpeg", "JPEG")
WEBP = FileType(".webp", "image/webp", "WebP")
_ODF = "application/vnd.oasis.opendocument."
_OOXML = "application/vnd.openxmlformats-officedocument."
OFFICE = {
    # OpenDocument files name their type in a first, uncompressed "mimetype" member.
    _ODF + "text": FileType(".odt", _ODF + "text", "ODT"),
    _ODF + "spreadsheet": FileType(".ods", _ODF + "spreadsheet", "ODS"),
    _ODF + "presentation": FileType(".odp", _ODF + "presentation", "ODP"),
    # Office Open XML files are told by their main part.
    "word/document.xml": FileType(".docx", _OOXML + "wordprocessingml.document", "DOCX"),
    "xl/workbook.xml": FileType(".xlsx", _OOXML + "spreadsheetml.sheet", "XLSX"),
    "ppt/presentation.xml": FileType(".pptx", _OOXML + "presentationml.presentation", "PPTX"),
}
BY_SUFFIX = {t.suffix: t for t in (PDF, PNG, JPEG, WEBP, *OFFICE.values())}


def upload_dir() -> Path:
    path = Path(current_app.config["CIVIC_UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(data: bytes, file_type: FileType) -> str:
    name = secrets.token_hex(16) + file_type.suffix
    (upload_dir() / name).write_bytes(data)
    return name


def remove(name: str | None) -> None:
    if name:
        (upload_dir() / name).unlink(missing_ok=True)


def send(name: str, download_name: str):
    """A stored file, as its content says it is: inline for images and PDF, downloaded
    otherwise; it runs no script and cannot frame or be framed. `download_name` has no
    suffix: the stored file's is added."""
    suffix = "." + name.rsplit(".", 1)[-1]
    file_type = BY_SUFFIX[suffix]
    response = send_from_directory(
        upload_dir(),
        name,
        mimetype=file_type.mimetype,
        as_attachment=not file_type.inline,
        download_name=download_name + suffix,
    )
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _image(data: bytes) -> FileType | None:
    if data.startswith(b"\x89PNG"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return WEBP
    return None


def _office(data: bytes) -> FileType | None:
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                kind = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return OFFICE.get(kind)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None
    return next((t for part, t in OFFICE.items() if part in names), None)


def _size(data: bytes, limit: int) -> None:
    if len(data) > limit:
        raise UploadError(
            _l("Le fichier dépasse %(n)s Mo.", n=limit // (1024 * 1024)),
        )
    if not data:
        raise UploadError(_l("Le fichier est vide."))


def check_image(data: bytes) -> FileType:
    """A cover image: PNG, JPEG or WebP, at most 5 MB."""
    _size(data, MAX_IMAGE_BYTES)
    found = _image(data)
    if found is None:
        raise UploadError(_l("L'image doit être au format PNG, JPEG ou WebP."))
    return found


def check_document(data: bytes) -> FileType:
    """A document to read or download: PDF, OpenDocument, Office, or an image."""
    _size(data, MAX_DOCUMENT_BYTES)
    found = PDF if data.startswith(b"%PDF-") else _image(data) or _office(data)
    if found is None:
        raise UploadError(
            _l(
                "Le document doit être un PDF, un fichier OpenDocument (ODT, ODS, ODP), "
                "Word, Excel, PowerPoint, ou une image PNG ou JPEG."
            )
        )
    return found
