"""Sentence vectors stored at intake, reused by analysis runs, recomputed on change only."""

import pytest
import sqlalchemy as sa

from civic.analysis import services as analysis
from civic.analysis import vectors
from civic.analysis.models import AnalysisRun, ContributionVector
from civic.analysis.pipeline import embeddings
from civic.consultations import services as consultations
from civic.consultations.models import Proposal
from tests.conftest import log_in
from tests.web.analysis_helpers import THEMES, seed
from tests.web.helpers import text

pytestmark = pytest.mark.skipif(embeddings.MODEL is None, reason="no sentence encoder")


def stored(db):
    return {(v.kind, v.item_id): v for v in db.session.scalars(sa.select(ContributionVector)).all()}


def test_each_proposal_gets_its_vector_at_intake(app, climate, make_user, db):
    seed(app, climate, make_user)
    found = stored(db)
    proposals = db.session.scalars(sa.select(Proposal.id)).all()
    assert set(found) == {("proposal", i) for i in proposals}
    assert len(proposals) > sum(len(t) for t in THEMES.values())
    assert {v.model for v in found.values()} == {embeddings.MODEL}
    assert all(len(v.vector) == 2 * embeddings.DIMENSIONS for v in found.values())


def test_a_run_over_stored_vectors_embeds_nothing(app, climate, make_user, db, monkeypatch):
    people = seed(app, climate, make_user)
    calls = []
    monkeypatch.setattr(embeddings, "embed", lambda texts, **kw: calls.append(texts))
    with app.test_request_context():
        run = analysis.start(people[0], climate["consultation"], k=None)
        db.session.flush()
        assert analysis.run_analysis(run.id) == "done"
    assert calls == []
    run = db.session.scalar(sa.select(AnalysisRun))
    assert run.params["representation"] == "vectors"
    # The two planted subjects (cycling, trees) end up apart.
    by_text = {m.text: c.id for c in run.clusters for m in c.members}
    cycling = {by_text[t + "."] for t in THEMES["vélo"] if t + "." in by_text}
    trees = {by_text[t + "."] for t in THEMES["arbres"] if t + "." in by_text}
    assert not cycling & trees


def test_vectors_are_recomputed_when_the_text_or_the_model_changes(
    app, climate, make_user, db, monkeypatch
):
    author = make_user()
    with app.test_request_context():
        proposal = consultations.submit_proposal(
            author,
            climate["consultation"],
            title="Des bancs au parc",
            body="Des bancs à l'ombre.",
            theme="",
            commune_id=None,
        )
    first = stored(db)[("proposal", proposal.id)]
    digest = first.text_hash
    item = [("proposal", proposal.id, vectors.analysed_text(proposal.title, proposal.body))]
    assert vectors.store(item) == 0  # up to date: nothing embedded
    with app.test_request_context():
        consultations.edit_proposal(
            author,
            proposal,
            title="Des fontaines au parc",
            body="De l'eau fraîche l'été.",
            theme="",
            commune_id=None,
        )
    assert stored(db)[("proposal", proposal.id)].text_hash != digest
    monkeypatch.setattr(embeddings, "MODEL", "another-model/1.0")
    item = [("proposal", proposal.id, vectors.analysed_text(proposal.title, proposal.body))]
    assert vectors.store(item) == 1
    assert stored(db)[("proposal", proposal.id)].model == "another-model/1.0"


def test_the_analysed_text_holds_the_title_once():
    assert vectors.analysed_text("Planter des arbres…", "Planter des arbres en ville") == (
        "Planter des arbres en ville"
    )
    assert vectors.analysed_text("Vélo", "Des pistes sûres") == "Vélo. Des pistes sûres"


BASE = "/concertations/plan-climat"


def test_similar_proposals_are_ranked_by_meaning_above_a_threshold(app, client, climate, make_user):
    seed(app, climate, make_user)
    hint = text(
        client.get(
            f"{BASE}/propositions/similaires",
            query_string={"title": "Sécuriser les trajets à bicyclette"},
            headers={"HX-Request": "true"},
        )
    )
    assert "ressemblent à la vôtre" in hint and "<html" not in hint
    assert any(t in hint for t in THEMES["vélo"]) and not any(t in hint for t in THEMES["arbres"])
    # A text about nothing that was proposed: nothing is suggested (words are not enough).
    for unrelated in ("Mon chat est perdu depuis mardi", "Baisser les impôts locaux"):
        page = text(
            client.get(f"{BASE}/propositions/similaires", query_string={"title": unrelated})
        )
        assert "ressemblent" not in page, unrelated


def test_publishing_a_similar_proposal_asks_for_confirmation_first(
    app, client, climate, make_user, db
):
    seed(app, climate, make_user)
    log_in(client, make_user())
    data = {
        "title": "Des pistes cyclables vers le collège",
        "body": "Pour que les enfants aillent au collège à vélo en sécurité.",
        "theme": "",
        "commune_id": "",
    }
    before = db.session.scalar(sa.select(sa.func.count(Proposal.id)))
    asked = client.post(f"{BASE}/propositions/nouvelle", data=data)
    page = text(asked)
    assert asked.status_code == 200 and "ressemblent à la vôtre" in page
    assert 'name="confirmed" value="1"' in page and "Publier quand même" in page
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == before
    published = client.post(f"{BASE}/propositions/nouvelle", data={**data, "confirmed": "1"})
    assert published.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == before + 1
    # Nothing close: published at once.
    other = {**data, "title": "Une fête de la musique", "body": "Des concerts gratuits en juin."}
    assert client.post(f"{BASE}/propositions/nouvelle", data=other).status_code == 303
