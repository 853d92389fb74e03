"""What each process keeps of what is costly to compute and cheap to key.

Nothing here is ever invalidated: a key holds everything the value depends on (a version
that the database draws anew at each change, or the very fields a fragment shows), so that a
change makes a new key and an old entry is simply never asked for again. Each cache is
bounded and forgets its oldest entries first; it belongs to one app (tests build many).
"""

from collections.abc import Callable, Hashable
from threading import Lock

from flask import Flask, current_app
from markupsafe import Markup

from civic.core.formatting import current_locale

# Rendered comments, comment lists, proposal cards and the footer (what they show is in the
# key, their HTML the value): a few MB, some tens of MB were every comment 3,000 characters.
FRAGMENTS_KEPT = 5_000


class BoundedCache:
    def __init__(self, size: int):
        self.size = size
        self._items: dict = {}
        self._lock = Lock()

    def get(self, key: Hashable):
        return self._items.get(key)

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            while key not in self._items and len(self._items) >= self.size:
                del self._items[next(iter(self._items))]  # dicts keep insertion order
            self._items[key] = value

    def __len__(self) -> int:
        return len(self._items)


def app_cache(name: str, size: int) -> BoundedCache:
    """The current app's cache of that name."""
    caches = current_app.extensions.setdefault("civic.caches", {})
    cache = caches.get(name)
    if cache is None:
        cache = caches[name] = BoundedCache(size)
    return cache


def fragments(name: str, render: Callable[[Hashable], str]) -> Callable[[Hashable], Markup]:
    """render(item), rendered once per item and language: `item` must hold everything that
    render shows (a template passes a macro, and calls the answer for each item). What does
    not change between items (the cache, the language) is looked up once, here."""
    cache = app_cache("fragments", FRAGMENTS_KEPT)
    prefix = (name, str(current_locale()))

    def rendered(item: Hashable) -> Markup:
        key = (*prefix, item)
        html = cache.get(key)
        if html is None:
            html = Markup(render(item))  # noqa: S704  # nosec B704 - a macro's escaped output
            cache.put(key, html)
        return html

    return rendered


def register(app: Flask) -> None:
    app.jinja_env.globals["fragments"] = fragments
