"""The live board, the table's vote and the minutes, through the web: every route as a page
and as an htmx fragment, as participants, outsiders, the facilitator and anonymous visitors."""

import html
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civic.consultations.models import Proposal
from civic.core.catalogues import french_spacing as fr
from civic.core.models import utcnow
from civic.core.notify import Notification, OutboxEmail
from civic.moderation.models import Case
from civic.workshops import board
from civic.workshops.content import register_kinds
from civic.workshops.models import Ballot, Note, Participant, Theme, Volunteer
from civic.workshops.services import WorkshopError, erase_personal_data
from tests.conftest import log_in
from tests.web.helpers import text

HX = {"HX-Request": "true"}
LOGIN = "/compte/connexion"


@pytest.fixture(autouse=True)
def _note_kind(app):
    # Registered by the workshops blueprint once the lead wires it; idempotent.
    register_kinds()


@pytest.fixture
def live(live_workshop):
    return live_workshop


def W(live, suffix=""):
    return f"/ateliers/{live['workshop'].slug}{suffix}"


def G(live, suffix=""):
    return f"/gestion/ateliers/{live['workshop'].id}{suffix}"


def as_user(client, user):
    with client.session_transaction() as session:
        session.clear()
    if user is not None:
        log_in(client, user)
    return client


def post_note(app, db, user, workshop, body, table_no=None) -> Note:
    with app.test_request_context():
        note = board.post_note(user, workshop, body, table_no)
    db.session.commit()
    return note


def add_themes(app, db, live, *titles, table_no=1) -> list[Theme]:
    with app.test_request_context():
        themes = [
            board.add_theme(live["facilitator"], live["workshop"], t, table_no) for t in titles
        ]
    db.session.commit()
    return themes


def open_vote(db, live, method="majority", dots=None):
    board.open_vote(live["facilitator"], live["workshop"], method, dots)
    db.session.commit()


def readable(response) -> str:
    """The page's words, without tags, spaces collapsed."""
    words = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    words = re.sub(r"\s+", " ", html.unescape(words))
    return re.sub(r" ([,).])", r"\1", words)


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and LOGIN in response.headers["Location"]


def poll_url(page: str) -> str:
    return html.unescape(re.search(r'hx-get="([^"]+)"', page).group(1))


def ballots(workshop) -> list[Ballot]:
    from civic.extensions import db

    return list(db.session.scalars(sa.select(Ballot).where(Ballot.workshop_id == workshop.id)))


# --- who sees the board ----------------------------------------------------------------------


def test_board_access(client, live, make_user):
    outsider = make_user(email="dehors@example.org")
    url = W(live, "/tableau")
    assert is_login_redirect(as_user(client, None).get(url))
    assert as_user(client, outsider).get(url).status_code == 403
    assert as_user(client, outsider).get(url, headers=HX).status_code == 403
    for role in ("elected", "technician", "citizen"):
        page = as_user(client, live[role]).get(url)
        assert page.status_code == 200, role
        assert "Afficher ma note" in text(page)
        assert "Actualiser" in text(page)
        assert 'role="status"' in page.get_data(as_text=True)
        assert "Créer le thème" not in text(page)  # facilitator's tools
    page = as_user(client, live["facilitator"]).get(url)
    assert page.status_code == 200
    assert "Créer le thème" in text(page) and "Ouvrir le vote" in text(page)
    assert as_user(client, None).get("/ateliers/inconnu/tableau").status_code == 302
    assert as_user(client, outsider).get("/ateliers/inconnu/tableau").status_code == 404


def test_board_fragment_polls_and_answers_204_when_nothing_changed(app, client, live, db):
    workshop, citizen, elected = live["workshop"], live["citizen"], live["elected"]
    post_note(app, db, elected, workshop, "Des bancs à l'ombre près des arrêts")
    as_user(client, citizen)
    page = client.get(W(live, "/tableau"))
    body = page.get_data(as_text=True)
    assert "<html" in body and 'hx-trigger="every 5s"' in body
    # The block alone, for htmx.
    fragment = client.get(W(live, "/tableau"), headers=HX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Des bancs à l'ombre" in text(fragment)
    assert "HX-Request" in fragment.headers["Vary"]
    # Polling with the state the page shows: nothing to swap, nothing announced again.
    assert client.get(poll_url(body), headers=HX).status_code == 204
    assert client.get(poll_url(fragment.get_data(as_text=True)), headers=HX).status_code == 204
    # Someone else posts: the fragment comes back with the new note, announced politely.
    post_note(app, db, live["technician"], workshop, "Une navette le samedi matin")
    fresh = client.get(poll_url(fragment.get_data(as_text=True)), headers=HX)
    assert fresh.status_code == 200
    assert "Une navette le samedi matin" in text(fresh)
    assert 'id="board-news" hx-swap-oob="innerHTML"' in fresh.get_data(as_text=True)
    assert "1 nouvelle note au tableau." in text(fresh)
    # A boosted navigation gets the whole page (see LESSONS).
    boosted = client.get(W(live, "/tableau"), headers={**HX, "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)


def test_facilitator_chooses_the_table(app, client, live, db):
    workshop = live["workshop"]
    workshop.tables = 2
    db.session.commit()
    post_note(app, db, live["facilitator"], workshop, "Note de la table deux", table_no=2)
    as_user(client, live["facilitator"])
    assert "Note de la table deux" not in text(client.get(W(live, "/tableau")))
    page = client.get(W(live, "/tableau?table=2"))
    assert "Note de la table deux" in text(page)
    assert 'aria-current="page">Table 2' in page.get_data(as_text=True)
    # A participant sees their own table, whatever the address says.
    page = as_user(client, live["citizen"]).get(W(live, "/tableau?table=2"))
    assert "Note de la table deux" not in text(page)


# --- posting notes --------------------------------------------------------------------------


def test_posting_notes_keeps_the_author_college(client, live, db):
    workshop = live["workshop"]
    for role in ("elected", "technician", "citizen", "facilitator"):
        response = as_user(client, live[role]).post(
            W(live, "/tableau/notes"), data={"body": f"  Idée de la personne {role}  "}
        )
        assert response.status_code == 303, role
        assert response.headers["Location"].startswith(W(live, "/tableau"))
    notes = db.session.scalars(sa.select(Note).where(Note.workshop_id == workshop.id)).all()
    assert {(n.body, n.author_role, n.status) for n in notes} == {
        (f"Idée de la personne {r}", r, "published")
        for r in ("elected", "technician", "citizen", "facilitator")
    }
    page = as_user(client, live["citizen"]).get(W(live, "/tableau"))
    assert "Idée de la personne elected" in text(page)
    assert "Élu" in text(page) and "Technicien" in text(page)


def test_posting_a_note_with_htmx_empties_the_form_and_swaps_the_list(client, live, db):
    as_user(client, live["citizen"])
    response = client.post(W(live, "/tableau/notes"), data={"body": "Plus de bus"}, headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert re.search(r'<textarea[^>]*id="body"[^>]*>\s*</textarea>', body)  # emptied
    assert 'id="board-notes" hx-swap-oob="innerHTML"' in body
    assert "Plus de bus" in text(response)
    assert "Votre note est affichée." in text(response)


def test_invalid_notes_are_refused_and_kept(client, live, db):
    as_user(client, live["citizen"])
    too_long = "x" * 281
    for data, headers in (({"body": too_long}, {}), ({"body": too_long}, HX), ({"body": " "}, {})):
        response = client.post(W(live, "/tableau/notes"), data=data, headers=headers)
        assert response.status_code == 422
        assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert too_long in text(
        client.post(W(live, "/tableau/notes"), data={"body": too_long}, headers=HX)
    )
    assert db.session.scalar(sa.select(sa.func.count(Note.id))) == 0


def test_who_may_post(client, live, make_user, make_workshop, db):
    outsider = make_user(email="dehors@example.org")
    url = W(live, "/tableau/notes")
    assert is_login_redirect(as_user(client, None).post(url, data={"body": "x"}))
    assert as_user(client, outsider).post(url, data={"body": "x"}).status_code == 403
    # Before the board opens (an hour before the start), even the table cannot post.
    later = make_workshop(title="Atelier futur")
    db.session.add(Participant(workshop_id=later.id, role="citizen", user_id=outsider.id))
    db.session.commit()
    response = as_user(client, outsider).post(
        f"/ateliers/{later.slug}/tableau/notes", data={"body": "Trop tôt"}
    )
    assert response.status_code == 403
    page = client.get(f"/ateliers/{later.slug}/tableau")
    assert page.status_code == 200 and "Afficher ma note" not in text(page)
    # A blocked participant may read, not post.
    from civic.moderation import services as moderation

    moderator = make_user("moderator")
    moderation.block(moderator, live["citizen"], "Insultes", 7)
    db.session.commit()
    assert as_user(client, live["citizen"]).post(url, data={"body": "x"}).status_code == 403


def test_a_near_copy_waits_for_moderation_and_only_its_author_sees_it(app, client, live, db):
    workshop, citizen = live["workshop"], live["citizen"]
    post_note(app, db, citizen, workshop, "Un parking vélo sécurisé à la gare de Labège")
    copy = post_note(app, db, citizen, workshop, "Un parking vélo sécurisé à la gare de Labège !")
    assert copy.status == "pending"
    case = db.session.scalar(sa.select(Case).where(Case.kind == "workshop_note"))
    assert case.item_id == copy.id and case.consultation_id == workshop.consultation_id
    mine = text(as_user(client, citizen).get(W(live, "/tableau")))
    assert "en attente de relecture" in mine
    others = text(as_user(client, live["elected"]).get(W(live, "/tableau")))
    assert others.count("Un parking vélo sécurisé") == 1


def test_moderation_hides_a_note_and_its_contribution(app, client, live, db, make_user):
    from civic.moderation import services as moderation

    workshop = live["workshop"]
    note = post_note(app, db, live["citizen"], workshop, "Texte contraire à la charte")
    with app.test_request_context():
        board.publish_minutes(live["facilitator"], workshop, "<p>Synthèse</p>")
    db.session.commit()
    proposal = db.session.get(Proposal, note.proposal_id)
    assert proposal.status == "published"
    moderator = make_user("moderator")
    with app.test_request_context():
        case = moderation.report(make_user(), "workshop_note", note, "spam")
        moderation.decide(moderator, [case], "hide", charter_reason="off_topic")
    db.session.commit()
    assert note.status == "hidden" and proposal.status == "hidden"
    assert "Texte contraire" not in text(as_user(client, None).get(W(live, "/compte-rendu")))


def test_notes_of_one_theme_enter_the_consultation_each_with_its_own_title(app, live, db):
    workshop = live["workshop"]
    bodies = [
        "Nous devrions créer des pistes cyclables continues entre Labège et Escalquens.",
        "Des arceaux pour les vélos devant chaque école",
    ]
    notes = [post_note(app, db, live["citizen"], workshop, body) for body in bodies]
    with app.test_request_context():
        theme = board.add_theme(live["facilitator"], workshop, "Vélo au quotidien", 1)
        for note in notes:
            board.assign_note(live["facilitator"], note, theme)
        board.publish_minutes(live["facilitator"], workshop, "<p>Synthèse</p>")
    db.session.commit()
    titles = [db.session.get(Proposal, note.proposal_id).title for note in notes]
    assert titles == [
        "Créer des pistes cyclables continues entre Labège et Escalquens",
        "Des arceaux pour les vélos devant chaque école",
    ]


# --- themes ---------------------------------------------------------------------------------


def test_facilitator_creates_themes_and_sorts_notes(app, client, live, db):
    workshop = live["workshop"]
    note = post_note(app, db, live["citizen"], workshop, "Des pistes cyclables continues")
    as_user(client, live["facilitator"])
    response = client.post(G(live, "/themes"), data={"title": "Vélo", "table": "1"})
    assert response.status_code == 303
    theme = db.session.scalar(sa.select(Theme).where(Theme.workshop_id == workshop.id))
    assert (theme.title, theme.table_no, theme.position) == ("Vélo", 1, 1)
    # With htmx: the emptied form, the list out of band, the announcement.
    response = client.post(G(live, "/themes"), data={"title": "Bus", "table": "1"}, headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'id="board-notes" hx-swap-oob="innerHTML"' in body
    assert fr("Le thème « Bus » est créé.") in text(response)
    # An empty title: the form again, with its error, as a page and as a fragment.
    assert client.post(G(live, "/themes"), data={"title": ""}).status_code == 422
    assert client.post(G(live, "/themes"), data={"title": ""}, headers=HX).status_code == 422
    # Sort the note into a theme: page, then fragment.
    url = f"/gestion/ateliers/notes/{note.id}/theme"
    response = client.post(url, data={"theme": str(theme.id)})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#note-{note.id}")
    assert note.theme_id == theme.id
    fragment = client.post(url, data={"theme": ""}, headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert "La note n'a plus de thème." in text(fragment)
    db.session.refresh(note)
    assert note.theme_id is None
    assert client.post(url, data={"theme": "999999"}).status_code == 404


def test_a_note_goes_only_into_a_theme_of_its_table(app, client, live, db):
    workshop = live["workshop"]
    workshop.tables = 2
    db.session.commit()
    note = post_note(app, db, live["citizen"], workshop, "Une note de la table un")
    (other,) = add_themes(app, db, live, "Thème de la table deux", table_no=2)
    as_user(client, live["facilitator"])
    url = f"/gestion/ateliers/notes/{note.id}/theme"
    assert client.post(url, data={"theme": str(other.id)}, headers=HX).status_code == 422
    assert client.post(url, data={"theme": str(other.id)}).status_code == 303
    db.session.refresh(note)
    assert note.theme_id is None


def test_only_the_facilitator_manages_themes_and_the_vote(app, client, live, db):
    note = post_note(app, db, live["citizen"], live["workshop"], "Une note")
    (theme,) = add_themes(app, db, live, "Un thème")
    targets = [
        (G(live, "/themes"), {"title": "Intrus"}),
        (f"/gestion/ateliers/notes/{note.id}/theme", {"theme": str(theme.id)}),
        (G(live, "/vote"), {"action": "open", "method": "majority"}),
        (G(live, "/bulletins"), {"role": "citizen"}),
        (G(live, "/compte-rendu"), {"summary": "x", "publish": "1"}),
    ]
    for url, data in targets:
        assert is_login_redirect(as_user(client, None).post(url, data=data)), url
        for role in ("citizen", "elected", "technician"):
            assert as_user(client, live[role]).post(url, data=data).status_code == 403, url
            assert as_user(client, live[role]).post(url, data=data, headers=HX).status_code == 403
    for url in (G(live, "/bulletins"), G(live, "/compte-rendu")):
        assert as_user(client, live["citizen"]).get(url).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Theme.id))) == 1
    assert live["workshop"].minutes_published_at is None


# --- the vote -------------------------------------------------------------------------------


def test_opening_the_vote_needs_two_themes_and_fixes_the_method(app, client, live, db):
    workshop = live["workshop"]
    as_user(client, live["facilitator"])
    add_themes(app, db, live, "Vélo")
    response = client.post(G(live, "/vote"), data={"action": "open", "method": "majority"})
    assert response.status_code == 303
    assert workshop.vote_open is False
    add_themes(app, db, live, "Bus")
    client.post(G(live, "/vote"), data={"action": "open", "method": "dots", "dots_per_person": "0"})
    db.session.refresh(workshop)
    assert workshop.vote_open is False  # 0 dots
    client.post(G(live, "/vote"), data={"action": "open", "method": "dots", "dots_per_person": "4"})
    db.session.refresh(workshop)
    assert (workshop.vote_open, workshop.vote_method, workshop.dots_per_person) == (
        True,
        "dots",
        4,
    )
    page = as_user(client, live["citizen"]).get(W(live, "/tableau"))
    assert "Le vote est ouvert" in text(page)
    as_user(client, live["citizen"]).post(W(live, "/vote"), data=_dots(workshop, 2, 2))
    assert len(ballots(workshop)) == 1
    as_user(client, live["facilitator"])
    client.post(G(live, "/vote"), data={"action": "close"})
    db.session.refresh(workshop)
    assert workshop.vote_open is False
    client.post(G(live, "/vote"), data={"action": "open", "method": "majority"})
    db.session.refresh(workshop)
    assert workshop.vote_open is False and workshop.vote_method == "dots"  # ballots exist
    # Adding a theme while voting would change the ballot under the voters' feet.
    client.post(G(live, "/vote"), data={"action": "open", "method": "dots", "dots_per_person": "4"})
    response = client.post(G(live, "/themes"), data={"title": "Tard"})
    assert response.status_code == 422
    assert "Fermez le vote avant d'ajouter un thème." in text(response)
    assert client.post(G(live, "/vote"), data={"action": "n'importe"}).status_code == 303


def _themes(workshop):
    return board.themes(workshop, 1)


def _grades(workshop, *grades):
    return {f"theme-{t.id}": str(g) for t, g in zip(_themes(workshop), grades, strict=True)}


def _dots(workshop, *dots):
    return {f"theme-{t.id}": str(d) for t, d in zip(_themes(workshop), dots, strict=True)}


def test_ballot_access(app, client, live, make_user, db):
    outsider = make_user(email="dehors@example.org")
    url = W(live, "/vote")
    add_themes(app, db, live, "Vélo", "Bus")
    # Closed: the table gets an explanation, the others a refusal.
    page = as_user(client, live["citizen"]).get(url)
    assert page.status_code == 200 and "Le vote n'est pas ouvert." in text(page)
    assert as_user(client, live["citizen"]).get(url, headers=HX).status_code == 200
    assert as_user(client, live["citizen"]).post(url, data={}).status_code == 403
    assert as_user(client, outsider).get(url).status_code == 403
    assert as_user(client, live["facilitator"]).get(url).status_code == 403
    assert is_login_redirect(as_user(client, None).get(url))
    open_vote(db, live)
    assert as_user(client, outsider).get(url).status_code == 403
    assert as_user(client, outsider).post(url, data={}).status_code == 403
    fragment = as_user(client, live["citizen"]).get(url, headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert "<fieldset" in fragment.get_data(as_text=True)


def test_majority_ballot_grid_errors_keep_what_was_typed(app, client, live, db):
    workshop = live["workshop"]
    velo, bus = add_themes(app, db, live, "Vélo", "Bus")
    open_vote(db, live)
    as_user(client, live["citizen"])
    page = client.get(W(live, "/vote"))
    body = page.get_data(as_text=True)
    assert body.count("<fieldset") == 2 and "<legend>Vélo" in body
    for grade in ("À rejeter", "Insuffisant", "Passable", "Assez bien", "Bien", "Très bien"):
        assert grade in text(page)
    assert f'<label for="theme-{velo.id}-6">Excellent</label>' in body
    # Bus left out: refused, Vélo's grade still checked, the error tied to Bus.
    response = client.post(W(live, "/vote"), data={f"theme-{velo.id}": "5"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'id="theme-{velo.id}-5" value="5" checked' in body
    assert f'id="theme-{bus.id}-erreur"' in body and 'role="alert"' in body
    assert client.post(W(live, "/vote"), data=_grades(workshop, 7, 1)).status_code == 422
    assert client.post(W(live, "/vote"), data=_grades(workshop, "x", 1)).status_code == 422
    assert ballots(workshop) == []
    # Valid; then changed while the vote is open: still one ballot, with the new grades.
    assert client.post(W(live, "/vote"), data=_grades(workshop, 5, 1)).status_code == 303
    assert client.post(W(live, "/vote"), data=_grades(workshop, 2, 6)).status_code == 303
    (ballot,) = ballots(workshop)
    assert ballot.role == "citizen" and ballot.user_id == live["citizen"].id
    assert {e.theme_id: e.value for e in ballot.entries} == {velo.id: 2, bus.id: 6}
    page = client.get(W(live, "/vote"))
    assert "Modifier mon bulletin" in text(page)
    assert f'id="theme-{bus.id}-6" value="6" checked' in page.get_data(as_text=True)


def test_dot_ballot_budget(app, client, live, db):
    workshop = live["workshop"]
    add_themes(app, db, live, "Vélo", "Bus", "Train")
    open_vote(db, live, "dots", 3)
    as_user(client, live["elected"])
    page = client.get(W(live, "/vote"))
    assert "vous disposez de 3 gommettes" in text(page)
    assert page.get_data(as_text=True).count('type="number"') == 3
    response = client.post(W(live, "/vote"), data=_dots(workshop, 2, 2, 0))
    assert response.status_code == 422
    assert "Vous avez placé 4 gommettes pour 3 disponibles." in text(response)
    assert 'value="2"' in response.get_data(as_text=True)  # kept as typed
    assert client.post(W(live, "/vote"), data=_dots(workshop, -1, 2, 0)).status_code == 422
    assert client.post(W(live, "/vote"), data=_dots(workshop, 0, 0, 0)).status_code == 422
    assert client.post(W(live, "/vote"), data=_dots(workshop, "un", 0, 0)).status_code == 422
    assert ballots(workshop) == []
    assert client.post(W(live, "/vote"), data=_dots(workshop, 3, 0, "")).status_code == 303
    (ballot,) = ballots(workshop)
    assert sorted(e.value for e in ballot.entries) == [0, 0, 3]


def test_a_second_ballot_at_once_leaves_one(app, live, db):
    """The same participant voting twice at the same moment: the database keeps one ballot."""
    workshop, citizen = live["workshop"], live["citizen"]
    velo, bus = add_themes(app, db, live, "Vélo", "Bus")
    open_vote(db, live)
    # A concurrent request wrote its ballot after this one started (not in this session).
    db.session.execute(
        sa.insert(Ballot).values(
            workshop_id=workshop.id, user_id=citizen.id, role="citizen", created_at=utcnow()
        )
    )
    board.cast_ballot(citizen, workshop, {velo.id: 4, bus.id: 1})
    db.session.commit()
    (ballot,) = ballots(workshop)
    assert {e.theme_id: e.value for e in ballot.entries} == {velo.id: 4, bus.id: 1}
    # And a plain second insert is refused by the constraint itself.
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(Ballot(workshop_id=workshop.id, user_id=citizen.id, role="citizen"))
        db.session.flush()
    assert len(ballots(workshop)) == 1


def test_ballot_service_refusals(app, live, db):
    workshop = live["workshop"]
    velo, bus = add_themes(app, db, live, "Vélo", "Bus")
    with pytest.raises(WorkshopError):
        board.cast_ballot(live["citizen"], workshop, {velo.id: 1, bus.id: 1})  # not open
    open_vote(db, live)
    with pytest.raises(WorkshopError):
        board.cast_ballot(live["facilitator"], workshop, {velo.id: 1, bus.id: 1})  # no seat
    with pytest.raises(WorkshopError):
        board.cast_ballot(live["citizen"], workshop, {velo.id: 1, bus.id: 1, 999999: 2})


def test_paper_ballots(app, client, live, db):
    workshop = live["workshop"]
    add_themes(app, db, live, "Vélo", "Bus")
    open_vote(db, live)
    as_user(client, live["facilitator"])
    page = client.get(G(live, "/bulletins"))
    assert page.status_code == 200 and "Collège de la personne qui a voté" in text(page)
    fragment = client.get(G(live, "/bulletins"), headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    response = client.post(G(live, "/bulletins?table=1"), data=_grades(workshop, 3, 4))
    assert response.status_code == 422 and 'id="role-erreur"' in response.get_data(as_text=True)
    assert 'value="3" checked' in response.get_data(as_text=True)
    data = {"role": "technician", **_grades(workshop, 3, 4)}
    response = client.post(G(live, "/bulletins?table=1"), data=data)
    assert response.status_code == 303
    (ballot,) = ballots(workshop)
    assert (ballot.user_id, ballot.role, ballot.entered_by_id) == (
        None,
        "technician",
        live["facilitator"].id,
    )
    assert "1 bulletin compté" in text(client.get(G(live, "/bulletins")))


# --- results --------------------------------------------------------------------------------


def _cast(workshop, theme_list, grades_by_ballot, facilitator):
    for grades in grades_by_ballot:
        board.paper_ballot(
            facilitator,
            workshop,
            "citizen",
            dict(zip([t.id for t in theme_list], grades, strict=True)),
            1,
        )


def test_results_break_majority_judgment_ties_by_the_official_rule(app, live, db):
    workshop = live["workshop"]
    a, b, c = add_themes(app, db, live, "A", "B", "C")
    open_vote(db, live)
    # Five ballots. A = (0,2,2,2,6) and B = (1,2,2,2,5): same majority grade « Passable »,
    # same gauge (one above, one below): the majority values (2,2,2,0,6) < (2,2,2,1,5) put B
    # first. C = (2,2,2,2,2) has no opponent: « Passable − » with q = 0, before both.
    _cast(
        workshop,
        [a, b, c],
        [(0, 1, 2), (2, 2, 2), (2, 2, 2), (2, 2, 2), (6, 5, 2)],
        live["facilitator"],
    )
    db.session.commit()
    (table,) = board.results(workshop)
    assert [r.theme.title for r in table.rows] == ["C", "B", "A"]
    assert [r.rank for r in table.rows] == [1, 2, 3]
    assert all(r.grade == 2 for r in table.rows)
    assert table.ballots == 5 and table.by_role == {"citizen": 5}


def test_dot_results(app, live, db):
    workshop = live["workshop"]
    a, b = add_themes(app, db, live, "A", "B")
    open_vote(db, live, "dots", 3)
    board.cast_ballot(live["citizen"], workshop, {a.id: 1, b.id: 2})
    board.cast_ballot(live["elected"], workshop, {a.id: 3})
    db.session.commit()
    (table,) = board.results(workshop)
    assert [(r.theme.title, r.rank, r.dots, r.voters) for r in table.rows] == [
        ("A", 1, 4, 2),
        ("B", 2, 2, 1),
    ]
    assert table.by_role == {"citizen": 1, "elected": 1}


# --- the minutes ----------------------------------------------------------------------------


def _prepare(app, db, live, method="majority"):
    workshop = live["workshop"]
    velo, bus = add_themes(app, db, live, "Vélo", "Bus")
    notes = {
        role: post_note(app, db, live[role], workshop, f"Proposition de la personne {role}")
        for role in ("elected", "technician", "citizen")
    }
    loose = post_note(app, db, live["facilitator"], workshop, "Une note sans thème " + "mot " * 30)
    board.assign_note(live["facilitator"], notes["elected"], velo)
    board.assign_note(live["facilitator"], notes["citizen"], bus)
    if method == "majority":
        open_vote(db, live)
        board.cast_ballot(live["citizen"], workshop, {velo.id: 5, bus.id: 2})
        board.cast_ballot(live["elected"], workshop, {velo.id: 4, bus.id: 3})
    else:
        open_vote(db, live, "dots", 3)
        board.cast_ballot(live["citizen"], workshop, {velo.id: 2, bus.id: 1})
    for seat in db.session.scalars(
        sa.select(Participant).where(Participant.workshop_id == workshop.id)
    ):
        seat.attended = seat.role != "technician"
    db.session.commit()
    return notes, loose


def test_minutes_access_before_and_after_publication(app, client, live, make_user, db):
    _prepare(app, db, live)
    url = W(live, "/compte-rendu")
    outsider = make_user(email="dehors@example.org")
    assert is_login_redirect(as_user(client, None).get(url))
    assert as_user(client, outsider).get(url).status_code == 403
    assert as_user(client, live["citizen"]).get(url).status_code == 403
    preview = as_user(client, live["facilitator"]).get(url)
    assert preview.status_code == 200 and "Aperçu" in text(preview)
    as_user(client, live["facilitator"])
    assert client.get(G(live, "/compte-rendu")).status_code == 200
    fragment = client.get(G(live, "/compte-rendu"), headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    with app.test_request_context():
        board.publish_minutes(live["facilitator"], live["workshop"], "<p>Merci à tous</p>")
    db.session.commit()
    for user in (None, outsider, live["citizen"]):
        page = as_user(client, user).get(url)
        assert page.status_code == 200
        assert as_user(client, user).get(url, headers=HX).status_code == 200
    assert "<html" not in as_user(client, None).get(url, headers=HX).get_data(as_text=True)


def test_minutes_page_shows_themes_roles_results_and_attendance(app, client, live, db):
    _prepare(app, db, live)
    with app.test_request_context():
        board.publish_minutes(
            live["facilitator"], live["workshop"], "<p>Synthèse <script>alert(1)</script></p>"
        )
    db.session.commit()
    page = as_user(client, None).get(W(live, "/compte-rendu"))
    body, words = page.get_data(as_text=True), readable(page)
    assert "<script>alert" not in body and "Synthèse" in words
    assert "Proposition de la personne elected (proposé par un élu" in words
    assert "Proposition de la personne technician (proposé par un technicien" in words
    assert "Proposition de la personne citizen (proposé par un citoyen" in words
    assert "proposé par l'animateur" in words
    assert "Notes sans thème" in words
    # Results: the ranking table, the chart and its data table.
    assert "Classement au jugement majoritaire" in words
    assert '<svg class="chart" role="img"' in body
    assert "Mentions reçues par thème (données du graphique)" in words
    # Two ballots: Vélo (5, 4) -> « Bien » (the lower middle), Bus (2, 3) -> « Passable ».
    assert "1 Vélo Bien" in words and "2 Bus Passable" in words
    # Attendance by college: present, then planned seats (the fixture plans 2, 2 and 6).
    assert "Élu 1 2 Technicien 0 2 Citoyen 1 6" in words


def test_dot_results_in_the_minutes(app, client, live, db):
    _prepare(app, db, live, method="dots")
    with app.test_request_context():
        board.publish_minutes(live["facilitator"], live["workshop"], "<p>Synthèse</p>")
    db.session.commit()
    page = as_user(client, None).get(W(live, "/compte-rendu"))
    assert "Classement au vote par gommettes" in text(page)
    assert '<svg class="chart"' in page.get_data(as_text=True)


def test_publishing_the_minutes(app, client, live, db, make_user):
    workshop = live["workshop"]
    notes, loose = _prepare(app, db, live)
    # A volunteer recruited by phone, whose contact details must go once the workshop is over.
    volunteer = Volunteer(
        workshop_id=workshop.id, name="Mme Dupont", phone="0561000000", email="d@example.org"
    )
    db.session.add(volunteer)
    db.session.commit()
    as_user(client, live["facilitator"])
    # A draft first: nothing leaves.
    response = client.post(G(live, "/compte-rendu"), data={"summary": "<p>Brouillon</p>"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/compte-rendu")
    assert workshop.minutes_html == "<p>Brouillon</p>" and workshop.minutes_published_at is None
    # Publishing without a summary is refused, with the form kept.
    response = client.post(G(live, "/compte-rendu"), data={"summary": " ", "publish": "1"})
    assert response.status_code == 422
    response = client.post(
        G(live, "/compte-rendu"),
        data={"summary": "<p>Les mobilités <em>douces</em></p>", "publish": "1"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(W(live, "/compte-rendu"))
    db.session.refresh(workshop)
    assert workshop.minutes_published_at is not None and workshop.vote_open is False
    # One contribution per published note, from the workshop channel, titled by its own text.
    contributions = db.session.scalars(
        sa.select(Proposal).where(Proposal.channel == "workshop").order_by(Proposal.id)
    ).all()
    assert len(contributions) == 4
    assert {p.consultation_id for p in contributions} == {workshop.consultation_id}
    assert {p.entered_at_label for p in contributions} == {"Atelier mobilités"}
    assert {p.status for p in contributions} == {"published"}
    by_body = {p.body: p for p in contributions}
    for body, proposal in by_body.items():
        if len(body) < 80:
            assert proposal.title == body
    long_title = by_body[loose.body].title
    assert long_title.endswith("…") and len(long_title) <= 91
    for note in (*notes.values(), loose):
        db.session.refresh(note)
        assert db.session.get(Proposal, note.proposal_id).body == note.body
    # Visible in the consultation, filtered by channel.
    listing = as_user(client, None).get("/concertations/plan-climat/propositions?channel=workshop")
    assert readable(listing).count("Contribution reçue en atelier") == 4
    assert "Proposition de la personne elected Contribution reçue en atelier" in readable(listing)
    # Every participant with an account is told, in the app and by e-mail.
    for role in ("elected", "technician", "citizen"):
        user = live[role]
        assert db.session.scalar(
            sa.select(Notification).where(
                Notification.user_id == user.id, Notification.message.contains("compte rendu")
            )
        )
        mail = db.session.scalar(sa.select(OutboxEmail).where(OutboxEmail.user_id == user.id))
        assert "Atelier mobilités" in mail.subject
        assert "/ateliers/atelier-mobilites/compte-rendu" in mail.body
        assert "4 notes du tableau rejoignent les contributions" in mail.body
    # The agents' typing is forgotten.
    db.session.refresh(volunteer)
    assert (volunteer.phone, volunteer.email) == ("", "")
    # The board is closed: no more notes, no more votes.
    as_user(client, live["citizen"])
    assert client.post(W(live, "/tableau/notes"), data={"body": "Trop tard"}).status_code == 403
    board_page = client.get(W(live, "/tableau"))
    assert "le tableau est clos" in text(board_page) and "hx-trigger" not in board_page.get_data(
        as_text=True
    )
    # Publishing again updates the summary only: no second contribution, no second message.
    as_user(client, live["facilitator"])
    client.post(G(live, "/compte-rendu"), data={"summary": "<p>Corrigé</p>", "publish": "1"})
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Proposal.id)).where(Proposal.channel == "workshop")
        )
        == 4
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count(OutboxEmail.id)).where(
                OutboxEmail.user_id == live["citizen"].id
            )
        )
        == 1
    )
    assert "Corrigé" in text(as_user(client, None).get(W(live, "/compte-rendu")))


def test_pending_notes_stay_out_of_the_consultation(app, live, db):
    workshop = live["workshop"]
    post_note(app, db, live["citizen"], workshop, "Un arrêt de bus devant l'école primaire")
    held = post_note(app, db, live["citizen"], workshop, "Un arrêt de bus devant l'école primaire")
    assert held.status == "pending"
    with app.test_request_context():
        entered = board.publish_minutes(live["facilitator"], workshop, "<p>S</p>")
    assert entered == 1 and held.proposal_id is None


def test_minutes_without_a_consultation(app, make_workshop, make_user, db):
    workshop = make_workshop(
        title="Atelier libre",
        consultation_id=None,
        starts_at=utcnow() - timedelta(minutes=30),
        call_closes_at=utcnow() - timedelta(days=1),
    )
    citizen = make_user()
    db.session.add(Participant(workshop_id=workshop.id, role="citizen", user_id=citizen.id))
    db.session.commit()
    post_note(app, db, citizen, workshop, "Une idée")
    with app.test_request_context():
        assert board.publish_minutes(workshop.facilitator, workshop, "<p>S</p>") == 0
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Notification.id)).where(Notification.user_id == citizen.id)
        )
        == 1
    )


def test_notes_keep_their_role_after_the_author_is_erased(app, client, live, db):
    note = post_note(app, db, live["elected"], live["workshop"], "Un budget pour les trottoirs")
    erase_personal_data(live["elected"])
    db.session.commit()
    db.session.refresh(note)
    assert note.author_id is None and note.author_role == "elected"
    with app.test_request_context():
        board.publish_minutes(live["facilitator"], live["workshop"], "<p>S</p>")
    db.session.commit()
    page = as_user(client, None).get(W(live, "/compte-rendu"))
    assert "Un budget pour les trottoirs (proposé par un élu" in readable(page)


def test_the_minutes_email_template_renders_in_english(app, live, db):
    from flask import render_template
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        body = render_template(
            "email/workshop_minutes.txt", workshop=live["workshop"], entered=2, url="https://x/y"
        )
    assert "https://x/y" in body and "Atelier mobilités" in body


def _unlabelled(body: str) -> list[str]:
    fields = re.findall(r"<(?:input|select|textarea)\b[^>]*>", body)
    ids = [
        re.search(r'\bid="([^"]+)"', f).group(1)
        for f in fields
        if 'type="hidden"' not in f and re.search(r'\bid="', f)
    ]
    unnamed = [f for f in fields if 'type="hidden"' not in f and not re.search(r'\bid="', f)]
    return unnamed + [i for i in ids if f'for="{i}"' not in body]


def test_forms_are_labelled_and_the_board_has_a_polite_live_region(app, client, live, db):
    post_note(app, db, live["citizen"], live["workshop"], "Une note")
    add_themes(app, db, live, "Vélo", "Bus")
    as_user(client, live["facilitator"])
    body = client.get(W(live, "/tableau")).get_data(as_text=True)
    assert body.count("<h1") == 1 and _unlabelled(body) == []
    assert '<p id="board-news" class="board-news" role="status" aria-live="polite">' in body
    for url in (G(live, "/bulletins"), G(live, "/compte-rendu")):
        assert _unlabelled(client.get(url).get_data(as_text=True)) == [], url
    open_vote(db, live, "dots", 3)
    assert _unlabelled(client.get(G(live, "/bulletins")).get_data(as_text=True)) == []
    body = as_user(client, live["citizen"]).get(W(live, "/vote")).get_data(as_text=True)
    assert body.count('type="number"') == 2 and _unlabelled(body) == []
    assert body.count('aria-describedby="dots-budget"') == 2


def test_a_seated_participant_is_told_when_the_board_opens(client, live, db):
    workshop = live["workshop"]
    workshop.starts_at = utcnow() + timedelta(days=2)
    db.session.commit()
    page = text(as_user(client, live["citizen"]).get(W(live, "/tableau")))
    assert "Le tableau ouvre une heure avant l'atelier" in page
    assert "Afficher une note" not in page
    workshop.starts_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    page = text(as_user(client, live["citizen"]).get(W(live, "/tableau")))
    assert "Le tableau ouvre" not in page and "Afficher une note" in page


def test_once_the_vote_is_closed_its_results_replace_the_vote_controls(app, client, live, db):
    _prepare(app, db, live)
    with app.test_request_context():
        board.close_vote(live["facilitator"], live["workshop"])
    db.session.commit()
    page = text(as_user(client, live["facilitator"]).get(W(live, "/tableau")))
    assert "Résultats du vote" in page and "Classement au jugement majoritaire" in page
    assert "Ouvrir le vote" not in page and "Rouvrir le vote" in page
    seated = text(as_user(client, live["citizen"]).get(W(live, "/tableau")))
    assert "Classement au jugement majoritaire" in seated and "Rouvrir le vote" not in seated
    # Reopened with the same method: the ballots cast stay.
    as_user(client, live["facilitator"])
    response = client.post(
        G(live, "/vote"), data={"action": "open", "method": "majority", "dots_per_person": ""}
    )
    assert response.status_code == 303 and live["workshop"].vote_open


def test_the_minutes_editor_keeps_paragraphs_and_lists_typed_as_plain_text(client, live, db):
    as_user(client, live["facilitator"])
    typed = "La table a travaillé sur le vélo.\n\nElle retient :\n\n- des pistes\n- des arceaux"
    response = client.post(G(live, "/compte-rendu"), data={"summary": typed})
    assert response.status_code == 303
    assert live["workshop"].minutes_html == (
        "<p>La table a travaillé sur le vélo.</p><p>Elle retient :</p>"
        "<ul><li>des pistes</li><li>des arceaux</li></ul>"
    )
    editor = client.get(G(live, "/compte-rendu")).get_data(as_text=True)
    assert html.escape(typed, quote=False).replace("'", "&#39;") in editor


def test_my_contributions_and_my_data_hold_my_seat_notes_and_ballot(app, client, live, db):
    import json

    _prepare(app, db, live)
    citizen = live["citizen"]
    page = text(as_user(client, citizen).get("/mes-contributions"))
    assert "Mes ateliers" in page and live["workshop"].title in page
    assert "1 note affichée" in page and "vous avez voté" in page
    data = json.loads(client.get("/compte/donnees.json").get_data(as_text=True))["workshops"]
    assert [n["body"] for n in data["notes"]] == ["Proposition de la personne citizen"]
    assert data["ballots"][0]["values"] == [
        {"theme": "Vélo", "value": 5},
        {"theme": "Bus", "value": 2},
    ]
    assert data["seats"][0]["workshop"] == live["workshop"].title
    readable = text(client.get("/compte/donnees"))
    assert "Bulletins de vote" in readable and "Notes d'atelier" in readable
    assert "Proposition de la personne citizen" in readable
