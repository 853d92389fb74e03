import sqlalchemy as sa

from civic.analysis.models import AnalysisRun, ClusterMember
from civic.extensions import db
from civic.territory.models import Commune


def runs(consultation_id: int) -> list[AnalysisRun]:
    return list(
        db.session.scalars(
            sa.select(AnalysisRun)
            .where(AnalysisRun.consultation_id == consultation_id)
            .order_by(AnalysisRun.id.desc())
        )
    )


def published_run(consultation_id: int) -> AnalysisRun | None:
    return db.session.scalar(
        sa.select(AnalysisRun)
        .where(
            AnalysisRun.consultation_id == consultation_id, AnalysisRun.published_at.is_not(None)
        )
        .order_by(AnalysisRun.published_at.desc())
        .limit(1)
    )


def latest_done_run(consultation_id: int) -> AnalysisRun | None:
    return db.session.scalar(
        sa.select(AnalysisRun)
        .where(AnalysisRun.consultation_id == consultation_id, AnalysisRun.status == "done")
        .order_by(AnalysisRun.id.desc())
        .limit(1)
    )


def figures(run: AnalysisRun) -> dict:
    """Key figures of the synthesis: by channel, and by commune against its population."""
    by_channel = dict(
        db.session.execute(
            sa.select(ClusterMember.channel, sa.func.count())
            .where(ClusterMember.run_id == run.id)
            .group_by(ClusterMember.channel)
        ).all()
    )
    counts = dict(
        db.session.execute(
            sa.select(ClusterMember.commune_id, sa.func.count())
            .where(ClusterMember.run_id == run.id)
            .group_by(ClusterMember.commune_id)
        ).all()
    )
    total = sum(counts.values()) or 1
    population = (
        db.session.scalar(
            sa.select(sa.func.sum(Commune.population)).where(Commune.closed_at.is_(None))
        )
        or 1
    )
    communes = []
    for commune in db.session.scalars(
        sa.select(Commune).where(Commune.closed_at.is_(None)).order_by(Commune.name)
    ):
        n = counts.get(commune.id, 0)
        communes.append(
            {
                "name": commune.name,
                "contributions": n,
                "share": 100 * n / total,
                "population_share": 100 * commune.population / population,
            }
        )
    participants = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(ClusterMember.author_id))).where(
            ClusterMember.run_id == run.id
        )
    )
    return {
        "by_channel": by_channel,
        "communes": communes,
        "unplaced": counts.get(None, 0),
        "participants": participants,
        "contributions": sum(counts.values()),
    }


def contributions_of(user_id: int, consultation_id: int) -> dict:
    """Everything this person wrote or voted in the consultation, whenever they did it (before
    or after the analysis): proposals and comments not withdrawn, and votes."""
    from civic.consultations.models import Comment, Proposal, ProposalStatus, Vote

    gone = ProposalStatus.WITHDRAWN.value
    proposals = list(
        db.session.scalars(
            sa.select(Proposal)
            .where(
                Proposal.consultation_id == consultation_id,
                Proposal.author_id == user_id,
                Proposal.status != gone,
            )
            .order_by(Proposal.created_at, Proposal.id)
        )
    )
    comments = list(
        db.session.scalars(
            sa.select(Comment)
            .join(Proposal, Proposal.id == Comment.proposal_id)
            .where(
                Proposal.consultation_id == consultation_id,
                Comment.author_id == user_id,
                Comment.status != gone,
            )
            .order_by(Comment.created_at, Comment.id)
        )
    )
    votes = db.session.execute(
        sa.select(Vote.value, Proposal)
        .join(Proposal, Proposal.id == Vote.proposal_id)
        .where(
            Proposal.consultation_id == consultation_id,
            Vote.user_id == user_id,
            Proposal.status == ProposalStatus.PUBLISHED.value,
        )
        .order_by(Vote.created_at, Vote.id)
    ).all()
    return {"proposals": proposals, "comments": comments, "votes": votes}


def statement_titles(ids) -> dict[int, str]:
    """Titles of the proposals that opinion groups agree on or divide over."""
    from civic.consultations.models import Proposal

    wanted = [int(i) for i in ids if str(i).isdigit()]
    if not wanted:
        return {}
    return dict(
        db.session.execute(
            sa.select(Proposal.id, Proposal.title).where(Proposal.id.in_(wanted))
        ).all()
    )


def campaign_texts(run: AnalysisRun) -> list[tuple[str, int]]:
    """One text and the size of each campaign of identical or nearly identical texts."""
    texts = dict(
        db.session.execute(
            sa.select(
                ClusterMember.kind + ":" + sa.cast(ClusterMember.item_id, sa.String),
                ClusterMember.text,
            ).where(ClusterMember.run_id == run.id)
        ).all()
    )
    return [(texts.get(group[0], ""), len(group)) for group in run.campaigns]


def cluster_profiles(run: AnalysisRun) -> dict[int, list[tuple[str, int, float]]]:
    """How each opinion group voted on each cluster's proposals: (group letter, votes, % agree)."""
    from civic.analysis.opinion_words import letter
    from civic.consultations.models import Vote

    group_of = {
        participant: letter(group["id"])
        for group in (run.opinions or {}).get("groups", [])
        for participant in group["participants"]
    }
    if not group_of:
        return {}
    rows = db.session.execute(
        sa.select(ClusterMember.cluster_id, Vote.user_id, Vote.value)
        .join(
            Vote,
            sa.and_(ClusterMember.kind == "proposal", Vote.proposal_id == ClusterMember.item_id),
        )
        .where(ClusterMember.run_id == run.id)
    )
    counts: dict[int, dict[int, list[int]]] = {}
    for cluster_id, user_id, value in rows:
        group = group_of.get(user_id)
        if group is None:
            continue
        tally = counts.setdefault(cluster_id, {}).setdefault(group, [0, 0])
        tally[0] += 1
        tally[1] += value == 1
    return {
        cluster_id: [(group, n, 100 * agree / n) for group, (n, agree) in sorted(by.items())]
        for cluster_id, by in counts.items()
    }
