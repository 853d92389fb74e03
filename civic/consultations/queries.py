"""Read-side queries: listings paginated and counted in SQL, search in each dialect.

The pages that list many items (proposals, comments) read plain rows, not ORM objects, with
statements built once (their values bound at each call) and run on the session's connection,
in its transaction: building a statement and running it through the ORM costs several times
what SQLite takes to answer it. Such reads do not flush the session first; the views call
them before any change, or after the change was flushed by a service.
"""

from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from flask_login import current_user
from sqlalchemy.orm import aliased, contains_eager, joinedload, lazyload, load_only

from civic.accounts.models import User
from civic.consultations.models import (
    Comment,
    Consultation,
    GlossaryTerm,
    Milestone,
    Participation,
    Phase,
    Proposal,
    ProposalStatus,
    Vote,
    consultation_commune,
)
from civic.consultations.text import stems
from civic.core.caching import app_cache
from civic.core.formatting import collate, sort_key
from civic.core.formatting import gettext as _
from civic.core.models import utcnow
from civic.core.pagination import PER_PAGE, Page, paginate
from civic.extensions import db

SORTS = ("supported", "debated", "newest", "random")
FILTER_OPTIONS_KEPT = 256  # consultations' filter options kept by each process
PUBLISHED = ProposalStatus.PUBLISHED.value

_statements: dict[tuple, sa.Executable] = {}


def _statement(key: tuple, build: Callable[[], sa.Executable]) -> sa.Executable:
    """A statement built once per shape; its values are bound parameters."""
    statement = _statements.get(key)
    if statement is None:
        statement = _statements[key] = build()
    return statement


def _inline(name: str) -> sa.BindParameter:
    """A page's LIMIT or OFFSET, written into the SQL text at each call (the statement stays
    compiled once): PostgreSQL then keeps one plan for each prepared statement instead of
    planning it anew for unknown bounds on every call."""
    return sa.bindparam(name, type_=sa.Integer, literal_execute=True)


def _run(statement: sa.Executable, **params) -> sa.CursorResult:
    """A read on the session's connection, in its transaction, without the ORM's work."""
    return db.session.connection().execute(statement, params)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def can_manage(user) -> bool:
    return bool(user and user.is_authenticated and user.role_names & {"agent", "admin"})


def visible_consultations(user=None):
    query = sa.select(Consultation)
    if not can_manage(user if user is not None else current_user):
        query = query.where(Consultation.published_at.is_not(None))
    return query


def list_consultations(page: int, user=None, communes: frozenset[int] | None = None) -> Page:
    """The consultations, or, for a commune's agent, those naming only `communes`."""
    query = visible_consultations(user)
    if communes is not None:
        elsewhere = sa.select(consultation_commune.c.consultation_id).where(
            consultation_commune.c.commune_id.not_in(communes)
        )
        named = sa.select(consultation_commune.c.consultation_id)
        query = sa.select(Consultation).where(
            Consultation.all_communes.is_(False),
            Consultation.id.in_(named),
            Consultation.id.not_in(elsewhere),
        )
    query = query.order_by(Consultation.published_at.desc().nulls_first(), Consultation.id.desc())
    return paginate(query, page)


def open_consultations(limit: int = 3) -> list[Consultation]:
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
    """The consultation with its phases, in one query (every permission asks for the current
    phase); its communes and the phases' invitations load only if a page asks for them."""

    def build(manager: bool):
        query = sa.select(Consultation).where(Consultation.slug == sa.bindparam("slug"))
        if not manager:
            query = query.where(Consultation.published_at.is_not(None))
        return query.options(
            joinedload(Consultation.phases).lazyload(Phase.invitations),
            lazyload(Consultation.communes),
        )

    manager = can_manage(current_user)
    query = _statement(("consultation", manager), lambda: build(manager))
    return db.session.scalars(query, {"slug": slug}).unique().one_or_none()


def _search_params(q: str, any_word: bool = False) -> dict | None:
    """The values of the search clause for these words (None: no word to look for)."""
    words = stems(q)
    if not words:
        return None
    if _dialect() == "postgresql":
        joiner = " | " if any_word else " & "
        return {
            "search_french": " | ".join(words) if any_word else q,
            "search_stems": joiner.join(f"{w}:*" for w in words),
        }
    # SQLite: FTS5 over the stems, each quoted (no query syntax from users) and prefixed.
    return {"search_match": (" OR " if any_word else " ").join(f'"{w}"*' for w in words)}


def _postgres_words(table: str, any_word: bool = False):
    """On PostgreSQL, the condition that a proposal's text has all the words asked, or any of
    them (similar titles): the 'french' configuration, and our accent-free stems so that
    "ecole" finds "école" as it does on SQLite; written as the GIN indexes are, so that they
    serve it."""
    french = sa.func.to_tsvector(
        sa.literal_column("'french'"), sa.literal_column(f"{table}.title || ' ' || {table}.body")
    )
    plain = sa.func.to_tsvector(
        sa.literal_column("'simple'"), sa.literal_column(f"{table}.search_stems")
    )
    asked = sa.func.to_tsquery(sa.literal_column("'simple'"), sa.bindparam("search_stems"))
    french_asked = (sa.func.to_tsquery if any_word else sa.func.plainto_tsquery)(
        sa.literal_column("'french'"), sa.bindparam("search_french")
    )
    return sa.or_(french.op("@@")(french_asked), plain.op("@@")(asked))


def _search_clause(dialect: str, any_word: bool = False):
    """Full-text search on proposals, as a condition on their ids, found by the full-text
    indexes. On PostgreSQL, OFFSET 0 keeps the matching ids a subquery of their own rather
    than a join that the planner would run by computing the text vectors of the proposals it
    walks."""
    if dialect == "postgresql":
        found = Proposal.__table__.alias("found")
        matches = (
            sa.select(found.c.id)
            .where(_postgres_words("found", any_word))
            .offset(sa.literal_column("0"))
        )
    else:  # SQLite: FTS5 over the stems.
        matches = (
            sa.select(sa.literal_column("rowid"))
            .select_from(sa.table("proposal_fts"))
            .where(sa.text("proposal_fts MATCH :search_match"))
        )
    return Proposal.id.in_(matches)


_found_ctes: dict[tuple, sa.CTE] = {}


def _scope(shape: tuple):
    """Where a listing takes its proposals from (the Proposal entity, or an alias of it), and
    the conditions that they must meet there.

    On PostgreSQL, a search is a materialized CTE of the proposals that meet every filter
    and have the words (PostgreSQL combines the GIN and filter indexes in one bitmap), with
    the columns that listings sort on: the count and the page read it, without visiting the
    proposals again.
    """
    dialect, *names = shape
    if "q" not in names or dialect != "postgresql":
        return Proposal, _conditions(shape)
    # One CTE object per shape: the count and the page of a statement refer to the same one.
    found = _found_ctes.get(shape)
    if found is None:
        columns = ("id", "agree_count", "created_at", "debate_score", "shuffle_key")
        found = _found_ctes[shape] = (
            sa.select(*(getattr(Proposal, name) for name in columns))
            .where(*_conditions(shape))
            .cte("found")
            .prefix_with("MATERIALIZED")
        )
    return aliased(Proposal, found, name="found"), []


def _count(shape: tuple) -> sa.Select:
    """The number of proposals that a listing's filters keep."""
    entity, where = _scope(shape)
    return sa.select(sa.func.count()).select_from(entity).where(*where)


def _filters(
    consultation: Consultation,
    *,
    q: str = "",
    theme: str = "",
    commune_id: int | None = None,
    status: str = "",
    channel: str = "",
) -> tuple[tuple, dict]:
    """The shape of a listing's filters (a key for its statements) and their values."""
    params = {"consultation_id": consultation.id, "published": PUBLISHED}
    shape = []
    searched = _search_params(q) if q else None
    if searched:
        params.update(searched)
        shape.append("q")
    for name, value in (("theme", theme), ("commune_id", commune_id), ("channel", channel)):
        if value:
            params[name] = value
            shape.append(name)
    if status == "unanswered":
        shape.append("unanswered")
    elif status:
        params["status"] = status
        shape.append("status")
    return (_dialect(), *shape), params


def _conditions(shape: tuple) -> list:
    where = [
        Proposal.consultation_id == sa.bindparam("consultation_id"),
        Proposal.status == sa.bindparam("published"),
    ]
    dialect, *names = shape
    columns = {
        "theme": Proposal.theme,
        "commune_id": Proposal.commune_id,
        "channel": Proposal.channel,
        "status": Proposal.answer_status,
    }
    for name in names:
        if name == "q":
            if dialect == "postgresql":
                where.append(_postgres_words("proposal"))
            else:
                where.append(_search_clause(dialect))
        elif name == "unanswered":
            where.append(Proposal.answer_status.is_(None))
        else:
            where.append(columns[name] == sa.bindparam(name))
    return where


def _sort_keys(sort: str, p=Proposal) -> list[tuple]:
    """The order of a listing of proposals p, as (expression, descending) pairs, ending with a
    unique one."""
    if sort == "newest":
        return [(p.created_at, True), (p.id, True)]
    if sort == "debated":
        # Many votes on both sides: computed by the database (Proposal.debate_score).
        return [(p.debate_score, True), (p.id, False)]
    return [(p.agree_count, True), (p.id, False)]


def _ordered(keys: list[tuple]) -> list:
    return [key.desc() if descending else key for key, descending in keys]


class Author(NamedTuple):
    """What a listing shows of a participant, without loading a User."""

    id: int
    display_name: str | None
    deleted_at: datetime | None

    @property
    def public_name(self) -> str:
        # As User.public_name (a test checks that they agree), with the templates' gettext.
        if self.deleted_at is not None:
            return _("Participant supprimé")
        return self.display_name or _("Participant n° %(id)s", id=self.id)


class ProposalCard(NamedTuple):
    """A proposal as a listing shows it."""

    id: int
    title: str
    theme: str
    channel: str
    entered_by_id: int | None
    created_at: datetime
    agree_count: int
    disagree_count: int
    comment_count: int
    answer_status: str | None
    commune_name: str | None
    author: Author | None


def _ranked(shape: tuple, sort: str) -> sa.Subquery:
    """The ids of one page in order, with their sort keys k0, k1 ...: sorted on ids and sort
    keys alone, so that the sort does not carry whole rows."""
    if sort == "random":
        return _random_ranked(shape)
    entity, where = _scope(shape)
    # Ordered by the labels: an expression is then computed once per row.
    keys = _sort_keys(sort, entity)
    labeled = [(key.label(f"k{i}"), desc) for i, (key, desc) in enumerate(keys)]
    return (
        sa.select(entity.id.label("id"), *(label for label, _d in labeled))
        .where(*where)
        .order_by(*_ordered(labeled))
        .limit(_inline("limit"))
        .offset(_inline("offset"))
        .subquery("ranked")
    )


def _random_ranked(shape: tuple) -> sa.Subquery:
    """A visitor's shuffled order: the proposals by their random shuffle_key, read from the
    visitor's own starting point (the seed) to the end, then from the start up to it.

    Every proposal is as likely to come first, and a visitor keeps the same order from page
    to page; each part reads at most `reach` (offset + limit) entries of ix_proposal_shuffle,
    instead of scoring and sorting every proposal for every page.
    """
    p, where = _scope(shape)
    seed = sa.bindparam("seed")
    parts = []
    for turn, condition in enumerate((p.shuffle_key >= seed, p.shuffle_key < seed)):
        part = (
            sa.select(
                p.id.label("id"),
                sa.literal_column(str(turn)).label("k0"),
                p.shuffle_key.label("k1"),
                p.id.label("k2"),
            )
            .where(*where, condition)
            .order_by(p.shuffle_key, p.id)
            .limit(_inline("reach"))
            .subquery(f"turn{turn}")
        )
        parts.append(sa.select(part))
    both = sa.union_all(*parts).subquery("shuffled")
    return (
        sa.select(both)
        .order_by(both.c.k0, both.c.k1, both.c.k2)
        .limit(_inline("limit"))
        .offset(_inline("offset"))
        .subquery("ranked")
    )


def _cards_statement(shape: tuple, sort: str) -> sa.Select:
    """A page of cards: the page's ids in order (_ranked), joined to what a card shows, and
    put in order again; with filters, each row also ends with the number of proposals found
    (computed once; without, the consultation keeps that number)."""
    from civic.territory.models import Commune

    ranked = _ranked(shape, sort)
    columns = [
        Proposal.id,
        Proposal.title,
        Proposal.theme,
        Proposal.channel,
        Proposal.entered_by_id,
        Proposal.created_at,
        Proposal.agree_count,
        Proposal.disagree_count,
        Proposal.comment_count,
        Proposal.answer_status,
        Commune.name,
        Proposal.author_id,
        User.display_name,
        User.deleted_at,
    ]
    if _filtered(shape):
        total = _count(shape).scalar_subquery().correlate(None)
        columns.append(total.label("total"))
    if sort == "random":
        order = [ranked.c.k0, ranked.c.k1, ranked.c.k2]
    else:
        order = _ordered([(ranked.c[f"k{i}"], d) for i, (_k, d) in enumerate(_sort_keys(sort))])
    return (
        sa.select(*columns)
        .select_from(ranked)
        .join(Proposal, Proposal.id == ranked.c.id)
        .outerjoin(Commune, Commune.id == Proposal.commune_id)
        .outerjoin(User, User.id == Proposal.author_id)
        .order_by(*order)
    )


def _filtered(shape: tuple) -> bool:
    return len(shape) > 1  # the dialect, then the filters' names


def list_proposals(
    consultation: Consultation,
    page: int,
    per_page: int = PER_PAGE,
    *,
    sort: str = "supported",
    seed: int = 0,
    **filters,
) -> Page:
    """One page of proposal cards, with the number of proposals found, in one query whatever
    the page size (with filters, one more for a page past the last one, which has no row to
    carry the count)."""
    shape, params = _filters(consultation, **filters)
    cards = _statement(("cards", sort, *shape), lambda: _cards_statement(shape, sort))
    offset = (page - 1) * per_page
    rows = _run(
        cards, limit=per_page, offset=offset, reach=offset + per_page, seed=seed, **params
    ).all()
    if not _filtered(shape):
        total = consultation.published_proposals
    elif rows:
        total = rows[0].total
    elif page == 1:
        total = 0
    else:
        count = _statement(
            ("count", *shape),
            lambda: _count(shape),
        )
        total = _run(count, **params).scalar_one()
    items = [
        ProposalCard(*row[:11], Author(*row[11:14]) if row[11] is not None else None)
        for row in rows
    ]
    return Page(items=items, page=page, per_page=per_page, total=total)


def similar_proposals(consultation: Consultation, text: str, limit: int = 5) -> list[Proposal]:
    """Published proposals close in meaning to a proposal being written (its title, or its
    title and body), most similar first; none below a threshold. Without the sentence
    encoder: proposals that share at least half of the text's words, most shared first."""
    from civic.analysis import vectors

    if len(text.strip()) < 4:
        return []
    if vectors.encoder_installed():
        ranked = [i for i, _ in vectors.similar_proposals(consultation, text, limit)]
        by_id = {
            p.id: p for p in db.session.scalars(sa.select(Proposal).where(Proposal.id.in_(ranked)))
        }
        return [by_id[i] for i in ranked if i in by_id]
    searched = _search_params(text, any_word=True)
    if searched is None:
        return []
    query = (
        sa.select(Proposal)
        .where(
            Proposal.consultation_id == consultation.id,
            Proposal.status == PUBLISHED,
            _search_clause(_dialect(), any_word=True),
        )
        .order_by(Proposal.agree_count.desc())
        .limit(50)
    )
    asked = {s for s in stems(text) if len(s) > 2}  # short stems are mostly articles
    scored = []
    for proposal in db.session.scalars(query, searched):
        shared = len(asked & set(stems(f"{proposal.title} {proposal.body}")))
        if asked and shared / len(asked) >= 0.5:
            scored.append((-shared, -proposal.agree_count, proposal.id, proposal))
    return [p for *_, p in sorted(scored, key=lambda item: item[:3])[:limit]]


def _themes() -> sa.CTE:
    """The distinct themes of a consultation, by one index lookup per theme: each step asks
    for the smallest theme after the previous one (neither SQLite nor PostgreSQL 15 skip
    through an index by themselves; DISTINCT would read an entry per proposal)."""
    first = sa.select(sa.func.min(Proposal.theme).label("theme")).where(
        Proposal.consultation_id == sa.bindparam("consultation_id"), Proposal.theme > ""
    )
    found = first.cte("themes", recursive=True)
    after = Proposal.__table__.alias("after")
    following = (
        sa.select(sa.func.min(after.c.theme))
        .where(after.c.consultation_id == sa.bindparam("consultation_id"))
        .where(after.c.theme > found.c.theme)
        .scalar_subquery()
    )
    return found.union_all(sa.select(following).where(found.c.theme.is_not(None)))


def themes(consultation: Consultation) -> list[str]:
    """The themes of a consultation's proposals, in order."""
    query = _statement(
        ("themes",),
        lambda: sa.select(found := _themes()).where(found.c.theme.is_not(None)),
    )
    return list(_run(query, consultation_id=consultation.id).scalars())


def filter_options(consultation: Consultation) -> tuple[list[str], list[tuple[int, str]]]:
    """What the listing's filter form offers: the themes of the consultation's proposals, and
    the communes as (id, name), each in order.

    Kept by each process for the consultation's listing_version, which the database draws
    anew whenever a proposal is added or removed or changes theme, commune or status: a
    change shows on the next page, in every process. (Communes change only when the territory
    is loaded again, which a restart follows.)
    """
    from civic.territory.models import Commune

    cache = app_cache("filter options", FILTER_OPTIONS_KEPT)
    key = (consultation.id, consultation.listing_version)
    options = cache.get(key)
    if options is not None:
        return options

    def build():
        found = _themes()
        themes_ = sa.select(
            sa.literal(0).label("kind"), sa.null().label("id"), found.c.theme.label("name")
        ).where(found.c.theme.is_not(None))
        communes = sa.select(sa.literal(1), Commune.id, Commune.name)
        both = sa.union_all(themes_, communes).subquery("options")
        return sa.select(both).order_by(both.c.kind, both.c.name)

    rows = _run(_statement(("filter options",), build), consultation_id=consultation.id).all()
    options = (
        collate(row.name for row in rows if row.kind == 0),
        sorted(((row.id, row.name) for row in rows if row.kind == 1), key=lambda r: sort_key(r[1])),
    )
    cache.put(key, options)
    return options


def proposal_in(slug: str, proposal_id: int, user, *, related: bool = True) -> Proposal | None:
    """A proposal of the consultation at this address, if the user may see both, loaded with
    its consultation and the consultation's phases in one query; with what its page shows of
    its author, commune and answer, or without them (`related=False`: a vote needs the
    proposal alone)."""
    manager = can_manage(user)

    def build():
        query = (
            sa.select(Proposal)
            .join(Proposal.consultation)
            .where(
                Proposal.id == sa.bindparam("proposal_id"),
                Consultation.slug == sa.bindparam("slug"),
            )
        )
        if not manager:
            query = query.where(Consultation.published_at.is_not(None))
        consultation = contains_eager(Proposal.consultation)
        options = [
            consultation.joinedload(Consultation.phases).lazyload(Phase.invitations),
            consultation.lazyload(Consultation.communes),
        ]
        if related:
            options.append(
                joinedload(Proposal.author).options(
                    load_only(User.id, User.display_name, User.deleted_at),
                    lazyload(User.commune),
                    lazyload(User.grants),
                )
            )
        else:
            options += [
                lazyload(Proposal.author),
                lazyload(Proposal.commune),
                lazyload(Proposal.answer),
            ]
        return query.options(*options)

    query = _statement(("proposal", manager, related), build)
    params = {"proposal_id": proposal_id, "slug": slug}
    proposal = db.session.scalars(query, params).unique().one_or_none()
    if proposal is None:
        return None
    if proposal.status == ProposalStatus.PUBLISHED:
        return proposal
    mine = user.is_authenticated and proposal.author_id == user.id
    moderator = user.is_authenticated and user.role_names & {"moderator", "admin"}
    return proposal if (mine or moderator) else None


class MilestoneItem(NamedTuple):
    title: str
    description: str
    due_on: datetime | None
    progress: int


def milestones(proposal: Proposal) -> list[MilestoneItem]:
    """A proposal's milestones, in the order of the relationship (by due date)."""
    query = _statement(
        ("milestones",),
        lambda: (
            sa.select(Milestone.title, Milestone.description, Milestone.due_on, Milestone.progress)
            .where(Milestone.proposal_id == sa.bindparam("proposal_id"))
            .order_by(Milestone.due_on, Milestone.id)
        ),
    )
    return [MilestoneItem(*row) for row in _run(query, proposal_id=proposal.id)]


class CommentItem(NamedTuple):
    """A comment as the proposal page shows it."""

    id: int
    parent_id: int | None
    author_id: int | None
    body: str
    stance: str
    created_at: datetime
    author: Author | None


def _comments_statement() -> sa.Select:
    """A page of a proposal's top-level comments and the replies to them, published, with
    their authors' names, in order; each row also carries the number of top-level comments
    (computed once)."""
    published = Comment.status == sa.bindparam("published")
    top_level = (
        Comment.proposal_id == sa.bindparam("proposal_id"),
        Comment.parent_id.is_(None),
        published,
    )
    page = (
        sa.select(Comment.id)
        .where(*top_level)
        .order_by(Comment.created_at, Comment.id)
        .limit(_inline("limit"))
        .offset(_inline("offset"))
        .cte("page")
    )
    shown = sa.union_all(
        sa.select(page.c.id),
        sa.select(Comment.id).join(page, Comment.parent_id == page.c.id).where(published),
    ).subquery("shown")
    total = (
        sa.select(sa.func.count())
        .select_from(Comment)
        .where(*top_level)
        .scalar_subquery()
        .correlate(None)
    )
    c = Comment.__table__.alias("c")
    return (
        sa.select(
            total.label("total"),
            c.c.id,
            c.c.parent_id,
            c.c.author_id,
            c.c.body,
            c.c.stance,
            c.c.created_at,
            User.display_name,
            User.deleted_at,
        )
        .select_from(shown)
        .join(c, c.c.id == shown.c.id)
        .outerjoin(User, User.id == c.c.author_id)
        .order_by(c.c.created_at, c.c.id)
    )


def comments_page(
    proposal: Proposal, page: int, per_page: int = 50
) -> tuple[Page, dict[int, list[CommentItem]]]:
    """A page of top-level comments and their replies, with the number of top-level comments,
    in one query whatever the page size (one more for a page past the last one)."""
    values = {"proposal_id": proposal.id, "published": PUBLISHED}
    query = _statement(("comments",), _comments_statement)
    rows = _run(query, limit=per_page, offset=(page - 1) * per_page, **values).all()
    if rows:
        total = rows[0].total
    elif page == 1:
        total = 0
    else:
        count = _statement(
            ("comments count",),
            lambda: (
                sa.select(sa.func.count())
                .select_from(Comment)
                .where(
                    Comment.proposal_id == sa.bindparam("proposal_id"),
                    Comment.parent_id.is_(None),
                    Comment.status == sa.bindparam("published"),
                )
            ),
        )
        total = _run(count, **values).scalar_one()
    shown = [
        CommentItem(*row[1:7], Author(row[3], *row[7:]) if row[3] is not None else None)
        for row in rows
    ]
    # In order of date: the page's comments, and the replies to each of them.
    items = [comment for comment in shown if comment.parent_id is None]
    replies: dict[int, list[CommentItem]] = {comment.id: [] for comment in items}
    for comment in shown:
        if comment.parent_id is not None:
            replies[comment.parent_id].append(comment)
    return Page(items=items, page=page, per_page=per_page, total=total), replies


def user_vote(user, proposal_ids: list[int]) -> dict[int, int]:
    if not user.is_authenticated or not proposal_ids:
        return {}
    query = _statement(
        ("user votes",),
        lambda: sa.select(Vote.proposal_id, Vote.value).where(
            Vote.user_id == sa.bindparam("user_id"),
            Vote.proposal_id.in_(sa.bindparam("proposal_ids", expanding=True)),
        ),
    )
    rows = _run(query, user_id=user.id, proposal_ids=list(proposal_ids))
    return {row.proposal_id: row.value for row in rows}


def agree_used(user, consultation: Consultation) -> int:
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
    # answer_status holds each proposal's one answer (civic.analysis.answers): its own, or
    # its group's decision.
    query = (
        sa.select(Proposal)
        .where(
            Proposal.consultation_id == consultation.id,
            Proposal.status == PUBLISHED,
            Proposal.answer_status.in_(["retained", "partly_retained"]),
        )
        .order_by(Proposal.agree_count.desc(), Proposal.id)
    )
    return list(db.session.scalars(query))


def glossary() -> list[GlossaryTerm]:
    return list(
        db.session.scalars(sa.select(GlossaryTerm).order_by(sa.func.lower(GlossaryTerm.term)))
    )


def glossary_triples() -> list[tuple[str, str, str]]:
    return [(t.term, t.definition, t.anchor) for t in glossary()]
