"""Thin views: load, require, call a service, commit once, render or redirect."""

import secrets
from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from civic.accounts.models import User
from civic.analysis.queries import published_run
from civic.consultations import queries, services
from civic.consultations.forms import (
    AnswerForm,
    CommentForm,
    ConsultationForm,
    ContributionForm,
    DocumentForm,
    FollowForm,
    GlossaryForm,
    MilestoneForm,
    PhaseForm,
    ProposalForm,
)
from civic.consultations.models import (
    ANSWER_LABELS,
    CHANNEL_LABELS,
    VOTE_AGREE,
    VOTE_DISAGREE,
    VOTE_PASS,
    Comment,
    Consultation,
    Document,
    Follow,
    GlossaryTerm,
    Phase,
)
from civic.consultations.text import link_glossary
from civic.core import limits
from civic.core.htmx import redirect_303, render_page_or_block, wants_fragment
from civic.core.pagination import page_arg
from civic.core.permissions import can, require
from civic.core.security import safe_next
from civic.extensions import db
from civic.territory.queries import commune_choices

PARIS = ZoneInfo("Europe/Paris")


def _consultation(slug: str) -> Consultation:
    consultation = queries.get_by_slug(slug)
    if consultation is None:
        abort(404)
    require("consultations.view", consultation)
    return consultation


def _proposal(consultation: Consultation, proposal_id: int):
    proposal = queries.visible_proposal(consultation, proposal_id, current_user)
    if proposal is None:
        abort(404)
    return proposal


def _managed(consultation_id: int) -> Consultation:
    consultation = db.session.get(Consultation, consultation_id) or abort(404)
    require("consultations.manage", consultation)
    return consultation


def _to_utc(local):
    """Form datetimes are typed in Paris time."""
    return local.replace(tzinfo=PARIS).astimezone(UTC) if local else None


# --- public pages --------------------------------------------------------------------------


def index():
    page = queries.list_consultations(page_arg())
    return render_page_or_block("consultations/index.html", "results", page=page)


def show(slug: str):
    consultation = _consultation(slug)
    follow = None
    if current_user.is_authenticated:
        follow = db.session.scalar(
            sa.select(Follow).where(
                Follow.consultation_id == consultation.id, Follow.user_id == current_user.id
            )
        )
    body = link_glossary(consultation.body_html, queries.glossary_triples())
    decision_published = published_run(consultation.id) is not None
    return render_template(
        "consultations/show.html",
        consultation=consultation,
        body=body,
        phase=consultation.current_phase(),
        follow=follow,
        follow_form=FollowForm(frequency="daily" if follow and follow.daily else "immediate"),
        decision_published=decision_published,
    )


def _seed() -> int:
    # A per-visitor random order that stays the same from page to page.
    if "shuffle_seed" not in session:
        session["shuffle_seed"] = secrets.randbelow(1_000_000) + 1
    return session["shuffle_seed"]


def _filters() -> dict:
    args = request.args
    commune = args.get("commune", "")
    sort = args.get("sort", "supported")
    status = args.get("status", "")
    channel = args.get("channel", "")
    return {
        "q": args.get("q", "")[:200],
        "theme": args.get("theme", "")[:80],
        "commune_id": int(commune) if commune.isdigit() else None,
        "status": status if status in {*ANSWER_LABELS, "unanswered"} else "",
        "channel": channel if channel in CHANNEL_LABELS else "",
        "sort": sort if sort in queries.SORTS else "supported",
    }


def proposals(slug: str):
    consultation = _consultation(slug)
    filters = _filters()
    page = queries.list_proposals(consultation, page_arg(), seed=_seed(), **filters)
    votes = queries.user_vote(current_user, [p.id for p in page.items])
    return render_page_or_block(
        "consultations/proposals.html",
        "results",
        consultation=consultation,
        page=page,
        filters=filters,
        votes=votes,
        themes=queries.themes(consultation),
        communes=commune_choices(),
        answer_labels=ANSWER_LABELS,
        channel_labels=CHANNEL_LABELS,
    )


def similar(slug: str):
    consultation = _consultation(slug)
    found = queries.similar_proposals(consultation, request.args.get("title", "")[:200])
    return render_template("consultations/_similar.html", consultation=consultation, similar=found)


def _proposal_form(form_class, consultation: Consultation, **kwargs):
    form = form_class(**kwargs)
    form.theme.choices = [("", _("— Aucun —"))] + [(t, t) for t in queries.themes(consultation)]
    if consultation.theme and (consultation.theme, consultation.theme) not in form.theme.choices:
        form.theme.choices.append((consultation.theme, consultation.theme))
    communes = consultation.communes or None
    choices = [(c.id, c.name) for c in communes] if communes else commune_choices()
    form.commune_id.choices = [("", _("— Tout le territoire —"))] + [
        (str(i), name) for i, name in choices
    ]
    return form


@limits.posting
def new_proposal(slug: str):
    consultation = _consultation(slug)
    require("consultations.propose", consultation)
    form = _proposal_form(ProposalForm, consultation)
    if form.validate_on_submit():
        proposal = services.submit_proposal(
            current_user,
            consultation,
            title=form.title.data,
            body=form.body.data,
            theme=form.theme.data or "",
            commune_id=int(form.commune_id.data or 0) or None,
        )
        db.session.commit()
        flash(
            _("Votre proposition est en attente de modération.")
            if proposal.status == "pending"
            else _("Votre proposition est publiée."),
            "success",
        )
        return redirect_303("consultations.show_proposal", slug=slug, proposal_id=proposal.id)
    status = 422 if form.is_submitted() else 200
    similar_found = queries.similar_proposals(consultation, form.title.data or "")
    return render_template(
        "consultations/proposal_form.html",
        consultation=consultation,
        form=form,
        similar=similar_found,
    ), status


def show_proposal(slug: str, proposal_id: int):
    consultation = _consultation(slug)
    proposal = _proposal(consultation, proposal_id)
    comments, replies = queries.comments_page(proposal, page_arg())
    return render_page_or_block(
        "consultations/proposal.html",
        "comments",
        consultation=consultation,
        proposal=proposal,
        comments=comments,
        replies=replies,
        comment_form=CommentForm(),
        vote=queries.user_vote(current_user, [proposal.id]).get(proposal.id),
        answer_form=AnswerForm(obj=proposal.answer),
        milestone_form=MilestoneForm(),
        can_edit=can(current_user, "consultations.edit_proposal", proposal)
        and services.can_still_edit(proposal),
    )


def edit_proposal(slug: str, proposal_id: int):
    consultation = _consultation(slug)
    proposal = _proposal(consultation, proposal_id)
    require("consultations.edit_proposal", proposal)
    form = _proposal_form(ProposalForm, consultation, obj=proposal)
    if request.method == "GET":
        form.commune_id.data = str(proposal.commune_id or "")
    if form.validate_on_submit():
        try:
            services.edit_proposal(
                current_user,
                proposal,
                title=form.title.data,
                body=form.body.data,
                theme=form.theme.data or "",
                commune_id=int(form.commune_id.data or 0) or None,
            )
        except services.ConsultationError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect_303("consultations.show_proposal", slug=slug, proposal_id=proposal_id)
        db.session.commit()
        flash(_("Votre proposition est modifiée."), "success")
        return redirect_303("consultations.show_proposal", slug=slug, proposal_id=proposal.id)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "consultations/proposal_form.html",
        consultation=consultation,
        form=form,
        proposal=proposal,
        similar=[],
    ), status


def withdraw_proposal(slug: str, proposal_id: int):
    consultation = _consultation(slug)
    proposal = _proposal(consultation, proposal_id)
    require("consultations.withdraw_proposal", proposal)
    services.withdraw_proposal(current_user, proposal)
    db.session.commit()
    flash(_("Votre proposition est retirée."), "success")
    return redirect_303("consultations.proposals", slug=slug)


VOTES = {"agree": VOTE_AGREE, "disagree": VOTE_DISAGREE, "pass": VOTE_PASS}


def vote(slug: str, proposal_id: int):
    consultation = _consultation(slug)
    proposal = _proposal(consultation, proposal_id)
    require("consultations.vote", proposal)
    choice = request.form.get("vote", "")
    error = None
    try:
        if choice == "retract":
            services.retract_vote(current_user, proposal)
        elif choice in VOTES:
            services.cast_vote(current_user, proposal, VOTES[choice])
        else:
            raise services.ConsultationError(
                _("Choisissez « d'accord », « pas d'accord » ou « passer ».")
            )
        db.session.commit()
    except services.ConsultationError as refusal:
        db.session.rollback()
        error = str(refusal)
    if wants_fragment():
        current = queries.user_vote(current_user, [proposal.id]).get(proposal.id)
        html = render_template(
            "consultations/_vote_swap.html",
            consultation=consultation,
            proposal=proposal,
            vote=current,
            vote_error=error,
        )
        return html, 422 if error else 200
    flash(error or _("Votre vote est enregistré."), "error" if error else "success")
    back = request.form.get("next") or url_for(
        "consultations.show_proposal", slug=slug, proposal_id=proposal.id
    )
    return redirect(safe_next(back), code=303)


@limits.posting
def comment(slug: str, proposal_id: int):
    consultation = _consultation(slug)
    proposal = _proposal(consultation, proposal_id)
    require("consultations.comment", proposal)
    form = CommentForm()
    if form.validate_on_submit():
        parent = db.session.get(Comment, form.parent_id.data) if form.parent_id.data else None
        try:
            item = services.add_comment(
                current_user, proposal, body=form.body.data, stance=form.stance.data, parent=parent
            )
        except services.ConsultationError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect_303("consultations.show_proposal", slug=slug, proposal_id=proposal_id)
        db.session.commit()
        flash(
            _("Votre commentaire est en attente de modération.")
            if item.status == "pending"
            else _("Votre commentaire est publié."),
            "success",
        )
        target = url_for("consultations.show_proposal", slug=slug, proposal_id=proposal.id)
        return redirect(f"{target}#commentaire-{item.id}", code=303)
    comments, replies = queries.comments_page(proposal, 1)
    return render_template(
        "consultations/proposal.html",
        consultation=consultation,
        proposal=proposal,
        comments=comments,
        replies=replies,
        comment_form=form,
        answer_form=AnswerForm(),
        milestone_form=MilestoneForm(),
        can_edit=False,
        vote=queries.user_vote(current_user, [proposal.id]).get(proposal.id),
    ), 422


def answer(slug: str, proposal_id: int):
    consultation = _consultation(slug)
    proposal = _proposal(consultation, proposal_id)
    require("consultations.answer", proposal)
    form = AnswerForm()
    if form.validate_on_submit():
        services.answer_proposal(
            current_user,
            proposal,
            status=form.status.data,
            text=form.text.data,
            signed_as=form.signed_as.data,
        )
        db.session.commit()
        flash(
            _("La réponse est publiée ; l'auteur, les commentateurs et les votants sont prévenus."),
            "success",
        )
        return redirect_303("consultations.show_proposal", slug=slug, proposal_id=proposal.id)
    comments, replies = queries.comments_page(proposal, 1)
    return render_template(
        "consultations/proposal.html",
        consultation=consultation,
        proposal=proposal,
        comments=comments,
        replies=replies,
        comment_form=CommentForm(),
        answer_form=form,
        milestone_form=MilestoneForm(),
        can_edit=False,
        vote=queries.user_vote(current_user, [proposal.id]).get(proposal.id),
    ), 422


def add_milestone(slug: str, proposal_id: int):
    consultation = _consultation(slug)
    proposal = _proposal(consultation, proposal_id)
    require("consultations.add_milestone", proposal)
    form = MilestoneForm()
    if form.validate_on_submit():
        services.add_milestone(
            current_user,
            proposal,
            title=form.title.data,
            description=form.description.data or "",
            due_on=_to_utc(form.due_on.data),
            progress=form.progress.data,
        )
        db.session.commit()
        flash(
            _("L'étape est ajoutée ; les personnes qui suivent la concertation sont prévenues."),
            "success",
        )
        return redirect_303("consultations.show_proposal", slug=slug, proposal_id=proposal.id)
    comments, replies = queries.comments_page(proposal, 1)
    return render_template(
        "consultations/proposal.html",
        consultation=consultation,
        proposal=proposal,
        comments=comments,
        replies=replies,
        comment_form=CommentForm(),
        answer_form=AnswerForm(obj=proposal.answer),
        milestone_form=form,
        can_edit=False,
        vote=queries.user_vote(current_user, [proposal.id]).get(proposal.id),
    ), 422


def follow(slug: str):
    consultation = _consultation(slug)
    require("consultations.follow", consultation)
    form = FollowForm()
    if request.form.get("stop"):
        services.unfollow(current_user, consultation)
        message = _("Vous ne suivez plus cette concertation.")
    elif form.validate_on_submit():
        services.follow(current_user, consultation, daily=form.frequency.data == "daily")
        message = _("Vous suivez cette concertation.")
    else:
        abort(400)
    db.session.commit()
    flash(message, "success")
    return redirect_303("consultations.show", slug=slug)


def followup(slug: str):
    consultation = _consultation(slug)
    return render_template(
        "consultations/followup.html",
        consultation=consultation,
        retained=queries.followed_retained(consultation),
    )


def document(slug: str, document_id: int):
    consultation = _consultation(slug)
    item = db.session.get(Document, document_id)
    if item is None or item.consultation_id != consultation.id:
        abort(404)
    response = send_from_directory(
        services.upload_dir(),
        item.stored_name,
        mimetype="application/pdf",
        as_attachment=False,
        download_name=f"document-{item.id}.pdf",
    )
    # A PDF opened here runs no script and cannot frame or be framed.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def cover(slug: str):
    consultation = _consultation(slug)
    if not consultation.cover_filename:
        abort(404)
    return send_from_directory(services.upload_dir(), consultation.cover_filename)


def feed():
    page = queries.list_consultations(1, user=_anonymous())
    xml = render_template("consultations/feed.xml", consultations=page.items)
    return Response(xml, mimetype="application/atom+xml")


def _anonymous():
    from flask_login import AnonymousUserMixin

    return AnonymousUserMixin()


def my_contributions():
    return render_template(
        "consultations/mine.html",
        **queries.my_contributions(current_user),
        answer_labels=ANSWER_LABELS,
    )


def glossary():
    return render_template("consultations/glossary.html", terms=queries.glossary())


# --- management ----------------------------------------------------------------------------


def manage():
    page = queries.list_consultations(page_arg())
    return render_page_or_block("consultations/manage/index.html", "results", page=page)


def _consultation_form(consultation: Consultation | None):
    form = ConsultationForm(obj=consultation)
    form.communes.choices = commune_choices()
    if request.method == "GET" and consultation is not None:
        form.communes.data = [c.id for c in consultation.communes]
        form.body.data = consultation.body_html
    return form


def edit_consultation(consultation_id: int | None = None):
    consultation = _managed(consultation_id) if consultation_id else None
    form = _consultation_form(consultation)
    if form.validate_on_submit():
        from civic.territory.models import Commune

        communes = db.session.scalars(
            sa.select(Commune).where(Commune.id.in_(form.communes.data or []))
        ).all()
        try:
            saved = services.save_consultation(
                current_user,
                consultation,
                title=form.title.data,
                slug=form.slug.data or "",
                summary=form.summary.data,
                body=form.body.data or "",
                theme=form.theme.data or "",
                communes=communes,
                agree_limit=form.agree_limit.data,
                premoderation=form.premoderation.data,
                cover_alt=form.cover_alt.data or "",
            )
            upload = form.cover.data
            if upload and getattr(upload, "filename", ""):
                services.set_cover(current_user, saved, upload.read(), form.cover_alt.data or "")
        except services.ConsultationError as error:
            db.session.rollback()
            form.cover.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("La concertation est enregistrée."), "success")
            return redirect_303("consultations.edit_consultation", consultation_id=saved.id)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "consultations/manage/edit.html",
        consultation=consultation,
        form=form,
        phase_form=PhaseForm(),
        document_form=DocumentForm(),
    ), status


def publish(consultation_id: int):
    consultation = _managed(consultation_id)
    try:
        services.publish(current_user, consultation, request.form.get("publish") == "1")
    except services.ConsultationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            _("La concertation est publiée.")
            if consultation.is_published
            else _("La concertation est repassée en brouillon."),
            "success",
        )
    return redirect_303("consultations.edit_consultation", consultation_id=consultation.id)


def add_phase(consultation_id: int):
    consultation = _managed(consultation_id)
    form = PhaseForm()
    error = None
    if form.validate_on_submit():
        invited = []
        if form.audience.data == "invited":
            emails = {e.strip().lower() for e in (form.invited.data or "").split() if e.strip()}
            invited = list(db.session.scalars(sa.select(User).where(User.email.in_(emails))))
            unknown = emails - {u.email for u in invited}
            if unknown:
                error = _("Aucun compte pour : %(emails)s", emails=", ".join(sorted(unknown)))
        if error is None:
            try:
                services.add_phase(
                    current_user,
                    consultation,
                    title=form.title.data,
                    description=form.description.data or "",
                    starts_at=_to_utc(form.starts_at.data),
                    ends_at=_to_utc(form.ends_at.data),
                    features=form.features.data,
                    audience=form.audience.data,
                    audience_role=form.audience_role.data,
                    invited=invited,
                )
            except services.ConsultationError as refusal:
                db.session.rollback()
                error = str(refusal)
            else:
                db.session.commit()
                flash(_("La phase est ajoutée."), "success")
                return redirect_303(
                    "consultations.edit_consultation", consultation_id=consultation.id
                )
    if error:
        form.title.errors = [*form.title.errors, error]
    return render_template(
        "consultations/manage/edit.html",
        consultation=consultation,
        form=_consultation_form(consultation),
        phase_form=form,
        document_form=DocumentForm(),
    ), 422


def remove_phase(consultation_id: int, phase_id: int):
    consultation = _managed(consultation_id)
    phase = db.session.get(Phase, phase_id)
    if phase is None or phase.consultation_id != consultation.id:
        abort(404)
    services.remove_phase(current_user, phase)
    db.session.commit()
    flash(_("La phase est supprimée."), "success")
    return redirect_303("consultations.edit_consultation", consultation_id=consultation.id)


def add_document(consultation_id: int):
    consultation = _managed(consultation_id)
    form = DocumentForm()
    if form.validate_on_submit():
        try:
            services.add_document(
                current_user, consultation, form.title.data, form.file.data.read()
            )
        except services.ConsultationError as error:
            db.session.rollback()
            form.file.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Le document est ajouté."), "success")
            return redirect_303("consultations.edit_consultation", consultation_id=consultation.id)
    return render_template(
        "consultations/manage/edit.html",
        consultation=consultation,
        form=_consultation_form(consultation),
        phase_form=PhaseForm(),
        document_form=form,
    ), 422


def enter_contribution(consultation_id: int):
    consultation = _managed(consultation_id)
    require("consultations.enter_contribution", consultation)
    form = _proposal_form(ContributionForm, consultation)
    if form.validate_on_submit():
        proposal = services.enter_contribution(
            current_user,
            consultation,
            title=form.title.data,
            body=form.body.data,
            theme=form.theme.data or "",
            commune_id=int(form.commune_id.data or 0) or None,
            channel=form.channel.data,
            place=form.place.data,
        )
        db.session.commit()
        flash(
            _(
                "La contribution n° %(id)s est enregistrée. Vous pouvez saisir la suivante.",
                id=proposal.id,
            ),
            "success",
        )
        return redirect_303("consultations.enter_contribution", consultation_id=consultation.id)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "consultations/manage/enter.html", consultation=consultation, form=form
    ), status


def manage_glossary():
    form = GlossaryForm()
    if form.validate_on_submit():
        try:
            services.save_term(
                current_user, None, name=form.term.data, definition=form.definition.data
            )
        except services.ConsultationError as error:
            db.session.rollback()
            form.term.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Le terme est ajouté au glossaire."), "success")
            return redirect_303("consultations.manage_glossary")
    status = 422 if form.is_submitted() else 200
    return render_template(
        "consultations/manage/glossary.html", form=form, terms=queries.glossary()
    ), status


def delete_term(term_id: int):
    term = db.session.get(GlossaryTerm, term_id) or abort(404)
    db.session.delete(term)
    db.session.commit()
    flash(_("Le terme est retiré du glossaire."), "success")
    return redirect_303("consultations.manage_glossary")
