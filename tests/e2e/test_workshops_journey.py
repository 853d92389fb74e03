"""A workshop in a real browser, with and without JavaScript: a citizen volunteers through the
form (a missing answer is reported and what was typed is kept); more volunteers are entered by
an agent; the facilitator checks the quotas, runs the fair selection, reads the result and
publishes it; the citizen, drawn, follows the invitation link of the e-mail and confirms;
another drawn person declines and the first suitable person in reserve is invited. On the day,
the facilitator seats an elected official and takes the attendance; the two participants post
notes on the live board and each sees the other's (with JavaScript without reloading, by htmx
polling; without, after « Actualiser »); the facilitator groups the notes into themes and opens
the vote; both vote; the facilitator publishes the minutes, which everyone can read.

The data is made on the live server's own database with the services, as an agent would, in a
workshop with its own slug; it is deleted (with everything in it, by cascade) afterwards.
"""

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Locator, Page, expect

from civic.accounts.models import RoleGrant
from civic.core.models import utcnow
from civic.core.notify import OutboxEmail
from civic.extensions import db as _db
from civic.territory.models import Commune
from civic.workshops import services
from civic.workshops.models import Quota, Volunteer, Workshop
from tests.e2e.conftest import (
    TIMEOUT_MS,
    BrowserLog,
    LiveServer,
    LiveUsers,
    log_in,
    unique_email,
)
from tests.e2e.test_consultations_journey import GET_MARKER, SET_MARKER, flash, log_out

pytestmark = pytest.mark.e2e

INVITATION = "/ateliers/invitation/"
# The board asks for news every 5 seconds: a note posted elsewhere shows within two polls.
POLL_WAIT_MS = 15_000


# --- data on the live server ---------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A volunteer entered by an agent (phone, counter), with an e-mail address."""

    name: str
    commune: str
    age_bracket: str
    gender: str


# Nobody among them is 75 or over: the citizen who is will be in every panel (quota below).
OTHERS = (
    Person("Alix Martin", "Ramonville-Saint-Agne", "30-44", "male"),
    Person("Bruno Petit", "Castanet-Tolosan", "45-59", "male"),
    Person("Chloé Durand", "Labège", "15-29", "female"),
    Person("Denis Roux", "Escalquens", "60-74", "male"),
    Person("Emma Faure", "Auzeville-Tolosane", "30-44", "female"),
)
SEATS = 3


@dataclass
class LiveWorkshop:
    id: int
    slug: str
    title: str
    emails: dict[str, str]  # volunteer name -> e-mail address

    @property
    def path(self) -> str:
        return f"/ateliers/{self.slug}"

    @property
    def manage_path(self) -> str:
        return f"/gestion/ateliers/{self.id}"


@dataclass
class LiveWorkshops:
    """Workshops of the live database that a test created, deleted when it ends."""

    server: LiveServer
    users: LiveUsers
    slugs: list[str] = field(default_factory=list)
    addresses: set[str] = field(default_factory=set)

    def user(self, role: str | None = None, display_name: str = "") -> tuple[str, str]:
        """A confirmed account (e-mail, password), with a role if given."""
        grants = [RoleGrant(role=role)] if role else []
        email = unique_email(role or "citizen")
        self.addresses.add(email)
        return self.users.create(email, display_name=display_name or None, grants=grants)

    def create(
        self, facilitator_email: str, *, seats: int = SEATS, consultation_id: int | None = None
    ) -> LiveWorkshop:
        """A published workshop in ten days, its call for volunteers open, with quotas on
        gender and age: at least one person of 75 or over."""
        token = secrets.token_hex(4)
        now = utcnow()
        title = f"Atelier mobilités du quotidien {token}"
        with self.server.app.test_request_context():
            try:
                facilitator = self._by_email(facilitator_email)
                workshop = services.save_workshop(
                    facilitator,
                    None,
                    slug=f"e2e-atelier-{token}",
                    title=title,
                    purpose="Imaginer ensemble les déplacements entre les communes du Sicoval.",
                    consultation_id=consultation_id,
                    starts_at=now + timedelta(days=10),
                    duration_minutes=150,
                    mode="onsite",
                    commune_id=None,
                    address="Salle des fêtes, Labège",
                    accessibility="Salle de plain-pied, boucle magnétique.",
                    online_url="",
                    capacity=30,
                    tables=1,
                    seats_elected=1,
                    seats_technician=0,
                    seats_citizen=seats,
                    call_closes_at=now + timedelta(days=5),
                    one_per_household=True,
                )
                self.slugs.append(workshop.slug)
                services.set_quotas(
                    facilitator,
                    workshop,
                    [
                        Quota(category="gender", value="female", min=1, max=seats - 1, position=0),
                        Quota(category="gender", value="male", min=1, max=seats - 1, position=1),
                        Quota(category="age", value="75+", min=1, max=1, position=0),
                    ],
                )
                services.publish(facilitator, workshop)
                _db.session.commit()
                return LiveWorkshop(id=workshop.id, slug=workshop.slug, title=title, emails={})
            finally:
                _db.session.remove()

    def enter_volunteers(
        self, workshop: LiveWorkshop, agent_email: str, people: tuple[Person, ...]
    ) -> None:
        """Volunteers recruited by phone, entered by an agent, each with an e-mail address."""
        with self.server.app.test_request_context():
            try:
                agent = self._by_email(agent_email)
                item = _db.session.get(Workshop, workshop.id)
                communes = dict(_db.session.execute(sa.select(Commune.name, Commune.id)).all())
                for person in people:
                    email = unique_email("volontaire")
                    services.enter_volunteer(
                        agent,
                        item,
                        name=person.name,
                        email=email,
                        phone="05 61 00 00 00",
                        address="",
                        channel="phone",
                        commune_id=communes[person.commune],
                        age_bracket=person.age_bracket,
                        gender=person.gender,
                        first_time=True,
                    )
                    workshop.emails[person.name] = email
                    self.addresses.add(email)
                _db.session.commit()
            finally:
                _db.session.remove()

    def volunteers(self, workshop: LiveWorkshop) -> dict[str, tuple[str, str]]:
        """Each volunteer's name -> (status, e-mail address), as the live database has them."""
        with self.server.app.app_context():
            try:
                rows = _db.session.scalars(
                    sa.select(Volunteer).where(Volunteer.workshop_id == workshop.id)
                ).all()
                return {v.display_name: (v.status, v.email or v.user.email) for v in rows}
            finally:
                _db.session.remove()

    def open_today(self, workshop: LiveWorkshop) -> None:
        """Time passes: the call closed yesterday and the workshop began ten minutes ago."""
        now = utcnow()
        with self.server.app.app_context():
            try:
                _db.session.execute(
                    sa.update(Workshop)
                    .where(Workshop.id == workshop.id)
                    .values(
                        starts_at=now - timedelta(minutes=10),
                        call_closes_at=now - timedelta(days=1),
                    )
                )
                _db.session.commit()
            finally:
                _db.session.remove()

    def _by_email(self, email: str):
        from civic.accounts.models import User

        return _db.session.scalar(sa.select(User).where(User.email == email))

    def remove_all(self) -> None:
        # Volunteers, selections, seats, notes, themes and ballots go by cascade.
        with self.server.app.app_context():
            _db.session.execute(sa.delete(Workshop).where(Workshop.slug.in_(self.slugs)))
            _db.session.execute(
                sa.delete(OutboxEmail).where(OutboxEmail.to_address.in_(self.addresses))
            )
            _db.session.commit()
            _db.session.remove()


@pytest.fixture
def live_workshops(live_server, live_users):
    workshops = LiveWorkshops(live_server, live_users)
    yield workshops
    workshops.remove_all()


@pytest.fixture
def new_page(browser: Browser, live_server, js, browser_log: BrowserLog):
    """Another person's browser (a context of its own, with or without JavaScript like
    `page`); what Chromium reports there fails the test through `page` as well."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(
            base_url=live_server.url, java_script_enabled=js, locale="fr-FR"
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        other = context.new_page()
        other.on("console", browser_log.on_console)
        other.on("pageerror", browser_log.on_page_error)
        return other

    yield make
    for context in contexts:
        context.close()


# --- shared steps --------------------------------------------------------------------------


def manage_nav(page: Page):
    return page.get_by_role("navigation", name="Gestion de l'atelier")


def volunteer_row(page: Page, name: str):
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name))


def volunteer_through_the_form(page: Page, workshop: LiveWorkshop) -> None:
    """The citizen opens the workshop from the agenda and volunteers; the first try leaves
    a required answer out."""
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Ateliers"
    ).click()
    page.get_by_role("link", name=workshop.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(workshop.title)
    page.get_by_role("link", name="Me porter volontaire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Me porter volontaire")
    # Only what the quotas use is asked: gender and age, not the occupation.
    age = page.get_by_role("group", name=re.compile(r"^Âge"))
    gender = page.get_by_role("group", name=re.compile(r"^Genre"))
    expect(page.get_by_role("group", name=re.compile(r"^Situation professionnelle"))).to_have_count(
        0
    )
    page.get_by_label("Commune de résidence").select_option(label="Labège")
    age.get_by_label("75 ans ou plus").check()
    page.get_by_label("C'est la première fois").check()
    page.get_by_label("Adresse postale").fill("3 rue des Écoles, Labège")
    page.get_by_label("Besoins pour venir (facultatif)").fill("Une place de parking proche")
    page.get_by_role("button", name="Je me porte volontaire").click()

    # The answer about gender is missing: said at the top and at the question; nothing typed
    # is lost.
    summary = page.get_by_role("alert").filter(has_text="Le formulaire contient 1 erreur")
    expect(summary).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Erreur · Me porter volontaire"))
    expect(summary.get_by_role("link")).to_have_text(["Genre : Choisissez une réponse."])
    expect(gender.locator(".error")).to_have_text("Choisissez une réponse.")
    expect(page.get_by_label("Commune de résidence").locator("option:checked")).to_have_text(
        "Labège"
    )
    expect(age.get_by_label("75 ans ou plus")).to_be_checked()
    expect(page.get_by_label("C'est la première fois")).to_be_checked()
    expect(page.get_by_label("Adresse postale")).to_have_value("3 rue des Écoles, Labège")
    expect(page.get_by_label("Besoins pour venir (facultatif)")).to_have_value(
        "Une place de parking proche"
    )
    # The summary's link leads to the question (a fragment link, no JavaScript needed).
    summary.get_by_role("link").click()
    expect(gender.get_by_label("Femme")).to_be_focused()
    gender.get_by_label("Femme").check()
    page.get_by_role("button", name="Je me porte volontaire").click()
    expect(flash(page, "Merci ! Vous êtes volontaire.")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"{re.escape(workshop.path)}$"))
    expect(page.locator("main")).to_contain_text("Votre situation : Volontaire.")
    expect(page.get_by_role("button", name="Je ne suis plus volontaire")).to_be_visible()


def check_quotas(page: Page, js: bool, workshop: LiveWorkshop) -> None:
    """With JavaScript, the answer comes in place (htmx); without, as a whole page."""
    manage_nav(page).get_by_role("link", name="Quotas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Quotas du tirage · {workshop.title}"
    )
    expect(page.locator("main")).to_contain_text("6 volontaires inscrits.")
    result = page.locator("#check-result")
    expect(result).to_have_attribute("role", "status")
    expect(result).to_be_empty()
    button = page.get_by_role("button", name="Les quotas sont-ils tenables ?")
    if js:
        page.evaluate(SET_MARKER)
        with page.expect_response(lambda r: r.url.endswith("/quotas/verification")) as answer:
            button.click()
        assert answer.value.request.headers.get("hx-request") == "true"
        assert "<html" not in answer.value.text()
    else:
        button.click()
        expect(page).to_have_url(re.compile(rf"{workshop.manage_path}/quotas/verification$"))
    expect(result).to_have_text("Les quotas peuvent être respectés : le tirage est possible.")
    if js:
        assert page.evaluate(GET_MARKER) == "same page", "the check reloaded the page"
        expect(page).to_have_url(re.compile(rf"{workshop.manage_path}/quotas$"))


def run_and_publish_selection(page: Page, workshop: LiveWorkshop, citizen_name: str) -> None:
    manage_nav(page).get_by_role("link", name="Tirage au sort").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Tirage au sort · {workshop.title}")
    expect(page.locator("main")).to_contain_text(
        "6 volontaires dans le vivier · 3 places citoyennes"
    )
    method = page.get_by_role("group", name="Méthode")
    expect(method.get_by_label(re.compile(r"^LEXIMIN"))).to_be_checked()
    page.get_by_label("Graine du tirage (facultatif)").fill("20270315")
    # The call is still open: the draw asks the facilitator's explicit word.
    page.get_by_role("button", name="Lancer le calcul du tirage").click()
    expect(page.locator("main")).to_contain_text("L'appel à volontaires est ouvert jusqu'au")
    page.get_by_label(re.compile(r"^Tirer au sort quand même")).check()
    page.get_by_role("button", name="Lancer le calcul du tirage").click()

    # Without Redis the job runs at once: the page shows the result (with Redis, it would
    # show the progress and poll).
    expect(page).to_have_url(re.compile(r"/gestion/ateliers/tirages/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Calcul n° \d+$"))
    expect(page.locator("#progress")).to_have_text("Calcul terminé.")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("LEXIMIN")
    expect(facts).to_contain_text("20270315")
    panel = page.get_by_role("heading", name="Panel tiré", exact=True).locator(
        "xpath=following-sibling::ul[1]"
    )
    expect(panel.get_by_role("listitem")).to_have_count(SEATS)
    # The only volunteer of 75 or over sits on every panel the quotas allow.
    expect(panel).to_contain_text(citizen_name)

    page.get_by_role("button", name="Publier le tirage et inviter les personnes tirées").click()
    expect(flash(page, "Le tirage est publié")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"{workshop.manage_path}/volontaires$"))
    expect(page.get_by_role("table").locator("caption")).to_have_text("6 volontaires")
    expect(volunteer_row(page, citizen_name)).to_contain_text("Tiré au sort, invité")
    expect(page.get_by_role("row").filter(has_text="Liste de réserve")).to_have_count(3)


# --- the live board ------------------------------------------------------------------------


CYCLE_NOTE = "Une piste cyclable protégée entre Labège et Escalquens"
BUS_NOTE = "Le bus 79 aussi le dimanche, toutes les heures"
CYCLING = "Vélo au quotidien"
SUNDAY_BUS = "Bus le dimanche"


def note_on(page: Page, body: str) -> Locator:
    return page.locator("#board-notes .board-note").filter(has_text=body)


def theme_on(page: Page, title: str) -> Locator:
    return page.locator("#board-notes section.board-theme").filter(
        has=page.get_by_role("heading", name=re.compile(rf"^{re.escape(title)}"))
    )


def open_board(page: Page, js: bool, workshop: LiveWorkshop) -> None:
    page.goto(workshop.path)
    page.get_by_role("link", name="Tableau de l'atelier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de l'atelier")
    news = page.locator("#board-news")
    expect(news).to_have_attribute("role", "status")
    if js:
        page.evaluate(SET_MARKER)


def arrives(page: Page, js: bool, item: Locator) -> None:
    """Something done in another browser reaches this board: with JavaScript by itself (htmx
    polls), without reloading the page; without JavaScript, after « Actualiser »."""
    if js:
        expect(item).to_be_visible(timeout=POLL_WAIT_MS)
        assert page.evaluate(GET_MARKER) == "same page", "the board was reloaded"
    else:
        expect(item).to_have_count(0)
        page.get_by_role("link", name="Actualiser").click()
        expect(item).to_be_visible()


def htmx_post(page: Page, url_end: str, button: Locator) -> None:
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(url_end)
    ) as answer:
        button.click()
    assert answer.value.status == 200, answer.value.status
    assert answer.value.request.headers.get("hx-request") == "true"


def post_note(page: Page, js: bool, body: str) -> None:
    page.get_by_label("Votre note").fill(body)
    button = page.get_by_role("button", name="Afficher ma note")
    if js:
        htmx_post(page, "/tableau/notes", button)
        expect(page.locator("#board-news")).to_have_text("Votre note est affichée.")
        expect(page.get_by_label("Votre note")).to_have_value("")
        assert page.evaluate(GET_MARKER) == "same page", "posting reloaded the board"
    else:
        button.click()
        expect(flash(page, "Votre note est affichée.")).to_be_visible()
    expect(note_on(page, body)).to_contain_text("votre note")


def add_theme(page: Page, js: bool, title: str) -> None:
    page.get_by_label("Nouveau thème").fill(title)
    button = page.get_by_role("button", name="Créer le thème")
    message = f"Le thème « {title} » est créé."
    if js:
        htmx_post(page, "/themes", button)
        expect(page.locator("#board-news")).to_have_text(message)
        expect(page.get_by_label("Nouveau thème")).to_have_value("")
    else:
        button.click()
        expect(flash(page, message)).to_be_visible()
    expect(theme_on(page, title)).to_contain_text("Aucune note dans ce thème pour le moment.")


def classify(page: Page, js: bool, body: str, title: str) -> None:
    note = note_on(page, body)
    note.get_by_label("Thème").select_option(label=title)
    button = note.get_by_role("button", name="Classer")
    message = f"La note est classée dans « {title} »."
    if js:
        htmx_post(page, "/theme", button)
        expect(page.locator("#board-news")).to_have_text(message)
    else:
        button.click()
        expect(flash(page, message)).to_be_visible()
        expect(page).to_have_url(re.compile(r"#note-\d+$"))
    expect(theme_on(page, title).locator(".board-note")).to_contain_text([body])


def vote(page: Page, grades: dict[str, str], forget: str | None = None) -> None:
    """Vote from the board; with `forget`, a first try leaves that theme without a grade."""
    page.get_by_role("link", name="Actualiser").click()
    expect(
        page.locator("main .notice").filter(has_text="Le vote est ouvert (Jugement majoritaire).")
    ).to_be_visible()
    page.get_by_role("link", name="Voter", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Voter sur les thèmes de la table")

    def grade(theme: str) -> Locator:
        group = page.get_by_role("group", name=re.compile(rf"^{re.escape(theme)}"))
        return group.get_by_label(grades[theme], exact=True)

    if forget:
        for theme in grades:
            if theme != forget:
                grade(theme).check()
        page.get_by_role("button", name="Enregistrer mon bulletin").click()
        summary = page.get_by_role("alert").filter(has_text="Le bulletin n'est pas enregistré")
        expect(summary.get_by_role("link")).to_have_text(
            [f"{forget} : Choisissez une mention pour ce thème."]
        )
        for theme in grades:
            if theme != forget:
                expect(grade(theme)).to_be_checked()
    for theme in grades:
        grade(theme).check()
    page.get_by_role("button", name="Enregistrer mon bulletin").click()
    expect(flash(page, "Votre bulletin est enregistré.")).to_be_visible()
    expect(page.get_by_role("button", name="Modifier mon bulletin")).to_be_visible()
    for theme in grades:
        expect(grade(theme)).to_be_checked()


def seat_and_attendance(page: Page, workshop: LiveWorkshop, elected: str, name: str) -> None:
    page.goto(workshop.manage_path)
    manage_nav(page).get_by_role("link", name="Table et présences").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Table et présences · {workshop.title}"
    )
    page.get_by_label("Courriel du compte").fill(elected)
    expect(page.get_by_role("group", name="Collège").get_by_label("Élu")).to_be_checked()
    page.get_by_role("button", name="Ajouter à la table").click()
    expect(flash(page, "La personne a sa place à la table.")).to_be_visible()
    page.get_by_label("présent : Camille").check()
    page.get_by_label(f"présent : {name}").check()
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect(flash(page, "Les présences sont enregistrées.")).to_be_visible()
    expect(page.get_by_label("présent : Camille")).to_be_checked()


def publish_minutes(page: Page, workshop: LiveWorkshop, summary: str) -> None:
    page.get_by_role("link", name="Rédiger et publier le compte rendu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Compte rendu de l'atelier « {workshop.title} »"
    )
    preview = page.locator("#preview")
    expect(preview).to_contain_text(CYCLE_NOTE)
    page.get_by_label("Synthèse de l'atelier").fill(summary)
    page.get_by_role("button", name="Publier le compte rendu et prévenir").click()
    expect(flash(page, "Le compte rendu est publié")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"{re.escape(workshop.path)}/compte-rendu$"))


def read_minutes(page: Page, workshop: LiveWorkshop, summary: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Compte rendu de l'atelier « {workshop.title} »"
    )
    main = page.locator("main")
    expect(main).to_contain_text(summary)
    cycling = main.locator(".minutes-theme").filter(has=page.get_by_role("heading", name=CYCLING))
    expect(cycling.get_by_role("listitem")).to_have_text(
        [f"{CYCLE_NOTE} (proposé par un citoyen)"]
    )
    bus = main.locator(".minutes-theme").filter(has=page.get_by_role("heading", name=SUNDAY_BUS))
    expect(bus.get_by_role("listitem")).to_have_text([f"{BUS_NOTE} (proposé par un élu)"])
    # Names never appear in the minutes, only colleges.
    expect(main).not_to_contain_text("Camille")
    ranking = page.get_by_role("table", name="Classement au jugement majoritaire")
    expect(ranking.get_by_role("rowheader")).to_have_text([CYCLING, SUNDAY_BUS])
    expect(main.locator(".minutes-table")).to_contain_text("2 bulletins (")
    presence = page.get_by_role("table", name="Présences par collège")
    expect(
        presence.get_by_role("row").filter(has_text="Citoyen").get_by_role("cell")
    ).to_have_text(["1", str(SEATS)])
    expect(presence.get_by_role("row").filter(has_text="Élu").get_by_role("cell")).to_have_text(
        ["1", "1"]
    )


# --- the journey ---------------------------------------------------------------------------


def test_from_volunteering_to_the_minutes(page: Page, new_page, live_workshops, js):
    facilitator, facilitator_password = live_workshops.user("facilitator", "Animatrice Sicoval")
    citizen, password = live_workshops.user(display_name="Camille")
    workshop = live_workshops.create(facilitator)

    # The citizen volunteers.
    log_in(page, citizen, password)
    volunteer_through_the_form(page, workshop)
    log_out(page)

    # Five more people volunteered by phone; an agent entered them.
    live_workshops.enter_volunteers(workshop, facilitator, OTHERS)

    # The facilitator checks the quotas, runs the selection and publishes it.
    log_in(page, facilitator, facilitator_password)
    page.goto(f"{workshop.manage_path}/volontaires")
    expect(page.get_by_role("table").locator("caption")).to_have_text("6 volontaires")
    check_quotas(page, js, workshop)
    run_and_publish_selection(page, workshop, "Camille")
    log_out(page)

    # Everyone drawn gets an e-mail with a personal link.
    before = live_workshops.volunteers(workshop)
    drawn = {name for name, (status, _) in before.items() if status == "selected"}
    assert len(drawn) == SEATS and "Camille" in drawn
    for name in drawn:
        assert live_workshops.server.link_in_last_email(before[name][1], INVITATION)

    # The citizen follows the link of the e-mail and confirms.
    page.goto(live_workshops.server.link_in_last_email(citizen, INVITATION))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Invitation à l'atelier « {workshop.title} »"
    )
    expect(page.locator("main")).to_contain_text("Pouvez-vous venir ?")
    page.get_by_role("button", name="Oui, je viendrai").click()
    expect(flash(page, "Merci, votre place est confirmée. À bientôt !")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Votre participation est confirmée. Merci !")
    expect(page.get_by_role("button", name="Oui, je viendrai")).to_have_count(0)

    # Another drawn person cannot come: the first suitable person in reserve is invited.
    leaving = sorted(drawn - {"Camille"})[0]
    page.goto(live_workshops.server.link_in_last_email(before[leaving][1], INVITATION))
    page.get_by_role("button", name="Non, je ne peux pas").click()
    expect(
        flash(page, "C'est noté : votre place est proposée à une autre personne.")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("Votre réponse est enregistrée")
    expect(page.get_by_role("button", name="Oui, je viendrai")).to_have_count(0)
    after = live_workshops.volunteers(workshop)
    newcomers = [n for n, (s, _) in after.items() if s == "selected" and n not in drawn]
    assert len(newcomers) == 1, after
    newcomer = newcomers[0]
    assert before[newcomer][0] == "reserve"
    assert after[leaving][0] == "declined" and after["Camille"][0] == "confirmed"
    page.goto(live_workshops.server.link_in_last_email(after[newcomer][1], INVITATION))
    expect(page.locator("main")).to_contain_text("Pouvez-vous venir ?")

    # The facilitator sees the answers (in another browser, kept for the day of the workshop).
    animation = new_page()
    log_in(animation, facilitator, facilitator_password)
    animation.goto(f"{workshop.manage_path}/volontaires")
    expect(volunteer_row(animation, "Camille")).to_contain_text("Participation confirmée")
    expect(volunteer_row(animation, leaving)).to_contain_text("A décliné")
    expect(volunteer_row(animation, newcomer)).to_contain_text("Tiré au sort, invité")

    # The citizen sees the seat and the public audit of the draw.
    log_in(page, citizen, password)
    page.goto(workshop.path)
    main = page.locator("main")
    expect(main).to_contain_text("Vous avez une place à cette table (Citoyen).")
    expect(main).to_contain_text("Votre situation : Participation confirmée.")
    page.get_by_role("link", name="Le tirage au sort, en toute transparence").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Le tirage au sort")
    expect(page.locator("dl.facts")).to_contain_text("20270315")
    expect(main).to_contain_text("votre probabilité d'être tiré au sort était de 100")
    # Volunteers are numbers on the public page, never names.
    expect(main).not_to_contain_text(leaving)

    # The day of the workshop: an elected official joins the table; both come.
    live_workshops.open_today(workshop)
    elected, elected_password = live_workshops.user("elected", "Élue aux mobilités")
    seat_and_attendance(animation, workshop, elected, "Élue aux mobilités")
    official = new_page()
    log_in(official, elected, elected_password)

    # Each participant's note reaches the other's board.
    open_board(page, js, workshop)
    open_board(official, js, workshop)
    expect(page.locator("#board-notes")).to_contain_text("Aucune note pour le moment.")
    post_note(page, js, CYCLE_NOTE)
    arrives(official, js, note_on(official, CYCLE_NOTE))
    expect(note_on(official, CYCLE_NOTE)).to_contain_text("Citoyen")
    if js:
        expect(official.locator("#board-news")).to_have_text("1 nouvelle note au tableau.")
    post_note(official, js, BUS_NOTE)
    arrives(page, js, note_on(page, BUS_NOTE))
    expect(note_on(page, BUS_NOTE)).to_contain_text("Élu")

    # The facilitator groups the notes into themes; the participants see them.
    animation.goto(workshop.manage_path)
    manage_nav(animation).get_by_role("link", name="Tableau", exact=True).click()
    expect(animation.get_by_role("heading", name="Animation")).to_be_visible()
    if js:
        animation.evaluate(SET_MARKER)
    add_theme(animation, js, CYCLING)
    add_theme(animation, js, SUNDAY_BUS)
    classify(animation, js, CYCLE_NOTE, CYCLING)
    classify(animation, js, BUS_NOTE, SUNDAY_BUS)
    if js:
        assert animation.evaluate(GET_MARKER) == "same page", "the board was reloaded"
    arrives(page, js, theme_on(page, SUNDAY_BUS).locator(".board-note").filter(has_text=BUS_NOTE))
    expect(theme_on(page, CYCLING)).to_contain_text(CYCLE_NOTE)

    # The vote: majority judgment on the two themes.
    animation.goto(f"/ateliers/{workshop.slug}/tableau")
    method = animation.get_by_role("group", name="Méthode de vote")
    expect(method.get_by_label("Jugement majoritaire")).to_be_checked()
    animation.get_by_role("button", name="Ouvrir le vote").click()
    expect(flash(animation, "Le vote est ouvert")).to_be_visible()
    vote(page, {CYCLING: "Excellent", SUNDAY_BUS: "Passable"}, forget=SUNDAY_BUS)
    official.goto(f"/ateliers/{workshop.slug}/tableau")
    vote(official, {CYCLING: "Très bien", SUNDAY_BUS: "Bien"})
    animation.get_by_role("button", name="Clore le vote").click()
    expect(flash(animation, "Le vote est clos.")).to_be_visible()

    # The minutes: published by the facilitator, read by the participants.
    summary = "La table demande une piste cyclable protégée et un bus le dimanche."
    publish_minutes(animation, workshop, summary)
    read_minutes(animation, workshop, summary)
    # The participants are told, by e-mail too.
    minutes_url = f"{live_workshops.server.url}{workshop.path}/compte-rendu"
    assert minutes_url in live_workshops.server.outbox(citizen)[-1]
    page.goto(minutes_url)
    read_minutes(page, workshop, summary)
    page.goto(f"{workshop.path}/tableau")
    expect(page.locator("main .notice").filter(has_text="le tableau est clos.")).to_be_visible()
    expect(page.get_by_label("Votre note")).to_have_count(0)
    page.get_by_role("link", name="Lire le compte rendu").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(workshop.path)}/compte-rendu$"))

    # Who took part: the workshop's diversity dashboard, for the staff.
    animation.goto(workshop.path)
    animation.get_by_role("link", name="Diversité des participants").click()
    expect(animation.get_by_role("heading", level=1)).to_be_visible()
    expect(animation.locator("#participants")).to_have_text("2")
