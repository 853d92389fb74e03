"""Template filters: dates shown in Europe/Paris in the user's language."""

import re

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal
from jinja2.utils import urlize
from markupsafe import Markup


def plain_text(text: str) -> Markup:
    """User text as typed: escaped, links made clickable but marked as user content."""
    linked = urlize(text or "", rel="nofollow ugc noopener")  # escapes the text first
    paragraphs = [p.replace("\n", "<br>\n") for p in re.split(r"\n\s*\n", linked.strip()) if p]
    return Markup("".join(f"<p>{p}</p>" for p in paragraphs))  # noqa: S704 - escaped by urlize


def register(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.filters["date"] = lambda value, fmt="long": (
        format_date(value, fmt) if value else ""
    )
    app.jinja_env.filters["nofollow_links"] = plain_text
    app.jinja_env.filters["number"] = lambda value: format_decimal(value or 0)
