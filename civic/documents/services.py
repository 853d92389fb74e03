"""Every change of state of draft texts: import, versions, reactions, amendments, votes,
decisions and answers. Functions take the acting user, flush and never commit."""

import secrets

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from civic.analysis import vectors as analysis_vectors
from civic.core.models import audit, utcnow
from civic.core.notify import notify
from civic.documents import text as draft_text
from civic.documents.models import (
    CHANGING,
    Amendment,
    AmendmentChange,
    AmendmentDecision,
    AmendmentVote,
    Draft,
    DraftItem,
    DraftVersion,
    ItemKind,
    Reaction,
    ReactionKind,
    Status,
)
from civic.extensions import db
from civic.moderation import services as moderation


class DocumentError(Exception):
    """A refusal to show to the user, already translated (lazily)."""


PARSE_MESSAGES = {
    "budget": lambda line, detail: _l(
        "Ligne %(line)s : le budget « %(detail)s » n'est pas un montant lisible.",
        line=line,
        detail=detail,
    ),
    "too_long": lambda line, detail: _l("Ligne %(line)s : ce paragraphe est trop long.", line=line),
    "too_many": lambda line, detail: _l("Le texte compte trop de passages (2 000 au plus)."),
    "empty": lambda line, detail: _l("Le texte ne contient aucun paragraphe ni aucune action."),
}


def _parse(source: str) -> list[draft_text.Item]:
    if "\x00" in source:
        raise DocumentError(_l("Le texte contient des caractères invalides."))
    try:
        return draft_text.parse(source)
    except draft_text.ParseError as error:
        raise DocumentError(PARSE_MESSAGES[error.code](error.line, error.detail[:80])) from None


def _new_version(actor, draft: Draft, number: int, source: str, note: str) -> DraftVersion:
    parsed = _parse(source)
    version = DraftVersion(
        draft=draft, number=number, source=source, note=note.strip(), created_by_id=actor.id
    )
    db.session.add(version)
    db.session.flush()
    db.session.execute(
        sa.insert(DraftItem),
        [
            {
                "version_id": version.id,
                "position": position,
                "kind": item.kind,
                "level": item.level,
                "number": item.number,
                "anchor": item.anchor,
                "title": item.title[:300],
                "text": item.text,
                "lead_service": item.lead_service[:200],
                "budget_cents": item.budget_cents,
                "indicators": item.indicators,
            }
            for position, item in enumerate(parsed)
        ],
    )
    draft.current_version = version
    db.session.flush()
    return version


def import_draft(actor, consultation, *, title: str, summary: str, source: str) -> Draft:
    """A new draft text from Markdown: its version 1, split into numbered items."""
    draft = Draft(
        consultation_id=consultation.id,
        title=title.strip(),
        summary=summary.strip(),
        created_by_id=actor.id,
    )
    db.session.add(draft)
    db.session.flush()
    _new_version(actor, draft, 1, source, "")
    audit(actor, "draft.imported", "draft", draft.id, title=draft.title)
    return draft


def items_of(version: DraftVersion) -> list[DraftItem]:
    return list(
        db.session.scalars(
            sa.select(DraftItem)
            .where(DraftItem.version_id == version.id)
            .order_by(DraftItem.position)
        )
    )


def proposed_source(draft: Draft) -> str:
    """The Markdown of the current version with the wording of the amendments decided
    "intégré" put in place: where staff start the next version."""
    items = items_of(draft.current_version)
    integrated = {
        a.item_id: a.text
        for a in db.session.scalars(
            sa.select(Amendment)
            .where(
                Amendment.item_id.in_([i.id for i in items]),
                Amendment.decision == AmendmentDecision.INTEGRATED.value,
                Amendment.status == Status.PUBLISHED.value,
            )
            .order_by(Amendment.decided_at)
        )
    }
    copies = []
    for item in items:
        copy = draft_text.Item(
            kind=item.kind,
            level=item.level,
            title=item.title,
            text=integrated.get(item.id, item.text),
            lead_service=item.lead_service,
            budget_cents=item.budget_cents,
            indicators=list(item.indicators),
        )
        copies.append(copy)
    return draft_text.to_markdown(copies)


def changeable_amendments(draft: Draft) -> list[Amendment]:
    """Amendments on the current version decided "intégré" or "intégré en partie"."""
    return list(
        db.session.scalars(
            sa.select(Amendment)
            .join(DraftItem, DraftItem.id == Amendment.item_id)
            .where(
                DraftItem.version_id == draft.current_version_id,
                Amendment.decision.in_([d.value for d in CHANGING]),
                Amendment.status == Status.PUBLISHED.value,
            )
            .order_by(DraftItem.position, Amendment.id)
        )
    )


def publish_version(
    actor, draft: Draft, *, source: str, note: str, amendment_ids: list[int]
) -> DraftVersion:
    """The next version; the previous one stays readable. Each amendment named here is
    recorded as the origin of the change of its paragraph in the new version."""
    if not note.strip():
        raise DocumentError(_l("Dites en quelques mots ce qui change dans cette version."))
    previous = draft.current_version
    old_items = items_of(previous)
    wanted = {a.id: a for a in changeable_amendments(draft)}
    if any(i not in wanted for i in amendment_ids):
        raise DocumentError(
            _l("Seuls les amendements décidés « intégré » ou « intégré en partie » comptent.")
        )
    version = _new_version(actor, draft, previous.number + 1, source, note)
    new_items = items_of(version)
    pairs = draft_text.align(
        [i.comparable() for i in old_items], [i.comparable() for i in new_items]
    )
    # A passage removed in the new version (j is None) has no successor.
    successor = {old_items[i].id: new_items[j] for i, j in pairs if i is not None and j is not None}
    for amendment_id in amendment_ids:
        amendment = wanted[amendment_id]
        target = successor.get(amendment.item_id)
        db.session.add(
            AmendmentChange(
                amendment_id=amendment.id,
                version_id=version.id,
                item_id=target.id if target else None,
            )
        )
        if amendment.author is not None:
            notify(
                amendment.author,
                _l(
                    "La version %(n)s de « %(title)s » intègre votre amendement.",
                    n=version.number,
                    title=draft.title,
                ),
                link=url_for(
                    "documents.show_amendment",
                    slug=draft.consultation.slug,
                    draft_id=draft.id,
                    amendment_id=amendment.id,
                ),
            )
    db.session.flush()
    audit(actor, "draft.version", "draft", draft.id, number=version.number)
    return version


# --- reactions and amendments ---------------------------------------------------------------

COUNTERS = {
    ReactionKind.AGREE: "agree_count",
    ReactionKind.DISAGREE: "disagree_count",
    ReactionKind.QUESTION: "question_count",
}


def touch(item_id: int) -> None:
    """The item's version shows something new: a new key for its rendered text."""
    versions, items = DraftVersion.__table__, DraftItem.__table__
    db.session.execute(
        sa.update(versions)
        .where(
            versions.c.id
            == sa.select(items.c.version_id).where(items.c.id == item_id).scalar_subquery()
        )
        .values(activity=secrets.randbits(62))
    )


def move_counter(item_id: int, column: str, delta: int) -> None:
    """Counters move in SQL, in the transaction that changes what they count."""
    items = DraftItem.__table__
    db.session.execute(
        sa.update(items).where(items.c.id == item_id).values({column: items.c[column] + delta})
    )
    touch(item_id)


def _check_current(item: DraftItem) -> None:
    if item.kind == ItemKind.HEADING:
        raise DocumentError(_l("On réagit à un paragraphe ou à une action, pas à un titre."))
    if item.version.draft.current_version_id != item.version_id:
        raise DocumentError(
            _l("Ce passage appartient à une version précédente : réagissez à la version en cours.")
        )


def _phase_id(item: DraftItem) -> int | None:
    phase = item.version.draft.consultation.current_phase()
    return phase.id if phase else None


def react(user, item: DraftItem, *, kind: str, body: str) -> Reaction:
    _check_current(item)
    if kind not in {k.value for k in ReactionKind}:
        raise DocumentError(_l("Choisissez « d'accord », « pas d'accord » ou « question »."))
    body = body.strip()
    if kind == ReactionKind.QUESTION and not body:
        raise DocumentError(_l("Écrivez votre question."))
    reaction = Reaction(
        item_id=item.id,
        author_id=user.id,
        phase_id=_phase_id(item),
        kind=kind,
        body=body,
        status=Status.PENDING.value,
    )
    try:
        with db.session.begin_nested():
            db.session.add(reaction)
    except IntegrityError:
        raise DocumentError(
            _l("Vous avez déjà dit si vous étiez d'accord avec ce passage.")
        ) from None
    consultation = item.version.draft.consultation
    if moderation.intake("draft_reaction", reaction, user, body, consultation.premoderation):
        reaction.status = Status.PUBLISHED.value
        move_counter(item.id, COUNTERS[ReactionKind(kind)], +1)
    db.session.flush()
    if body:  # its sentence vector, for the analysis of the reactions (documents.analysis)
        analysis_vectors.schedule("draft_reaction", reaction.id)
    return reaction


def propose_amendment(user, item: DraftItem, *, text: str, reason: str) -> Amendment:
    _check_current(item)
    text = text.strip()
    if not text:
        raise DocumentError(_l("Écrivez la nouvelle rédaction que vous proposez."))
    if " ".join(text.split()) == " ".join(item.text.split()):
        raise DocumentError(_l("Votre rédaction est identique au texte actuel : modifiez-la."))
    amendment = Amendment(
        item_id=item.id,
        author_id=user.id,
        phase_id=_phase_id(item),
        text=text,
        reason=reason.strip(),
        status=Status.PENDING.value,
    )
    db.session.add(amendment)
    db.session.flush()
    consultation = item.version.draft.consultation
    if moderation.intake(
        "draft_amendment", amendment, user, f"{text} {amendment.reason}", consultation.premoderation
    ):
        amendment.status = Status.PUBLISHED.value
        move_counter(item.id, "amendment_count", +1)
    db.session.flush()
    analysis_vectors.schedule("draft_amendment", amendment.id)
    return amendment


def vote_amendment(user, amendment: Amendment, value: int) -> int | None:
    """Vote for (1) or against (-1), or take the vote back (0); returns the vote now held."""
    if value not in (-1, 0, 1):
        raise DocumentError(_l("Ce vote n'est pas valide."))
    if amendment.decision is not None:
        raise DocumentError(_l("Cet amendement a reçu sa réponse : le vote est clos."))
    votes = AmendmentVote.__table__
    previous = db.session.scalar(
        sa.select(votes.c.value).where(
            votes.c.amendment_id == amendment.id, votes.c.user_id == user.id
        )
    )
    if previous == value or (previous is None and value == 0):
        return previous
    if previous is None:
        try:
            with db.session.begin_nested():
                db.session.execute(
                    sa.insert(votes).values(amendment_id=amendment.id, user_id=user.id, value=value)
                )
        except IntegrityError:  # the same person's other request voted in the meantime
            raise DocumentError(
                _l("Votre vote vient d'être enregistré ; rechargez la page.")
            ) from None
    elif value == 0:
        db.session.execute(
            sa.delete(votes).where(votes.c.amendment_id == amendment.id, votes.c.user_id == user.id)
        )
    else:
        db.session.execute(
            sa.update(votes)
            .where(votes.c.amendment_id == amendment.id, votes.c.user_id == user.id)
            .values(value=value)
        )
    table = Amendment.__table__
    changes = {}
    for held, delta in ((previous, -1), (value, +1)):
        if held in (1, -1):
            column = "for_count" if held == 1 else "against_count"
            changes[column] = table.c[column] + delta
    db.session.execute(sa.update(table).where(table.c.id == amendment.id).values(changes))
    db.session.expire(amendment, ["for_count", "against_count"])
    return value or None


def decide_amendment(actor, amendment: Amendment, *, decision: str, justification: str) -> None:
    if decision not in {d.value for d in AmendmentDecision}:
        raise DocumentError(_l("Choisissez une décision."))
    if not justification.strip():
        raise DocumentError(_l("Justifiez la décision : son auteur la lira."))
    amendment.decision = decision
    amendment.justification = justification.strip()
    amendment.decided_by_id = actor.id
    amendment.decided_at = utcnow()
    db.session.flush()
    touch(amendment.item_id)  # the analysis of the reactions shows the decision
    audit(actor, "amendment.decided", "draft_amendment", amendment.id, decision=decision)
    if amendment.author is not None:
        draft = amendment.item.version.draft
        notify(
            amendment.author,
            _l("Votre amendement sur « %(title)s » a reçu sa réponse.", title=draft.title),
            link=url_for(
                "documents.show_amendment",
                slug=draft.consultation.slug,
                draft_id=draft.id,
                amendment_id=amendment.id,
            ),
        )


def answer_item(actor, item: DraftItem, text: str) -> None:
    """The answer to the reactions on one passage, shown under it to everyone."""
    if not text.strip():
        raise DocumentError(_l("Écrivez la réponse."))
    item.answer = text.strip()
    db.session.flush()
    touch(item.id)
    audit(actor, "draft_item.answered", "draft_item", item.id)


# --- personal data --------------------------------------------------------------------------


def export_personal_data(user) -> dict:
    reactions = db.session.scalars(sa.select(Reaction).where(Reaction.author_id == user.id))
    amendments = db.session.scalars(sa.select(Amendment).where(Amendment.author_id == user.id))
    return {
        "reactions": [
            {"item": r.item_id, "kind": r.kind, "text": r.body, "at": r.created_at.isoformat()}
            for r in reactions
        ],
        "amendments": [
            {
                "item": a.item_id,
                "text": a.text,
                "reason": a.reason,
                "decision": a.decision,
                "at": a.created_at.isoformat(),
            }
            for a in amendments
        ],
    }


def erase_personal_data(user) -> None:
    """Reactions and amendments stay, without their author (the counts stay true)."""
    for model in (Reaction, Amendment):
        db.session.execute(
            sa.update(model).where(model.author_id == user.id).values(author_id=None)
        )
