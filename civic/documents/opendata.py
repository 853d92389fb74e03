"""Draft texts in the open-data catalogue: the passages of every published version, the
published reactions and amendments with their counts and answers, never who wrote them."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from civic.consultations.models import Consultation
from civic.documents.models import Amendment, Draft, DraftItem, DraftVersion, Reaction, Status
from civic.extensions import db
from civic.opendata.registry import DATE, INT, STR, Dataset, iso, register


def _published_drafts():
    """Drafts of published consultations that have a version residents can read."""
    return (
        sa.select(Draft.id)
        .join(Consultation, Consultation.id == Draft.consultation_id)
        .where(Consultation.published_at.is_not(None), Draft.current_version_id.is_not(None))
    )


def _page(query, key, consultation_id, since, after, limit, updated=None):
    if consultation_id is not None:
        query = query.where(Draft.consultation_id == consultation_id)
    if since and updated is not None:
        query = query.where(updated >= since)
    query = query.where(key > after).order_by(key)
    return query.limit(limit) if limit is not None else query


def _said_on_passages(model, consultation_id, since, after, limit):
    """Published reactions or amendments of published drafts, with their consultation."""
    query = (
        sa.select(model, Draft.consultation_id)
        .join(DraftItem, DraftItem.id == model.item_id)
        .join(DraftVersion, DraftVersion.id == DraftItem.version_id)
        .join(Draft, Draft.id == DraftVersion.draft_id)
        .where(Draft.id.in_(_published_drafts()), model.status == Status.PUBLISHED.value)
    )
    return _page(query, model.id, consultation_id, since, after, limit, model.created_at)


def passage_rows(consultation_id=None, since=None, after=0, limit=None):
    query = (
        sa.select(DraftItem, DraftVersion.number, Draft.id, Draft.consultation_id)
        .join(DraftVersion, DraftVersion.id == DraftItem.version_id)
        .join(Draft, Draft.id == DraftVersion.draft_id)
        .where(Draft.id.in_(_published_drafts()))
    )
    query = _page(query, DraftItem.id, consultation_id, since, after, limit)
    for item, version, draft_id, consultation in db.session.execute(query):
        yield {
            "id": item.id,
            "texte_id": draft_id,
            "concertation_id": consultation,
            "version": version,
            "position": item.position,
            "type": item.kind,
            "numero": item.number,
            "titre": item.title,
            "texte": item.text,
            "service_pilote": item.lead_service,
            "budget_euros": None if item.budget_cents is None else item.budget_cents / 100,
            "indicateurs": " ; ".join(item.indicators or []),
            "d_accord": item.agree_count,
            "pas_d_accord": item.disagree_count,
            "questions": item.question_count,
            "amendements": item.amendment_count,
        }


def reaction_rows(consultation_id=None, since=None, after=0, limit=None):
    query = _said_on_passages(Reaction, consultation_id, since, after, limit)
    for reaction, consultation in db.session.execute(query):
        yield {
            "id": reaction.id,
            "passage_id": reaction.item_id,
            "concertation_id": consultation,
            "type": reaction.kind,
            "texte": reaction.body,
            "cree_le": iso(reaction.created_at),
        }


def amendment_rows(consultation_id=None, since=None, after=0, limit=None):
    query = _said_on_passages(Amendment, consultation_id, since, after, limit)
    for amendment, consultation in db.session.execute(query):
        yield {
            "id": amendment.id,
            "passage_id": amendment.item_id,
            "concertation_id": consultation,
            "texte_propose": amendment.text,
            "motif": amendment.reason,
            "pour": amendment.for_count,
            "contre": amendment.against_count,
            "decision": amendment.decision,
            "justification": amendment.justification,
            "decide_le": iso(amendment.decided_at),
            "cree_le": iso(amendment.created_at),
        }


def register_datasets() -> None:
    common = [("id", INT, "Identifiant"), ("concertation_id", INT, "Concertation")]
    register(
        Dataset(
            "textes-passages",
            _l("Textes en concertation : passages"),
            _l(
                "Les titres, paragraphes et actions de chaque version publiée des textes soumis "
                "à la concertation, avec le nombre de réactions reçues."
            ),
            "daily",
            [
                *common,
                ("texte_id", INT, "Texte"),
                ("version", INT, "Numéro de la version"),
                ("position", INT, "Rang dans la version"),
                ("type", STR, "Type (heading, paragraph, action)"),
                ("numero", STR, "Numéro affiché"),
                ("titre", STR, "Titre (intertitres et actions)"),
                ("texte", STR, "Texte"),
                ("service_pilote", STR, "Service pilote (actions)"),
                ("budget_euros", "number", "Budget en euros (actions)"),
                ("indicateurs", STR, "Indicateurs, séparés par « ; »"),
                ("d_accord", INT, "Réactions « d'accord »"),
                ("pas_d_accord", INT, "Réactions « pas d'accord »"),
                ("questions", INT, "Questions"),
                ("amendements", INT, "Amendements proposés"),
            ],
            passage_rows,
            by_consultation=True,
        )
    )
    register(
        Dataset(
            "textes-reactions",
            _l("Textes en concertation : réactions"),
            _l("Les réactions publiées sur chaque passage, sans leur auteur."),
            "daily",
            [
                *common,
                ("passage_id", INT, "Passage"),
                ("type", STR, "Type (agree, disagree, question)"),
                ("texte", STR, "Commentaire"),
                ("cree_le", DATE, "Date (UTC)"),
            ],
            reaction_rows,
            by_consultation=True,
            since="cree_le",
        )
    )
    register(
        Dataset(
            "textes-amendements",
            _l("Textes en concertation : amendements"),
            _l(
                "Les amendements publiés, avec leurs votes, la décision prise et sa "
                "justification, sans leur auteur."
            ),
            "daily",
            [
                *common,
                ("passage_id", INT, "Passage amendé"),
                ("texte_propose", STR, "Rédaction proposée"),
                ("motif", STR, "Motif donné par l'auteur"),
                ("pour", INT, "Votes pour"),
                ("contre", INT, "Votes contre"),
                ("decision", STR, "Décision (integrated, partly, not_retained, out_of_scope)"),
                ("justification", STR, "Justification de la décision"),
                ("decide_le", DATE, "Date de la décision (UTC)"),
                ("cree_le", DATE, "Date (UTC)"),
            ],
            amendment_rows,
            by_consultation=True,
            since="cree_le",
        )
    )
