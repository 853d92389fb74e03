"""Every change of state of an account. Functions flush, the view commits."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from civic.accounts.models import GRANTABLE_ROLES, SCOPABLE_ROLES, Role, RoleGrant, User
from civic.accounts.passwords import hash_password, needs_rehash, verify_password
from civic.core import privacy
from civic.core.models import audit, utcnow
from civic.core.notify import (
    MailItem,
    MailPreference,
    Notification,
    OutboxEmail,
    notify,
    send_email,
)
from civic.extensions import db


class AccountError(Exception):
    """A refusal to show to the user, already translated."""


class UnconfirmedEmail(AccountError):
    """The right password, for an address not confirmed yet."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


# --- tokens: signed, expiring, and bound to state that changes once they are used ---------


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def confirmation_token(user: User) -> str:
    return _serializer("confirm-email").dumps({"u": user.id, "e": user.email})


def reset_token(user: User) -> str:
    # The hash fragment changes with the password: the link works once.
    return _serializer("reset-password").dumps({"u": user.id, "h": user.password_hash[-16:]})


def _load(salt: str, token: str, max_age: int) -> dict | None:
    try:
        return _serializer(salt).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None


# --- registration and login ----------------------------------------------------------------


def register(email: str, password: str, display_name: str = "", locale: str = "fr") -> User | None:
    """Create an unconfirmed account and send the confirmation link.

    Returns None when the address is taken: the owner gets a warning e-mail, the visitor the
    same answer as for a new address, so that nobody learns who is registered.
    """
    email = normalise_email(email)
    existing = get_by_email(email)
    if existing is not None:
        _warn_owner(existing)
        return None
    now = utcnow()
    user = User(
        email=email,
        password_hash=hash_password(password),
        display_name=display_name.strip() or None,
        charter_accepted_at=now,
        locale=locale,
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        # The same address registered by a simultaneous request: the same answer as for an
        # address already taken (and no database error, whose text would quote the address,
        # in the logs).
        existing = get_by_email(email)
        if existing is not None:
            _warn_owner(existing)
        return None
    send_confirmation(user)
    return user


def _warn_owner(user: User) -> None:
    send_email(
        user,
        _l("Tentative d'inscription avec votre adresse"),
        "already_registered",
        reset_url=url_for("accounts.forgot_password", _external=True),
    )


def send_confirmation(user: User) -> None:
    url = url_for("accounts.confirm_email", token=confirmation_token(user), _external=True)
    send_email(user, _l("Confirmez votre adresse e-mail"), "confirm", url=url)


def resend_confirmation(email: str) -> None:
    user = get_by_email(email)
    if user is not None and user.email_confirmed_at is None:
        send_confirmation(user)


def confirm_email(token: str) -> User | None:
    data = _load("confirm-email", token, current_app.config["CIVIC_TOKEN_MAX_AGE"])
    user = db.session.get(User, data["u"]) if data else None
    if user is None or user.email != data["e"] or user.is_deleted:
        return None
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    return user


def authenticate(email: str, password: str) -> User:
    user = get_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        raise AccountError(_l("Adresse e-mail ou mot de passe incorrect."))
    if user.email_confirmed_at is None:
        raise UnconfirmedEmail(
            _l(
                "Confirmez d'abord votre adresse e-mail : le lien vous a été "
                "envoyé à l'inscription. Vous pouvez en demander un nouveau."
            )
        )
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_seen_at = utcnow()
    user.retention_warned_at = None
    return user


def end_all_sessions(user: User) -> None:
    user.session_version += 1


# --- password reset and change -------------------------------------------------------------


def request_password_reset(email: str) -> None:
    user = get_by_email(email)
    if user is None or user.password_hash is None:
        return  # same answer for unknown addresses
    url = url_for("accounts.reset_password", token=reset_token(user), _external=True)
    minutes = current_app.config["CIVIC_RESET_MAX_AGE"] // 60
    send_email(
        user, _l("Réinitialisation de votre mot de passe"), "reset", url=url, minutes=minutes
    )


def user_for_reset_token(token: str) -> User | None:
    data = _load("reset-password", token, current_app.config["CIVIC_RESET_MAX_AGE"])
    user = db.session.get(User, data["u"]) if data else None
    if user is None or user.password_hash is None or user.password_hash[-16:] != data["h"]:
        return None
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    # A reset proves control of the mailbox.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    end_all_sessions(user)
    audit(user, "account.password_changed", "user", user.id)


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise AccountError(_l("Le mot de passe actuel est incorrect."))
    set_password(user, new)


# --- profile -------------------------------------------------------------------------------


def update_profile(
    user: User,
    *,
    display_name: str,
    commune_id: int | None,
    locale: str,
    stats_consent: bool,
    age_bracket: str | None,
    gender: str | None,
    pcs: str | None,
) -> None:
    user.display_name = display_name.strip() or None
    user.commune_id = commune_id
    user.locale = locale
    if stats_consent:
        user.stats_consent_at = user.stats_consent_at or utcnow()
        user.age_bracket, user.gender, user.pcs = age_bracket or None, gender or None, pcs or None
    else:
        withdraw_statistics(user)


def withdraw_statistics(user: User) -> None:
    user.stats_consent_at = None
    user.age_bracket = user.gender = user.pcs = None


def clear_profile(user: User) -> None:
    user.display_name = None
    user.commune_id = None
    withdraw_statistics(user)


# --- personal data -------------------------------------------------------------------------


def export_personal_data(user: User) -> dict:
    def iso(value):
        return value.isoformat() if value else None

    notifications = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    )
    emails = db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.user_id == user.id).order_by(OutboxEmail.id)
    )
    return {
        "account": {
            "id": user.id,
            "email": user.email,
            "email_confirmed_at": iso(user.email_confirmed_at),
            "created_at": iso(user.created_at),
            "charter_accepted_at": iso(user.charter_accepted_at),
            "last_seen_at": iso(user.last_seen_at),
            "locale": user.locale,
            "roles": sorted(user.role_names),
        },
        "profile": {
            "display_name": user.display_name,
            "commune": user.commune.name if user.commune else None,
            "statistics_consent_at": iso(user.stats_consent_at),
            "age_bracket": user.age_bracket,
            "gender": user.gender,
            "socio_professional_category": user.pcs,
        },
        "notifications": [
            {
                "created_at": iso(n.created_at),
                "message": n.text_for(user),
                "link": n.link,
                "read_at": iso(n.read_at),
            }
            for n in notifications
        ],
        "emails": [
            {"created_at": iso(m.created_at), "subject": m.subject, "sent_at": iso(m.sent_at)}
            for m in emails
        ],
        **privacy.export_all(user),
    }


def erase_account(user: User) -> None:
    """Erase personal data in the caller's transaction; contributions and votes stay."""
    privacy.erase_all(user)
    db.session.execute(sa.delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(sa.delete(OutboxEmail).where(OutboxEmail.user_id == user.id))
    db.session.execute(sa.delete(MailItem).where(MailItem.user_id == user.id))
    db.session.execute(sa.delete(MailPreference).where(MailPreference.user_id == user.id))
    user.grants.clear()
    user.email = None
    user.password_hash = None
    user.email_confirmed_at = None
    clear_profile(user)
    user.last_seen_at = None
    user.deleted_at = utcnow()
    end_all_sessions(user)
    audit(None, "account.erased", "user", user.id)


def delete_own_account(user: User, password: str) -> None:
    if not verify_password(user.password_hash, password):
        raise AccountError(_l("Le mot de passe est incorrect."))
    erase_account(user)


# --- roles ---------------------------------------------------------------------------------


def _scope_detail(communes) -> list[str]:
    """A grant's scope in the audit log: INSEE codes, stable across renamings; [] for the
    whole territory."""
    return sorted(c.insee for c in communes)


def set_roles(
    actor: User | None,
    user: User,
    roles: set[str],
    scopes: dict[str, set[int]] | None = None,
    reason: str = "",
) -> None:
    """Grant exactly `roles`; `scopes` gives, per role, the ids of the communes it is held
    for (none or missing: the whole territory). Each change is in the audit log, scope
    included."""
    from civic.territory.models import Commune

    wanted = {r for r in roles if r in {g.value for g in GRANTABLE_ROLES}}
    if actor is not None and actor.id == user.id and Role.ADMIN.value not in wanted:
        raise AccountError(_l("Vous ne pouvez pas retirer votre propre rôle d'administrateur."))
    scopable = {r.value for r in SCOPABLE_ROLES}
    scopes = scopes or {}
    if any(scopes.get(role) for role in wanted - scopable):
        raise AccountError(_l("Ce rôle s'exerce sur tout le territoire, pas par commune."))
    current = {g.role: g for g in user.grants}
    actor_id = actor.id if actor is not None else None
    for role in sorted(wanted):
        ids = scopes.get(role) or set()
        communes = list(
            db.session.scalars(sa.select(Commune).where(Commune.id.in_(ids)).order_by(Commune.name))
        )
        if len(communes) != len(ids):
            raise AccountError(_l("Une commune choisie n'existe pas."))
        grant = current.get(role)
        if grant is None:
            user.grants.append(RoleGrant(role=role, granted_by_id=actor_id, communes=communes))
            audit(
                actor,
                "role.granted",
                "user",
                user.id,
                reason,
                role=role,
                communes=_scope_detail(communes),
            )
            if communes:
                message = _l(
                    "Le rôle « %(role)s » vous a été attribué pour : %(communes)s.",
                    role=Role(role).label,
                    communes=", ".join(c.name for c in communes),
                )
            else:
                message = _l("Le rôle « %(role)s » vous a été attribué.", role=Role(role).label)
            notify(user, message)
        elif {c.id for c in grant.communes} != ids:
            before = _scope_detail(grant.communes)
            grant.communes = communes
            audit(
                actor,
                "role.scope_changed",
                "user",
                user.id,
                reason,
                role=role,
                communes=_scope_detail(communes),
                before=before,
            )
    for role in sorted(current.keys() - wanted):
        audit(
            actor,
            "role.removed",
            "user",
            user.id,
            reason,
            role=role,
            communes=_scope_detail(current[role].communes),
        )
        user.grants.remove(current[role])
    db.session.flush()


# --- retention -----------------------------------------------------------------------------


def apply_retention(now=None) -> tuple[int, int]:
    """Warn, then erase, accounts unused for the configured time. Returns (warned, erased)."""
    now = now or utcnow()
    config = current_app.config
    limit = now - timedelta(days=config["CIVIC_RETENTION_DAYS"])
    notice = timedelta(days=config["CIVIC_RETENTION_WARNING_DAYS"])
    last_seen = sa.func.coalesce(User.last_seen_at, User.created_at)
    active = User.deleted_at.is_(None)
    warned = erased = 0
    for user in db.session.scalars(
        sa.select(User).where(
            active, last_seen < limit + notice, User.retention_warned_at.is_(None)
        )
    ):
        send_email(
            user,
            _l("Votre compte va être supprimé"),
            "retention_warning",
            days=notice.days,
            login_url=url_for("accounts.login", _external=True),
        )
        user.retention_warned_at = now
        warned += 1
    for user in db.session.scalars(
        sa.select(User).where(active, last_seen < limit, User.retention_warned_at <= now - notice)
    ):
        erase_account(user)
        erased += 1
    db.session.flush()
    return warned, erased
