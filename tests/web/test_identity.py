"""The authority's identity comes from settings: header, footer, e-mails, letters, colours."""

import pytest

from civic import create_app
from civic.core import identity


def test_the_demo_authority_is_the_sicoval(client):
    page = client.get("/").get_data(as_text=True)
    assert 'alt="Sicoval"' in page and "sicoval-wordmark.svg" in page
    assert "Communauté d&#39;agglomération du Sicoval" in page  # footer
    assert "05 62 24 02 02" in page
    css = client.get("/identite.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert "--green: #0b5e3c" in css.get_data(as_text=True)


def test_another_authority_is_a_matter_of_settings(app):
    settings = {
        key: app.config[key] for key in app.config if key.startswith(("SQLALCHEMY", "SECRET"))
    }
    settings.update(
        TESTING=True,
        CIVIC_AUTHORITY_NAME="Muretain Agglo",
        CIVIC_AUTHORITY_LONG_NAME="Communauté d'agglomération Le Muretain Agglo",
        CIVIC_AUTHORITY_COLOUR="#123456",
        CIVIC_AUTHORITY_PHONE="05 34 46 30 30",
        CIVIC_AUTHORITY_ADDRESS="8 bis avenue Vincent Auriol / 31600 Muret",
    )
    other = create_app(settings)
    who = identity.authority(other)
    assert who.name == "Muretain Agglo" and who.address_lines == [
        "8 bis avenue Vincent Auriol",
        "31600 Muret",
    ]
    with other.test_request_context("/"):
        assert "--green: #123456" in identity.style_sheet().get_data(as_text=True)


def test_a_colour_that_is_not_a_colour_is_refused():
    settings = {f"CIVIC_AUTHORITY_{k.upper()}": "x" for k in identity.Authority.__annotations__}
    settings["CIVIC_AUTHORITY_COLOUR"] = "red; } body { display: none"
    with pytest.raises(RuntimeError):
        identity.check(settings)
