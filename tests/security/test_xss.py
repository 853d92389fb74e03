"""Hostile text, stored through every user-writable field or reflected through every query
parameter, stays inert on every page, htmx fragment, e-mail, export and API answer.

Each payload of `inert.PAYLOADS` is a test: `build_world` fills every field of every module
with it (each field with its own marker), then the whole site is read back as the public,
the author and an administrator (pages and fragments), with hostile query parameters, in
the e-mails of the outbox as SMTP would send them, in the open-data files and API, in the
personal data exports and in the synthesis CSV.
"""

import re
import smtplib

import pytest
import sqlalchemy as sa

from civic.core.notify import OutboxEmail
from tests.conftest import log_in
from tests.security.conftest import get_urls
from tests.security.inert import (
    MARKER,
    PAYLOADS,
    csv_problems,
    html_problems,
    response_problems,
    text_problems,
    xml_problems,
)
from tests.security.world import build_world

HX = {"HX-Request": "true"}
# Query parameters read by some view (and a few that none reads, such as per_page).
QUERY_PARAMETERS = [
    "q",
    "theme",
    "type",
    "status",
    "channel",
    "sort",
    "commune",
    "consultation",
    "kind",
    "reason",
    "age",
    "role",
    "title",
    "next",
    "per_page",
    "progress",
    "limit",
    "cursor",
    "since",
    "lang",
    "format",
]
# Typed in a form but kept nowhere, or kept but shown nowhere: nothing to check on pages.
NEVER_SHOWN = {
    "cover file name",
    "document file name",
    "import file name",
    "import.id",
    "import.source",
    "import.dataset",
    "import.hours",  # read as opening hours: the page shows open or closed
    "import.website",  # linked only when it is an http(s) address
}
# Cleaned HTML: the sanitiser may drop the payload, marker included.
SANITISED = {"consultation.body"}


class Sweep:
    def __init__(self, world):
        self.world = world
        self.findings: set[str] = set()
        self.seen: set[str] = set()
        self.requests = 0

    def check(self, where: str, response) -> None:
        self.requests += 1
        assert response.status_code < 500, f"{where}: {response.status_code}"
        body = response.get_data().decode("utf-8", "replace")
        self.seen.update(MARKER.findall(body.lower()))
        for problem in response_problems(response):
            self.findings.add(f"{where}: {self.world.name(problem)}")

    def check_text(self, where: str, body: str, problems: list[str]) -> None:
        self.seen.update(MARKER.findall(body.lower()))
        for problem in problems:
            self.findings.add(f"{where}: {self.world.name(problem)}")


class FakeSMTP:
    """Stands for smtplib.SMTP: keeps the messages Civic would send."""

    sent: list = []

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, *args):
        pass

    def send_message(self, message):
        FakeSMTP.sent.append(message)


def _extra_pages(w) -> list[tuple[str, str, str]]:
    """(role, what, URL): pages of objects that url_values names only once."""
    from civic.consultations.models import Comment, Proposal
    from civic.extensions import db
    from civic.moderation.models import Case

    slug, v = w.values["slug"], w.values
    pages = []
    for proposal_id in db.session.scalars(sa.select(Proposal.id)):
        url = f"/concertations/{slug}/propositions/{proposal_id}"
        pages += [("admin", "proposal", url), (None, "proposal", url), ("author", "proposal", url)]
        pages.append(("author", "edit", url + "/modifier"))
        pages.append(("commenter", "report", f"/signalements/proposal/{proposal_id}"))
    for comment_id in db.session.scalars(sa.select(Comment.id)):
        pages.append(("reporter", "report", f"/signalements/comment/{comment_id}"))
    pages.append(("reporter", "report", f"/signalements/rating_comment/{v['rating_id']}"))
    for case_id in db.session.scalars(sa.select(Case.id)):
        pages.append(("admin", "case", f"/gestion/moderation/{case_id}"))
    pages.append(("author", "appeal", f"/moderation/appel/{v['case_id']}"))
    for mail_id in db.session.scalars(sa.select(OutboxEmail.id)):
        pages.append(("admin", "e-mail", f"/gestion/courriels/{mail_id}"))
    for name in ("author", "commenter", "rater", "troll"):
        for url in ("/compte/notifications", "/mes-contributions", "/compte/donnees.json"):
            pages.append((name, "own", url))
        pages.append((name, "own", f"/concertations/{slug}/restitution"))
    pages.append(("admin", "search", "/gestion/utilisateurs?q=zq"))
    pages.append(("admin", "audit", "/gestion/journal"))
    pages.append(("admin", "outbox", "/gestion/courriels"))
    return pages


def _exports() -> list[str]:
    from civic.opendata import registry

    urls = ["/donnees-ouvertes/catalogue.jsonld", "/api/v1/openapi.json"]
    for dataset in registry.datasets():
        urls += [
            f"/donnees-ouvertes/{dataset.name}.csv",
            f"/donnees-ouvertes/{dataset.name}.json",
            f"/api/v1/{dataset.name}?limit=500",
        ]
    return urls


@pytest.mark.parametrize("kind", list(PAYLOADS))
def test_hostile_text_stays_inert_everywhere(kind, app, db, make_user, monkeypatch):
    w = build_world(kind, app, db, make_user)
    sweep = Sweep(w)
    clients = {None: app.test_client()}
    for role, user in w.users.items():
        clients[role] = app.test_client()
        log_in(clients[role], user)

    # Every page and fragment, as the public, the author and an administrator.
    urls = get_urls(app, w.values, complete_only=True)
    assert len(urls) >= 40
    for role in (None, "author", "admin"):
        for endpoint, url in urls:
            sweep.check(f"{role or 'anonymous'} GET {url} ({endpoint})", clients[role].get(url))
            if role == "admin":
                sweep.check(f"htmx GET {url}", clients[role].get(url, headers=HX))
    for role, what, url in _extra_pages(w):
        sweep.check(f"{role or 'anonymous'} {what} {url}", clients[role].get(url))

    # Reflected: every query parameter of every page, at once.
    query = {name: w.text(f"query parameter {name}") for name in QUERY_PARAMETERS}
    for role in (None, "admin"):
        for endpoint, url in urls:
            sweep.check(f"reflected {url} ({endpoint})", clients[role].get(url, query_string=query))
            sweep.check(
                f"reflected htmx {url}", clients[role].get(url, query_string=query, headers=HX)
            )

    # Open data, the API, the synthesis CSV and the ratings export.
    slug = w.values["slug"]
    for url in [*_exports(), f"/concertations/{slug}/synthese.csv"]:
        sweep.check(f"export {url}", clients[None].get(url))
    from civic.ratings import export

    with app.test_request_context():
        for name, content in export.files().items():
            if name.endswith(".csv"):
                sweep.check_text(f"ratings export {name}", content, csv_problems(content))

    # E-mails: as the outbox keeps them, and as SMTP would send them.
    mails = db.session.scalars(sa.select(OutboxEmail)).all()
    assert mails, "the world sends e-mails"
    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config["CIVIC_MAIL_SERVER"] = "smtp.test"
    try:
        from civic.core import visibility
        from civic.core.notify import SUPERSEDED, WITHHELD, deliver

        with app.test_request_context():
            for mail in mails:
                sweep.check_text(f"e-mail {mail.subject!r}", mail.body, text_problems(mail.body))
                assert "\n" not in mail.subject and "\r" not in mail.subject
                # Sent, unless it quotes an item hidden since (withheld) or a text that
                # moderation corrected since (superseded).
                sent = deliver(mail.id)
                withheld = mail.last_error == WITHHELD and not visibility.is_visible(
                    mail.about_kind, mail.about_id, mail.user
                )
                assert sent or withheld or mail.last_error == SUPERSEDED, mail.last_error
    finally:
        app.config["CIVIC_MAIL_SERVER"] = None
    for message in FakeSMTP.sent:
        assert not message.is_multipart() and message.get_content_type() == "text/plain"
        assert set(message.keys()) <= {
            "From",
            "To",
            "Subject",
            "Content-Type",
            "Content-Transfer-Encoding",
            "MIME-Version",
            "List-Unsubscribe",
            "List-Unsubscribe-Post",
        }, message.keys()
        # The one-click unsubscribe headers (RFC 8058) carry only our own signed link.
        if "List-Unsubscribe" in message:
            assert re.fullmatch(r"<https?://[^\s<>]+>", message["List-Unsubscribe"])
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    db.session.rollback()

    # Fragments and messages held in the database are rendered by the pages above; the
    # markers of every stored field came back out somewhere, so each field was checked.
    stored = {m for m, f in w.fields.items() if not f.startswith("query parameter")}
    missing = sorted(
        w.fields[m] for m in stored - sweep.seen if w.fields[m] not in NEVER_SHOWN | SANITISED
    )
    assert not missing, f"fields never read back, so never checked: {missing}"
    assert not sweep.findings, "\n".join(sorted(sweep.findings))


def test_the_checks_do_catch_active_markup():
    """The sweep would see a payload that got through: each kind of finding, once."""
    assert html_problems("<svg onload=alert('zq001x')>")
    assert html_problems("<img src=x onerror=\"alert('zq002x')\">")
    assert html_problems("<script>alert('zq003x')</script>")
    assert html_problems("<a href=\"javascript:alert('zq004x')\">x</a>")
    assert html_problems("<b hx-on:click=\"alert('zq005x')\">x</b>")
    assert html_problems('<b hx-get="/zq006x">x</b>')
    assert html_problems("<input value='' autofocus onfocus=alert('zq007x') x=''>")
    assert html_problems("<p>1337zq008x</p>")
    assert not html_problems("<p>&lt;svg onload=alert('zq009x')&gt;</p>")
    assert not html_problems("<input value=\"&#34;&gt;&lt;img src=x onerror=alert('zq010x')&gt;\">")
    assert csv_problems('a;b\r\n"=HYPERLINK(""http://e.x/zq011x"")";1\r\n')
    assert not csv_problems('a;b\r\n"\'=HYPERLINK(""http://e.x/zq012x"")";1\r\n')
    assert xml_problems("<feed><zq013x/></feed>")
