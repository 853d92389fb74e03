"""Thin views: load, require, call a service, commit once, render or redirect."""

import secrets

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
from flask_babel import ngettext
from flask_login import current_user

from civic.accounts.models import User
from civic.analysis import vectors
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
    SHUFFLE_KEYS,
    STANCE_LABELS,
    VOTE_AGREE,
    VOTE_DISAGREE,
    VOTE_PASS,
    Comment,
    Consultation,
    Document,
    Follow,
    GlossaryTerm,
    Phase,
    PostalContact,
    Proposal,
    ProposalStatus,
)
from civic.consultations.text import link_glossary
from civic.core import contributions, limits, uploads
from civic.core.formatting import lazy_text
from civic.core.htmx import redirect_303, render_page_or_block, wants_fragment
from civic.core.inputs import int_arg, int_list
from civic.core.models import utcnow
from civic.core.pagination import page_arg
from civic.core.permissions import can, require, role_scope
from civic.core.security import safe_next
from civic.core.validators import paris_to_utc
from civic.extensions import db
from civic.territory.queries import commune_choices
from civic.workshops import dashboard


def _consultation(slug: str) -> Consultation:
    consultation = queries.get_by_slug(slug)
    if consultation is None:
        abort(404)
    require("consultations.view", consultation)
    return consultation


def _proposal(slug: str, proposal_id: int, *, related: bool = True):
    """The consultation and the proposal at this address, loaded together; 404 unless the
    user may see both."""
    proposal = queries.proposal_in(slug, proposal_id, current_user, related=related)
    if proposal is None:
        abort(404)
    require("consultations.view", proposal.consultation)
    return proposal.consultation, proposal


def _managed(consultation_id: int) -> Consultation:
    consultation = db.session.get(Consultation, consultation_id) or abort(404)
    require("consultations.manage_commune", consultation)
    return consultation


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
        figures=dashboard.headline(consultation),
        today=utcnow(),
        consultation=consultation,
        body=body,
        phase=consultation.current_phase(),
        follow=follow,
        follow_form=FollowForm(frequency="daily" if follow and follow.daily else "immediate"),
        decision_published=decision_published,
    )


def _seed() -> int:
    # The visitor's starting point in the shuffled order, the same from page to page.
    if "shuffle_seed" not in session:
        session["shuffle_seed"] = secrets.randbelow(SHUFFLE_KEYS)
    return session["shuffle_seed"]


def _filters() -> dict:
    args = request.args
    sort = args.get("sort", "supported")
    status = args.get("status", "")
    channel = args.get("channel", "")
    return {
        "q": args.get("q", "")[:200],
        "theme": args.get("theme", "")[:80],
        "commune_id": int_arg("commune"),
        "status": status if status in {*ANSWER_LABELS, "unanswered"} else "",
        "channel": channel if channel in CHANNEL_LABELS else "",
        "sort": sort if sort in queries.SORTS else "supported",
    }


def _labels(labels: dict) -> "_Labels":
    return _Labels({key: lazy_text(label) for key, label in labels.items()})


def proposals(slug: str):
    consultation = _consultation(slug)
    filters = _filters()
    page = queries.list_proposals(consultation, page_arg(), seed=_seed(), **filters)
    # An htmx request gets the results alone: the filter form's options are not needed.
    themes, communes = ([], []) if wants_fragment() else queries.filter_options(consultation)
    return render_page_or_block(
        "consultations/proposals.html",
        "results",
        consultation=consultation,
        page=page,
        filters=filters,
        themes=themes,
        communes=communes,
        answer_labels=_labels(ANSWER_LABELS),
        channel_labels=_labels(CHANNEL_LABELS),
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
    vectors.warm_up()  # for the similar proposals, while the author types
    form = _proposal_form(ProposalForm, consultation)
    mine = str(current_user.commune_id or "")
    if not form.is_submitted() and any(mine == value for value, _label in form.commune_id.choices):
        form.commune_id.data = mine  # the commune of the profile, to change if need be
    if form.validate_on_submit():
        # Before publishing, once: proposals that say nearly the same thing, to support
        # rather than repeat (the same check as the hint shown while typing, without JS).
        similar_found = []
        if request.form.get("confirmed") != "1":
            similar_found = queries.similar_proposals(
                consultation, f"{form.title.data}. {form.body.data}"
            )
        if similar_found:
            return render_template(
                "consultations/proposal_form.html",
                consultation=consultation,
                form=form,
                similar=similar_found,
                confirm=True,
            )
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
    return render_template(
        "consultations/proposal_form.html",
        consultation=consultation,
        form=form,
        similar=queries.similar_proposals(consultation, form.title.data or ""),
    ), status


class _Labels(dict):
    """Translated labels, read per item by a template; an unknown value shows as itself."""

    def __missing__(self, key):
        return key


def _proposal_page(
    consultation: Consultation,
    proposal,
    *,
    page: int = 1,
    status: int = 200,
    comment_form: CommentForm | None = None,
    answer_form: AnswerForm | None = None,
    milestone_form: MilestoneForm | None = None,
):
    """The proposal page: on a GET (or its comments block alone, for htmx), and again with
    a form's errors after a POST that did not validate (then answered 422).

    Each form is built only for those who may use it: the page shows it to them alone.
    """
    comments, replies = queries.comments_page(proposal, page)
    context = {
        "consultation": consultation,
        "proposal": proposal,
        "comments": comments,
        "replies": replies,
        # Everything the list of comments shows, as a key for its rendered HTML.
        "comments_key": tuple((c, *replies[c.id]) for c in comments.items),
        "stance_labels": _labels(STANCE_LABELS),
    }
    if status == 200 and wants_fragment():  # the comments block alone, for htmx
        return render_page_or_block("consultations/proposal.html", "comments", **context)
    user = current_user
    if comment_form is None and can(user, "consultations.comment", proposal):
        comment_form = CommentForm()
    answering = {}
    if can(user, "consultations.answer", proposal):
        from civic.answers.forms import answer_form_context

        answering = answer_form_context(user, proposal, answer_form, request.args.get("modele", ""))
        answering["answering"] = bool(request.args.get("modele") or request.args.get("repondre"))
    if milestone_form is None and can(user, "consultations.add_milestone", proposal):
        milestone_form = MilestoneForm()
    from civic.analysis.answers import outcome
    from civic.moderation.queries import why_hidden

    hidden = None
    if (
        proposal.status == ProposalStatus.HIDDEN
        and user.is_authenticated
        and proposal.author_id == user.id
    ):
        hidden = why_hidden("proposal", proposal.id)  # its author is told why, and may appeal
    context.update(
        hidden=hidden,
        outcome=outcome("proposal", proposal.id),
        milestones=queries.milestones(proposal),
        comment_form=comment_form,
        milestone_form=milestone_form,
        **answering,
        vote=queries.user_vote(user, [proposal.id]).get(proposal.id),
        can_edit=can(user, "consultations.edit_proposal", proposal)
        and services.can_still_edit(proposal),
    )
    return render_template("consultations/proposal.html", **context), status


def show_proposal(slug: str, proposal_id: int):
    consultation, proposal = _proposal(slug, proposal_id)
    return _proposal_page(consultation, proposal, page=page_arg())


def edit_proposal(slug: str, proposal_id: int):
    consultation, proposal = _proposal(slug, proposal_id)
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
    consultation, proposal = _proposal(slug, proposal_id)
    require("consultations.withdraw_proposal", proposal)
    services.withdraw_proposal(current_user, proposal)
    db.session.commit()
    flash(_("Votre proposition est retirée."), "success")
    return redirect_303("consultations.proposals", slug=slug)


VOTES = {"agree": VOTE_AGREE, "disagree": VOTE_DISAGREE, "pass": VOTE_PASS}


def _commit_keeping_loaded() -> None:
    """Commit without expiring what the request loaded (the user, the consultation, the
    proposal), for an answer made of values read in the transaction: reloading them would
    cost a query each, and on SQLite a new write transaction."""
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def vote(slug: str, proposal_id: int):
    consultation, proposal = _proposal(slug, proposal_id, related=False)
    require("consultations.vote", proposal)
    choice = request.form.get("vote", "")
    error = None
    # Translated before the commit, while the user who chose the language is loaded.
    done = _("Votre vote est enregistré.")
    try:
        if choice == "retract":
            services.retract_vote(current_user, proposal)
            current = None
        elif choice in VOTES:
            services.cast_vote(current_user, proposal, VOTES[choice])
            current = VOTES[choice]
        else:
            raise services.ConsultationError(
                _("Choisissez « d'accord », « pas d'accord » ou « passer ».")
            )
        _commit_keeping_loaded()
    except services.ConsultationError as refusal:
        db.session.rollback()
        error = str(refusal)
        current = queries.user_vote(current_user, [proposal.id]).get(proposal.id)
    if wants_fragment():
        html = render_template(
            "consultations/_vote_swap.html",
            consultation=consultation,
            proposal=proposal,
            vote=current,
            vote_error=error,
        )
        return html, 422 if error else 200
    flash(error or done, "error" if error else "success")
    back = request.form.get("next") or url_for(
        "consultations.show_proposal", slug=slug, proposal_id=proposal_id
    )
    return redirect(safe_next(back), code=303)


@limits.posting
def comment(slug: str, proposal_id: int):
    consultation, proposal = _proposal(slug, proposal_id)
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
    return _proposal_page(consultation, proposal, status=422, comment_form=form)


def answer(slug: str, proposal_id: int):
    consultation, proposal = _proposal(slug, proposal_id)
    require("consultations.answer", proposal)
    from civic.answers import services as answering

    form = AnswerForm()
    if form.validate_on_submit():
        outcome = answering.submit(
            current_user,
            proposal,
            status=form.status.data,
            text=form.text.data,
            signed_as=form.signed_as.data,
        )
        db.session.commit()
        if outcome == "draft":
            flash(
                _("La réponse attend sa validation par une autre personne avant sa publication."),
                "success",
            )
        else:
            flash(
                _(
                    "La réponse est publiée ; l'auteur, les commentateurs et les votants "
                    "sont prévenus."
                ),
                "success",
            )
        if request.form.get("next"):  # back to the list of what waits for an answer
            return redirect(safe_next(request.form["next"]), code=303)
        return redirect_303("consultations.show_proposal", slug=slug, proposal_id=proposal.id)
    return _proposal_page(consultation, proposal, status=422, answer_form=form)


def add_milestone(slug: str, proposal_id: int):
    consultation, proposal = _proposal(slug, proposal_id)
    require("consultations.add_milestone", proposal)
    form = MilestoneForm()
    if form.validate_on_submit():
        services.add_milestone(
            current_user,
            proposal,
            title=form.title.data,
            description=form.description.data or "",
            due_on=paris_to_utc(form.due_on.data),
            progress=form.progress.data,
        )
        db.session.commit()
        flash(
            _("L'étape est ajoutée ; les personnes qui suivent la concertation sont prévenues."),
            "success",
        )
        return redirect_303("consultations.show_proposal", slug=slug, proposal_id=proposal.id)
    return _proposal_page(consultation, proposal, status=422, milestone_form=form)


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
        uploads.upload_dir(),
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
    return send_from_directory(uploads.upload_dir(), consultation.cover_filename)


def feed():
    page = queries.list_consultations(1, user=_anonymous())
    xml = render_template("consultations/feed.xml", consultations=page.items)
    return Response(xml, mimetype="application/atom+xml")


def _anonymous():
    from flask_login import AnonymousUserMixin

    return AnonymousUserMixin()


def my_contributions():
    from civic.analysis.answers import outcomes

    mine = queries.my_contributions(current_user)
    keys = [
        *(("proposal", p.id) for p in mine["proposals"]),
        *(("comment", c.id) for c in mine["comments"]),
        *(("proposal", p.id) for _v, p in mine["votes"]),
    ]
    return render_template(
        "consultations/mine.html",
        **mine,
        outcomes=outcomes(keys),
        sections=contributions.sections(current_user),
    )


def glossary():
    return render_template("consultations/glossary.html", terms=queries.glossary())


# --- management ----------------------------------------------------------------------------


def manage():
    page = queries.list_consultations(
        page_arg(), communes=role_scope(current_user, "agent", "admin")
    )
    return render_page_or_block("consultations/manage/index.html", "results", page=page)


def _consultation_form(consultation: Consultation | None):
    form = ConsultationForm(obj=consultation)
    # A commune's agent names their own communes only.
    form.communes.choices = commune_choices(role_scope(current_user, "agent", "admin"))
    if request.method == "GET" and consultation is not None:
        form.communes.data = [c.id for c in consultation.communes]
        form.body.data = consultation.body_html
    return form


def edit_consultation(consultation_id: int | None = None):
    consultation = _managed(consultation_id) if consultation_id else None
    form = _consultation_form(consultation)
    valid = form.validate_on_submit()
    if valid and role_scope(current_user, "agent", "admin") is not None and not form.communes.data:
        # No commune means the whole territory, which only its agents run.
        form.communes.errors = [_("Choisissez au moins une de vos communes.")]
        valid = False
    if valid:
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
                    starts_at=paris_to_utc(form.starts_at.data),
                    ends_at=paris_to_utc(form.ends_at.data),
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
    consultation = db.session.get(Consultation, consultation_id) or abort(404)
    require("consultations.enter_contribution", consultation)
    form = _proposal_form(ContributionForm, consultation)
    form.contact_commune_id.choices = [("", _("— Choisir —"))] + [
        (str(i), name) for i, name in commune_choices()
    ]
    scope = role_scope(current_user, "agent", "admin")
    if scope is not None:
        # A commune's agent files contributions under their own communes only.
        form.commune_id.choices = [
            (value, name)
            for value, name in form.commune_id.choices
            if value and int(value) in scope
        ]
    valid = form.validate_on_submit()
    if valid and scope is not None and not form.commune_id.data:
        # An empty choice passes the field's Optional(): it would mean the whole territory.
        form.commune_id.errors = [_("Choisissez la commune de la contribution.")]
        valid = False
    if valid:
        try:
            proposal = services.enter_contribution(
                current_user,
                consultation,
                title=form.title.data,
                body=form.body.data,
                theme=form.theme.data or "",
                commune_id=int(form.commune_id.data or 0) or None,
                channel=form.channel.data,
                place=form.place.data,
                contact_name=form.contact_name.data or "",
                contact_address=form.contact_address.data or "",
                contact_commune_id=int(form.contact_commune_id.data or 0) or None,
            )
        except services.ConsultationError as error:
            db.session.rollback()
            form.contact_name.errors = [*form.contact_name.errors, str(error)]
        else:
            db.session.commit()
            return redirect_303(
                "consultations.contribution_receipt",
                consultation_id=consultation.id,
                proposal_id=proposal.id,
            )
    status = 422 if form.is_submitted() else 200
    return render_template(
        "consultations/manage/enter.html", consultation=consultation, form=form
    ), status


def contribution_receipt(consultation_id: int, proposal_id: int):
    """The receipt to hand over or post to the resident: a reference, and where to follow."""
    consultation = _managed(consultation_id)
    require("consultations.enter_contribution", consultation)
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.consultation_id != consultation.id or proposal.author_id:
        abort(404)
    return render_template(
        "consultations/manage/receipt.html",
        consultation=consultation,
        proposal=proposal,
        contact=db.session.scalar(
            sa.select(PostalContact).where(PostalContact.proposal_id == proposal.id)
        ),
        public_url=url_for(
            "consultations.show_proposal",
            slug=consultation.slug,
            proposal_id=proposal.id,
            _external=True,
        ),
    )


def answer_letters(consultation_id: int):
    """The answers to post to residents who asked for them on paper."""
    consultation = _managed(consultation_id)
    require("consultations.enter_contribution", consultation)
    if request.method == "POST":
        done = services.letters_posted(current_user, consultation, int_list("contact"))
        db.session.commit()
        flash(
            ngettext(
                "%(num)s courrier marqué envoyé ; l'adresse est effacée.",
                "%(num)s courriers marqués envoyés ; les adresses sont effacées.",
                done,
            ),
            "success",
        )
        return redirect_303("consultations.answer_letters", consultation_id=consultation.id)
    return render_template(
        "consultations/manage/answer_letters.html",
        consultation=consultation,
        contacts=services.answer_letters(consultation),
        labels=ANSWER_LABELS,
    )


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
