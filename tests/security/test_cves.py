"""The anchors' own vulnerabilities, each replayed against Civic's equivalent route.

Decidim and CONSUL shipped these; each test names the advisory or issue in its docstring,
then the route of Civic that would have the same flaw, and shows that it does not.
"""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civic.core.models import utcnow
from tests.conftest import PASSWORD, log_in
from tests.security.conftest import (
    SECRETS,
    changed_tables,
    fingerprint,
    get_urls,
    leaked,
    race,
    search_key,
)
from tests.security.inert import html_problems, marker, payload, response_problems

HX = {"HX-Request": "true"}


# --- CVE-2023-47634: double endorsements by parallel requests -------------------------------


def seed_race(app, voters: int = 1):
    """A published consultation open to votes, one proposal, a service; committed."""
    from civic.accounts.models import User
    from civic.consultations import services
    from civic.extensions import db
    from civic.ratings.models import Service

    with app.test_request_context():
        now = utcnow()
        people = []
        for n in range(voters + 1):
            user = User(
                email=f"racer{n}@example.org",
                password_hash="x",
                email_confirmed_at=now,
                created_at=now - timedelta(days=30),
            )
            db.session.add(user)
            people.append(user)
        db.session.flush()
        owner = people[0]
        consultation = services.save_consultation(
            owner,
            None,
            title="Course",
            slug="course",
            summary="s",
            body="",
            theme="",
            communes=[],
            agree_limit=None,
            premoderation=False,
        )
        services.add_phase(
            owner,
            consultation,
            title="Votes",
            description="",
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=1),
            features=["voting", "commenting"],
            audience="public",
        )
        services.publish(owner, consultation)
        proposal = services.submit_proposal(
            owner, consultation, title="Une idée", body="Un texte", theme="", commune_id=None
        )
        service = Service(source="race", source_id="1", name="Piscine", type="Piscine")
        db.session.add(service)
        db.session.commit()
        result = {
            "users": [u.get_id() for u in people[1:]],
            "user_ids": [u.id for u in people[1:]],
            "proposal_id": proposal.id,
            "service_id": service.id,
            "consultation_id": consultation.id,
        }
        db.session.remove()
        return result


def client_as(app, user_token: str):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_token
    client.token = client.csrf_token()
    return client


def assert_counters_exact(db, proposal_id: int) -> None:
    """Each counter shown equals COUNT(*) of the votes behind it; each agree budget too."""
    from civic.consultations.models import Participation, Proposal, Vote

    db.session.expire_all()
    per_user = db.session.execute(
        sa.select(Vote.user_id, sa.func.count()).group_by(Vote.user_id)
    ).all()
    assert all(n == 1 for _, n in per_user)
    proposal = db.session.get(Proposal, proposal_id)
    for value, column in ((1, "agree_count"), (-1, "disagree_count"), (0, "pass_count")):
        real = db.session.scalar(
            sa.select(sa.func.count()).select_from(Vote).where(Vote.value == value)
        )
        assert getattr(proposal, column) == real, (column, getattr(proposal, column), real)
    for participation in db.session.scalars(sa.select(Participation)):
        agrees = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Vote)
            .where(Vote.user_id == participation.user_id, Vote.value == 1)
        )
        assert participation.agree_used == agrees


def test_cve_2023_47634_parallel_endorsements_count_once(race_app):
    """CVE-2023-47634 (Decidim): one person endorsed a proposal twice by sending parallel
    requests. Civic's endorsement is the vote, POST /concertations/<slug>/propositions/<id>/vote:
    one person sending agree, disagree and pass five times each, all at once, while ten
    others agree at the same moment, leaves one vote each, and counters equal to COUNT(*)."""
    from civic.extensions import db

    seed = seed_race(race_app, voters=11)
    url = f"/concertations/course/propositions/{seed['proposal_id']}/vote"
    choices = ["agree", "disagree", "pass"] * 5
    same = [client_as(race_app, seed["users"][0]) for _ in choices]
    others = [client_as(race_app, token) for token in seed["users"][1:]]

    def post(client, choice):
        return lambda: client.post(
            url, data={"vote": choice, "csrf_token": client.token}, csrf=False
        )

    statuses = race(
        [post(c, v) for c, v in zip(same, choices, strict=True)]
        + [post(c, "agree") for c in others]
    )
    assert all(isinstance(s, int) and s < 500 for s in statuses), statuses
    with race_app.app_context():
        assert_counters_exact(db, seed["proposal_id"])
        db.session.remove()


def test_cve_2023_47634_vote_retracted_while_cast_keeps_counters_exact(request, race_app):
    """CVE-2023-47634 (Decidim), the other order of the race: a person's vote is retracted
    (POST .../vote with vote=retract) by one request while another request of the same person
    changes it (vote=agree), the retraction landing between the second request's INSERT ...
    ON CONFLICT DO NOTHING and its SELECT ... FOR UPDATE. The change must then create the
    vote anew, or count nothing: never a "d'accord" counted without its vote (repeated, that
    inflates a proposal at will). The interleaving is forced, so the test is deterministic."""
    from sqlalchemy import event

    from civic.consultations.models import VOTE_PASS, Vote
    from civic.extensions import db

    url = request.config.getoption("--database-url") or ""
    if not url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers: a retraction cannot land inside a vote")
    seed = seed_race(race_app, voters=1)
    path = f"/concertations/course/propositions/{seed['proposal_id']}/vote"
    caster, retracter = (client_as(race_app, seed["users"][0]) for _ in range(2))
    with race_app.app_context():
        db.session.add(
            Vote(proposal_id=seed["proposal_id"], user_id=seed["user_ids"][0], value=VOTE_PASS)
        )
        db.session.execute(sa.text("UPDATE proposal SET pass_count = 1"))
        db.session.commit()
        engine = db.engine
        db.session.remove()
    fired = []

    def retract_in_between(conn, cursor, statement, parameters, context, executemany):
        if not fired and "FOR UPDATE" in statement and "vote" in statement:
            fired.append(True)

            # Another request of the same person, in its own thread, context and connection,
            # is served and committed first.
            def retract():
                response = retracter.post(
                    path, data={"vote": "retract", "csrf_token": retracter.token}, csrf=False
                )
                fired.append(response.status_code)

            thread = threading.Thread(target=retract)
            thread.start()
            thread.join(timeout=30)

    event.listen(engine, "before_cursor_execute", retract_in_between)
    try:
        response = caster.post(path, data={"vote": "agree", "csrf_token": caster.token}, csrf=False)
    finally:
        event.remove(engine, "before_cursor_execute", retract_in_between)
    assert fired == [True, 303] and response.status_code == 303
    with race_app.app_context():
        assert_counters_exact(db, seed["proposal_id"])
        db.session.remove()


# --- CONSUL #2415 and #5532: duplicate votes and poll voters under racing requests ----------


def test_consul_2415_5532_racing_requests_leave_one_row_each(race_app):
    """CONSUL #2415 (duplicate votes) and #5532 (duplicate poll voters): simultaneous requests
    of one person each created a row. Civic's equivalents beyond votes: rating a service
    (POST /services/<id>/avis), reporting a proposal (POST /signalements/proposal/<id>) and
    following a consultation (POST /concertations/<slug>/suivre). Ten simultaneous requests
    of one person leave one rating, one report counted once, one follow."""
    from civic.consultations.models import Follow
    from civic.extensions import db
    from civic.moderation.models import Case, Report
    from civic.ratings.models import CRITERIA, Rating

    seed = seed_race(race_app, voters=1)
    token = seed["users"][0]
    n = 10
    rating = {**{c: "4" for c in CRITERIA}, "channel": "phone", "comment": ""}
    targets = [
        (f"/services/{seed['service_id']}/avis", rating),
        (f"/signalements/proposal/{seed['proposal_id']}", {"reason": "spam"}),
        ("/concertations/course/suivre", {"frequency": "daily"}),
    ]
    outcomes = {}
    for url, data in targets:
        clients = [client_as(race_app, token) for _ in range(n)]
        outcomes[url] = race(
            [
                (
                    lambda c=c, url=url, data=data: c.post(
                        url, data={**data, "csrf_token": c.token}, csrf=False
                    )
                )
                for c in clients
            ]
        )
    with race_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Rating)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 1
        assert db.session.scalar(sa.select(Case.report_count)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Follow)) == 1
        db.session.remove()
    for url, statuses in outcomes.items():
        assert all(isinstance(s, int) for s in statuses), (url, statuses)


def test_consul_5532_simultaneous_follows_all_succeed(request, race_app):
    """CONSUL #5532, the answers: two "Suivre" clicks of one person at once
    (POST /concertations/<slug>/suivre), the second committed between the first one's SELECT
    and its INSERT. The database keeps one follow (see above); both requests must also
    succeed, not fail with a 500 on the unique constraint. The interleaving is forced."""
    from sqlalchemy import event

    from civic.consultations.models import Follow
    from civic.extensions import db

    url = request.config.getoption("--database-url") or ""
    if not url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers: a follow cannot land inside another")
    seed = seed_race(race_app, voters=1)
    first, second = (client_as(race_app, seed["users"][0]) for _ in range(2))
    path = "/concertations/course/suivre"
    with race_app.app_context():
        engine = db.engine
        db.session.remove()
    fired = []

    def follow_in_between(conn, cursor, statement, parameters, context, executemany):
        if not fired and statement.lstrip().upper().startswith("INSERT INTO FOLLOW"):
            fired.append(True)

            def other():
                response = second.post(
                    path, data={"frequency": "daily", "csrf_token": second.token}, csrf=False
                )
                fired.append(response.status_code)

            thread = threading.Thread(target=other)
            thread.start()
            thread.join(timeout=30)

    event.listen(engine, "before_cursor_execute", follow_in_between)
    try:
        response = first.post(
            path, data={"frequency": "daily", "csrf_token": first.token}, csrf=False
        )
    finally:
        event.remove(engine, "before_cursor_execute", follow_in_between)
    with race_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Follow)) == 1
        db.session.remove()
    assert fired == [True, 303]
    assert response.status_code == 303


# --- CVE-2023-36465: administration templates editable by any user -------------------------


def management_posts(v: dict, climate) -> list[tuple[str, dict]]:
    """Every POST that changes what managers, moderators or administrators control, with a
    valid form: refused only because of who sends it."""
    c = v["consultation_id"]
    now = utcnow()
    return [
        (
            "/gestion/concertations/nouvelle",
            {"title": "Prise de contrôle", "summary": "Résumé"},
        ),
        (
            f"/gestion/concertations/{c}",
            {"title": "Titre remplacé", "summary": "Résumé remplacé", "slug": "plan-climat"},
        ),
        (
            f"/gestion/concertations/{c}/phases",
            {
                "title": "Phase ajoutée",
                "starts_at": (now + timedelta(days=60)).strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (now + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M"),
                "features": ["information"],
                "audience": "public",
            },
        ),
        (f"/gestion/concertations/{c}/phases/{v['phase_id']}/suppression", {}),
        (f"/gestion/concertations/{c}/publication", {"publish": "0"}),
        (
            f"/gestion/concertations/{c}/saisie",
            {
                "channel": "paper",
                "place": "Mairie",
                "title": "Contribution papier",
                "body": "Une contribution saisie par un intrus",
            },
        ),
        ("/gestion/glossaire", {"term": "Terme", "definition": "Définition remplacée"}),
        (f"/gestion/glossaire/{v['term_id']}/suppression", {}),
        (f"/gestion/services/{v['service_id']}/reprise", {}),
        (
            f"/gestion/services/{v['service_id']}/proposition",
            {"consultation_id": c, "title": "Un titre assez long", "body": "Un texte assez long"},
        ),
        (f"/gestion/concertations/{c}/analyses", {"k": "2"}),
        (f"/gestion/analyses/groupes/{v['cluster_id']}/nom", {"label": "Renommé"}),
        (f"/gestion/analyses/groupes/{v['cluster_id']}/validation", {"validated": "1"}),
        (f"/gestion/utilisateurs/{v['user_id']}", {"roles": ["admin"]}),
        (
            "/gestion/moderation/decisions",
            {"case": [v["case_id"]], "action": "hide", "charter_reason": "respect"},
        ),
        (f"/gestion/moderation/{v['case_id']}", {"action": "hide", "charter_reason": "respect"}),
        ("/gestion/moderation/blocages", {"user_id": v["user_id"], "reason": "x", "days": "3"}),
    ]


@pytest.mark.parametrize("role", ["citizen", "facilitator", "elected", "moderator"])
def test_cve_2023_36465_management_forms_refuse_other_roles(
    role, app, client, make_user, db, url_values, climate
):
    """CVE-2023-36465 (Decidim): any logged-in user could edit the administrators' templates.
    Civic's equivalents are the management forms under /gestion/ (consultations, phases,
    documents, glossary, services, analyses, users, moderation): each valid POST from a role
    that does not manage that area answers 403 and changes nothing."""
    log_in(client, make_user(role))
    allowed = {
        # Moderators moderate: that is their area, tested in their own tests.
        "moderator": ("/gestion/moderation",),
    }.get(role, ())
    before = fingerprint(db)
    failures = []
    for url, data in management_posts(url_values, climate):
        if url.startswith(allowed):
            continue
        response = client.post(url, data=data)
        if response.status_code != 403:
            failures.append(f"POST {url}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert changed_tables(before, fingerprint(db)) == []


# --- CVE-2026-40869: amendments accepted by anyone -----------------------------------------


def test_cve_2026_40869_others_cannot_amend_answer_or_decide(
    app, client, make_user, db, url_values, climate
):
    """CVE-2026-40869 (Decidim): anyone could accept or reject an amendment to someone else's
    proposal. Civic's equivalents: changing or withdrawing someone else's proposal
    (POST .../propositions/<id>/modifier, .../retrait), giving the official answer or a
    follow-up step (.../reponse, .../etapes), deciding on an analysis group
    (/gestion/analyses/groupes/<id>/decision) and answering a rating of a service one is not
    responsible for (/services/<id>/avis/<id>/reponse). None is accepted from who may not."""
    v, proposal = url_values, climate["proposal"]
    base = f"/concertations/{v['slug']}/propositions/{proposal.id}"
    edit = {"title": "Texte remplacé par un autre", "body": "Un amendement que nul n'a accepté"}
    answer = {"status": "retained", "text": "Acceptée", "signed_as": "Personne"}
    step = {"title": "Étape", "progress": "50"}
    decide = {"decision": "retained", "justification": "Décidé par un intrus"}
    rating_answer = {"status": "noted", "text": "Réponse", "signed_as": "Intrus"}
    attempts = {
        "another citizen": (
            make_user(),
            [
                (base + "/modifier", edit),
                (base + "/retrait", {}),
                (base + "/reponse", answer),
                (base + "/etapes", step),
                (f"/gestion/analyses/groupes/{v['cluster_id']}/decision", decide),
            ],
        ),
        "the author": (climate["author"], [(base + "/reponse", answer), (base + "/etapes", step)]),
        "a moderator": (
            make_user("moderator"),
            [(base + "/modifier", edit), (base + "/reponse", answer)],
        ),
        "an agent not responsible for the service": (
            make_user("agent"),
            [(f"/services/{v['service_id']}/avis/{v['rating_id']}/reponse", rating_answer)],
        ),
        "an elected official": (
            make_user("elected"),
            [(base + "/modifier", edit), (base + "/retrait", {})],
        ),
    }
    before = fingerprint(db)
    failures = []
    for who, (user, posts) in attempts.items():
        log_in(client, user)
        for url, data in posts:
            status = client.post(url, data=data).status_code
            if status != 403:
                failures.append(f"{who}: POST {url} answered {status}")
    assert not failures, "\n".join(failures)
    assert changed_tables(before, fingerprint(db)) == []


# --- CVE-2023-34090: non-public data through filter parameters -----------------------------


def filtered_urls(ids: dict) -> list[str]:
    from civic.opendata import registry

    slug, other = ids["slug"], ids["unpublished_slug"]
    listing = f"/concertations/{slug}/propositions"
    urls = [
        f"{listing}?status={s}"
        for s in ("pending", "hidden", "withdrawn", "unanswered", "retained", "")
    ]
    urls += [f"{listing}?q={search_key(word)}" for word in SECRETS.values()]
    urls += [
        f"{listing}?sort={s}&channel=online&theme=Mobilité&page=1"
        for s in ("supported", "debated", "newest", "random")
    ]
    urls += [
        f"/concertations/{slug}/propositions/similaires?title={search_key(w)}"
        for w in SECRETS.values()
    ]
    urls += [f"/concertations/{other}/propositions?q={search_key(SECRETS['unpublished'])}"]
    for dataset in registry.datasets():
        for query in (
            f"consultation={ids['unpublished_consultation_id']}",
            f"consultation={ids['consultation_id']}",
            "since=2000-01-01",
            "limit=500",
        ):
            urls.append(f"/api/v1/{dataset.name}?{query}")
        urls += [f"/donnees-ouvertes/{dataset.name}.csv", f"/donnees-ouvertes/{dataset.name}.json"]
    urls += [
        "/concertations/flux.atom",
        "/concertations",
        f"/services?q={search_key(SECRETS['pending_rating'])}",
        f"/services/carte.json?q={search_key(SECRETS['pending_rating'])}",
        f"/services/{ids['service_id']}",
        f"/moderation/journal?consultation={ids['unpublished_consultation_id']}",
        f"/concertations/{slug}/synthese",
        f"/concertations/{slug}/synthese.csv",
        f"/concertations/{slug}/suivi",
        f"/concertations/{slug}/propositions/{ids['pending_proposal_id']}",
        "/gestion/utilisateurs?q=example.org",
        "/glossaire",
        "/",
    ]
    return urls


def test_cve_2023_34090_filters_never_reveal_non_public_items(app, make_user, hidden_things):
    """CVE-2023-34090 (Decidim): filter parameters of the API let anyone list non-public
    data. Civic's equivalents are the filters of the proposal listing (status, q, theme,
    channel, sort), the similar-proposals search, the API's consultation/since/limit, the
    open-data files, the services directory and map, and the moderation log: as the public
    and as a citizen, no filter value brings out a pending, hidden or withdrawn proposal, a
    consultation unpublished after the fact, a comment not published, an analysis not
    published or a rating comment not moderated."""
    failures = []
    for who in ("anonymous", "citizen"):
        client = app.test_client()
        if who == "citizen":
            log_in(client, make_user())
        for url in filtered_urls(hidden_things):
            page = not url.startswith(("/api/", "/donnees-ouvertes/"))
            for headers in ({}, HX) if page else ({},):
                response = client.get(url, headers=headers)
                assert response.status_code < 500, url
                found = leaked(response.get_data().decode("utf-8", "replace"))
                if found:
                    failures.append(f"{who} GET {url}: {found}")
    assert not failures, "\n".join(failures)


# --- CVE-2024-27090: unpublished content through an embed endpoint -------------------------


def test_cve_2024_27090_embeds_and_fragments_refuse_unpublished_content(
    app, make_user, hidden_things, climate
):
    """CVE-2024-27090 (Decidim): the embed endpoint served unpublished content. Civic's
    equivalents are the routes that serve a part of a page or a file for another page to
    show: the consultation and its htmx fragments, similar proposals, the cover image and
    documents, the follow-up, the synthesis and its CSV, the restitution, the proposal page
    and its comment fragment. For a consultation unpublished after the fact, every one
    answers 404 to the public and to citizens, with or without HX-Request."""
    ids = hidden_things
    other = f"/concertations/{ids['unpublished_slug']}"
    urls = [
        other,
        f"{other}/propositions",
        f"{other}/propositions/similaires?title=Proposition",
        f"{other}/couverture",
        f"{other}/documents/{ids['unpublished_document_id']}",
        f"{other}/suivi",
        f"{other}/synthese",
        f"{other}/synthese.csv",
        f"{other}/restitution",
        f"{other}/propositions/{ids['unpublished_proposal_id']}",
        f"{other}/propositions/{ids['unpublished_proposal_id']}?page=1",
        f"{other}/propositions/nouvelle",
    ]
    failures = []
    for who in ("anonymous", "citizen", "author"):
        client = app.test_client()
        if who != "anonymous":
            log_in(client, climate["author"] if who == "author" else make_user())
        for url in urls:
            for headers in ({}, HX):
                response = client.get(url, headers=headers)
                # Pages for logged-in people send the public to the login page first.
                expected = (
                    (401 if headers else 302,)
                    if who == "anonymous" and url.endswith(("/restitution", "/nouvelle"))
                    else (404,)
                )
                body = response.get_data().decode("utf-8", "replace")
                if response.status_code not in expected or leaked(body):
                    failures.append(f"{who} GET {url}: {response.status_code} {leaked(body)}")
    assert not failures, "\n".join(failures)


def test_cve_2024_27090_report_page_refuses_what_the_public_cannot_see(
    app, client, make_user, hidden_things
):
    """CVE-2024-27090 (Decidim), second equivalent: the report page
    GET /signalements/<kind>/<id> quotes the item it reports, so it is an embed of that item.
    It must answer 404 for anything the public cannot see."""
    ids = hidden_things
    log_in(client, make_user())
    failures = []
    for kind, key in [
        ("proposal", "pending_proposal_id"),
        ("proposal", "hidden_proposal_id"),
        ("proposal", "withdrawn_proposal_id"),
        ("proposal", "unpublished_proposal_id"),
        ("comment", "pending_comment_id"),
        ("comment", "hidden_comment_id"),
        ("comment", "comment_on_hidden_id"),
        ("comment", "unpublished_comment_id"),
        ("rating_comment", "pending_rating_id"),
        ("rating_comment", "hidden_rating_id"),
    ]:
        response = client.get(f"/signalements/{kind}/{ids[key]}")
        found = leaked(response.get_data(as_text=True))
        if response.status_code != 404 or found:
            failures.append(
                f"GET /signalements/{kind}/{ids[key]} ({key}): {response.status_code} {found}"
            )
    assert not failures, "\n".join(failures)


# --- CVE-2026-23891: stored XSS through the user name -------------------------------------


def test_cve_2026_23891_stored_xss_through_the_user_name(app, client, make_user, db, climate):
    """CVE-2026-23891 (Decidim): a user name with markup ran as script wherever it was shown.
    Civic's equivalent is the public pseudonym, set at registration (POST
    /compte/inscription) or on the profile (POST /compte/profil), and shown beside proposals
    and comments, in the administrators' user list and pages, in the moderators' queue and
    cases, and in the confirmation message of a role change: every one stays text."""
    from civic.accounts.models import User
    from civic.consultations import services

    names = {
        marker(n): payload(kind, marker(n))
        for n, kind in enumerate(
            [
                "svg-onload",
                "attribute-breakout",
                "single-quote-breakout",
                "script",
                "htmx-attributes",
            ],
            start=1,
        )
    }
    response = client.post(
        "/compte/inscription",
        data={
            "email": "pseudo@example.org",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "display_name": names["zq001x"],
            "accept_charter": "y",
        },
    )
    assert response.status_code == 303
    registered = db.session.scalar(sa.select(User).where(User.email == "pseudo@example.org"))
    assert registered.display_name == names["zq001x"]
    authors = [registered]
    for name in list(names.values())[1:]:
        user = make_user(created_at=utcnow() - timedelta(days=30))
        log_in(client, user)
        assert (
            client.post("/compte/profil", data={"display_name": name, "locale": "fr"}).status_code
            == 303
        )
        authors.append(user)
    with app.test_request_context():
        for n, user in enumerate(authors):
            proposal = services.submit_proposal(
                user,
                climate["consultation"],
                title=f"Idée numéro {n}",
                body=f"Une idée différente des autres, la {n}",
                theme="",
                commune_id=None,
            )
            services.add_comment(user, climate["proposal"], body=f"Avis {n}", stance="for")
            from civic.moderation import services as moderation

            moderation.report(make_user(), "proposal", proposal, "spam")
    db.session.commit()
    admin = make_user("admin")
    log_in(client, admin)
    pages = [
        "/concertations/plan-climat/propositions",
        f"/concertations/plan-climat/propositions/{climate['proposal'].id}",
        "/gestion/utilisateurs",
        "/gestion/utilisateurs?q=zq",
        "/gestion/moderation",
        "/gestion/journal",
    ]
    pages += [f"/gestion/utilisateurs/{u.id}" for u in authors]
    from civic.moderation.models import Case

    pages += [f"/gestion/moderation/{i}" for i in db.session.scalars(sa.select(Case.id))]
    responses = [client.get(url) for url in pages]
    responses.append(
        client.post(
            f"/gestion/utilisateurs/{authors[0].id}",
            data={"roles": ["agent"]},
            follow_redirects=True,
        )
    )
    anonymous = app.test_client()
    responses += [anonymous.get(url) for url in pages[:2]]
    shown = set()
    for response in responses:
        body = response.get_data(as_text=True)
        shown.update(m for m in names if m in body)
        assert not response_problems(response), response.request.path
    assert shown == set(names)


# --- CVE-2024-32469: reflected XSS through per_page ----------------------------------------


def test_cve_2024_32469_reflected_xss_through_per_page(app, make_user, url_values):
    """CVE-2024-32469 (Decidim): the per_page parameter came back unescaped into the page.
    Civic reads `page` (a positive integer, anything else is a 404) and no `per_page`; both,
    hostile, on every GET route, as the public and as an administrator, full page or htmx
    fragment, come back as text or not at all; so do hostile path segments, shown by the
    error pages."""
    hostile = {
        "per_page": payload("svg-onload", "zq001x"),
        "page": payload("attribute-breakout", "zq002x"),
    }
    failures = []
    for who in ("anonymous", "admin"):
        client = app.test_client()
        if who == "admin":
            log_in(client, make_user("admin"))
        for endpoint, url in get_urls(app, url_values, complete_only=who == "admin"):
            for query, headers in [
                ({"per_page": hostile["per_page"], "page": "1"}, {}),
                ({"per_page": hostile["per_page"], "page": "1"}, HX),
                (hostile, {}),
            ]:
                response = client.get(url, query_string=query, headers=headers)
                if response.status_code >= 500:
                    failures.append(f"{who} {url} ({endpoint}): {response.status_code}")
                failures += [f"{who} {url}: {p}" for p in response_problems(response)]
        segment = payload("script", "zq003x").replace("/", "%2F")
        for url in [
            f"/concertations/{segment}",
            f"/concertations/{segment}/propositions",
            f"/signalements/{segment}/1",
            f"/donnees-ouvertes/{segment}",
            f"/api/v1/{segment}",
            f"/compte/mot-de-passe/{segment}",
            f"/compte/confirmation/{segment}",
            f"/{segment}",
        ]:
            response = client.get(url)
            failures += [f"{who} {url}: {p}" for p in response_problems(response)]
    assert not failures, "\n".join(failures)


# --- CVE-2023-47635: CSRF turned off on a preview endpoint ---------------------------------


def other_session_unsubscribe_is_refused(app) -> bool:
    stranger = app.test_client()
    return stranger.post("/courriels/desabonnement/forged", csrf=False).status_code == 404


def test_cve_2023_47635_no_endpoint_skips_csrf_not_even_previews(app, client, make_user, db):
    """CVE-2023-47635 (Decidim): CSRF protection was turned off on a preview endpoint.
    Civic exempts no blueprint and one view, one-click unsubscribe; its preview steps (the
    services import preview, POST /gestion/services/import without confirm; the consultation
    form, which renders the cleaned body back) refuse a POST without a token, with a forged
    one, and with the valid token of another session, as a form or as htmx."""
    from io import BytesIO

    from civic.extensions import csrf

    # One exemption, by design: one-click unsubscribe (RFC 8058), which mail clients post
    # without a page; the link's signature is the proof (a forged one finds nothing).
    assert csrf._exempt_views == {"civic.accounts.views.unsubscribe"}
    assert not csrf._exempt_blueprints
    assert other_session_unsubscribe_is_refused(app)
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    assert app.config.get("WTF_CSRF_CHECK_DEFAULT", True) is True
    assert {"POST", "PUT", "PATCH", "DELETE"} <= set(
        app.config.get("WTF_CSRF_METHODS", {"POST", "PUT", "PATCH", "DELETE"})
    )
    other = app.test_client()
    log_in(other, make_user("agent"))
    stolen = other.csrf_token()  # valid, but for another session
    log_in(client, make_user("agent"))
    previews = [
        (
            "/gestion/services/import",
            lambda: {
                "source": "s",
                "format": "csv",
                "file": (BytesIO(b"nom;commune\nPiscine;Labege\n"), "x.csv"),
            },
        ),
        ("/gestion/concertations/nouvelle", lambda: {"title": "t", "summary": "s"}),
    ]
    before = fingerprint(db)
    for url, data in previews:
        for token, headers in [
            (None, {}),
            ("forged", {}),
            (stolen, {}),
            (None, {**HX, "X-CSRFToken": "forged"}),
            (None, {**HX, "X-CSRFToken": stolen}),
        ]:
            form = data()
            if token:
                form["csrf_token"] = token
            response = client.post(url, data=form, csrf=False, headers=headers)
            assert response.status_code == 400, (url, token, headers)
    assert changed_tables(before, fingerprint(db)) == []
    good = client.post(previews[0][0], data=previews[0][1](), content_type="multipart/form-data")
    assert good.status_code == 200  # the same preview with this session's token


# --- CVE-2026-45377: a personal-data export link usable without login ----------------------


def test_cve_2026_45377_personal_data_export_needs_its_owners_live_session(app, make_user, db):
    """CVE-2026-45377 (Decidim): the link of a personal-data export worked without logging in.
    Civic's export is GET /compte/donnees.json, for the session's own account only: without a
    session it redirects to the login page with nothing of the data, a user id in the query
    changes nothing, a session cookie captured before logout or deletion no longer opens it,
    and the answer is a no-store attachment."""
    alice = make_user(email="alice.export@example.org", display_name="Alice Export")
    make_user(email="bob.export@example.org", display_name="Bob Export")
    anonymous = app.test_client()
    for query in ({}, {"user_id": alice.id}, {"user": alice.id}, {"id": alice.id}):
        response = anonymous.get("/compte/donnees.json", query_string=query)
        assert response.status_code == 302 and "/compte/connexion" in response.headers["Location"]
        assert "alice.export" not in response.get_data(as_text=True)
        head = anonymous.head("/compte/donnees.json", query_string=query)
        assert head.status_code == 302
    bob = app.test_client()
    response = bob.post(
        "/compte/connexion", data={"email": "bob.export@example.org", "password": PASSWORD}
    )
    assert response.status_code == 303
    export = bob.get("/compte/donnees.json", query_string={"user_id": alice.id})
    body = export.get_data(as_text=True)
    assert "bob.export@example.org" in body and "alice.export" not in body
    assert export.headers["Cache-Control"] == "no-store"
    assert export.headers["Content-Disposition"].startswith("attachment")
    assert export.mimetype == "application/json"
    captured = bob.get_cookie("session", domain="civic.test").value
    bob.post("/compte/deconnexion")
    thief = app.test_client()
    thief.set_cookie("session", captured, domain="civic.test")
    assert thief.get("/compte/donnees.json").status_code == 302
    # Logged in again, then the account deleted: the cookie of that session is dead too.
    bob.post("/compte/connexion", data={"email": "bob.export@example.org", "password": PASSWORD})
    captured = bob.get_cookie("session", domain="civic.test").value
    assert (
        bob.post("/compte/suppression", data={"password": PASSWORD, "confirm": "y"}).status_code
        == 303
    )
    thief.set_cookie("session", captured, domain="civic.test")
    gone = thief.get("/compte/donnees.json")
    assert gone.status_code == 302 and "bob.export" not in gone.get_data(as_text=True)


# --- CONSUL #4793: HTML injection in search results ---------------------------------------


def test_consul_4793_search_results_escape_html(app, client, make_user, db, climate):
    """CONSUL #4793: search results showed the searched words and the matching texts as HTML.
    Civic's searches are the proposal search (GET /concertations/<slug>/propositions?q=),
    similar proposals while typing (.../similaires?title=), the services directory
    (/services?q=) and the administrators' user search (/gestion/utilisateurs?q=): what is
    searched and what is found both come back as text, on pages and fragments."""
    from civic.consultations import services

    word = "velorution"
    stored = {
        m: payload(k, m) for m, k in [("zq001x", "svg-onload"), ("zq002x", "htmx-attributes")]
    }
    with app.test_request_context():
        for n, text in enumerate(stored.values()):
            services.submit_proposal(
                make_user(),
                climate["consultation"],
                title=f"{word} {text}",
                body=f"{word} numéro {n} : {text}",
                theme="",
                commune_id=None,
            )
    make_user(email="velorution@example.org", display_name=payload("script", "zq003x"))
    db.session.commit()
    log_in(client, make_user("admin"))
    searched = [
        payload("svg-onload", "zq004x"),
        f"{word} " + payload("attribute-breakout", "zq005x"),
        f"{word} " + payload("single-quote-breakout", "zq006x"),
    ]
    base = "/concertations/plan-climat/propositions"
    found = set()
    for query in [word, *searched]:
        for url, params in [
            (base, {"q": query}),
            (base + "/similaires", {"title": query}),
            ("/services", {"q": query}),
            ("/gestion/utilisateurs", {"q": query}),
        ]:
            for headers in ({}, HX):
                response = client.get(url, query_string=params, headers=headers)
                assert response.status_code == 200, url
                body = response.get_data(as_text=True)
                found.update(m for m in ("zq001x", "zq002x", "zq003x") if m in body)
                assert not html_problems(body), (url, params, html_problems(body))
    assert found == {"zq001x", "zq002x", "zq003x"}  # the hostile results were found, as text


# --- A Decidim deployment: rate limits that throttled the load balancer --------------------


def limited_app(database_url, **extra):
    from civic import create_app
    from civic.extensions import limiter
    from tests.conftest import CsrfClient, app_config

    config = app_config(database_url)
    config.update(extra)
    app = create_app(config)
    app.test_client_class = CsrfClient
    with app.app_context():
        limiter.reset()
    return app


@pytest.mark.parametrize("proxies", [1, 2])
def test_decidim_rate_limits_key_on_residents_not_on_the_load_balancer(database_url, proxies):
    """A Decidim deployment behind a load balancer throttled everyone at once: its rate limits
    counted the balancer's address. Civic trusts CIVIC_PROXY_COUNT proxies (ProxyFix) and
    keys every per-address limit (sign-up, password reset, login, open-data API) on the
    resident's address: many residents behind one balancer are not limited, one resident
    past the limit is, and a forged X-Forwarded-For hop does not pick another bucket."""
    app = limited_app(
        database_url,
        CIVIC_PROXY_COUNT=proxies,
        CIVIC_SIGNUP_LIMIT="2 per minute",
        CIVIC_RESET_LIMIT="2 per minute",
        CIVIC_LOGIN_LIMIT="2 per minute",
        CIVIC_API_LIMIT="2 per minute",
    )
    balancer = {"REMOTE_ADDR": "10.0.0.1"}

    def forwarded(resident: str) -> str:
        chain = [resident] + [f"10.0.1.{n}" for n in range(1, proxies)]
        return ", ".join(chain)

    def hit(client, url, resident, n, forged=None):
        statuses = []
        for i in range(n):
            chain = forwarded(resident) if forged is None else f"{forged}, {forwarded(resident)}"
            environ = {**balancer, "HTTP_X_FORWARDED_FOR": chain}
            if url.startswith("/api/"):
                response = client.get(url, environ_base=environ)
            else:
                response = client.post(
                    url, data={"email": f"r{i}-{resident}@example.org"}, environ_base=environ
                )
            statuses.append(response.status_code)
        return statuses

    client = app.test_client()
    for url in [
        "/compte/inscription",
        "/compte/mot-de-passe-oublie",
        "/compte/connexion",
        "/api/v1/concertations",
    ]:
        # Twelve residents, two requests each: the balancer's address sent twenty-four.
        for n in range(12):
            assert 429 not in hit(client, url, f"203.0.113.{n}", 2), url
        # One resident past the limit is limited, whatever they put in front of the chain.
        assert hit(client, url, "198.51.100.7", 3)[-1] == 429, url
        assert hit(client, url, "198.51.100.7", 1, forged="192.0.2.99") == [429], url
