"""In-app notifications and the e-mail outbox.

E-mails are stored first, then delivered by a job: through SMTP when CIVIC_MAIL_SERVER is
set, otherwise kept in the outbox where administrators read them. None is silently lost.
"""

import logging
import smtplib
import sys
from datetime import datetime
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

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

    user = db.relationship("User", foreign_keys=[user_id])


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
    is the (kind, id) of the item it quotes, if any."""
    address = to_address or user.email
    if not address:
        return None  # erased account
    with force_locale(user.locale or "fr"):
        body = render_template(f"email/{template}.txt", user=user, **context)
        subject = str(subject)
    kind, item_id = about or (None, None)
    mail = OutboxEmail(
        user_id=user.id,
        to_address=address,
        subject=subject,
        body=body,
        about_kind=kind,
        about_id=item_id,
    )
    db.session.add(mail)
    db.session.flush()
    if current_app.config["CIVIC_MAIL_ECHO"]:
        echo(mail)
    jobs.enqueue("civic.core.notify.deliver", mail.id)
    return mail


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
    message = EmailMessage()
    message["From"] = config["CIVIC_MAIL_SENDER"]
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
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


def release_withheld(kind: str, item_id: int) -> int:
    """An item restored by moderation: the e-mails held back while it was hidden leave now."""
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
    return len(mails)


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
