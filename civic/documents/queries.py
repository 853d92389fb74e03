"""Read-side queries for draft texts: a whole version in one query, reactions paginated."""

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, lazyload

from civic.consultations.models import Consultation, Phase
from civic.core.pagination import Page, paginate
from civic.documents.models import (
    Amendment,
    AmendmentChange,
    AmendmentVote,
    Draft,
    DraftItem,
    DraftVersion,
    Reaction,
    Status,
)
from civic.extensions import db


def drafts_of(consultation_id: int) -> list[Draft]:
    return list(
        db.session.scalars(
            sa.select(Draft).where(Draft.consultation_id == consultation_id).order_by(Draft.id)
        ).unique()
    )


def draft_in(slug: str, draft_id: int, with_versions: bool = False) -> Draft | None:
    """The draft at this address, with its consultation and phases (and its versions, for
    the pages that list them), in one query."""
    consultation = joinedload(Draft.consultation)
    options = [
        # The pages of a text never show the consultation's communes or its presentation;
        # a phase's invitations are read only when the phase is on invitation.
        consultation.lazyload(Consultation.communes),
        consultation.defer(Consultation.body_html),
        consultation.joinedload(Consultation.phases).lazyload(Phase.invitations),
    ]
    if with_versions:
        options.append(joinedload(Draft.versions))
    return (
        db.session.scalars(
            sa.select(Draft)
            .join(Consultation, Consultation.id == Draft.consultation_id)
            .options(*options)
            .where(Draft.id == draft_id, Consultation.slug == slug)
        )
        .unique()
        .first()
    )


def items(version: DraftVersion) -> list[DraftItem]:
    """Every item of a version, with its counters: one query whatever the reactions."""
    return list(
        db.session.scalars(
            sa.select(DraftItem)
            .where(DraftItem.version_id == version.id)
            .order_by(DraftItem.position)
        )
    )


def item_states(version: DraftVersion) -> list[sa.Row]:
    """What changes in the items of a version (their words never do): id, counters, answered,
    in text order. The page of a long text reads these at each change of any counter."""
    return list(
        db.session.execute(
            sa.select(
                DraftItem.id,
                DraftItem.agree_count,
                DraftItem.disagree_count,
                DraftItem.question_count,
                DraftItem.amendment_count,
                (DraftItem.answer != "").label("answered"),
            )
            .where(DraftItem.version_id == version.id)
            .order_by(DraftItem.position)
        )
    )


# What a version's items never change: their words and fields (not counters nor answer).
WORDS = [
    c
    for c in DraftItem.__table__.c
    if c.name
    not in {"agree_count", "disagree_count", "question_count", "amendment_count", "answer"}
]


def item_words(version: DraftVersion) -> dict[int, tuple[dict, tuple[int, ...]]]:
    """Item id -> its words and fields, and the ids of the amendments it came from (set when
    its version was published), for a whole version in one query: none of it ever changes."""
    found: dict[int, tuple[dict, tuple[int, ...]]] = {}
    for row in db.session.execute(
        sa.select(*WORDS, AmendmentChange.amendment_id.label("origin"))
        .outerjoin(AmendmentChange, AmendmentChange.item_id == DraftItem.id)
        .where(DraftItem.version_id == version.id)
        .order_by(DraftItem.id, AmendmentChange.amendment_id)
    ):
        words, origin = found.get(row.id, ({c.name: row._mapping[c.name] for c in WORDS}, ()))
        found[row.id] = (words, (*origin, row.origin) if row.origin is not None else origin)
    return found


def item_in(draft: Draft, item_id: int) -> DraftItem | None:
    return db.session.scalars(
        sa.select(DraftItem)
        .join(DraftVersion, DraftVersion.id == DraftItem.version_id)
        .options(contains_eager(DraftItem.version))
        .where(DraftItem.id == item_id, DraftVersion.draft_id == draft.id)
    ).first()


def amendment_in(draft: Draft, amendment_id: int) -> Amendment | None:
    return (
        db.session.scalars(
            sa.select(Amendment)
            .join(DraftItem, DraftItem.id == Amendment.item_id)
            .join(DraftVersion, DraftVersion.id == DraftItem.version_id)
            .where(Amendment.id == amendment_id, DraftVersion.draft_id == draft.id)
        )
        .unique()
        .first()
    )


def reactions_page(item: DraftItem, page: int) -> Page:
    return paginate(
        sa.select(Reaction)
        .where(Reaction.item_id == item.id, Reaction.status == Status.PUBLISHED.value)
        .order_by(Reaction.created_at, Reaction.id),
        page,
    )


def amendments_of(item: DraftItem) -> list[Amendment]:
    return list(
        db.session.scalars(
            sa.select(Amendment)
            .where(Amendment.item_id == item.id, Amendment.status == Status.PUBLISHED.value)
            .order_by(Amendment.for_count.desc(), Amendment.id)
        ).unique()
    )


def amendments_by_item(draft: Draft) -> list[tuple[DraftItem, list[Amendment]]]:
    """Every published amendment of every version, grouped by passage in text order."""
    rows = db.session.scalars(
        sa.select(Amendment)
        .join(DraftItem, DraftItem.id == Amendment.item_id)
        .join(DraftVersion, DraftVersion.id == DraftItem.version_id)
        # Authors are not shown here: their accounts and roles stay unloaded.
        .options(joinedload(Amendment.item).joinedload(DraftItem.version), lazyload("*"))
        .where(DraftVersion.draft_id == draft.id, Amendment.status == Status.PUBLISHED.value)
        .order_by(DraftVersion.number, DraftItem.position, Amendment.id)
    ).unique()
    groups: dict[int, tuple[DraftItem, list[Amendment]]] = {}
    for amendment in rows:
        groups.setdefault(amendment.item_id, (amendment.item, []))[1].append(amendment)
    return list(groups.values())


def user_vote(user, amendment: Amendment) -> int | None:
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        sa.select(AmendmentVote.value).where(
            AmendmentVote.amendment_id == amendment.id, AmendmentVote.user_id == user.id
        )
    )


def changes_into(version: DraftVersion) -> dict[int | None, list[Amendment]]:
    """New item id -> the amendments that led to it, for one version."""
    found: dict[int | None, list[Amendment]] = {}
    for change in db.session.scalars(
        sa.select(AmendmentChange)
        .options(joinedload(AmendmentChange.amendment))
        .where(AmendmentChange.version_id == version.id)
        .order_by(AmendmentChange.amendment_id)
    ).unique():
        found.setdefault(change.item_id, []).append(change.amendment)
    return found


def changes_of(amendment: Amendment) -> list[AmendmentChange]:
    return list(
        db.session.scalars(
            sa.select(AmendmentChange)
            .options(joinedload(AmendmentChange.version), joinedload(AmendmentChange.item))
            .where(AmendmentChange.amendment_id == amendment.id)
        ).unique()
    )


def mine(user) -> list[Amendment]:
    """The user's amendments with their text, passage and draft, newest first."""
    return list(
        db.session.scalars(
            sa.select(Amendment)
            .options(
                joinedload(Amendment.item)
                .joinedload(DraftItem.version)
                .joinedload(DraftVersion.draft),
                joinedload(Amendment.changes).joinedload(AmendmentChange.version),
            )
            .where(Amendment.author_id == user.id)
            .order_by(Amendment.created_at.desc(), Amendment.id.desc())
        ).unique()
    )


def my_reactions(user) -> list[Reaction]:
    return list(
        db.session.scalars(
            sa.select(Reaction)
            .options(
                joinedload(Reaction.item)
                .joinedload(DraftItem.version)
                .joinedload(DraftVersion.draft)
            )
            .where(Reaction.author_id == user.id)
            .order_by(Reaction.created_at.desc(), Reaction.id.desc())
        ).unique()
    )


def unanswered_count(draft: Draft) -> int:
    """Published amendments on any version still waiting for a decision."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Amendment)
        .join(DraftItem, DraftItem.id == Amendment.item_id)
        .join(DraftVersion, DraftVersion.id == DraftItem.version_id)
        .where(
            DraftVersion.draft_id == draft.id,
            Amendment.status == Status.PUBLISHED.value,
            Amendment.decision.is_(None),
        )
    )
