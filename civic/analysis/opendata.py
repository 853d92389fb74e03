"""The analysis' open data: groups of contributions with their decisions, and participation
by consultation and commune (civic.opendata.registry)."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from civic.analysis.models import AnalysisRun, Cluster, ClusterMember
from civic.analysis.participation import participation
from civic.consultations.models import Consultation
from civic.extensions import db
from civic.opendata.registry import (
    DATE,
    INT,
    NUM,
    STR,
    Dataset,
    iso,
    keyset,
    offset,
    published,
    register,
)


def decisions(consultation_id=None, since=None, after=0, limit=None):
    query = (
        sa.select(Cluster, AnalysisRun)
        .join(AnalysisRun)
        .where(AnalysisRun.published_at.is_not(None))
    )
    query = published(query, AnalysisRun.consultation_id)
    if consultation_id is not None:
        query = query.where(AnalysisRun.consultation_id == consultation_id)
    if since:
        query = query.where(AnalysisRun.published_at >= since)
    page = db.session.execute(keyset(query, Cluster.id, after, limit)).all()
    members: dict[int, list[str]] = {}
    if page:
        for cluster_id, kind, item_id in db.session.execute(
            sa.select(ClusterMember.cluster_id, ClusterMember.kind, ClusterMember.item_id)
            .where(
                ClusterMember.cluster_id.in_([cluster.id for cluster, _ in page]),
                # Copies held by moderation count in the size, but are not published items.
                ClusterMember.held.is_(False),
            )
            .order_by(ClusterMember.id)
        ):
            members.setdefault(cluster_id, []).append(f"{kind}:{item_id}")
    for cluster, run in page:
        yield {
            "id": cluster.id,
            "consultation_id": run.consultation_id,
            "analyse_id": run.id,
            "libelle": cluster.label,
            "mots_cles": ", ".join(cluster.keywords),
            "contributions": cluster.size,
            "contributions_dedoublonnees": cluster.size_unique,
            "membres": " ".join(members.get(cluster.id, [])),
            "decision": cluster.decision,
            "justification": cluster.justification,
            "publiee_le": iso(run.published_at),
        }


def participation_rows(consultation_id=None, since=None, after=0, limit=None):
    """Per published consultation, its totals, then one row per commune: the figures of the
    synthesis and of the diversity dashboard (civic.analysis.participation)."""
    query = sa.select(Consultation).where(Consultation.published_at.is_not(None))
    if consultation_id is not None:
        query = query.where(Consultation.id == consultation_id)

    def rows():
        for consultation in db.session.scalars(query.order_by(Consultation.id)):
            figures = participation(consultation)
            people = figures.people
            yield {
                "consultation_id": consultation.id,
                "commune_insee": None,
                "commune": None,
                "participants": people.participants,
                "part_participants": None,
                "population": None,
                "part_population": None,
                "contributions": people.contributions,
                "propositions_concernees": sum(c.proposals for c in figures.concerned)
                + figures.no_commune,
            }
            concerned = {c.insee: c for c in figures.concerned}
            for row in people.communes:
                if not row.insee:
                    continue
                yield {
                    "consultation_id": consultation.id,
                    "commune_insee": row.insee,
                    "commune": row.name,
                    "participants": row.count,
                    "part_participants": row.share,
                    "population": row.population,
                    "part_population": row.population_share,
                    "contributions": None,
                    "propositions_concernees": concerned[row.insee].proposals
                    if row.insee in concerned
                    else 0,
                }

    yield from offset(rows(), after, limit)


DATASETS = (
    Dataset(
        "decisions",
        _l("Groupes de contributions et décisions"),
        _l(
            "Les groupes issus de l'analyse des contributions, leurs membres et la "
            "décision argumentée sur chacun."
        ),
        "monthly",
        [
            ("id", INT, "Groupe"),
            ("consultation_id", INT, "Concertation"),
            ("analyse_id", INT, "Analyse"),
            ("libelle", STR, "Libellé"),
            ("mots_cles", STR, "Mots-clés"),
            ("contributions", INT, "Contributions"),
            ("contributions_dedoublonnees", INT, "Sans les doublons"),
            ("membres", STR, "Contributions membres (type:identifiant)"),
            ("decision", STR, "Décision"),
            ("justification", STR, "Justification"),
            ("publiee_le", DATE, "Publication"),
        ],
        decisions,
        by_consultation=True,
        since="publiee_le",
    ),
    Dataset(
        "participation",
        _l("Participation par concertation et par commune"),
        _l(
            "Personnes ayant pris part (propositions, commentaires, votes, ateliers) et "
            "contributions, par concertation, puis par commune de résidence déclarée avec "
            "consentement, comparées à la population ; les effectifs de 1 à 4 personnes sont "
            "supprimés. Les mêmes chiffres que la synthèse et le tableau de diversité."
        ),
        "daily",
        [
            ("consultation_id", INT, "Concertation"),
            ("commune_insee", STR, "Commune (vide : toute la concertation)"),
            ("commune", STR, "Nom de la commune"),
            ("participants", INT, "Personnes (vide sous 5)"),
            ("part_participants", NUM, "Part des personnes dont la commune est connue"),
            ("population", INT, "Population de la commune"),
            ("part_population", NUM, "Part de la population du territoire"),
            ("contributions", INT, "Contributions (propositions, commentaires, votes, notes)"),
            ("propositions_concernees", INT, "Propositions publiées nommant la commune"),
        ],
        participation_rows,
        by_consultation=True,
    ),
)


def register_datasets() -> None:
    for dataset in DATASETS:
        register(dataset)
