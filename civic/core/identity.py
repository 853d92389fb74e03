"""The authority that runs the site, from settings: its name, logo, colours and contact, used
by the header, the footer, e-mails, letters and reports. Nothing about it is in the code."""

import re
from dataclasses import dataclass

from flask import Flask, Response, current_app

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class Authority:
    name: str  # "Sicoval": in sentences and the header
    long_name: str  # "Communauté d'agglomération du Sicoval": letterheads and the footer
    logo: str  # a file under static/ (the CSP loads images from the site only)
    colour: str  # the main colour, #rrggbb (links, header rule, buttons)
    colour_dark: str  # hover and pressed
    phone: str
    address: str  # postal address, lines separated by " / " in the setting
    website: str

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.split("/") if line.strip()]


def authority(app: Flask | None = None) -> Authority:
    return (app or current_app).extensions["civic_authority"]


def check(settings: dict) -> Authority:
    """The authority as configured; a colour that is not #rrggbb is refused at start-up
    (it is written into a style sheet)."""
    values = {key: settings[f"CIVIC_AUTHORITY_{key.upper()}"] for key in Authority.__annotations__}
    for key in ("colour", "colour_dark"):
        if not _COLOUR.fullmatch(values[key]):
            raise RuntimeError(f"CIVIC_AUTHORITY_{key.upper()} must be a colour like #0b5e3c")
    return Authority(**values)


def style_sheet() -> Response:
    """The authority's colours as CSS variables, after civic.css."""
    who = authority()
    css = f":root {{ --green: {who.colour}; --green-dark: {who.colour_dark}; }}\n"
    response = Response(css, mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


def register(app: Flask) -> None:
    app.extensions["civic_authority"] = check(app.config)
    app.jinja_env.globals["authority"] = app.extensions["civic_authority"]
