"""Rating comments as a kind of content for moderation."""

from flask import url_for
from flask_babel import lazy_gettext as _l

from civic.extensions import db
from civic.moderation.registry import ContentKind, register
from civic.ratings.models import Rating


def _set_visible(rating: Rating, visible: bool) -> None:
    rating.comment_status = "published" if visible else "hidden"


def register_kinds() -> None:
    register(
        ContentKind(
            name="rating_comment",
            label=_l("commentaire d'avis"),
            load=lambda i: db.session.get(Rating, i),
            text=lambda r: r.comment,
            set_text=lambda r, text: setattr(r, "comment", text),
            author_id=lambda r: r.user_id,
            consultation_id=lambda r: None,
            url=lambda r: url_for("ratings.show", service_id=r.service_id),
            set_visible=_set_visible,
            parent_url=lambda r: url_for("ratings.show", service_id=r.service_id),
            visible_to=lambda r, user: bool(r.comment) and r.comment_status == "published",
        )
    )
