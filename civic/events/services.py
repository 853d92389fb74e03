"""Every change of state in the agenda. Functions flush, never commit.

Seats: `Event.seats_taken` counts the confirmed registrations and changes only through
conditional UPDATEs ("take a seat if one is left"), which the database runs one at a time on
the event's row; its CHECK constraints forbid a count below zero or past the capacity. A
cancellation frees the seat and gives it to the first on the waiting list in the same
transaction, so that a newcomer never overtakes the queue.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from civic.core import uploads
from civic.core.models import audit, utcnow
from civic.core.notify import send_email
from civic.core.sanitize import clean_html
from civic.core.validators import PARIS
from civic.events.models import (
    Event,
    EventContribution,
    EventDocument,
    EventOccurrence,
    Kind,
    Registration,
    RegistrationStatus,
    Status,
)
from civic.events.permissions import in_scope
from civic.extensions import db

EVENT_FIELDS = (
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "commune_id",
    "place_name",
    "address",
    "accessibility",
    "online_url",
    "organiser_commune_id",
    "consultation_id",
    "phase_id",
    "registration",
    "capacity",
    "recurrence",
    "recurrence_until",
    "exceptions",
)
# Changes a subscribed calendar must take in (iCalendar SEQUENCE).
CALENDAR_FIELDS = {
    "title",
    "description",
    "starts_at",
    "ends_at",
    "place_name",
    "address",
    "recurrence",
    "recurrence_until",
    "exceptions",
}
REMINDER_HORIZON = timedelta(hours=36)


class EventError(Exception):
    """A refused change, with a message for the person who asked."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- events ---------------------------------------------------------------------------------


def _check_recurrence(fields: dict) -> None:
    """A series: bounded, within a day, without registration, its exceptions its own days."""
    from civic.events.recurrence import LONGEST, Repeat, Rule, occurrences

    fields.setdefault("recurrence", "")
    fields.setdefault("recurrence_until", None)
    exceptions = sorted(set(fields.pop("exception_days", None) or []))
    fields["exceptions"] = [d.isoformat() for d in exceptions]
    if not fields["recurrence"]:
        fields["recurrence_until"] = None
        fields["exceptions"] = []
        return
    if fields["recurrence"] not in set(Repeat):
        raise EventError(_l("Choisissez une répétition de la liste."))
    until = fields["recurrence_until"]
    first = fields["starts_at"].astimezone(PARIS).date()
    if until is None or until < first:
        raise EventError(_l("Indiquez le dernier jour de la série, après le premier."))
    if until > first + LONGEST:
        raise EventError(_l("Une série dure au plus deux ans : créez-en une autre ensuite."))
    if fields["ends_at"] - fields["starts_at"] > timedelta(hours=24):
        raise EventError(_l("Chaque date d'une série dure au plus une journée."))
    if fields["registration"]:
        raise EventError(
            _l("Un événement répété se tient sans inscription : décochez l'inscription.")
        )
    rule = Rule(
        Repeat(fields["recurrence"]), fields["starts_at"], fields["ends_at"], until, frozenset()
    )
    days = {start.astimezone(PARIS).date() for start, _end in occurrences(rule)}
    strangers = [d for d in exceptions if d not in days]
    if strangers:
        raise EventError(
            _l(
                "Ces dates ne sont pas des jours de la série : %(days)s.",
                days=", ".join(d.strftime("%d/%m/%Y") for d in strangers),
            )
        )
    if len(days) == len(exceptions):
        raise EventError(_l("Toutes les dates de la série sont exclues."))


def _write_occurrences(event: Event) -> None:
    """The dated occurrences the agenda lists, written again from the rule."""
    from civic.events.recurrence import occurrences

    db.session.execute(sa.delete(EventOccurrence).where(EventOccurrence.event_id == event.id))
    rule = event.rule
    if rule is not None:
        db.session.add_all(
            EventOccurrence(event_id=event.id, starts_at=start, ends_at=end)
            for start, end in occurrences(rule)
        )


def save_event(actor, event: Event | None, **fields) -> Event:
    if not in_scope(actor, fields["organiser_commune_id"]) and (
        event is None or event.organiser_commune_id != fields["organiser_commune_id"]
    ):
        raise EventError(_l("Vous ne pouvez pas publier au nom de cet organisateur."))
    if fields["ends_at"] <= fields["starts_at"]:
        raise EventError(_l("La fin doit venir après le début."))
    if fields["kind"] == Kind.ONLINE and not fields["online_url"]:
        raise EventError(_l("Une réunion en ligne a besoin de son lien."))
    _check_recurrence(fields)
    if not fields["registration"]:
        fields["capacity"] = None
    if (
        event is not None
        and fields["capacity"] is not None
        and fields["capacity"] < event.seats_taken
    ):
        raise EventError(
            _l(
                "%(n)s personnes ont déjà une place : la capacité ne peut pas descendre "
                "en dessous.",
                n=event.seats_taken,
            )
        )
    if event is None:
        event = Event(
            created_by_id=actor.id if actor else None, status=Status.DRAFT.value, sequence=0
        )
        db.session.add(event)
        changed = True
    else:
        changed = any(getattr(event, name) != fields[name] for name in CALENDAR_FIELDS)
    for name in EVENT_FIELDS:
        value = fields[name]
        setattr(event, name, value.strip() if isinstance(value, str) else value)
    if changed and event.is_public:
        event.sequence += 1
    event.updated_at = utcnow()
    db.session.flush()
    _write_occurrences(event)
    audit(actor, "event.saved", "event", event.id)
    # A larger room: the waiting list moves up.
    promote_waiting(event)
    return event


def publish(actor, event: Event) -> None:
    if event.status == Status.CANCELLED:
        raise EventError(_l("Un événement annulé ne se republie pas : créez-en un autre."))
    event.status = Status.PUBLISHED.value
    event.published_at = event.published_at or utcnow()
    event.updated_at = utcnow()
    audit(actor, "event.published", "event", event.id)


def cancel(actor, event: Event, reason: str) -> int:
    """Cancel (never delete) and tell everyone registered; returns how many were told."""
    if event.status != Status.PUBLISHED:
        raise EventError(_l("Seul un événement publié peut être annulé."))
    event.status = Status.CANCELLED.value
    event.cancelled_at = utcnow()
    event.cancel_reason = reason.strip()
    event.sequence += 1
    event.updated_at = utcnow()
    audit(actor, "event.cancelled", "event", event.id, reason=reason)
    told = 0
    for registration in db.session.scalars(
        sa.select(Registration).where(
            Registration.event_id == event.id,
            Registration.status != RegistrationStatus.CANCELLED.value,
        )
    ):
        _mail(
            registration,
            _l("Annulé : %(title)s", title=event.title),
            "event_cancelled",
            event=event,
        )
        told += 1
    return told


def _checked(check, data: bytes):
    try:
        return check(data)
    except uploads.UploadError as error:
        raise EventError(str(error)) from error


def set_cover(actor, event: Event, data: bytes, alt: str) -> str | None:
    """The checks of every cover image (core.uploads); the text alternative is required.
    Returns the replaced file, for the caller to remove once the change is committed."""
    image = _checked(uploads.check_image, data)
    if not alt.strip():
        raise EventError(_l("Décrivez l'image en quelques mots (texte alternatif)."))
    old = event.cover_filename
    event.cover_filename = uploads.store(data, image)
    event.cover_alt = alt.strip()
    event.updated_at = utcnow()
    audit(actor, "event.cover_set", "event", event.id)
    return old


def remove_cover(actor, event: Event) -> str | None:
    """Returns the file, for the caller to remove once the change is committed."""
    old = event.cover_filename
    event.cover_filename = None
    event.cover_alt = ""
    event.updated_at = utcnow()
    audit(actor, "event.cover_removed", "event", event.id)
    return old


def add_document(actor, event: Event, title: str, data: bytes) -> EventDocument:
    found = _checked(uploads.check_document, data)
    document = EventDocument(
        title=title.strip(),
        stored_name=uploads.store(data, found),
        suffix=found.suffix,
        size=len(data),
    )
    event.documents.append(document)
    db.session.flush()
    audit(actor, "event.document_added", "event", event.id, title=document.title)
    return document


def remove_document(actor, document: EventDocument) -> str:
    """Returns the file, for the caller to remove once the change is committed."""
    event = document.event
    event.documents.remove(document)
    db.session.flush()
    audit(actor, "event.document_removed", "event", event.id, title=document.title)
    return document.stored_name


def enter_contribution(
    agent, event: Event, *, title: str, body: str, theme: str, commune_id: int | None
):
    """A contribution written on paper at the meeting, typed by an agent: a proposal of the
    event's consultation through the consultations' own entry (moderation, analysis and
    answers take it in), its channel the meeting, linked to the event for its report."""
    from civic.consultations import services as consultations
    from civic.consultations.models import Channel

    consultation = event.consultation
    if consultation is None or not consultation.is_published:
        raise EventError(_l("Liez d'abord l'événement à une concertation publiée."))
    if event.status != Status.PUBLISHED or event.starts_at > utcnow():
        raise EventError(_l("Les contributions se saisissent une fois la réunion commencée."))
    place = ", ".join(p for p in (event.title, event.commune.name if event.commune else "") if p)
    proposal = consultations.enter_contribution(
        agent,
        consultation,
        title=title,
        body=body,
        theme=theme,
        commune_id=commune_id,
        channel=Channel.MEETING.value,
        place=place[:120],
    )
    db.session.add(EventContribution(event_id=event.id, proposal_id=proposal.id))
    db.session.flush()
    return proposal


def save_report(actor, event: Event, html: str, publish_it: bool) -> None:
    event.report_html = clean_html(html)
    if publish_it and event.report_published_at is None:
        event.report_published_at = utcnow()
    if not publish_it:
        event.report_published_at = None
    audit(actor, "event.report_saved", "event", event.id)


def record_attendance(actor, event: Event, present: set[int]) -> None:
    for registration in db.session.scalars(
        sa.select(Registration).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED.value,
        )
    ):
        registration.attended = registration.id in present
    audit(actor, "event.attendance", "event", event.id, present=len(present))


# --- registration ---------------------------------------------------------------------------


@dataclass
class Registered:
    registration: Registration
    token: str  # the secret of the e-mailed link (only known now)
    new: bool


def register(
    event: Event,
    *,
    name: str,
    email: str,
    user=None,
    commune_id: int | None = None,
    locale: str = "fr",
    entered_by=None,
    channel: str = "online",
) -> Registered:
    """Register someone. With a confirmed account, or entered by an agent, the seat (or the
    place in the queue) is taken at once; otherwise an e-mail asks to confirm the address."""
    if not event.registration_is_open():
        raise EventError(_l("Les inscriptions à cet événement sont closes."))
    email = email.strip().lower()
    token = secrets.token_urlsafe(24)
    trusted = entered_by is not None or (
        user is not None and user.email_confirmed_at is not None and user.email == email
    )
    existing = _find(event, email)
    new = existing is None or existing.status == RegistrationStatus.CANCELLED
    if existing is None:
        registration = Registration(
            event_id=event.id,
            user_id=user.id if user is not None else None,
            name=name.strip(),
            email=email,
            commune_id=commune_id,
            locale=locale,
            token_hash=_hash(token),
            channel=channel,
            entered_by_id=entered_by.id if entered_by is not None else None,
        )
        try:
            with db.session.begin_nested():
                db.session.add(registration)
        except IntegrityError:
            # The same person registered at the same moment from another request.
            registration = _find(event, email)
            registration.token_hash = _hash(token)
            new = False
    else:
        registration = existing
        registration.token_hash = _hash(token)
        if new:
            registration.status = RegistrationStatus.PENDING.value
            registration.name = name.strip() or registration.name
            registration.cancelled_at = None
            registration.queued_at = None
            registration.attended = None
            registration.commune_id = commune_id
            if user is not None:
                registration.user_id = user.id
    event_link = url_for("events.show", event_id=event.id, _external=True)
    link = url_for("events.registration", token=token, _external=True)
    if trusted and registration.status == RegistrationStatus.PENDING:
        _take_seat(registration)
        _mail(
            registration,
            _status_subject(registration, event),
            "event_registered",
            event=event,
            link=link,
            event_link=event_link,
        )
    elif registration.status == RegistrationStatus.PENDING:
        _mail(
            registration,
            _l("Confirmez votre inscription : %(title)s", title=event.title),
            "event_confirm",
            event=event,
            link=link,
        )
    else:
        # Already registered: the link to one's registration again, nothing else changes.
        _mail(
            registration,
            _status_subject(registration, event),
            "event_registered",
            event=event,
            link=link,
            event_link=event_link,
        )
    db.session.flush()
    return Registered(registration, token, new)


def _status_subject(registration: Registration, event: Event):
    if registration.status == RegistrationStatus.WAITING:
        return _l("Liste d'attente : %(title)s", title=event.title)
    return _l("Inscription confirmée : %(title)s", title=event.title)


def _find(event: Event, email: str) -> Registration | None:
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event.id, Registration.email == email
        )
    )


def by_token(token: str) -> Registration | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(sa.select(Registration).where(Registration.token_hash == _hash(token)))


def _grab_seat(event_id: int) -> bool:
    """One seat, if one is left: decided by the database on the event's row."""
    result = db.session.execute(
        sa.update(Event)
        .where(
            Event.id == event_id,
            sa.or_(Event.capacity.is_(None), Event.seats_taken < Event.capacity),
        )
        .values(seats_taken=Event.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _free_seat(event_id: int) -> None:
    db.session.execute(
        sa.update(Event)
        .where(Event.id == event_id)
        .values(seats_taken=Event.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )


def _refresh_counter(event: Event) -> None:
    db.session.expire(event, ["seats_taken"])


def _take_seat(registration: Registration) -> None:
    registration.queued_at = registration.queued_at or utcnow()
    if _grab_seat(registration.event_id):
        registration.status = RegistrationStatus.CONFIRMED.value
    else:
        registration.status = RegistrationStatus.WAITING.value
    _refresh_counter(registration.event)
    db.session.flush()


def confirm(registration: Registration) -> None:
    """The address is confirmed (the e-mailed link was followed and its button pressed)."""
    if registration.status != RegistrationStatus.PENDING:
        return
    event = registration.event
    if not event.registration_is_open():
        raise EventError(_l("Les inscriptions à cet événement sont closes."))
    _take_seat(registration)


def cancel_registration(registration: Registration, actor=None) -> Registration | None:
    """The person withdraws; a seat they held goes to the first on the waiting list, who is
    told. Returns that person's registration, if any."""
    if registration.status == RegistrationStatus.CANCELLED:
        return None
    held = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED.value
    registration.cancelled_at = utcnow()
    db.session.flush()
    if actor is not None:
        audit(actor, "event.registration_cancelled", "event", registration.event_id)
    if not held:
        return None
    event = registration.event
    _free_seat(event.id)
    _refresh_counter(event)
    promoted = promote_waiting(event)
    return promoted[0] if promoted else None


def promote_waiting(event: Event) -> list[Registration]:
    """Give the free seats to the waiting list, in order, and tell each person."""
    promoted = []
    if event.status != Status.PUBLISHED or not event.registration:
        return promoted
    while True:
        first = db.session.scalar(
            sa.select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.WAITING.value,
            )
            .order_by(Registration.queued_at, Registration.id)
            .limit(1)
            .with_for_update()
        )
        if first is None or not _grab_seat(event.id):
            break
        first.status = RegistrationStatus.CONFIRMED.value
        db.session.flush()
        promoted.append(first)
        _mail(
            first,
            _l("Une place s'est libérée : %(title)s", title=event.title),
            "event_promoted",
            event=event,
            event_link=url_for("events.show", event_id=event.id, _external=True),
        )
    _refresh_counter(event)
    return promoted


def send_reminders(now: datetime | None = None) -> int:
    """Job (daily or hourly): remind the confirmed registrants of events starting within a
    day and a half, once. Returns how many e-mails were queued."""
    from civic.events.queries import due_reminders

    now = now or utcnow()
    sent = 0
    for event in due_reminders(now, REMINDER_HORIZON):
        for registration in db.session.scalars(
            sa.select(Registration).where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.CONFIRMED.value,
                Registration.reminded_at.is_(None),
            )
        ):
            token = secrets.token_urlsafe(24)
            registration.token_hash = _hash(token)
            registration.reminded_at = now
            _mail(
                registration,
                _l("Rappel : %(title)s", title=event.title),
                "event_reminder",
                event=event,
                link=url_for("events.registration", token=token, _external=True),
                event_link=url_for("events.show", event_id=event.id, _external=True),
            )
            sent += 1
        event.reminders_sent_at = now
    return sent


def _mail(registration: Registration, subject, template: str, **context) -> None:
    """E-mail a registrant: through the account when there is one, else to the address."""
    user = registration.user
    if user is None or user.is_deleted:
        user = SimpleNamespace(
            id=None, locale=registration.locale, email=registration.email, is_deleted=False
        )
    send_email(
        user,
        subject,
        template,
        to_address=registration.email,
        registration=registration,
        name=registration.name,
        **context,
    )


# --- personal data --------------------------------------------------------------------------


def export_personal_data(user) -> dict:
    rows = db.session.scalars(sa.select(Registration).where(Registration.user_id == user.id))
    return {
        "registrations": [
            {
                "event": r.event.title,
                "starts_at": r.event.starts_at.isoformat(),
                "name": r.name,
                "email": r.email,
                "status": r.status,
                "attended": r.attended,
            }
            for r in rows
        ]
    }


def erase_personal_data(user) -> None:
    """Registrations go with the account, but a held seat is given to the queue first."""
    for registration in list(
        db.session.scalars(sa.select(Registration).where(Registration.user_id == user.id))
    ):
        if registration.event.starts_at > utcnow():
            cancel_registration(registration)
        db.session.delete(registration)
    db.session.flush()


# --- imports --------------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


IMPORTED_FIELDS = (
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "place_name",
    "address",
    "commune_id",
    "online_url",
    "source_url",
)


def import_events(actor, source: str, rows: list[dict], rejected: list[dict]) -> ImportReport:
    """Create or update the events of a source, keyed by the source's own ids: importing the
    same file twice changes nothing. Imported events are published under the Sicoval's name
    unless a commune organiser is given; a status "cancelled" in the file cancels them."""
    from civic.territory.models import Commune

    report = ImportReport(rejected=list(rejected))
    from civic.events.importer import fold

    communes = list(db.session.scalars(sa.select(Commune)))
    insee = {c.insee: c.id for c in communes}
    names = {fold(c.name): c.id for c in communes}
    for row in rows:
        values = {name: row.get(name, "") for name in IMPORTED_FIELDS}
        values["commune_id"] = insee.get(row.get("insee") or "") or names.get(
            fold(row.get("city") or "")
        )
        values["kind"] = row.get("kind") or Kind.MEETING.value
        event = db.session.scalar(
            sa.select(Event).where(Event.source == source, Event.source_id == row["source_id"])
        )
        cancel_now = bool(row.get("cancelled")) and (
            event is None or event.status == Status.PUBLISHED
        )
        if event is None:
            event = Event(
                source=source,
                source_id=row["source_id"],
                status=Status.PUBLISHED.value,
                published_at=utcnow(),
                sequence=0,
                created_by_id=actor.id if actor else None,
                organiser_commune_id=values["commune_id"],
            )
            db.session.add(event)
            for name, value in values.items():
                setattr(event, name, value)
            report.created += 1
        else:
            changed = {n for n, v in values.items() if getattr(event, n) != v}
            for name in changed:
                setattr(event, name, values[name])
            if changed & CALENDAR_FIELDS:
                event.sequence += 1
            if changed or cancel_now:
                event.updated_at = utcnow()
                report.updated += 1
            else:
                report.unchanged += 1
        if cancel_now:
            event.status = Status.CANCELLED.value
            event.cancelled_at = utcnow()
            event.sequence += 1
        db.session.flush()
    audit(
        actor,
        "event.imported",
        "event_source",
        None,
        source=source,
        created=report.created,
        updated=report.updated,
    )
    return report
