"""Thin views: load, check, call a service, commit once, render or redirect."""

import hashlib
import hmac
import json

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import joinedload

from civic.accounts import queries, services
from civic.accounts.forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    EmailForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    mail_preferences_form,
    roles_form,
)
from civic.accounts.models import GRANTABLE_ROLES, SCOPABLE_ROLES, Role, User
from civic.core import formatting, limits, notify, privacy
from civic.core.htmx import redirect_303, render_page_or_block
from civic.core.inputs import strict_int
from civic.core.models import utcnow
from civic.core.notify import Notification, OutboxEmail
from civic.core.pagination import page_arg
from civic.core.permissions import require
from civic.core.security import safe_next, start_session_clock
from civic.extensions import csrf, db, login_manager
from civic.territory.queries import commune_choices


def _email_key() -> str:
    """The e-mail typed, as a keyed hash: the limiter logs its keys and keeps them in Redis,
    where an address would be personal data."""
    email = services.normalise_email(request.form.get("email", ""))
    secret = current_app.config["SECRET_KEY"].encode()
    return "email:" + hmac.new(secret, email.encode(), hashlib.sha256).hexdigest()[:32]


def _limit_per_email(config_key: str):
    """A second limit keyed on the e-mail typed, against attacks spread over many addresses."""
    return limits.per_address(config_key, key_func=_email_key)


def _start_session(user: User) -> None:
    session.clear()
    login_user(user)
    start_session_clock()
    session["lang"] = user.locale


def _invalid(template: str, **context):
    return render_template(template, **context), 422


# --- registration --------------------------------------------------------------------------


@limits.per_address("CIVIC_SIGNUP_LIMIT")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        services.register(
            form.email.data,
            form.password.data,
            form.display_name.data or "",
            locale=session.get("lang", "fr"),
        )
        db.session.commit()
        return redirect_303("accounts.check_email")
    if form.is_submitted():
        return _invalid("accounts/register.html", form=form)
    return render_template("accounts/register.html", form=form)


def check_email():
    return render_template("accounts/check_email.html")


def confirm_email(token: str):
    if request.method == "GET":
        # The link only shows a button: mail scanners that follow links confirm nothing.
        return render_template("accounts/confirm.html", token=token, form=EmailForm())
    user = services.confirm_email(token)
    if user is None:
        db.session.rollback()
        flash(
            _("Ce lien de confirmation n'est pas valide ou a expiré. Demandez-en un nouveau."),
            "error",
        )
        return redirect_303("accounts.resend_confirmation")
    db.session.commit()
    # The link proved the address: the person is signed in, as they expect after signing up.
    _start_session(user)
    flash(_("Votre adresse e-mail est confirmée : vous êtes connecté."), "success")
    return redirect_303("pages.home")


@limits.per_address("CIVIC_RESET_LIMIT")
def resend_confirmation():
    form = EmailForm()
    if form.validate_on_submit():
        services.resend_confirmation(form.email.data)
        db.session.commit()
        return redirect_303("accounts.check_email")
    if form.is_submitted():
        return _invalid("accounts/resend.html", form=form)
    return render_template("accounts/resend.html", form=form)


# --- login / logout ------------------------------------------------------------------------


@limits.per_address("CIVIC_LOGIN_LIMIT")
@_limit_per_email("CIVIC_LOGIN_LIMIT")
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.UnconfirmedEmail as error:
            db.session.rollback()
            # Not a mistake in the password: said above the form, with the way out.
            return _invalid("accounts/login.html", form=form, unconfirmed=str(error))
        except services.AccountError as error:
            db.session.rollback()
            form.password.errors.append(str(error))
            return _invalid("accounts/login.html", form=form)
        db.session.commit()
        _start_session(user)
        flash(_("Vous êtes connecté."), "success")
        return redirect(safe_next(request.args.get("next")), code=303)
    if form.is_submitted():
        return _invalid("accounts/login.html", form=form)
    return render_template("accounts/login.html", form=form)


def logout():
    services.end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté."), "success")
    return redirect_303("pages.home")


# --- forgotten password --------------------------------------------------------------------


@limits.per_address("CIVIC_RESET_LIMIT")
@_limit_per_email("CIVIC_RESET_LIMIT")
def forgot_password():
    form = EmailForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            _(
                "Si un compte existe pour cette adresse, un lien de réinitialisation vient de "
                "lui être envoyé. Il est valable une heure."
            ),
            "success",
        )
        return redirect_303("accounts.login")
    if form.is_submitted():
        return _invalid("accounts/forgot.html", form=form)
    return render_template("accounts/forgot.html", form=form)


@limits.per_address("CIVIC_RESET_LIMIT")
def reset_password(token: str):
    user = services.user_for_reset_token(token)
    if user is None:
        flash(
            _(
                "Ce lien de réinitialisation n'est pas valide, a déjà servi ou a expiré. "
                "Demandez-en un nouveau."
            ),
            "error",
        )
        return redirect(url_for("accounts.forgot_password"), code=303)
    form = ResetPasswordForm()
    form.user_email = user.email
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        db.session.commit()
        flash(_("Votre mot de passe a été changé. Vous pouvez vous connecter."), "success")
        return redirect_303("accounts.login")
    if form.is_submitted():
        return _invalid("accounts/reset.html", form=form, token=token)
    return render_template("accounts/reset.html", form=form, token=token)


# --- own account ---------------------------------------------------------------------------


def _profile_form() -> ProfileForm:
    user = current_user
    form = ProfileForm(
        data=None
        if request.method == "POST"
        else {
            "display_name": user.display_name,
            "commune_id": str(user.commune_id or ""),
            "locale": user.locale,
            "stats_consent": user.stats_consent_at is not None,
            "age_bracket": user.age_bracket or "",
            "gender": user.gender or "",
            "pcs": user.pcs or "",
        }
    )
    form.commune_id.choices = [("", _("— Non précisée —"))] + [
        (str(cid), name) for cid, name in commune_choices()
    ]
    return form


def profile():
    form = _profile_form()
    if form.validate_on_submit():
        services.update_profile(
            current_user,
            display_name=form.display_name.data or "",
            commune_id=int(form.commune_id.data) if form.commune_id.data else None,
            locale=form.locale.data,
            stats_consent=form.stats_consent.data,
            age_bracket=form.age_bracket.data,
            gender=form.gender.data,
            pcs=form.pcs.data,
        )
        db.session.commit()
        session["lang"] = current_user.locale
        flash(_("Votre profil est enregistré."), "success")
        return redirect_303("accounts.profile")
    status = 422 if form.is_submitted() else 200
    return render_page_or_block("accounts/profile.html", "profile", form=form), status


def clear_profile():
    services.clear_profile(current_user)
    db.session.commit()
    flash(_("Les informations facultatives de votre profil ont été effacées."), "success")
    return redirect_303("accounts.profile")


def change_password():
    form = ChangePasswordForm()
    form.user_email = current_user.email
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except services.AccountError as error:
            db.session.rollback()
            form.current_password.errors.append(str(error))
            return _invalid("accounts/change_password.html", form=form)
        db.session.commit()
        _start_session(
            current_user._get_current_object()
        )  # this browser stays logged in, the others are not
        flash(_("Votre mot de passe a été changé. Vos autres sessions sont fermées."), "success")
        return redirect_303("accounts.profile")
    if form.is_submitted():
        return _invalid("accounts/change_password.html", form=form)
    return render_template("accounts/change_password.html", form=form)


def personal_data():
    raw = services.export_personal_data(current_user)
    data = privacy.readable(raw)
    if "account" in data:
        # In words for the person: their language and roles by name, and "Compte créé le"
        # rather than a bare "Date" (the JSON file keeps the codes and keys).
        account = data["account"]
        languages = {"fr": "Français", "en": "English"}
        account["locale"] = languages.get(raw["account"]["locale"], account["locale"])
        account["roles"] = ", ".join(str(Role(r).label) for r in raw["account"]["roles"])
        data["account"] = {
            ("registered_at" if key == "created_at" else key): value
            for key, value in account.items()
        }
    return render_template("accounts/personal_data.html", data=data, labels=privacy.LABELS)


def export_data():
    payload = json.dumps(services.export_personal_data(current_user), ensure_ascii=False, indent=2)
    return Response(
        payload,
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=civic-mes-donnees.json"},
    )


def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_own_account(current_user, form.password.data)
        except services.AccountError as error:
            db.session.rollback()
            form.password.errors.append(str(error))
            return _invalid("accounts/delete.html", form=form)
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("Votre compte et vos données personnelles ont été supprimés."), "success")
        return redirect_303("pages.home")
    if form.is_submitted():
        return _invalid("accounts/delete.html", form=form)
    return render_template("accounts/delete.html", form=form)


def notifications():
    page = queries.notifications(current_user, page_arg())
    return render_page_or_block("accounts/notifications.html", "list", page=page)


def _mail_kinds(user) -> list[str]:
    return [k for k in notify.KINDS if k != "moderators" or user.has_role("moderator")]


def mail_preferences():
    kinds = _mail_kinds(current_user)
    chosen = notify.preferences(current_user)
    form = mail_preferences_form(kinds, data={k: chosen[k] for k in kinds})
    if form.validate_on_submit():
        notify.set_preferences(current_user, {k: getattr(form, k).data for k in kinds})
        db.session.commit()
        flash(_("Vos choix d'e-mails sont enregistrés."), "success")
        return redirect_303("accounts.mail_preferences")
    return render_template("accounts/mail_preferences.html", form=form, kinds=kinds)


@csrf.exempt  # the signed link is the proof; mail clients post it without a page (RFC 8058)
def unsubscribe(token: str):
    found = notify.read_unsubscribe_token(token)
    user = db.session.get(User, found[0]) if found else None
    if user is None or user.deleted_at is not None:
        return render_template("accounts/unsubscribe.html", invalid=True), 404
    kind = found[1]
    label = notify.KINDS[kind] if kind in notify.KINDS else None
    if request.method == "POST":
        notify.unsubscribe(user, kind)
        db.session.commit()
        return render_template("accounts/unsubscribe.html", done=True, label=label)
    return render_template("accounts/unsubscribe.html", token=token, label=label)


def mark_notifications_read():
    db.session.execute(
        db.update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    return redirect_303("accounts.notifications")


# --- administration ------------------------------------------------------------------------


def users():
    q = request.args.get("q", "")[:200]
    role = request.args.get("role", "")
    if role and role not in {r.value for r in GRANTABLE_ROLES}:
        role = ""
    page = queries.search_users(q, page_arg(), role)
    return render_page_or_block(
        "accounts/admin/users.html", "results", page=page, q=q, role=role, roles=GRANTABLE_ROLES
    )


SCOPE_FIELDS = [f"scope_{r.value}" for r in SCOPABLE_ROLES]


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.is_deleted:
        abort(404)
    return user


def edit_user(user_id: int):
    user = _get_user(user_id)
    require("accounts.manage_users", user)
    data = {"roles": [g.role for g in user.grants]} | {
        f"scope_{g.role}": [c.id for c in g.communes] for g in user.grants
    }
    form = roles_form(commune_choices(), data=None if request.method == "POST" else data)
    form.roles.choices = [(r.value, r.label) for r in GRANTABLE_ROLES]
    if form.validate_on_submit():
        scopes = {r.value: set(form[f"scope_{r.value}"].data or []) for r in SCOPABLE_ROLES}
        try:
            services.set_roles(current_user, user, set(form.roles.data or []), scopes)
        except services.AccountError as error:
            db.session.rollback()
            form.roles.errors.append(str(error))
            return render_page_or_block(
                "accounts/admin/user.html", "roles", user=user, form=form, scope_fields=SCOPE_FIELDS
            ), 422
        db.session.commit()
        flash(
            formatting.gettext("Les rôles de %(name)s sont enregistrés.", name=user.public_name),
            "success",
        )
        return redirect_303("accounts.edit_user", user_id=user.id)
    return render_page_or_block(
        "accounts/admin/user.html", "roles", user=user, form=form, scope_fields=SCOPE_FIELDS
    )


def audit_log():
    return render_page_or_block(
        "accounts/admin/audit.html", "list", page=queries.audit_events(page_arg())
    )


def outbox():
    return render_page_or_block(
        "accounts/admin/outbox.html", "list", page=queries.outbox(page_arg())
    )


def outbox_email(email_id: int):
    mail = db.session.get(OutboxEmail, email_id) or abort(404)
    return render_template("accounts/admin/outbox_email.html", mail=mail)


# --- Flask-Login wiring --------------------------------------------------------------------


@login_manager.user_loader
def load_user(token: str) -> User | None:
    user_id, _sep, version = token.partition(":")
    user_id, version = strict_int(user_id), strict_int(version)
    if user_id is None or version is None:
        return None
    # Roles joined: every page asks for them, and a second query costs a round trip.
    user = db.session.get(User, user_id, options=[joinedload(User.grants)])
    if user is None or user.is_deleted or user.session_version != version:
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    flash(_("Connectez-vous pour accéder à cette page."), "info")
    target = url_for("accounts.login", next=request.full_path.rstrip("?"))
    if getattr(request, "htmx", None):
        return Response(status=401, headers={"HX-Redirect": target})
    return redirect(target)
