"""Thin views: load, check, call a service, commit once, render or redirect."""

import secrets
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import Response, abort, flash, render_template, request, send_from_directory
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from civic.core import formatting, uploads
from civic.core.htmx import redirect_303, render_page_or_block
from civic.core.inputs import strict_int
from civic.core.models import utcnow
from civic.core.pagination import page_arg
from civic.core.permissions import can, require
from civic.core.validators import PARIS, paris_to_utc, utc_to_paris
from civic.events import feeds, importer, queries, recurrence, services, sources
from civic.events.forms import (
    AgentRegistrationForm,
    CancelForm,
    CoverForm,
    DocumentForm,
    EventForm,
    ImportForm,
    RegistrationForm,
    ReportForm,
)
from civic.events.models import (
    AGENDA_TYPE_LABELS,
    KIND_LABELS,
    REGISTRATION_STATUS_LABELS,
    STATUS_LABELS,
    Event,
    EventDocument,
    RegistrationStatus,
)
from civic.events.permissions import organiser_ids
from civic.extensions import db

FEED_PAST = timedelta(days=30)
FEED_LIMIT = 2000
MONTH_LIMIT = 500


# --- the public agenda ----------------------------------------------------------------------


def _filters() -> tuple[sources.Filters, dict, list[str]]:
    """The agenda's filters from the query string; an unknown value is a 404, never a 500.
    Returns the filters, the query arguments to keep in links, and the filters' names."""
    args = {}
    names = []
    filters = sources.Filters()
    insee = request.args.get("commune", "")
    if insee:
        filters.commune = queries.commune_by_insee(insee)
        if filters.commune is None:
            abort(404)
        args["commune"] = insee
        names.append(filters.commune.name)
    kind = request.args.get("type", "")
    if kind:
        if kind not in AGENDA_TYPE_LABELS:
            abort(404)
        filters.type = kind
        args["type"] = kind
        names.append(str(AGENDA_TYPE_LABELS[kind]))
    slug = request.args.get("concertation", "")
    if slug:
        filters.consultation = queries.consultation_by_slug(slug)
        if filters.consultation is None:
            abort(404)
        args["concertation"] = slug
        names.append(filters.consultation.title)
    return filters, args, names


def _month() -> datetime | None:
    raw = request.args.get("mois", "")
    if not raw:
        return None
    try:
        month = datetime.strptime(raw, "%Y-%m")
    except ValueError:
        abort(404)
    if not 2000 <= month.year <= 2100:
        abort(404)
    return month.replace(tzinfo=PARIS)


def _next_month(month: datetime) -> datetime:
    return (month + timedelta(days=32)).replace(day=1)


def index():
    filters, args, _names = _filters()
    month = _month()
    if month is not None:
        filters.after = month.astimezone(UTC)
        filters.before = _next_month(month).astimezone(UTC)
        args["mois"] = month.strftime("%Y-%m")
    else:
        filters.after = utcnow()
    grid, page = None, None
    if month is not None and request.args.get("vue") != "liste":
        # The month as a table of weeks: every item of the month (a month holds a few dozen).
        grid = queries.month_grid(month, queries.all_items(filters, MONTH_LIMIT))
    else:
        page = queries.agenda(filters, page_arg())
        if month is not None:
            args["vue"] = "liste"
    now_month = utcnow().astimezone(PARIS).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    shown = month or now_month
    return render_page_or_block(
        "events/index.html",
        "results",
        page=page,
        grid=grid,
        filters=filters,
        args=args,
        month=month,
        previous_month=(shown - timedelta(days=1)).strftime("%Y-%m"),
        next_month=_next_month(shown).strftime("%Y-%m"),
        communes=queries.communes(),
        consultations=queries.published_consultations(),
        type_labels=AGENDA_TYPE_LABELS,
    )


def agenda_ics():
    filters, _args, names = _filters()
    filters.after = utcnow() - FEED_PAST
    filters.whole_series = True
    items = queries.all_items(filters, FEED_LIMIT)
    response = Response(feeds.calendar(items, feeds.feed_name(names)), mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="agenda-sicoval.ics"'
    response.cache_control.public = True
    response.cache_control.max_age = 900
    return response


def _event(event_id: int) -> Event:
    if event_id > 2**31 - 1:
        abort(404)
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    if not event.is_public and not can(current_user, "events.manage", event):
        abort(404)  # drafts do not exist for the public
    return event


def show(event_id: int):
    event = _event(event_id)
    item = sources.event_item(event)
    return _show(event, item, _registration_form())


def _registration_form(form_class=RegistrationForm, **kwargs):
    form = form_class(**kwargs)
    form.commune_id.choices = [("", _("Non indiquée"))] + [
        (c.id, c.name) for c in queries.communes()
    ]
    return form


def _chosen_commune(form) -> int | None:
    """The declared commune if it is one of the list (anything else is left out)."""
    valid = {value for value, _label in form.commune_id.choices}
    return form.commune_id.data if form.commune_id.data in valid else None


def _show(event: Event, item, form, status: int = 200):
    mine = queries.registration_of(event, current_user)
    return (
        render_template(
            "events/show.html",
            event=event,
            item=item,
            form=form,
            mine=mine,
            waiting_position=queries.waiting_position(mine) if mine else None,
            series=recurrence.describe(event.rule) if event.rule else "",
            coming=queries.next_occurrences(event) if event.rule else [],
            json_ld=feeds.json_ld(item, event),
            kind_labels=KIND_LABELS,
            registration_labels=REGISTRATION_STATUS_LABELS,
        ),
        status,
    )


def event_ics(event_id: int):
    event = _event(event_id)
    if not event.is_public:
        abort(404)
    item = sources.event_item(event)
    response = Response(feeds.calendar([item], event.title), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="evenement-{event.id}.ics"'
    return response


def register(event_id: int):
    event = _event(event_id)
    if not event.registration_is_open():
        flash(_("Les inscriptions à cet événement sont closes."), "error")
        return redirect_303("events.show", event_id=event.id)
    if current_user.is_authenticated and request.form.get("account") == "1":
        # One click with an account: its name and address.
        name = current_user.public_name
        email = current_user.email or ""
        commune_id = current_user.commune_id
    else:
        form = _registration_form()
        if not form.validate_on_submit():
            return _show(event, sources.event_item(event), form, 422)
        name, email = form.name.data, form.email.data
        commune_id = _chosen_commune(form)
    if not email:
        abort(400)
    try:
        result = services.register(
            event,
            name=name,
            email=email,
            user=current_user if current_user.is_authenticated else None,
            commune_id=commune_id,
            locale=str(get_locale() or "fr"),
        )
    except services.EventError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect_303("events.show", event_id=event.id)
    db.session.commit()
    registration = result.registration
    with_account = (
        current_user.is_authenticated
        and current_user.email_confirmed_at is not None
        and email.strip().lower() == current_user.email
    )
    if with_account and registration.status == RegistrationStatus.CONFIRMED:
        flash(_("Votre inscription est enregistrée. Un e-mail vous la confirme."), "success")
    elif with_account and registration.status == RegistrationStatus.WAITING:
        flash(
            _(
                "L'événement est complet : vous êtes sur la liste d'attente. Un e-mail vous "
                "préviendra si une place se libère."
            ),
            "success",
        )
    else:
        # Without an account, the same message whatever the address's state: nobody learns
        # from this page who registered.
        flash(
            _(
                "Un e-mail vient d'être envoyé à %(email)s : suivez son lien pour confirmer.",
                email=email,
            ),
            "success",
        )
    return redirect_303("events.show", event_id=event.id)


def _registration_by_token(token: str):
    registration = services.by_token(token)
    if registration is None:
        abort(404)
    return registration


def registration(token: str):
    reg = _registration_by_token(token)
    return render_template(
        "events/registration.html",
        registration=reg,
        event=reg.event,
        token=token,
        position=queries.waiting_position(reg),
        labels=REGISTRATION_STATUS_LABELS,
    )


def confirm_registration(token: str):
    reg = _registration_by_token(token)
    try:
        services.confirm(reg)
    except services.EventError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect_303("events.registration", token=token)
    db.session.commit()
    if reg.status == RegistrationStatus.CONFIRMED:
        flash(_("Votre inscription est confirmée."), "success")
    elif reg.status == RegistrationStatus.WAITING:
        flash(_("L'événement est complet : vous êtes sur la liste d'attente."), "success")
    return redirect_303("events.registration", token=token)


def cancel_registration(token: str):
    reg = _registration_by_token(token)
    services.cancel_registration(reg)
    db.session.commit()
    flash(_("Votre inscription est annulée. Merci de nous avoir prévenus."), "success")
    return redirect_303("events.registration", token=token)


def report(event_id: int):
    event = _event(event_id)
    if not can(current_user, "events.read_report", event):
        abort(404)  # no report yet
    shown = event.consultation is not None and event.consultation.is_published
    return render_template(
        "events/report.html",
        event=event,
        item=sources.event_item(event),
        contributions=queries.contributions(event) if shown else [],
    )


def _sent(name: str, file_type: uploads.FileType, download_name: str):
    response = send_from_directory(
        uploads.upload_dir(),
        name,
        mimetype=file_type.mimetype,
        as_attachment=not file_type.inline,
        download_name=download_name,
    )
    # A file opened here runs no script and cannot frame or be framed.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def cover(event_id: int):
    event = _event(event_id)
    if not event.cover_filename:
        abort(404)
    suffix = "." + event.cover_filename.rsplit(".", 1)[-1]
    return _sent(event.cover_filename, uploads.BY_SUFFIX[suffix], f"evenement-{event.id}{suffix}")


def document(event_id: int, document_id: int):
    event = _event(event_id)
    item = db.session.get(EventDocument, document_id)
    if item is None or item.event_id != event.id:
        abort(404)
    return _sent(item.stored_name, item.file_type, f"document-{item.id}{item.suffix}")


# --- management -----------------------------------------------------------------------------


def manage_index():
    page = queries.managed_events(current_user, page_arg())
    return render_template(
        "events/manage/index.html",
        page=page,
        kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS,
    )


def _managed(event_id: int) -> Event:
    if event_id > 2**31 - 1:
        abort(404)
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    require("events.manage", event)
    return event


def _event_form(event: Event | None) -> EventForm:
    form = EventForm(obj=event)
    communes = queries.communes()
    form.commune_id.choices = [("", _("Aucune (en ligne ou hors territoire)"))] + [
        (c.id, c.name) for c in communes
    ]
    allowed = organiser_ids(current_user)
    organisers = [("", _("Sicoval"))] if allowed is None or None in allowed else []
    organisers += [
        (c.id, formatting.gettext("Commune de %(name)s", name=c.name))
        for c in communes
        if allowed is None or c.id in allowed
    ]
    if (
        event is not None
        and event.organiser_commune is not None
        and all(value != event.organiser_commune_id for value, _label in organisers)
    ):
        organisers.append((event.organiser_commune_id, event.organiser_commune.name))
    form.organiser_commune_id.choices = organisers
    consultations = queries.published_consultations()
    form.consultation_id.choices = [("", _("Aucune"))] + [(c.id, c.title) for c in consultations]
    form.phase_id.choices = [("", _("Aucune"))] + [
        (p.id, f"{c.title} — {p.title}") for c in consultations for p in c.phases
    ]
    if request.method == "GET" and event is not None:
        form.starts_at.data = utc_to_paris(event.starts_at)
        form.ends_at.data = utc_to_paris(event.ends_at)
        form.exception_days.data = "\n".join(
            date.fromisoformat(d).strftime("%d/%m/%Y") for d in event.exceptions or []
        )
    return form


def _form_fields(form: EventForm) -> dict | None:
    for field in (form.commune_id, form.organiser_commune_id, form.consultation_id, form.phase_id):
        if field.data not in {field.coerce(value) for value, _label in field.choices}:
            field.errors = [_("Choisissez dans la liste.")]
            return None
    consultation_id = form.consultation_id.data
    if form.phase_id.data is not None:
        # A stage belongs to one consultation: it names the consultation too.
        phase_consultation = queries.phase_consultation_id(form.phase_id.data)
        if consultation_id not in (None, phase_consultation):
            form.phase_id.errors = [_("Cette étape appartient à une autre concertation.")]
            return None
        consultation_id = phase_consultation
    days, wrong = recurrence.parse_days(form.exception_days.data or "")
    if wrong:
        form.exception_days.errors = [
            _("Ces lignes ne sont pas des dates : %(lines)s.", lines=", ".join(wrong))
        ]
        return None
    return {
        "kind": form.kind.data,
        "title": form.title.data,
        "description": form.description.data or "",
        "starts_at": paris_to_utc(form.starts_at.data),
        "ends_at": paris_to_utc(form.ends_at.data),
        "commune_id": form.commune_id.data,
        "place_name": form.place_name.data or "",
        "address": form.address.data or "",
        "accessibility": form.accessibility.data or "",
        "online_url": form.online_url.data or "",
        "organiser_commune_id": form.organiser_commune_id.data,
        "consultation_id": consultation_id,
        "phase_id": form.phase_id.data,
        "registration": bool(form.registration.data),
        "capacity": form.capacity.data,
        "recurrence": form.recurrence.data,
        "recurrence_until": form.recurrence_until.data if form.recurrence.data else None,
        "exception_days": days,
    }


def create():
    form = _event_form(None)
    if form.validate_on_submit():
        fields = _form_fields(form)
        if fields is not None:
            try:
                event = services.save_event(current_user, None, **fields)
                if request.form.get("publish") == "1":
                    services.publish(current_user, event)
            except services.EventError as error:
                db.session.rollback()
                flash(str(error), "error")
            else:
                db.session.commit()
                flash(_("L'événement est enregistré."), "success")
                return redirect_303("events.edit", event_id=event.id)
    status = 422 if form.is_submitted() else 200
    return render_template("events/manage/edit.html", form=form, event=None), status


def edit(event_id: int):
    event = _managed(event_id)
    form = _event_form(event)
    if form.validate_on_submit():
        fields = _form_fields(form)
        if fields is not None:
            try:
                services.save_event(current_user, event, **fields)
            except services.EventError as error:
                db.session.rollback()
                flash(str(error), "error")
            else:
                db.session.commit()
                flash(_("L'événement est enregistré."), "success")
                return redirect_303("events.edit", event_id=event.id)
    status = 422 if form.is_submitted() else 200
    return (
        render_template(
            "events/manage/edit.html",
            form=form,
            event=event,
            counts=queries.counts(event),
            status_labels=STATUS_LABELS,
            cover_form=CoverForm(),
            document_form=DocumentForm(prefix=DOCUMENT),
        ),
        status,
    )


# The document form shares its page with the event's form: its fields take a prefix, so that
# "title" names one field only (ids are unique, each label finds its input).
DOCUMENT = "document"


def _files_page(event: Event, cover_form=None, document_form=None):
    """The event's page with the file form that failed, its errors shown."""
    return (
        render_template(
            "events/manage/edit.html",
            form=_event_form(event),
            event=event,
            counts=queries.counts(event),
            status_labels=STATUS_LABELS,
            cover_form=cover_form or CoverForm(formdata=None),
            document_form=document_form or DocumentForm(formdata=None, prefix=DOCUMENT),
        ),
        422,
    )


def set_cover(event_id: int):
    event = _managed(event_id)
    form = CoverForm()
    if form.validate_on_submit():
        try:
            old = services.set_cover(
                current_user, event, form.cover.data.read(), form.cover_alt.data
            )
        except services.EventError as error:
            db.session.rollback()
            form.cover.errors = [str(error)]
        else:
            db.session.commit()
            uploads.remove(old)
            flash(_("L'image est enregistrée."), "success")
            return redirect_303("events.edit", event_id=event.id)
    return _files_page(event, cover_form=form)


def remove_cover(event_id: int):
    event = _managed(event_id)
    old = services.remove_cover(current_user, event)
    db.session.commit()
    uploads.remove(old)
    flash(_("L'image est retirée."), "success")
    return redirect_303("events.edit", event_id=event.id)


def add_document(event_id: int):
    event = _managed(event_id)
    form = DocumentForm(prefix=DOCUMENT)
    if form.validate_on_submit():
        try:
            services.add_document(current_user, event, form.title.data, form.file.data.read())
        except services.EventError as error:
            db.session.rollback()
            form.file.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Le document est ajouté."), "success")
            return redirect_303("events.edit", event_id=event.id)
    return _files_page(event, document_form=form)


def remove_document(event_id: int, document_id: int):
    event = _managed(event_id)
    item = db.session.get(EventDocument, document_id)
    if item is None or item.event_id != event.id:
        abort(404)
    stored = services.remove_document(current_user, item)
    db.session.commit()
    uploads.remove(stored)
    flash(_("Le document est retiré."), "success")
    return redirect_303("events.edit", event_id=event.id)


def publish(event_id: int):
    event = _managed(event_id)
    try:
        services.publish(current_user, event)
    except services.EventError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect_303("events.edit", event_id=event.id)
    db.session.commit()
    flash(_("L'événement est publié dans l'agenda."), "success")
    return redirect_303("events.edit", event_id=event.id)


def cancel(event_id: int):
    event = _managed(event_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            told = services.cancel(current_user, event, form.reason.data)
        except services.EventError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                ngettext(
                    "L'événement est annulé ; %(num)d personne prévenue par e-mail.",
                    "L'événement est annulé ; %(num)d personnes prévenues par e-mail.",
                    told,
                ),
                "success",
            )
            return redirect_303("events.edit", event_id=event.id)
    status = 422 if form.is_submitted() else 200
    return render_template("events/manage/cancel.html", form=form, event=event), status


def registrations(event_id: int):
    event = _managed(event_id)
    form = _registration_form(AgentRegistrationForm)
    if form.validate_on_submit():
        try:
            services.register(
                event,
                name=form.name.data,
                email=form.email.data,
                commune_id=_chosen_commune(form),
                entered_by=current_user,
                channel=form.channel.data,
            )
        except services.EventError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("La personne est inscrite ; elle reçoit un e-mail."), "success")
            return redirect_303("events.registrations", event_id=event.id)
    status = 422 if form.is_submitted() else 200
    return (
        render_template(
            "events/manage/registrations.html",
            event=event,
            form=form,
            registrations=queries.registrations(event),
            counts=queries.counts(event),
            by_commune=queries.by_commune(event),
            labels=REGISTRATION_STATUS_LABELS,
        ),
        status,
    )


def attendance_sheet(event_id: int):
    event = _managed(event_id)
    confirmed = [
        r for r in queries.registrations(event) if r.status == RegistrationStatus.CONFIRMED
    ]
    return render_template(
        "events/manage/sheet.html", event=event, registrations=confirmed, blank_rows=range(5)
    )


def attendance(event_id: int):
    event = _managed(event_id)
    present = {
        value for value in map(strict_int, request.form.getlist("present")) if value is not None
    }
    services.record_attendance(current_user, event, present)
    db.session.commit()
    flash(_("Les présences sont enregistrées."), "success")
    return redirect_303("events.registrations", event_id=event.id)


def edit_report(event_id: int):
    event = _managed(event_id)
    form = ReportForm()
    if request.method == "GET":
        form.report.data = event.report_html
        form.publish.data = event.report_published_at is not None
    if form.validate_on_submit():
        services.save_report(current_user, event, form.report.data or "", form.publish.data)
        db.session.commit()
        flash(_("Le compte rendu est enregistré."), "success")
        return redirect_303("events.edit", event_id=event.id)
    status = 422 if form.is_submitted() else 200
    return render_template("events/manage/report.html", form=form, event=event), status


def _contribution_form(event: Event):
    from civic.consultations.forms import ProposalForm
    from civic.consultations.queries import themes

    form = ProposalForm()
    form.theme.choices = [("", _("— Aucun —"))] + [(t, t) for t in themes(event.consultation)]
    communes = event.consultation.communes or queries.communes()
    form.commune_id.choices = [("", _("— Tout le territoire —"))] + [
        (str(c.id), c.name) for c in communes
    ]
    return form


def contributions(event_id: int):
    """Paper contributions collected at the meeting, typed one after the other by an agent."""
    event = _managed(event_id)
    consultation = event.consultation
    if consultation is None or not consultation.is_published:
        flash(_("Liez d'abord l'événement à une concertation publiée."), "error")
        return redirect_303("events.edit", event_id=event.id)
    require("consultations.enter_contribution", consultation)
    form = _contribution_form(event)
    if form.validate_on_submit():
        try:
            proposal = services.enter_contribution(
                current_user,
                event,
                title=form.title.data,
                body=form.body.data,
                theme=form.theme.data or "",
                commune_id=strict_int(form.commune_id.data or ""),
            )
        except services.EventError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                _(
                    "La contribution n° %(id)s est enregistrée. Vous pouvez saisir la suivante.",
                    id=proposal.id,
                ),
                "success",
            )
            return redirect_303("events.contributions", event_id=event.id)
    status = 422 if form.is_submitted() else 200
    return (
        render_template(
            "events/manage/contributions.html",
            event=event,
            form=form,
            entered=queries.contributions(event, published_only=False),
        ),
        status,
    )


def _pending_path(token: str):
    from civic.core.uploads import upload_dir

    return upload_dir() / f"agenda-import-{token}.bin"


MAX_IMPORT_BYTES = 5 * 1024 * 1024


def import_events():
    """Upload, preview what would be created and what is rejected, then confirm."""
    form = ImportForm()
    preview = None
    token = request.form.get("token", "")
    if form.validate_on_submit():
        if token and len(token) == 32 and all(c in "0123456789abcdef" for c in token):
            path = _pending_path(token)
            data = path.read_bytes() if path.exists() else b""
            filename = request.form.get("filename", "")[:200]
        else:
            upload = form.file.data
            data = upload.read(MAX_IMPORT_BYTES + 1) if upload and upload.filename else b""
            filename = getattr(upload, "filename", "") or ""
            token = secrets.token_hex(16)
            if len(data) <= MAX_IMPORT_BYTES:
                _pending_path(token).write_bytes(data)
        try:
            if len(data) > MAX_IMPORT_BYTES:
                raise importer.UnreadableFile(_("plus de 5 Mo"))
            parsed = importer.parse(data, form.format.data, filename)
        except importer.UnreadableFile as error:
            form.file.errors = [_("Ce fichier ne peut pas être lu : %(why)s", why=str(error))]
            return render_template("events/manage/import.html", form=form, preview=None), 422
        if request.form.get("confirm") == "1" and parsed.rows:
            result = services.import_events(
                current_user, form.source.data, parsed.rows, parsed.rejected
            )
            db.session.commit()
            _pending_path(token).unlink(missing_ok=True)
            counts = ", ".join(
                (
                    ngettext("%(num)d événement créé", "%(num)d événements créés", result.created),
                    ngettext("%(num)d mis à jour", "%(num)d mis à jour", result.updated),
                    ngettext("%(num)d inchangé", "%(num)d inchangés", result.unchanged),
                    ngettext(
                        "%(num)d ligne rejetée",
                        "%(num)d lignes rejetées",
                        len(result.rejected),
                    ),
                )
            )
            flash(_("Import terminé : %(counts)s.", counts=counts), "success")
            return redirect_303("events.manage_index")
        known = set(
            db.session.scalars(
                sa.select(Event.source_id).where(
                    Event.source == form.source.data,
                    Event.source_id.in_([r["source_id"] for r in parsed.rows[:1000]]),
                )
            )
        )
        preview = {
            "parsed": parsed,
            "token": token,
            "filename": filename,
            "sample": parsed.rows[:10],
            "known": known,
        }
    status = 422 if form.is_submitted() and preview is None else 200
    return render_template("events/manage/import.html", form=form, preview=preview), status
