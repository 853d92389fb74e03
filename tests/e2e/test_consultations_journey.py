"""A consultation in a real browser, with and without JavaScript: a citizen proposes, comments,
votes and changes the vote; an elected official answers; the citizen finds the answer in
"Mes contributions" and in the notifications. Also the proposal list's filters and sort.

The data is made on the live server's own database with the services, as an agent would, in
a consultation with its own slug; it is deleted (with everything in it, by cascade) afterwards.
"""

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Locator, Page, Response, expect

from civic.accounts.models import RoleGrant, User
from civic.consultations import services
from civic.consultations.models import VOTE_AGREE, Consultation
from civic.core.models import utcnow
from civic.extensions import db as _db
from tests.e2e.conftest import LiveServer, LiveUsers, log_in, unique_email

pytestmark = pytest.mark.e2e

# A marker put on `window`: still there after a click only if the page was not reloaded.
SET_MARKER = "() => { window.civicE2eMarker = 'same page'; }"
GET_MARKER = "() => window.civicE2eMarker ?? null"


# --- data on the live server ---------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    """A proposal made before the test, by someone else, with `agrees` "d'accord"."""

    title: str
    body: str
    theme: str = ""
    agrees: int = 0


@dataclass
class LiveConsultation:
    slug: str
    title: str
    proposal_ids: dict[str, int]  # seed title -> id

    @property
    def path(self) -> str:
        return f"/concertations/{self.slug}"

    @property
    def proposals_path(self) -> str:
        return f"{self.path}/propositions"

    def proposal_path(self, title: str) -> str:
        return f"{self.proposals_path}/{self.proposal_ids[title]}"


@dataclass
class LiveConsultations:
    """Consultations of the live database that a test created, deleted when it ends."""

    server: LiveServer
    users: LiveUsers
    slugs: list[str] = field(default_factory=list)

    def user(self, role: str | None = None, display_name: str = "") -> tuple[str, str]:
        """A confirmed account (e-mail, password), with a role if given."""
        grants = [RoleGrant(role=role)] if role else []
        return self.users.create(
            unique_email(role or "citizen"), display_name=display_name or None, grants=grants
        )

    def create(
        self, seeds: tuple[Seed, ...] = (), comment_on: Seed | None = None
    ) -> LiveConsultation:
        """A published consultation whose current phase opens proposing, commenting and
        voting to everyone, with the seed proposals (and their votes) in it, and a comment
        on the `comment_on` one."""
        token = secrets.token_hex(4)
        now = utcnow()
        title = f"Mobilités du quotidien {token}"
        with self.server.app.test_request_context():
            try:
                # People who never log in: no password, so no slow hashing.
                agent = self._someone("agent", "Agent Sicoval")
                author = self._someone(None, "Dominique")
                voters = [self._someone() for _ in range(max((s.agrees for s in seeds), default=0))]
                consultation = services.save_consultation(
                    agent,
                    None,
                    title=title,
                    slug=f"e2e-{token}",
                    summary="Comment se déplacer au quotidien entre les communes du Sicoval ?",
                    body="<p>Le Sicoval prépare son plan de mobilité et vous consulte.</p>",
                    theme="Mobilité",
                    communes=[],
                    agree_limit=None,
                    premoderation=False,
                )
                self.slugs.append(consultation.slug)
                services.add_phase(
                    agent,
                    consultation,
                    title="Propositions, débats et votes",
                    description="",
                    starts_at=now - timedelta(days=1),
                    ends_at=now + timedelta(days=30),
                    features=["information", "proposing", "commenting", "voting"],
                    audience="public",
                )
                services.publish(agent, consultation)
                ids = {}
                for seed in seeds:
                    # The reference makes each text unique: moderation holds a text that
                    # several new accounts post within the hour.
                    proposal = services.submit_proposal(
                        author,
                        consultation,
                        title=seed.title,
                        body=f"{seed.body} (réf. {token})",
                        theme=seed.theme,
                        commune_id=None,
                    )
                    assert proposal.status == "published", f"seed held by moderation: {seed}"
                    for voter in voters[: seed.agrees]:
                        services.cast_vote(voter, proposal, VOTE_AGREE)
                    ids[seed.title] = proposal.id
                    if seed == comment_on:
                        comment = services.add_comment(
                            self._someone(None, "Sacha"),
                            proposal,
                            body=f"Bonne idée, à condition d'éclairer la piste (réf. {token}).",
                            stance="for",
                        )
                        assert comment.status == "published", "comment held by moderation"
                _db.session.commit()
                return LiveConsultation(slug=consultation.slug, title=title, proposal_ids=ids)
            finally:
                _db.session.remove()

    def _someone(self, role: str | None = None, display_name: str | None = None) -> User:
        user = User(
            email=unique_email(role or "someone"),
            password_hash=None,
            email_confirmed_at=utcnow(),
            charter_accepted_at=utcnow(),
            display_name=display_name,
            grants=[RoleGrant(role=role)] if role else [],
        )
        _db.session.add(user)
        _db.session.flush()
        self.users.ids.add(user.id)
        return user

    def remove_all(self) -> None:
        # Phases, proposals, comments, votes, answers and events go by cascade.
        with self.server.app.app_context():
            _db.session.execute(sa.delete(Consultation).where(Consultation.slug.in_(self.slugs)))
            _db.session.commit()
            _db.session.remove()


@pytest.fixture
def live_consultations(live_server, live_users):
    consultations = LiveConsultations(live_server, live_users)
    yield consultations
    consultations.remove_all()


CYCLING = Seed(
    "Des pistes cyclables entre les communes",
    "Relier Labège et Castanet-Tolosan par une piste cyclable protégée des voitures.",
    theme="Mobilité",
    agrees=2,
)
COMPOST = Seed(
    "Un composteur partagé dans chaque quartier",
    "Installer des bacs de compostage gérés par les habitants, près des écoles.",
    theme="Climat",
    agrees=1,
)
SUNDAY_BUS = Seed(
    "Un bus le dimanche vers Toulouse",
    "Faire circuler la ligne 79 aussi le dimanche, toutes les heures.",
    theme="Mobilité",
)


# --- shared steps --------------------------------------------------------------------------


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("status").filter(has_text="Vous êtes déconnecté.")).to_be_visible()
    expect(page.get_by_role("link", name="Se connecter", exact=True)).to_be_visible()


def flash(page: Page, text: str) -> Locator:
    return page.locator(".flashes").filter(has_text=text)


def vote(page: Page, js: bool, region: Locator, choice: str) -> None:
    """Click a vote button; with JavaScript, htmx swaps the region (a 200 fragment, not a
    redirect); without, the form posts and the page comes back with a message."""
    button = region.get_by_role("button", name=choice, exact=True)
    if js:
        with page.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith("/vote")
        ) as answer:
            button.click()
        response: Response = answer.value
        assert response.status == 200
        assert response.request.headers.get("hx-request") == "true"
    else:
        button.click()
        expect(flash(page, "Votre vote est enregistré.")).to_be_visible()
    expect(region.get_by_role("button", name=choice, exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )


# --- the journey ---------------------------------------------------------------------------


def test_propose_comment_vote_answer_and_follow_up(page: Page, live_consultations, js):
    consultation = live_consultations.create(seeds=(CYCLING,))
    citizen, password = live_consultations.user(display_name="Camille")
    official, official_password = live_consultations.user("elected", "Élue à la mobilité")
    title = "Une piste cyclable jusqu'au collège de Labège"
    body = "Un itinéraire protégé pour que les élèves puissent venir au collège à vélo."
    answer = "Le tracé sera étudié avec la commune et inscrit au plan vélo 2027."

    # The citizen logs in and opens the consultation from the menu.
    log_in(page, citizen, password)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Concertations"
    ).click()
    page.get_by_role("link", name=consultation.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(consultation.title)
    current = page.locator(".timeline .timeline-current")
    expect(current).to_contain_text("Propositions, débats et votes")

    # A proposal. With JavaScript, a title close in meaning to an existing proposal brings
    # a hint while typing (htmx hx-get on input); with or without, publishing asks again.
    page.get_by_role("link", name="Faire une proposition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Faire une proposition")
    title_field = page.get_by_label("Titre de votre proposition")
    hint = page.locator("#similar")
    expect(hint.get_by_role("link")).to_have_count(0)
    if js:
        # The first text embedded by the server process may wait for the encoder to load.
        with page.expect_response(lambda r: "/propositions/similaires?" in r.url, timeout=60_000):
            title_field.fill(title)
        expect(hint).to_contain_text("Ces propositions ressemblent à la vôtre")
        expect(hint.get_by_role("link", name=CYCLING.title)).to_have_attribute(
            "href", consultation.proposal_path(CYCLING.title)
        )
    else:
        title_field.fill(title)
    page.get_by_label("Votre proposition", exact=True).fill(body)
    page.get_by_label("Thème").select_option("Mobilité")
    page.get_by_role("button", name="Publier ma proposition").click()
    # A proposal close in meaning exists: it is shown once more before publishing.
    expect(page.get_by_role("alert")).to_contain_text("Ces propositions ressemblent à la vôtre")
    expect(page.get_by_role("alert").get_by_role("link", name=CYCLING.title)).to_be_visible()
    page.get_by_role("button", name="Publier quand même ma proposition").click()
    expect(flash(page, "Votre proposition est publiée.")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"{re.escape(consultation.proposals_path)}/\d+$"))
    proposal_path = page.url.removeprefix(live_consultations.server.url)
    proposal_id = int(proposal_path.rsplit("/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".proposal-body")).to_have_text(body)
    expect(page.locator(".proposal .meta").first).to_contain_text("Proposée par Camille")

    # A comment with a stance.
    comment = "Le carrefour de la RD 16 est dangereux pour les collégiens à vélo."
    page.get_by_label("Votre commentaire").fill(comment)
    page.get_by_role("group", name="Votre position").get_by_label("Pour", exact=True).check()
    page.get_by_role("button", name="Commenter").click()
    expect(flash(page, "Votre commentaire est publié.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"#commentaire-\d+$"))
    expect(page.get_by_role("heading", name="1 commentaire")).to_be_visible()
    posted = page.locator("ol.comments > li.comment")
    expect(posted).to_have_count(1)
    expect(posted).to_contain_text("Camille")
    expect(posted.locator(".tag")).to_have_text("Pour")
    expect(posted.locator(".comment-body")).to_have_text(comment)

    # A vote, then a change of mind. With JavaScript, only the vote region changes.
    region = page.locator(f"#vote-{proposal_id}")
    counts = region.locator(".counts")
    expect(counts).to_have_text("0 d'accord · 0 pas d'accord · 0 sans avis")
    if js:
        page.evaluate(SET_MARKER)
    vote(page, js, region, "D'accord")
    expect(counts).to_have_text("1 d'accord · 0 pas d'accord · 0 sans avis")
    expect(region.get_by_role("button", name="Retirer mon vote")).to_be_visible()
    vote(page, js, region, "Pas d'accord")
    expect(counts).to_have_text("0 d'accord · 1 pas d'accord · 0 sans avis")
    expect(region.get_by_role("button", name="D'accord", exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )
    if js:
        assert page.evaluate(GET_MARKER) == "same page", "the vote reloaded the page"
    expect(page).to_have_url(re.compile(rf"{re.escape(proposal_path)}(#commentaire-\d+)?$"))

    # The list shows the same counts.
    page.get_by_role("link", name="Propositions", exact=True).click()
    card = page.locator(".proposal-card").filter(has_text=title)
    expect(card.locator(".counts")).to_have_text("0 d'accord · 1 pas d'accord · 1 commentaire")
    log_out(page)

    # An elected official answers on behalf of the Sicoval.
    log_in(page, official, official_password)
    page.goto(proposal_path)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    answer_section = page.locator("section.answer")
    expect(answer_section).to_contain_text("Pas encore de réponse.")
    answer_section.locator("summary", has_text="Répondre au nom du Sicoval").click()
    page.get_by_label("Décision", exact=True).select_option(label="Retenue")
    page.get_by_label("Réponse argumentée").fill(answer)
    page.get_by_label("Signée en tant que").fill("Vice-présidente chargée des mobilités")
    page.get_by_role("button", name="Publier la réponse").click()
    expect(flash(page, "La réponse est publiée")).to_be_visible()
    expect(answer_section.locator(".tag")).to_have_text("Retenue")
    expect(answer_section.locator(".answer-text")).to_have_text(answer)
    expect(answer_section).to_contain_text("Signée : Vice-présidente chargée des mobilités")
    log_out(page)

    # The citizen finds the answer in "Mes contributions", and a notification about it.
    log_in(page, citizen, password)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Mes contributions"
    ).click()
    expect(page).to_have_url(re.compile(r"/mes-contributions$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes contributions")
    mine = (
        page.get_by_role("table", name="Mes propositions")
        .get_by_role("row")
        .filter(has=page.get_by_role("link", name=title))
    )
    expect(mine).to_have_count(1)
    expect(mine.locator(".tag")).to_have_text("Retenue")
    expect(mine).to_contain_text(answer)
    my_vote = (
        page.get_by_role("table", name="Mes votes")
        .get_by_role("row")
        .filter(has=page.get_by_role("link", name=title))
    )
    expect(my_vote.get_by_role("cell")).to_have_text([title, "Pas d'accord", "Retenue"])
    expect(
        page.get_by_role("region", name="Mes commentaires").get_by_role("listitem")
    ).to_contain_text([comment])

    page.locator("header").get_by_role("link", name=re.compile(r"^Notifications")).click()
    expect(page).to_have_url(re.compile(r"/compte/notifications$"))
    notice = page.locator(".notification-list li.unread").filter(has_text=title)
    expect(notice).to_have_count(1)
    expect(notice.get_by_role("link")).to_have_text(
        f"La proposition « {title} » a reçu une réponse officielle : Retenue."
    )
    expect(notice.get_by_role("link")).to_have_attribute("href", proposal_path)


# --- the proposal list ---------------------------------------------------------------------


def test_filter_and_sort_proposals(page: Page, live_consultations, js):
    consultation = live_consultations.create(seeds=(CYCLING, COMPOST, SUNDAY_BUS))
    page.goto(consultation.proposals_path)
    results = page.locator("#results")
    titles = results.locator(".proposal-card h3")
    expect(results).to_contain_text("3 propositions")
    # Most supported first.
    expect(titles).to_have_text([CYCLING.title, COMPOST.title, SUNDAY_BUS.title])
    if js:
        page.evaluate(SET_MARKER)
        # The results are a live region: htmx changes its content, not the region itself.
        results.evaluate("node => { node.civicE2eMarker = true; }")

    # With JavaScript a change of select is enough (htmx); without, the form is sent.
    def apply(action) -> None:
        if js:
            with page.expect_response(lambda r: "/propositions?" in r.url) as answer:
                action()
            assert answer.value.request.headers.get("hx-request") == "true"
            # A fragment and the page share an address: caches must tell them apart.
            assert "hx-request" in answer.value.headers.get("vary", "").lower()
        else:
            action()
            page.get_by_role("search").get_by_role("button", name="Filtrer").click()

    apply(lambda: page.get_by_label("Thème").select_option("Mobilité"))
    expect(results).to_contain_text("2 propositions")
    expect(titles).to_have_text([CYCLING.title, SUNDAY_BUS.title])
    expect(page).to_have_url(re.compile(r"/propositions\?.*theme=Mobilit%C3%A9"))

    apply(lambda: page.get_by_label("Trier par").select_option(label="les plus récentes"))
    expect(titles).to_have_text([SUNDAY_BUS.title, CYCLING.title])
    expect(page).to_have_url(re.compile(r"\?.*theme=Mobilit%C3%A9.*sort=newest"))

    if js:
        # A search typed in the box runs by itself, after a pause.
        with page.expect_response(lambda r: "q=bus" in r.url):
            page.get_by_label("Rechercher").fill("bus")
    else:
        apply(lambda: page.get_by_label("Rechercher").fill("bus"))
    expect(results).to_contain_text("1 proposition")
    expect(titles).to_have_text([SUNDAY_BUS.title])
    expect(page).to_have_url(re.compile(r"\?q=bus&.*sort=newest"))

    if js:
        assert page.evaluate(GET_MARKER) == "same page", "filtering reloaded the page"
        assert results.evaluate("node => node.civicE2eMarker === true"), "#results was replaced"

    # Back in history: the earlier results come back, with the whole page around them
    # (with JavaScript, htmx asks the server: no history cache, LESSONS).
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?q=&.*theme=Mobilit%C3%A9.*sort=newest"))
    expect(titles).to_have_text([SUNDAY_BUS.title, CYCLING.title])
    expect(page.get_by_role("heading", level=1)).to_have_text("Propositions")
    expect(page.locator("main").get_by_role("search")).to_have_count(1)
    page.go_forward()
    expect(titles).to_have_text([SUNDAY_BUS.title])

    # The pushed address is a real one: opened afresh, it shows the same results.
    page.goto(page.url)
    expect(titles).to_have_text([SUNDAY_BUS.title])
    expect(page.get_by_label("Rechercher")).to_have_value("bus")
    expect(page.get_by_label("Thème")).to_have_value("Mobilité")
    expect(page.get_by_label("Trier par")).to_have_value("newest")
