"""The datasets the platform publishes: anonymised, public items only.

Each dataset yields plain rows keyed by id, so that the CSV and JSON files, the catalogue and
the API all serve the same data. No author identity, no hidden item, no draft consultation,
never who voted what (votes reveal political opinions): only totals.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from civic.analysis.models import AnalysisRun, Cluster, ClusterMember
from civic.consultations.models import Answer, Comment, Consultation, Phase, Proposal
from civic.extensions import db
from civic.moderation.models import Case, Decision
from civic.ratings import queries as ratings
from civic.ratings.models import CRITERIA
from civic.territory.models import Commune


@dataclass(frozen=True)
class Dataset:
    name: str
    title: object
    description: object
    frequency: str  # DCAT: "daily", "monthly"...
    fields: list[tuple[str, str, str]]  # name, Table Schema type, description
    rows: Callable[..., Iterator[dict]]  # (consultation_id=None, since=None) -> rows

    @property
    def field_names(self) -> list[str]:
        return [f[0] for f in self.fields]


def _published(query, column):
    return query.where(
        column.in_(sa.select(Consultation.id).where(Consultation.published_at.is_not(None)))
    )


def _iso(value):
    return value.isoformat() if value else None


def consultations(consultation_id=None, since=None):
    query = sa.select(Consultation).where(Consultation.published_at.is_not(None))
    if consultation_id:
        query = query.where(Consultation.id == consultation_id)
    if since:
        query = query.where(Consultation.published_at >= since)
    for c in db.session.scalars(query.order_by(Consultation.id)):
        yield {
            "id": c.id,
            "slug": c.slug,
            "titre": c.title,
            "resume": c.summary,
            "theme": c.theme,
            "publiee_le": _iso(c.published_at),
            "communes": "" if c.all_communes else ",".join(m.insee for m in c.communes),
        }


def phases(consultation_id=None, since=None):
    query = _published(sa.select(Phase), Phase.consultation_id)
    if consultation_id:
        query = query.where(Phase.consultation_id == consultation_id)
    for p in db.session.scalars(query.order_by(Phase.id)):
        yield {
            "id": p.id,
            "consultation_id": p.consultation_id,
            "titre": p.title,
            "debut": _iso(p.starts_at),
            "fin": _iso(p.ends_at),
            "fonctions": ",".join(p.features),
            "public": p.audience,
        }


def proposals(consultation_id=None, since=None):
    query = (
        sa.select(Proposal, Commune.insee, Answer)
        .outerjoin(Commune, Commune.id == Proposal.commune_id)
        .outerjoin(Answer, Answer.proposal_id == Proposal.id)
        .where(Proposal.status == "published")
    )
    query = _published(query, Proposal.consultation_id)
    if consultation_id:
        query = query.where(Proposal.consultation_id == consultation_id)
    if since:
        query = query.where(Proposal.created_at >= since)
    for p, insee, answer in db.session.execute(query.order_by(Proposal.id)):
        yield {
            "id": p.id,
            "consultation_id": p.consultation_id,
            "titre": p.title,
            "texte": p.body,
            "theme": p.theme,
            "commune_insee": insee,
            "canal": p.channel,
            "cree_le": _iso(p.created_at),
            "statut_reponse": p.answer_status,
            "reponse": answer.text if answer else None,
            # Officials sign their answers with their function: that is public.
            "reponse_signee_par": answer.signed_as if answer else None,
        }


def comments(consultation_id=None, since=None):
    query = (
        sa.select(Comment, Proposal.consultation_id)
        .join(Proposal)
        .where(Comment.status == "published", Proposal.status == "published")
    )
    query = _published(query, Proposal.consultation_id)
    if consultation_id:
        query = query.where(Proposal.consultation_id == consultation_id)
    if since:
        query = query.where(Comment.created_at >= since)
    for c, cid in db.session.execute(query.order_by(Comment.id)):
        yield {
            "id": c.id,
            "proposition_id": c.proposal_id,
            "consultation_id": cid,
            "reponse_a": c.parent_id,
            "texte": c.body,
            "position": c.stance,
            "cree_le": _iso(c.created_at),
        }


def vote_totals(consultation_id=None, since=None):
    query = _published(
        sa.select(Proposal).where(Proposal.status == "published"), Proposal.consultation_id
    )
    if consultation_id:
        query = query.where(Proposal.consultation_id == consultation_id)
    for p in db.session.scalars(query.order_by(Proposal.id)):
        yield {
            "id": p.id,
            "consultation_id": p.consultation_id,
            "d_accord": p.agree_count,
            "pas_d_accord": p.disagree_count,
            "passe": p.pass_count,
        }


def decisions(consultation_id=None, since=None):
    query = (
        sa.select(Cluster, AnalysisRun)
        .join(AnalysisRun)
        .where(AnalysisRun.published_at.is_not(None))
    )
    if consultation_id:
        query = query.where(AnalysisRun.consultation_id == consultation_id)
    for cluster, run in db.session.execute(query.order_by(Cluster.id)):
        members = db.session.execute(
            sa.select(ClusterMember.kind, ClusterMember.item_id)
            .where(ClusterMember.cluster_id == cluster.id)
            .order_by(ClusterMember.id)
        ).all()
        yield {
            "id": cluster.id,
            "consultation_id": run.consultation_id,
            "analyse_id": run.id,
            "libelle": cluster.label,
            "mots_cles": ", ".join(cluster.keywords),
            "contributions": cluster.size,
            "contributions_dedoublonnees": cluster.size_unique,
            "membres": " ".join(f"{k}:{i}" for k, i in members),
            "decision": cluster.decision,
            "justification": cluster.justification,
            "publiee_le": _iso(run.published_at),
        }


def moderation_log(consultation_id=None, since=None):
    query = sa.select(Decision, Case).join(Case)
    if consultation_id:
        query = query.where(Case.consultation_id == consultation_id)
    if since:
        query = query.where(Decision.created_at >= since)
    for decision, case in db.session.execute(query.order_by(Decision.id)):
        yield {
            "id": decision.id,
            "date": _iso(decision.created_at),
            "type": case.kind,
            "consultation_id": case.consultation_id,
            "decision": decision.action,
            "motif": decision.charter_reason or None,
            "en_appel": decision.on_appeal,
        }


def ratings_aggregates(consultation_id=None, since=None):
    yield from ratings.monthly_aggregates()


def ratings_comments(consultation_id=None, since=None):
    yield from ratings.exported_comments()


# Table Schema types.
STR, INT, NUM, DATE, BOOL = "string", "integer", "number", "datetime", "boolean"
DATASETS = [
    Dataset(
        "concertations",
        _l("Concertations"),
        _l("Les concertations publiées du Sicoval."),
        "weekly",
        [
            ("id", INT, "Identifiant"),
            ("slug", STR, "Adresse"),
            ("titre", STR, "Titre"),
            ("resume", STR, "Résumé"),
            ("theme", STR, "Thème"),
            ("publiee_le", DATE, "Publication"),
            ("communes", STR, "Codes INSEE des communes concernées (vide : tout le Sicoval)"),
        ],
        consultations,
    ),
    Dataset(
        "phases",
        _l("Phases des concertations"),
        _l("Les étapes de chaque concertation et ce qu'elles ouvrent."),
        "weekly",
        [
            ("id", INT, "Identifiant"),
            ("consultation_id", INT, "Concertation"),
            ("titre", STR, "Titre"),
            ("debut", DATE, "Début"),
            ("fin", DATE, "Fin"),
            ("fonctions", STR, "Fonctions ouvertes"),
            ("public", STR, "Public"),
        ],
        phases,
    ),
    Dataset(
        "propositions",
        _l("Propositions et réponses officielles"),
        _l(
            "Les propositions publiées, sans l'identité de leurs auteurs, avec la réponse "
            "argumentée des élus."
        ),
        "daily",
        [
            ("id", INT, "Identifiant"),
            ("consultation_id", INT, "Concertation"),
            ("titre", STR, "Titre"),
            ("texte", STR, "Texte"),
            ("theme", STR, "Thème"),
            ("commune_insee", STR, "Commune concernée"),
            ("canal", STR, "Canal de dépôt"),
            ("cree_le", DATE, "Dépôt"),
            ("statut_reponse", STR, "Décision"),
            ("reponse", STR, "Réponse argumentée"),
            ("reponse_signee_par", STR, "Fonction du signataire"),
        ],
        proposals,
    ),
    Dataset(
        "commentaires",
        _l("Commentaires"),
        _l("Les commentaires publiés, sans l'identité de leurs auteurs."),
        "daily",
        [
            ("id", INT, "Identifiant"),
            ("proposition_id", INT, "Proposition"),
            ("consultation_id", INT, "Concertation"),
            ("reponse_a", INT, "Commentaire parent"),
            ("texte", STR, "Texte"),
            ("position", STR, "Pour, contre ou neutre"),
            ("cree_le", DATE, "Date"),
        ],
        comments,
    ),
    Dataset(
        "votes",
        _l("Totaux des votes"),
        _l("Le nombre de votes par proposition ; jamais qui a voté quoi."),
        "daily",
        [
            ("id", INT, "Proposition"),
            ("consultation_id", INT, "Concertation"),
            ("d_accord", INT, "D'accord"),
            ("pas_d_accord", INT, "Pas d'accord"),
            ("passe", INT, "Passe"),
        ],
        vote_totals,
    ),
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
    ),
    Dataset(
        "moderation",
        _l("Journal de la modération"),
        _l(
            "Chaque décision du CODEV avec la règle de la charte appliquée, sans contenu ni auteur."
        ),
        "daily",
        [
            ("id", INT, "Décision"),
            ("date", DATE, "Date"),
            ("type", STR, "Type de contenu"),
            ("consultation_id", INT, "Concertation"),
            ("decision", STR, "Décision"),
            ("motif", STR, "Règle de la charte"),
            ("en_appel", BOOL, "Décision en appel"),
        ],
        moderation_log,
    ),
    Dataset(
        "avis-services",
        _l("Avis sur les services publics (agrégats mensuels)"),
        _l(
            "Nombre d'avis et moyennes par critère, par service et par mois ; les cellules "
            "calculées sur moins de 5 avis sont supprimées."
        ),
        "monthly",
        [
            ("mois", "yearmonth", "Mois"),
            ("service_id", INT, "Service"),
            ("service", STR, "Nom du service"),
            ("type", STR, "Type"),
            ("commune_id", INT, "Commune"),
            ("nombre_avis", INT, "Nombre d'avis (vide sous 5)"),
        ]
        + [(c, NUM, "Moyenne sur 5 (vide sous 5 avis)") for c in CRITERIA],
        ratings_aggregates,
    ),
    Dataset(
        "avis-services-commentaires",
        _l("Commentaires publiés sur les services publics"),
        _l(
            "Les commentaires acceptés par la modération, données personnelles retirées ; "
            "aucun identifiant de personne."
        ),
        "daily",
        [
            ("mois", "yearmonth", "Mois"),
            ("service_id", INT, "Service"),
            ("commentaire", STR, "Commentaire"),
        ],
        ratings_comments,
    ),
]
BY_NAME = {d.name: d for d in DATASETS}
