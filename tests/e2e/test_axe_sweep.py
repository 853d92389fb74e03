"""axe-core (WCAG 2.0/2.1 A and AA) on every page each demo role can reach, and after htmx swaps.

A live server of its own, on a fresh SQLite file loaded with `flask civic demo`'s content (the
shared live server holds only what each test creates). For each role, a breadth-first crawl of
same-origin links from / (and the /gestion pages the role's menu shows) keeps one URL per Flask
endpoint, runs axe on each and collects every violation, so that one failure lists them all.
"""

from collections import deque
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Browser, Page, expect
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from civic.accounts.models import User
from civic.accounts.passwords import hash_password
from civic.consultations.demo import FIRST_NAMES
from civic.extensions import db as _db
from tests.e2e.conftest import TIMEOUT_MS, BrowserLog, live_app, log_in, serving
from tests.e2e.test_accessibility import AXE, AXE_OPTIONS

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "axe-sweep-password-2026"
DEMO_DOMAIN = "civic-demo.example.org"
ROLE_EMAILS = {
    "anonymous": None,
    # A citizen in good standing, who sees the vote, volunteer and rating forms, and the one
    # the demo's moderation blocks (civic/moderation/demo.py: the last "habitant" account).
    "citizen": f"habitant1@{DEMO_DOMAIN}",
    "blocked-citizen": f"habitant{len(FIRST_NAMES)}@{DEMO_DOMAIN}",
    "agent": f"agent@{DEMO_DOMAIN}",
    "elected": f"elu@{DEMO_DOMAIN}",
    "facilitator": f"animatrice@{DEMO_DOMAIN}",
    "moderator": f"codev@{DEMO_DOMAIN}",
    "admin": f"admin@{DEMO_DOMAIN}",
}
MAX_PAGES = 60
SKIPPED_SUFFIXES = (".csv", ".json", ".ics", ".pdf", ".atom", ".xml", ".zip", ".geojson")
SKIPPED_WORDS = ("deconnexion", "logout", "export", "telecharg")


@dataclass
class DemoServer:
    app: Flask
    url: str

    def endpoint(self, path: str) -> str | None:
        """The Flask endpoint that answers this path (GET), or None if none does."""
        adapter = self.app.url_map.bind("127.0.0.1")
        try:
            endpoint, _ = adapter.match(path, method="GET")
        except RequestRedirect as redirect:
            return self.endpoint(urlsplit(redirect.new_url).path)
        except HTTPException:
            return None
        return endpoint


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    app = live_app(tmp_path_factory.mktemp("axe-demo") / "demo.sqlite")
    with app.app_context():
        from civic.core.jobs import site_request_context
        from civic.demo import load_demo

        upgrade()
        with site_request_context():
            load_demo()
        _db.session.execute(
            sa.update(User)
            .where(User.email.like(f"%@{DEMO_DOMAIN}"))
            .values(password_hash=hash_password(DEMO_PASSWORD))
        )
        _db.session.commit()
        _db.session.remove()

    with serving(app, "axe-demo-server") as url:
        yield DemoServer(app=app, url=url)


@pytest.fixture
def demo_page(browser: Browser, demo_server: DemoServer):
    log = BrowserLog()
    context = browser.new_context(base_url=demo_server.url, locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", log.on_console)
    page.on("pageerror", log.on_page_error)
    yield page
    context.close()
    problems = log.problems()
    if problems:
        pytest.fail("Chromium reported problems:\n" + "\n".join(problems), pytrace=False)


# --- axe -----------------------------------------------------------------------------------


def axe_violations(page: Page, role: str, where: str) -> list[str]:
    """One line per failing node: role, page, rule, selector."""
    found = []
    for violation in AXE.run(page, options=AXE_OPTIONS).response["violations"]:
        for node in violation["nodes"]:
            target = ", ".join(map(str, node["target"]))
            found.append(
                f"{role} {where} {violation['id']} ({violation['impact']}) at {target}: "
                f"{node['html'][:160]}"
            )
    return found


def report(violations: list[str]) -> str:
    return f"{len(violations)} axe violation(s):\n" + "\n".join(violations)


# --- the crawl -----------------------------------------------------------------------------


def skipped(path: str) -> bool:
    lowered = path.lower()
    return (
        lowered.startswith("/static")
        or lowered.endswith(SKIPPED_SUFFIXES)
        or any(word in lowered for word in SKIPPED_WORDS)
    )


def same_origin_links(page: Page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "a[href]:not([download])", "links => links.map(a => a.getAttribute('href'))"
    )
    paths = []
    for href in hrefs:
        absolute = urljoin(page.url, href)
        parts = urlsplit(absolute)
        if f"{parts.scheme}://{parts.netloc}" != base or skipped(parts.path):
            continue
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def crawl(page: Page, server: DemoServer, role: str) -> tuple[list[str], list[str]]:
    """Pages visited (one per endpoint) and the axe violations found on them."""
    seen_endpoints: set[str] = set()
    queue = deque(["/"])
    # The management pages the role's menu shows (header and footer navigation).
    page.goto("/")
    for path in same_origin_links(page, server.url):
        if path.startswith("/gestion"):
            queue.append(path)
    visited, violations = [], []
    while queue and len(visited) < MAX_PAGES:
        path = queue.popleft()
        endpoint = server.endpoint(path.split("?")[0])
        if endpoint is None or endpoint == "static" or endpoint in seen_endpoints:
            continue
        seen_endpoints.add(endpoint)
        response = page.goto(path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited.append(f"{path} ({endpoint}, {response.status})")
        violations += axe_violations(page, role, path)
        queue.extend(same_origin_links(page, server.url))
    return visited, violations


@pytest.mark.parametrize("role", ROLE_EMAILS.keys())
def test_every_reachable_page_has_no_axe_violation(demo_page: Page, demo_server, role):
    if ROLE_EMAILS[role]:
        log_in(demo_page, ROLE_EMAILS[role], DEMO_PASSWORD)
    visited, violations = crawl(demo_page, demo_server, role)
    print(f"{role}: {len(visited)} page(s) checked:", *visited, sep="\n  ")
    assert len(visited) >= 5, visited
    assert not violations, report(violations)


# --- after htmx swaps ----------------------------------------------------------------------


def htmx_swap(page: Page, action) -> None:
    """Do the action, wait for its htmx request and for the swap to settle."""
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true") as answer:
        action()
    assert answer.value.ok, f"{answer.value.url} answered {answer.value.status}"
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def filter_proposals(page: Page, server: DemoServer) -> str:
    page.goto("/concertations/plan-climat/propositions")
    htmx_swap(page, lambda: page.locator("main select#sort").select_option("newest"))
    return "proposal list after the sort filter changed"


def vote_on_a_proposal(page: Page, server: DemoServer) -> str:
    page.goto("/concertations/plan-climat/propositions")
    page.locator("main #results a[href*='/propositions/']").first.click()
    # "Disagree": the demo citizen has used up the consultation's 10 "agree" votes (422).
    button = page.locator("main form[id^='vote-'] button[value='disagree']")
    expect(button).to_be_visible()
    htmx_swap(page, button.click)
    expect(page.locator("main form[id^='vote-'] button[value='disagree']")).to_have_attribute(
        "aria-pressed", "true"
    )
    return f"{urlsplit(page.url).path} after voting"


def filter_services(page: Page, server: DemoServer) -> str:
    page.goto("/services")
    htmx_swap(page, lambda: page.locator("main select#type").select_option(index=1))
    return "service list after the type filter changed"


def filter_workshops(page: Page, server: DemoServer) -> str:
    page.goto("/ateliers")
    htmx_swap(page, lambda: page.locator("main select#commune").select_option(index=1))
    return "workshop list after the commune filter changed"


def filter_moderation_queue(page: Page, server: DemoServer) -> str:
    page.goto("/gestion/moderation")
    htmx_swap(page, lambda: page.locator("main select#kind").select_option(index=1))
    return f"{urlsplit(page.url).path} after the kind filter changed"


def filter_users(page: Page, server: DemoServer) -> str:
    page.goto("/gestion/utilisateurs")
    htmx_swap(page, lambda: page.locator("main select#role").select_option(index=1))
    return f"{urlsplit(page.url).path} after the role filter changed"


def check_quotas(page: Page, server: DemoServer) -> str:
    from civic.workshops.models import Workshop

    with server.app.app_context():
        workshop_id = _db.session.scalar(
            sa.select(Workshop.id).where(Workshop.slug == "atelier-climat-renover-les-logements")
        )
        _db.session.remove()
    page.goto(f"/gestion/ateliers/{workshop_id}/quotas")
    htmx_swap(page, page.get_by_role("button", name="Les quotas sont-ils tenables ?").click)
    expect(page.locator("#check-result")).not_to_be_empty()
    return f"{urlsplit(page.url).path} after the htmx quota check"


SWAPS = {
    "citizen-proposal-filter": ("citizen", filter_proposals),
    "citizen-vote": ("citizen", vote_on_a_proposal),
    "anonymous-service-filter": ("anonymous", filter_services),
    "anonymous-workshop-filter": ("anonymous", filter_workshops),
    "moderator-queue-filter": ("moderator", filter_moderation_queue),
    "admin-user-filter": ("admin", filter_users),
    "facilitator-quota-check": ("facilitator", check_quotas),
}


@pytest.mark.parametrize("role, swap", SWAPS.values(), ids=SWAPS.keys())
def test_no_axe_violation_after_htmx_swap(demo_page: Page, demo_server, role, swap):
    if ROLE_EMAILS[role]:
        log_in(demo_page, ROLE_EMAILS[role], DEMO_PASSWORD)
    where = swap(demo_page, demo_server)
    violations = axe_violations(demo_page, role, where)
    assert not violations, report(violations)
