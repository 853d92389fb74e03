"""What printed paper needs: a QR code beside a link, so that a letter's reader reaches the
page with a phone instead of typing the address."""

import segno
from markupsafe import Markup, escape


def qr_code(url: str, label: str = "") -> Markup:
    """The link as an inline SVG QR code (medium error correction: survives a crease)."""
    code = segno.make(str(url), error="m")
    svg = code.svg_inline(scale=3, title=str(label) or None, svgclass="qr-code")
    # segno's SVG holds only its own path and the escaped title: our markup, not user text.
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))  # noqa: S704  # nosec B704


def register(app) -> None:
    app.jinja_env.filters["qr_code"] = qr_code
