"""Thin views: start and follow a run, review its clusters, decide, publish, restitute."""

from flask import Response, abort, flash, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from civic.analysis import answers, queries, services
from civic.analysis import report as report_module
from civic.analysis.models import DECISIONS, STATUS_LABELS, AnalysisRun, Cluster, ClusterMember
from civic.consultations.models import Consultation
from civic.consultations.queries import get_by_slug
from civic.core import jobs
from civic.core.htmx import redirect_303, render_page_or_block, wants_fragment
from civic.core.inputs import int_arg, int_list, strict_int
from civic.core.opendata import csv_download, to_csv
from civic.core.permissions import can, require
from civic.extensions import db


def _consultation(consultation_id: int) -> Consultation:
    return db.session.get(Consultation, consultation_id) or abort(404)


def _run(run_id: int) -> AnalysisRun:
    return db.session.get(AnalysisRun, run_id) or abort(404)


def runs(consultation_id: int):
    consultation = _consultation(consultation_id)
    if request.method == "POST":
        require("analysis.manage", consultation)
        run = services.start(
            current_user,
            consultation,
            seed=int_arg("seed", 0, low=0, source=request.form),
            k=int_arg("k", low=2, high=30, source=request.form),
        )
        db.session.commit()  # the worker must see the run
        jobs.enqueue("civic.analysis.services.run_analysis", run.id)
        db.session.commit()
        return redirect_303("analysis.show_run", run_id=run.id)
    return render_template(
        "analysis/runs.html",
        consultation=consultation,
        runs=queries.runs(consultation.id),
        status_labels=STATUS_LABELS,
    )


def show_run(run_id: int):
    run = _run(run_id)
    # A poll that would show the same progress again gets nothing: no repeated announcement.
    seen = strict_int(request.args.get("progress"))
    if (
        wants_fragment()
        and seen is not None
        and seen == run.progress
        and run.status in ("queued", "running")
    ):
        return "", 204
    return _run_page(run)


def _run_page(run: AnalysisRun, typed: dict | None = None, status: int = 200):
    """The run's page; `typed` keeps a refused answer as it was typed, by group id."""
    others = [(c.id, c.label) for c in run.clusters]
    left = services.left_behind(run) if run.status == "done" and run.published_at is None else []
    page = render_page_or_block(
        "analysis/run.html",
        "progress",
        run=run,
        left_behind=left,
        others=others,
        decisions=DECISIONS,
        status_labels=STATUS_LABELS,
        can_manage=can(current_user, "analysis.manage"),
        typed=typed or {},
    )
    return page, status


def _cluster(cluster_id: int) -> Cluster:
    return db.session.get(Cluster, cluster_id) or abort(404)


def _apply(action, *args, success: str, cluster: Cluster):
    try:
        action(current_user, *args)
    except services.AnalysisError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect_303("analysis.show_run", run_id=cluster.run_id)


def rename(cluster_id: int):
    cluster = _cluster(cluster_id)
    require("analysis.manage", cluster)
    return _apply(
        services.rename,
        cluster,
        request.form.get("label", ""),
        success=_("Le groupe est renommé."),
        cluster=cluster,
    )


def merge(cluster_id: int):
    cluster = _cluster(cluster_id)
    require("analysis.manage", cluster)
    target_id = int_arg("target", source=request.form)
    target = db.session.get(Cluster, target_id) if target_id else None
    if target is None:
        flash(_("Choisissez le groupe dans lequel fusionner."), "error")
        return redirect_303("analysis.show_run", run_id=cluster.run_id)
    return _apply(
        services.merge, cluster, target, success=_("Les groupes sont fusionnés."), cluster=target
    )


def split(cluster_id: int):
    cluster = _cluster(cluster_id)
    require("analysis.manage", cluster)
    ids = int_list("member")
    return _apply(
        services.split,
        cluster,
        ids,
        request.form.get("label", ""),
        success=_("Le groupe est scindé."),
        cluster=cluster,
    )


def move(member_id: int):
    member = db.session.get(ClusterMember, member_id) or abort(404)
    require("analysis.manage", member)
    target_id = int_arg("target", source=request.form)
    target = db.session.get(Cluster, target_id) if target_id else None
    if target is None:
        flash(_("Choisissez le groupe de destination."), "error")
        return redirect_303("analysis.show_run", run_id=member.run_id)
    return _apply(
        services.move, member, target, success=_("La contribution est déplacée."), cluster=target
    )


def validate(cluster_id: int):
    cluster = _cluster(cluster_id)
    require("analysis.manage", cluster)
    return _apply(
        services.validate,
        cluster,
        request.form.get("validated") != "0",
        success=_("Le groupe est validé : il sera conservé tel quel."),
        cluster=cluster,
    )


def decide(cluster_id: int):
    cluster = _cluster(cluster_id)
    require("analysis.review", cluster)
    decision = request.form.get("decision", "")
    justification = request.form.get("justification", "")
    try:
        services.decide(current_user, cluster, decision, justification)
    except services.AnalysisError as error:
        # The page again, with what was chosen and typed (a redirect would lose it).
        db.session.rollback()
        typed = {cluster.id: {"decision": decision, "justification": justification}}
        typed[cluster.id]["error"] = str(error)
        return _run_page(_run(cluster.run_id), typed, 422)
    db.session.commit()
    flash(_("La réponse est enregistrée."), "success")
    return redirect_303("analysis.show_run", run_id=cluster.run_id)


def publish(run_id: int):
    run = _run(run_id)
    require("analysis.review", run)
    try:
        count = services.publish(current_user, run)
    except services.AnalysisError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            ngettext(
                "La décision est publiée ; %(num)s participant est prévenu.",
                "La décision est publiée ; %(num)s participants sont prévenus.",
                count,
            ),
            "success",
        )
    return redirect_303("analysis.show_run", run_id=run.id)


def _report_run(slug: str) -> tuple[Consultation, AnalysisRun]:
    consultation = get_by_slug(slug) or abort(404)
    run = queries.published_run(consultation.id)
    # Before publication, the report is for the officials and agents preparing it.
    if run is None and can(current_user, "analysis.review"):
        run = queries.latest_done_run(consultation.id)
    if run is None:
        abort(404)
    return consultation, run


def report(slug: str):
    consultation, run = _report_run(slug)
    return render_template("analysis/report.html", **report_module.context(consultation, run))


def report_pdf(slug: str):
    """The published PDF as archived at publication (made then if it was not), or a working
    copy for those preparing a decision not yet published."""
    consultation, run = _report_run(slug)
    if run.published_at is not None:
        found = report_module.archived(run)
        if found is None:
            found = report_module.archive(run.id)
            db.session.commit()
        pdf, name = found.pdf, f"synthese-{consultation.slug}.pdf"
    else:
        pdf, name = report_module.render_pdf(consultation, run), "synthese-document-de-travail.pdf"
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename={name}"
    # A PDF opened here runs no script and cannot frame or be framed.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if run.published_at is None:
        response.headers["Cache-Control"] = "no-store"
    return response


def report_csv(slug: str):
    consultation, run = _report_run(slug)
    rows = [
        {
            "groupe": c.label,
            "mots_cles": ", ".join(c.keywords),
            "contributions": c.size,
            "contributions_dedoublonnees": c.size_unique,
            "decision": str(DECISIONS.get(c.decision, "")),
            "justification": c.justification,
        }
        for c in run.clusters
    ]
    fields = [
        "groupe",
        "mots_cles",
        "contributions",
        "contributions_dedoublonnees",
        "decision",
        "justification",
    ]
    return csv_download(to_csv(rows, fields), f"synthese-{consultation.slug}.csv")


def restitution(slug: str):
    consultation = get_by_slug(slug) or abort(404)
    run = queries.published_run(consultation.id)
    mine = queries.contributions_of(current_user.id, consultation.id)
    keys = [
        *(("proposal", p.id) for p in mine["proposals"]),
        *(("comment", c.id) for c in mine["comments"]),
        *(("proposal", p.id) for _v, p in mine["votes"]),
    ]
    return render_template(
        "analysis/restitution.html",
        consultation=consultation,
        run=run,
        outcomes=answers.outcomes(keys),
        contributed=bool(keys),
        **mine,
    )
