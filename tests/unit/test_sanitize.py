from hypothesis import given, settings
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


def test_typed_text_keeps_its_paragraphs_lists_and_headings():
    from civic.core.sanitize import text_to_html

    typed = (
        "## Ce que la table retient\r\n\r\nDes pistes cyclables.\r\nSurtout vers le collège."
        "\n\n- sécuriser les carrefours\n- des arceaux <b>partout</b>\n\n1. Labège\n2. Escalquens"
    )
    assert text_to_html(typed) == (
        "<h3>Ce que la table retient</h3>"
        "<p>Des pistes cyclables.<br>Surtout vers le collège.</p>"
        "<ul><li>sécuriser les carrefours</li><li>des arceaux &lt;b&gt;partout&lt;/b&gt;</li></ul>"
        "<ol><li>Labège</li><li>Escalquens</li></ol>"
    )
    # HTML stays HTML, cleaned.
    assert text_to_html("<p>Un <em>mot</em><script>x</script></p>") == "<p>Un <em>mot</em></p>"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.lists(st.text(alphabet="abcé >&'\"0123456789.-#", min_size=1), min_size=1),
            st.tuples(st.sampled_from(["- ", "1. "]), st.lists(st.text("abc é", min_size=1))),
        ),
        max_size=5,
    )
)
def test_the_text_area_shows_again_what_gives_the_same_minutes(blocks):
    """Plain text typed, saved, shown again in the text area and saved unchanged gives the
    same minutes."""
    from civic.core.sanitize import html_to_text, text_to_html

    typed = "\n\n".join(
        "\n".join(b) if isinstance(b, list) else "\n".join(b[0] + line for line in b[1])
        for b in blocks
    )
    html = text_to_html(typed)
    assert text_to_html(html_to_text(html)) == html
