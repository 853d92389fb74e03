"""In-app notifications and the e-mail outbox.

E-mails are stored first, then delivered by a job: through SMTP when CIVIC_MAIL_SERVER is
set, otherwise kept in the outbox where administrators read them. None is silently lost.

Notification e-mails (those with a `kind`) are not sent one per event: each becomes a pending
item, and a person's items are sent together, as one e-mail, when the transaction that made
them commits (immediate), or in the daily or weekly digest, as that person chose for the kind.
Every such e-mail carries a one-click unsubscribe link (RFC 8058) for its kind.
"""

import logging
import smtplib
import sys
from datetime import datetime
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale, ngettext
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from civic.core import jobs, visibility
from civic.core.models import TimestampMixin, UTCDateTime, utcnow
from civic.extensions import db

log = logging.getLogger(__name__)


# What a channel says instead of the text of an item hidden since.
WITHDRAWN = _l("Ce contenu n'est plus visible : il a été retiré ou masqué.")


class Notification(TimestampMixin, db.Model):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(sa.Text)
    link: Mapped[str] = mapped_column(sa.String(500), default="")
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The item the message quotes, if any: shown only while the item is (core.visibility).
    about_kind: Mapped[str | None] = mapped_column(sa.String(20))
    about_id: Mapped[int | None]

    def text_for(self, reader) -> str:
        if visibility.is_visible(self.about_kind, self.about_id, reader):
            return self.message
        return str(WITHDRAWN)


class OutboxEmail(TimestampMixin, db.Model):
    __tablename__ = "outbox_email"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Kept so that erasing an account erases its mail too.
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    to_address: Mapped[str] = mapped_column(sa.String(320))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    # As for notifications: an e-mail quoting an item hidden before it left is not sent.
    about_kind: Mapped[str | None] = mapped_column(sa.String(20))
    about_id: Mapped[int | None]
    # The one-click unsubscribe address (RFC 8058) of a notification e-mail.
    unsubscribe_url: Mapped[str] = mapped_column(sa.String(500), default="")

    user = db.relationship("User", foreign_keys=[user_id])


# The kinds of notification e-mails a person chooses the rhythm of, in the order shown.
KINDS = {
    "follow": _l("Nouveautés des concertations que je suis"),
    "answers": _l("Réponses et décisions sur mes contributions"),
    "workshops": _l("Comptes rendus de mes ateliers"),
    "moderation": _l("Décisions de modération sur mes contributions"),
    "moderators": _l("File de modération (pour les modérateurs)"),
}
FREQUENCIES = {
    "immediate": _l("Tout de suite"),
    "daily": _l("Un résumé par jour"),
    "weekly": _l("Un résumé par semaine, le lundi"),
    "never": _l("Jamais par e-mail (sur le site seulement)"),
}
ALL_KINDS = "all"


class MailPreference(db.Model):
    """How often a person wants the e-mails of one kind; no row: immediately."""

    __tablename__ = "mail_preference"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    frequency: Mapped[str] = mapped_column(sa.String(10))


class MailItem(TimestampMixin, db.Model):
    """One piece of news waiting to go out in a person's next e-mail of its rhythm."""

    __tablename__ = "mail_item"
    __table_args__ = (sa.Index("ix_mail_item_waiting", "user_id", "mailed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    frequency: Mapped[str] = mapped_column(sa.String(10))
    # What the news is about (a consultation, a workshop...): news about one topic is listed
    # together under its title.
    topic: Mapped[str] = mapped_column(sa.String(60), default="")
    topic_title: Mapped[str] = mapped_column(sa.String(300), default="")
    subject: Mapped[str] = mapped_column(sa.String(300))
    line: Mapped[str] = mapped_column(sa.Text)  # the news in one sentence
    link: Mapped[str] = mapped_column(sa.String(500), default="")
    body: Mapped[str] = mapped_column(sa.Text)  # the whole message, when it goes alone
    about_kind: Mapped[str | None] = mapped_column(sa.String(20))
    about_id: Mapped[int | None]
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The e-mail that carries it: asked again, with every other item, before it leaves.
    outbox_email_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_email.id", ondelete="SET NULL"), index=True
    )


WITHHELD = "withheld: the item it quotes is no longer visible"
SUPERSEDED = "superseded: moderation corrected the text it quotes"


def notify(user, message: str, link: str = "", about: tuple[str, int] | None = None):
    """Store a notification, written in the recipient's language; `about` is the (kind, id)
    of the item it quotes, if any."""
    with force_locale(user.locale or "fr"):
        message = str(message)
    kind, item_id = about or (None, None)
    item = Notification(
        user_id=user.id, message=message, link=link, about_kind=kind, about_id=item_id
    )
    db.session.add(item)
    return item


def send_email(
    user,
    subject: str,
    template: str,
    to_address: str | None = None,
    about: tuple[str, int] | None = None,
    **context,
) -> OutboxEmail | None:
    """Queue an e-mail rendered in the recipient's language from templates/email/; `about`
    is the (kind, id) of the item it quotes, if any. For messages the person asked for
    (confirmations, invitations); news goes through `send_news`."""
    address = to_address or user.email
    if not address:
        return None  # erased account
    with force_locale(user.locale or "fr"):
        body = render_template(f"email/{template}.txt", user=user, **context)
        subject = str(subject)
    return _queue(user.id, address, subject, body, about)


def _queue(
    user_id, address, subject, body, about=None, unsubscribe_url="", items=()
) -> OutboxEmail:
    kind, item_id = about or (None, None)
    mail = OutboxEmail(
        user_id=user_id,
        to_address=address,
        subject=subject,
        body=body,
        about_kind=kind,
        about_id=item_id,
        unsubscribe_url=unsubscribe_url,
    )
    db.session.add(mail)
    db.session.flush()
    for item in items:
        item.outbox_email_id = mail.id
    if current_app.config["CIVIC_MAIL_ECHO"]:
        echo(mail)
    jobs.enqueue("civic.core.notify.deliver", mail.id)
    return mail


# --- news: grouped, at the rhythm each person chose ----------------------------------------


def frequency_of(user, kind: str) -> str:
    chosen = db.session.scalar(
        sa.select(MailPreference.frequency).where(
            MailPreference.user_id == user.id, MailPreference.kind == kind
        )
    )
    return chosen or "immediate"


def preferences(user) -> dict[str, str]:
    rows = db.session.execute(
        sa.select(MailPreference.kind, MailPreference.frequency).where(
            MailPreference.user_id == user.id
        )
    )
    chosen = dict(rows.all())
    return {kind: chosen.get(kind, "immediate") for kind in KINDS}


def set_preferences(user, choices: dict[str, str]) -> None:
    """Store the rhythm chosen for each kind (unknown kinds and rhythms are refused)."""
    for kind, frequency in choices.items():
        if kind not in KINDS or frequency not in FREQUENCIES:
            raise ValueError(kind)
        row = db.session.scalar(
            sa.select(MailPreference).where(
                MailPreference.user_id == user.id, MailPreference.kind == kind
            )
        )
        if row is None:
            row = MailPreference(user_id=user.id, kind=kind)
            db.session.add(row)
        row.frequency = frequency
    db.session.flush()


def send_news(
    user,
    kind: str,
    subject,
    line,
    template: str,
    topic: tuple[str, str] = ("", ""),
    link: str = "",
    about: tuple[str, int] | None = None,
    actor=None,
    frequency: str | None = None,
    **context,
) -> MailItem | None:
    """One piece of news for a person, by e-mail at the rhythm they chose for its kind.
    `line` says it in one sentence (it stands for it among other news), `template` writes it
    out when it goes alone, `topic` is (key, title) of what it is about; the person who did
    the thing (`actor`) is not told of it. `frequency` overrides the person's choice (a
    consultation followed with a daily summary)."""
    if kind not in KINDS:
        raise ValueError(kind)
    if not user.email or (actor is not None and actor.id == user.id):
        return None
    frequency = frequency or frequency_of(user, kind)
    if frequency == "never":
        return None
    with force_locale(user.locale or "fr"):
        body = render_template(f"email/{template}.txt", user=user, **context)
        subject, line, title = str(subject), str(line), str(topic[1])
    about_kind, about_id = about or (None, None)
    item = MailItem(
        user_id=user.id,
        kind=kind,
        frequency=frequency,
        topic=topic[0][:60],
        topic_title=title[:300],
        subject=subject[:300],
        line=line,
        link=link[:500],
        body=body,
        about_kind=about_kind,
        about_id=about_id,
    )
    db.session.add(item)
    if frequency == "immediate":
        db.session.info.setdefault("civic_news_for", set()).add(user.id)
    return item


def unsubscribe_token(user_id: int, kind: str) -> str:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe").dumps(
        [user_id, kind]
    )


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        user_id, kind = URLSafeSerializer(
            current_app.config["SECRET_KEY"], salt="unsubscribe"
        ).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or (kind not in KINDS and kind != ALL_KINDS):
        return None
    return user_id, kind


def unsubscribe(user, kind: str) -> None:
    set_preferences(user, dict.fromkeys(KINDS if kind == ALL_KINDS else [kind], "never"))


def send_waiting_news(user, frequencies: tuple[str, ...]) -> OutboxEmail | None:
    """One e-mail with all the person's waiting news of these rhythms; news whose item was
    hidden since is left out, as on the pages."""
    items = list(
        db.session.scalars(
            sa.select(MailItem)
            .where(
                MailItem.user_id == user.id,
                MailItem.mailed_at.is_(None),
                MailItem.frequency.in_(frequencies),
            )
            .order_by(MailItem.id)
        )
    )
    now = utcnow()
    for item in items:
        item.mailed_at = now
    items = [i for i in items if visibility.is_visible(i.about_kind, i.about_id, user)]
    if not items or not user.email:
        return None
    kinds = {i.kind for i in items}
    token = unsubscribe_token(user.id, kinds.pop() if len(kinds) == 1 else ALL_KINDS)
    unsubscribe_url = url_for("accounts.unsubscribe", token=token, _external=True)
    with force_locale(user.locale or "fr"):
        footer = render_template(
            "email/_news_footer.txt",
            unsubscribe_url=unsubscribe_url,
            preferences_url=url_for("accounts.mail_preferences", _external=True),
        )
        digest = items[0].frequency != "immediate"
        if len(items) == 1 and not digest:
            subject, body = items[0].subject, items[0].body
        else:
            topics: dict[str, tuple[str, list[MailItem]]] = {}
            for item in items:
                topics.setdefault(item.topic, (item.topic_title, []))[1].append(item)
            if not digest:
                subject = ngettext(
                    "%(num)d nouvelle sur Civic", "%(num)d nouvelles sur Civic", len(items)
                )
            elif frequencies == ("daily",):
                subject = ngettext(
                    "Résumé du jour : %(num)d nouvelle",
                    "Résumé du jour : %(num)d nouvelles",
                    len(items),
                )
            else:
                subject = ngettext(
                    "Résumé : %(num)d nouvelle", "Résumé : %(num)d nouvelles", len(items)
                )
            body = render_template(
                "email/news.txt", user=user, topics=list(topics.values()), digest=digest
            )
    about = (items[0].about_kind, items[0].about_id) if len(items) == 1 else None
    return _queue(
        user.id,
        user.email,
        subject,
        body.rstrip() + "\n\n" + footer,
        about,
        unsubscribe_url,
        items,
    )


def send_digests(now: datetime | None = None) -> int:
    """The daily digests, and on Mondays the weekly ones too (run once a day)."""
    from civic.accounts.models import User

    now = now or utcnow()
    frequencies = ("daily", "weekly") if now.weekday() == 0 else ("daily",)
    waiting = db.session.scalars(
        sa.select(User).where(
            User.id.in_(
                sa.select(MailItem.user_id).where(
                    MailItem.mailed_at.is_(None), MailItem.frequency.in_(frequencies)
                )
            )
        )
    )
    sent = sum(1 for user in waiting if send_waiting_news(user, frequencies) is not None)
    db.session.flush()
    return sent


@event.listens_for(Session, "before_commit")
def _send_immediate_news(session):
    """All the immediate news made in one transaction leaves as one e-mail per person."""
    waiting = session.info.pop("civic_news_for", None)
    if not waiting:
        return
    if not has_request_context():
        # A command that commits after leaving its request context: the links need one.
        with jobs.site_request_context():
            _send_immediate(session, waiting)
    else:
        _send_immediate(session, waiting)


def _send_immediate(session, user_ids) -> None:
    from civic.accounts.models import User

    for user_id in sorted(user_ids):
        user = session.get(User, user_id)
        if user is not None and user.deleted_at is None:
            send_waiting_news(user, ("immediate",))


@event.listens_for(Session, "after_rollback")
def _drop_news(session):
    session.info.pop("civic_news_for", None)


def echo(mail: OutboxEmail) -> None:
    """Print an e-mail, links included, on the console that serves the site (development)."""
    rule = "=" * 72
    print(
        f"\n{rule}\nCourriel à {mail.to_address} : {mail.subject}\n{rule}\n{mail.body}\n{rule}",
        file=sys.stderr,
        flush=True,
    )


def deliver(mail_id: int) -> bool:
    """Job: send one outbox e-mail by SMTP, or keep it when no server is configured."""
    mail = db.session.get(OutboxEmail, mail_id)
    config = current_app.config
    if mail is None or mail.sent_at is not None or not config["CIVIC_MAIL_SERVER"]:
        return False
    if mail.last_error == SUPERSEDED:
        return False
    if not visibility.is_visible(mail.about_kind, mail.about_id, mail.user):
        mail.last_error = WITHHELD
        return False
    items = db.session.scalars(sa.select(MailItem).where(MailItem.outbox_email_id == mail.id)).all()
    hidden = [i for i in items if not visibility.is_visible(i.about_kind, i.about_id, mail.user)]
    if hidden:
        # News hidden since it was grouped: this e-mail stays; the rest goes in a new one.
        mail.last_error = WITHHELD
        _regroup(mail, [i for i in items if i not in hidden])
        return False
    message = EmailMessage()
    message["From"] = config["CIVIC_MAIL_SENDER"]
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    if mail.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.body)
    mail.attempts += 1
    try:
        with smtplib.SMTP(
            config["CIVIC_MAIL_SERVER"], config["CIVIC_MAIL_PORT"], timeout=20
        ) as smtp:
            if config["CIVIC_MAIL_STARTTLS"]:
                smtp.starttls()
            if config["CIVIC_MAIL_USERNAME"]:
                smtp.login(config["CIVIC_MAIL_USERNAME"], config["CIVIC_MAIL_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        mail.last_error = type(error).__name__
        log.warning("e-mail %s not sent: %s", mail.id, type(error).__name__)
        return False
    mail.sent_at = utcnow()
    return True


def pending_ids() -> list[int]:
    return list(
        db.session.scalars(
            sa.select(OutboxEmail.id).where(
                OutboxEmail.sent_at.is_(None),
                OutboxEmail.last_error.not_in((WITHHELD, SUPERSEDED)),
            )
        )
    )


def _regroup(mail: OutboxEmail, items: list[MailItem]) -> None:
    """Send these items again, without the e-mail that carried them."""
    for item in items:
        item.outbox_email_id, item.mailed_at = None, None
    if items and mail.user is not None:
        send_waiting_news(mail.user, tuple({i.frequency for i in items}))


def _news_mails(kind: str, item_id: int, **where) -> list[tuple[OutboxEmail, MailItem]]:
    """Unsent e-mails that group news about this item, with that news."""
    return db.session.execute(
        sa.select(OutboxEmail, MailItem)
        .join(MailItem, MailItem.outbox_email_id == OutboxEmail.id)
        .where(
            MailItem.about_kind == kind,
            MailItem.about_id == item_id,
            OutboxEmail.sent_at.is_(None),
            *(getattr(OutboxEmail, k) == v for k, v in where.items()),
        )
    ).all()


def release_withheld(kind: str, item_id: int) -> int:
    """An item restored by moderation: the e-mails held back while it was hidden leave now,
    and news about it held back from a grouped e-mail goes out again."""
    mails = db.session.scalars(
        sa.select(OutboxEmail).where(
            OutboxEmail.about_kind == kind,
            OutboxEmail.about_id == item_id,
            OutboxEmail.sent_at.is_(None),
            OutboxEmail.last_error == WITHHELD,
        )
    ).all()
    for mail in mails:
        mail.last_error = ""
        jobs.enqueue("civic.core.notify.deliver", mail.id)
    held = _news_mails(kind, item_id, last_error=WITHHELD)
    for mail, item in held:
        _regroup(mail, [item])
    return len(mails) + len(held)


def forget_quoted_text(kind: str, item_id: int) -> None:
    """An item whose text moderation corrected (personal data edited out): what quoted the
    former text is never shown or sent again."""
    db.session.execute(
        sa.update(Notification)
        .where(Notification.about_kind == kind, Notification.about_id == item_id)
        .values(message=str(_l("Ce contenu a été corrigé par la modération.")))
    )
    db.session.execute(
        sa.update(OutboxEmail)
        .where(
            OutboxEmail.about_kind == kind,
            OutboxEmail.about_id == item_id,
            OutboxEmail.sent_at.is_(None),
        )
        .values(last_error=SUPERSEDED)
    )
    # Grouped news: the e-mail that quotes the former text goes, the other news in it leaves
    # again without it; news not yet grouped is dropped.
    for mail, item in _news_mails(kind, item_id):
        mail.last_error = SUPERSEDED
        others = db.session.scalars(
            sa.select(MailItem).where(MailItem.outbox_email_id == mail.id, MailItem.id != item.id)
        ).all()
        db.session.delete(item)
        _regroup(mail, list(others))
    db.session.execute(
        sa.delete(MailItem).where(
            MailItem.about_kind == kind, MailItem.about_id == item_id, MailItem.mailed_at.is_(None)
        )
    )
