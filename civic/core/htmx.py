"""Render a whole page, or one block of it for an htmx request (see LESSONS: boosted
navigation and history restores need the whole page)."""

from flask import redirect, request, session, url_for
from flask import render_template as _render_template
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page_or_block(template: str, block: str, **context) -> str:
    if wants_fragment():
        fragment = render_block(template, block, **context)
        if session.get("_flashes"):
            # The message of the POST that led here (saved, refused...): swapped into the
            # page's own message region, not left waiting for the next whole page.
            fragment += _render_template("_flashes.html", oob=True)
        return fragment
    return _render_template(template, **context)


def redirect_303(endpoint: str, **values):
    """After a successful POST; htmx follows it and swaps the page it lands on."""
    return redirect(url_for(endpoint, **values), code=303)


def hx_redirect(location: str):
    """A full-page navigation for htmx requests, a 303 otherwise."""
    if getattr(request, "htmx", None):
        return "", 204, {"HX-Redirect": location}
    return redirect(location, code=303)


def add_vary(response):
    response.vary.add("HX-Request")
    return response
