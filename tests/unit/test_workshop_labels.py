"""Quota labels as the facilitator and the public read them: elided in French, English
punctuation in English."""

from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from civic.workshops.models import Category
from civic.workshops.services import quota_label


@pytest.fixture
def in_request(app):
    with app.test_request_context("/"):
        yield


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_a_sector_named_after_a_commune_is_elided(in_request):
    # Labels stored before elision was applied ("Secteur de Escalquens") read right too.
    quota = SimpleNamespace(category=Category.AREA, label="Secteur de Escalquens", value="s-1")
    with force_locale("fr"):
        assert _plain(quota_label(quota)) == "Territoire : Secteur d'Escalquens"
    other = SimpleNamespace(category=Category.AREA, label="Secteur de Labège", value="s-2")
    with force_locale("fr"):
        assert _plain(quota_label(other)) == "Territoire : Secteur de Labège"


def test_english_labels_have_no_space_before_the_colon(in_request):
    quota = SimpleNamespace(category=Category.GENDER, label="", value="female")
    with force_locale("en"):
        label = quota_label(quota)
    assert label.startswith("Gender: ") and " :" not in label
