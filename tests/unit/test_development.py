"""The newcomer's path in development: e-mails on the console, relaxed login limits, the demo's
accounts repeated; production keeps its limits."""

import pytest

from civic import config
from civic.core.notify import send_email
from civic.demo import DEMO_DOMAIN


@pytest.fixture
def environment(monkeypatch, tmp_path):
    for name in ("CIVIC_LOGIN_LIMIT", "CIVIC_SIGNUP_LIMIT", "CIVIC_RESET_LIMIT", "CIVIC_MAIL_ECHO"):
        monkeypatch.delenv(name, raising=False)

    def load(env: str) -> dict:
        monkeypatch.setenv("CIVIC_ENV", env)
        monkeypatch.setenv("CIVIC_SECRET_KEY", "x" * 64)
        return config.load(str(tmp_path))

    return load


def test_development_relaxes_login_limits_and_prints_mail(environment):
    development = environment("development")
    production = environment("production")
    assert production["CIVIC_LOGIN_LIMIT"] == "10 per minute; 50 per hour"
    assert production["CIVIC_SIGNUP_LIMIT"] == production["CIVIC_RESET_LIMIT"] == "5 per hour"
    assert not production["CIVIC_MAIL_ECHO"]
    # Ten minutes of switching roles: at least one login every few seconds.
    assert development["CIVIC_LOGIN_LIMIT"] == "300 per minute"
    assert development["CIVIC_MAIL_ECHO"]


def test_an_explicit_limit_wins_in_development(environment, monkeypatch):
    monkeypatch.setenv("CIVIC_LOGIN_LIMIT", "2 per minute")
    assert environment("development")["CIVIC_LOGIN_LIMIT"] == "2 per minute"


def test_echoed_mail_shows_the_confirmation_link(app, make_user, capsys, monkeypatch):
    user = make_user(confirmed=False)
    monkeypatch.setitem(app.config, "CIVIC_MAIL_ECHO", True)
    with app.test_request_context():
        send_email(user, "Confirmez votre adresse", "confirm", url="http://127.0.0.1:8000/c/abc")
    err = capsys.readouterr().err
    assert user.email in err and "Confirmez votre adresse" in err
    assert "http://127.0.0.1:8000/c/abc" in err


def test_mail_is_not_echoed_unless_asked(app, make_user, capsys):
    user = make_user(confirmed=False)
    with app.test_request_context():
        send_email(user, "Confirmez votre adresse", "confirm", url="http://x/c/abc")
    assert "Confirmez" not in capsys.readouterr().err


def test_second_demo_start_repeats_the_accounts_and_names_make_reset(app, make_user):
    make_user(role="elected", email=f"elu@{DEMO_DOMAIN}")
    make_user(email=f"habitante@{DEMO_DOMAIN}")
    result = app.test_cli_runner().invoke(args=["civic", "demo", "--if-empty"])
    assert result.exit_code == 0
    assert f"elu@{DEMO_DOMAIN}" in result.output
    assert f"habitante@{DEMO_DOMAIN}" in result.output
    assert "make reset" in result.output
