"""What requests may change: no GET changes data, whoever sends it; no POST, PUT, PATCH or
DELETE goes through without this session's CSRF token.

The rules are read from app.url_map, so that a route added tomorrow is walked too; its URL
arguments come from tests/web/conftest.py's url_values (or a fallback that only reaches the
route's 404).
"""

import pytest

from tests.conftest import ROLES, log_in
from tests.security.conftest import changed_tables, fingerprint, get_urls, rule_url

HX = {"HX-Request": "true"}


@pytest.mark.parametrize("role", ROLES)
def test_no_get_changes_data_whoever_sends_it(role, app, client, make_user, db, url_values):
    """Every GET rule, as each role, as a page and as an htmx fragment: no row of any table
    (full-text indexes included) changes. The matrix test does this as an administrator only."""
    if role != "anonymous":
        log_in(client, make_user(role))
    urls = get_urls(app, url_values)
    before = fingerprint(db)
    for _endpoint, url in urls:
        for headers in ({}, HX):
            response = client.get(url, headers=headers)
            assert response.status_code < 500, (url, response.status_code)
    changed = changed_tables(before, fingerprint(db))
    if changed:
        # Find the culprit: the same walk, one fingerprint per request.
        culprits = []
        for endpoint, url in urls:
            before = fingerprint(db)
            client.get(url)
            client.get(url, headers=HX)
            if changed_tables(before, fingerprint(db)):
                culprits.append(f"{endpoint} {url}")
        pytest.fail(f"GET as {role} changed {changed}: {culprits}")


# Posted by mail clients without a page (one-click unsubscribe): no CSRF token possible.
SIGNED_LINKS = {"accounts.unsubscribe"}


def _unsafe_rules(app):
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: r.endpoint
    )


def test_every_unsafe_method_needs_this_sessions_token(app, client, make_user, db, url_values):
    """Every rule, every unsafe method: a POST carrying the valid token of another session
    answers 400 (the existing test covers no token and a forged one); PUT, PATCH and DELETE,
    which no route accepts, answer 405 without a token as with one. Nothing changes."""
    thief = app.test_client()
    log_in(thief, make_user("admin"))
    stolen = thief.csrf_token()
    log_in(client, make_user("admin"))
    own = client.csrf_token()
    before = fingerprint(db)
    failures = []
    for rule in _unsafe_rules(app):
        url = rule_url(app, rule, url_values)
        if rule.endpoint in SIGNED_LINKS:
            # Its signed address stands for the token (RFC 8058): a forged one finds nothing.
            assert client.post(url, csrf=False).status_code == 404
            continue
        if "POST" in rule.methods:
            for data, headers in [
                ({"csrf_token": stolen}, {}),
                ({}, {**HX, "X-CSRFToken": stolen}),
            ]:
                status = client.post(url, data=data, headers=headers, csrf=False).status_code
                if status != 400:
                    failures.append(f"POST {url} with another session's token: {status}")
        for method in ("PUT", "PATCH", "DELETE"):
            if method in rule.methods:  # none today; then it needs its token like a POST
                attempts = [({}, 400), ({"csrf_token": stolen}, 400)]
            else:  # refused by the routing itself, token or not
                attempts = [({"csrf_token": own}, 405)]
            for data, expected in attempts:
                status = client.open(url, method=method, data=data).status_code
                if status != expected:
                    failures.append(f"{method} {url}: {status}, expected {expected}")
    assert not failures, "\n".join(failures)
    assert changed_tables(before, fingerprint(db)) == []
