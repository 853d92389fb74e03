"""The synthesis an elected official can present: its content, and its PDF, made on the
server with WeasyPrint and archived when the decision is published, so that the published
document never changes (its SHA-256 is shown on the page)."""

import hashlib
import logging
import mimetypes
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, render_template

from civic.analysis import queries
from civic.analysis.models import DECISIONS, AnalysisRun, ArchivedReport
from civic.analysis.opinion_words import describe
from civic.analysis.participation import participation
from civic.consultations.models import CHANNEL_LABELS, Consultation, Feature
from civic.core.charts import bar_chart
from civic.extensions import db

# The phases in which people contribute: their span is the consultation's period.
CONTRIBUTING = {str(Feature.PROPOSING), str(Feature.COMMENTING), str(Feature.VOTING)}


def percent(value: float | None) -> str:
    """A share in the reader's language, at most one decimal; "—" when not shown."""
    from flask_babel import format_percent, get_locale

    if value is None:
        return "—"
    pattern = get_locale().percent_formats[None].pattern.replace("#,##0", "#,##0.#", 1)
    return format_percent(value, pattern)


def period(consultation: Consultation) -> tuple:
    phases = [p for p in consultation.phases if CONTRIBUTING & set(p.features)]
    if not phases:
        return None, None
    return min(p.starts_at for p in phases), max(p.ends_at for p in phases)


def context(consultation: Consultation, run: AnalysisRun) -> dict:
    """Everything the synthesis shows, for its page and its PDF alike."""
    from flask_babel import gettext as _

    from civic.documents import analysis as drafts_analysis
    from civic.documents.models import DECISION_LABELS

    figures = queries.figures(run)
    channels = sorted(figures["by_channel"].items())
    chart = bar_chart(
        [n for _c, n in channels],
        [str(CHANNEL_LABELS.get(c, c)) for c, _n in channels],
        _("Contributions analysées par canal"),
        width=460,
    )
    opinions = run.opinions or {}
    ids = [
        *opinions.get("consensus", []),
        *opinions.get("consensus_disagree", []),
        *[i for group in opinions.get("repness", {}).values() for i in group],
    ]
    titles = queries.statement_titles(ids)
    themes = [c for c in run.clusters if not c.isolated]
    isolated = [c for c in run.clusters if c.isolated]
    taking_part = participation(consultation)
    concerned = {c.insee: c for c in taking_part.concerned}
    start, end = period(consultation)
    return {
        "consultation": consultation,
        "run": run,
        "figures": figures,
        "chart": chart,
        "channels": channels,
        "decisions": DECISIONS,
        "titles": titles,
        "opinions_words": describe(opinions, titles),
        "profiles": queries.cluster_profiles(run),
        "campaigns": queries.campaign_texts(run),
        "themes": themes,
        "isolated": isolated,
        "isolated_decisions": Counter(c.decision for c in isolated if c.decision),
        "decided": Counter(c.decision for c in run.clusters if c.decision),
        "participation": taking_part,
        # Paired by INSEE code: the two lists need not be in the same order.
        "communes": [
            (row, concerned[row.insee])
            for row in taking_part.people.communes
            if row.insee in concerned and (row.count or concerned[row.insee].proposals)
        ],
        "period": (start, end),
        "archive": archived(run),
        "percent": percent,
        # The chapter on the draft texts: what the consultation changed in them.
        "drafts": drafts_analysis.of_consultation(consultation.id),
        "decision_labels": DECISION_LABELS,
    }


def archived(run: AnalysisRun) -> ArchivedReport | None:
    return db.session.scalar(sa.select(ArchivedReport).where(ArchivedReport.run_id == run.id))


def _fetcher():
    """WeasyPrint reads our own static files from disk, and nothing from the network."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

    root = Path(current_app.static_folder).resolve()

    class StaticFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            marker = "/static/"
            if marker not in url:
                raise URLFetchingError(f"not fetched: {url}")
            path = (root / url.split(marker, 1)[1].split("?")[0]).resolve()
            if root not in path.parents or not path.is_file():
                raise URLFetchingError(f"not found: {url}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    return StaticFetcher()


def render_pdf(consultation: Consultation, run: AnalysisRun) -> bytes:
    from weasyprint import HTML

    # WeasyPrint warns about every screen-only CSS rule it skips: not worth a log line each.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)

    html = render_template("analysis/report_pdf.html", **context(consultation, run))
    return HTML(
        string=html,
        base_url=current_app.config["CIVIC_BASE_URL"] + "/",
        url_fetcher=_fetcher(),
        media_type="print",
    ).write_pdf()


def archive(run_id: int) -> ArchivedReport:
    """Job: make the published synthesis's PDF once and keep it."""
    run = db.session.get(AnalysisRun, run_id)
    found = archived(run)
    if found is not None:
        return found
    pdf = render_pdf(run.consultation, run)
    found = ArchivedReport(
        run_id=run.id, pdf=pdf, size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest()
    )
    db.session.add(found)
    db.session.flush()
    return found
