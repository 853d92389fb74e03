from hypothesis import given
from hypothesis import strategies as st

from civic.core.sanitize import clean_html

HOSTILE = [
    '<svg onload="alert(1)">',
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<p hx-get="/compte/suppression" hx-trigger="load">x</p>',
    '<div hx-on:click="alert(1)">x</div>',
    "<script>alert(1)</script>",
    '<iframe src="https://evil.example"></iframe>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<form action=/x><button>go</button></form>",
]


def test_hostile_markup_is_inert():
    for payload in HOSTILE:
        cleaned = clean_html(payload).lower()
        for bad in (
            "<script",
            "onload",
            "onerror",
            "javascript:",
            "data:",
            "hx-",
            "<iframe",
            "style=",
            "<form",
            "<svg",
        ):
            assert bad not in cleaned, (payload, cleaned)


def test_allowed_formatting_is_kept():
    html = '<p>Un <strong>plan</strong> <a href="https://www.sicoval.fr">climat</a></p>'
    cleaned = clean_html(html)
    assert "<strong>plan</strong>" in cleaned
    assert 'href="https://www.sicoval.fr"' in cleaned and 'rel="nofollow ugc' in cleaned


@given(st.text())
def test_cleaning_is_idempotent(text):
    once = clean_html(text)
    assert clean_html(once) == once
