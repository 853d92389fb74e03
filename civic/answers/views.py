"""Thin views: what waits for an answer, the signature, drafts, templates and the policy."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from civic.answers import queries, services
from civic.answers.forms import answer_form_context
from civic.answers.models import Draft, Template
from civic.consultations.models import ANSWER_LABELS, Consultation, Proposal
from civic.core.htmx import redirect_303, render_page_or_block
from civic.core.inputs import int_arg
from civic.core.pagination import page_arg
from civic.core.permissions import require, role_scope
from civic.extensions import db


def waiting():
    filters = {
        "consultation": int_arg("concertation"),
        "theme": request.args.get("theme", "")[:80],
        "commune": int_arg("commune"),
    }
    scope = role_scope(current_user, "elected", "agent", "admin")
    page = queries.waiting(
        page_arg(),
        consultation_id=filters["consultation"],
        theme=filters["theme"],
        commune_id=filters["commune"],
        communes=scope,
    )
    return render_page_or_block(
        "answers/waiting.html",
        "results",
        page=page,
        filters=filters,
        choices=queries.filter_choices(),
        drafts=queries.drafts(scope),
        signature=services.signature_of(current_user),
    )


def signature():
    try:
        services.remember_signature(current_user, request.form.get("signed_as", ""))
    except services.AnswerError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Votre signature est enregistrée."), "success")
    return redirect_303("answers.waiting")


def answer_form(proposal_id: int):
    """The answer form alone, prefilled from a template (htmx), or the proposal page."""
    proposal = db.session.get(Proposal, proposal_id) or abort(404)
    require("consultations.answer", proposal)
    if not request.headers.get("HX-Request"):
        return redirect(
            url_for(
                "consultations.show_proposal",
                slug=proposal.consultation.slug,
                proposal_id=proposal.id,
                **request.args,
            ),
            code=303,
        )
    context = answer_form_context(current_user, proposal, None, request.args.get("modele", ""))
    return render_template(
        "answers/_answer_form.html",
        consultation=proposal.consultation,
        proposal=proposal,
        **context,
    )


def validate_draft(answer_draft_id: int):
    draft = db.session.get(Draft, answer_draft_id) or abort(404)
    require("answers.answer", draft)
    proposal = draft.proposal
    try:
        services.validate(current_user, draft)
    except services.AnswerError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("La réponse est validée et publiée."), "success")
    return redirect_303(
        "consultations.show_proposal", slug=proposal.consultation.slug, proposal_id=proposal.id
    )


def settings(consultation_id: int):
    consultation = db.session.get(Consultation, consultation_id) or abort(404)
    return render_template(
        "answers/settings.html",
        consultation=consultation,
        templates=queries.templates(consultation.id),
        second_person=services.needs_second_person(consultation.id),
        answer_labels=ANSWER_LABELS,
    )


def add_template(consultation_id: int):
    consultation = db.session.get(Consultation, consultation_id) or abort(404)
    try:
        services.save_template(
            current_user,
            consultation,
            title=request.form.get("title", ""),
            status=request.form.get("status", ""),
            text=request.form.get("text", ""),
        )
    except services.AnswerError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Le modèle de réponse est enregistré."), "success")
    return redirect_303("answers.settings", consultation_id=consultation.id)


def delete_template(template_id: int):
    template = db.session.get(Template, template_id) or abort(404)
    consultation_id = template.consultation_id
    services.delete_template(current_user, template)
    db.session.commit()
    flash(_("Le modèle est supprimé."), "success")
    return redirect_303("answers.settings", consultation_id=consultation_id)


def policy(consultation_id: int):
    consultation = db.session.get(Consultation, consultation_id) or abort(404)
    wanted = request.form.get("second_validation") == "1"
    services.set_policy(current_user, consultation, wanted)
    db.session.commit()
    flash(
        _("Chaque réponse sera validée par une deuxième personne.")
        if wanted
        else _("Les réponses sont publiées sans deuxième validation."),
        "success",
    )
    return redirect_303("answers.settings", consultation_id=consultation.id)
