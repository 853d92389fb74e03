"""Proposals and comments as kinds of content for moderation."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from civic.consultations.models import Comment, Proposal, ProposalStatus
from civic.consultations.text import stems
from civic.extensions import db
from civic.moderation.registry import ContentKind, register


def _proposal_url(proposal: Proposal) -> str:
    return url_for(
        "consultations.show_proposal", slug=proposal.consultation.slug, proposal_id=proposal.id
    )


def _set_proposal_text(proposal: Proposal, text: str) -> None:
    proposal.body = text
    proposal.search_stems = " ".join(stems(f"{proposal.title} {text}"))


def _set_proposal_visible(proposal: Proposal, visible: bool) -> None:
    was_pending = proposal.status == ProposalStatus.PENDING
    proposal.status = (ProposalStatus.PUBLISHED if visible else ProposalStatus.HIDDEN).value
    # Announced once, when first published; not again when restored after a hide.
    if visible and was_pending:
        from civic.consultations.services import record_event

        record_event(
            proposal.consultation,
            "proposal",
            proposal,
            _l("Nouvelle proposition : %(title)s", title=proposal.title),
        )


def _set_comment_visible(comment: Comment, visible: bool) -> None:
    was_published = comment.status == ProposalStatus.PUBLISHED
    comment.status = (ProposalStatus.PUBLISHED if visible else ProposalStatus.HIDDEN).value
    if visible != was_published:
        # The counter shown on pages follows the published comments, in SQL.
        db.session.execute(
            sa.update(Proposal)
            .where(Proposal.id == comment.proposal_id)
            .values(comment_count=Proposal.comment_count + (1 if visible else -1))
        )
        db.session.expire(comment.proposal, ["comment_count"])


def _proposal_visible(proposal: Proposal, user) -> bool:
    return proposal.status == ProposalStatus.PUBLISHED and proposal.consultation.is_published


def _comment_visible(comment: Comment, user) -> bool:
    return comment.status == ProposalStatus.PUBLISHED and _proposal_visible(comment.proposal, user)


def _comment_url(comment: Comment) -> str:
    proposal = comment.proposal
    return (
        url_for(
            "consultations.show_proposal", slug=proposal.consultation.slug, proposal_id=proposal.id
        )
        + f"#commentaire-{comment.id}"
    )


def register_kinds() -> None:
    register(
        ContentKind(
            name="proposal",
            label=_l("proposition"),
            load=lambda i: db.session.get(Proposal, i),
            text=lambda p: p.body,
            set_text=_set_proposal_text,
            author_id=lambda p: p.author_id,
            consultation_id=lambda p: p.consultation_id,
            url=_proposal_url,
            set_visible=_set_proposal_visible,
            parent_url=lambda p: url_for("consultations.proposals", slug=p.consultation.slug),
            visible_to=_proposal_visible,
        )
    )
    register(
        ContentKind(
            name="comment",
            label=_l("commentaire"),
            load=lambda i: db.session.get(Comment, i),
            text=lambda c: c.body,
            set_text=lambda c, text: setattr(c, "body", text),
            author_id=lambda c: c.author_id,
            consultation_id=lambda c: c.proposal.consultation_id,
            url=_comment_url,
            set_visible=_set_comment_visible,
            visible_to=_comment_visible,
            context=lambda c: c.proposal.title,
            parent_url=lambda c: url_for(
                "consultations.show_proposal",
                slug=c.proposal.consultation.slug,
                proposal_id=c.proposal_id,
            ),
        )
    )
