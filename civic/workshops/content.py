"""Workshop notes (the board's post-its) as a kind of content for moderation."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from civic.extensions import db
from civic.moderation.registry import ContentKind, kind, kinds, register
from civic.workshops.models import Note


def _url(note: Note) -> str:
    workshop = note.workshop
    if workshop.minutes_published_at is not None:
        return url_for("workshops.minutes", slug=workshop.slug) + f"#note-{note.id}"
    return url_for("workshops.board", slug=workshop.slug, table=note.table_no) + f"#note-{note.id}"


def _parent_url(note: Note) -> str:
    workshop = note.workshop
    if workshop.minutes_published_at is not None:
        return url_for("workshops.minutes", slug=workshop.slug)
    return url_for("workshops.show", slug=workshop.slug)


def _set_visible(note: Note, visible: bool) -> None:
    note.status = "published" if visible else "hidden"
    # Once in the consultation, the contribution it became follows the decision.
    if note.proposal_id is not None and "proposal" in kinds():
        proposals = kind("proposal")
        proposal = proposals.load(note.proposal_id)
        if proposal is not None and proposal.status in ("published", "hidden"):
            proposals.set_visible(proposal, visible)


def _set_text(note: Note, text: str) -> None:
    note.body = text
    if note.proposal_id is not None and "proposal" in kinds():
        proposals = kind("proposal")
        proposal = proposals.load(note.proposal_id)
        if proposal is not None:
            proposals.set_text(proposal, text)


def _visible_to(note: Note, user) -> bool:
    """Published notes, to the table during the workshop and to everyone with the minutes."""
    from civic.core.permissions import can

    workshop = note.workshop
    return note.status == "published" and (
        can(user, "workshops.read_minutes", workshop) or can(user, "workshops.see_board", workshop)
    )


def register_kinds() -> None:
    register(
        ContentKind(
            name="workshop_note",
            label=_l("note d'atelier"),
            load=lambda i: db.session.get(Note, i),
            text=lambda n: n.body,
            set_text=_set_text,
            author_id=lambda n: n.author_id,
            consultation_id=lambda n: n.workshop.consultation_id,
            url=_url,
            set_visible=_set_visible,
            parent_url=_parent_url,
            visible_to=_visible_to,
        )
    )
