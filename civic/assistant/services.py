"""Every change of state of the assistant: questions logged, requests received, taken, answered,
help pages and training examples; retention, export and erasure. They flush, never commit."""

import secrets
from datetime import timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from civic.accounts.models import User
from civic.assistant.models import (
    AskedQuestion,
    Channel,
    HelpPage,
    ReplyBy,
    Request,
    Status,
    TrainingExample,
)
from civic.consultations.text import slugify
from civic.core.formatting import sort_key
from civic.core.models import audit, utcnow
from civic.core.notify import notify, send_email
from civic.core.permissions import can
from civic.extensions import db
from civic.ratings.models import Service, ServiceResponsibility

# No 0/O, 1/I/L: read out on the phone and typed from a letter without mistakes.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
QUESTION_MAX = 300


def log_question(text: str, intent: str, answered: bool, locale: str) -> AskedQuestion:
    asked = AskedQuestion(
        text=text[:QUESTION_MAX], intent=intent, answered=answered, locale=locale[:5]
    )
    db.session.add(asked)
    db.session.flush()
    return asked


def _reference() -> str:
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        reference = f"{code[:4]}-{code[4:]}"
        if not db.session.scalar(sa.select(Request.id).where(Request.reference == reference)):
            return reference


def create_request(
    *,
    question: str,
    subject: str,
    commune_id: int | None,
    service_type: str,
    name: str,
    email: str,
    phone: str,
    postal_address: str,
    reply_by: str,
    locale: str,
    user=None,
    channel: str = Channel.ONLINE.value,
    entered_by=None,
) -> Request:
    now = utcnow()
    request = Request(
        reference=_reference(),
        question=question,
        subject=subject,
        commune_id=commune_id,
        service_type=service_type,
        user_id=user.id if user is not None and user.is_authenticated else None,
        name=name,
        email=email.lower(),
        phone=phone,
        postal_address=postal_address,
        reply_by=reply_by,
        locale=locale,
        channel=channel,
        entered_by_id=entered_by.id if entered_by is not None else None,
        status=Status.RECEIVED.value,
        due_at=now + timedelta(days=current_app.config["CIVIC_ASSISTANT_TARGET_DAYS"]),
    )
    request.created_at = now
    db.session.add(request)
    db.session.flush()
    if entered_by is not None:
        audit(entered_by, "assistant.request_entered", "assistant_request", request.id)
    if request.email:
        _mail(
            request,
            _l("Votre demande %(reference)s est bien reçue", reference=request.reference),
            "assistant_received",
        )
    tell_handlers(request)
    return request


def tell_handlers(request: Request) -> int:
    """Routing: the agents who answer for this type of service (the responsibilities set in
    the services' directory) are told, within the communes they handle. Returns how many."""
    if not request.service_type:
        return 0
    rows = db.session.execute(
        sa.select(
            ServiceResponsibility.user_id, ServiceResponsibility.service_type, Service.sort_name
        ).outerjoin(Service, Service.id == ServiceResponsibility.service_id)
    ).all()
    key = request.service_type
    wanted = {
        user_id
        for user_id, kind, name in rows
        if key in sort_key(kind or "")[0] or key in (name or "")
    }
    told = 0
    for user in db.session.scalars(sa.select(User).where(User.id.in_(wanted))):
        if can(user, "assistant.handle", request):
            notify(
                user,
                _l(
                    "Nouvelle demande %(reference)s pour votre service.",
                    reference=request.reference,
                ),
                link=url_for("assistant.manage_request", request_id=request.id),
            )
            told += 1
    return told


def _mail(request: Request, subject, template: str) -> None:
    """E-mail the person: through the account when there is one, else to the address."""
    user = request.user
    if user is None or user.is_deleted:
        user = SimpleNamespace(id=None, locale=request.locale, email=request.email)
    send_email(
        user,
        subject,
        template,
        to_address=request.email,
        request=request,
        status_url=url_for("assistant.status", reference=request.reference, _external=True),
    )


def take(actor, request: Request) -> None:
    if request.status == Status.RECEIVED:
        request.status = Status.IN_PROGRESS.value
        request.taken_at = utcnow()
        request.taken_by_id = actor.id
        audit(actor, "assistant.request_taken", "assistant_request", request.id)
        db.session.flush()


def route_to(actor, request: Request, commune_id: int | None, service_type: str) -> None:
    request.commune_id = commune_id
    request.service_type = service_type
    audit(actor, "assistant.request_routed", "assistant_request", request.id)
    db.session.flush()


def answer_request(actor, request: Request, text: str) -> None:
    """Record the answer; it leaves by e-mail when the person asked for it (and gave an
    address), otherwise the agent prints the letter or calls."""
    now = utcnow()
    if request.taken_at is None:
        request.taken_at = now
        request.taken_by_id = actor.id
    request.answer = text
    request.answered_at = now
    request.answered_by_id = actor.id
    request.status = Status.ANSWERED.value
    audit(actor, "assistant.request_answered", "assistant_request", request.id)
    db.session.flush()
    if request.reply_by == ReplyBy.EMAIL and request.email:
        _mail(
            request,
            _l("Réponse à votre demande %(reference)s", reference=request.reference),
            "assistant_answered",
        )


def _unique_slug(title: str) -> str:
    base = slugify(title)[:100] or "aide"
    slug, n = base, 1
    while db.session.scalar(sa.select(HelpPage.id).where(HelpPage.slug == slug)):
        n += 1
        slug = f"{base}-{n}"
    return slug


def save_help_page(
    actor, page: HelpPage | None, *, title: str, body: str, keywords: str, published: bool
) -> HelpPage:
    if page is None:
        page = HelpPage(slug=_unique_slug(title), created_by_id=getattr(actor, "id", None))
        db.session.add(page)
    page.title = title
    page.body = body
    page.keywords = keywords
    page.published = published
    page.updated_at = utcnow()
    db.session.flush()
    audit(actor, "assistant.help_saved", "help_page", page.id)
    return page


def help_page_from_request(actor, request: Request) -> HelpPage:
    """The answer becomes a help page in one step (unpublished: staff remove anything
    personal, then publish); the question, as asked, is its title."""
    page = save_help_page(
        actor,
        None,
        title=request.question[:200],
        body=request.answer,
        keywords="",
        published=False,
    )
    request.help_page_id = page.id
    db.session.flush()
    return page


def add_example(actor, question: AskedQuestion, intent: str) -> TrainingExample:
    example = TrainingExample(question=question.text, intent=intent, created_by_id=actor.id)
    db.session.add(example)
    question.reviewed_at = utcnow()
    db.session.flush()
    audit(actor, "assistant.example_added", "assistant_example", example.id)
    return example


def mark_reviewed(question: AskedQuestion) -> None:
    question.reviewed_at = utcnow()
    db.session.flush()


# --- personal data --------------------------------------------------------------------------


def _erase(request: Request) -> None:
    request.question = ""
    request.answer = ""
    request.name = ""
    request.email = ""
    request.phone = ""
    request.postal_address = ""
    request.user_id = None
    request.erased_at = utcnow()


def erase_request(actor, request: Request) -> None:
    """At the person's demand (by phone, by letter): the request stays as figures only."""
    _erase(request)
    audit(actor, "assistant.request_erased", "assistant_request", request.id)
    db.session.flush()


def apply_retention(now=None) -> tuple[int, int]:
    """Erase the personal data of requests answered long ago, and delete old typed questions.
    Returns (requests erased, questions deleted)."""
    now = now or utcnow()
    config = current_app.config
    limit = now - timedelta(days=config["CIVIC_ASSISTANT_RETENTION_DAYS"])
    erased = 0
    for request in db.session.scalars(
        sa.select(Request).where(Request.erased_at.is_(None), Request.answered_at < limit)
    ):
        _erase(request)
        erased += 1
    deleted = db.session.execute(
        sa.delete(AskedQuestion).where(
            AskedQuestion.created_at
            < now - timedelta(days=config["CIVIC_ASSISTANT_QUESTIONS_DAYS"])
        )
    ).rowcount
    db.session.flush()
    return erased, deleted or 0


def export_personal_data(user) -> dict:
    rows = db.session.scalars(
        sa.select(Request).where(Request.user_id == user.id).order_by(Request.id)
    )
    return {
        "requests": [
            {
                "reference": r.reference,
                "question": r.question,
                "created_at": r.created_at.isoformat(),
                "name": r.name,
                "email": r.email,
                "phone": r.phone,
                "postal_address": r.postal_address,
                "reply_by": r.reply_by,
                "status": r.status,
                "answer": r.answer,
                "answered_at": r.answered_at.isoformat() if r.answered_at else None,
            }
            for r in rows
        ]
    }


def erase_personal_data(user) -> None:
    """The requests stay as figures (subject, dates), without anything that names the person."""
    for request in db.session.scalars(sa.select(Request).where(Request.user_id == user.id)):
        _erase(request)
    db.session.flush()
