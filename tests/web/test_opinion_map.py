"""'Où vous situez-vous ?': the opinion map a participant sees after 7 votes."""

import re

import sqlalchemy as sa

from civic.analysis.positions import services as positions
from civic.analysis.positions.models import OpinionMap
from civic.consultations import services as consultations
from civic.consultations.models import VOTE_AGREE, VOTE_DISAGREE
from tests.conftest import log_in
from tests.web.helpers import text

URL = "/concertations/plan-climat/ou-vous-situez-vous"


def proposals(app, climate, make_user, n=10):
    author = make_user()
    with app.test_request_context():
        return [
            consultations.submit_proposal(
                author,
                climate["consultation"],
                title=f"Proposition numéro {i}",
                body=f"Texte de la proposition {i}.",
                theme="",
                commune_id=None,
            )
            for i in range(n)
        ]


def two_camps(app, make_user, items, n=24):
    """Half the voters agree with the first half of the proposals and reject the rest; the
    other half the reverse (one vote in each camp breaks ranks)."""
    voters = [make_user() for _ in range(n)]
    with app.test_request_context():
        for v, voter in enumerate(voters):
            for j, proposal in enumerate(items):
                first_camp = (j < len(items) // 2) == (v % 2 == 0)
                if j == len(items) - 1 and v < 2:
                    first_camp = not first_camp  # breaks ranks on the last proposal
                consultations.cast_vote(
                    voter, proposal, VOTE_AGREE if first_camp else VOTE_DISAGREE
                )
    return voters


def test_fewer_than_7_votes_asks_for_more(app, client, climate, make_user, db):
    items = proposals(app, climate, make_user)
    me = make_user()
    with app.test_request_context():
        for proposal in items[:6]:
            consultations.cast_vote(me, proposal, VOTE_AGREE)
    db.session.commit()
    log_in(client, me)
    page = text(client.get(URL))
    assert "Vous avez voté sur 6 propositions" in page and "au moins 7" in page
    assert "<svg" not in page
    assert db.session.scalar(sa.select(OpinionMap)) is None  # nothing computed for them


def test_map_text_alternative_and_differences(app, client, climate, make_user, db):
    items = proposals(app, climate, make_user)
    voters = two_camps(app, make_user, items)
    db.session.commit()
    log_in(client, voters[0])
    response = client.get(URL)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    opinion_map = db.session.scalar(sa.select(OpinionMap))
    assert opinion_map.computed_at is not None and opinion_map.votes == 240
    assert len(opinion_map.data["groups"]) == 2
    # The text alternative says the same as the map.
    summary = re.search(r'<p class="lead" id="standing-summary">(.*?)</p>', page).group(1)
    assert "Vous êtes dans le groupe" in summary and "(50 % des participants)" in summary
    assert "comme vous, ils sont d&#39;accord avec" in summary
    assert f'<desc id="map-desc">{summary}</desc>' in page
    # voter 0 broke ranks on the last proposal: it is where they differ from their group.
    differ = page.split('id="differ-title"')[1]
    assert "Proposition numéro 9" in differ and "de votre groupe" in differ
    assert "Dernier calcul" in page
    # Points only: 24 participants, one marked; no id, title or data attribute per point.
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert svg.count("<circle") == 25 and svg.count('stroke="#000000"') == 1
    assert "data-" not in svg and svg.count("<title") == 1
    assert not re.search(r"\bid=\"(?!map-title|map-desc)", svg)


def test_recomputed_only_after_enough_new_votes(app, client, climate, make_user, db):
    items = proposals(app, climate, make_user)
    voters = two_camps(app, make_user, items)
    db.session.commit()
    log_in(client, voters[0])
    client.get(URL)
    first = db.session.scalar(sa.select(OpinionMap))
    computed = first.computed_at
    latecomer = make_user()
    with app.test_request_context():
        for proposal in items[:7]:
            consultations.cast_vote(latecomer, proposal, VOTE_AGREE)
    db.session.commit()
    assert not positions.is_stale(first, 247)  # 7 new votes: fewer than 10
    log_in(client, latecomer)
    page = text(client.get(URL))
    db.session.refresh(first)
    assert first.computed_at == computed and first.votes == 240
    # Not on the map yet: told so, with the time of the last computation.
    assert "ne tient pas encore compte de vos votes" in page and "Dernier calcul" in page
    assert "<svg" not in page
    # 12 new votes (5 % of 240) since the last computation: recomputed.
    with app.test_request_context():
        for proposal in items[7:]:
            consultations.cast_vote(latecomer, proposal, VOTE_DISAGREE)
        for proposal in items[:2]:
            consultations.cast_vote(make_user(), proposal, VOTE_AGREE)
    db.session.commit()
    page = text(client.get(URL))
    db.session.refresh(first)
    assert first.votes == 252 and first.computed_at > computed  # inline job without Redis
    assert "Vous êtes dans le groupe" in page


def test_anonymous_is_sent_to_log_in(client, climate):
    response = client.get(URL)
    assert response.status_code == 302 and "connexion" in response.headers["Location"]


def test_synthesis_names_each_group_by_what_it_holds(app, client, climate, make_user, db):
    from civic.analysis.models import AnalysisRun

    items = proposals(app, climate, make_user)
    two_camps(app, make_user, items)
    consultation = climate["consultation"]
    run = AnalysisRun(
        consultation_id=consultation.id,
        status="done",
        opinions=positions.compute_opinions(consultation.id),
    )
    db.session.add(run)
    db.session.commit()
    log_in(client, make_user("agent"))
    page = text(client.get("/concertations/plan-climat/synthese"))
    section = page.split('id="opinions-title"')[1]
    assert "Groupe A : Plutôt pour « Proposition numéro" in section
    assert "et contre « Proposition numéro" in section
    assert "Groupe B : Plutôt pour" in section and re.search(r"\(50\s%\)", section)
    lists = [
        re.findall(r"« (Proposition numéro \d) »", article.split("</h4>")[1].split("</ul>")[0])
        for article in section.split('class="card opinion-group"')[1:]
    ]
    assert len(lists) == 2 and all(lists) and set(lists[0]).isdisjoint(lists[1])
    assert "du groupe est d'accord avec" in section


def test_hidden_proposals_are_left_out_of_the_groups(app, climate, make_user, db):
    from civic.consultations.models import ProposalStatus

    items = proposals(app, climate, make_user)
    two_camps(app, make_user, items)
    items[0].status = ProposalStatus.HIDDEN.value
    db.session.commit()
    data = positions.compute_opinions(climate["consultation"].id)
    assert data["excluded_statements"] == [items[0].id]
    assert items[0].id not in data["statements"]
    shown = {s for ids in data["repness"].values() for s in ids} | set(data["consensus"])
    assert items[0].id not in shown
    # Pol.is counts votes before moderation: everyone is still in.
    assert sum(len(g["participants"]) for g in data["groups"]) == 24
