import sqlalchemy as sa

from civic.analysis.models import AnalysisRun, Cluster, ClusterMember
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
    population = db.session.scalar(sa.select(sa.func.sum(Commune.population))) or 1
    communes = []
    for commune in db.session.scalars(sa.select(Commune).order_by(Commune.name)):
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


def members_of(user_id: int, run: AnalysisRun) -> list[tuple[ClusterMember, Cluster]]:
    return list(
        db.session.execute(
            sa.select(ClusterMember, Cluster)
            .join(Cluster)
            .where(ClusterMember.run_id == run.id, ClusterMember.author_id == user_id)
            .order_by(ClusterMember.id)
        ).all()
    )


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
