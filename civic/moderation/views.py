"""Thin views for reports, the moderators' queue, decisions, appeals, blocks and the log."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from civic.accounts.models import User
from civic.consultations.models import Consultation
from civic.core import limits
from civic.core.formatting import collate
from civic.core.htmx import redirect_303, render_page_or_block
from civic.core.inputs import int_arg, int_list
from civic.core.models import utcnow
from civic.core.pagination import page_arg
from civic.core.permissions import require
from civic.core.security import safe_next
from civic.extensions import db
from civic.moderation import queries, registry, services
from civic.moderation.forms import AppealForm, BlockForm, DecisionForm, ReportForm
from civic.moderation.models import (
    ACTION_LABELS,
    CHARTER_REASONS,
    CLAIM_MINUTES,
    ORIGIN_LABELS,
    REPORT_LABELS,
    Block,
    Case,
)


def _item(kind: str, item_id: int):
    if kind not in registry.kinds():
        abort(404)
    content = registry.kind(kind)
    item = content.load(item_id)
    # Only what this user can read may be reported: the report page quotes it.
    if item is None or not content.visible_to(item, current_user):
        abort(404)
    return content, item


@limits.per_address("CIVIC_REPORT_LIMIT")
@limits.per_account("CIVIC_REPORT_LIMIT")
def report(kind: str, item_id: int):
    content, item = _item(kind, item_id)
    form = ReportForm()
    back = safe_next(request.values.get("next") or content.url(item))
    if form.validate_on_submit():
        try:
            case = services.report(
                current_user, kind, item, form.reason.data, form.detail.data or ""
            )
        except services.ModerationError as error:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, str(error)]
        else:
            db.session.commit()
            flash(_("Merci : votre signalement est transmis aux modérateurs du CODEV."), "success")
            if case.hidden:  # the item is no longer visible: back to where it was listed
                back = content.parent_url(item)
            return redirect(back, code=303)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "moderation/report.html",
        form=form,
        content=content,
        item=item,
        text=content.text(item),
        back=back,
    ), status


def _queue_filters(args=None) -> dict:
    """The queue's filters, from the page's address or from the decision form that repeats
    them (to decide on every case they select)."""
    args = request.args if args is None else args
    return {
        "consultation_id": int_arg("consultation", source=args),
        "kind": args.get("kind", "") if args.get("kind", "") in registry.kinds() else "",
        "reason": args.get("reason", "")[:20],
        "older_than": args.get("age", "") if args.get("age", "") in queries.AGES else "",
        "appeals": args.get("file") == "appels",
    }


def queue():
    filters = _queue_filters()
    page = queries.queue(page_arg(), **filters)
    texts, contexts = {}, {}
    for case in page.items:
        kind = registry.kind(case.kind)
        item = kind.load(case.item_id)
        texts[case.id] = kind.text(item) if item else ""
        contexts[case.id] = kind.context(item) if item else ""
    target = current_app.config["CIVIC_MODERATION_TARGET_HOURS"]
    consultations = collate(db.session.scalars(db.select(Consultation)), "title")
    return render_page_or_block(
        "moderation/queue.html",
        "results",
        page=page,
        filters=filters,
        texts=texts,
        contexts=contexts,
        counts=queries.counts(),
        claim_minutes=CLAIM_MINUTES,
        kinds=registry.kinds(),
        now=utcnow(),
        target_hours=target,
        form=DecisionForm(),
        consultations=list(consultations),
        report_labels=REPORT_LABELS,
        origin_labels=ORIGIN_LABELS,
        charter_reasons=CHARTER_REASONS,
    )


def bulk_decide():
    form = DecisionForm()
    if request.form.get("scope") == "all":
        # Select all: every case the filters shown select, not only this page's.
        cases = queries.queue_all(**_queue_filters(request.form))
    else:
        cases = queries.cases_by_ids(int_list("case"))
    taken = [c for c in cases if c.claimed_by_other(current_user, utcnow())]
    if not cases:
        flash(_("Cochez au moins une contribution."), "error")
    elif form.validate_on_submit():
        try:
            done = services.decide(
                current_user,
                cases,
                form.action.data,
                form.charter_reason.data or "",
                form.note.data or "",
            )
        except services.ModerationError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                ngettext(
                    "%(num)s décision enregistrée ; son auteur est prévenu.",
                    "%(num)s décisions enregistrées ; les auteurs sont prévenus.",
                    len(done),
                ),
                "success",
            )
            if taken:
                flash(
                    ngettext(
                        "%(num)s contribution prise en charge par un autre modérateur a été "
                        "laissée de côté.",
                        "%(num)s contributions prises en charge par d'autres modérateurs ont "
                        "été laissées de côté.",
                        len(taken),
                    ),
                    "info",
                )
    else:
        flash(_("Choisissez une décision."), "error")
    back = request.form.get("next") or url_for("moderation.queue")
    return redirect(safe_next(back), code=303)


def _case(case_id: int) -> Case:
    return db.session.get(Case, case_id) or abort(404)


def show_case(case_id: int):
    case = _case(case_id)
    content = registry.kind(case.kind)
    item = content.load(case.item_id)
    form = DecisionForm()
    taken = case.claimed_by_other(current_user, utcnow())
    if form.validate_on_submit() and taken:
        # Said rather than silently skipped: the moderator typed a decision.
        form.action.errors = [
            *form.action.errors,
            _("Un autre modérateur a pris cette contribution en charge : il la décide."),
        ]
    elif form.validate_on_submit():
        try:
            services.decide(
                current_user,
                [case],
                form.action.data,
                form.charter_reason.data or "",
                form.note.data or "",
                form.edited_text.data,
            )
        except services.ModerationError as error:
            db.session.rollback()
            field = form[error.field] if error.field in form else form.action
            field.errors = [*field.errors, str(error)]
        else:
            db.session.commit()
            flash(_("La décision est enregistrée ; l'auteur est prévenu."), "success")
            return redirect_303("moderation.queue")
    elif request.method == "GET":
        form.edited_text.data = content.text(item) if item else ""
    author = db.session.get(User, case.author_id) if case.author_id else None
    status = 422 if form.is_submitted() else 200
    return render_template(
        "moderation/case.html",
        case=case,
        content=content,
        item=item,
        text=content.text(item) if item else "",
        form=form,
        author=author,
        report_labels=REPORT_LABELS,
        action_labels=ACTION_LABELS,
        charter_reasons=CHARTER_REASONS,
        origin_labels=ORIGIN_LABELS,
        block_form=BlockForm(user_id=case.author_id),
        context=content.context(item) if item else "",
        now=utcnow(),
        claim_minutes=CLAIM_MINUTES,
    ), status


def claim_case(case_id: int):
    case = _case(case_id)
    if request.form.get("release"):
        services.release(current_user, case)
        db.session.commit()
        flash(_("Vous avez laissé cette contribution à un autre modérateur."), "success")
        return redirect_303("moderation.queue")
    if services.claim(current_user, case):
        db.session.commit()
        flash(_("Vous avez pris cette contribution en charge."), "success")
    else:
        db.session.rollback()
        flash(_("Un autre modérateur a déjà pris cette contribution en charge."), "error")
    return redirect_303("moderation.show_case", case_id=case.id)


def appeal(case_id: int):
    case = _case(case_id)
    require("moderation.appeal", case)
    form = AppealForm()
    if form.validate_on_submit():
        try:
            services.appeal(current_user, case, form.text.data)
        except services.ModerationError as error:
            db.session.rollback()
            form.text.errors = [*form.text.errors, str(error)]
        else:
            db.session.commit()
            flash(
                _("Votre appel est transmis : un autre modérateur va réexaminer la décision."),
                "success",
            )
            return redirect_303("moderation.appeal", case_id=case.id)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "moderation/appeal.html",
        case=case,
        form=form,
        content=registry.kind(case.kind),
        charter_reasons=CHARTER_REASONS,
    ), status


def public_log():
    page = queries.public_log(page_arg())
    consultations = {c.id: c for c in db.session.scalars(db.select(Consultation))}
    return render_page_or_block(
        "moderation/log.html",
        "results",
        page=page,
        kinds=registry.kinds(),
        consultations=consultations,
        charter_reasons=CHARTER_REASONS,
        action_labels=ACTION_LABELS,
    )


def blocks():
    form = BlockForm()
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data)
        if user is None or user.is_deleted:
            form.user_id.errors = [_("Aucun compte avec ce numéro.")]
        else:
            try:
                services.block(current_user, user, form.reason.data, form.days.data)
            except services.ModerationError as error:
                db.session.rollback()
                form.reason.errors = [str(error)]
            else:
                db.session.commit()
                flash(_("Le compte n° %(id)s est bloqué.", id=user.id), "success")
                return redirect_303("moderation.blocks")
    status = 422 if form.is_submitted() else 200
    return render_page_or_block(
        "moderation/blocks.html",
        "results",
        page=queries.blocks(page_arg()),
        form=form,
        now=utcnow(),
    ), status


def lift_block(block_id: int):
    item = db.session.get(Block, block_id) or abort(404)
    services.lift(current_user, item)
    db.session.commit()
    flash(_("Le blocage est levé."), "success")
    return redirect_303("moderation.blocks")
