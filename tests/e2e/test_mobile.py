"""A phone (390 px wide), with and without JavaScript: no page is wider than the screen, and the
rating scale's grades are targets of at least 44 by 44 pixels (WCAG 2.5.5)."""

import secrets

import pytest
import sqlalchemy as sa

from civic.extensions import db as _db
from civic.ratings.models import Service
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
PAGES = [
    "/",
    "/concertations",
    "/ateliers",
    "/services",
    "/donnees-ouvertes",
    "/charte",
    "/question?q=horaires+de+la+piscine+de+Ramonville-Saint-Agne+dimanche+matin",
    "/question/demande",
    "/suivi",
    "/agenda",
    "/communes",
    "/services/classement",
    "/aide",
    "/glossaire",
    "/moderation/journal",
    "/accessibilite",
    "/mentions-legales",
    "/donnees-personnelles",
    "/compte/connexion",
    "/compte/inscription",
    "/compte/mot-de-passe-oublie",
]
# A resident's own pages, walked signed in.
ACCOUNT_PAGES = [
    "/compte/profil",
    "/mes-contributions",
    "/mes-amendements",
    "/compte/donnees",
    "/compte/courriels",
    "/compte/notifications",
    "/compte/mot-de-passe",
]


@pytest.fixture
def service(live_server):
    with live_server.app.app_context():
        service = Service(source="e2e-mobile", source_id=secrets.token_hex(4), name="Piscine")
        _db.session.add(service)
        _db.session.commit()
        service_id = service.id
        _db.session.remove()
    yield service_id
    with live_server.app.app_context():
        _db.session.execute(sa.delete(Service).where(Service.id == service_id))
        _db.session.commit()
        _db.session.remove()


def test_a_phone_never_scrolls_sideways_and_grades_are_big_enough(page, live_users, service):
    page.set_viewport_size(PHONE)
    for path in PAGES:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width} px wide"
    # The field to follow a request by its number is a full-size field, not a 21 px box.
    page.goto("/suivi")
    assert page.locator("#reference").bounding_box()["height"] >= 40
    email, password = live_users.create()
    log_in(page, email, password)
    for path in ACCOUNT_PAGES:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width} px wide"
    # The header's links, the account's tabs and the choices of a form are finger targets
    # (WCAG 2.5.5).
    for link in ("Notifications", "Mon compte"):
        box = page.locator(".header-tools").get_by_role("link", name=link).bounding_box()
        assert box["height"] >= 44, link
    tabs = page.locator(".sub-nav a")
    assert tabs.count() >= 5
    for i in range(tabs.count()):
        assert tabs.nth(i).bounding_box()["height"] >= 44, tabs.nth(i).inner_text()
    page.goto("/compte/courriels")
    choice = page.locator("main .radio label, main .checkbox label").first
    assert choice.bounding_box()["height"] >= 44
    page.goto(f"/services/{service}/avis")
    grades = page.locator(".scale-option label")
    assert grades.count() >= 5
    for i in range(grades.count()):
        box = grades.nth(i).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, (i, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
