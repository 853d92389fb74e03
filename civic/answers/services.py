"""Answering: the remembered signature, templates, the policy, and drafts validated by a
second person. Functions flush, never commit."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from civic.answers.models import Draft, Policy, Signature, Template
from civic.consultations import services as consultations
from civic.consultations.models import ANSWER_LABELS, Consultation, Proposal
from civic.core import formatting
from civic.core.models import audit
from civic.extensions import db


class AnswerError(Exception):
    """A refusal to show to the user, already translated."""


def signature_of(user, proposal: Proposal | None = None) -> str:
    """The remembered signature; for an official of a commune answering about it, and who
    has none yet, their office in that commune ("Élu de Labège")."""
    item = db.session.get(Signature, user.id)
    if item:
        return item.signed_as
    if proposal is not None and proposal.commune is not None:
        name = proposal.commune.name
        if proposal.commune_id in (user.role_scope("elected") or ()):
            return formatting.gettext("Élu de %(commune)s", commune=name)
        if proposal.commune_id in (user.role_scope("agent") or ()):
            return formatting.gettext("Mairie de %(commune)s", commune=name)
    return ""


def remember_signature(user, signed_as: str) -> None:
    signed_as = signed_as.strip()[:120]
    if not signed_as:
        raise AnswerError(_l("Indiquez votre fonction."))
    item = db.session.get(Signature, user.id)
    if item is None:
        db.session.add(Signature(user_id=user.id, signed_as=signed_as))
    elif item.signed_as != signed_as:
        item.signed_as = signed_as
    db.session.flush()


def needs_second_person(consultation_id: int) -> bool:
    policy = db.session.get(Policy, consultation_id)
    return bool(policy and policy.second_validation)


def set_policy(actor, consultation: Consultation, second_validation: bool) -> None:
    policy = db.session.get(Policy, consultation.id)
    if policy is None:
        policy = Policy(consultation_id=consultation.id)
        db.session.add(policy)
    policy.second_validation = second_validation
    db.session.flush()
    audit(
        actor,
        "answers.policy",
        "consultation",
        consultation.id,
        second_validation=second_validation,
    )


def save_template(actor, consultation: Consultation, *, title: str, status: str, text: str):
    if status not in ANSWER_LABELS:
        raise AnswerError(_l("Choisissez la décision."))
    if not title.strip() or not text.strip():
        raise AnswerError(_l("Donnez un nom et un texte au modèle."))
    template = Template(
        consultation_id=consultation.id,
        title=title.strip()[:120],
        status=status,
        text=text.strip(),
        created_by_id=actor.id,
    )
    db.session.add(template)
    db.session.flush()
    audit(actor, "answers.template_saved", "answer_template", template.id)
    return template


def delete_template(actor, template: Template) -> None:
    audit(actor, "answers.template_deleted", "answer_template", template.id)
    db.session.delete(template)
    db.session.flush()


def submit(official, proposal: Proposal, *, status: str, text: str, signed_as: str) -> str:
    """Answer a proposal: published at once, or kept as a draft when the consultation wants a
    second person to validate each answer. Returns "published" or "draft"."""
    remember_signature(official, signed_as)
    draft = db.session.scalar(sa.select(Draft).where(Draft.proposal_id == proposal.id))
    if not needs_second_person(proposal.consultation_id):
        consultations.answer_proposal(
            official, proposal, status=status, text=text, signed_as=signed_as
        )
        if draft is not None:  # written before the validation was turned off: superseded
            db.session.delete(draft)
            db.session.flush()
        return "published"
    if draft is None:
        draft = Draft(proposal_id=proposal.id)
        db.session.add(draft)
    draft.status, draft.text, draft.signed_as = status, text.strip(), signed_as.strip()
    draft.author_id = official.id
    db.session.flush()
    audit(official, "answers.drafted", "proposal", proposal.id, status=status)
    return "draft"


def validate(validator, draft: Draft) -> None:
    """Another official or agent validates a draft: it becomes the proposal's answer."""
    if draft.author_id == validator.id:
        raise AnswerError(
            _l("Une autre personne doit valider cette réponse : vous l'avez rédigée.")
        )
    proposal = draft.proposal
    answer = consultations.answer_proposal(
        validator, proposal, status=draft.status, text=draft.text, signed_as=draft.signed_as
    )
    answer.author_id = draft.author_id  # the answer stays its writer's
    audit(validator, "answers.validated", "proposal", proposal.id, author=draft.author_id)
    db.session.delete(draft)
    db.session.flush()
