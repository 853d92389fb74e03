"""Idempotent submissions: each create form carries a one-time key; the same key twice makes
one item, and the second request gets the first one's answer (the concurrent case, with
threads on a committed database, is in tests/security/test_submission_race.py)."""

import re

import pytest
import sqlalchemy as sa

from civic.consultations.models import Comment, Proposal
from civic.core.models import Submission
from civic.moderation.models import Report
from civic.ratings.models import CRITERIA, Rating, Service
from civic.workshops.content import register_kinds
from civic.workshops.models import Note
from tests.conftest import log_in

KEY = re.compile(r'name="submission_key" value="([^"]+)"')
HX = {"HX-Request": "true"}
BASE = "/concertations/plan-climat"


def key_of(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, url
    return KEY.search(page.get_data(as_text=True)).group(1)


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def twice(client, url, data, headers=None):
    first = client.post(url, data=data, headers=headers or {})
    second = client.post(url, data=data, headers=headers or {})
    return first, second


def same_answer(first, second) -> None:
    assert first.status_code < 400, first.get_data(as_text=True)[:500]
    assert second.status_code == first.status_code
    assert second.headers.get("Location") == first.headers.get("Location")
    if first.status_code == 200:
        assert second.get_data() == first.get_data()


@pytest.fixture(autouse=True)
def _note_kind(app):
    with app.app_context():
        register_kinds()


def test_a_comment_sent_twice_is_published_once(client, climate, make_user, db):
    log_in(client, make_user())
    url = f"{BASE}/propositions/{climate['proposal'].id}"
    data = {"body": "Un commentaire utile", "stance": "neutral"}
    data["submission_key"] = key_of(client, url)
    first, second = twice(client, url + "/commentaires", data)
    same_answer(first, second)
    assert count(db, Comment) == 1
    # A new rendering of the form has a new key: a second comment is a second comment.
    again = {**data, "submission_key": key_of(client, url)}
    assert client.post(url + "/commentaires", data=again).status_code == 303
    assert count(db, Comment) == 2


def test_each_reply_form_has_its_own_key(client, climate, make_user, db):
    log_in(client, make_user())
    url = f"{BASE}/propositions/{climate['proposal'].id}"
    client.post(url + "/commentaires", data={"body": "Premier", "stance": "neutral"})
    client.post(url + "/commentaires", data={"body": "Second", "stance": "neutral"})
    keys = KEY.findall(client.get(url).get_data(as_text=True))
    assert len(keys) == 3 and len(set(keys)) == 3  # the comment form and two reply forms


def test_a_proposal_sent_twice_is_created_once(client, climate, make_user, db):
    log_in(client, make_user())
    url = f"{BASE}/propositions/nouvelle"
    data = {
        "title": "Planter des arbres dans les écoles",
        "body": "Des arbres dans chaque cour d'école pour l'ombre en été.",
        "theme": "Mobilité",
        "commune_id": "",
        "submission_key": key_of(client, url),
    }
    before = count(db, Proposal)
    first, second = twice(client, url, data)
    same_answer(first, second)
    assert count(db, Proposal) == before + 1


def test_a_refused_form_releases_its_key(client, climate, make_user, db):
    log_in(client, make_user())
    url = f"{BASE}/propositions/nouvelle"
    key = key_of(client, url)
    refused = client.post(url, data={"title": "Arbres", "body": "court", "submission_key": key})
    assert refused.status_code == 422
    assert count(db, Submission) == 0
    fixed = {
        "title": "Planter des arbres dans les écoles",
        "body": "Des arbres dans chaque cour d'école pour l'ombre en été.",
        "theme": "Mobilité",
        "commune_id": "",
        "submission_key": key,
    }
    before = count(db, Proposal)
    assert client.post(url, data=fixed).status_code == 303
    assert count(db, Proposal) == before + 1


def test_a_report_sent_twice_is_counted_once(client, climate, make_user, db):
    log_in(client, make_user())
    url = f"/signalements/proposal/{climate['proposal'].id}"
    data = {"reason": "spam", "details": "", "submission_key": key_of(client, url)}
    first, second = twice(client, url, data)
    same_answer(first, second)
    assert count(db, Report) == 1


def test_a_rating_sent_twice_is_recorded_once(client, make_user, db):
    service = Service(source="test", source_id="s1", name="Piscine", type="Piscine")
    db.session.add(service)
    db.session.commit()
    log_in(client, make_user())
    url = f"/services/{service.id}/avis"
    data = {**{c: "4" for c in CRITERIA}, "channel": "phone", "comment": "Bien"}
    data["submission_key"] = key_of(client, url)
    first, second = twice(client, url, data)
    same_answer(first, second)
    assert count(db, Rating) == 1


def test_a_note_sent_twice_with_htmx_shows_the_same_fragment(client, live_workshop, db):
    log_in(client, live_workshop["citizen"])
    url = f"/ateliers/{live_workshop['workshop'].slug}/tableau"
    data = {"body": "Plus de bus le soir", "submission_key": key_of(client, url)}
    first, second = twice(client, url + "/notes", data, HX)
    same_answer(first, second)
    assert first.status_code == 200 and "Plus de bus" in first.get_data(as_text=True)
    assert count(db, Note) == 1


def test_a_key_is_worth_nothing_to_someone_else(client, climate, make_user, db):
    url = f"{BASE}/propositions/{climate['proposal'].id}"
    log_in(client, make_user())
    key = key_of(client, url)
    data = {"body": "Un commentaire", "stance": "neutral", "submission_key": key}
    client.post(url + "/commentaires", data=data)
    log_in(client, make_user())
    assert client.post(url + "/commentaires", data=data).status_code == 303
    assert count(db, Comment) == 2


@pytest.mark.parametrize("key", ["court", "a" * 65, "é" * 20, "a b c d e f g h i j"])
def test_a_malformed_key_is_refused(client, climate, make_user, db, key):
    log_in(client, make_user())
    url = f"{BASE}/propositions/{climate['proposal'].id}/commentaires"
    data = {"body": "Un commentaire", "stance": "neutral", "submission_key": key}
    assert client.post(url, data=data).status_code == 400
    assert count(db, Comment) == 0
