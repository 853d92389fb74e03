"""The process-local caches: bounded, oldest first out, one rendering per key and language."""

from civic.core.caching import BoundedCache, fragments


def test_a_bounded_cache_forgets_its_oldest_entries_first():
    cache = BoundedCache(3)
    for key in "abcd":
        cache.put(key, key.upper())
    assert len(cache) == 3
    assert cache.get("a") is None and [cache.get(k) for k in "bcd"] == ["B", "C", "D"]
    cache.put("c", "again")  # a new value for a kept key: nothing is forgotten
    assert [cache.get(k) for k in "bcd"] == ["B", "again", "D"]


def test_a_fragment_is_rendered_once_per_key_and_language(app):
    calls = []

    def render(name: str) -> str:
        calls.append(name)
        return f"<b>{name}</b>"

    # Each in an app context of its own, as each request has: the locale is kept there.
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "fr"}):
        greeting = fragments("greeting", render)
        first = greeting("Alice")
        assert greeting("Alice") == first == "<b>Alice</b>"
        greeting("Bob")
        assert fragments("other", render)("Alice") == "<b>Alice</b>"  # another name, its own
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        fragments("greeting", render)("Alice")
    assert calls == ["Alice", "Bob", "Alice", "Alice"]
    assert hasattr(first, "__html__")  # markup: Jinja does not escape it again
