"""Votes: one per person per proposal, exact counters, the agree budget, under concurrency."""

import random
import threading

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from civic import create_app
from civic.consultations import services
from civic.consultations.models import (
    VOTE_AGREE,
    VOTE_DISAGREE,
    VOTE_PASS,
    Consultation,
    Participation,
    Proposal,
    Vote,
)
from civic.extensions import db as _db
from tests.conftest import CsrfClient, app_config, empty_database


def counts_match(db, consultation_id: int) -> None:
    """Every counter shown equals COUNT(*) of the rows behind it."""
    db.session.expire_all()
    published = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Proposal)
        .where(Proposal.consultation_id == consultation_id, Proposal.status == "published")
    )
    assert db.session.get(Consultation, consultation_id).published_proposals == published
    for proposal in db.session.scalars(
        sa.select(Proposal).where(Proposal.consultation_id == consultation_id)
    ):
        for value, column in (
            (VOTE_AGREE, "agree_count"),
            (VOTE_DISAGREE, "disagree_count"),
            (VOTE_PASS, "pass_count"),
        ):
            real = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Vote)
                .where(Vote.proposal_id == proposal.id, Vote.value == value)
            )
            assert getattr(proposal, column) == real, (proposal.id, column)
    for participation in db.session.scalars(sa.select(Participation)):
        real = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Vote)
            .join(Proposal)
            .where(
                Vote.user_id == participation.user_id,
                Vote.value == VOTE_AGREE,
                Proposal.consultation_id == participation.consultation_id,
            )
        )
        assert participation.agree_used == real


def test_cast_change_retract(climate, make_user, db):
    proposal, voter = climate["proposal"], make_user()
    assert services.cast_vote(voter, proposal, VOTE_AGREE) is None
    assert (proposal.agree_count, proposal.disagree_count) == (1, 0)
    assert services.cast_vote(voter, proposal, VOTE_DISAGREE) == VOTE_AGREE
    assert (proposal.agree_count, proposal.disagree_count) == (0, 1)
    assert services.cast_vote(voter, proposal, VOTE_DISAGREE) == VOTE_DISAGREE  # no change
    assert proposal.disagree_count == 1
    assert services.retract_vote(voter, proposal) == VOTE_DISAGREE
    assert proposal.vote_count == 0
    assert services.retract_vote(voter, proposal) is None
    with pytest.raises(services.ConsultationError):
        services.cast_vote(voter, proposal, 7)


def test_counts_equal_rows_after_a_random_sequence(climate, make_user, db, app):
    rng = random.Random(20261125)
    consultation = climate["consultation"]
    with app.test_request_context():
        proposals = [climate["proposal"]] + [
            services.submit_proposal(
                climate["author"],
                consultation,
                title=f"Idée {i}",
                body=f"Une idée numéro {i}",
                theme="",
                commune_id=None,
            )
            for i in range(4)
        ]
    consultation.agree_limit = 3
    voters = [make_user() for _ in range(6)]
    refused = 0
    statuses = ["published", "published", "hidden", "withdrawn", "pending"]
    for step in range(300):
        voter, proposal = rng.choice(voters), rng.choice(proposals)
        action = rng.choice(["agree", "agree", "disagree", "pass", "retract", "proposal"])
        try:
            if action == "retract":
                services.retract_vote(voter, proposal)
            elif action == "proposal":  # the list's total follows every proposal's fate
                if rng.random() < 0.3:
                    with app.test_request_context():
                        proposals.append(
                            services.submit_proposal(
                                voter,
                                consultation,
                                title=f"Ajout {step}",
                                body="Texte",
                                theme="",
                                commune_id=None,
                            )
                        )
                else:
                    proposal.status = rng.choice(statuses)
            else:
                value = {"agree": VOTE_AGREE, "disagree": VOTE_DISAGREE, "pass": VOTE_PASS}
                services.cast_vote(voter, proposal, value[action])
            db.session.commit()
        except services.ConsultationError:
            db.session.rollback()
            refused += 1
    assert refused > 0  # the budget of 3 "d'accord" was hit along the way
    counts_match(db, consultation.id)
    used = db.session.scalars(sa.select(Participation.agree_used)).all()
    assert max(used) <= 3


def test_agree_limit_and_freed_budget(climate, make_user, db, app):
    consultation = climate["consultation"]
    consultation.agree_limit = 1
    with app.test_request_context():
        other = services.submit_proposal(
            climate["author"],
            consultation,
            title="Autre idée",
            body="Encore une idée",
            theme="",
            commune_id=None,
        )
    voter = make_user()
    services.cast_vote(voter, climate["proposal"], VOTE_AGREE)
    with pytest.raises(services.ConsultationError, match="déjà donné vos 1"):
        services.cast_vote(voter, other, VOTE_AGREE)
    db.session.rollback()
    services.cast_vote(voter, climate["proposal"], VOTE_PASS)  # frees the budget
    services.cast_vote(voter, other, VOTE_AGREE)
    db.session.commit()
    counts_match(db, consultation.id)


def test_no_agree_at_all_under_a_zero_limit(climate, make_user, db):
    consultation, proposal = climate["consultation"], climate["proposal"]
    consultation.agree_limit = 0
    voter = make_user()
    with pytest.raises(services.ConsultationError, match="déjà donné vos 0"):
        services.cast_vote(voter, proposal, VOTE_AGREE)
    db.session.rollback()
    services.cast_vote(voter, proposal, VOTE_DISAGREE)  # the other votes stay open
    db.session.commit()
    assert proposal.disagree_count == 1
    counts_match(db, consultation.id)


def test_counts_are_read_back_by_the_vote_itself(climate, make_user, db):
    """The proposal's counters after a vote come from the statement that changed them."""
    proposal = climate["proposal"]
    first, second = make_user(), make_user()
    services.cast_vote(first, proposal, VOTE_AGREE)
    db.session.commit()
    # Another request changes the counters meanwhile: the next vote sees its effect too.
    db.session.execute(sa.update(Proposal).where(Proposal.id == proposal.id).values(pass_count=5))
    services.cast_vote(second, proposal, VOTE_DISAGREE)
    assert (proposal.agree_count, proposal.disagree_count, proposal.pass_count) == (1, 1, 5)
    db.session.rollback()


@pytest.fixture
def scratch_app(request, tmp_path):
    """An app on its own database, committed for real: for tests of concurrent requests."""
    url = request.config.getoption("--database-url")
    if url and url.startswith("postgresql"):
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text("DROP DATABASE IF EXISTS civic_concurrency"))
            connection.execute(sa.text("CREATE DATABASE civic_concurrency"))
        scratch = url.rsplit("/", 1)[0] + "/civic_concurrency"
        empty_database(scratch)
    else:
        admin, scratch = None, f"sqlite:///{tmp_path / 'concurrency.sqlite'}"
    app = create_app(app_config(scratch))
    app.test_client_class = CsrfClient
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(sa.text("DROP DATABASE IF EXISTS civic_concurrency"))
        admin.dispose()


def seed_consultation(app, n_proposals: int, agree_limit=None):
    from datetime import timedelta

    from civic.accounts.models import User
    from civic.core.models import utcnow

    with app.test_request_context():
        now = utcnow()
        voter = User(email="voter@example.org", password_hash="x", email_confirmed_at=now)
        _db.session.add(voter)
        _db.session.flush()
        consultation = services.save_consultation(
            voter,
            None,
            title="Concurrence",
            slug="",
            summary="s",
            body="",
            theme="",
            communes=[],
            agree_limit=agree_limit,
            premoderation=False,
        )
        services.add_phase(
            voter,
            consultation,
            title="Votes",
            description="",
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=1),
            features=["voting"],
            audience="public",
        )
        services.publish(voter, consultation)
        ids = [
            services.submit_proposal(
                voter, consultation, title=f"P{i}", body="texte", theme="", commune_id=None
            ).id
            for i in range(n_proposals)
        ]
        _db.session.commit()
        return voter.get_id(), consultation.slug, ids


def run_concurrently(app, voter, urls: list[str], value: str) -> list[int]:
    clients = []
    for _ in urls:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = voter
        client.token = client.csrf_token()
        clients.append(client)
    barrier = threading.Barrier(len(urls))
    statuses = [None] * len(urls)

    def post(i):
        barrier.wait()
        response = clients[i].post(
            urls[i],
            data={"vote": value, "csrf_token": clients[i].token},
            headers={"HX-Request": "true"},
        )
        statuses[i] = response.status_code

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(urls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_twenty_concurrent_votes_leave_one(scratch_app):
    voter, slug, (proposal_id,) = seed_consultation(scratch_app, 1)
    url = f"/concertations/{slug}/propositions/{proposal_id}/vote"
    statuses = run_concurrently(scratch_app, voter, [url] * 20, "agree")
    assert statuses == [200] * 20
    with scratch_app.app_context():
        votes = _db.session.scalar(sa.select(sa.func.count()).select_from(Vote))
        proposal = _db.session.get(Proposal, proposal_id)
        assert votes == 1 and proposal.agree_count == 1
        assert _db.session.scalar(sa.select(Participation.agree_used)) == 1


def test_concurrent_agrees_cannot_pass_the_limit(scratch_app):
    voter, slug, ids = seed_consultation(scratch_app, 20, agree_limit=3)
    urls = [f"/concertations/{slug}/propositions/{pid}/vote" for pid in ids]
    statuses = run_concurrently(scratch_app, voter, urls, "agree")
    assert sorted(statuses) == [200] * 3 + [422] * 17
    with scratch_app.app_context():
        agrees = _db.session.scalar(sa.select(sa.func.count()).select_from(Vote))
        total = _db.session.scalar(sa.select(sa.func.sum(Proposal.agree_count)))
        assert agrees == total == 3
        assert _db.session.scalar(sa.select(Participation.agree_used)) == 3


def test_concurrent_proposals_keep_the_listing_total_exact(scratch_app):
    """Proposals submitted and withdrawn at the same time: the total that the list shows,
    kept by the database's triggers, still equals COUNT(*)."""
    voter_id, _slug, ids = seed_consultation(scratch_app, 10)
    barrier = threading.Barrier(20, timeout=30)
    errors = []

    def work(i: int) -> None:
        # As the POST requests that make these changes (SQLite: a write transaction at once).
        with scratch_app.app_context(), scratch_app.test_request_context(method="POST"):
            from civic.accounts.models import User

            try:
                barrier.wait()
                voter = _db.session.get(User, int(voter_id.split(":")[0]))
                proposal = _db.session.get(Proposal, ids[i % 10])
                consultation = _db.session.get(Consultation, proposal.consultation_id)
                if i < 10:
                    services.withdraw_proposal(voter, proposal)
                else:
                    services.submit_proposal(
                        voter, consultation, title=f"N{i}", body="t", theme="", commune_id=None
                    )
                _db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with scratch_app.app_context():
        consultation_id = _db.session.get(Proposal, ids[0]).consultation_id
        assert _db.session.get(Consultation, consultation_id).published_proposals == 10
        counts_match(_db, consultation_id)
