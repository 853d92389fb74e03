"""The kinds of user content that moderation handles, each registered by its own package.

Moderation knows content only through these adapters, so that proposals, comments, workshop
notes and rating comments share one queue, one set of decisions and one public log.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from civic.core import visibility


@dataclass(frozen=True)
class ContentKind:
    name: str  # "proposal", "comment", ...
    label: object  # lazy-translated, e.g. "proposition"
    load: Callable[[int], object]  # id -> item or None
    text: Callable[[object], str]
    set_text: Callable[[object, str], None]
    author_id: Callable[[object], int | None]
    consultation_id: Callable[[object], int | None]
    url: Callable[[object], str]
    # Change the item's visibility; the package keeps its own counters right.
    set_visible: Callable[[object, bool], None]
    # Where to go back to when the item itself is no longer visible.
    parent_url: Callable[[object], str]
    # (item, user) -> may this user read the item where it is published? Only such items can
    # be reported, and the report page quotes them.
    visible_to: Callable[[object, object], bool]
    # What the item answers, shown beside it in the queue (a comment's proposal), if anything.
    context: Callable[[object], str] = lambda item: ""


_kinds: dict[str, ContentKind] = {}


def register(kind: ContentKind) -> None:
    _kinds[kind.name] = kind
    visibility.register(kind.name, partial(_visible, kind))


def _visible(kind: ContentKind, item_id: int, reader) -> bool:
    """The kind's own rule, for notifications, e-mails and digests (core.visibility)."""
    from flask_login import AnonymousUserMixin

    item = kind.load(item_id)
    return item is not None and kind.visible_to(item, reader or AnonymousUserMixin())


def kind(name: str) -> ContentKind:
    return _kinds[name]


def kinds() -> dict[str, ContentKind]:
    return dict(_kinds)
