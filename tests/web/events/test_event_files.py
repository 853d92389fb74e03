"""An event's cover image and documents: checked by content and size, alt text required,
listed with their type and size, served without running anything."""

import io
import zipfile

import sqlalchemy as sa

from civic.core import uploads
from civic.events.models import Event, EventDocument
from tests.web.helpers import text

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.7\n" + b"x" * 1500


def _odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _cover(client, event, data, alt="Salle des fêtes, vue de la place"):
    return client.post(
        f"/gestion/agenda/{event.id}/couverture",
        data={"cover": (io.BytesIO(data), "photo.png"), "cover_alt": alt},
        content_type="multipart/form-data",
    )


def _document(client, event, data, title="Ordre du jour", name="odj.pdf"):
    return client.post(
        f"/gestion/agenda/{event.id}/documents",
        data={"document-title": title, "document-file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_cover_image_needs_a_real_image_and_its_alt_text(client, db, login, publisher, make_event):
    event = make_event()
    login(publisher)
    refused = _cover(client, event, b"<svg onload=alert(1)>", "Une image")
    assert refused.status_code == 422
    assert "PNG, JPEG ou WebP" in text(refused)
    no_alt = _cover(client, event, PNG, "")
    assert no_alt.status_code == 422
    assert "texte alternatif" in text(no_alt)
    too_big = _cover(client, event, PNG + b"\0" * uploads.MAX_IMAGE_BYTES)
    assert too_big.status_code == 422 and "5 Mo" in text(too_big)
    assert db.session.get(Event, event.id).cover_filename is None

    assert _cover(client, event, PNG).status_code == 303
    event = db.session.get(Event, event.id)
    assert event.cover_filename.endswith(".png")
    page = text(client.get(f"/agenda/{event.id}"))
    assert 'alt="Salle des fêtes, vue de la place"' in page
    image = client.get(f"/agenda/{event.id}/couverture")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    # Replaced: the old file goes.
    old = uploads.upload_dir() / event.cover_filename
    assert _cover(client, event, b"\xff\xd8\xff\xe0" + b"\0" * 32).status_code == 303
    assert not old.exists()
    assert client.post(f"/gestion/agenda/{event.id}/couverture/suppression").status_code == 303
    assert db.session.get(Event, event.id).cover_filename is None
    assert client.get(f"/agenda/{event.id}/couverture").status_code == 404


def test_documents_of_every_usual_type_listed_with_type_and_size(
    client, db, login, publisher, make_event
):
    event = make_event()
    login(publisher)
    assert _document(client, event, PDF).status_code == 303
    assert _document(client, event, _odt(), "Plan d'accès", "plan.odt").status_code == 303
    assert _document(client, event, _docx(), "Diaporama", "diapo.docx").status_code == 303
    refused = _document(client, event, b"MZ\x90\0 not a document", "Outil", "outil.pdf")
    assert refused.status_code == 422 and "PDF" in text(refused)
    assert _document(client, event, PDF, "").status_code == 422
    documents = db.session.scalars(
        sa.select(EventDocument).where(EventDocument.event_id == event.id)
    ).all()
    assert [d.suffix for d in documents] == [".pdf", ".odt", ".docx"]

    client.get("/compte/deconnexion")
    with client.session_transaction() as session:
        session.clear()
    page = text(client.get(f"/agenda/{event.id}"))
    # French sizes: a decimal comma and a no-break space before the unit.
    assert 'Ordre du jour</a> <span class="meta">(PDF, 1,5\u00a0Ko)' in page
    assert "(ODT, " in page and "(DOCX, " in page
    pdf = client.get(f"/agenda/{event.id}/documents/{documents[0].id}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Security-Policy"].startswith("sandbox")
    assert "attachment" not in pdf.headers.get("Content-Disposition", "")
    odt = client.get(f"/agenda/{event.id}/documents/{documents[1].id}")
    assert odt.mimetype == "application/vnd.oasis.opendocument.text"
    assert odt.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"/agenda/{event.id}/documents/999999").status_code == 404


def test_documents_of_a_draft_are_hidden_and_only_managers_remove_them(
    client, db, login, publisher, make_event, make_user
):
    event = make_event(publish=False)
    login(publisher)
    _document(client, event, PDF)
    document = db.session.scalar(sa.select(EventDocument).where(EventDocument.event_id == event.id))
    login(make_user("citizen"))
    assert client.get(f"/agenda/{event.id}/documents/{document.id}").status_code == 404
    removal = f"/gestion/agenda/{event.id}/documents/{document.id}/suppression"
    assert client.post(removal).status_code == 403
    login(publisher)
    assert client.post(removal).status_code == 303
    assert db.session.get(EventDocument, document.id) is None
    assert not (uploads.upload_dir() / document.stored_name).exists()
    other = make_event(title="Autre réunion")
    elsewhere = f"/gestion/agenda/{other.id}/documents/{document.id}/suppression"
    assert client.post(elsewhere).status_code == 404
