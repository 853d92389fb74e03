"""The process-local caches: bounded, oldest first out, one rendering per key and language."""

from civic.core.caching import BoundedCache, fragment


def test_a_bounded_cache_forgets_its_oldest_entries_first():
    cache = BoundedCache(3)
    for key in "abcd":
        cache.put(key, key.upper())
    assert len(cache) == 3
    assert cache.get("a") is None and [cache.get(k) for k in "bcd"] == ["B", "C", "D"]
    cache.put("b", "again")  # a new value for a kept key takes no more room
    assert len(cache) == 3 and cache.get("b") == "again"


def test_a_fragment_is_rendered_once_per_key_and_language(app):
    calls = []

    def render(name):
        calls.append(name)
        return f"<b>{name}</b>"

    # Each in an app context of its own, as each request has: the locale is kept there.
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "fr"}):
        first = fragment(("greeting", 1), render, "Alice")
        assert fragment(("greeting", 1), render, "ignored") == first == "<b>Alice</b>"
        fragment(("greeting", 2), render, "Bob")
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        fragment(("greeting", 1), render, "Alice (en)")
    assert calls == ["Alice", "Bob", "Alice (en)"]
    assert hasattr(first, "__html__")  # markup: Jinja does not escape it again
