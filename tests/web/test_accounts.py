"""Registration, confirmation, login, reset, profile, export and erasure through the web."""

import json

import sqlalchemy as sa
from freezegun import freeze_time

from civic.accounts.models import User
from civic.core.models import AuditEvent, utcnow
from civic.core.notify import Notification, OutboxEmail
from tests.conftest import PASSWORD, log_in
from tests.web.helpers import last_email, link_in, text

NEW_PASSWORD = "un autre mot de passe tout neuf"


def register(client, email="nouvelle@example.org", **overrides):
    data = {
        "email": email,
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "display_name": "Nouvelle",
        "accept_charter": "y",
    }
    data.update(overrides)
    return client.post("/compte/inscription", data=data)


def test_register_confirm_login_logout(client, db):
    response = register(client)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/compte/verifiez-vos-courriels")
    user = db.session.scalar(sa.select(User).where(User.email == "nouvelle@example.org"))
    assert user.email_confirmed_at is None and user.charter_accepted_at is not None
    assert user.password_hash.startswith("$argon2id$")

    # Not confirmed yet: login refused with an explanation.
    response = client.post("/compte/connexion", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 422
    page = text(response)
    assert "Confirmez d'abord votre adresse" in page
    # Said above the form, not as an error of the password field.
    assert page.index("Confirmez d'abord") < page.index('name="email"')
    assert 'aria-invalid="true"' not in page

    link = link_in(last_email(user.email))
    assert client.get(link).status_code == 200  # shows a button, changes nothing
    db.session.refresh(user)
    assert user.email_confirmed_at is None
    response = client.post(link)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    db.session.refresh(user)
    assert user.email_confirmed_at is not None
    # Confirmed and signed in at once.
    assert client.get("/compte/profil").status_code == 200
    assert client.post("/compte/deconnexion").status_code == 303

    response = client.post(
        "/compte/connexion?next=/compte/profil",
        data={"email": "NOUVELLE@example.org ", "password": PASSWORD},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/compte/profil"
    assert client.get("/compte/profil").status_code == 200

    assert client.post("/compte/deconnexion").status_code == 303
    assert client.get("/compte/profil").status_code == 302


def test_register_errors_keep_what_was_typed(client):
    response = register(client, email="pas-une-adresse", password_confirm="autre chose")
    assert response.status_code == 422
    page = text(response)
    assert 'value="pas-une-adresse"' in page
    assert 'value="Nouvelle"' in page
    assert "Cette adresse e-mail n'est pas valide" in page
    assert "Les deux mots de passe ne sont pas identiques" in page
    assert 'role="alert"' in page and 'aria-invalid="true"' in page
    assert PASSWORD not in page  # passwords are never sent back


def test_register_refuses_weak_passwords_and_missing_charter(client):
    for password, message in [
        ("court", "au moins 12 caractères"),
        ("motdepasse123456", "trop courant"),
        ("azertyuiop!!!!", "trop courant"),
        ("123456789012", "trop courant"),
        ("nouvelle-du-sicoval", "ne doit pas contenir votre adresse"),
    ]:
        response = register(client, password=password, password_confirm=password)
        assert response.status_code == 422, password
        assert message in text(response), password
    response = register(client, accept_charter="")
    assert response.status_code == 422
    assert "accepter la charte" in text(response)


def test_register_same_answer_for_a_known_address(client, make_user, db):
    known = make_user(email="deja@example.org")
    first = register(client, email="deja@example.org")
    second = register(client, email="inconnue@example.org")
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2
    warning = last_email(known.email)
    assert "a déjà un compte" in warning.body


def test_forgot_password_same_answer_and_one_time_link(client, make_user, db):
    user = make_user(email="oubli@example.org")
    unknown = client.post("/compte/mot-de-passe-oublie", data={"email": "x@example.org"})
    known = client.post("/compte/mot-de-passe-oublie", data={"email": user.email})
    assert unknown.status_code == known.status_code == 303
    assert unknown.headers["Location"] == known.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 1

    link = link_in(last_email(user.email))
    other = client.application.test_client()
    log_in(other, user)
    response = client.post(link, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 303
    # The link worked once; the old sessions are over.
    again = client.post(link, data={"password": PASSWORD, "password_confirm": PASSWORD})
    assert again.status_code == 303 and again.headers["Location"].endswith("mot-de-passe-oublie")
    assert other.get("/compte/profil").status_code == 302
    response = client.post(
        "/compte/connexion", data={"email": user.email, "password": NEW_PASSWORD}
    )
    assert response.status_code == 303


def test_reset_link_expires(client, make_user):
    user = make_user(email="expire@example.org")
    with freeze_time("2026-01-01 10:00:00"):
        client.post("/compte/mot-de-passe-oublie", data={"email": user.email})
    link = link_in(last_email(user.email))
    with freeze_time("2026-01-01 10:59:00"):
        assert client.get(link).status_code == 200
    with freeze_time("2026-01-01 11:01:00"):
        assert client.get(link).status_code == 303


def test_login_wrong_password_same_message_as_unknown(client, make_user):
    user = make_user()
    wrong = client.post("/compte/connexion", data={"email": user.email, "password": "x" * 14})
    unknown = client.post(
        "/compte/connexion", data={"email": "z@example.org", "password": "x" * 14}
    )
    assert wrong.status_code == unknown.status_code == 422
    message = "Adresse e-mail ou mot de passe incorrect."
    assert message in text(wrong) and message in text(unknown)


def test_login_next_never_leaves_the_site(client, make_user):
    user = make_user()
    for target in ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:x"]:
        client.post("/compte/deconnexion")
        response = client.post(
            "/compte/connexion",
            query_string={"next": target},
            data={"email": user.email, "password": PASSWORD},
        )
        assert response.status_code == 303
        assert response.headers["Location"] == "/", target


def test_profile_edit_consent_and_withdrawal(client, make_user, db):
    user = make_user()
    log_in(client, user)
    page = text(client.get("/compte/profil"))
    assert "Castanet-Tolosan" in page  # the 36 communes are offered
    from civic.territory.models import Commune

    commune = db.session.scalar(sa.select(Commune).where(Commune.insee == "31113"))
    data = {
        "display_name": "Claire",
        "commune_id": str(commune.id),
        "locale": "fr",
        "age_bracket": "30-44",
        "gender": "female",
        "pcs": "3",
    }
    refused = client.post("/compte/profil", data=data)
    assert refused.status_code == 422
    assert "consentement" in text(refused)
    assert 'value="Claire"' in text(refused)

    assert client.post("/compte/profil", data={**data, "stats_consent": "y"}).status_code == 303
    db.session.refresh(user)
    assert (user.display_name, user.commune_id, user.age_bracket, user.gender, user.pcs) == (
        "Claire",
        commune.id,
        "30-44",
        "female",
        "3",
    )
    assert user.stats_consent_at is not None

    # Unticking the consent erases the statistical answers.
    assert (
        client.post(
            "/compte/profil", data={**data, "age_bracket": "", "gender": "", "pcs": ""}
        ).status_code
        == 303
    )
    db.session.refresh(user)
    assert user.stats_consent_at is None and user.age_bracket is None
    assert user.display_name == "Claire"

    assert client.post("/compte/profil/effacer").status_code == 303
    db.session.refresh(user)
    assert user.display_name is None and user.commune_id is None


def test_profile_rejects_unknown_choices(client, make_user):
    log_in(client, make_user())
    response = client.post(
        "/compte/profil",
        data={"commune_id": "999999", "locale": "xx", "stats_consent": "y", "pcs": "42"},
    )
    assert response.status_code == 422
    page = text(response)
    for name in ("commune_id", "locale", "pcs"):
        assert f'id="{name}-erreur">N\'est pas un choix valide' in page, name


def test_change_password_ends_other_sessions(client, make_user, app):
    user = make_user()
    log_in(client, user)
    other = app.test_client()
    log_in(other, user)
    response = client.post(
        "/compte/mot-de-passe",
        data={
            "current_password": "faux mot de passe",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 422 and "actuel est incorrect" in text(response)
    response = client.post(
        "/compte/mot-de-passe",
        data={
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303
    assert client.get("/compte/profil").status_code == 200  # this browser stays logged in
    assert other.get("/compte/profil").status_code == 302


def test_export_is_own_data_only(client, make_user, db):
    alice = make_user(email="alice@example.org", display_name="Alice")
    make_user(email="bob@example.org", display_name="Bob")
    db.session.add(Notification(user_id=alice.id, message="Bienvenue"))
    db.session.commit()
    assert client.get("/compte/donnees.json").status_code == 302
    log_in(client, alice)
    response = client.get("/compte/donnees.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "alice@example.org"
    assert data["profile"]["display_name"] == "Alice"
    assert [n["message"] for n in data["notifications"]] == ["Bienvenue"]
    assert "bob@example.org" not in response.get_data(as_text=True)


def test_personal_data_page_reads_in_words(client, make_user, db):
    alice = make_user(email="alice@example.org", display_name="Alice")
    db.session.add(Notification(user_id=alice.id, message="Bienvenue", link="/concertations"))
    db.session.commit()
    log_in(client, alice)
    page = text(client.get("/compte/donnees"))
    # The language and roles by name, the account's date named, the link a link: no codes.
    assert "Français" in page and "Citoyen" in page and "Compte créé le" in page
    assert '<a href="/concertations">Ouvrir</a>' in page
    assert "<dd>fr</dd>" not in page and "<dd>citizen</dd>" not in page
    assert 'data-label="Message"' in page  # a phone shows each value after its name


def test_delete_account_erases_personal_data(client, make_user, db, app):
    user = make_user(
        "moderator", email="efface@example.org", display_name="Efface Moi", age_bracket="30-44"
    )
    db.session.add(Notification(user_id=user.id, message="x"))
    db.session.add(OutboxEmail(user_id=user.id, to_address=user.email, subject="s", body="b"))
    db.session.commit()
    log_in(client, user)
    captured = app.test_client()
    log_in(captured, user)

    refused = client.post(
        "/compte/suppression", data={"password": "mauvais mot de passe", "confirm": "y"}
    )
    assert refused.status_code == 422
    response = client.post("/compte/suppression", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.is_deleted and user.email is None and user.password_hash is None
    assert user.display_name is None and user.age_bracket is None and not user.grants
    assert user.public_name == "Participant supprimé"
    assert captured.get("/compte/profil").status_code == 302
    assert client.get("/compte/profil").status_code == 302
    # No trace of the address or the name in any text column of any table.
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).all():
            flat = json.dumps([str(v) for v in row], ensure_ascii=False)
            assert "efface@example.org" not in flat, table.name
            assert "Efface Moi" not in flat, table.name
    erased = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "account.erased"))
    assert erased.target_id == user.id
    # The address can be used again.
    assert register(client, email="efface@example.org").status_code == 303


def test_notifications_page_and_mark_read(client, make_user, db):
    user = make_user()
    db.session.add_all([Notification(user_id=user.id, message=f"Message {i}") for i in range(25)])
    db.session.commit()
    log_in(client, user)
    home = text(client.get("/"))
    assert "25<span" in home  # unread badge
    first = text(client.get("/compte/notifications"))
    assert "Message 24" in first and "Message 0" not in first and "Page 1 sur 2" in first
    assert "Message 0" in text(client.get("/compte/notifications?page=2"))
    assert client.get("/compte/notifications?page=abc").status_code == 404
    fragment = client.get("/compte/notifications", headers={"HX-Request": "true"})
    assert "<html" not in text(fragment) and "Message 24" in text(fragment)
    assert client.post("/compte/notifications/lues").status_code == 303
    unread = db.session.scalar(
        sa.select(sa.func.count()).select_from(Notification).where(Notification.read_at.is_(None))
    )
    assert unread == 0


def test_the_profile_fills_the_proposal_and_volunteer_forms(
    app, client, climate, make_workshop, db
):
    import re as regex

    from civic.territory.models import Commune
    from civic.workshops import services as workshops

    labege = db.session.scalar(sa.select(Commune).where(Commune.name == "Labège"))
    workshop = make_workshop()
    with app.test_request_context():
        # Default quotas bound age: the form asks for it.
        workshops.set_quotas(workshop.facilitator, workshop, workshops.default_quotas(workshop))
    db.session.commit()
    user = climate["author"]
    user.commune_id, user.age_bracket, user.stats_consent_at = labege.id, "30-44", utcnow()
    db.session.commit()
    log_in(client, user)
    form = text(client.get("/concertations/plan-climat/propositions/nouvelle"))
    assert regex.search(rf'<option selected value="{labege.id}">Labège</option>', form)
    volunteer = text(client.get(f"/ateliers/{workshop.slug}/volontariat"))
    assert regex.search(rf'<option selected value="{labege.id}">Labège</option>', volunteer)
    assert 'name="age_bracket"' in volunteer
    assert regex.search(r'checked[^>]*value="30-44"|value="30-44"[^>]*checked', volunteer)
    # Without consent, the statistics stay out of the form.
    user.stats_consent_at = None
    db.session.commit()
    volunteer = text(client.get(f"/ateliers/{workshop.slug}/volontariat"))
    assert not regex.search(r'checked[^>]*value="30-44"|value="30-44"[^>]*checked', volunteer)
