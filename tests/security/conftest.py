"""Helpers shared by the security tests: URLs of every rule, table fingerprints, a scratch app
for concurrent requests, and the web fixtures (url_values) reused as they are."""

import hashlib
import threading

import pytest
import sqlalchemy as sa
from flask import url_for
from flask_migrate import upgrade

from civic import create_app
from civic.extensions import db as _db
from tests.conftest import CsrfClient, app_config, empty_database
from tests.web.conftest import url_values  # noqa: F401  (the objects every route needs)

# Values for URL arguments that no fixture provides (routes being written by other packages):
# the route is still requested, and must still answer without a 500 or a change of data.
FALLBACK = {"int": 999_999, "default": "x", "path": "x"}


def rule_url(app, rule, values: dict) -> str | None:
    """The URL of a rule with `values`; arguments missing from them get a fallback."""
    args = {}
    for name in rule.arguments:
        if name in values:
            args[name] = values[name]
        else:
            converter = type(rule._converters[name]).__name__.lower()
            args[name] = FALLBACK["int"] if "integer" in converter else FALLBACK["default"]
    with app.test_request_context():
        return url_for(rule.endpoint, **args)


def get_rules(app):
    return sorted(
        (r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"),
        key=lambda r: r.endpoint,
    )


def get_urls(app, values: dict, complete_only: bool = False) -> list[tuple[str, str]]:
    """(endpoint, URL) of every GET rule; with complete_only, only those `values` fill."""
    urls = []
    for rule in get_rules(app):
        if complete_only and not set(rule.arguments) <= set(values):
            continue
        urls.append((rule.endpoint, rule_url(app, rule, values)))
    return urls


def table_names(db) -> list[str]:
    """Every table of the database, including those no model maps (full-text indexes)."""
    return sorted(sa.inspect(db.session.connection()).get_table_names())


def fingerprint(db) -> dict[str, str]:
    """A digest of every row of every table: equal digests, unchanged data."""
    db.session.expire_all()
    digests = {}
    for name in table_names(db):
        rows = db.session.execute(sa.text(f'SELECT * FROM "{name}"')).all()  # noqa: S608
        digests[name] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
    return digests


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


@pytest.fixture
def race_app(request, tmp_path):
    """An app on its own database, committed for real: for concurrent requests."""
    url = request.config.getoption("--database-url")
    admin = None
    if url and url.startswith("postgresql"):
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text("DROP DATABASE IF EXISTS civic_security_race"))
            connection.execute(sa.text("CREATE DATABASE civic_security_race"))
        scratch = url.rsplit("/", 1)[0] + "/civic_security_race"
        empty_database(scratch)
    else:
        scratch = f"sqlite:///{tmp_path / 'race.sqlite'}"
    app = create_app(app_config(scratch))
    app.test_client_class = CsrfClient
    with app.app_context():
        upgrade()
        from civic.territory.services import load_communes

        load_communes()
        _db.session.commit()
        _db.session.remove()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(sa.text("DROP DATABASE IF EXISTS civic_security_race"))
        admin.dispose()


def race(requests: list) -> list[int]:
    """Run callables returning a response all at once, from a barrier; their statuses."""
    barrier = threading.Barrier(len(requests))
    statuses: list = [None] * len(requests)

    def run(i):
        barrier.wait()
        try:
            statuses[i] = requests[i]().status_code
        except Exception as error:  # noqa: BLE001 - reported as the request's outcome
            statuses[i] = repr(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


# Words that only non-public items hold: none may reach the public, a citizen or the API.
SECRETS = {
    "pending": "Zpendingsecret",
    "hidden": "Zhiddensecret",
    "withdrawn": "Zwithdrawnsecret",
    "unpublished": "Zunpublishedsecret",
    "unpublished_comment": "Zunpubcommentsecret",
    "unpublished_cluster": "Zunpubclustersecret",
    "pending_comment": "Zpendcommentsecret",
    "hidden_comment": "Zhidcommentsecret",
    "comment_on_hidden": "Zonhiddensecret",
    "draft_cluster": "Zdraftclustersecret",
    "pending_rating": "Zpendratingsecret",
    "hidden_rating": "Zhidratingsecret",
}


@pytest.fixture
def hidden_things(climate, make_user, db, app):
    """Items that are not public, each holding one of SECRETS: proposals pending, hidden and
    withdrawn; a consultation unpublished after its decision was published; comments pending,
    hidden or under a hidden proposal; an analysis not yet published; rating comments pending
    and hidden. Returns their ids."""
    from datetime import timedelta

    from civic.analysis.models import AnalysisRun, Cluster, ClusterMember
    from civic.consultations import services
    from civic.core.models import utcnow
    from civic.ratings import services as ratings
    from civic.ratings.models import CRITERIA, Service

    author, agent = climate["author"], climate["agent"]
    consultation = climate["consultation"]
    ids = {"slug": consultation.slug, "consultation_id": consultation.id}
    now = utcnow()

    def propose(target, word, status="published"):
        proposal = services.submit_proposal(
            author,
            target,
            title=f"Proposition {word} {search_key(word)}",
            body=f"Le texte de {word} pour le territoire ({search_key(word)}).",
            theme="Mobilité",
            commune_id=None,
        )
        proposal.status = status
        return proposal

    def comment(proposal, word, status="published"):
        item = services.add_comment(
            make_user(), proposal, body=f"Commentaire {word} {search_key(word)}", stance="for"
        )
        item.status = status
        return item

    with app.test_request_context():
        for status in ("pending", "hidden", "withdrawn"):
            ids[f"{status}_proposal_id"] = propose(consultation, SECRETS[status], status).id
        ids["pending_comment_id"] = comment(
            climate["proposal"], SECRETS["pending_comment"], "pending"
        ).id
        ids["hidden_comment_id"] = comment(
            climate["proposal"], SECRETS["hidden_comment"], "hidden"
        ).id
        hidden = db.session.get(type(climate["proposal"]), ids["hidden_proposal_id"])
        ids["comment_on_hidden_id"] = comment(hidden, SECRETS["comment_on_hidden"]).id

        draft_run = AnalysisRun(consultation_id=consultation.id, status="done", progress=100)
        db.session.add(draft_run)
        db.session.flush()
        db.session.add(
            Cluster(
                run_id=draft_run.id,
                label=f"Groupe {SECRETS['draft_cluster']}",
                justification=SECRETS["draft_cluster"],
                decision="retained",
                size=1,
            )
        )

        other = services.save_consultation(
            agent,
            None,
            title="Concertation retirée",
            slug="retiree",
            summary="Une concertation repassée en brouillon",
            body="<p>Brouillon</p>",
            theme="Climat",
            communes=[],
            agree_limit=None,
            premoderation=False,
        )
        services.add_phase(
            agent,
            other,
            title="Tout",
            description="",
            audience="public",
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=30),
            features=["information", "proposing", "commenting", "voting"],
        )
        services.publish(agent, other)
        unpublished = propose(other, SECRETS["unpublished"])
        ids["unpublished_proposal_id"] = unpublished.id
        ids["unpublished_comment_id"] = comment(unpublished, SECRETS["unpublished_comment"]).id
        document = services.add_document(agent, other, "Diagnostic", b"%PDF-1.4 secret")
        ids["unpublished_document_id"] = document.id
        run = AnalysisRun(consultation_id=other.id, status="done", progress=100, published_at=now)
        db.session.add(run)
        db.session.flush()
        cluster = Cluster(
            run_id=run.id,
            label=f"Groupe {SECRETS['unpublished_cluster']}",
            justification=SECRETS["unpublished_cluster"],
            decision="retained",
            size=1,
        )
        db.session.add(cluster)
        db.session.flush()
        db.session.add(
            ClusterMember(
                run_id=run.id,
                cluster_id=cluster.id,
                kind="proposal",
                item_id=unpublished.id,
                author_id=author.id,
                text=unpublished.body,
            )
        )
        services.publish(agent, other, False)
        ids["unpublished_slug"] = other.slug
        ids["unpublished_consultation_id"] = other.id

        service = Service(source="test", source_id="secret", name="Médiathèque", type="Culture")
        db.session.add(service)
        db.session.flush()
        ids["service_id"] = service.id
        for status in ("pending", "hidden"):
            word = SECRETS[status + "_rating"]
            rating = ratings.rate(
                make_user(),
                service,
                scores={c: 3 for c in CRITERIA},
                channel="phone",
                open_as_announced=None,
                comment=f"Mon avis {word} {search_key(word)}",
            )
            rating.comment_status = status
            ids[f"{status}_rating_id"] = rating.id
    db.session.commit()
    return ids


def search_key(secret: str) -> str:
    """The word to search for an item holding `secret`: searches show what was searched, so
    the secret itself is never typed."""
    return secret.replace("secret", "clef")


def leaked(body: str) -> list[str]:
    lowered = body.lower()
    return sorted(word for word in SECRETS.values() if word.lower() in lowered)
