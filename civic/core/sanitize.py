"""The only place where user HTML is cleaned (nh3). Everything else is escaped at render."""

import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "ul",
    "ol",
    "li",
    "blockquote",
    "h2",
    "h3",
    "h4",
    "a",
    "abbr",
    "code",
    "pre",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}


def clean_html(html: str) -> str:
    """Keep a small set of formatting tags; drop scripts, handlers, styles and odd URLs."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener noreferrer",
        strip_comments=True,
    )


def safe_html(html: str) -> Markup:
    """Cleaned HTML, ready to be output by a template."""
    return Markup(clean_html(html))  # noqa: S704  # nosec B704 - cleaned by nh3 just above
