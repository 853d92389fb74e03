"""The picture of a public service: its own, set by the staff who answer for it, or else the
drawing of its type. Services come by hundreds from open data, with types written freely
("Déchèterie", "Déchetterie intercommunale", "Multi-accueil"...): a type is told by words
in it, and an unknown type gets the drawing of a public building."""

import unicodedata

from flask import url_for

# (drawing, words that tell it), the first that matches wins: "Bibliothèque de l'école"
# is a library. Words are written without accents, in lower case.
KINDS = (
    ("piscine", ("piscine", "aquatique", "nautique", "baignade")),
    ("mediatheque", ("mediatheque", "bibliotheque", "ludotheque", "lecture")),
    (
        "creche",
        ("creche", "multi-accueil", "multi accueil", "petite enfance", "garderie", "assistant"),
    ),
    ("decheterie", ("dechet", "recyclerie", "ressourcerie", "collecte")),
    ("ecole", ("ecole", "scolaire", "college", "lycee", "periscolaire", "loisirs")),
    ("sport", ("gymnase", "stade", "sport", "tennis", "dojo", "terrain")),
    ("mairie", ("mairie", "hotel de ville", "accueil")),
)
GENERIC = "service"
ALL = (*(kind for kind, _words in KINDS), GENERIC)
# The drawings' size: the cover format, as every picture of the site.
WIDTH, HEIGHT = 1200, 480


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def kind_of(service_type: str) -> str:
    """The drawing for a type of service."""
    plain = _plain(service_type or "")
    return next((kind for kind, words in KINDS if any(w in plain for w in words)), GENERIC)


def illustration_url(service_type: str) -> str:
    return url_for("static", filename=f"img/services/{kind_of(service_type)}.png")


def picture(service) -> tuple[str, str]:
    """(address, text alternative) of what the pages show for a service. The type's drawing
    is decorative (alt=""): it says nothing of this service that its name does not."""
    if service.picture_filename:
        return url_for("ratings.picture", service_id=service.id), service.picture_alt
    return illustration_url(service.type), ""
