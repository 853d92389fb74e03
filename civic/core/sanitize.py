"""The only place where user HTML is cleaned (nh3). Everything else is escaped at render."""

import re
from html.parser import HTMLParser

import nh3
from markupsafe import Markup, escape

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


# Plain text as people type it in a text area: paragraphs apart, "- " lists, "## " headings.
_TAG_RE = re.compile(r"<(p|br|ul|ol|li|h[2-4]|strong|em|a|blockquote|table)\b", re.I)
_BULLET_RE = re.compile(r"^\s*[-*•–]\s+")
_NUMBER_RE = re.compile(r"^\s*\d{1,3}[.)]\s+")
_HEADING_RE = re.compile(r"^#{1,3}\s+")


def text_to_html(text: str) -> str:
    """Cleaned HTML from what someone typed: HTML stays HTML; otherwise blank lines make
    paragraphs, lines starting with "-" or "1." make lists and "## " a heading."""
    text = (text or "").replace("\r\n", "\n").strip()
    if _TAG_RE.search(text):
        return clean_html(text)
    blocks = []
    for block in re.split(r"\n\s*\n", text):
        lines = [" ".join(line.split()) for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(_BULLET_RE.match(line) for line in lines):
            items = "".join(f"<li>{escape(_BULLET_RE.sub('', line))}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif all(_NUMBER_RE.match(line) for line in lines):
            items = "".join(f"<li>{escape(_NUMBER_RE.sub('', line))}</li>" for line in lines)
            blocks.append(f"<ol>{items}</ol>")
        elif len(lines) == 1 and _HEADING_RE.match(lines[0]):
            blocks.append(f"<h3>{escape(_HEADING_RE.sub('', lines[0]))}</h3>")
        else:
            blocks.append("<p>" + "<br>".join(str(escape(line)) for line in lines) + "</p>")
    return clean_html("".join(blocks))


class _PlainText(HTMLParser):
    """HTML back to the plain text `text_to_html` reads, for editing in a text area."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lists: list[list] = []  # per open list: [kind, next number]

    def handle_starttag(self, tag, attrs):
        if tag in ("ul", "ol"):
            self.lists.append([tag, 1])
        elif tag == "li" and self.lists:
            kind = self.lists[-1]
            self.parts.append("\n" + ("- " if kind[0] == "ul" else f"{kind[1]}. "))
            kind[1] += 1
        elif tag in ("h2", "h3", "h4"):
            self.parts.append("\n\n## ")
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("p", "ul", "ol", "h2", "h3", "h4", "blockquote", "table"):
            if tag in ("ul", "ol") and self.lists:
                self.lists.pop()
            self.parts.append("\n\n")
        elif tag in ("tr", "li"):
            self.parts.append("\n" if tag == "tr" else "")

    def handle_data(self, data):
        self.parts.append(" ".join(data.split("\n")))


def html_to_text(html: str) -> str:
    parser = _PlainText()
    parser.feed(clean_html(html))
    parser.close()
    text = "".join(parser.parts)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in text.split("\n"))).strip()
