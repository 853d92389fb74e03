"""One visibility rule for every channel that renders user text.

Each kind of user content registers, through moderation's registry, the rule that decides
whether a person may read an item where it is published (pages and API use the same rule).
Notifications, e-mails and digests that quote an item keep a reference to it (`about`), and
ask this rule again when they are shown or sent: an item hidden in between is quoted nowhere.
"""

from collections.abc import Callable

# kind -> (item id, reader or None) -> may the reader see it
_rules: dict[str, Callable[[int, object], bool]] = {}


def register(kind: str, rule: Callable[[int, object], bool]) -> None:
    _rules[kind] = rule


def is_visible(kind: str | None, item_id: int | None, reader=None) -> bool:
    """Whether `reader` may read the item; what quotes no item is always shown. An unknown
    kind is hidden: a channel never shows what no rule allows."""
    if kind is None:
        return True
    rule = _rules.get(kind)
    return rule is not None and item_id is not None and rule(item_id, reader)
