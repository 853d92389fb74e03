"""Typed input at the edge: ids within the database's range, one strict integer parser,
control characters refused before any view, lengths checked before any insert, and replace-all
forms that only replace with a fully valid set."""

import pytest
import sqlalchemy as sa

from civic.core.catalogues import french_spacing as fr
from civic.core.inputs import TooLong, strict_int
from tests.conftest import log_in
from tests.web.helpers import text

BASE = "/concertations/plan-climat"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        ("2147483647", 2147483647),
        ("2147483648", None),
        ("99999999999999999999", None),
        ("²", None),  # str.isdigit() says yes, int() says no
        ("٣", None),  # int() reads it, but it is not what anyone typed in a URL
        ("-1", None),
        ("1e3", None),
        (" 1", None),
        ("", None),
        (None, None),
    ],
)
def test_strict_int_reads_ascii_digits_in_range_only(raw, expected):
    assert strict_int(raw) == expected


def test_ids_past_the_integer_range_are_404(client, climate):
    proposal = climate["proposal"]
    assert client.get(f"{BASE}/propositions/{proposal.id}").status_code == 200
    for value in ("2147483648", "99999999999999999999", "٣"):
        assert client.get(f"{BASE}/propositions/{value}").status_code == 404
    assert client.get("/services/2147483648").status_code == 404


def test_bad_integers_in_queries_are_refused_in_both_languages(client, climate, app):
    assert client.get(f"{BASE}/propositions?page=²").status_code == 404
    refused = client.get(f"{BASE}/propositions?commune=99999999999999999999")
    assert refused.status_code == 400
    assert fr("« commune » doit être un nombre entier") in text(refused)
    english = client.get("/services?commune=²", headers={"Accept-Language": "en"})
    assert english.status_code == 400
    assert "The value “commune” must be a whole number" in text(english)
    assert client.get(f"{BASE}/propositions?commune=").status_code == 200  # "all communes"


def test_control_characters_are_refused_before_the_view(client, climate, make_user, db):
    from civic.consultations.models import Comment

    assert client.get("/concertations/%00").status_code == 400
    assert client.get(f"{BASE}/propositions?q=a%00b").status_code == 400
    api = client.get("/api/v1/propositions?cursor=%01")
    assert api.status_code == 400 and api.get_json()["error"]
    log_in(client, make_user())
    url = f"{BASE}/propositions/{climate['proposal'].id}/commentaires"
    typed = "Une idée\x00 à garder,\nsur deux lignes"
    refused = client.post(url, data={"body": typed, "stance": "neutral"})
    assert refused.status_code == 400
    page = text(refused)
    assert "caractère de contrôle" in page
    assert "Une idée à garder,\nsur deux lignes</textarea>" in page  # nothing typed is lost
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0
    # Tabs, newlines and carriage returns are what people type.
    fine = client.post(url, data={"body": "Ligne\tune\r\nLigne deux", "stance": "neutral"})
    assert fine.status_code == 303


def test_a_value_longer_than_its_column_is_refused_with_the_field_name(db):
    from civic.consultations.models import GlossaryTerm

    db.session.add(GlossaryTerm(term="t" * 81, definition="d"))
    with pytest.raises(TooLong, match=fr("« term » est trop long : 81 caractères pour 80")):
        db.session.flush()
    db.session.rollback()


def test_unknown_quota_categories_are_an_error_and_keep_the_stored_quotas(
    client, make_workshop, db
):
    from civic.workshops.models import Quota

    workshop = make_workshop()
    log_in(client, workshop.facilitator)
    url = f"/gestion/ateliers/{workshop.id}/quotas"
    saved = client.post(
        url,
        data={
            "row": ["0"],
            "category-0": "gender",
            "value-0": "female",
            "min-0": "2",
            "max-0": "4",
        },
    )
    assert saved.status_code == 303

    def stored():
        return db.session.scalars(sa.select(Quota.value).where(Quota.workshop_id == workshop.id))

    assert list(stored()) == ["female"]
    for data in (
        {"row": ["0"], "category-0": "astrologie", "value-0": "lion", "min-0": "1", "max-0": "2"},
        {"row": ["0"], "category-0": "gender", "value-0": "", "min-0": "1", "max-0": "2"},
        {"row": ["0"], "category-0": "gender", "value-0": "female", "min-0": "²", "max-0": "2"},
        {"row": ["0"], "category-0": "gender", "value-0": "female", "min-0": "1", "max-0": "9999"},
        {"row": ["0"], "category-0": "area", "value-0": "s", "communes-0": "99999",
         "min-0": "1", "max-0": "2"},
        {"category-0": "gender"},  # no table at all
    ):  # fmt: skip
        refused = client.post(url, data=data)
        assert refused.status_code == 422, data
        assert list(stored()) == ["female"], data
    kept = client.post(
        url,
        data={
            "row": ["0"],
            "category-0": "gender",
            "value-0": "female",
            "min-0": "²",
            "max-0": "4",
        },
    )
    assert 'value="²"' in text(kept)  # the row is shown again as typed


def test_bulk_ids_out_of_range_are_refused(client, make_user, db):
    log_in(client, make_user("moderator"))
    refused = client.post("/gestion/moderation/decisions", data={"case": ["1", "2147483648"]})
    assert refused.status_code == 400
