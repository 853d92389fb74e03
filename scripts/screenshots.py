"""`make screenshots`: load the demo into a fresh SQLite file, serve it, and save screenshots
of the home page, a consultation, a proposal, a service and the synthesis, at 1280 px and at
390 px (a phone), in docs/screenshots/. It also reports every page that is wider than the
screen, and exits with an error if one is.

Uses Playwright with Debian's Chromium (/usr/bin/chromium), as the browser tests do.
"""

import sys
import tempfile
import threading
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade
from playwright.sync_api import sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from civic import create_app
from civic.extensions import db

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = {"desktop": (1280, 900), "mobile": (390, 844)}
MAX_HEIGHT = 5000
EAGER = """async () => {
  const images = [...document.querySelectorAll("img")];
  images.forEach((image) => { image.loading = "eager"; });
  await Promise.all(images.map((image) => image.decode().catch(() => null)));
}"""


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def _demo_app(folder: Path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.sqlite'}",
            "CIVIC_UPLOAD_DIR": str(folder / "uploads"),
            "RATELIMIT_ENABLED": False,
            "CIVIC_MAIL_SERVER": None,
            "CIVIC_REDIS_URL": None,
        }
    )
    with app.app_context():
        from civic.core.jobs import site_request_context
        from civic.demo import load_demo

        upgrade()
        with site_request_context():
            load_demo()
        db.session.commit()
        db.session.remove()
    return app


def _pages(app) -> dict[str, str]:
    """name -> path of the pages to photograph, found in the demo's data."""
    from civic.analysis.models import AnalysisRun
    from civic.consultations.models import Consultation, Proposal
    from civic.ratings.models import Rating, Service
    from civic.workshops.models import Selection, Workshop

    with app.app_context():
        consultation = db.session.scalar(
            sa.select(Consultation)
            .where(Consultation.published_at.is_not(None))
            .order_by(Consultation.id)
        )
        proposal = db.session.scalar(
            sa.select(Proposal)
            .where(Proposal.consultation_id == consultation.id, Proposal.status == "published")
            .order_by(Proposal.comment_count.desc(), Proposal.id)
        )
        service = db.session.scalar(
            sa.select(Service)
            .join(Rating, Rating.service_id == Service.id)
            .group_by(Service.id)
            .order_by(sa.func.count(Rating.id).desc(), Service.id)
        )
        decided = db.session.scalar(
            sa.select(Consultation.slug)
            .join(AnalysisRun, AnalysisRun.consultation_id == Consultation.id)
            .where(AnalysisRun.published_at.is_not(None))
        )
        drawn = db.session.scalar(
            sa.select(Workshop.slug)
            .join(Selection, Selection.workshop_id == Workshop.id)
            .where(Selection.published_at.is_not(None))
        )
        workshop = db.session.scalar(
            sa.select(Workshop.slug)
            .where(Workshop.published_at.is_not(None))
            .order_by(Workshop.starts_at.desc())
        )
        pages = {
            "home": "/",
            "consultations": "/concertations",
            "consultation": f"/concertations/{consultation.slug}",
            "proposal": f"/concertations/{consultation.slug}/propositions/{proposal.id}",
            "workshops": "/ateliers",
            "workshop": f"/ateliers/{workshop}",
            "services": "/services",
            "service": f"/services/{service.id}",
            "synthesis": f"/concertations/{decided}/synthese",
        }
        # Checked for width only.
        extra = {
            "open-data": "/donnees-ouvertes",
            "agenda": "/agenda",
            "proposals": pages["consultation"] + "/propositions",
        }
        if drawn:
            extra["draw"] = f"/ateliers/{drawn}/tirage"
        db.session.remove()
    return pages, extra


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        app = _demo_app(Path(folder))
        pages, extra = _pages(app)
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
        base = f"http://127.0.0.1:{server.port}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        too_wide = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
                )
                for label, (width, height) in WIDTHS.items():
                    context = browser.new_context(
                        viewport={"width": width, "height": height}, locale="fr-FR"
                    )
                    page = context.new_page()
                    for name, path in {**pages, **extra}.items():
                        response = page.goto(base + path)
                        if response is None or response.status != 200:
                            raise SystemExit(f"{path}: HTTP {response and response.status}")
                        scroll = page.evaluate("document.documentElement.scrollWidth")
                        if scroll > width:
                            too_wide.append(f"{path} at {width} px: {scroll} px wide")
                        if name in pages:
                            # Every picture loaded (even lazy ones below the fold) before the shot.
                            page.evaluate(EAGER)
                            # The whole page, down to MAX_HEIGHT (the synthesis is very long).
                            tall = page.evaluate("document.documentElement.scrollHeight")
                            clip = {"x": 0, "y": 0, "width": width, "height": min(tall, MAX_HEIGHT)}
                            page.screenshot(
                                path=OUT / f"{name}-{label}.png", full_page=True, clip=clip
                            )
                    context.close()
                browser.close()
        finally:
            server.shutdown()
    print("checked:", ", ".join({**pages, **extra}.values()))
    for line in too_wide:
        print("wider than the screen:", line)
    print(f"{2 * len(pages)} screenshots in {OUT}")
    return 1 if too_wide else 0


if __name__ == "__main__":
    sys.exit(main())
