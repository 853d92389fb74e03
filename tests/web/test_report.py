"""The synthesis of the demo: the same participation figures as the diversity dashboard and
the open data, a summary first, and a PDF archived at publication that never changes."""

import hashlib
import re

import sqlalchemy as sa

from civic.analysis import opendata as analysis_data
from civic.analysis.models import AnalysisRun, ArchivedReport
from civic.consultations.models import Consultation
from civic.core.catalogues import french_spacing as fr
from tests.conftest import log_in
from tests.web.helpers import text
from tests.web.test_workshop_dashboard import by_id, cells


def _demo(app, db):
    from civic.demo import load_demo

    with app.test_request_context():
        load_demo()
    db.session.commit()
    return db.session.scalar(sa.select(Consultation).where(Consultation.slug == "plan-climat"))


def _number(value: str) -> int:
    return int(re.sub(r"\D", "", value))


def test_demo_synthesis_dashboard_and_open_data_agree(app, client, make_user, db):
    climate = _demo(app, db)
    report = client.get("/concertations/plan-climat/synthese").get_data(as_text=True)
    log_in(client, make_user("agent"))
    dashboard = client.get("/concertations/plan-climat/diversite").get_data(as_text=True)
    rows = list(analysis_data.participation_rows(consultation_id=climate.id))
    total = rows[0]
    assert total["commune_insee"] is None
    summary = by_id(report, "summary-participants")
    # The totals: people and contributions.
    participants = _number(by_id(dashboard, "participants"))
    contributions = _number(by_id(dashboard, "contributions"))
    assert participants == total["participants"] > 0
    assert contributions == total["contributions"] > 0
    assert summary.startswith(f"{participants} personnes ont pris part")
    assert f"pour {contributions} contributions en tout" in summary
    # Commune by commune: the same people (or the same "< 5").
    by_insee = {row["commune_insee"]: row for row in rows[1:]}
    shown = re.findall(r'<tr id="report-commune-(\d+)">', report)
    assert shown, "the summary lists the communes"
    for insee in shown:
        in_report = cells(report, f"report-commune-{insee}")
        in_dashboard = cells(dashboard, f"commune-{insee}")
        people = by_insee[insee]["participants"]
        assert in_report[1] == in_dashboard[1] == ("< 5" if people is None else str(people))
        assert _number(in_report[4]) == by_insee[insee]["propositions_concernees"]
    assert sum(1 for row in rows[1:] if row["participants"]) >= 1


def test_summary_first_and_the_published_pdf_never_changes(app, client, make_user, db):
    _demo(app, db)
    page = text(client.get("/concertations/plan-climat/synthese"))
    order = [
        page.index("En bref"),
        page.index("Qui a participé"),
        page.index("Ce qu'ils ont dit"),
        page.index("Ce qui a été décidé"),
        page.index("Le détail"),
        page.index(fr("Annexe : comment les contributions ont été analysées")),
    ]
    assert order == sorted(order)
    assert "Communauté d'agglomération du Sicoval" in page  # the authority, from the settings
    assert "Concertation du " in page and "décision publiée le " in page
    # Deduplicated totals show (the pipeline's "texts_unique").
    assert "textes différents après dédoublonnage" in page
    # No table of raw settings in the body.
    assert "k_method" not in page and "svd_components" not in page

    # The PDF, made at publication and archived: downloaded again, it is the same file.
    climate = db.session.scalar(sa.select(Consultation).where(Consultation.slug == "plan-climat"))
    run = db.session.scalar(sa.select(AnalysisRun).where(AnalysisRun.consultation_id == climate.id))
    archived = db.session.scalar(sa.select(ArchivedReport).where(ArchivedReport.run_id == run.id))
    assert archived is not None  # made at publication
    first = client.get("/concertations/plan-climat/synthese.pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    body = first.get_data()
    assert body.startswith(b"%PDF-")
    assert hashlib.sha256(body).hexdigest() == archived.sha256
    again = client.get("/concertations/plan-climat/synthese.pdf").get_data()
    assert again == body
    assert archived.sha256 in text(client.get("/concertations/plan-climat/synthese"))
    # A later answer does not change the published document.
    from civic.consultations import services as consultations
    from civic.consultations.models import Proposal

    proposal = db.session.scalar(
        sa.select(Proposal).where(Proposal.consultation_id == climate.id).limit(1)
    )
    with app.test_request_context():
        consultations.answer_proposal(
            make_user("elected"), proposal, status="retained", text="Oui.", signed_as="Maire"
        )
    db.session.commit()
    assert client.get("/concertations/plan-climat/synthese.pdf").get_data() == body
