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


@pytest.mark.parametrize(
    ("article", "name", "the", "of", "to"),
    [
        ("le", "Sicoval", "le Sicoval", "du Sicoval", "au Sicoval"),
        ("la", "Métropole", "la Métropole", "de la Métropole", "à la Métropole"),
        ("l'", "Agglo", "l'Agglo", "de l'Agglo", "à l'Agglo"),
        ("", "Albi", "Albi", "d'Albi", "à Albi"),
        ("", "Muret", "Muret", "de Muret", "à Muret"),
    ],
)
def test_the_name_takes_the_forms_french_sentences_need(article, name, the, of, to):
    settings = {
        f"CIVIC_AUTHORITY_{k.upper()}": "#000000" for k in identity.Authority.__annotations__
    }
    settings.update(CIVIC_AUTHORITY_NAME=name, CIVIC_AUTHORITY_ARTICLE=article)
    words = identity.check(settings).words("fr")
    assert (words["the_authority"], words["of_authority"], words["to_authority"]) == (the, of, to)
    assert words["The_authority"] == the[0].upper() + the[1:]


def test_sentences_about_the_authority_read_right_in_both_languages(client):
    page = client.get("/concertations").get_data(as_text=True)
    assert "Le Sicoval consulte les habitants" in page
    english = client.get("/concertations", headers={"Accept-Language": "en"})
    assert "The Sicoval" in english.get_data(as_text=True)


def test_another_authority_name_reaches_the_pages(app):
    settings = {
        key: app.config[key] for key in app.config if key.startswith(("SQLALCHEMY", "SECRET"))
    }
    settings.update(TESTING=True, CIVIC_AUTHORITY_NAME="Albi", CIVIC_AUTHORITY_ARTICLE="")
    other = create_app(settings)
    page = other.test_client().get("/").get_data(as_text=True)
    assert "décisions d&#39;Albi" in page and "du Sicoval" not in page.split("<footer")[0]
