"""What the reactions to a draft text say, section by section: counts, themes and answers.

The written reactions (comments and questions) and the amendments of each section (a top-level
heading and what follows it, in every version) are grouped by meaning with the analysis
pipeline (civic.analysis.pipeline.texts), on the sentence vectors stored at intake when every
text has one, on their words otherwise. With each section's amendments and their decisions,
and the changes each new version made with their origin, this is the chapter "Ce que la
concertation a changé dans le plan" of the synthesis (civic.analysis.report) and the staff's
page of analysis of a text.

Kept per process under the activity of the draft's versions, which changes with every
counter, answer and decision: the grouping runs once per change, not once per reader.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from civic.analysis import vectors as analysis_vectors
from civic.core.caching import app_cache
from civic.documents.models import (
    CHANGING,
    Amendment,
    AmendmentChange,
    Draft,
    DraftItem,
    DraftVersion,
    ItemKind,
    Reaction,
    Status,
)
from civic.extensions import db

THEMES_SHOWN = 5  # per section: the largest groups; the others are counted
KEPT = 100  # analyses kept per process


@dataclass
class Theme:
    label: str
    size: int
    keywords: list[str]
    quote: str  # the group's most representative text


@dataclass
class AmendmentLine:
    id: int
    passage: str  # "§ 4", "Action 2"
    version: int
    text: str
    reason: str
    votes_for: int
    votes_against: int
    decision: str | None
    justification: str
    integrated_in: list[int]  # numbers of the versions it led to

    @property
    def adopted(self) -> bool:
        """Integrated, wholly or in part (the others: not retained, out of competence)."""
        return self.decision in CHANGING


@dataclass
class Section:
    number: str
    title: str
    counts: Counter = field(default_factory=Counter)  # agree, disagree, question, amendment
    written: int = 0  # reactions and amendments whose text was grouped
    themes: list[Theme] = field(default_factory=list)
    other_themes: int = 0
    isolated: int = 0  # texts like no other
    amendments: list[AmendmentLine] = field(default_factory=list)


@dataclass
class Change:
    version: int
    note: str
    amendments: list[int]  # the amendments it integrated


@dataclass
class DraftAnalysis:
    draft_id: int
    title: str
    sections: list[Section]
    decisions: Counter  # decision -> amendments
    unanswered: int
    changes: list[Change]
    by_meaning: bool  # sentence vectors (True) or words


def reaction_text(item_id: int) -> str | None:
    body = db.session.scalar(sa.select(Reaction.body).where(Reaction.id == item_id))
    return body or None


def amendment_text(reason: str, text: str) -> str:
    """An amendment as analysed: its reason says what the author wants; the new wording alone
    otherwise (it repeats the passage, and would group amendments by passage)."""
    return reason.strip() or text.strip()


def _amendment_text_of(item_id: int) -> str | None:
    row = db.session.execute(
        sa.select(Amendment.reason, Amendment.text).where(Amendment.id == item_id)
    ).first()
    return None if row is None else amendment_text(row.reason, row.text)


def register_texts() -> None:
    analysis_vectors.register_text("draft_reaction", reaction_text)
    analysis_vectors.register_text("draft_amendment", _amendment_text_of)


def _sections(draft: Draft) -> tuple[dict[int, str], dict[str, tuple[str, str]]]:
    """Item id -> its section's key, and key -> (number, title), over every version: a
    section is a heading of the text's highest level and what follows it, matched across
    versions by its title."""
    rows = db.session.execute(
        sa.select(DraftItem.id, DraftItem.kind, DraftItem.level, DraftItem.number, DraftItem.title)
        .join(DraftVersion, DraftVersion.id == DraftItem.version_id)
        .where(DraftVersion.draft_id == draft.id)
        .order_by(DraftVersion.number, DraftItem.position)
    ).all()
    headings = [r.level for r in rows if r.kind == ItemKind.HEADING]
    top = min(headings, default=0)
    of_item: dict[int, str] = {}
    names: dict[str, tuple[str, str]] = {"": ("", "")}
    current = ""
    for row in rows:
        if row.kind == ItemKind.HEADING and row.level == top:
            current = row.title
            names.setdefault(current, (row.number, row.title))
        of_item[row.id] = current
    return of_item, names


def _themes(texts: list[tuple[str, int, str]], section: Section) -> bool | None:
    """Group a section's texts; whether sentence vectors were used (None: nothing grouped)."""
    section.written = len(texts)
    if len(texts) < 2:
        section.isolated = len(texts)
        return None
    from civic.analysis.pipeline.texts import cluster_texts  # scientific stack: on first use

    vectors = analysis_vectors.stored_matrix(texts)
    found = cluster_texts(
        [t for _k, _i, t in texts], [(k, i) for k, i, _t in texts], vectors=vectors, seed=0
    )
    by_key = {(k, i): t for k, i, t in texts}
    clusters = sorted(found.clusters, key=lambda c: (-c.size, c.id))
    section.themes = [
        Theme(c.label, c.size, c.keywords[:5], by_key[c.quotes[0]] if c.quotes else "")
        for c in clusters[:THEMES_SHOWN]
    ]
    section.other_themes = max(0, len(clusters) - THEMES_SHOWN)
    section.isolated = len(found.isolated)
    return vectors is not None


def analyse(draft: Draft) -> DraftAnalysis:
    """The analysis of a draft's reactions, section by section (kept per state, see above)."""
    activity = tuple(
        db.session.execute(
            sa.select(DraftVersion.id, DraftVersion.activity)
            .where(DraftVersion.draft_id == draft.id)
            .order_by(DraftVersion.id)
        ).all()
    )
    cache = app_cache("draft-analysis", KEPT)
    key = (draft.id, draft.title, activity)
    found = cache.get(key)
    if found is None:
        found = _analyse(draft)
        cache.put(key, found)
    return found


def _analyse(draft: Draft) -> DraftAnalysis:
    of_item, names = _sections(draft)
    sections = {key: Section(*names[key]) for key in names}
    texts: dict[str, list[tuple[str, int, str]]] = {key: [] for key in names}
    reactions = db.session.execute(
        sa.select(Reaction.id, Reaction.item_id, Reaction.kind, Reaction.body)
        .join(DraftItem, DraftItem.id == Reaction.item_id)
        .join(DraftVersion, DraftVersion.id == DraftItem.version_id)
        .where(DraftVersion.draft_id == draft.id, Reaction.status == Status.PUBLISHED.value)
        .order_by(Reaction.id)
    )
    for row in reactions:
        key = of_item[row.item_id]
        sections[key].counts[row.kind] += 1
        if row.body.strip():
            texts[key].append(("draft_reaction", row.id, row.body))
    integrated: dict[int, list[int]] = {}
    for amendment_id, number in db.session.execute(
        sa.select(AmendmentChange.amendment_id, DraftVersion.number)
        .join(DraftVersion, DraftVersion.id == AmendmentChange.version_id)
        .where(DraftVersion.draft_id == draft.id)
        .order_by(DraftVersion.number)
    ):
        integrated.setdefault(amendment_id, []).append(number)
    amendments = db.session.execute(
        sa.select(Amendment, DraftItem.number, DraftVersion.number.label("version"))
        .join(DraftItem, DraftItem.id == Amendment.item_id)
        .join(DraftVersion, DraftVersion.id == DraftItem.version_id)
        .options(lazyload("*"))
        .where(DraftVersion.draft_id == draft.id, Amendment.status == Status.PUBLISHED.value)
        .order_by(DraftVersion.number, DraftItem.position, Amendment.id)
    )
    decisions: Counter = Counter()
    unanswered = 0
    for amendment, passage, version in amendments:
        key = of_item[amendment.item_id]
        section = sections[key]
        section.counts["amendment"] += 1
        texts[key].append(
            ("draft_amendment", amendment.id, amendment_text(amendment.reason, amendment.text))
        )
        section.amendments.append(
            AmendmentLine(
                id=amendment.id,
                passage=passage,
                version=version,
                text=amendment.text,
                reason=amendment.reason,
                votes_for=amendment.for_count,
                votes_against=amendment.against_count,
                decision=amendment.decision,
                justification=amendment.justification,
                integrated_in=integrated.get(amendment.id, []),
            )
        )
        if amendment.decision:
            decisions[amendment.decision] += 1
        else:
            unanswered += 1
    # By meaning when every section grouped was grouped on sentence vectors.
    used = [_themes(texts[key], section) for key, section in sections.items()]
    by_meaning = any(used) and all(u is not False for u in used)
    changes = [
        Change(
            version.number,
            version.note,
            sorted(a for a, numbers in integrated.items() if version.number in numbers),
        )
        for version in db.session.scalars(
            sa.select(DraftVersion)
            .where(DraftVersion.draft_id == draft.id, DraftVersion.number > 1)
            .order_by(DraftVersion.number)
        )
    ]
    return DraftAnalysis(
        draft_id=draft.id,
        title=draft.title,
        # Sections nobody reacted to say nothing; the text before the first heading is kept
        # when it drew reactions.
        sections=[s for s in sections.values() if s.counts],
        decisions=decisions,
        unanswered=unanswered,
        changes=changes,
        by_meaning=by_meaning,
    )


def of_consultation(consultation_id: int) -> list[DraftAnalysis]:
    """The analysis of each draft text of a consultation that has a published version."""
    drafts = db.session.scalars(
        sa.select(Draft)
        .where(Draft.consultation_id == consultation_id, Draft.current_version_id.is_not(None))
        .order_by(Draft.id)
    ).unique()
    return [analyse(d) for d in drafts]
