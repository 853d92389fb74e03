"""Sessions beyond tests/web/test_security.py (logout, password change, deletion, idle and
absolute lifetimes): a password reset by e-mail also ends the sessions a thief captured;
logging in starts a new session; an expired session asked for a fragment gets no fragment."""

from freezegun import freeze_time

from tests.conftest import CSRF_RE, PASSWORD, log_in
from tests.web.helpers import last_email, link_in

NEW = "une toute nouvelle phrase secrète"


def test_captured_cookie_is_refused_after_a_password_reset(app, client, make_user):
    """Someone who suspects a stolen session resets the password from the e-mail link: every
    session opened before, captured cookies included, ends."""
    user = make_user(email="reset.session@example.org")
    response = client.post("/compte/connexion", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    captured = client.get_cookie("session", domain="civic.test").value
    owner = app.test_client()
    assert owner.post("/compte/mot-de-passe-oublie", data={"email": user.email}).status_code == 303
    link = link_in(last_email(user.email))
    assert owner.post(link, data={"password": NEW, "password_confirm": NEW}).status_code == 303
    thief = app.test_client()
    thief.set_cookie("session", captured, domain="civic.test")
    refused = thief.get("/compte/profil")
    assert refused.status_code == 302 and "/compte/connexion" in refused.headers["Location"]
    assert client.get("/compte/donnees.json").status_code == 302


def test_login_starts_a_new_session_without_remember_cookie(app, client, make_user):
    """What the browser held before logging in (the anonymous CSRF token, values planted in
    the session) does not survive the login, and no long-lived remember-me cookie is set."""
    user = make_user()
    before = client.csrf_token()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    response = client.post(
        "/compte/connexion", data={"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 303
    assert "remember_token" not in response.headers.get("Set-Cookie", "")
    assert client.get_cookie("remember_token", domain="civic.test") is None
    with client.session_transaction() as session:
        assert "planted" not in session
    stale = client.post("/compte/notifications/lues", data={"csrf_token": before}, csrf=False)
    assert stale.status_code == 400
    page = client.get("/compte/profil").get_data(as_text=True)
    assert CSRF_RE.search(page).group(1) != before


def test_expired_session_gets_no_fragment(client, make_user):
    """An htmx request on an idle session answers 401 with the login page to go to, not the
    fragment of a personal page."""
    user = make_user(email="fragment.session@example.org")
    with freeze_time("2026-04-01 08:00:00") as frozen:
        client.post("/compte/connexion", data={"email": user.email, "password": PASSWORD})
        fragment = client.get("/compte/notifications", headers={"HX-Request": "true"})
        assert fragment.status_code == 200
        frozen.tick(60 * 121)
        expired = client.get("/compte/notifications", headers={"HX-Request": "true"})
    assert expired.status_code == 401
    assert "/compte/connexion" in expired.headers["HX-Redirect"]
    assert "notification" not in expired.get_data(as_text=True).lower()


def test_session_of_an_erased_account_cannot_act(app, client, make_user, db, climate):
    """A session opened before the account was erased (by the retention job, say) can neither
    read the account's pages nor post."""
    from civic.accounts import services

    user = make_user()
    log_in(client, user)
    assert client.get("/compte/profil").status_code == 200
    with app.test_request_context():
        services.erase_account(user)
    db.session.commit()
    assert client.get("/compte/profil").status_code == 302
    url = f"/concertations/plan-climat/propositions/{climate['proposal'].id}/vote"
    refused = client.post(url, data={"vote": "agree"})
    assert refused.status_code == 302 and "/compte/connexion" in refused.headers["Location"]
