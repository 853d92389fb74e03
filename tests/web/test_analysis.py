"""Analysis in the platform: run as a job, review, decide, publish, restitute."""

import sqlalchemy as sa

from civic.analysis.models import AnalysisRun, Cluster, ClusterMember
from civic.consultations import services as consultations
from civic.core.notify import Notification
from tests.conftest import log_in
from tests.web.analysis_helpers import seed, start_run
from tests.web.helpers import text


def test_run_review_decide_publish_and_restitute(app, client, climate, make_user, db):
    people = seed(app, climate, make_user)
    agent, elected = make_user("agent"), make_user("elected")
    log_in(client, agent)
    location = start_run(client, climate)
    run = db.session.scalar(sa.select(AnalysisRun))
    assert run.status == "done" and run.progress == 100  # inline without Redis
    page = text(client.get(location))
    assert "Analyse terminée" in page and "groupes ou contributions isolées" in page
    fragment = client.get(location, headers={"HX-Request": "true"})
    assert "<html" not in text(fragment) and "Analyse terminée" in text(fragment)
    # Every contribution is in exactly one group.
    members = db.session.scalars(sa.select(ClusterMember)).all()
    assert len(members) == 9 and len({m.key for m in members}) == 9
    clusters = db.session.scalars(sa.select(Cluster).where(Cluster.isolated.is_(False))).all()
    assert len(clusters) >= 2
    first, second = clusters[0], clusters[1]
    assert (
        client.post(
            f"/gestion/analyses/groupes/{first.id}/nom", data={"label": "Mobilités douces"}
        ).status_code
        == 303
    )
    db.session.refresh(first)
    assert first.label == "Mobilités douces"
    member = second.members[0]
    client.post(
        f"/gestion/analyses/contributions/{member.id}/deplacement", data={"target": first.id}
    )
    db.session.expire_all()
    assert member.cluster_id == first.id and first.size == len(first.members)
    keep, leave = first.members[0], first.members[1]
    client.post(
        f"/gestion/analyses/groupes/{first.id}/scission",
        data={"member": [leave.id], "label": "Parkings vélo"},
    )
    db.session.expire_all()
    new = db.session.scalar(sa.select(Cluster).where(Cluster.label == "Parkings vélo"))
    assert leave.cluster_id == new.id and keep.cluster_id == first.id and new.size == 1
    assert first.size == len(first.members)
    client.post(f"/gestion/analyses/groupes/{first.id}/validation", data={"validated": "1"})
    db.session.refresh(first)
    assert first.validated
    # Merging asks which group: no group is chosen for the facilitator by default.
    page = client.get(f"/gestion/analyses/{run.id}").get_data(as_text=True)
    assert 'name="target" required><option value="">— Choisir un groupe —</option>' in page
    # Publishing is refused while a group has no answer.
    log_in(client, elected)
    client.post(f"/gestion/analyses/{run.id}/publication")
    db.session.refresh(run)
    assert run.published_at is None
    # A refused answer comes back on the page with the decision chosen and the reason said.
    refused = client.post(
        f"/gestion/analyses/groupes/{first.id}/decision",
        data={"decision": "partly_retained", "justification": "  "},
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert f'role="alert" id="decide-error-{first.id}">Justifiez la décision' in page
    form = page.split(f'id="decision-{first.id}"')[1].split("</select>")[0]
    assert '<option value="partly_retained" selected>' in form
    db.session.refresh(first)
    assert first.decision is None
    for cluster in run.clusters:
        client.post(
            f"/gestion/analyses/groupes/{cluster.id}/decision",
            data={"decision": "retained", "justification": "Inscrit au plan 2027."},
        )
    assert client.post(f"/gestion/analyses/{run.id}/publication").status_code == 303
    db.session.refresh(run)
    assert run.published_at is not None
    notified = set(
        db.session.scalars(
            sa.select(Notification.user_id).where(Notification.message.like("%ce qu'est devenue%"))
        )
    )
    assert notified == {p.id for p in people} | {climate["author"].id}
    # Once published, the analysis no longer changes.
    client.post(f"/gestion/analyses/groupes/{first.id}/nom", data={"label": "Autre"})
    db.session.refresh(first)
    assert first.label == "Mobilités douces"
    log_in(client, people[0])
    mine = text(client.get("/concertations/plan-climat/restitution"))
    assert "Ce qu'est devenue votre contribution" in mine and "Inscrit au plan 2027." in mine
    report = text(client.get("/concertations/plan-climat/synthese"))
    assert "Mobilités douces" in report and "Contributions analysées par canal" in report
    csv_ = client.get("/concertations/plan-climat/synthese.csv")
    assert csv_.mimetype == "text/csv" and "Mobilités douces" in csv_.get_data(as_text=True)


def test_report_is_private_until_published(app, client, climate, make_user, db):
    seed(app, climate, make_user)
    log_in(client, make_user("agent"))
    start_run(client, climate)
    assert client.get("/concertations/plan-climat/synthese").status_code == 200
    log_in(client, make_user())
    assert client.get("/concertations/plan-climat/synthese").status_code == 404
    assert "pas encore publiée" in text(client.get("/concertations/plan-climat/restitution"))
    assert (
        client.get(f"/gestion/concertations/{climate['consultation'].id}/analyses").status_code
        == 403
    )


def test_rerun_keeps_validated_groups_and_ids(app, client, climate, make_user, db):
    seed(app, climate, make_user)
    log_in(client, make_user("agent"))
    start_run(client, climate)
    first_run = db.session.scalar(sa.select(AnalysisRun))
    kept = next(c for c in first_run.clusters if not c.isolated)
    client.post(f"/gestion/analyses/groupes/{kept.id}/validation", data={"validated": "1"})
    keys = {m.key for m in kept.members}
    start_run(client, climate)
    second = db.session.scalars(sa.select(AnalysisRun).order_by(AnalysisRun.id.desc())).first()
    again = next(c for c in second.clusters if c.number == kept.number)
    assert {m.key for m in again.members} == keys and again.validated


def test_too_few_contributions_fail_clearly(client, climate, make_user, db):
    log_in(client, make_user("agent"))
    start_run(client, climate)
    run = db.session.scalar(sa.select(AnalysisRun))
    assert run.status == "failed" and "au moins 4" in run.error
    assert "au moins 4" in text(client.get(f"/gestion/analyses/{run.id}"))


def test_opinion_profile_of_each_group(app, client, climate, make_user, db):
    from civic.analysis.queries import cluster_profiles
    from civic.consultations.models import VOTE_AGREE, VOTE_DISAGREE, Proposal

    seed(app, climate, make_user)
    fan, critic = make_user(), make_user()
    log_in(client, make_user("agent"))
    start_run(client, climate)
    run = db.session.scalar(sa.select(AnalysisRun))
    cluster = next(c for c in run.clusters if any(m.kind == "proposal" for m in c.members))
    proposal = db.session.get(
        Proposal, next(m.item_id for m in cluster.members if m.kind == "proposal")
    )
    consultations.cast_vote(fan, proposal, VOTE_AGREE)
    consultations.cast_vote(critic, proposal, VOTE_DISAGREE)
    run.opinions = {
        "groups": [{"id": 0, "participants": [fan.id]}, {"id": 1, "participants": [critic.id]}]
    }
    db.session.commit()
    assert cluster_profiles(run)[cluster.id] == [("A", 1, 100.0), ("B", 1, 0.0)]
    report = text(client.get("/concertations/plan-climat/synthese"))
    assert "Accueil de ces propositions par groupe d'opinion" in report
