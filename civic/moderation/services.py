"""Moderation: intake of new content, reports, decisions, appeals, blocks and alerts.

Functions take the acting user, flush and never commit; the view commits once.
"""

import hashlib
import re
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from civic.core import formatting
from civic.core.models import audit, utcnow
from civic.core.notify import forget_quoted_text, notify, release_withheld, send_news
from civic.extensions import db
from civic.moderation import registry
from civic.moderation.models import (
    CHARTER_REASONS,
    CLAIM_LAPSE,
    Action,
    Appeal,
    Block,
    Case,
    CaseOrigin,
    Decision,
    Fingerprint,
    Report,
    ReportReason,
)


class ModerationError(Exception):
    """A refusal to show to the user, already translated; `field` names the form field it
    is about, when there is one, so that the form shows it there."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- intake: what waits before publication -----------------------------------------------

_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _shingles(normalised: str) -> set[str]:
    words = normalised.split()
    if len(words) < 3:
        return {normalised}
    return {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}


def _similar(a: str, b: str) -> bool:
    first, second = _shingles(a), _shingles(b)
    return len(first & second) / max(1, len(first | second)) >= 0.8


def _common_phrase(normalised: str) -> bool:
    """A short everyday phrase ("Tout à fait d'accord", "Bonne idée"), which many people and
    the same person write again and again: no copy to hold."""
    allowed = {normalise(p) for p in current_app.config["CIVIC_MODERATION_COMMON_PHRASES"]}
    return normalised in allowed


def _suspect(author, normalised: str, digest: str) -> bool:
    """A near-copy of the author's own recent text, or a burst of the same text from new
    accounts: held for review rather than published."""
    if _common_phrase(normalised):
        return False
    since = utcnow() - timedelta(days=30)
    recent = db.session.scalars(
        sa.select(Fingerprint.normalised)
        .where(Fingerprint.author_id == author.id, Fingerprint.created_at >= since)
        .order_by(Fingerprint.id.desc())
        .limit(50)
    )
    if any(text == normalised or _similar(text, normalised) for text in recent):
        return True
    from civic.accounts.models import User

    now = utcnow()
    burst = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Fingerprint.author_id)))
        .join(User, User.id == Fingerprint.author_id)
        .where(
            Fingerprint.digest == digest,
            Fingerprint.created_at >= now - timedelta(hours=1),
            User.created_at >= now - timedelta(days=1),
        )
    )
    is_new = author.created_at >= now - timedelta(days=1)
    return is_new and burst >= 2


def intake(kind_name: str, item, author, text: str, premoderated: bool) -> bool:
    """Called by content packages for each new item; True when it may be published now."""
    normalised = normalise(text)
    digest = hashlib.sha256(normalised.encode()).hexdigest()
    suspect = _suspect(author, normalised, digest) if normalised else False
    db.session.add(
        Fingerprint(
            kind=kind_name,
            item_id=item.id,
            author_id=author.id,
            digest=digest,
            normalised=normalised,
        )
    )
    if premoderated or suspect:
        origin = CaseOrigin.DUPLICATE if suspect else CaseOrigin.PREMODERATION
        _open_case(kind_name, item, origin)
        db.session.flush()
        _alert_if_queue_too_long()
        return False
    db.session.flush()
    return True


def hold(kind_name: str, item) -> Case:
    """An item entered by an agent that seems to name someone: unpublished until a moderator
    reads it (and edits the name out, or publishes it)."""
    case = _open_case(kind_name, item, CaseOrigin.NAMED)
    _alert_if_queue_too_long()
    return case


def claim(moderator, case: Case) -> bool:
    """Take a case, unless another moderator holds it; in one UPDATE, so that of two
    moderators who click together only one gets it."""
    now = utcnow()
    taken = db.session.execute(
        sa.update(Case)
        .where(
            Case.id == case.id,
            Case.is_open.is_(True),
            sa.or_(
                Case.claimed_by_id.is_(None),
                Case.claimed_by_id == moderator.id,
                Case.claimed_at <= now - CLAIM_LAPSE,
            ),
        )
        .values(claimed_by_id=moderator.id, claimed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(case)
    return taken == 1


def release(moderator, case: Case) -> None:
    if case.claimed_by_id == moderator.id:
        case.claimed_by_id = case.claimed_at = None
        db.session.flush()


def _open_case(kind_name: str, item, origin: CaseOrigin) -> Case:
    kind = registry.kind(kind_name)
    case = db.session.scalar(sa.select(Case).where(Case.kind == kind_name, Case.item_id == item.id))
    if case is None:
        case = Case(
            kind=kind_name,
            item_id=item.id,
            origin=origin.value,
            consultation_id=kind.consultation_id(item),
            author_id=kind.author_id(item),
            opened_at=utcnow(),
        )
        db.session.add(case)
    elif not case.is_open:
        case.is_open, case.opened_at, case.late_alert_sent = True, utcnow(), False
    db.session.flush()
    return case


# --- reports -------------------------------------------------------------------------------


def report(user, kind_name: str, item, reason: str, detail: str = "") -> Case:
    kind = registry.kind(kind_name)
    if reason not in {r.value for r in ReportReason}:
        raise ModerationError(_l("Choisissez la raison du signalement."))
    if reason == ReportReason.OTHER and not detail.strip():
        raise ModerationError(_l("Précisez la raison du signalement."))
    if kind.author_id(item) == user.id:
        raise ModerationError(_l("Vous ne pouvez pas signaler votre propre contribution."))
    try:
        with db.session.begin_nested():
            db.session.add(
                Report(
                    kind=kind_name,
                    item_id=item.id,
                    reporter_id=user.id,
                    reason=reason,
                    detail=detail.strip(),
                )
            )
    except IntegrityError:
        raise ModerationError(_l("Vous avez déjà signalé cette contribution.")) from None
    case = _open_case(kind_name, item, CaseOrigin.REPORTS)
    # Counted by the database, so that simultaneous reports are all counted.
    db.session.execute(
        sa.update(Case).where(Case.id == case.id).values(report_count=Case.report_count + 1)
    )
    db.session.refresh(case)
    threshold = current_app.config["CIVIC_MODERATION_REPORT_THRESHOLD"]
    if case.report_count >= threshold and not case.hidden and not _kept_on_appeal(case):
        # Hidden pending review, as Decidim does after three reports.
        kind.set_visible(item, False)
        case.hidden = True
    _alert_if_queue_too_long()
    return case


def _kept_on_appeal(case: Case) -> bool:
    return any(d.on_appeal and d.action == Action.KEEP for d in case.decisions)


# --- decisions -----------------------------------------------------------------------------


def decide(
    moderator,
    cases: list[Case],
    action: str,
    charter_reason: str = "",
    note: str = "",
    edited_text: str | None = None,
) -> list[Decision]:
    """One decision applied to one or many cases."""
    if action not in {a.value for a in Action}:
        raise ModerationError(_l("Choisissez une décision."))
    if action == Action.HIDE and charter_reason not in CHARTER_REASONS:
        raise ModerationError(
            _l("Pour masquer, choisissez la règle de la charte concernée."), "charter_reason"
        )
    if action == Action.EDIT and (len(cases) != 1 or not (edited_text or "").strip()):
        raise ModerationError(
            _l(
                "La correction des données personnelles se fait une "
                "contribution à la fois, avec le texte corrigé."
            ),
            "edited_text",
        )
    decisions = []
    now = utcnow()
    for case in cases:
        if case.claimed_by_other(moderator, now):
            continue  # another moderator is on it: their decision, not a second one
        appeal = case.appeal if case.appeal and case.appeal.decided_at is None else None
        if appeal and appeal.excluded_moderator_id == moderator.id:
            raise ModerationError(
                _l(
                    "Un appel doit être examiné par un autre modérateur que "
                    "celui qui a pris la première décision."
                )
            )
        kind = registry.kind(case.kind)
        item = kind.load(case.item_id)
        if item is None:
            continue
        decision = Decision(
            case=case,
            moderator_id=moderator.id,
            action=action,
            charter_reason=charter_reason if action == Action.HIDE else "",
            note=note.strip(),
            on_appeal=appeal is not None,
        )
        db.session.add(decision)
        if action == Action.EDIT:
            decision.original_text = kind.text(item)
            kind.set_text(item, edited_text.strip())
            forget_quoted_text(case.kind, case.item_id)
        visible = action != Action.HIDE
        kind.set_visible(item, visible)
        if visible:
            release_withheld(case.kind, case.item_id)
        case.hidden, case.is_open = not visible, False
        case.claimed_by_id = case.claimed_at = None
        if appeal:
            appeal.decided_at = utcnow()
        db.session.flush()
        audit(
            moderator,
            f"moderation.{action}",
            case.kind,
            case.item_id,
            reason=charter_reason,
            case=case.id,
            appeal=appeal is not None,
        )
        _tell_author(case, decision, kind, item)
        decisions.append(decision)
    return decisions


def _tell_author(case: Case, decision: Decision, kind, item) -> None:
    from civic.accounts.models import User

    author = db.session.get(User, case.author_id) if case.author_id else None
    if author is None or author.is_deleted:
        return
    link = kind.url(item)
    if decision.action == Action.HIDE:
        message = _l(
            "La modération a masqué votre %(kind)s : %(reason)s. Vous pouvez faire appel une fois.",
            kind=kind.label,
            reason=CHARTER_REASONS[decision.charter_reason],
        )
        link = url_for("moderation.appeal", case_id=case.id)
    elif decision.action == Action.EDIT:
        message = _l(
            "La modération a retiré des données personnelles de votre %(kind)s.", kind=kind.label
        )
    elif case.origin != CaseOrigin.REPORTS or decision.on_appeal:
        message = _l("La modération a publié votre %(kind)s.", kind=kind.label)
    else:
        return  # kept after reports: nothing changed for the author
    notify(author, message, link)
    appeal = url_for("moderation.appeal", case_id=case.id, _external=True)
    send_news(
        author,
        "moderation",
        _l("Décision de modération"),
        message,
        "moderation_decision",
        link=appeal if decision.action == Action.HIDE else "",
        message=str(message),
        url=appeal if decision.action == Action.HIDE else None,
        # what the author wrote, and the moderators' word to them: the e-mail says which
        # contribution and why, without having to open the site
        quote=_shorten(kind.text(item)),
        note=decision.note or "",
    )


def _shorten(text: str, limit: int = 240) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def appeal(author, case: Case, text: str) -> Appeal:
    if case.author_id != author.id:
        raise ModerationError(_l("Seul l'auteur peut faire appel."))
    last = case.last_decision
    if last is None or last.action != Action.HIDE or not case.hidden:
        raise ModerationError(_l("Il n'y a pas de décision de masquage à contester."))
    if case.appeal is not None:
        raise ModerationError(_l("Vous avez déjà fait appel de cette décision."))
    if not text.strip():
        raise ModerationError(_l("Expliquez pourquoi la décision devrait changer."))
    item = Appeal(
        case=case, author_id=author.id, text=text.strip(), excluded_moderator_id=last.moderator_id
    )
    db.session.add(item)
    case.is_open, case.opened_at = True, utcnow()
    db.session.flush()
    audit(author, "moderation.appeal", case.kind, case.item_id, case=case.id)
    return item


# --- blocks --------------------------------------------------------------------------------


def block(moderator, user, reason: str, days: int) -> Block:
    if user.id == moderator.id:
        raise ModerationError(_l("Vous ne pouvez pas vous bloquer vous-même."))
    if not reason.strip() or not 1 <= days <= 3650:
        raise ModerationError(_l("Indiquez un motif et une durée entre 1 et 3650 jours."))
    until = utcnow() + timedelta(days=days)
    item = Block(user_id=user.id, moderator_id=moderator.id, reason=reason.strip(), until=until)
    db.session.add(item)
    user.blocked_until = until
    db.session.flush()
    audit(moderator, "moderation.block", "user", user.id, reason=reason.strip(), days=days)
    notify(
        user,
        _l(
            "Votre compte est bloqué jusqu'au %(date)s : vous ne pouvez plus publier, "
            "voter ni signaler. Motif : %(reason)s",
            date=formatting.date_filter(until),
            reason=reason.strip(),
        ),
    )
    return item


def lift(actor, item: Block) -> None:
    item.lifted_at, item.lifted_by_id = utcnow(), actor.id
    from civic.accounts.models import User

    user = db.session.get(User, item.user_id)
    still = db.session.scalar(
        sa.select(sa.func.max(Block.until)).where(
            Block.user_id == user.id, Block.lifted_at.is_(None), Block.id != item.id
        )
    )
    user.blocked_until = still
    audit(actor, "moderation.unblock", "user", user.id, block=item.id)


# --- alerts and digests --------------------------------------------------------------------


def moderators() -> list:
    from civic.accounts.models import RoleGrant, User

    return list(
        db.session.scalars(
            sa.select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.role == "moderator", User.deleted_at.is_(None))
        )
    )


def open_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Case).where(Case.is_open.is_(True))
    )


def _alert_if_queue_too_long() -> None:
    threshold = current_app.config["CIVIC_MODERATION_QUEUE_ALERT"]
    # Alert when the queue crosses the threshold, not at every item beyond it.
    if open_count() == threshold + 1:
        for moderator in moderators():
            notify(
                moderator,
                _l("La file de modération dépasse %(n)s contributions en attente.", n=threshold),
                url_for("moderation.queue"),
            )
            send_news(
                moderator,
                "moderators",
                _l("File de modération chargée"),
                _l("La file de modération dépasse %(n)s contributions en attente.", n=threshold),
                "moderation_alert",
                link=url_for("moderation.queue", _external=True),
                count=threshold + 1,
                url=url_for("moderation.queue", _external=True),
            )


def alert_late_items(now=None) -> int:
    """Alert moderators, once per item, of what waits beyond the service target."""
    now = now or utcnow()
    target = timedelta(hours=current_app.config["CIVIC_MODERATION_TARGET_HOURS"])
    late = list(
        db.session.scalars(
            sa.select(Case).where(
                Case.is_open.is_(True),
                Case.late_alert_sent.is_(False),
                Case.opened_at < now - target,
            )
        )
    )
    if late:
        subject = _l(
            "Contributions en attente depuis plus de %(h)s heures",
            h=int(target.total_seconds() // 3600),
        )
        for moderator in moderators():
            send_news(
                moderator,
                "moderators",
                subject,
                subject,
                "moderation_alert",
                link=url_for("moderation.queue", _external=True),
                count=len(late),
                url=url_for("moderation.queue", _external=True),
            )
        for case in late:
            case.late_alert_sent = True
    db.session.flush()
    return len(late)


def send_digest(now=None) -> int:
    """The moderators' daily digest of what waits."""
    now = now or utcnow()
    waiting = open_count()
    if not waiting:
        return 0
    oldest = db.session.scalar(sa.select(sa.func.min(Case.opened_at)).where(Case.is_open.is_(True)))
    hours = int((now - oldest).total_seconds() // 3600)
    team = moderators()
    for moderator in team:
        subject = _l("Modération : %(n)s contributions en attente", n=waiting)
        send_news(
            moderator,
            "moderators",
            subject,
            subject,
            "moderation_digest",
            link=url_for("moderation.queue", _external=True),
            count=waiting,
            oldest_hours=hours,
            url=url_for("moderation.queue", _external=True),
        )
    return len(team)


def export_personal_data(user) -> dict:
    reports = db.session.scalars(sa.select(Report).where(Report.reporter_id == user.id))
    blocks = db.session.scalars(sa.select(Block).where(Block.user_id == user.id))
    return {
        "reports": [
            {
                "kind": r.kind,
                "item_id": r.item_id,
                "reason": r.reason,
                "created_at": r.created_at.isoformat(),
            }
            for r in reports
        ],
        "blocks": [{"reason": b.reason, "until": b.until.isoformat()} for b in blocks],
    }


def erase_personal_data(user) -> None:
    # Reports stay counted; the reporter is forgotten. Fingerprints hold the author's texts.
    db.session.execute(
        sa.update(Report).where(Report.reporter_id == user.id).values(reporter_id=None, detail="")
    )
    db.session.execute(
        sa.update(Fingerprint).where(Fingerprint.author_id == user.id).values(author_id=None)
    )
