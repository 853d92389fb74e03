"""The public moderation log as open data (civic.opendata.registry)."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from civic.consultations.models import Consultation
from civic.extensions import db
from civic.moderation.models import Case, Decision
from civic.opendata.registry import (
    BOOL,
    DATE,
    INT,
    STR,
    Dataset,
    iso,
    keyset,
    register,
)


def moderation_log(consultation_id=None, since=None, after=0, limit=None):
    published = sa.select(Consultation.id).where(Consultation.published_at.is_not(None))
    # A decision about an item of a draft consultation is logged without naming the draft.
    shown = sa.case((Case.consultation_id.in_(published), Case.consultation_id), else_=None)
    query = sa.select(Decision, Case.kind, shown).join(Case)
    if consultation_id is not None:
        query = query.where(Case.consultation_id == consultation_id, shown.is_not(None))
    if since:
        query = query.where(Decision.created_at >= since)
    for decision, kind, cid in db.session.execute(keyset(query, Decision.id, after, limit)):
        yield {
            "id": decision.id,
            "date": iso(decision.created_at),
            "type": kind,
            "consultation_id": cid,
            "decision": decision.action,
            "motif": decision.charter_reason or None,
            "en_appel": decision.on_appeal,
        }


DATASETS = (
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
        by_consultation=True,
        since="date",
    ),
)


def register_datasets() -> None:
    for dataset in DATASETS:
        register(dataset)
