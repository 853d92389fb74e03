"""Thin views of the live board, the table's vote and the minutes.

The board is a plain page that works without JavaScript (an « Actualiser » link); with htmx,
its list of notes polls every few seconds and the server answers 204 while nothing changed.
"""

import sqlalchemy as sa
from flask import abort, flash, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup

from civic.core import limits
from civic.core.charts import bar_chart, merit_profile
from civic.core.htmx import redirect_303, render_page_or_block, wants_fragment
from civic.core.inputs import int_arg, strict_int
from civic.core.models import utcnow
from civic.core.permissions import can, require
from civic.core.sanitize import html_to_text
from civic.extensions import db
from civic.workshops import board as boards
from civic.workshops.forms import MinutesForm, NoteForm, ThemeForm
from civic.workshops.models import (
    GRADES,
    SEAT_ROLE_LABELS,
    VOTE_METHOD_LABELS,
    Note,
    SeatRole,
    Theme,
    VoteMethod,
    Workshop,
)
from civic.workshops.services import WorkshopError, seat_of

POLL_SECONDS = 5


# --- loading ---------------------------------------------------------------------------------


def _workshop(slug: str) -> Workshop:
    return db.session.scalar(sa.select(Workshop).where(Workshop.slug == slug)) or abort(404)


def _managed(workshop_id: int) -> Workshop:
    workshop = db.session.get(Workshop, workshop_id) or abort(404)
    require("workshops.manage", workshop)
    return workshop


def _requested_table(workshop: Workshop, seat) -> int:
    """A participant sees their own table; the facilitator chooses one with ?table=N."""
    if seat is not None and seat.role != SeatRole.FACILITATOR:
        return seat.table_no
    return boards.clamp_table(workshop, int_arg("table", 1, source=request.values, status=404))


def _notes(workshop: Workshop, table_no: int) -> tuple[list[Theme], list[Note], str]:
    theme_list = boards.themes(workshop, table_no)
    notes = boards.visible_notes(workshop, table_no, current_user)
    return theme_list, notes, boards.board_state(workshop, theme_list, notes)


def _board(workshop: Workshop, table_no: int, notes=None, **extra) -> dict:
    theme_list, notes, state = notes or _notes(workshop, table_no)
    closed = workshop.minutes_published_at is not None
    # Once the vote is closed, its results take the place of the vote's controls.
    voted = not closed and not workshop.vote_open and boards.ballot_count(workshop) > 0
    results = boards.results(workshop) if voted else []
    context = {
        "workshop": workshop,
        "table_no": table_no,
        "tables": boards.table_numbers(workshop),
        "seat": seat_of(current_user, workshop),
        "themes": theme_list,
        "groups": boards.grouped(theme_list, notes),
        "last_id": max((n.id for n in notes), default=0),
        "state": state,
        "closed": closed,
        "poll_seconds": POLL_SECONDS,
        "is_facilitator": can(current_user, "workshops.manage", workshop),
        "can_post": not closed and can(current_user, "workshops.post_note", workshop),
        "can_vote": can(current_user, "workshops.vote", workshop),
        "role_labels": SEAT_ROLE_LABELS,
        "method_labels": VOTE_METHOD_LABELS,
        "dots_max": boards.DOTS_MAX,
        "note_max": boards.NOTE_MAX,
        "note_form": NoteForm(formdata=None),
        "theme_form": ThemeForm(formdata=None),
        "announce": "",
        "not_open_yet": utcnow() < workshop.board_opens_at,
        "voted": voted,
        "results": results,
        "charts": _charts(results),
        "grades": list(enumerate(GRADES)),
        "grade_colours": GRADE_COLOURS,
    }
    context.update(extra)
    return context


def _back_to_board(workshop: Workshop, table_no: int, **values):
    return redirect_303("workshops.board", slug=workshop.slug, table=table_no, **values)


# --- the live board --------------------------------------------------------------------------


def board(slug: str):
    workshop = _workshop(slug)
    require("workshops.see_board", workshop)
    table_no = _requested_table(workshop, seat_of(current_user, workshop))
    theme_list, notes, state = _notes(workshop, table_no)
    announce = ""
    if wants_fragment():
        if request.args.get("state") == state:
            return "", 204  # nothing new: no swap, no repeated announcement
        since = strict_int(request.args.get("since"))
        if since is not None:
            new = [n for n in notes if n.id > since and n.author_id != current_user.id]
            if new:
                announce = ngettext(
                    "%(num)d nouvelle note au tableau.",
                    "%(num)d nouvelles notes au tableau.",
                    len(new),
                )
    context = _board(workshop, table_no, (theme_list, notes, state), announce=announce)
    return render_page_or_block("workshops/board.html", "notes", **context)


@limits.posting
def post_note(slug: str):
    workshop = _workshop(slug)
    require("workshops.post_note", workshop)
    table_no = _requested_table(workshop, seat_of(current_user, workshop))
    form = NoteForm()
    if form.validate_on_submit():
        try:
            note = boards.post_note(current_user, workshop, form.body.data, table_no)
        except WorkshopError as error:
            db.session.rollback()
            form.body.errors.append(str(error))
        else:
            db.session.commit()
            message = (
                _("Votre note est affichée.")
                if note.status == boards.NoteStatus.PUBLISHED
                else _(
                    "Votre note attend la relecture d'un modérateur avant d'être affichée."
                )
            )
            if wants_fragment():
                context = _board(workshop, table_no, announce=message)
                return render_template(
                    "workshops/board_swap.html",
                    form_partial="workshops/board_post_form.html",
                    **context,
                )
            flash(message, "success")
            return _back_to_board(workshop, table_no)
    context = _board(workshop, table_no, note_form=form)
    return render_page_or_block("workshops/board.html", "post_form", **context), 422


def add_theme(workshop_id: int):
    workshop = _managed(workshop_id)
    table_no = _requested_table(workshop, None)
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            theme = boards.add_theme(current_user, workshop, form.title.data, table_no)
        except WorkshopError as error:
            db.session.rollback()
            form.title.errors.append(str(error))
        else:
            db.session.commit()
            message = _("Le thème « %(title)s » est créé.", title=theme.title)
            if wants_fragment():
                context = _board(workshop, table_no, announce=message)
                return render_template(
                    "workshops/board_swap.html",
                    form_partial="workshops/board_theme_form.html",
                    **context,
                )
            flash(message, "success")
            return _back_to_board(workshop, table_no)
    context = _board(workshop, table_no, theme_form=form)
    return render_page_or_block("workshops/board.html", "theme_form", **context), 422


def assign_note(note_id: int):
    note = db.session.get(Note, note_id) or abort(404)
    workshop = note.workshop
    require("workshops.manage", workshop)
    value = int_arg("theme", source=request.form, status=404)
    theme = None
    if value:
        theme = db.session.get(Theme, value) or abort(404)
    status, category = 200, "success"
    try:
        boards.assign_note(current_user, note, theme)
    except WorkshopError as error:
        db.session.rollback()
        message, status, category = str(error), 422, "error"
    else:
        db.session.commit()
        message = (
            _("La note est classée dans « %(title)s ».", title=theme.title)
            if theme
            else _("La note n'a plus de thème.")
        )
    if wants_fragment():
        context = _board(workshop, note.table_no, announce=message)
        return render_page_or_block("workshops/board.html", "notes", **context), status
    flash(message, category)
    return _back_to_board(workshop, note.table_no, _anchor=f"note-{note.id}")


def manage_vote(workshop_id: int):
    workshop = _managed(workshop_id)
    table_no = _requested_table(workshop, None)
    action = request.form.get("action", "")
    try:
        if action == "open":
            boards.open_vote(
                current_user,
                workshop,
                request.form.get("method", ""),
                int_arg("dots_per_person", low=0, source=request.form),
            )
            message = _("Le vote est ouvert : les participants peuvent voter.")
        elif action == "close":
            boards.close_vote(current_user, workshop)
            message = _("Le vote est clos.")
        else:
            raise WorkshopError(_("Choisissez d'ouvrir ou de clore le vote."))
    except WorkshopError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return _back_to_board(workshop, table_no, _anchor="vote")


# --- the vote ------------------------------------------------------------------------------


def _read_values(workshop: Workshop, theme_list: list[Theme]):
    """The ballot as typed: theme id -> value, the raw strings to show again, field errors."""
    values, raw, errors = {}, {}, {}
    majority = workshop.vote_method == VoteMethod.MAJORITY
    for theme in theme_list:
        typed = request.form.get(f"theme-{theme.id}", "").strip()[:4]
        raw[theme.id] = typed
        if majority:
            grade = strict_int(typed, 0, len(GRADES) - 1)
            if grade is not None:
                values[theme.id] = grade
            else:
                errors[theme.id] = _("Choisissez une mention pour ce thème.")
        elif typed == "":
            values[theme.id] = 0
        elif strict_int(typed) is not None:
            values[theme.id] = int(typed)
        else:
            errors[theme.id] = _("Indiquez un nombre entier de gommettes, 0 ou plus.")
    return values, raw, errors


def _ballot_context(workshop: Workshop, theme_list, raw, errors, general, **extra) -> dict:
    return {
        "workshop": workshop,
        "themes": theme_list,
        "raw": raw,
        "errors": errors,
        "general": general,
        "grades": list(enumerate(GRADES)),
        "majority": workshop.vote_method == VoteMethod.MAJORITY,
        "method_labels": VOTE_METHOD_LABELS,
        "role_labels": SEAT_ROLE_LABELS,
        **extra,
    }


def ballot(slug: str):
    workshop = _workshop(slug)
    seat = seat_of(current_user, workshop)
    if not can(current_user, "workshops.vote", workshop):
        if seat is None or seat.role == SeatRole.FACILITATOR or request.method == "POST":
            require("workshops.vote", workshop)  # 403, or the login page
        # A seat at the table, but the vote is not open (yet, or any more).
        context = _ballot_context(workshop, [], {}, {}, "", closed=True, cast=None)
        return render_page_or_block("workshops/ballot.html", "ballot", **context)
    theme_list = boards.themes(workshop, seat.table_no)
    current = boards.my_ballot(current_user, workshop)
    raw = {k: str(v) for k, v in (current or {}).items()}
    errors, general, status = {}, "", 200
    if request.method == "POST":
        values, raw, errors = _read_values(workshop, theme_list)
        if not errors:
            try:
                boards.cast_ballot(current_user, workshop, values)
            except WorkshopError as error:
                db.session.rollback()
                general = str(error)
            else:
                db.session.commit()
                flash(
                    _(
                        "Votre bulletin est enregistré. Vous pouvez le modifier tant que le vote "
                        "est ouvert."
                    ),
                    "success",
                )
                return redirect_303("workshops.ballot", slug=workshop.slug)
        status = 422
    context = _ballot_context(
        workshop, theme_list, raw, errors, general, closed=False, cast=current, seat=seat
    )
    return render_page_or_block("workshops/ballot.html", "ballot", **context), status


def paper_ballot(workshop_id: int):
    workshop = _managed(workshop_id)
    table_no = _requested_table(workshop, None)
    theme_list = boards.themes(workshop, table_no)
    raw, errors, general, status, role, role_error = {}, {}, "", 200, "", ""
    if request.method == "POST":
        role = request.form.get("role", "")
        values, raw, errors = _read_values(workshop, theme_list)
        if role not in boards.COLLEGES:
            role_error = _("Indiquez le collège de la personne qui a voté.")
        elif not errors:
            try:
                boards.paper_ballot(current_user, workshop, role, values, table_no)
            except WorkshopError as error:
                db.session.rollback()
                general = str(error)
            else:
                db.session.commit()
                flash(_("Le bulletin papier est enregistré."), "success")
                return redirect_303(
                    "workshops.paper_ballot", workshop_id=workshop.id, table=table_no
                )
        status = 422
    tables = boards.results(workshop)
    context = _ballot_context(
        workshop,
        theme_list,
        raw,
        errors,
        general,
        table_no=table_no,
        tables=boards.table_numbers(workshop),
        role=role,
        role_error=role_error,
        colleges=boards.COLLEGES,
        counted=sum(t.ballots for t in tables if t.table_no == table_no),
    )
    return render_page_or_block("workshops/board_paper_ballot.html", "paper", **context), status


# --- the minutes -----------------------------------------------------------------------------


# Seven grades, from « À rejeter » to « Excellent »: a diverging palette that stays readable
# for the common colour vision deficiencies (ColorBrewer RdYlBu); the figures are in the table.
GRADE_COLOURS = ("#d73027", "#fc8d59", "#fee090", "#ffffbf", "#e0f3f8", "#91bfdb", "#4575b4")


def _charts(tables: list[boards.TableResult]) -> dict[int, Markup]:
    charts = {}
    for table in tables:
        if not table.ballots:
            continue
        if table.method == VoteMethod.MAJORITY:
            title = _("Table %(n)s : mentions reçues par thème", n=table.table_no)
            charts[table.table_no] = merit_profile(
                [(r.theme.title, r.counts) for r in table.rows],
                [str(grade) for grade in GRADES],
                list(GRADE_COLOURS),
                title,
            )
        else:
            title = _("Table %(n)s : gommettes par thème", n=table.table_no)
            charts[table.table_no] = bar_chart(
                [r.dots for r in table.rows], [r.theme.title for r in table.rows], title
            )
    return charts


def _minutes(workshop: Workshop, **extra) -> dict:
    theme_list = boards.themes(workshop)
    notes = boards.visible_notes(workshop, None)
    tables = boards.results(workshop)
    by_table = []
    for table_no in boards.table_numbers(workshop):
        table_themes = [t for t in theme_list if t.table_no == table_no]
        table_notes = [n for n in notes if n.table_no == table_no]
        if table_themes or table_notes:
            by_table.append((table_no, boards.grouped(table_themes, table_notes)))
    return {
        "workshop": workshop,
        "boards": by_table,
        "results": tables,
        "charts": _charts(tables),
        "presence": boards.attendance(workshop),
        "grades": list(enumerate(GRADES)),
        "grade_colours": GRADE_COLOURS,
        "proposed_by": boards.PROPOSED_BY,
        "method_labels": VOTE_METHOD_LABELS,
        "role_labels": SEAT_ROLE_LABELS,
        "note_count": len(notes),
        **extra,
    }


def minutes(slug: str):
    workshop = _workshop(slug)
    require("workshops.read_minutes", workshop)
    return render_page_or_block("workshops/minutes.html", "minutes", **_minutes(workshop))


def edit_minutes(workshop_id: int):
    workshop = _managed(workshop_id)
    form = MinutesForm(
        data={"summary": html_to_text(workshop.minutes_html)} if request.method == "GET" else None
    )
    if form.validate_on_submit():
        publish = "publish" in request.form
        try:
            if publish:
                entered = boards.publish_minutes(current_user, workshop, form.summary.data or "")
            else:
                boards.save_minutes(current_user, workshop, form.summary.data or "")
        except WorkshopError as error:
            db.session.rollback()
            form.summary.errors.append(str(error))
        else:
            db.session.commit()
            if publish:
                flash(
                    ngettext(
                        "Le compte rendu est publié ; %(num)d note rejoint les contributions de "
                        "la concertation.",
                        "Le compte rendu est publié ; %(num)d notes rejoignent les contributions "
                        "de la concertation.",
                        entered,
                    ),
                    "success",
                )
                return redirect_303("workshops.minutes", slug=workshop.slug)
            flash(_("La synthèse est enregistrée."), "success")
            return redirect_303("workshops.edit_minutes", workshop_id=workshop.id)
    status = 422 if form.errors else 200
    context = _minutes(workshop, form=form)
    return render_page_or_block("workshops/edit_minutes.html", "preview", **context), status
