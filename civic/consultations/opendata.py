"""The consultations' open data: consultations, phases, proposals with their answers,
comments and vote totals (civic.opendata.registry)."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from civic.analysis.answers import PENDING, outcomes
from civic.consultations.models import Comment, Consultation, Phase, Proposal
from civic.extensions import db
from civic.opendata.registry import (
    DATE,
    INT,
    STR,
    Dataset,
    iso,
    keyset,
    published,
    register,
)
from civic.territory.models import Commune


def consultations(consultation_id=None, since=None, after=0, limit=None):
    query = sa.select(Consultation).where(Consultation.published_at.is_not(None))
    if consultation_id is not None:
        query = query.where(Consultation.id == consultation_id)
    if since:
        query = query.where(Consultation.published_at >= since)
    for c in db.session.scalars(keyset(query, Consultation.id, after, limit)):
        yield {
            "id": c.id,
            "slug": c.slug,
            "titre": c.title,
            "resume": c.summary,
            "theme": c.theme,
            "publiee_le": iso(c.published_at),
            "communes": "" if c.all_communes else ",".join(m.insee for m in c.communes),
        }


def phases(consultation_id=None, since=None, after=0, limit=None):
    query = published(sa.select(Phase), Phase.consultation_id)
    if consultation_id is not None:
        query = query.where(Phase.consultation_id == consultation_id)
    for p in db.session.scalars(keyset(query, Phase.id, after, limit)):
        yield {
            "id": p.id,
            "consultation_id": p.consultation_id,
            "titre": p.title,
            "debut": iso(p.starts_at),
            "fin": iso(p.ends_at),
            "fonctions": ",".join(p.features),
            "public": p.audience,
        }


def proposals(consultation_id=None, since=None, after=0, limit=None):
    query = (
        sa.select(Proposal, Commune.insee)
        .outerjoin(Commune, Commune.id == Proposal.commune_id)
        .where(Proposal.status == "published")
    )
    query = published(query, Proposal.consultation_id)
    if consultation_id is not None:
        query = query.where(Proposal.consultation_id == consultation_id)
    if since:
        query = query.where(Proposal.created_at >= since)
    rows = db.session.execute(keyset(query, Proposal.id, after, limit)).all()
    # The one answer of each proposal: its own, or its group's decision (civic.analysis.answers).
    found = outcomes(("proposal", p.id) for p, _insee in rows)
    for p, insee in rows:
        answer = found[("proposal", p.id)]
        yield {
            "id": p.id,
            "consultation_id": p.consultation_id,
            "titre": p.title,
            "texte": p.body,
            "theme": p.theme,
            "commune_insee": insee,
            "canal": p.channel,
            "cree_le": iso(p.created_at),
            "statut_reponse": None if answer.status == PENDING else answer.status,
            "reponse": answer.text or None,
            # Officials sign their answers with their function, never their name: that is public.
            "reponse_signee_par": answer.signed_as or None,
            "reponse_groupe": answer.group or None,
        }


def comments(consultation_id=None, since=None, after=0, limit=None):
    query = (
        sa.select(Comment, Proposal.consultation_id)
        .join(Proposal)
        .where(Comment.status == "published", Proposal.status == "published")
    )
    query = published(query, Proposal.consultation_id)
    if consultation_id is not None:
        query = query.where(Proposal.consultation_id == consultation_id)
    if since:
        query = query.where(Comment.created_at >= since)
    for c, cid in db.session.execute(keyset(query, Comment.id, after, limit)):
        yield {
            "id": c.id,
            "proposition_id": c.proposal_id,
            "consultation_id": cid,
            "reponse_a": c.parent_id,
            "texte": c.body,
            "position": c.stance,
            "cree_le": iso(c.created_at),
        }


def vote_totals(consultation_id=None, since=None, after=0, limit=None):
    query = published(
        sa.select(Proposal).where(Proposal.status == "published"), Proposal.consultation_id
    )
    if consultation_id is not None:
        query = query.where(Proposal.consultation_id == consultation_id)
    for p in db.session.scalars(keyset(query, Proposal.id, after, limit)):
        yield {
            "id": p.id,
            "consultation_id": p.consultation_id,
            "d_accord": p.agree_count,
            "pas_d_accord": p.disagree_count,
            "passe": p.pass_count,
        }


DATASETS = (
    Dataset(
        "concertations",
        _l("Concertations"),
        _l("Les concertations publiées."),
        "weekly",
        [
            ("id", INT, "Identifiant"),
            ("slug", STR, "Adresse"),
            ("titre", STR, "Titre"),
            ("resume", STR, "Résumé"),
            ("theme", STR, "Thème"),
            ("publiee_le", DATE, "Publication"),
            ("communes", STR, "Codes INSEE des communes concernées (vide : tout le territoire)"),
        ],
        consultations,
        by_consultation=True,
        since="publiee_le",
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
        by_consultation=True,
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
            ("reponse_groupe", STR, "Groupe de contributions dont la décision fait réponse"),
        ],
        proposals,
        by_consultation=True,
        since="cree_le",
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
        by_consultation=True,
        since="cree_le",
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
        by_consultation=True,
    ),
)


def register_datasets() -> None:
    for dataset in DATASETS:
        register(dataset)
