"""What waits for an answer, the drafts to validate, the templates of a consultation."""

import sqlalchemy as sa

from civic.analysis.answers import INTERIM
from civic.answers.models import Draft, Template
from civic.consultations.models import Consultation, Proposal, ProposalStatus
from civic.core.pagination import Page
from civic.extensions import db
from civic.territory.models import Commune


def _waiting(
    consultation_id: int | None,
    theme: str,
    commune_id: int | None,
    communes: frozenset[int] | None = None,
):
    """Published proposals of published consultations whose answer (the copy that
    civic.analysis.answers keeps in answer_status) is missing or only "à l'étude", and that
    no draft answers yet."""
    where = [
        Proposal.status == ProposalStatus.PUBLISHED.value,
        sa.or_(Proposal.answer_status.is_(None), Proposal.answer_status == INTERIM),
        ~sa.exists().where(Draft.proposal_id == Proposal.id),
        Proposal.consultation_id.in_(
            sa.select(Consultation.id).where(Consultation.published_at.is_not(None))
        ),
    ]
    if consultation_id:
        where.append(Proposal.consultation_id == consultation_id)
    if theme:
        where.append(Proposal.theme == theme)
    if commune_id:
        where.append(Proposal.commune_id == commune_id)
    if communes is not None:  # a commune's officials: their communes' proposals
        where.append(Proposal.commune_id.in_(communes))
    return where


def waiting(
    page: int,
    *,
    consultation_id: int | None = None,
    theme: str = "",
    commune_id: int | None = None,
    communes: frozenset[int] | None = None,
    per_page: int = 50,
) -> Page:
    """Oldest first: the longest wait is answered first."""
    where = _waiting(consultation_id, theme, commune_id, communes)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Proposal).where(*where))
    items = list(
        db.session.scalars(
            sa.select(Proposal)
            .where(*where)
            .order_by(Proposal.created_at, Proposal.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return Page(items=items, page=page, per_page=per_page, total=total)


def filter_choices() -> dict:
    consultations = db.session.execute(
        sa.select(Consultation.id, Consultation.title)
        .where(Consultation.published_at.is_not(None))
        .order_by(Consultation.title)
    ).all()
    themes = db.session.scalars(
        sa.select(Proposal.theme).where(Proposal.theme != "").distinct().order_by(Proposal.theme)
    ).all()
    communes = db.session.execute(
        sa.select(Commune.id, Commune.name)
        .where(Commune.closed_at.is_(None))
        .order_by(Commune.name)
    ).all()
    return {"consultations": consultations, "themes": themes, "communes": communes}


def drafts(communes: frozenset[int] | None = None) -> list[Draft]:
    query = sa.select(Draft).order_by(Draft.created_at, Draft.id)
    if communes is not None:
        query = query.join(Proposal, Proposal.id == Draft.proposal_id).where(
            Proposal.commune_id.in_(communes)
        )
    return list(db.session.scalars(query))


def draft_of(proposal_id: int) -> Draft | None:
    return db.session.scalar(sa.select(Draft).where(Draft.proposal_id == proposal_id))


def templates(consultation_id: int) -> list[Template]:
    return list(
        db.session.scalars(
            sa.select(Template)
            .where(Template.consultation_id == consultation_id)
            .order_by(Template.title, Template.id)
        )
    )
