"""Every HTML route and every form, fuzzed with hostile input (Hypothesis, derandomized, a
fixed number of examples per route: a budget in requests, never in seconds).

- GET: each rule's path arguments and the query parameters the views read get ids past
  2**31-1, "²" (which `str.isdigit()` accepts and `int()` refuses), NUL and other control
  characters, very long and odd Unicode strings.
- POST: each form found on the pages (as a person holding every role sees them) is sent with
  its own fields, a random subset of them hostile, with a valid CSRF token.

No answer may be a 5xx, and a refused POST (4xx) must leave every table as it was. The suite
runs on SQLite and, with --database-url, on PostgreSQL, where NUL bytes and integer ranges
used to fail.
"""

import re
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException

from civic.accounts.models import RoleGrant
from tests.conftest import ROLES, log_in
from tests.security.conftest import changed_tables, fingerprint, get_rules, rule_url, table_names

GET_EXAMPLES = 5  # per route
POST_EXAMPLES = 8  # per form
# Forms that end the session or the account: the fuzzer would lock itself out.
SKIPPED_FORMS = {
    "accounts.logout",
    "accounts.delete_account",
    "accounts.change_password",
    "pages.set_language",
}
# Query parameters the views read.
QUERY_NAMES = [
    "page", "q", "commune", "consultation", "table", "sort", "status", "theme", "channel",
    "kind", "reason", "age", "progress", "since", "state", "role", "periode", "type", "next",
]  # fmt: skip

EDGE = [
    "",
    "0",
    "-1",
    "2147483647",
    "2147483648",
    "99999999999999999999",
    "9" * 400,
    "²",
    "٣",
    "1e3",
    "1.5",
    " 1",
    "a\x00b",
    "\x00",
    "\x01\x1f\x7f",
    "\u202e\u200b",
    "x" * 5000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "None",
    "true",
    "[]",
    "{}",
]
hostile = st.one_of(
    st.sampled_from(EDGE),
    # Short strings of the characters that broke pages: NUL, controls, "²", Arabic digits.
    st.text(alphabet=st.sampled_from("\x00\x01\x1f\x7f²٣90-aé \u202e<'\""), max_size=12),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
FUZZ_SETTINGS = {
    "derandomize": True,
    "database": None,
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
}


def snapshot(db) -> dict[str, str]:
    """Every table's rows as one digest each; on PostgreSQL in a single statement, since a
    query per table per request would make the run several times longer."""
    if db.session.get_bind().dialect.name != "postgresql":
        return fingerprint(db)
    db.session.expire_all()
    names = table_names(db)
    columns = ", ".join(
        f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "  # noqa: S608
        f'FROM "{name}" t)'
        for name in names
    )
    row = db.session.execute(sa.text(f"SELECT {columns}")).one()  # noqa: S608
    return dict(zip(names, row, strict=True))


class Forms(HTMLParser):
    """The POST forms of a page: their action and their fields with the values rendered."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = {"action": attrs.get("action") or "", "fields": {}}
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "textarea", "select", "button"):
            name = attrs.get("name")
            if name and attrs.get("type") not in ("file",):
                self._current["fields"].setdefault(name, attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


@pytest.fixture
def everyone(make_user, db, url_values):
    """A person holding every role: the fuzzer reaches every management page and form."""
    user = make_user("admin", email="fuzz@example.org")
    for role in ROLES[2:]:
        if role != "admin":
            user.grants.append(RoleGrant(role=role))
    db.session.commit()
    return user


def _endpoint(app, path: str) -> str | None:
    adapter = app.url_map.bind("civic.test")
    try:
        endpoint, _args = adapter.match(path, method="POST")
    except HTTPException:
        return None
    return endpoint


def _hostile_path(rule, values: dict, replace: dict) -> str:
    """The rule's path with its arguments, some replaced by hostile (URL-quoted) text."""
    path = rule.rule
    for name in rule.arguments:
        raw = replace.get(name, values.get(name, "1"))
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", quote(str(raw), safe=""), path)
    return path


def test_no_hostile_query_or_path_breaks_a_page(app, client, db, everyone, url_values):
    log_in(client, everyone)
    rules = [r for r in get_rules(app) if not r.endpoint.startswith("opendata.api")]
    seen: dict[int, int] = {}

    def checker(rule):
        arguments = sorted(rule.arguments)

        @given(
            path=st.fixed_dictionaries({}, optional={name: hostile for name in arguments}),
            query=st.dictionaries(st.sampled_from(QUERY_NAMES), hostile, min_size=1, max_size=6),
            fragment=st.booleans(),
        )
        @settings(max_examples=GET_EXAMPLES, **FUZZ_SETTINGS)
        def check(path, query, fragment):
            url = _hostile_path(rule, url_values, path)
            if query:
                url += "?" + urlencode(query)
            headers = {"HX-Request": "true"} if fragment else {}
            response = client.get(url, headers=headers)
            seen[response.status_code] = seen.get(response.status_code, 0) + 1
            assert response.status_code < 500, (url, response.status_code)

        return check

    for rule in rules:
        checker(rule)()
    # Pages, refusals and missing ids were all exercised.
    assert seen.get(200) and seen.get(400) and seen.get(404), seen


def test_edge_values_that_once_answered_500_are_refused(app, client, everyone, url_values):
    """The probe's own findings, on every route that takes an id and every query filter."""
    log_in(client, everyone)
    for rule in get_rules(app):
        ints = [
            name
            for name in rule.arguments
            if "integer" in type(rule._converters[name]).__name__.lower()
        ]
        for name in ints:
            for value in ("2147483648", "99999999999999999999"):
                url = _hostile_path(rule, url_values, {name: value})
                assert client.get(url).status_code == 404, url
        base = rule_url(app, rule, url_values)
        for query in ({"page": "²"}, {"commune": "²"}, {"q": "a\x00b"}, {"consultation": "1" * 20}):
            response = client.get(base + "?" + urlencode(query))
            assert response.status_code < 500, (base, query)
    assert client.get("/concertations/%00").status_code == 400


def _forms(app, client, url_values) -> dict[str, dict]:
    """One form per endpoint, as the pages render them."""
    found: dict[str, dict] = {}
    for rule in get_rules(app):
        if any(name not in url_values for name in rule.arguments):
            continue
        response = client.get(rule_url(app, rule, url_values))
        if response.status_code != 200 or "html" not in (response.content_type or ""):
            continue
        parser = Forms()
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            path = urlsplit(form["action"]).path or rule_url(app, rule, url_values)
            endpoint = _endpoint(app, path)
            if endpoint and endpoint not in SKIPPED_FORMS and endpoint not in found:
                found[endpoint] = {"path": path, "fields": form["fields"]}
    return found


def test_no_hostile_form_breaks_a_page_or_changes_data_when_refused(
    app, client, db, everyone, url_values
):
    log_in(client, everyone)
    forms = _forms(app, client, url_values)
    assert len(forms) >= 30, sorted(forms)
    token = client.csrf_token()
    statuses: dict[int, int] = {}

    def checker(endpoint, form, fields):
        names = sorted(fields)

        @given(
            changes=st.dictionaries(st.sampled_from(names), hostile, min_size=1, max_size=5),
            fresh_key=st.booleans(),
        )
        @settings(max_examples=POST_EXAMPLES, **FUZZ_SETTINGS)
        def check(changes, fresh_key):
            data = {**fields, **changes, "csrf_token": token}
            if fresh_key and "submission_key" in fields and "submission_key" not in changes:
                data["submission_key"] = f"fuzz{len(statuses)}{sum(statuses.values())}abcdefghij"
            before = snapshot(db)
            response = client.post(form["path"], data=data, csrf=False)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            assert response.status_code < 500, (endpoint, data, response.status_code)
            if 400 <= response.status_code < 500:
                changed = changed_tables(before, snapshot(db))
                assert not changed, (endpoint, response.status_code, changed, data)
            log_in(client, everyone)  # a form may have changed the session

        return check

    for endpoint, form in sorted(forms.items()):
        fields = {k: v for k, v in form["fields"].items() if k != "csrf_token"}
        if fields:
            checker(endpoint, form, fields)()
    assert statuses.get(400) and (statuses.get(303) or statuses.get(200)), statuses
