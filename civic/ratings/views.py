"""Thin views: the directory, the service page, rating, answers, import and export."""

import re
import secrets
import time
from types import SimpleNamespace

import sqlalchemy as sa
from flask import abort, flash, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import undefer

from civic.consultations.models import Consultation
from civic.core import limits, uploads
from civic.core.charts import bar_chart
from civic.core.formatting import collate, number
from civic.core.htmx import redirect_303, render_page_or_block
from civic.core.inputs import int_arg
from civic.core.models import utcnow
from civic.core.pagination import page_arg
from civic.core.permissions import require
from civic.extensions import db
from civic.ratings import hours, importer, pictures, queries, services
from civic.ratings.forms import (
    AnswerForm,
    ImportForm,
    PictureForm,
    ProposalFromServiceForm,
    RatingForm,
)
from civic.ratings.models import ANSWER_LABELS, CHANNELS, CRITERIA, Rating, Service
from civic.territory.models import Commune
from civic.territory.queries import commune_choices


def _service(service_id: int) -> Service:
    return db.session.get(Service, service_id) or abort(404)


def _filters() -> dict:
    return {
        "q": request.args.get("q", "")[:100],
        "commune_id": int_arg("commune"),
        "type_": request.args.get("type", "")[:120],
    }


def index():
    filters = _filters()
    page = queries.directory(page_arg(), **filters)
    return render_page_or_block(
        "ratings/index.html",
        "results",
        page=page,
        filters=filters,
        types=queries.types(),
        communes=commune_choices(),
    )


def map_data():
    """The map's data, fetched by the page's script: communes' outlines and services."""
    filters = _filters()
    found = queries.map_points(**filters)
    scores = queries.satisfaction([(p["id"], p["type"]) for p in found])
    points = [
        {
            **{k: v for k, v in p.items() if k not in ("picture_filename", "picture_alt")},
            "url": url_for("ratings.show", service_id=p["id"]),
            # The service's picture, or its type's drawing (decorative: no text alternative).
            **_map_picture(p),
            # Written here, in the reader's language and number format, as the page says it.
            "score": _score_text(*scores[p["id"]]),
        }
        for p in found
    ]
    communes = [
        {
            "type": "Feature",
            # The label point: the commune's centre, where its name is written.
            "properties": {
                "name": c.name,
                "label": [c.latitude, c.longitude],
                "population": c.population,
            },
            "geometry": c.outline,
        }
        for c in db.session.scalars(
            sa.select(Commune).where(Commune.closed_at.is_(None)).options(undefer(Commune.outline))
        )
        if c.outline
    ]
    response = jsonify(
        {
            "communes": {"type": "FeatureCollection", "features": communes},
            "services": points,
            "attribution": _("Contours : IGN Admin Express, Licence Ouverte"),
        }
    )
    response.cache_control.public = True
    response.cache_control.max_age = 300
    # The scores are written in the reader's language (from the session or the browser).
    response.vary.update(("Cookie", "Accept-Language"))
    return response


def _map_picture(point: dict) -> dict:
    src, alt = pictures.picture(SimpleNamespace(**point))
    return {"picture": src, "picture_alt": alt}


def _score_text(count: int, score: float | None) -> str:
    if score is None:
        return ngettext(
            "%(num)d avis : la note s'affiche à partir de 5 avis.",
            "%(num)d avis : la note s'affiche à partir de 5 avis.",
            count,
        )
    return ngettext(
        "Satisfaction globale : %(score)s sur 5 (%(num)d avis)",
        "Satisfaction globale : %(score)s sur 5 (%(num)d avis)",
        count,
        score=number(score, 1),
    )


def ranking():
    types = queries.ranked_types()
    # Opens on the type with the most ranked services, not on an empty table.
    busiest = max(types, key=lambda t: types[t], default="")
    service_type = request.args.get("type", "")[:120] or (busiest if types.get(busiest) else "")
    rows = queries.ranking(service_type) if service_type else []
    return render_template(
        "ratings/ranking.html",
        rows=rows,
        service_type=service_type,
        types=types,
        min_ratings=queries.MIN_RATINGS,
    )


def show(service_id: int):
    service = _service(service_id)
    scores = queries.scores(service)
    labels = [_("%(n)s sur 5", n=i) for i in range(1, 6)]
    chart = bar_chart(scores.distribution, labels, _("Répartition des notes de satisfaction"))
    return render_page_or_block(
        "ratings/show.html",
        "comments",
        service=service,
        scores=scores,
        chart=chart,
        labels=labels,
        criteria=CRITERIA,
        hours=hours.state(service.hours, utcnow()),
        weekly_hours=hours.weekly(service.hours, utcnow()),
        comments=queries.published_comments(service, page_arg()),
        median_hours=services.median_response_hours(service),
        own=queries.own_rating(current_user, service),
        answer_form=AnswerForm(),
        answer_labels=ANSWER_LABELS,
        channels=CHANNELS,
        min_ratings=queries.MIN_RATINGS,
    )


@limits.per_address("CIVIC_RATING_LIMIT")
@limits.per_account("CIVIC_RATING_LIMIT")
def rate(service_id: int):
    service = _service(service_id)
    own = queries.own_rating(current_user, service)
    form = RatingForm(obj=None)
    if request.method == "GET" and own is not None:
        for name in CRITERIA:
            getattr(form, name).data = str(getattr(own, name))
        form.channel.data = own.channel
        form.comment.data = own.comment
    if form.validate_on_submit():
        answered = form.open_as_announced.data
        try:
            services.rate(
                current_user,
                service,
                scores={name: int(getattr(form, name).data) for name in CRITERIA},
                channel=form.channel.data,
                open_as_announced={"yes": True, "no": False}.get(answered),
                comment=form.comment.data or "",
            )
        except services.RatingError as error:
            db.session.rollback()
            form.channel.errors = [*form.channel.errors, str(error)]
        else:
            db.session.commit()
            flash(
                _("Merci pour votre avis. Votre commentaire sera publié après relecture.")
                if form.comment.data
                else _("Merci pour votre avis."),
                "success",
            )
            return redirect_303("ratings.show", service_id=service.id)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "ratings/rate.html", service=service, form=form, own=own, criteria=CRITERIA
    ), status


def answer(service_id: int, rating_id: int):
    service = _service(service_id)
    require("ratings.answer", service)
    rating = db.session.get(Rating, rating_id)
    if rating is None or rating.service_id != service.id or rating.comment_status != "published":
        abort(404)
    form = AnswerForm()
    if form.validate_on_submit():
        services.answer(
            current_user,
            rating,
            text=form.text.data,
            signed_as=form.signed_as.data,
            status=form.status.data,
        )
        db.session.commit()
        flash(_("Votre réponse est publiée."), "success")
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
    return redirect_303("ratings.show", service_id=service.id)


# --- management ----------------------------------------------------------------------------


# A previewed upload waits this long for its confirmation.
PENDING_IMPORT_SECONDS = 3600
TOKEN = re.compile(r"[0-9a-f]{32}")


def _pending_path(token: str):
    return services_upload_dir() / f"import-{token}.bin"


def services_upload_dir():
    from civic.core.uploads import upload_dir

    return upload_dir()


def _remove_stale_imports() -> None:
    """Uploads kept for a preview that was never confirmed go after an hour."""
    limit = time.time() - PENDING_IMPORT_SECONDS
    for path in services_upload_dir().glob("import-*.bin"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue  # removed meanwhile by another worker


def import_services():
    """Upload, preview the mapping and the first rejected rows, then confirm."""
    _remove_stale_imports()
    form = ImportForm()
    preview = None
    token = request.form.get("token", "")
    if form.validate_on_submit():
        if TOKEN.fullmatch(token):
            data = _pending_path(token).read_bytes() if _pending_path(token).exists() else b""
        else:
            upload = form.file.data
            data = upload.read() if upload and getattr(upload, "filename", "") else b""
            token = secrets.token_hex(16)
            _pending_path(token).write_bytes(data)
        try:
            parsed = importer.parse(
                data, form.format.data, getattr(form.file.data, "filename", "") or ""
            )
        except importer.UnreadableFile as error:
            _pending_path(token).unlink(missing_ok=True)  # refused: nothing to confirm later
            form.file.errors = [_("Ce fichier ne peut pas être lu : %(why)s", why=str(error))]
            return render_template("ratings/import.html", form=form, preview=None), 422
        if request.form.get("confirm") == "1":
            try:
                report = services.import_services(
                    current_user,
                    form.source.data,
                    parsed,
                    dataset=form.dataset.data or "",
                    filename=getattr(form.file.data, "filename", "") or "",
                )
            except services.RatingError as error:
                db.session.rollback()
                _pending_path(token).unlink(missing_ok=True)
                form.source.errors = [str(error)]
                return render_template("ratings/import.html", form=form, preview=None), 422
            db.session.commit()
            _pending_path(token).unlink(missing_ok=True)
            counts = ", ".join(
                (
                    ngettext("%(num)d service créé", "%(num)d services créés", report.created),
                    ngettext("%(num)d mis à jour", "%(num)d mis à jour", report.updated),
                    ngettext("%(num)d inchangé", "%(num)d inchangés", report.unchanged),
                    ngettext("%(num)d fermé", "%(num)d fermés", report.closed),
                    ngettext(
                        "%(num)d hors territoire (ignoré)",
                        "%(num)d hors territoire (ignorés)",
                        report.outside,
                    ),
                    ngettext(
                        "%(num)d ligne rejetée",
                        "%(num)d lignes rejetées",
                        len(report.rejected),
                    ),
                )
            )
            flash(_("Import terminé : %(counts)s.", counts=counts), "success")
            return redirect_303("ratings.index")
        preview = {
            "parsed": parsed,
            "token": token,
            "sample": parsed.rows[:5],
            "placed": services.placements(parsed),
        }
    status = 422 if form.is_submitted() and preview is None else 200
    return render_template("ratings/import.html", form=form, preview=preview), status


def propose_from_service(service_id: int):
    service = _service(service_id)
    form = ProposalFromServiceForm()
    published = db.session.scalars(
        sa.select(Consultation).where(Consultation.published_at.is_not(None))
    )
    form.consultation_id.choices = [(c.id, c.title) for c in collate(published, "title")]
    if request.method == "GET":
        weakest = min(CRITERIA, key=lambda c: queries.scores(service).averages[c])
        form.title.data = _(
            "Améliorer « %(criterion)s » : %(name)s", criterion=CRITERIA[weakest], name=service.name
        )
    if form.validate_on_submit():
        consultation = db.session.get(Consultation, form.consultation_id.data)
        proposal = services.open_proposal(
            current_user, service, consultation, title=form.title.data, body=form.body.data
        )
        db.session.commit()
        flash(_("La proposition est ouverte dans la concertation."), "success")
        return redirect_303(
            "consultations.show_proposal", slug=consultation.slug, proposal_id=proposal.id
        )
    status = 422 if form.is_submitted() else 200
    return render_template("ratings/propose.html", service=service, form=form), status


def unfreeze(service_id: int):
    service = _service(service_id)
    services.unfreeze(current_user, service)
    db.session.commit()
    flash(_("Les avis sont de nouveau ouverts sur ce service."), "success")
    return redirect_303("ratings.show", service_id=service.id)


# --- pictures ------------------------------------------------------------------------------


def picture(service_id: int):
    service = _service(service_id)
    if not service.picture_filename:
        abort(404)
    return uploads.send(service.picture_filename, f"service-{service.id}")


def _picture_page(service: Service, form: PictureForm, status: int = 200):
    return (
        render_template(
            "ratings/picture.html",
            service=service,
            form=form,
            illustration=pictures.illustration_url(service.type),
        ),
        status,
    )


def set_picture(service_id: int):
    service = _service(service_id)
    require("ratings.set_picture", service)
    form = PictureForm()
    if form.validate_on_submit():
        try:
            old = services.set_picture(
                current_user, service, form.picture.data.read(), form.picture_alt.data
            )
        except services.RatingError as error:
            db.session.rollback()
            form.picture.errors = [str(error)]
        else:
            db.session.commit()
            uploads.remove(old)
            flash(_("L'image est enregistrée."), "success")
            return redirect_303("ratings.show", service_id=service.id)
    if request.method == "GET":
        form.picture_alt.data = service.picture_alt
    return _picture_page(service, form, 422 if form.is_submitted() else 200)


def remove_picture(service_id: int):
    service = _service(service_id)
    require("ratings.set_picture", service)
    old = services.remove_picture(current_user, service)
    db.session.commit()
    uploads.remove(old)
    flash(_("L'image est retirée : le dessin du type de service la remplace."), "success")
    return redirect_303("ratings.show", service_id=service.id)
