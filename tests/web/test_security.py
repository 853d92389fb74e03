"""Headers, cookies, CSRF, session versioning and lifetimes, rate limits."""

import re

import pytest
from freezegun import freeze_time

from civic import create_app
from tests.conftest import PASSWORD, CsrfClient, app_config, log_in
from tests.web.test_access_matrix import EXPECTED, build_url


def test_security_headers_with_a_fresh_nonce(client):
    first = client.get("/")
    second = client.get("/")
    csp = first.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'nonce="{nonce}"' in first.get_data(as_text=True)
    assert nonce not in second.headers["Content-Security-Policy"]
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    assert first.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in first.headers  # development
    assert "HX-Request" in first.headers["Vary"]


def test_no_third_party_resource_in_pages(client, make_user):
    log_in(client, make_user("admin"))
    for url in ["/", "/compte/profil", "/gestion/utilisateurs", "/compte/connexion"]:
        page = client.get(url).get_data(as_text=True)
        # Resources (scripts, images, style sheets, icons) come from the site itself ...
        resources = re.findall(r'src="([^"]+)"', page) + re.findall(
            r'<link[^>]*href="([^"]+)"', page
        )
        for src in resources:
            assert src.startswith("/"), (url, src)
        # ... and links to elsewhere are plain https links (the authority's own site).
        for href in re.findall(r'<a[^>]*href="([^"]+)"', page):
            assert href.startswith(("/", "#", "mailto:", "tel:", "https://")), (url, href)


def test_logged_in_pages_are_not_cached(client, make_user):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    log_in(client, make_user())
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_session_cookie_flags(client, make_user):
    user = make_user()
    response = client.post("/compte/connexion", data={"email": user.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development serves plain http on 127.0.0.1


def test_production_settings(monkeypatch, database_url):
    monkeypatch.setenv("CIVIC_ENV", "production")
    monkeypatch.delenv("CIVIC_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="CIVIC_SECRET_KEY"):
        create_app(app_config(database_url))
    monkeypatch.setenv("CIVIC_SECRET_KEY", "s" * 32)
    app = create_app({k: v for k, v in app_config(database_url).items() if k != "SECRET_KEY"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SECRET_KEY"] == "s" * 32
    response = app.test_client().get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def post_endpoints(app):
    return sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and rule.endpoint != "static"
    )


def test_every_post_without_csrf_token_is_refused(app, client, make_user):
    log_in(client, make_user("admin"))
    values = {
        "user_id": 1,
        "email_id": 1,
        "token": "x",
        "slug": "x",
        "proposal_id": 1,
        "consultation_id": 1,
        "phase_id": 1,
        "document_id": 1,
        "term_id": 1,
        "kind": "proposal",
        "item_id": 1,
        "case_id": 1,
        "block_id": 1,
        "service_id": 1,
        "run_id": 1,
        "cluster_id": 1,
        "member_id": 1,
        "rating_id": 1,
        "name": "x",
        "filename": "x.csv",
        "workshop_id": 1,
        "event_id": 1,
        "volunteer_id": 1,
        "selection_id": 1,
        "note_id": 1,
        "draft_id": 1,
        "answer_draft_id": 1,
        "template_id": 1,
        "passage_id": 1,
        "amendment_id": 1,
        "insee": "31254",
        "request_id": 1,
        "question_id": 1,
        "page_id": 1,
        "reference": "x",
    }
    # One-click unsubscribe (RFC 8058): mail clients post the signed link without a page, so
    # the link's signature stands for the token (a forged one finds nothing).
    signed_links = {"accounts.unsubscribe"}
    for endpoint in signed_links:
        forged = client.post(build_url(app, endpoint, values), csrf=False)
        assert forged.status_code == 404, endpoint
    endpoints = [e for e in post_endpoints(app) if e not in signed_links]
    assert len(endpoints) >= 10
    for endpoint in endpoints:
        url = build_url(app, endpoint, values)
        response = client.post(url, data={"email": "a@example.org"}, csrf=False)
        assert response.status_code == 400, endpoint
        assert "Le formulaire a expiré" in response.get_data(as_text=True)
        bad = client.post(url, data={"csrf_token": "forged"}, csrf=False)
        assert bad.status_code == 400, endpoint


def test_csrf_header_accepted_for_htmx(client, make_user):
    log_in(client, make_user())
    token = client.csrf_token()
    response = client.post(
        "/compte/notifications/lues",
        csrf=False,
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )
    assert response.status_code == 303


def test_no_get_route_changes_data(app, client, make_user, db, url_values):
    """GET every route as an admin and check that no table changed."""
    import sqlalchemy as sa

    log_in(client, make_user("admin"))

    def snapshot():
        return {t.name: db.session.execute(sa.select(t)).all() for t in db.metadata.sorted_tables}

    before = snapshot()
    values = url_values
    for endpoint in EXPECTED:
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        if "GET" in rule.methods:
            client.get(build_url(app, endpoint, values))
    db.session.expire_all()
    assert snapshot() == before


@pytest.mark.parametrize("event", ["logout", "password", "deletion"])
def test_captured_cookie_is_refused_after(event, app, client, make_user):
    user = make_user()
    response = client.post("/compte/connexion", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    captured = client.get_cookie("session", domain="civic.test").value
    if event == "logout":
        client.post("/compte/deconnexion")
    elif event == "password":
        new = "encore un nouveau mot de passe"
        client.post(
            "/compte/mot-de-passe",
            data={"current_password": PASSWORD, "password": new, "password_confirm": new},
        )
    else:
        client.post("/compte/suppression", data={"password": PASSWORD, "confirm": "y"})
    thief = app.test_client()
    thief.set_cookie("session", captured, domain="civic.test")
    response = thief.get("/compte/profil")
    assert response.status_code == 302
    assert "/compte/connexion" in response.headers["Location"]


def test_idle_and_absolute_session_lifetimes(client, make_user, app):
    user = make_user()
    with freeze_time("2026-03-01 08:00:00") as frozen:
        client.post("/compte/connexion", data={"email": user.email, "password": PASSWORD})
        assert client.get("/compte/profil").status_code == 200
        frozen.tick(60 * 119)  # idle limit: 120 minutes
        assert client.get("/compte/profil").status_code == 200
        frozen.tick(60 * 121)
        assert client.get("/compte/profil").status_code == 302
    with freeze_time("2026-03-02 08:00:00") as frozen:
        client.post("/compte/connexion", data={"email": user.email, "password": PASSWORD})
        for _ in range(13):  # active every hour, past the 12-hour absolute limit
            frozen.tick(3600)
            status = client.get("/compte/profil").status_code
        assert status == 302


def limited_app(database_url, **extra):
    config = app_config(database_url)
    config.update(CIVIC_LOGIN_LIMIT="3 per minute", **extra)
    from civic.extensions import limiter

    app = create_app(config)
    app.test_client_class = CsrfClient
    with app.app_context():
        limiter.reset()
    return app


def login_attempts(client, n, email="x@example.org", **environ):
    return [
        client.post(
            "/compte/connexion",
            data={"email": email, "password": "x" * 12},
            environ_base=environ,
        ).status_code
        for _ in range(n)
    ]


def test_login_rate_limit(client, limit):
    limit("CIVIC_LOGIN_LIMIT", "3 per minute")
    assert login_attempts(client, 4) == [422, 422, 422, 429]
    page = client.post("/compte/connexion", data={"email": "x@example.org"}).get_data(as_text=True)
    assert "Trop de tentatives" in page


def test_rate_limit_keyed_on_client_behind_trusted_proxy(database_url):
    app = limited_app(database_url, CIVIC_PROXY_COUNT=1)
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    # Two residents behind the same reverse proxy do not share a bucket...
    for n, resident in enumerate(["203.0.113.5", "203.0.113.6"]):
        statuses = login_attempts(
            client, 3, email=f"r{n}@example.org", HTTP_X_FORWARDED_FOR=resident, **proxy
        )
        assert statuses == [422, 422, 422]
    # ...and one resident is limited whatever the e-mail typed.
    statuses = login_attempts(
        client, 1, email="other@example.org", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy
    )
    assert statuses == [429]


def test_forwarded_header_ignored_without_trusted_proxy(client, limit):
    limit("CIVIC_LOGIN_LIMIT", "3 per minute")
    statuses = [
        login_attempts(
            client, 1, email=f"e{i}@example.org", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}"
        )[0]
        for i in range(4)
    ]
    assert statuses == [422, 422, 422, 429]


def test_login_rate_limit_per_email(client, limit):
    limit("CIVIC_LOGIN_LIMIT", "3 per minute")
    statuses = [
        login_attempts(client, 1, email="victim@example.org", REMOTE_ADDR=f"192.0.2.{i}")[0]
        for i in range(4)
    ]
    assert statuses == [422, 422, 422, 429]


def test_rate_limits_on_redis(redis_url, database_url):
    app = limited_app(database_url, RATELIMIT_STORAGE_URI=redis_url)
    client = app.test_client()
    assert login_attempts(client, 4, REMOTE_ADDR="192.0.2.200") == [422, 422, 422, 429]
