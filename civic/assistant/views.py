"""Thin views: load, check, call a service, commit once, render or redirect."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from civic.assistant import answering, queries, services
from civic.assistant.forms import (
    AgentRequestForm,
    AnswerForm,
    ExampleForm,
    HelpPageForm,
    RequestForm,
    RoutingForm,
)
from civic.assistant.models import (
    CHANNEL_LABELS,
    INTENT_LABELS,
    REPLY_LABELS,
    SERVICE_LABELS,
    STATUS_LABELS,
    AskedQuestion,
    HelpPage,
    Request,
)
from civic.core import limits
from civic.core.htmx import redirect_303, render_page_or_block
from civic.core.inputs import strict_int
from civic.core.pagination import page_arg
from civic.core.permissions import can, require
from civic.extensions import db

QUESTION_MAX = services.QUESTION_MAX
LABELS = {
    "intents": INTENT_LABELS,
    "statuses": STATUS_LABELS,
    "channels": CHANNEL_LABELS,
    "replies": REPLY_LABELS,
    "service_labels": SERVICE_LABELS,
}


def _locale() -> str:
    return str(get_locale() or "fr")


# --- asking ----------------------------------------------------------------------------------


# Each question is answered and kept for review: a generous limit, against floods only.
@limits.per_address("CIVIC_ASSISTANT_LIMIT", methods=["GET"])
def ask():
    question = request.args.get("q", "").strip()
    error = None
    result = None
    if len(question) > QUESTION_MAX:
        error = _("Votre question est trop longue : %(max)s caractères au plus.", max=QUESTION_MAX)
    elif question:
        result = answering.answer(question)
        services.log_question(question, result.intent, result.known, _locale())
        db.session.commit()
    return render_page_or_block(
        "assistant/ask.html",
        "exchange",
        question=question,
        result=result,
        error=error,
        max_length=QUESTION_MAX,
        **LABELS,
    )


def help_index():
    return render_template("assistant/help_index.html", pages=queries.help_pages())


def help_page(slug: str):
    page = queries.help_by_slug(slug)
    if page is None or not (page.published or _staff()):
        abort(404)
    return render_template("assistant/help_page.html", page=page)


def _staff() -> bool:
    return can(current_user, "assistant.manage_help")


# --- requests --------------------------------------------------------------------------------


def _commune_choices(form_field) -> None:
    form_field.choices = [(None, _("Je ne sais pas"))] + queries.communes()


def _routing(question: str) -> tuple[str, int | None, str]:
    """The subject and the routing the assistant reads in the question."""
    intent, details = answering.recognise(question)
    commune_id = answering.commune_id_of(details.commune)
    return intent, commune_id, details.service


@limits.per_address("CIVIC_POST_LIMIT")
def new_request():
    form = RequestForm()
    _commune_choices(form.commune_id)
    if request.method == "GET":
        form.question.data = request.args.get("q", "")[:2000]
        if current_user.is_authenticated:
            form.name.data = current_user.display_name
            form.email.data = current_user.email
            form.commune_id.data = current_user.commune_id
        if form.question.data and form.commune_id.data is None:
            form.commune_id.data = _routing(form.question.data)[1]
    if form.validate_on_submit():
        subject, found_commune, service = _routing(form.question.data)
        created = services.create_request(
            question=form.question.data,
            subject=subject,
            commune_id=found_commune if form.commune_id.data is None else form.commune_id.data,
            service_type=service,
            name=form.name.data,
            email=form.email.data or "",
            phone=form.phone.data,
            postal_address=form.postal_address.data,
            reply_by=form.reply_by.data,
            locale=_locale(),
            user=current_user,
        )
        db.session.commit()
        flash(
            _(
                "Votre demande est enregistrée sous le numéro %(reference)s.",
                reference=created.reference,
            ),
            "success",
        )
        return redirect_303("assistant.status", reference=created.reference)
    return render_template("assistant/request_form.html", form=form, **LABELS)


def find_request():
    reference = request.args.get("reference", "").strip().upper()
    if reference:
        if queries.by_reference(reference[:12]) is not None:
            return redirect(url_for("assistant.status", reference=reference[:12]), code=303)
        flash(
            _("Aucune demande ne porte le numéro %(reference)s.", reference=reference[:12]), "error"
        )
    return render_template("assistant/find.html", reference=reference[:12])


def status(reference: str):
    found = queries.by_reference(reference)
    if found is None:
        abort(404)
    return render_template("assistant/status.html", item=found, **LABELS)


# --- agents ----------------------------------------------------------------------------------


def _request_or_404(request_id: int) -> Request:
    item = db.session.get(Request, request_id)
    if item is None:
        abort(404)
    require("assistant.handle", item)
    return item


def manage_requests():
    status_arg = request.args.get("statut", "")
    subject = request.args.get("sujet", "")
    if status_arg and status_arg not in STATUS_LABELS or subject and subject not in INTENT_LABELS:
        abort(404)
    page = queries.requests(current_user, page_arg(), status_arg, subject)
    return render_template(
        "assistant/manage/requests.html",
        page=page,
        status=status_arg,
        subject=subject,
        figures=queries.figures(),
        subjects=queries.subjects(current_user),
        **LABELS,
    )


def enter_request():
    form = AgentRequestForm()
    _commune_choices(form.commune_id)
    if form.validate_on_submit():
        created = services.create_request(
            question=form.question.data,
            subject=form.subject.data,
            commune_id=form.commune_id.data,
            service_type=form.service_type.data,
            name=form.name.data,
            email=form.email.data or "",
            phone=form.phone.data,
            postal_address=form.postal_address.data,
            reply_by=form.reply_by.data,
            locale="fr",
            channel=form.channel.data,
            entered_by=current_user,
        )
        db.session.commit()
        flash(
            _(
                "Demande enregistrée : numéro %(reference)s, à donner à la personne.",
                reference=created.reference,
            ),
            "success",
        )
        return redirect_303("assistant.manage_request", request_id=created.id)
    return render_template("assistant/manage/enter.html", form=form, **LABELS)


def manage_request(request_id: int):
    item = _request_or_404(request_id)
    routing = RoutingForm(obj=item)
    _commune_choices(routing.commune_id)
    return render_template(
        "assistant/manage/request.html",
        item=item,
        routing=routing,
        form=AnswerForm(obj=item),
        **LABELS,
    )


def take_request(request_id: int):
    item = _request_or_404(request_id)
    services.take(current_user, item)
    db.session.commit()
    return redirect_303("assistant.manage_request", request_id=item.id)


def route_request(request_id: int):
    item = _request_or_404(request_id)
    form = RoutingForm()
    _commune_choices(form.commune_id)
    if form.validate_on_submit():
        services.route_to(current_user, item, form.commune_id.data, form.service_type.data)
        db.session.commit()
        flash(_("Orientation enregistrée."), "success")
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
    return redirect_303("assistant.manage_request", request_id=item.id)


def answer_request(request_id: int):
    item = _request_or_404(request_id)
    form = AnswerForm()
    if item.erased_at is not None:
        abort(409)
    if form.validate_on_submit():
        services.answer_request(current_user, item, form.answer.data)
        db.session.commit()
        flash(_("Réponse enregistrée."), "success")
        return redirect_303("assistant.manage_request", request_id=item.id)
    routing = RoutingForm(obj=item)
    _commune_choices(routing.commune_id)
    return (
        render_template(
            "assistant/manage/request.html", item=item, routing=routing, form=form, **LABELS
        ),
        422,
    )


def erase_request(request_id: int):
    item = _request_or_404(request_id)
    services.erase_request(current_user, item)
    db.session.commit()
    flash(_("Les données personnelles de la demande sont effacées."), "success")
    return redirect_303("assistant.manage_request", request_id=item.id)


def letter(request_id: int):
    item = _request_or_404(request_id)
    if not item.is_answered or item.erased_at is not None:
        abort(404)
    with force_locale(item.locale):  # the person's language, not the agent's
        return render_template("assistant/manage/letter.html", item=item)


def reuse_answer(request_id: int):
    item = _request_or_404(request_id)
    require("assistant.manage_help")
    if not item.is_answered or not item.answer:
        abort(409)
    page = item.help_page or services.help_page_from_request(current_user, item)
    db.session.commit()
    flash(_("Page d'aide créée, non publiée : relisez-la, puis publiez-la."), "success")
    return redirect_303("assistant.edit_help", page_id=page.id)


# --- learning from what is asked --------------------------------------------------------------


def review():
    return render_template(
        "assistant/manage/review.html",
        page=queries.not_understood(page_arg()),
        figures=queries.figures(),
        form=ExampleForm(),
        **LABELS,
    )


def _question_or_404(question_id: int) -> AskedQuestion:
    item = db.session.get(AskedQuestion, question_id)
    if item is None:
        abort(404)
    return item


def add_example(question_id: int):
    item = _question_or_404(question_id)
    form = ExampleForm()
    if form.validate_on_submit():
        services.add_example(current_user, item, form.intent.data)
        db.session.commit()
        flash(_("Exemple ajouté : il servira au prochain entraînement."), "success")
    return redirect_303("assistant.review")


def dismiss(question_id: int):
    services.mark_reviewed(_question_or_404(question_id))
    db.session.commit()
    return redirect_303("assistant.review")


def manage_help():
    return render_template("assistant/manage/help.html", pages=queries.help_pages(False))


def new_help():
    form = HelpPageForm()
    if request.method == "GET" and request.args.get("q"):
        form.title.data = request.args["q"][:200]
        form.keywords.data = request.args["q"][:500]
    question_id = strict_int(request.args.get("question"))
    if form.validate_on_submit():
        page = services.save_help_page(
            current_user,
            None,
            title=form.title.data,
            body=form.body.data,
            keywords=form.keywords.data,
            published=form.published.data,
        )
        if question_id:
            asked = db.session.get(AskedQuestion, question_id)
            if asked is not None:
                services.mark_reviewed(asked)
        db.session.commit()
        flash(_("Page d'aide enregistrée."), "success")
        return redirect_303("assistant.help_page", slug=page.slug)
    return render_template("assistant/manage/help_form.html", form=form, page=None)


def edit_help(page_id: int):
    page = db.session.get(HelpPage, page_id)
    if page is None:
        abort(404)
    form = HelpPageForm(obj=page)
    if form.validate_on_submit():
        services.save_help_page(
            current_user,
            page,
            title=form.title.data,
            body=form.body.data,
            keywords=form.keywords.data,
            published=form.published.data,
        )
        db.session.commit()
        flash(_("Page d'aide enregistrée."), "success")
        return redirect_303("assistant.help_page", slug=page.slug)
    return render_template("assistant/manage/help_form.html", form=form, page=page)
