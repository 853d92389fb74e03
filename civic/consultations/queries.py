"""Read-side queries: listings paginated and counted in SQL, search in each dialect."""

import sqlalchemy as sa
from flask_login import current_user

from civic.consultations.models import (
    Answer,
    Comment,
    Consultation,
    GlossaryTerm,
    Proposal,
    ProposalStatus,
    Vote,
)
from civic.consultations.text import stems
from civic.core.models import utcnow
from civic.core.pagination import Page, paginate
from civic.extensions import db

SORTS = ("supported", "debated", "newest", "random")
# A large prime: (id * seed) % prime gives each visitor a stable shuffled order.
_PRIME = 2_147_483_647


def can_manage(user) -> bool:
    return bool(user and user.is_authenticated and user.role_names & {"agent", "admin"})


def visible_consultations(user=None):
    query = sa.select(Consultation)
    if not can_manage(user if user is not None else current_user):
        query = query.where(Consultation.published_at.is_not(None))
    return query


def list_consultations(page: int, user=None) -> Page:
    query = visible_consultations(user).order_by(
        Consultation.published_at.desc().nulls_first(), Consultation.id.desc()
    )
    return paginate(query, page)


def open_consultations(limit: int = 3) -> list[Consultation]:
    from civic.consultations.models import Phase

    now = utcnow()
    running = sa.select(Phase.consultation_id).where(Phase.starts_at <= now, Phase.ends_at > now)
    query = (
        sa.select(Consultation)
        .where(Consultation.published_at.is_not(None), Consultation.id.in_(running))
        .order_by(Consultation.published_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def get_by_slug(slug: str) -> Consultation | None:
    return db.session.scalar(visible_consultations().where(Consultation.slug == slug))


def _search_clause(q: str, any_word: bool = False):
    """Full-text search on proposals: all the words, or any of them (similar titles)."""
    words = stems(q)
    if not words:
        return None
    if db.session.get_bind().dialect.name == "postgresql":
        # The 'french' configuration, and our accent-free stems so that "ecole" finds "école"
        # as it does on SQLite; each has its GIN index.
        french = sa.func.to_tsvector(
            sa.literal_column("'french'"),
            sa.literal_column("proposal.title || ' ' || proposal.body"),
        )
        plain = sa.func.to_tsvector(
            sa.literal_column("'simple'"), sa.literal_column("proposal.search_stems")
        )
        joiner = " | " if any_word else " & "
        asked = sa.func.to_tsquery(
            sa.literal_column("'simple'"), joiner.join(f"{w}:*" for w in words)
        )
        french_asked = (
            sa.func.to_tsquery(sa.literal_column("'french'"), " | ".join(words))
            if any_word
            else sa.func.plainto_tsquery(sa.literal_column("'french'"), q)
        )
        return sa.or_(french.op("@@")(french_asked), plain.op("@@")(asked))
    # SQLite: FTS5 over the stems, each quoted (no query syntax from users) and prefixed.
    match = (" OR " if any_word else " ").join(f'"{w}"*' for w in words)
    matching = (
        sa.select(sa.literal_column("rowid"))
        .select_from(sa.table("proposal_fts"))
        .where(sa.text("proposal_fts MATCH :match"))
    )
    return Proposal.id.in_(matching.params(match=match))


def proposals_query(
    consultation: Consultation,
    *,
    q: str = "",
    theme: str = "",
    commune_id: int | None = None,
    status: str = "",
    channel: str = "",
    sort: str = "supported",
    seed: int = 1,
):
    query = sa.select(Proposal).where(
        Proposal.consultation_id == consultation.id,
        Proposal.status == ProposalStatus.PUBLISHED.value,
    )
    if q:
        clause = _search_clause(q)
        if clause is not None:
            query = query.where(clause)
    if theme:
        query = query.where(Proposal.theme == theme)
    if commune_id:
        query = query.where(Proposal.commune_id == commune_id)
    if status == "unanswered":
        query = query.where(Proposal.answer_status.is_(None))
    elif status:
        query = query.where(Proposal.answer_status == status)
    if channel:
        query = query.where(Proposal.channel == channel)
    if sort == "newest":
        order = [Proposal.created_at.desc(), Proposal.id.desc()]
    elif sort == "debated":
        # Many votes on both sides: total weighted by how balanced they are.
        low = sa.case(
            (Proposal.agree_count < Proposal.disagree_count, Proposal.agree_count),
            else_=Proposal.disagree_count,
        )
        high = sa.case(
            (Proposal.agree_count < Proposal.disagree_count, Proposal.disagree_count),
            else_=Proposal.agree_count,
        )
        balance = sa.cast(low, sa.Float) / sa.func.nullif(high, 0)
        order = [
            sa.func.coalesce((Proposal.agree_count + Proposal.disagree_count) * balance, 0).desc(),
            Proposal.id,
        ]
    elif sort == "random":
        order = [(Proposal.id * seed) % _PRIME, Proposal.id]
    else:
        order = [Proposal.agree_count.desc(), Proposal.id]
    return query.order_by(*order)


def list_proposals(consultation: Consultation, page: int, **filters) -> Page:
    return paginate(proposals_query(consultation, **filters), page)


def similar_proposals(consultation: Consultation, title: str, limit: int = 5) -> list[Proposal]:
    """Proposals sharing words with a title being typed: any word, most supported first."""
    if len(title.strip()) < 4:
        return []
    clause = _search_clause(title, any_word=True)
    if clause is None:
        return []
    query = (
        sa.select(Proposal)
        .where(
            Proposal.consultation_id == consultation.id,
            Proposal.status == ProposalStatus.PUBLISHED.value,
            clause,
        )
        .order_by(Proposal.agree_count.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def themes(consultation: Consultation) -> list[str]:
    query = (
        sa.select(Proposal.theme)
        .where(Proposal.consultation_id == consultation.id, Proposal.theme != "")
        .distinct()
        .order_by(Proposal.theme)
    )
    return list(db.session.scalars(query))


def visible_proposal(consultation: Consultation, proposal_id: int, user) -> Proposal | None:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.consultation_id != consultation.id:
        return None
    if proposal.status == ProposalStatus.PUBLISHED:
        return proposal
    mine = user.is_authenticated and proposal.author_id == user.id
    moderator = user.is_authenticated and user.role_names & {"moderator", "admin"}
    return proposal if (mine or moderator) else None


def comments_page(proposal: Proposal, page: int, per_page: int = 50) -> tuple[Page, dict]:
    """Top-level comments paginated in SQL, with their replies in one more query."""
    top = (
        sa.select(Comment)
        .where(
            Comment.proposal_id == proposal.id,
            Comment.parent_id.is_(None),
            Comment.status == ProposalStatus.PUBLISHED.value,
        )
        .order_by(Comment.created_at, Comment.id)
    )
    result = paginate(top, page, per_page)
    replies: dict[int, list[Comment]] = {c.id: [] for c in result.items}
    if replies:
        rows = db.session.scalars(
            sa.select(Comment)
            .where(
                Comment.parent_id.in_(list(replies)),
                Comment.status == ProposalStatus.PUBLISHED.value,
            )
            .order_by(Comment.created_at, Comment.id)
        )
        for reply in rows:
            replies[reply.parent_id].append(reply)
    return result, replies


def user_vote(user, proposal_ids: list[int]) -> dict[int, int]:
    if not user.is_authenticated or not proposal_ids:
        return {}
    rows = db.session.execute(
        sa.select(Vote.proposal_id, Vote.value).where(
            Vote.user_id == user.id, Vote.proposal_id.in_(proposal_ids)
        )
    )
    return {row.proposal_id: row.value for row in rows}


def agree_used(user, consultation: Consultation) -> int:
    from civic.consultations.models import Participation

    if not user.is_authenticated:
        return 0
    return (
        db.session.scalar(
            sa.select(Participation.agree_used).where(
                Participation.consultation_id == consultation.id, Participation.user_id == user.id
            )
        )
        or 0
    )


def my_contributions(user) -> dict:
    proposals = list(
        db.session.scalars(
            sa.select(Proposal)
            .where(Proposal.author_id == user.id)
            .order_by(Proposal.created_at.desc())
        )
    )
    comments = list(
        db.session.scalars(
            sa.select(Comment)
            .where(Comment.author_id == user.id)
            .order_by(Comment.created_at.desc())
            .limit(200)
        )
    )
    votes = db.session.execute(
        sa.select(Vote.value, Proposal)
        .join(Proposal, Proposal.id == Vote.proposal_id)
        .where(Vote.user_id == user.id)
        .order_by(Vote.updated_at.desc())
        .limit(500)
    ).all()
    return {"proposals": proposals, "comments": comments, "votes": votes}


def followed_retained(consultation: Consultation) -> list[Proposal]:
    """What was retained, with its milestones: the follow-up page."""
    query = (
        sa.select(Proposal)
        .join(Answer, Answer.proposal_id == Proposal.id)
        .where(
            Proposal.consultation_id == consultation.id,
            Answer.status.in_(["retained", "partly_retained"]),
        )
        .order_by(Proposal.agree_count.desc())
    )
    return list(db.session.scalars(query))


def glossary() -> list[GlossaryTerm]:
    return list(
        db.session.scalars(sa.select(GlossaryTerm).order_by(sa.func.lower(GlossaryTerm.term)))
    )


def glossary_triples() -> list[tuple[str, str, str]]:
    return [(t.term, t.definition, t.anchor) for t in glossary()]
