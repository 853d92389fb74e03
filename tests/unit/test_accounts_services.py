"""Account services: roles and their audit trail, retention, the demo and the CLI."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from civic.accounts import services
from civic.accounts.models import RoleGrant, User
from civic.accounts.passwords import password_problem
from civic.core.catalogues import french_spacing as fr
from civic.core.models import AuditEvent, utcnow
from civic.core.notify import Notification, OutboxEmail
from tests.conftest import log_in


def test_set_roles_is_audited_and_notified(make_user, db):
    admin = make_user("admin")
    user = make_user()
    services.set_roles(admin, user, {"moderator", "agent", "not-a-role"})
    db.session.commit()
    assert user.role_names == {"citizen", "moderator", "agent"}
    services.set_roles(admin, user, {"agent"})
    db.session.commit()
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.details["role"], e.actor_id) for e in events] == [
        ("role.granted", "agent", admin.id),
        ("role.granted", "moderator", admin.id),
        ("role.removed", "moderator", admin.id),
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 2


def test_admin_cannot_remove_own_admin_role(make_user):
    admin = make_user("admin")
    with pytest.raises(services.AccountError):
        services.set_roles(admin, admin, set())


def test_audit_log_is_append_only(make_user, db):
    admin = make_user("admin")
    services.set_roles(admin, make_user(), {"agent"})
    db.session.commit()
    event = db.session.scalar(sa.select(AuditEvent))
    event.reason = "rewritten"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(sa.select(AuditEvent)))
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()


def test_roles_through_the_admin_pages(client, make_user, db):
    admin = make_user("admin")
    user = make_user(email="futur.agent@example.org")
    log_in(client, admin)
    listing = client.get("/gestion/utilisateurs", query_string={"q": "futur"})
    assert "futur.agent@example.org" in listing.get_data(as_text=True)
    assert "user1@" not in listing.get_data(as_text=True)
    response = client.post(f"/gestion/utilisateurs/{user.id}", data={"roles": ["agent", "elected"]})
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.role_names == {"citizen", "agent", "elected"}
    by_role = client.get("/gestion/utilisateurs", query_string={"role": "elected"})
    assert "futur.agent@example.org" in by_role.get_data(as_text=True)
    journal = client.get("/gestion/journal").get_data(as_text=True)
    assert "role.granted" in journal and "role = elected" in journal
    own = client.post(f"/gestion/utilisateurs/{admin.id}", data={"roles": []})
    assert own.status_code == 422
    assert client.get("/gestion/utilisateurs/999999").status_code == 404


def test_admin_reads_the_outbox(client, make_user, db):
    user = make_user(email="lecteur@example.org")
    mail = OutboxEmail(user_id=user.id, to_address=user.email, subject="Sujet <b>", body="Corps")
    db.session.add(mail)
    db.session.commit()
    log_in(client, make_user("admin"))
    listing = client.get("/gestion/courriels").get_data(as_text=True)
    assert "lecteur@example.org" in listing and "Sujet &lt;b&gt;" in listing
    assert "Corps" in client.get(f"/gestion/courriels/{mail.id}").get_data(as_text=True)


def test_retention_warns_then_erases(make_user, db, app):
    app.config.update(CIVIC_RETENTION_DAYS=365, CIVIC_RETENTION_WARNING_DAYS=30)
    with freeze_time("2024-01-01"):
        idle = make_user(email="dormant@example.org", last_seen_at=utcnow())
        active = make_user(email="active@example.org", last_seen_at=utcnow())
    with app.test_request_context():
        with freeze_time("2024-12-10"):  # 344 days: inside the warning window
            active.last_seen_at = utcnow()
            assert services.apply_retention() == (1, 0)
            assert services.apply_retention() == (0, 0)  # warned once only
        mail = db.session.scalar(sa.select(OutboxEmail).where(OutboxEmail.user_id == idle.id))
        assert "va être supprimé" in mail.subject
        with freeze_time("2025-01-02"):  # past a year, but warned only 23 days ago
            assert services.apply_retention() == (0, 0)
        with freeze_time("2025-01-15"):  # warned more than 30 days ago
            assert services.apply_retention() == (0, 1)
    assert idle.is_deleted and idle.email is None
    assert not active.is_deleted


def test_logging_in_again_cancels_the_warning(make_user, app):
    user = make_user(retention_warned_at=utcnow() - timedelta(days=5))
    services.authenticate(user.email, "une phrase de passe assez longue")
    assert user.retention_warned_at is None and user.last_seen_at is not None


def test_password_problems():
    assert password_problem("une phrase de passe assez longue") is None
    assert password_problem("Tr0ub4dor&3-sicoval") is None
    assert password_problem("a" * 11)
    assert password_problem("aaaaaaaaaaaaaaaa")
    assert password_problem("sunshine2024!!!!")
    assert password_problem("jean.dupont-2026", "jean.dupont@example.org")


def test_demo_fills_an_empty_database_once(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["civic", "demo"])
    assert result.exit_code == 0, result.output
    users = db.session.scalars(sa.select(User)).all()
    roles = {g.role for u in users for g in u.grants}
    assert roles == {"agent", "elected", "facilitator", "moderator", "admin"}
    assert all(u.email_confirmed_at and u.commune for u in users)
    # The printed passwords work.
    line = next(line for line in result.output.splitlines() if line.strip().startswith("admin"))
    _, email, password = line.split()
    assert services.authenticate(email, password).has_role("admin")
    again = runner.invoke(args=["civic", "demo", "--if-empty"])
    assert again.exit_code == 0 and "déjà" in again.output
    refused = runner.invoke(args=["civic", "demo"])
    assert refused.exit_code != 0


def test_cli_grant_and_retention(app, make_user, db):
    user = make_user(email="premier.admin@example.org")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["civic", "accounts", "grant", user.email, "admin"]).exit_code == 0
    db.session.refresh(user)
    assert user.has_role("admin")
    assert db.session.scalar(sa.select(RoleGrant.role)) == "admin"
    bad = runner.invoke(args=["civic", "accounts", "grant", user.email, "king"])
    assert bad.exit_code != 0
    result = runner.invoke(args=["civic", "accounts", "retention"])
    assert result.exit_code == 0 and result.output.strip() == fr(
        "Comptes prévenus : 0 ; effacés : 0."
    )
