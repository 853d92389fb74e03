"""Privacy: logs hold no password, token or e-mail address; an erased account leaves no trace
of its address or name in any table, index, export, page, rate-limit key or log line; the
retention job warns inactive accounts once, then erases them after the configured time."""

import json
import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civic.accounts.models import User
from civic.core.catalogues import french_spacing as fr
from civic.core.models import utcnow
from civic.core.notify import OutboxEmail
from tests.conftest import PASSWORD, log_in
from tests.security.conftest import table_names
from tests.web.helpers import last_email, link_in

NEW = "une nouvelle phrase de passe"
NEWER = "encore une autre phrase de passe"
WRONG = "pas le bon mot de passe du tout"


@pytest.fixture
def all_logs(caplog):
    """Every log record of every logger, at every level, as the text a handler would write."""
    caplog.set_level(logging.DEBUG)
    for name in ("flask-limiter", "werkzeug", "civic", "sqlalchemy"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")

    def text() -> str:
        return "\n".join(formatter.format(record) for record in caplog.records)

    yield text
    for name in ("flask-limiter", "werkzeug", "civic"):
        logging.getLogger(name).setLevel(logging.NOTSET)
    logging.getLogger("sqlalchemy").setLevel(logging.WARN)


def _tokens(body: str) -> list[str]:
    return [link.rsplit("/", 1)[-1] for link in re.findall(r"https?://\S+/compte/\S+", body)]


def test_logs_hold_no_password_token_or_email(app, client, db, limit, monkeypatch, all_logs):
    """Registration, confirmation, failed and successful logins, a login rate limit reached
    (the limiter logs its keys), password reset and change, two registrations of one address
    at once (the database refuses the second) and the account's deletion: no log line holds
    a password, a password hash, a link token or the e-mail address."""
    from civic.accounts import services

    email = "Journal.Prive@Example.org"
    secrets = {email, email.lower(), PASSWORD, NEW, NEWER, WRONG}
    register = {
        "email": email,
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "display_name": "Journal",
        "accept_charter": "y",
    }
    assert client.post("/compte/inscription", data=register).status_code == 303
    mail = last_email(email.lower())
    secrets.update(_tokens(mail.body))
    assert client.post(link_in(mail)).status_code == 303
    assert (
        client.post("/compte/connexion", data={"email": email, "password": WRONG}).status_code
        == 422
    )
    assert (
        client.post("/compte/connexion", data={"email": email, "password": PASSWORD}).status_code
        == 303
    )
    secrets.add(client.get_cookie("session", domain="civic.test").value)
    client.post("/compte/deconnexion")

    assert client.post("/compte/mot-de-passe-oublie", data={"email": email}).status_code == 303
    mail = last_email(email.lower())
    secrets.update(_tokens(mail.body))
    assert client.get(link_in(mail)).status_code == 200
    reset = client.post(link_in(mail), data={"password": NEW, "password_confirm": NEW})
    assert reset.status_code == 303
    assert (
        client.post("/compte/connexion", data={"email": email, "password": NEW}).status_code == 303
    )
    changed = client.post(
        "/compte/mot-de-passe",
        data={"current_password": NEW, "password": NEWER, "password_confirm": NEWER},
    )
    assert changed.status_code == 303
    user = db.session.scalar(sa.select(User).where(User.email == email.lower()))
    secrets.add(user.password_hash)
    client.post("/compte/deconnexion")

    limit("CIVIC_LOGIN_LIMIT", "2 per minute")
    statuses = [
        client.post(
            "/compte/connexion",
            data={"email": email, "password": WRONG},
            environ_base={"REMOTE_ADDR": f"192.0.2.{n}"},
        ).status_code
        for n in range(3)
    ]
    assert statuses[-1] == 429  # the per-e-mail limit, logged by Flask-Limiter
    limit("CIVIC_LOGIN_LIMIT", "100000 per minute")

    # Two registrations of one address at the same moment: the second one's INSERT fails on
    # the unique address (PostgreSQL's error quotes it). Same answer as for a taken address.
    monkeypatch.setattr(services, "get_by_email", lambda address: None)
    race = client.post(
        "/compte/inscription", data=register, environ_base={"REMOTE_ADDR": "192.0.2.50"}
    )
    assert race.status_code == 303
    monkeypatch.undo()

    assert (
        client.post("/compte/connexion", data={"email": email, "password": NEWER}).status_code
        == 303
    )
    deleted = client.post("/compte/suppression", data={"password": NEWER, "confirm": "y"})
    assert deleted.status_code == 303

    logs = all_logs()
    assert "exceeded at endpoint" in logs  # the limiter's line exists
    found = sorted(s for s in secrets if s and s.lower() in logs.lower())
    assert not found, f"in the logs: {found}"
    assert "$argon2" not in logs


def _scan_database(db, needles: list[str]) -> list[str]:
    found = []
    for name in table_names(db):
        for row in db.session.execute(sa.text(f'SELECT * FROM "{name}"')).all():  # noqa: S608
            flat = json.dumps([str(v) for v in row], ensure_ascii=False).lower()
            found += [f"table {name}: {n}" for n in needles if n.lower() in flat]
    return found


def _keys(value) -> set:
    if isinstance(value, dict):
        return set(value).union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value))
    return set()


def test_erased_account_leaves_no_trace_anywhere(app, client, make_user, db, climate, all_logs):
    """An account that did everything (registered, confirmed, asked for a reset, proposed,
    commented, voted, followed, rated with a comment, reported, appealed, was in an analysis,
    got a role, notifications and e-mails, hit a rate limit) is deleted through the web:
    its address and its name are in no row of any table (full-text index included), no
    open-data file or API answer, no administrator's page, no rate-limit key, no log line.
    Its contributions stay, signed "Participant supprimé"."""
    from civic.analysis.models import AnalysisRun, Cluster, ClusterMember
    from civic.consultations import services
    from civic.consultations.models import VOTE_AGREE
    from civic.extensions import limiter
    from civic.moderation import services as moderation
    from civic.opendata import registry
    from civic.ratings import services as ratings
    from civic.ratings.models import CRITERIA, Service

    email, name = "trace.complete@example.org", "Camille Tracée"
    data = {
        "email": email,
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "display_name": name,
        "accept_charter": "y",
    }
    assert client.post("/compte/inscription", data=data).status_code == 303
    assert client.post(link_in(last_email(email))).status_code == 303
    client.post("/compte/connexion", data={"email": email, "password": WRONG})
    client.post("/compte/mot-de-passe-oublie", data={"email": email})
    user = db.session.scalar(sa.select(User).where(User.email == email))
    user.created_at = utcnow() - timedelta(days=30)
    admin = make_user("admin")
    with app.test_request_context():
        from civic.accounts import services as accounts

        accounts.set_roles(admin, user, {"facilitator"})
        proposal = services.submit_proposal(
            user,
            climate["consultation"],
            title="Une navette entre les villages",
            body="Une navette électrique le samedi matin",
            theme="",
            commune_id=None,
        )
        services.add_comment(user, climate["proposal"], body="Je soutiens", stance="for")
        services.cast_vote(user, climate["proposal"], VOTE_AGREE)
        services.follow(user, climate["consultation"], daily=False)
        service = Service(source="t", source_id="1", name="Piscine", type="Piscine")
        db.session.add(service)
        db.session.flush()
        rating = ratings.rate(
            user,
            service,
            scores={c: 4 for c in CRITERIA},
            channel="phone",
            open_as_announced=True,
            comment="Très bon accueil",
        )
        rating.comment_status = "published"
        moderation.report(user, "proposal", climate["proposal"], "other", "Une précision")
        case = moderation.report(make_user(), "proposal", proposal, "spam")
        moderation.decide(make_user("moderator"), [case], "hide", "off_topic", "Hors sujet")
        moderation.appeal(user, case, "Je conteste")
        services.answer_proposal(
            make_user("elected"), climate["proposal"], status="retained", text="Oui", signed_as="VP"
        )
        run = AnalysisRun(consultation_id=climate["consultation"].id, status="done", progress=100)
        db.session.add(run)
        db.session.flush()
        cluster = Cluster(run_id=run.id, label="Navettes", size=1)
        db.session.add(cluster)
        db.session.flush()
        db.session.add(
            ClusterMember(
                run_id=run.id,
                cluster_id=cluster.id,
                kind="proposal",
                item_id=proposal.id,
                author_id=user.id,
                text=proposal.body,
            )
        )
    db.session.commit()
    assert _scan_database(db, [email, name])  # the scan does see them before deletion

    log_in(client, user)
    # Shown to the person in words: every key of the export has a name.
    from civic.core.privacy import LABELS

    exported = json.loads(client.get("/compte/donnees.json").get_data(as_text=True))
    assert _keys(exported) - set(LABELS) == set()
    page = client.get("/compte/donnees").get_data(as_text=True)
    assert "Très bon accueil" in page and "Signalements" in page
    assert (
        client.post("/compte/suppression", data={"password": PASSWORD, "confirm": "y"}).status_code
        == 303
    )
    db.session.expire_all()
    needles = [email, name]
    found = _scan_database(db, needles)

    public = app.test_client()
    urls = [
        "/concertations/flux.atom",
        "/api/v1/openapi.json",
        "/donnees-ouvertes/catalogue.jsonld",
    ]
    for dataset in registry.datasets():
        urls += [f"/donnees-ouvertes/{dataset.name}.csv", f"/api/v1/{dataset.name}?limit=500"]
    urls += [
        "/concertations/plan-climat/propositions",
        f"/concertations/plan-climat/propositions/{climate['proposal'].id}",
        "/concertations/plan-climat/propositions?q=Camille",
        "/moderation/journal",
    ]
    for url in urls:
        body = public.get(url).get_data(as_text=True).lower()
        found += [f"GET {url}: {n}" for n in needles if n.lower() in body]
    log_in(client, admin)
    for url in [
        "/gestion/utilisateurs",
        "/gestion/utilisateurs?q=trace.complete",
        "/gestion/utilisateurs?q=Camille",
        "/gestion/courriels",
        "/gestion/journal",
        "/gestion/moderation",
        f"/gestion/moderation/{case.id}",
        f"/gestion/utilisateurs/{user.id}",
    ]:
        body = client.get(url).get_data(as_text=True).lower()
        found += [f"admin GET {url}: {n}" for n in needles if n.lower() in body]
    page = client.get(f"/concertations/plan-climat/propositions/{climate['proposal'].id}")
    assert "Participant supprimé" in page.get_data(as_text=True)

    storage = limiter.storage
    keys = " ".join(
        str(k) for attr in ("storage", "events", "expirations") for k in getattr(storage, attr, {})
    ).lower()
    found += [f"rate-limit key: {n}" for n in needles if n.lower() in keys]
    logs = all_logs().lower()
    found += [f"logs: {n}" for n in needles if n.lower() in logs]
    assert not found, "\n".join(found)


# --- retention -----------------------------------------------------------------------------


def test_retention_job_warns_once_then_erases_with_past_dated_accounts(app, make_user, db):
    """`flask civic accounts retention`, run daily, on accounts dated in the past (no clock
    moved back): an account unused for the retention time minus the notice gets one warning
    e-mail, in its language, with the login link; one still unused a notice period after its
    warning is erased like a deletion; one that logged in since, or was warned too recently,
    or is active, is kept; an account never used counts from its creation."""
    app.config.update(CIVIC_RETENTION_DAYS=1095, CIVIC_RETENTION_WARNING_DAYS=30)
    now = utcnow()
    days = timedelta(days=1)
    dormant = make_user(email="dormant@example.org", last_seen_at=now - 1070 * days)
    never = make_user(
        email="never@example.org", created_at=now - 1080 * days, last_seen_at=None, locale="en"
    )
    expired = make_user(
        email="expired@example.org",
        display_name="Expiré",
        last_seen_at=now - 1100 * days,
        retention_warned_at=now - 31 * days,
    )
    recent_warning = make_user(
        email="recent@example.org",
        last_seen_at=now - 1100 * days,
        retention_warned_at=now - 10 * days,
    )
    active = make_user(email="active@example.org", last_seen_at=now - 10 * days)
    young = make_user(email="young@example.org", last_seen_at=now - 1060 * days)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["civic", "accounts", "retention"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == fr("Comptes prévenus : 2 ; effacés : 1.")
    db.session.expire_all()
    mails = {
        m.to_address: m
        for m in db.session.scalars(
            sa.select(OutboxEmail).where(OutboxEmail.created_at >= now - days)
        )
    }
    assert set(mails) == {"dormant@example.org", "never@example.org"}
    assert "supprimé" in mails["dormant@example.org"].subject
    assert "/compte/connexion" in mails["dormant@example.org"].body
    assert "30" in mails["dormant@example.org"].body
    assert "deleted" in mails["never@example.org"].subject.lower()  # in English
    assert expired.is_deleted and expired.email is None and expired.display_name is None
    for kept in (dormant, never, recent_warning, active, young):
        assert not kept.is_deleted
    assert dormant.retention_warned_at is not None

    again = runner.invoke(args=["civic", "accounts", "retention"])
    assert again.output.strip() == fr("Comptes prévenus : 0 ; effacés : 0.")  # one warning only

    # The dormant account logs in: its warning is withdrawn, the clock starts again.
    client = app.test_client()
    response = client.post("/compte/connexion", data={"email": dormant.email, "password": PASSWORD})
    assert response.status_code == 303
    db.session.expire_all()
    assert dormant.retention_warned_at is None and dormant.last_seen_at > now - days
    erased = db.session.scalar(
        sa.select(sa.func.count()).select_from(User).where(User.deleted_at.is_not(None))
    )
    assert erased == 1
