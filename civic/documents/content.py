"""Reactions and amendments as kinds of content for moderation."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from civic.documents.models import Amendment, Reaction, Status
from civic.documents.services import COUNTERS, move_counter
from civic.extensions import db
from civic.moderation.registry import ContentKind, register


def _draft(item):
    return item.version.draft


def _item_url(item) -> str:
    draft = _draft(item)
    return url_for(
        "documents.show_item", slug=draft.consultation.slug, draft_id=draft.id, passage_id=item.id
    )


def _set_visible(column_of):
    def set_visible(obj, visible: bool) -> None:
        was_published = obj.status == Status.PUBLISHED
        obj.status = (Status.PUBLISHED if visible else Status.HIDDEN).value
        if visible != was_published:
            move_counter(obj.item_id, column_of(obj), +1 if visible else -1)
            db.session.expire(obj.item)

    return set_visible


def _visible(obj, user) -> bool:
    return obj.status == Status.PUBLISHED and _draft(obj.item).consultation.is_published


def register_kinds() -> None:
    register(
        ContentKind(
            name="draft_reaction",
            label=_l("réaction au texte"),
            load=lambda i: db.session.get(Reaction, i),
            text=lambda r: r.body,
            set_text=lambda r, text: setattr(r, "body", text),
            author_id=lambda r: r.author_id,
            consultation_id=lambda r: _draft(r.item).consultation_id,
            url=lambda r: _item_url(r.item) + f"#reaction-{r.id}",
            set_visible=_set_visible(lambda r: COUNTERS[r.kind]),
            parent_url=lambda r: _item_url(r.item),
            visible_to=_visible,
        )
    )
    register(
        ContentKind(
            name="draft_amendment",
            label=_l("amendement"),
            load=lambda i: db.session.get(Amendment, i),
            text=lambda a: a.text,
            set_text=lambda a, text: setattr(a, "text", text),
            author_id=lambda a: a.author_id,
            consultation_id=lambda a: _draft(a.item).consultation_id,
            url=lambda a: url_for(
                "documents.show_amendment",
                slug=_draft(a.item).consultation.slug,
                draft_id=_draft(a.item).id,
                amendment_id=a.id,
            ),
            set_visible=_set_visible(lambda a: "amendment_count"),
            parent_url=lambda a: _item_url(a.item),
            visible_to=_visible,
        )
    )
