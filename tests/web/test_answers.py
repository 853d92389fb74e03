"""One answer per contribution, the same in every view; no contribution left behind."""

import re

import sqlalchemy as sa

from civic.accounts.models import User
from civic.analysis import answers, services
from civic.analysis import opendata as analysis_data
from civic.analysis.models import AnalysisRun, ClusterMember
from civic.consultations import opendata as consultations_data
from civic.consultations import services as consultations
from civic.consultations.models import Comment, Consultation, Proposal, ProposalStatus, Vote
from civic.core.notify import OutboxEmail
from tests.conftest import log_in
from tests.web.analysis_helpers import seed, start_run
from tests.web.helpers import text


def _tags(page: str) -> dict[str, str]:
    """The answer shown for each contribution of a page: {"proposal:12": "retained", ...}."""
    found = re.findall(r'class="tag tag-([a-z_]+)" data-contribution="([a-z]+:\d+)"', page)
    return {key: status for status, key in found}


def test_every_demo_contribution_has_the_same_answer_in_every_view(app, client, db):
    from civic.demo import load_demo

    with app.test_request_context():
        load_demo()
        climate = db.session.scalar(
            sa.select(Consultation).where(Consultation.slug == "plan-climat")
        )
        citizen = db.session.scalar(sa.select(User).where(User.email.like("habitante@%")))
        # After the published decision, the demo citizen proposes, comments and votes.
        late = consultations.submit_proposal(
            citizen,
            climate,
            title="Des fontaines à eau dans les parcs",
            body="Installer des fontaines à eau potable dans les parcs pour les fortes chaleurs.",
            theme="Environnement",
            commune_id=citizen.commune_id,
        )
        other = db.session.scalar(
            sa.select(Proposal)
            .where(Proposal.consultation_id == climate.id, Proposal.id != late.id)
            .order_by(Proposal.id)
            .limit(1)
        )
        late_comment = consultations.add_comment(
            citizen, other, body="Je soutiens cette idée.", stance="for"
        )
        consultations.cast_vote(citizen, other, 0)
    db.session.commit()
    run = db.session.scalar(sa.select(AnalysisRun).where(AnalysisRun.published_at.is_not(None)))
    assert not db.session.scalar(
        sa.select(ClusterMember.id).where(
            ClusterMember.kind == "proposal", ClusterMember.item_id == late.id
        )
    )
    proposals = db.session.scalars(
        sa.select(Proposal).where(Proposal.consultation_id == climate.id)
    ).all()
    comments = db.session.scalars(
        sa.select(Comment).join(Proposal).where(Proposal.consultation_id == climate.id)
    ).all()
    keys = [("proposal", p.id) for p in proposals] + [("comment", c.id) for c in comments]
    expected = {f"{k}:{i}": o.status for (k, i), o in answers.outcomes(keys).items()}
    # Individual answers, group decisions and contributions still waiting are all there.
    sources = {o.source for o in answers.outcomes(keys).values()}
    assert {"individual", "group", "none"} <= sources
    assert expected[f"proposal:{late.id}"] == "pending"
    assert expected[f"comment:{late_comment.id}"] == "pending"

    # The proposal page, and the listings' copy of the answer.
    for p in proposals:
        if p.status != ProposalStatus.PUBLISHED:
            continue
        page = text(client.get(f"/concertations/plan-climat/propositions/{p.id}"))
        assert _tags(page) == {f"proposal:{p.id}": expected[f"proposal:{p.id}"]}
        assert (p.answer_status or "pending") == expected[f"proposal:{p.id}"]

    # Each participant's "Mes contributions" and restitution pages.
    authors = {p.author_id for p in proposals} | {c.author_id for c in comments}
    voters = set(
        db.session.scalars(
            sa.select(Vote.user_id).join(Proposal).where(Proposal.consultation_id == climate.id)
        )
    )
    for user_id in (authors | voters) - {None}:
        user = db.session.get(User, user_id)
        own = [f"proposal:{p.id}" for p in proposals if p.author_id == user_id]
        own += [f"comment:{c.id}" for c in comments if c.author_id == user_id]
        voted = db.session.scalars(sa.select(Vote.proposal_id).where(Vote.user_id == user_id))
        want = {key: expected[key] for key in own} | {
            f"vote:{pid}": expected[f"proposal:{pid}"] for pid in voted
        }
        log_in(client, user)
        for url in ("/mes-contributions", "/concertations/plan-climat/restitution"):
            page = text(client.get(url))
            assert _tags(page) == want, (url, user.email)
            assert "Vous n'avez pas contribué" not in page
    # Contributions made after the published decision are in "what became of it".
    log_in(client, citizen)
    mine = _tags(text(client.get("/concertations/plan-climat/restitution")))
    assert mine[f"proposal:{late.id}"] == mine[f"comment:{late_comment.id}"] == "pending"
    assert f"vote:{other.id}" in mine

    # The follow-up page lists what was retained, in full or in part, whoever decided it.
    followup = text(client.get("/concertations/plan-climat/suivi"))
    listed = {int(i) for i in re.findall(r"/plan-climat/propositions/(\d+)\"", followup)}
    assert listed == {
        p.id
        for p in proposals
        if p.status == ProposalStatus.PUBLISHED
        and expected[f"proposal:{p.id}"] in ("retained", "partly_retained")
    }
    assert listed

    # Open data.
    rows = {row["id"]: row for row in consultations_data.proposals(consultation_id=climate.id)}
    for pid, row in rows.items():
        assert (row["statut_reponse"] or "pending") == expected[f"proposal:{pid}"]

    # The e-mails sent at publication: one line per analysed contribution, in order.
    for mail in db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.subject.like("Décision publiée%"))
    ):
        members = db.session.scalars(
            sa.select(ClusterMember)
            .where(ClusterMember.run_id == run.id, ClusterMember.author_id == mail.user_id)
            .order_by(ClusterMember.id)
        ).all()
        labels = re.findall(r"^  Réponse\xa0: (.+?)(?: \(groupe .*)?$", mail.body, re.M)
        assert labels == [answers.outcome(m.kind, m.item_id).label for m in members], (
            mail.to_address
        )


def test_publication_is_refused_while_a_contribution_is_left_behind(
    app, client, climate, make_user, db
):
    people = seed(app, climate, make_user)
    agent, elected = make_user("agent"), make_user("elected")
    log_in(client, agent)
    start_run(client, climate)
    run = db.session.scalar(sa.select(AnalysisRun))
    with app.test_request_context():
        late = consultations.submit_proposal(
            people[0],
            climate["consultation"],
            title="Un composteur collectif par quartier",
            body="Des composteurs partagés dans chaque quartier.",
            theme="",
            commune_id=None,
        )
        paper = consultations.enter_contribution(
            agent,
            climate["consultation"],
            title="Des bancs à l'ombre",
            body="Des bancs à l'ombre sur la place du marché.",
            theme="",
            commune_id=None,
            channel="paper",
            place="accueil",
        )
        comment = consultations.add_comment(
            people[1], climate["proposal"], body="Oui, et éclairée la nuit.", stance="for"
        )
    db.session.commit()
    log_in(client, elected)
    for cluster in run.clusters:
        client.post(
            f"/gestion/analyses/groupes/{cluster.id}/decision",
            data={"decision": "retained", "justification": "Inscrit au plan 2027."},
        )
    refused = client.post(f"/gestion/analyses/{run.id}/publication", follow_redirects=True)
    page = text(refused)
    assert "3 contributions publiées ne sont ni dans l'analyse" in page
    assert page.count("répondre individuellement") == 3
    assert "Des bancs à l'ombre" in page and "Oui, et éclairée la nuit." in page
    db.session.refresh(run)
    assert run.published_at is None
    # An agent sees the button that runs the analysis again with every contribution.
    log_in(client, agent)
    assert "Relancer l'analyse" in text(client.get(f"/gestion/analyses/{run.id}"))
    # Answered individually (the comment through its proposal), nothing is left behind.
    log_in(client, elected)
    for proposal in (late, paper, climate["proposal"]):
        answered = client.post(
            f"/concertations/plan-climat/propositions/{proposal.id}/reponse",
            data={"status": "not_retained", "text": "Pas cette année.", "signed_as": "Maire"},
        )
        assert answered.status_code == 303
    assert client.post(f"/gestion/analyses/{run.id}/publication").status_code == 303
    db.session.refresh(run)
    assert run.published_at is not None
    assert answers.outcome("comment", comment.id).status == "not_retained"
    assert answers.outcome("comment", comment.id).source == "proposal"


def test_an_interim_answer_gives_way_to_the_group_decision(app, client, climate, make_user, db):
    seed(app, climate, make_user)
    agent, elected = make_user("agent"), make_user("elected")
    log_in(client, agent)
    start_run(client, climate)
    run = db.session.scalar(sa.select(AnalysisRun))
    member = db.session.scalar(
        sa.select(ClusterMember).where(ClusterMember.kind == "proposal").limit(1)
    )
    proposal = db.session.get(Proposal, member.item_id)
    with app.test_request_context():
        consultations.answer_proposal(
            elected, proposal, status="under_study", text="À l'étude.", signed_as="Maire"
        )
        assert answers.outcome("proposal", proposal.id).status == "under_study"
        for cluster in run.clusters:
            services.decide(elected, cluster, "out_of_scope", "Compétence de la Région.")
        services.publish(elected, run)
    db.session.commit()
    found = answers.outcome("proposal", proposal.id)
    assert (found.status, found.source) == ("out_of_scope", "group")
    db.session.refresh(proposal)
    assert proposal.answer_status == "out_of_scope"
    # A final individual answer wins over the group's decision, everywhere.
    with app.test_request_context():
        consultations.answer_proposal(
            elected, proposal, status="retained", text="Retenue ici.", signed_as="Maire"
        )
    db.session.commit()
    db.session.refresh(proposal)
    assert proposal.answer_status == "retained"
    page = text(client.get(f"/concertations/plan-climat/propositions/{proposal.id}"))
    assert _tags(page) == {f"proposal:{proposal.id}": "retained"}


def test_campaign_copies_held_by_moderation_count_as_support(app, client, climate, make_user, db):
    from civic.consultations.models import ProposalStatus as Status

    seed(app, climate, make_user)
    campaign = "Non au contournement routier de Labège, protégeons les terres agricoles"
    copies = []
    with app.test_request_context():
        for _ in range(6):
            copies.append(
                consultations.submit_proposal(
                    make_user(),
                    climate["consultation"],
                    title=campaign,
                    body=campaign + ".",
                    theme="",
                    commune_id=None,
                )
            )
    db.session.commit()
    held = [p for p in copies if p.status == Status.PENDING]
    assert len(held) == 4  # a burst of the same text from new accounts: held as duplicates
    agent, elected = make_user("agent"), make_user("elected")
    log_in(client, agent)
    start_run(client, climate)
    run = db.session.scalar(sa.select(AnalysisRun))
    assert run.stats["held_copies"] == 4
    keys = {f"proposal:{p.id}" for p in copies}
    assert any(keys <= set(group) for group in run.campaigns)  # a campaign of six, not two
    members = db.session.scalars(
        sa.select(ClusterMember).where(ClusterMember.item_id.in_([p.id for p in copies]))
    ).all()
    assert sorted(m.held for m in members) == [False, False, True, True, True, True]
    cluster = members[0].cluster
    assert {m.cluster_id for m in members} == {cluster.id}
    assert cluster.size == len(cluster.members)
    # Held copies are never quoted, and count in the size, not in the size without duplicates.
    assert not {f"proposal:{p.id}" for p in held} & set(cluster.quotes)
    # Their authors get the campaign's answer, like the others.
    with app.test_request_context():
        for c in run.clusters:
            services.decide(elected, c, "not_retained", "Le projet routier est abandonné.")
        services.publish(elected, run)
    db.session.commit()
    assert answers.outcome("proposal", held[0].id).status == "not_retained"
    # The public open data does not list the held items.
    decision = next(
        row
        for row in analysis_data.decisions(consultation_id=climate["consultation"].id)
        if row["id"] == cluster.id
    )
    assert not {f"proposal:{p.id}" for p in held} & set(decision["membres"].split())
