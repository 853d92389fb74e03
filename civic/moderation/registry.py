"""The kinds of user content that moderation handles, each registered by its own package.

Moderation knows content only through these adapters, so that proposals, comments, workshop
notes and rating comments share one queue, one set of decisions and one public log.
"""

from collections.abc import Callable
from dataclasses import dataclass


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


_kinds: dict[str, ContentKind] = {}


def register(kind: ContentKind) -> None:
    _kinds[kind.name] = kind


def kind(name: str) -> ContentKind:
    return _kinds[name]


def kinds() -> dict[str, ContentKind]:
    return dict(_kinds)
