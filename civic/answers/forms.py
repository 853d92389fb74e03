"""The official's answer form, prefilled with the remembered signature or a template."""

from civic.answers import queries, services
from civic.answers.models import Template
from civic.consultations.forms import AnswerForm
from civic.extensions import db


def answer_form_context(user, proposal, form: AnswerForm | None = None, template_id: str = ""):
    """What templates/answers/_answer_form.html needs. Without a form after a POST, the form
    holds the current answer, or the chosen template, and the official's signature."""
    if form is None:
        form = AnswerForm(obj=proposal.answer)
        template = db.session.get(Template, int(template_id)) if template_id.isdigit() else None
        if template is not None and template.consultation_id == proposal.consultation_id:
            form.status.data, form.text.data = template.status, template.text
        if not form.signed_as.data:
            form.signed_as.data = services.signature_of(user, proposal)
    return {
        "answer_form": form,
        "templates": queries.templates(proposal.consultation_id),
        "draft": queries.draft_of(proposal.id),
        "second_person": services.needs_second_person(proposal.consultation_id),
    }
