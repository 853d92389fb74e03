"""axe-core on the workshop pages, as each person sees them: the agenda, a workshop, the call
for volunteers (also in error), the public audit of the draw, an invitation; the facilitator's
pages (workshop, quotas with a check result, volunteers, selection, table); the live board, the
ballot (also in error), the minutes and the diversity dashboards. Pages changed by htmx are
checked again after the swap.

The workshops are made once for the module, on the live server's own database, in the state
each page needs, and deleted afterwards."""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from civic.consultations.models import Consultation
from civic.extensions import db as _db
from civic.workshops import board, services
from civic.workshops.models import Participant, Selection, Volunteer, Workshop
from tests.e2e.conftest import TIMEOUT_MS, LiveUsers, log_in
from tests.e2e.test_accessibility import assert_no_axe_violations
from tests.e2e.test_consultations_journey import LiveConsultations
from tests.e2e.test_workshops_journey import (
    OTHERS,
    LiveWorkshop,
    LiveWorkshops,
)

pytestmark = pytest.mark.e2e

# Only with JavaScript: axe needs scripts (see test_accessibility.py); the server sends the
# same HTML to both kinds of browsers.
JS_ONLY = pytest.mark.parametrize("js", [True], ids=["js"])


# --- the workshops, once for the module -----------------------------------------------------


@dataclass
class Scene:
    """Four workshops, one per stage, and the session cookies of the people who look."""

    open: LiveWorkshop  # the call for volunteers is open; volunteers, quotas, no draw
    drawn: LiveWorkshop  # the draw is published; the citizen is invited
    live: LiveWorkshop  # today: notes, two themes, the vote open, one ballot cast
    done: LiveWorkshop  # the minutes are published, with the results of the vote
    run_id: int  # the published draw of `drawn`
    invitation_token: str  # the citizen's invitation to `drawn`
    consultation_slug: str  # the consultation `done` belongs to
    citizen: list[dict]
    facilitator: list[dict]


def _cookies(browser: Browser, live_server, email: str, password: str) -> list[dict]:
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        log_in(context.new_page(), email, password)
        return context.cookies()
    finally:
        context.close()


class _Builder:
    """Services run in the live app, as the views would run them, one commit per step."""

    def __init__(self, workshops: LiveWorkshops):
        self.workshops = workshops
        self.app = workshops.server.app

    def step(self, action: Callable):
        with self.app.test_request_context():
            try:
                result = action()
                _db.session.commit()
                return result
            finally:
                _db.session.remove()

    @staticmethod
    def user(email: str):
        from civic.accounts.models import User

        return _db.session.scalar(sa.select(User).where(User.email == email))

    @staticmethod
    def workshop(item: LiveWorkshop) -> Workshop:
        return _db.session.get(Workshop, item.id)

    def volunteer(self, item: LiveWorkshop, email: str) -> None:
        """The citizen volunteers online: 75 or over, so drawn whatever the lottery."""

        def action():
            from civic.territory.models import Commune

            labege = _db.session.scalar(sa.select(Commune.id).where(Commune.name == "Labège"))
            services.volunteer(
                self.user(email),
                self.workshop(item),
                address="3 rue des Écoles, Labège",
                commune_id=labege,
                age_bracket="75+",
                gender="female",
                first_time=True,
                needs="Une place de parking proche",
            )

        self.step(action)

    def draw(self, item: LiveWorkshop, facilitator: str) -> int:
        def start():
            run = services.start_selection(
                self.user(facilitator),
                self.workshop(item),
                method="leximin",
                seed=20270315,
                despite_open_call=True,
            )
            return run.id

        run_id = self.step(start)
        self.step(lambda: services.run_selection_job(run_id))
        self.step(
            lambda: services.publish_selection(
                self.user(facilitator), _db.session.get(Selection, run_id)
            )
        )
        return run_id

    def invitation_token(self, item: LiveWorkshop, email: str) -> str:
        def action():
            mine = _db.session.scalar(
                sa.select(Volunteer).where(
                    Volunteer.workshop_id == item.id, Volunteer.user_id == self.user(email).id
                )
            )
            assert mine.status == "selected", mine.status
            return services.invitation_token(mine)

        return self.step(action)

    def table(self, item: LiveWorkshop, facilitator: str, citizen: str, elected: str) -> None:
        """Today's table: the citizen and an elected official, both present; each posts a
        note, the facilitator makes two themes, sorts the notes and opens the vote, and the
        elected official votes."""
        self.workshops.open_today(item)

        def seats():
            workshop = self.workshop(item)
            services.add_participant(
                self.user(facilitator), workshop, self.user(elected), "elected"
            )
            _db.session.add(
                Participant(workshop_id=workshop.id, role="citizen", user_id=self.user(citizen).id)
            )
            _db.session.flush()
            for seat in services.participants(workshop):
                seat.attended = True

        self.step(seats)

        def notes():
            workshop = self.workshop(item)
            cycling = board.post_note(
                self.user(citizen),
                workshop,
                f"Une piste cyclable protégée jusqu'au collège ({item.slug})",
            )
            bus = board.post_note(
                self.user(elected), workshop, f"Le bus 79 aussi le dimanche ({item.slug})"
            )
            animation = self.user(facilitator)
            board.assign_note(animation, cycling, board.add_theme(animation, workshop, "Vélo"))
            board.assign_note(animation, bus, board.add_theme(animation, workshop, "Bus"))
            board.open_vote(animation, workshop, "majority")

        self.step(notes)

        def ballot():
            workshop = self.workshop(item)
            themes = board.themes(workshop)
            board.cast_ballot(self.user(elected), workshop, {themes[0].id: 5, themes[1].id: 3})

        self.step(ballot)

    def minutes(self, item: LiveWorkshop, facilitator: str, citizen: str) -> None:
        def action():
            workshop = self.workshop(item)
            themes = board.themes(workshop)
            board.cast_ballot(self.user(citizen), workshop, {themes[0].id: 6, themes[1].id: 2})
            board.close_vote(self.user(facilitator), workshop)
            board.publish_minutes(
                self.user(facilitator),
                workshop,
                "<p>La table demande une piste cyclable et un bus le dimanche.</p>",
            )

        self.step(action)


@pytest.fixture(scope="module")
def scene(browser: Browser, live_server):
    users = LiveUsers(live_server)
    workshops = LiveWorkshops(live_server, users)
    consultations = LiveConsultations(live_server, users)
    try:
        facilitator, facilitator_password = workshops.user("facilitator", "Animatrice Sicoval")
        citizen, password = workshops.user(display_name="Camille")
        elected, _ = workshops.user("elected", "Élue aux mobilités")
        build = _Builder(workshops)

        opened = workshops.create(facilitator)
        workshops.enter_volunteers(opened, facilitator, OTHERS)

        drawn = workshops.create(facilitator)
        build.volunteer(drawn, citizen)
        workshops.enter_volunteers(drawn, facilitator, OTHERS)
        run_id = build.draw(drawn, facilitator)

        live = workshops.create(facilitator)
        build.table(live, facilitator, citizen, elected)

        consultation = consultations.create()
        with live_server.app.app_context():
            consultation_id = _db.session.scalar(
                sa.select(Consultation.id).where(Consultation.slug == consultation.slug)
            )
            _db.session.remove()
        done = workshops.create(facilitator, consultation_id=consultation_id)
        build.table(done, facilitator, citizen, elected)
        build.minutes(done, facilitator, citizen)

        yield Scene(
            open=opened,
            drawn=drawn,
            live=live,
            done=done,
            run_id=run_id,
            invitation_token=build.invitation_token(drawn, citizen),
            consultation_slug=consultation.slug,
            citizen=_cookies(browser, live_server, citizen, password),
            facilitator=_cookies(browser, live_server, facilitator, facilitator_password),
        )
    finally:
        workshops.remove_all()
        consultations.remove_all()
        users.remove_all()


def h1(page: Page):
    return page.get_by_role("heading", level=1)


# --- what citizens see ----------------------------------------------------------------------


def open_agenda(page: Page, scene: Scene) -> None:
    page.context.add_cookies(scene.citizen)
    page.goto("/ateliers")
    expect(h1(page)).to_have_text("Ateliers")
    expect(page.get_by_role("link", name=scene.open.title)).to_be_visible()
    expect(page.get_by_role("link", name=scene.done.title).first).to_be_visible()


def open_workshop(page: Page, scene: Scene) -> None:
    page.context.add_cookies(scene.citizen)
    page.goto(scene.open.path)
    expect(h1(page)).to_have_text(scene.open.title)
    expect(page.get_by_role("link", name="Me porter volontaire")).to_be_visible()


def open_volunteer_form(page: Page, scene: Scene) -> None:
    page.context.add_cookies(scene.citizen)
    page.goto(f"{scene.open.path}/volontariat")
    expect(h1(page)).to_have_text("Me porter volontaire")
    expect(page.get_by_role("group", name=re.compile(r"^Genre"))).to_be_visible()


def open_volunteer_form_with_errors(page: Page, scene: Scene) -> None:
    open_volunteer_form(page, scene)
    page.get_by_label("Adresse postale").fill("3 rue des Écoles, Labège")
    page.get_by_role("button", name="Je me porte volontaire").click()
    expect(
        page.get_by_role("alert").filter(has_text="Le formulaire contient 3 erreurs")
    ).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Erreur · Me porter volontaire"))
    expect(page.get_by_label("Commune de résidence")).to_have_attribute("aria-invalid", "true")


def open_selection_audit(page: Page, scene: Scene) -> None:
    page.context.add_cookies(scene.citizen)
    page.goto(f"{scene.drawn.path}/tirage")
    expect(h1(page)).to_have_text("Le tirage au sort")
    expect(page.locator("main .notice")).to_contain_text("votre probabilité")


def open_invitation(page: Page, scene: Scene) -> None:
    page.goto(f"/ateliers/invitation/{scene.invitation_token}")
    expect(h1(page)).to_have_text(f"Invitation à l'atelier « {scene.drawn.title} »")
    expect(page.get_by_role("button", name="Oui, je viendrai")).to_be_visible()


CITIZEN_PAGES = {
    "agenda": open_agenda,
    "workshop": open_workshop,
    "volunteer-form": open_volunteer_form,
    "volunteer-form-errors": open_volunteer_form_with_errors,
    "selection-audit": open_selection_audit,
    "invitation": open_invitation,
}


# --- the facilitator's pages ----------------------------------------------------------------


def _as_facilitator(page: Page, scene: Scene, path: str, title: str) -> None:
    page.context.add_cookies(scene.facilitator)
    page.goto(path)
    expect(h1(page)).to_have_text(title)


def open_manage_index(page: Page, scene: Scene) -> None:
    _as_facilitator(page, scene, "/gestion/ateliers", "Gérer les ateliers")


def open_edit(page: Page, scene: Scene) -> None:
    _as_facilitator(page, scene, scene.open.manage_path, scene.open.title)
    expect(page.get_by_label("Titre")).to_have_value(scene.open.title)


def open_quotas_with_check(page: Page, scene: Scene) -> None:
    """The check answered in place by htmx: no one of 75 or over has volunteered yet."""
    path = f"{scene.open.manage_path}/quotas"
    _as_facilitator(page, scene, path, f"Quotas du tirage · {scene.open.title}")
    with page.expect_response(lambda r: r.url.endswith("/quotas/verification")) as answer:
        page.get_by_role("button", name="Les quotas sont-ils tenables ?").click()
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#check-result")).to_contain_text(
        "Les quotas ne peuvent pas être respectés avec ces volontaires"
    )


def open_quota_check_page(page: Page, scene: Scene) -> None:
    """The same check as a whole page, what a browser without JavaScript gets: a native
    submit() bypasses htmx."""
    path = f"{scene.open.manage_path}/quotas"
    _as_facilitator(page, scene, path, f"Quotas du tirage · {scene.open.title}")
    page.locator("form[action$='/quotas/verification']").evaluate("form => form.submit()")
    expect(page).to_have_url(re.compile(r"/quotas/verification$"))
    expect(h1(page)).to_have_text(f"Quotas du tirage · {scene.open.title}")
    expect(page.locator("#check-result")).to_contain_text(
        "Les quotas ne peuvent pas être respectés avec ces volontaires"
    )


def open_volunteers(page: Page, scene: Scene) -> None:
    path = f"{scene.drawn.manage_path}/volontaires"
    _as_facilitator(page, scene, path, f"Volontaires · {scene.drawn.title}")
    expect(page.get_by_role("button", name="Vient : Camille")).to_be_visible()


def open_enter_volunteer(page: Page, scene: Scene) -> None:
    path = f"{scene.open.manage_path}/volontaires/nouveau"
    page.context.add_cookies(scene.facilitator)
    page.goto(path)
    expect(h1(page)).to_be_visible()
    expect(page.get_by_label("Nom et prénom")).to_be_visible()


def open_selections(page: Page, scene: Scene) -> None:
    path = f"{scene.open.manage_path}/tirage"
    _as_facilitator(page, scene, path, f"Tirage au sort · {scene.open.title}")
    expect(page.get_by_role("button", name="Lancer le calcul du tirage")).to_be_visible()


def open_selection_run(page: Page, scene: Scene) -> None:
    path = f"/gestion/ateliers/tirages/{scene.run_id}"
    _as_facilitator(page, scene, path, f"Calcul n° {scene.run_id}")
    expect(page.locator("#progress")).to_have_text("Calcul terminé.")


def open_table(page: Page, scene: Scene) -> None:
    path = f"{scene.live.manage_path}/table"
    _as_facilitator(page, scene, path, f"Table et présences · {scene.live.title}")
    expect(page.get_by_label("présent : Camille")).to_be_checked()


MANAGEMENT_PAGES = {
    "manage-index": open_manage_index,
    "edit": open_edit,
    "quotas-after-htmx-check": open_quotas_with_check,
    "quota-check-page": open_quota_check_page,
    "volunteers": open_volunteers,
    "enter-volunteer": open_enter_volunteer,
    "selections": open_selections,
    "selection-run": open_selection_run,
    "table": open_table,
}


# --- the board, the vote, the minutes, the dashboards ---------------------------------------


def open_board(page: Page, scene: Scene) -> None:
    page.context.add_cookies(scene.citizen)
    page.goto(f"{scene.live.path}/tableau")
    expect(h1(page)).to_have_text("Tableau de l'atelier")
    expect(page.locator("#board-notes .board-note")).not_to_have_count(0)
    expect(page.get_by_label("Votre note")).to_be_visible()


def open_board_after_htmx_note(page: Page, scene: Scene) -> None:
    open_board(page, scene)
    page.get_by_label("Votre note").fill("Des arceaux à vélo devant la mairie")
    with page.expect_response(lambda r: r.url.endswith("/tableau/notes")) as answer:
        page.get_by_role("button", name="Afficher ma note").click()
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#board-news")).to_have_text("Votre note est affichée.")
    expect(page.locator("#board-notes .board-note").filter(has_text="Des arceaux")).to_be_visible()


def open_board_as_facilitator(page: Page, scene: Scene) -> None:
    _as_facilitator(page, scene, f"{scene.live.path}/tableau", "Tableau de l'atelier")
    expect(page.get_by_role("heading", name="Animation")).to_be_visible()
    expect(page.get_by_role("button", name="Classer").first).to_be_visible()


def open_board_after_htmx_classify(page: Page, scene: Scene) -> None:
    open_board_as_facilitator(page, scene)
    note = page.locator("#board-notes .board-note").filter(has_text="Le bus 79")
    note.get_by_label("Thème").select_option(label="Bus")  # where it is: nothing changes
    with page.expect_response(lambda r: r.url.endswith("/theme")) as answer:
        note.get_by_role("button", name="Classer").click()
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#board-news")).to_have_text("La note est classée dans « Bus ».")


def open_board_after_htmx_theme_error(page: Page, scene: Scene) -> None:
    """A theme cannot be added while the vote is open: the error comes back in the form."""
    open_board_as_facilitator(page, scene)
    page.get_by_label("Nouveau thème").fill("Covoiturage")
    with page.expect_response(lambda r: r.url.endswith("/themes")) as answer:
        page.get_by_role("button", name="Créer le thème").click()
    assert answer.value.status == 422
    expect(page.locator("#board-theme-form .error")).to_have_text(
        "Fermez le vote avant d'ajouter un thème."
    )
    expect(page.get_by_label("Nouveau thème")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Nouveau thème")).to_have_value("Covoiturage")


def open_ballot(page: Page, scene: Scene) -> None:
    page.context.add_cookies(scene.citizen)
    page.goto(f"{scene.live.path}/vote")
    expect(h1(page)).to_have_text("Voter sur les thèmes de la table")
    expect(page.get_by_role("group", name=re.compile(r"^Vélo"))).to_be_visible()


def open_ballot_with_errors(page: Page, scene: Scene) -> None:
    open_ballot(page, scene)
    page.get_by_role("group", name=re.compile(r"^Vélo")).get_by_label("Bien", exact=True).check()
    page.get_by_role("button", name="Enregistrer mon bulletin").click()
    expect(
        page.get_by_role("alert").filter(has_text="Le bulletin n'est pas enregistré")
    ).to_be_visible()


def open_paper_ballot(page: Page, scene: Scene) -> None:
    path = f"{scene.live.manage_path}/bulletins"
    _as_facilitator(page, scene, path, "Saisir un bulletin papier")


def open_edit_minutes(page: Page, scene: Scene) -> None:
    path = f"{scene.live.manage_path}/compte-rendu"
    _as_facilitator(page, scene, path, f"Compte rendu de l'atelier « {scene.live.title} »")
    expect(page.locator("#preview")).to_contain_text("Vélo")


def open_minutes(page: Page, scene: Scene) -> None:
    page.context.add_cookies(scene.citizen)
    page.goto(f"{scene.done.path}/compte-rendu")
    expect(h1(page)).to_have_text(f"Compte rendu de l'atelier « {scene.done.title} »")
    expect(page.get_by_role("table", name="Classement au jugement majoritaire")).to_be_visible()


def open_platform_dashboard(page: Page, scene: Scene) -> None:
    page.context.add_cookies(scene.facilitator)
    page.goto("/ateliers/diversite")
    expect(h1(page)).to_be_visible()
    expect(page.locator("#participants")).to_be_visible()


def open_workshop_dashboard(page: Page, scene: Scene) -> None:
    page.context.add_cookies(scene.facilitator)
    page.goto(f"{scene.done.path}/diversite")
    expect(h1(page)).to_be_visible()
    expect(page.locator("#participants")).to_have_text("2")


def open_consultation_dashboard(page: Page, scene: Scene) -> None:
    page.context.add_cookies(scene.facilitator)
    page.goto(f"/concertations/{scene.consultation_slug}/diversite")
    expect(h1(page)).to_be_visible()
    expect(page.locator("#participants")).to_be_visible()


def open_platform_dashboard_after_htmx_filter(page: Page, scene: Scene) -> None:
    open_platform_dashboard(page, scene)
    with page.expect_response(lambda r: "periode=tout" in r.url) as answer:
        page.get_by_label("Période").select_option("tout")
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#indicateurs")).to_contain_text("Depuis l'ouverture de la plateforme.")


BOARD_PAGES = {
    "board": open_board,
    "board-after-htmx-note": open_board_after_htmx_note,
    "board-facilitator": open_board_as_facilitator,
    "board-facilitator-after-htmx-classify": open_board_after_htmx_classify,
    "board-facilitator-after-htmx-theme-error": open_board_after_htmx_theme_error,
    "ballot": open_ballot,
    "ballot-errors": open_ballot_with_errors,
    "paper-ballot": open_paper_ballot,
    "edit-minutes": open_edit_minutes,
    "minutes": open_minutes,
    "platform-dashboard": open_platform_dashboard,
    "platform-dashboard-after-htmx-filter": open_platform_dashboard_after_htmx_filter,
    "workshop-dashboard": open_workshop_dashboard,
    "consultation-dashboard": open_consultation_dashboard,
}

PAGES = {**CITIZEN_PAGES, **MANAGEMENT_PAGES, **BOARD_PAGES}


@JS_ONLY
@pytest.mark.parametrize("open_page", PAGES.values(), ids=PAGES.keys())
def test_workshop_pages_have_no_axe_violation(page: Page, scene: Scene, open_page):
    open_page(page, scene)
    assert_no_axe_violations(page)
