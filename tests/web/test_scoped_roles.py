"""Roles granted for some communes only: a commune's agent, mayor and facilitator do their
whole job for their commune, and nothing outside it."""

import re

import pytest
import sqlalchemy as sa

from civic.accounts import services as accounts
from civic.accounts.models import RoleGrant
from civic.consultations import services as consultations
from civic.consultations.models import Proposal
from civic.core.models import AuditEvent
from civic.core.permissions import can, role_scope, scope_allows
from civic.ratings.models import CRITERIA, Service
from civic.territory.models import Commune
from civic.workshops.models import Workshop
from tests.conftest import log_in
from tests.web.test_access_matrix import EXPECTED, LOGIN, build_url


def commune(insee: str) -> Commune:
    return Commune.query.filter_by(insee=insee).one()


@pytest.fixture
def make_scoped(make_user, db):
    def make(role: str, *insee: str):
        user = make_user()
        user.grants.append(RoleGrant(role=role, communes=[commune(i) for i in insee]))
        db.session.commit()
        return user

    return make


def test_scope_in_one_place(make_user, make_scoped):
    labege, escalquens = commune("31254"), commune("31169")
    agent = make_scoped("agent", "31254")
    assert role_scope(agent, "agent") == {labege.id}
    assert role_scope(agent, "elected") == frozenset()
    assert role_scope(make_user("agent"), "agent") is None
    assert scope_allows(agent, ("agent",), [labege.id])
    assert not scope_allows(agent, ("agent",), [escalquens.id, None])
    # A role held for some communes is not the territory's role.
    assert not agent.has_role("agent") and "agent" not in agent.role_names


# A scoped role whose communes hold none of the fixtures' objects: like a citizen, except
# where the route opens a list or a form that the view then narrows to the commune.
# Requests to the authority: a commune's staff handle their communes' requests and those not
# routed yet (request 1 of the matrix's world is routed to no commune).
HANDLES_REQUESTS = {
    "assistant.manage_requests": 200,
    "assistant.enter_request": 200,
    "assistant.manage_request": 200,
    "assistant.take_request": 303,
    "assistant.route_request": 303,
    "assistant.answer_request": 422,  # the empty answer is refused, with its errors
    "assistant.letter": 404,  # no letter for a request not answered by post
    "assistant.erase_request": 303,
}
SCOPED_OPENS = {
    # The consultation concerns every commune: Labège's paper contributions go in it.
    "agent": {
        "consultations.enter_contribution": 200,
        # Their own consultations: the list (narrowed) and the creation form.
        "consultations.manage": 200,
        "consultations.new_consultation": 200,
        "answers.waiting": 200,
        "answers.signature": 303,
        "workshops.manage_index": 200,
        "events.manage_index": 200,
        "events.create": 200,
        **HANDLES_REQUESTS,
    },
    "elected": {
        "events.manage_index": 200,
        "events.create": 200,
        # What waits for an answer, narrowed to their communes; their signature.
        "answers.waiting": 200,
        "answers.signature": 303,
    },
    "facilitator": {
        "workshops.manage_index": 200,
        "workshops.create": 200,
        "events.manage_index": 200,
        "events.create": 200,
        **HANDLES_REQUESTS,
    },
}


@pytest.mark.parametrize("role", sorted(SCOPED_OPENS))
def test_scoped_role_route_matrix(app, client, make_scoped, url_values, role):
    log_in(client, make_scoped(role, "31254"))
    failures = []
    for endpoint, (method, expected, *data) in sorted(EXPECTED.items()):
        if endpoint == "accounts.logout":
            continue
        url = build_url(app, endpoint, url_values)
        response = (
            client.get(url) if method == "GET" else client.post(url, data=data[0] if data else {})
        )
        want = SCOPED_OPENS[role].get(endpoint, expected["citizen"])
        got = response.status_code
        ok = (
            got == 302 and "/compte/connexion" in response.location
            if want == LOGIN
            else got == want
        )
        if not ok:
            failures.append(f"{method} {url}: expected {want}, got {got}")
    assert not failures, "\n".join(failures)


def test_commune_agent_enters_contributions_for_their_commune_only(
    client, climate, make_scoped, db
):
    agent = make_scoped("agent", "31254")
    log_in(client, agent)
    url = f"/gestion/concertations/{climate['consultation'].id}/saisie"
    page = client.get(url).get_data(as_text=True)
    # The contribution's commune (the postal contact's commune may be any).
    form = re.search(r'<select[^>]*name="commune_id".*?</select>', page, re.S).group(0)
    assert "Labège" in form and "Escalquens" not in form and "Tout le territoire" not in form
    data = {
        "channel": "counter",
        "place": "mairie de Labège",
        "title": "Un abri vélo à la mairie",
        "body": "Reçue à l'accueil.",
        "theme": "",
    }
    for other in ("", str(commune("31169").id)):
        refused = client.post(url, data=data | {"commune_id": other})
        assert refused.status_code == 422 and "Un abri vélo" in refused.get_data(as_text=True)
    done = client.post(url, data=data | {"commune_id": str(commune("31254").id)})
    assert done.status_code == 303
    proposal = db.session.scalar(sa.select(Proposal).where(Proposal.title.like("Un abri%")))
    assert proposal.commune_id == commune("31254").id and proposal.entered_by_id == agent.id


def test_commune_mayor_answers_proposals_about_their_commune_signed_as_such(
    app, client, climate, make_scoped, db
):
    mayor = make_scoped("elected", "31254")
    with app.test_request_context():
        ours, theirs = (
            consultations.submit_proposal(
                climate["author"],
                climate["consultation"],
                title=f"Un banc à {name}",
                body="Devant l'école.",
                theme="",
                commune_id=commune(insee).id,
            )
            for insee, name in (("31254", "Labège"), ("31169", "Escalquens"))
        )
    db.session.commit()
    log_in(client, mayor)
    base = "/concertations/plan-climat/propositions"
    page = client.get(f"{base}/{ours.id}").get_data(as_text=True)
    assert 'value="Élu de Labège"' in page  # the signature offered to a new official
    assert 'name="signed_as"' not in client.get(f"{base}/{theirs.id}").get_data(as_text=True)
    answer = {"status": "retained", "text": "Il sera posé.", "signed_as": "Élu de Labège"}
    assert client.post(f"{base}/{theirs.id}/reponse", data=answer).status_code == 403
    assert client.post(f"{base}/{climate['proposal'].id}/reponse", data=answer).status_code == 403
    waiting = client.get("/gestion/a-repondre").get_data(as_text=True)
    assert "Un banc à Labège" in waiting and "Un banc à Escalquens" not in waiting
    assert "pistes cyclables" not in waiting
    assert client.post(f"{base}/{ours.id}/reponse", data=answer).status_code == 303
    assert ours.answer.signed_as == "Élu de Labège"


def test_commune_agent_answers_ratings_of_their_commune_services_only(
    client, make_user, make_scoped, db
):
    from civic.ratings import services as ratings

    author = make_user()
    rated = {}
    for insee in ("31254", "31169"):
        service = Service(
            source="t",
            source_id=insee,
            name=f"Mairie {insee}",
            type="Mairie",
            commune_id=commune(insee).id,
        )
        db.session.add(service)
        db.session.flush()
        rated[insee] = (
            service,
            ratings.rate(
                author,
                service,
                scores={c: 3 for c in CRITERIA},
                channel="on_site",
                open_as_announced=None,
                comment="Accueil lent",
            ),
        )
        rated[insee][1].comment_status = "published"
    db.session.commit()
    agent = make_scoped("agent", "31254")
    assert can(agent, "ratings.answer", rated["31254"][0])
    assert not can(agent, "ratings.answer", rated["31169"][0])
    log_in(client, agent)
    data = {"status": "action_started", "text": "Merci.", "signed_as": "Mairie de Labège"}
    for insee, status in (("31169", 403), ("31254", 303)):
        service, rating = rated[insee]
        url = f"/services/{service.id}/avis/{rating.id}/reponse"
        assert client.post(url, data=data).status_code == status


WORKSHOP = {
    "title": "Atelier de Labège",
    "purpose": "Le parc",
    "starts_at": "2027-03-15T18:30",
    "duration_minutes": "120",
    "mode": "onsite",
    "address": "Salle du conseil, Labège",
    "capacity": "30",
    "tables": "2",
    "seats_elected": "4",
    "seats_technician": "4",
    "seats_citizen": "12",
    "call_closes_at": "2027-03-01T12:00",
    "consultation_id": "",
}


def test_commune_facilitator_runs_their_own_workshops(client, make_scoped, make_workshop, db):
    facilitator = make_scoped("facilitator", "31254")
    elsewhere = make_workshop(slug="atelier-ailleurs", commune_id=commune("31169").id)
    log_in(client, facilitator)
    form = client.get("/gestion/ateliers/nouveau").get_data(as_text=True)
    assert "Labège" in form and "Escalquens" not in form and "Aucune ou plusieurs" not in form
    for other in ("", str(commune("31169").id)):
        refused = client.post("/gestion/ateliers/nouveau", data=WORKSHOP | {"commune_id": other})
        assert refused.status_code == 422
    done = client.post(
        "/gestion/ateliers/nouveau", data=WORKSHOP | {"commune_id": str(commune("31254").id)}
    )
    assert done.status_code == 303
    ours = db.session.scalar(sa.select(Workshop).where(Workshop.title == "Atelier de Labège"))
    assert client.get(f"/gestion/ateliers/{ours.id}").status_code == 200
    assert client.get(f"/gestion/ateliers/{elsewhere.id}").status_code == 403
    listing = client.get("/gestion/ateliers").get_data(as_text=True)
    assert "Atelier de Labège" in listing and elsewhere.title not in listing


def test_admin_grants_a_scoped_role_and_the_audit_log_records_the_scope(client, make_user, db):
    admin, user = make_user("admin"), make_user()
    log_in(client, admin)
    labege, escalquens = commune("31254"), commune("31169")
    page = client.get(f"/gestion/utilisateurs/{user.id}").get_data(as_text=True)
    assert "Rôles limités à des communes" in page and 'name="scope_agent"' in page
    response = client.post(
        f"/gestion/utilisateurs/{user.id}",
        data={"roles": ["agent", "moderator"], "scope_agent": [str(labege.id), str(escalquens.id)]},
    )
    assert response.status_code == 303
    assert role_scope(user, "agent") == {labege.id, escalquens.id}
    assert role_scope(user, "moderator") is None
    granted = db.session.scalar(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "role.granted", AuditEvent.target_id == user.id)
        .order_by(AuditEvent.id)
    )
    assert granted.details == {"role": "agent", "communes": ["31169", "31254"]}
    client.post(
        f"/gestion/utilisateurs/{user.id}",
        data={"roles": ["agent"], "scope_agent": [str(labege.id)]},
    )
    changed = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "role.scope_changed")
    )
    assert changed.details == {"role": "agent", "communes": ["31254"], "before": ["31169", "31254"]}
    # Boxes to tick (a multiple select needs Ctrl, which phones lack), the granted one ticked
    # and its box open.
    page = client.get(f"/gestion/utilisateurs/{user.id}").get_data(as_text=True)
    assert "<select" not in page.split("Rôles limités à des communes")[1].split("</form>")[0]
    boxes = re.findall(r'<input[^>]*name="scope_agent"[^>]*>', page)
    ticked = [box for box in boxes if "checked" in box]
    assert len(boxes) > 30 and all('type="checkbox"' in box for box in boxes)
    assert len(ticked) == 1 and f'value="{labege.id}"' in ticked[0]
    assert "Agent (technicien)" in page and "1 commune" in page
    assert "Agent (technicien) (Labège)" in client.get("/gestion/utilisateurs").get_data(
        as_text=True
    )
    # Moderation stays territory-wide: it cannot be limited to communes.
    with pytest.raises(accounts.AccountError):
        accounts.set_roles(admin, user, {"moderator"}, {"moderator": {labege.id}})


def test_cli_grants_a_role_for_some_communes(app, make_user, db):
    user = make_user()
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["civic", "accounts", "grant", user.email, "elected", "--communes", "31254"]
    )
    assert result.exit_code == 0, result.output
    assert role_scope(user, "elected") == {commune("31254").id}
    bad = runner.invoke(
        args=["civic", "accounts", "grant", user.email, "elected", "--communes", "75056"]
    )
    assert bad.exit_code != 0 and "75056" in bad.output


def test_commune_staff_publish_their_commune_events_only(make_user, make_scoped):
    from civic.events.models import Event
    from civic.events.permissions import organiser_ids

    labege, escalquens = commune("31254"), commune("31169")
    agent = make_scoped("agent", "31254")
    assert organiser_ids(agent) == {labege.id}  # not the territory's name
    assert organiser_ids(make_user()) == set()
    ours = Event(organiser_commune_id=labege.id, created_by_id=None)
    theirs = Event(organiser_commune_id=escalquens.id, created_by_id=None)
    territory = Event(organiser_commune_id=None, created_by_id=None)
    assert can(agent, "events.manage", ours)
    assert not can(agent, "events.manage", theirs)
    assert not can(agent, "events.manage", territory)


CONSULTATION = {
    "title": "Le parc de Labège",
    "slug": "",
    "summary": "Le réaménagement du parc",
    "body": "<p>Le parc.</p>",
    "theme": "",
}


def test_commune_agent_runs_their_commune_consultation(client, climate, make_scoped, db):
    from civic.consultations.models import Consultation

    labege, escalquens = commune("31254"), commune("31169")
    log_in(client, make_scoped("agent", "31254"))
    form = client.get("/gestion/concertations/nouvelle").get_data(as_text=True)
    assert "Labège" in form and "Escalquens" not in form
    for communes in ([], [str(escalquens.id)], [str(labege.id), str(escalquens.id)]):
        refused = client.post(
            "/gestion/concertations/nouvelle", data=CONSULTATION | {"communes": communes}
        )
        assert refused.status_code == 422, communes
    done = client.post(
        "/gestion/concertations/nouvelle", data=CONSULTATION | {"communes": [str(labege.id)]}
    )
    assert done.status_code == 303
    ours = db.session.scalar(sa.select(Consultation).where(Consultation.title.like("Le parc%")))
    assert not ours.all_communes and [c.insee for c in ours.communes] == ["31254"]
    assert client.get(f"/gestion/concertations/{ours.id}").status_code == 200
    territory = climate["consultation"].id
    assert client.get(f"/gestion/concertations/{territory}").status_code == 403
    listing = client.get("/gestion/concertations").get_data(as_text=True)
    assert "Le parc de Labège" in listing and "Plan climat" not in listing


def test_with_htmx_the_saved_message_comes_with_the_fragment_and_not_later(client, make_user, db):
    admin, user = make_user("admin"), make_user()
    log_in(client, admin)
    url = f"/gestion/utilisateurs/{user.id}"
    assert (
        client.post(url, data={"roles": ["agent"]}, headers={"HX-Request": "true"}).status_code
        == 303
    )
    # htmx follows the 303 and swaps the roles' region: the message rides along, out of band.
    fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment
    assert 'id="flashes"' in fragment and 'hx-swap-oob="true"' in fragment
    assert "sont enregistrés" in fragment
    # ...and is not shown a second time on the next whole page.
    assert "sont enregistrés" not in client.get(url).get_data(as_text=True)
