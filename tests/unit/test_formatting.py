"""The site's one style for dates, numbers, alphabetical order and elision."""

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from civic.core import formatting as f

NB = "\u00a0"


@pytest.fixture
def in_request(app):
    with app.test_request_context("/"):
        yield


def _(text: str) -> str:
    """Test texts are written with plain spaces; the site writes no-break ones."""
    return text.replace(" ", NB)


@pytest.mark.parametrize(
    ("moment", "fr", "en"),
    [
        # 18:00 UTC is 19:00 in Paris in winter
        (datetime(2026, 12, 31, 18, 0, tzinfo=UTC), "31 décembre 2026 à 19 h", "7 pm"),
        (datetime(2026, 7, 1, 17, 30, tzinfo=UTC), "1er juillet 2026 à 19 h 30", "7.30 pm"),
        (datetime(2027, 3, 1, 11, 5), "1er mars 2027 à 12 h 05", "12.05 pm"),  # naive = UTC
        (datetime(2026, 3, 28, 23, 15, tzinfo=UTC), "29 mars 2026 à 0 h 15", "12.15 am"),
    ],
)
def test_moments_are_written_as_people_write_them(in_request, moment, fr, en):
    with force_locale("fr"):
        assert f.datetime_filter(moment).replace(NB, " ") == fr
    with force_locale("en"):
        assert f.time_filter(moment).replace(NB, " ") == en


def test_events_name_the_weekday_in_both_languages(in_request):
    moment = datetime(2026, 12, 31, 18, 0, tzinfo=UTC)
    with force_locale("fr"):
        assert f.datetime_filter(moment, "full") == "jeudi " + _("31 décembre 2026") + " à " + _(
            "19 h"
        )
        assert f.date_filter(moment, "full") == "jeudi " + _("31 décembre 2026")
        assert f.date_filter(moment, "short") == _("31 décembre 2026")  # one style everywhere
        assert f.span_filter(moment, moment.replace(hour=20)).replace(NB, " ") == (
            "jeudi 31 décembre 2026, de 19 h à 21 h"
        )
    with force_locale("en"):
        assert f.datetime_filter(moment, "full").replace(NB, " ") == (
            "Thursday 31 December 2026, 7 pm"
        )
        assert f.date_filter(date(2027, 1, 1)).replace(NB, " ") == "1 January 2027"


def test_no_seconds_no_time_zone_names(in_request):
    moment = datetime(2026, 11, 2, 13, 0, 59, tzinfo=UTC)
    for language in ("fr", "en"):
        with force_locale(language):
            for fmt in f.NAMED_FORMATS:
                text = f.datetime_filter(moment, fmt)
                assert ":" not in text and "+01" not in text and "heure" not in text, text
    assert f.datetime_filter(None) == "" and f.date_filter(None) == ""


def test_numbers_use_the_decimal_comma_and_french_spaces(in_request):
    with force_locale("fr"):
        assert f.percent(0.08, 1) == "8,0" + NB + "%"
        assert f.percent(0.5) == "50" + NB + "%"
        assert f.number(12345.5) == "12\u202f345,5"
        assert f.number(3.14159, 2) == "3,14"
        assert f.file_size(300) == "0,3" + NB + "Ko"
        assert f.file_size(1_250_000) == "1,2" + NB + "Mo"
        assert f.file_size(42) == "42" + NB + "octets"
    with force_locale("en"):
        assert f.percent(0.08, 1) == "8.0%"
        assert f.number(12345.5) == "12,345.5"
        assert f.file_size(300) == "0.3" + NB + "KB"


def test_french_alphabetical_order_ignores_accents_and_case():
    names = ["Pouze", "Péchabou", "Pechbusque", "Économie locale", "Eau", "Fourquevaux", "aéro"]
    assert f.collate(names) == [
        "aéro",
        "Eau",
        "Économie locale",
        "Fourquevaux",
        "Péchabou",
        "Pechbusque",
        "Pouze",
    ]
    # accents only break ties, from the end of the word as in French dictionaries
    assert f.collate(["côté", "coté", "côte", "cote"]) == ["cote", "côte", "coté", "côté"]
    # hyphens separate words; ligatures count as their letters
    assert f.collate(["Saint-Orens", "Sainte Foy", "Saint Agne"]) == [
        "Saint Agne",
        "Saint-Orens",
        "Sainte Foy",
    ]
    assert f.collate(["Oz", "Œuvre", "Odars"]) == ["Odars", "Œuvre", "Oz"]


def test_collate_by_attribute():
    class Item:
        def __init__(self, name):
            self.name = name

    items = [Item("Pouze"), Item("Péchabou"), Item("Ayguesvives")]
    assert [i.name for i in f.collate(items, "name")] == ["Ayguesvives", "Péchabou", "Pouze"]


def test_elision_before_a_vowel():
    assert f.elide("mairie de Ayguesvives") == "mairie d'Ayguesvives"
    assert f.elide("table de Éric A.") == "table d'Éric A."
    assert f.elide("la atelier, le Hameau, de Labège") == "l'atelier, le Hameau, de Labège"
    assert f.elide("ce que il faut") == "ce qu'il faut"


def test_translations_elide_before_the_values_put_in_them(in_request):
    with force_locale("fr"):
        assert f.gettext("de %(x)s", x="Escalquens") == "d'Escalquens"
        assert f.gettext("de %(x)s", x="Labège") == "de Labège"
    with force_locale("en"):
        assert f.gettext("de %(x)s", x="Escalquens") == "de Escalquens"  # no French rule


def test_templates_elide_and_format(app):
    with app.test_request_context("/"), force_locale("fr"):
        template = app.jinja_env.from_string(
            '{{ _("Secteur de %(c)s", c=name) }} · {{ 0.08|percent(1) }} · '
            '{{ names|collate|join(",") }}'
        )
        text = template.render(name="Escalquens", names=["Pouze", "Péchabou"])
        assert text == "Secteur d'Escalquens · 8,0" + NB + "% · Péchabou,Pouze"


def test_charts_never_cut_labels_and_name_the_grades():
    from civic.core.charts import bar_chart, merit_profile

    long_label = "Accueil par téléphone et au guichet de la mairie annexe"
    svg = str(bar_chart([3, 5], [long_label, "Transports en commun"], "Titre"))
    words = " ".join(part.split("<")[0] for part in svg.split('">')[1:])
    assert "Accueil par téléphone" in words and "annexe" in words and "…" not in svg
    assert "Transports en commun" in svg
    grades = [
        "À rejeter",
        "Insuffisant",
        "Passable",
        "Assez bien",
        "Bien",
        "Très bien",
        "Excellent",
    ]
    profile = str(merit_profile([("Vélo", [0, 1, 0, 2, 0, 0, 1])], grades, ["#000"] * 7, "T"))
    assert all(f">{grade}</text>" in profile for grade in grades)  # the legend
