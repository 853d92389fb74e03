"""The authority that runs the site, from settings: its name, logo, colours and contact, used
by the header, the footer, e-mails, letters and reports. Nothing about it is in the code."""

import re
from dataclasses import dataclass

from flask import Flask, Response, current_app

from civic.core.formatting import current_language, elide

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")

# The French article of the name gives its forms after "de" and "à" (du, de la, au...).
_FRENCH_FORMS = {
    "le": ("le {}", "du {}", "au {}"),
    "la": ("la {}", "de la {}", "à la {}"),
    "l'": ("l'{}", "de l'{}", "à l'{}"),
    "les": ("les {}", "des {}", "aux {}"),
    "": ("{}", "de {}", "à {}"),
}


@dataclass(frozen=True)
class Authority:
    name: str  # "Sicoval": in sentences and the header
    article: str  # "le" Sicoval, "la" Métropole, "l'" Agglo, "les", or "" for a town
    long_name: str  # "Communauté d'agglomération du Sicoval": letterheads and the footer
    logo: str  # a file under static/ (the CSP loads images from the site only)
    colour: str  # the main colour, #rrggbb (links, header rule, buttons)
    colour_dark: str  # hover and pressed
    phone: str
    address: str  # postal address, lines separated by " / " in the setting
    website: str
    siren: str  # the legal notice's company number

    def words(self, language: str) -> dict[str, str]:
        """The name as a sentence needs it, for gettext's variables: "%(The_authority)s
        consulte", "les décisions %(of_authority)s", "écrire %(to_authority)s"."""
        if language == "fr":
            the, of, to = (form.format(self.name) for form in _FRENCH_FORMS[self.article])
            of = elide(of)  # "de Albi" -> "d'Albi"
        else:
            the = f"the {self.name}" if self.article else self.name
            of, to = f"of {the}", f"to {the}"
        return {
            "authority": self.name,
            "the_authority": the,
            "The_authority": the[:1].upper() + the[1:],
            "of_authority": of,
            "to_authority": to,
        }

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
    values["article"] = values["article"].strip().lower().replace("’", "'")
    if values["article"] not in _FRENCH_FORMS:
        raise RuntimeError("CIVIC_AUTHORITY_ARTICLE must be one of: le, la, l', les, or empty")
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
    app.jinja_env.globals["authority_words"] = authority_words


def authority_words() -> dict[str, str]:
    """The authority's name in the sentence forms of the current language."""
    return authority().words(current_language())
