"""Thin views: the agenda and workshop pages, the call for volunteers, the management of a
workshop (quotas, volunteers, selection, table) and the answer to an invitation."""

from types import SimpleNamespace

import sqlalchemy as sa
from flask import abort, flash, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from civic.accounts.services import get_by_email
from civic.consultations.models import Consultation
from civic.core import jobs, uploads
from civic.core.formatting import collate
from civic.core.htmx import redirect_303, render_page_or_block, wants_fragment
from civic.core.inputs import int_arg, int_list, strict_int
from civic.core.pagination import page_arg
from civic.core.permissions import can, require, role_scope
from civic.core.validators import paris_to_utc, utc_to_paris
from civic.extensions import db
from civic.territory import queries as territory_queries
from civic.territory.models import Commune
from civic.workshops import queries, services
from civic.workshops.forms import (
    EnteredVolunteerForm,
    SeatForm,
    SelectionForm,
    VolunteerForm,
    WorkshopForm,
)
from civic.workshops.models import (
    CATEGORY_LABELS,
    MODE_LABELS,
    SEAT_ROLE_LABELS,
    VOLUNTEER_STATUS_LABELS,
    Category,
    Participant,
    Quota,
    Selection,
    Volunteer,
    VolunteerStatus,
    Workshop,
)

# The bounds of the workshop form (WorkshopForm.tables, seats_*).
MAX_TABLES = 50
MAX_SEATS = 500


def _workshop(slug: str) -> Workshop:
    workshop = db.session.scalar(sa.select(Workshop).where(Workshop.slug == slug)) or abort(404)
    require("workshops.view", workshop)
    return workshop


def _managed(workshop_id: int, action: str = "workshops.manage") -> Workshop:
    workshop = db.session.get(Workshop, workshop_id) or abort(404)
    require(action, workshop)
    return workshop


def _communes() -> list[Commune]:
    return territory_queries.communes()


# --- public pages ----------------------------------------------------------------------------


def index():
    commune = request.args.get("commune", "")
    communes = _communes()
    chosen = next((c for c in communes if c.insee == commune), None)
    page = queries.agenda(page_arg(), commune_id=chosen.id if chosen else None)
    return render_page_or_block(
        "workshops/index.html",
        "results",
        page=page,
        communes=communes,
        commune=chosen,
        past=queries.recent_minutes(),
        mode_labels=MODE_LABELS,
    )


def cover(slug: str):
    workshop = _workshop(slug)
    if not workshop.cover_filename:
        abort(404)
    return uploads.send(workshop.cover_filename, f"atelier-{workshop.id}")


def show(slug: str):
    workshop = _workshop(slug)
    mine = services.volunteer_of(current_user, workshop)
    seat = services.seat_of(current_user, workshop)
    return render_template(
        "workshops/show.html",
        workshop=workshop,
        mine=mine,
        seat=seat,
        seat_counts=queries.seat_counts(workshop),
        mode_labels=MODE_LABELS,
        role_labels=SEAT_ROLE_LABELS,
        status_labels=VOLUNTEER_STATUS_LABELS,
    )


def _volunteer_form(workshop: Workshop, form_class, **kwargs):
    form = form_class(**kwargs)
    needed = services.required_characteristics(workshop)
    for name in ("age_bracket", "gender", "pcs"):
        if name not in needed:
            delattr(form, name)
    territory = services.territory(workshop)
    form.commune_id.choices = [("", _("Choisissez votre commune"))] + [
        (c.id, c.name) for c in territory
    ]
    return form


def _profile_answers() -> SimpleNamespace:
    """What the profile already says; its statistics only when they were given with consent."""
    who = current_user
    if who.stats_consent_at is None:
        return SimpleNamespace(commune_id=who.commune_id)
    return SimpleNamespace(
        commune_id=who.commune_id, age_bracket=who.age_bracket, gender=who.gender, pcs=who.pcs
    )


def _declared(form) -> dict:
    values = {
        name: form[name].data
        for name in ("commune_id", "age_bracket", "gender", "pcs", "availability", "needs")
        if name in form
    }
    values["first_time"] = form.first_time.data
    return values


def volunteer(slug: str):
    workshop = _workshop(slug)
    require("workshops.volunteer", workshop)
    existing = services.volunteer_of(current_user, workshop)
    # A first volunteering starts from what the profile already says.
    form = _volunteer_form(workshop, VolunteerForm, obj=existing or _profile_answers())
    if form.validate_on_submit():
        try:
            services.volunteer(current_user, workshop, address=form.address.data, **_declared(form))
        except services.WorkshopError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                _(
                    "Merci ! Vous êtes volontaire. Le tirage au sort aura lieu après la clôture "
                    "de l'appel ; vous serez prévenu du résultat."
                ),
                "success",
            )
            return redirect_303("workshops.show", slug=workshop.slug)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "workshops/volunteer.html", workshop=workshop, form=form, existing=existing
    ), status


def withdraw(slug: str):
    workshop = _workshop(slug)
    try:
        services.withdraw(current_user, workshop)
    except services.WorkshopError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Vous n'êtes plus volontaire ; vos réponses sont effacées."), "success")
    return redirect_303("workshops.show", slug=workshop.slug)


def selection_audit(slug: str):
    workshop = _workshop(slug)
    run = workshop.current_selection
    if run is None and not can(current_user, "workshops.manage", workshop):
        abort(404)
    mine = services.volunteer_of(current_user, workshop) if run is not None else None
    return render_template(
        "workshops/audit.html",
        workshop=workshop,
        run=run,
        mine=mine,
        quota_rows=queries.quota_rows(workshop, run) if run else [],
        probabilities=queries.probability_table(run) if run else [],
    )


def invitation(token: str):
    item = services.by_token(token)
    if item is None:
        return render_template("workshops/invitation.html", item=None), 404
    if request.method == "POST":
        accept = request.form.get("answer") == "yes"
        try:
            services.respond(item, accept, actor=current_user)
        except services.WorkshopError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                _("Merci, votre place est confirmée. À bientôt !")
                if accept
                else _("C'est noté : votre place est proposée à une autre personne."),
                "success",
            )
        return redirect_303("workshops.invitation", token=token)
    return render_template(
        "workshops/invitation.html", item=item, workshop=item.workshop, token=token
    )


# --- management ------------------------------------------------------------------------------


def manage_index():
    return render_template(
        "workshops/manage/index.html",
        workshops=queries.all_workshops(role_scope(current_user, "agent", "facilitator", "admin")),
        mode_labels=MODE_LABELS,
    )


def _workshop_form(workshop: Workshop | None):
    if workshop is not None and request.method == "GET":
        form = WorkshopForm(obj=workshop)
        form.starts_at.data = utc_to_paris(workshop.starts_at)
        form.call_closes_at.data = utc_to_paris(workshop.call_closes_at)
    else:
        form = WorkshopForm()
    consultations = collate(db.session.scalars(sa.select(Consultation)), "title")
    form.consultation_id.choices = [("", _("Aucune (atelier autonome)"))] + [
        (c.id, c.title) for c in consultations
    ]
    scope = role_scope(current_user, "facilitator", "admin")
    if scope is None:
        form.commune_id.choices = [("", _("Aucune ou plusieurs"))] + [
            (c.id, c.name) for c in _communes()
        ]
    else:  # a commune's facilitator holds workshops in their communes only
        form.commune_id.choices = [(c.id, c.name) for c in _communes() if c.id in scope]
    return form


def _fields(form: WorkshopForm) -> dict:
    return {
        "title": form.title.data,
        "purpose": form.purpose.data,
        "consultation_id": form.consultation_id.data,
        "starts_at": paris_to_utc(form.starts_at.data),
        "duration_minutes": form.duration_minutes.data,
        "mode": form.mode.data,
        "commune_id": form.commune_id.data,
        "address": form.address.data or "",
        "accessibility": form.accessibility.data or "",
        "online_url": form.online_url.data or "",
        "capacity": form.capacity.data,
        "tables": form.tables.data,
        "seats_elected": form.seats_elected.data or 0,
        "seats_technician": form.seats_technician.data or 0,
        "seats_citizen": form.seats_citizen.data,
        "call_closes_at": paris_to_utc(form.call_closes_at.data),
        "one_per_household": form.one_per_household.data,
    }


def _commune_in_choices(form: WorkshopForm) -> bool:
    """The field does not check its choices (they are filled per request): a commune's
    facilitator cannot send another commune's id, nor none."""
    if form.commune_id.data in {value or None for value, _label in form.commune_id.choices}:
        return True
    form.commune_id.errors = [_("Choisissez une commune de la liste.")]
    return False


def _sent_file(form: WorkshopForm) -> bytes | None:
    upload = form.cover.data
    return upload.read() if upload and getattr(upload, "filename", "") else None


def _save(workshop: Workshop | None):
    form = _workshop_form(workshop)
    sent = _sent_file(form) if request.method == "POST" else None
    if form.validate_on_submit() and _commune_in_choices(form):
        before = services.meeting(workshop) if workshop else None
        old_cover = None
        try:
            saved = services.save_workshop(
                current_user, workshop, slug=form.slug.data or "", **_fields(form)
            )
            require("workshops.set_cover", saved)
            old_cover = services.update_cover(
                current_user,
                saved,
                data=sent,
                alt=form.cover_alt.data or "",
                remove=form.remove_cover.data,
            )
        except services.CoverError as error:
            db.session.rollback()
            getattr(form, error.field).errors = [str(error)]
        except services.WorkshopError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            workshop = saved
            db.session.commit()
            uploads.remove(old_cover)
            flash(_("L'atelier est enregistré."), "success")
            by_hand = services.expected_without_email(workshop)
            if before not in (None, services.meeting(workshop)) and by_hand:
                flash(
                    ngettext(
                        "Les personnes attendues ont reçu la nouvelle date ou le nouveau lieu "
                        "par courriel, sauf %(num)s sans adresse : prévenez-la par téléphone ou "
                        "par courrier.",
                        "Les personnes attendues ont reçu la nouvelle date ou le nouveau lieu "
                        "par courriel, sauf %(num)s sans adresse : prévenez-les par téléphone "
                        "ou par courrier.",
                        by_hand,
                    ),
                    "info",
                )
            return redirect_303("workshops.edit", workshop_id=workshop.id)
    status = 422 if request.method == "POST" else 200
    if sent and not form.cover.errors:
        # A browser never sends a chosen file twice: say so, the rest of the form is kept.
        form.cover.errors = [_("L'image n'est pas encore enregistrée : choisissez-la de nouveau.")]
    return render_template("workshops/manage/edit.html", workshop=workshop, form=form), status


def create():
    return _save(None)


def edit(workshop_id: int):
    return _save(_managed(workshop_id))


def publish(workshop_id: int):
    workshop = _managed(workshop_id)
    services.publish(current_user, workshop, request.form.get("publish") == "1")
    db.session.commit()
    flash(
        _("L'atelier est publié.") if workshop.is_published else _("L'atelier est en brouillon."),
        "success",
    )
    return redirect_303("workshops.edit", workshop_id=workshop.id)


def _quotas_from_form(workshop: Workshop) -> tuple[list[Quota], list[str]]:
    """Rows of the quota table as typed; anything not understood is an error, never a row
    silently dropped: the quotas are replaced only by a fully valid set."""
    quotas, errors = [], []
    rows = request.form.getlist("row")
    if not rows:
        errors.append(_("Le tableau des quotas n'a pas été reçu : rien n'a été changé."))
    for n, row in enumerate(rows):
        if request.form.get(f"remove-{row}"):
            continue
        category = request.form.get(f"category-{row}", "")
        value = request.form.get(f"value-{row}", "").strip()
        low = request.form.get(f"min-{row}", "").strip()
        high = request.form.get(f"max-{row}", "").strip()
        label = request.form.get(f"label-{row}", "").strip()[:200]
        communes = request.form.getlist(f"communes-{row}")
        if not (category or value or low or high):
            continue  # the empty "add a quota" row
        if category not in CATEGORY_LABELS:
            errors.append(_("Ligne %(n)s : cette caractéristique n'existe pas.", n=n + 1))
            continue
        # The row is shown again as typed when something is wrong with it.
        typed = Quota(
            category=category,
            value=value[:120],
            label=label,
            communes=sorted(set(communes)) if category == Category.AREA else [],
            min=low,
            max=high,
            position=n,
        )
        quotas.append(typed)
        if not value or (
            category != Category.AREA and value not in services.category_values(category)
        ):
            errors.append(
                _("Ligne %(n)s : cette valeur ne correspond pas à la caractéristique.", n=n + 1)
            )
            continue
        if category == Category.AREA and not set(communes) <= {
            c.insee for c in services.territory(workshop)
        }:
            errors.append(_("Ligne %(n)s : une commune cochée n'existe pas.", n=n + 1))
            continue
        typed.min, typed.max = strict_int(low, 0, MAX_SEATS), strict_int(high, 0, MAX_SEATS)
        if typed.min is None or typed.max is None:
            typed.min, typed.max = low, high
            errors.append(
                _(
                    "Ligne %(n)s : le minimum et le maximum sont des nombres entiers.",
                    n=n + 1,
                )
            )
    return quotas, errors


def _quota_page(workshop: Workshop, quotas, issues=None, errors=(), status=200):
    return (
        render_template(
            "workshops/manage/quotas.html",
            workshop=workshop,
            quotas=quotas,
            issues=issues,
            errors=errors,
            communes=services.territory(workshop),
            category_labels=CATEGORY_LABELS,
            category_values=services.category_values,
            pool_size=len(services.pool(workshop)),
        ),
        status,
    )


def quotas(workshop_id: int):
    workshop = _managed(workshop_id)
    if request.method == "POST":
        if request.form.get("action") == "defaults":
            return _quota_page(workshop, services.default_quotas(workshop))
        typed, errors = _quotas_from_form(workshop)
        if errors:
            return _quota_page(workshop, typed, errors=errors, status=422)
        try:
            services.set_quotas(current_user, workshop, typed)
        except services.WorkshopError as error:
            db.session.rollback()
            return _quota_page(workshop, typed, errors=[str(error)], status=422)
        db.session.commit()
        flash(_("Les quotas sont enregistrés."), "success")
        return redirect_303("workshops.quotas", workshop_id=workshop.id)
    return _quota_page(workshop, workshop.quotas or [])


def check_quotas(workshop_id: int):
    """Feasible or not with the volunteers so far, and which quota to relax by how much."""
    workshop = _managed(workshop_id)
    issues = services.check_quotas(workshop)
    if wants_fragment():
        return render_template("workshops/manage/_check.html", issues=issues, workshop=workshop)
    return _quota_page(workshop, workshop.quotas, issues=issues)


def volunteers(workshop_id: int):
    workshop = _managed(workshop_id, "workshops.recruit")
    return render_template(
        "workshops/manage/volunteers.html",
        workshop=workshop,
        volunteers=queries.volunteers(workshop),
        status_labels=VOLUNTEER_STATUS_LABELS,
        run=workshop.current_selection,
    )


def enter_volunteer(workshop_id: int):
    workshop = _managed(workshop_id, "workshops.recruit")
    form = _volunteer_form(workshop, EnteredVolunteerForm)
    if form.validate_on_submit():
        try:
            services.enter_volunteer(
                current_user,
                workshop,
                name=form.name.data,
                email=form.email.data or "",
                phone=form.phone.data or "",
                address=form.address.data or "",
                channel=form.channel.data,
                **_declared(form),
            )
        except services.WorkshopError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Le volontaire est inscrit."), "success")
            return redirect_303("workshops.enter_volunteer", workshop_id=workshop.id)
    status = 422 if request.method == "POST" else 200
    return render_template("workshops/manage/enter.html", workshop=workshop, form=form), status


def record_answer(volunteer_id: int):
    """An answer given by phone or at the counter, typed by an agent."""
    item = db.session.get(Volunteer, volunteer_id) or abort(404)
    require("workshops.recruit", item.workshop)
    accept = request.form.get("answer") == "yes"
    try:
        replacement = services.respond(item, accept, actor=current_user)
    except services.WorkshopError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        if accept:
            flash(_("La participation est confirmée."), "success")
        elif replacement is not None:
            flash(
                _(
                    "Désistement noté. %(name)s, suivant de la liste de réserve, est invité.",
                    name=replacement.display_name,
                ),
                "success",
            )
        else:
            flash(
                _(
                    "Désistement noté. Personne dans la liste de réserve ne respecte les "
                    "quotas : le siège reste libre."
                ),
                "error",
            )
    return redirect_303("workshops.volunteers", workshop_id=item.workshop_id)


def letters(workshop_id: int):
    """Invitation letters to print for selected people who have no e-mail address."""
    workshop = _managed(workshop_id, "workshops.recruit")
    invited = [
        (v, services.invitation_token(v))
        for v in queries.volunteers(workshop)
        if v.status == VolunteerStatus.SELECTED
        and v.invited_at is not None
        and not (v.user is not None or v.email)
    ]
    # The last line of a postal address: the postcode and the commune, as La Poste reads them.
    ids = {v.commune_id for v, _token in invited if v.commune_id}
    communes = {c.id: c for c in db.session.scalars(sa.select(Commune).where(Commune.id.in_(ids)))}
    return render_template(
        "workshops/manage/letters.html", workshop=workshop, invited=invited, communes=communes
    )


def selections(workshop_id: int):
    workshop = _managed(workshop_id)
    form = SelectionForm()
    if form.validate_on_submit():
        try:
            run = services.start_selection(
                current_user,
                workshop,
                method=form.method.data,
                seed=form.seed.data,
                despite_open_call=form.despite_open_call.data,
            )
        except services.WorkshopError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()  # the worker must see the run
            jobs.enqueue("civic.workshops.services.run_selection_job", run.id)
            db.session.commit()
            return redirect_303("workshops.show_selection", selection_id=run.id)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "workshops/manage/selections.html",
        workshop=workshop,
        form=form,
        runs=workshop.selections,
        pool_size=len(services.pool(workshop)),
    ), status


def _run(selection_id: int) -> Selection:
    run = db.session.get(Selection, selection_id) or abort(404)
    require("workshops.manage", run.workshop)
    return run


def show_selection(selection_id: int):
    run = _run(selection_id)
    # A poll that would show the same progress again gets nothing: no repeated announcement.
    seen = strict_int(request.args.get("progress"))
    if (
        wants_fragment()
        and seen is not None
        and seen == run.progress
        and run.status in ("queued", "running")
    ):
        return "", 204
    return render_page_or_block(
        "workshops/manage/selection.html",
        "progress",
        run=run,
        workshop=run.workshop,
        quota_rows=queries.quota_rows(run.workshop, run) if run.status == "done" else [],
        panel=queries.panel_people(run) if run.status == "done" else [],
    )


def publish_selection(selection_id: int):
    run = _run(selection_id)
    try:
        services.publish_selection(current_user, run)
    except services.WorkshopError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect_303("workshops.show_selection", selection_id=run.id)
    db.session.commit()
    flash(_("Le tirage est publié et les personnes tirées au sort sont invitées."), "success")
    return redirect_303("workshops.volunteers", workshop_id=run.workshop_id)


def _table_page(workshop: Workshop, form: SeatForm, status: int = 200):
    return (
        render_template(
            "workshops/manage/table.html",
            workshop=workshop,
            form=form,
            seats=services.participants(workshop),
            seat_counts=queries.seat_counts(workshop),
            role_labels=SEAT_ROLE_LABELS,
        ),
        status,
    )


def table(workshop_id: int):
    workshop = _managed(workshop_id)
    form = SeatForm()
    if request.method == "POST" and request.form.get("remove"):
        seat = db.session.get(Participant, int_arg("remove", source=request.form))
        if seat is None or seat.workshop_id != workshop.id:
            abort(404)
        try:
            services.remove_participant(current_user, seat)
        except services.WorkshopError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("La place est libérée."), "success")
        return redirect_303("workshops.table", workshop_id=workshop.id)
    if form.validate_on_submit():
        user = get_by_email(form.email.data)
        if user is None or user.is_deleted:
            form.email.errors.append(_("Aucun compte n'a cette adresse."))
            return _table_page(workshop, form, 422)
        try:
            services.add_participant(
                current_user, workshop, user, form.role.data, form.table_no.data or 1
            )
        except services.WorkshopError as error:
            db.session.rollback()
            flash(str(error), "error")
            return _table_page(workshop, form, 422)
        db.session.commit()
        flash(_("La personne a sa place à la table."), "success")
        return redirect_303("workshops.table", workshop_id=workshop.id)
    return _table_page(workshop, form, 422 if form.errors else 200)


def attendance(workshop_id: int):
    workshop = _managed(workshop_id)
    # The whole sheet is understood, or nothing changes.
    present = set(int_list("present"))
    tables = {}
    for seat in services.participants(workshop):
        value = int_arg(f"table-{seat.id}", low=1, high=MAX_TABLES, source=request.form)
        if value is not None:
            tables[seat.id] = value
    services.set_attendance(current_user, workshop, present, tables)
    db.session.commit()
    flash(_("Les présences sont enregistrées."), "success")
    return redirect_303("workshops.table", workshop_id=workshop.id)
