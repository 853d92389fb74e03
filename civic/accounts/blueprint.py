from flask import Blueprint

from civic.accounts import permissions  # noqa: F401  (registers the rules)
from civic.accounts import views as v
from civic.core.permissions import route

bp = Blueprint("accounts", __name__)
GET_POST = {"methods": ["GET", "POST"]}
POST = {"methods": ["POST"]}

route(bp, "/compte/inscription", v.register, "accounts.anonymous_forms", **GET_POST)
route(bp, "/compte/verifiez-vos-courriels", v.check_email, "accounts.anonymous_forms")
route(bp, "/compte/confirmation/<token>", v.confirm_email, "accounts.anonymous_forms", **GET_POST)
route(bp, "/compte/confirmation", v.resend_confirmation, "accounts.anonymous_forms", **GET_POST)
route(bp, "/compte/connexion", v.login, "accounts.anonymous_forms", **GET_POST)
route(bp, "/compte/deconnexion", v.logout, "accounts.own_account", **POST)
route(bp, "/compte/mot-de-passe-oublie", v.forgot_password, "accounts.anonymous_forms", **GET_POST)
route(bp, "/compte/mot-de-passe/<token>", v.reset_password, "accounts.anonymous_forms", **GET_POST)
route(bp, "/compte/profil", v.profile, "accounts.own_account", **GET_POST)
route(bp, "/compte/profil/effacer", v.clear_profile, "accounts.own_account", **POST)
route(bp, "/compte/mot-de-passe", v.change_password, "accounts.own_account", **GET_POST)
route(bp, "/compte/donnees", v.personal_data, "accounts.own_account")
route(bp, "/compte/donnees.json", v.export_data, "accounts.own_account")
route(bp, "/compte/suppression", v.delete_account, "accounts.own_account", **GET_POST)
route(bp, "/compte/notifications", v.notifications, "accounts.own_account")
route(bp, "/compte/courriels", v.mail_preferences, "accounts.own_account", **GET_POST)
route(bp, "/courriels/desabonnement/<token>", v.unsubscribe, "accounts.unsubscribe", **GET_POST)
route(bp, "/compte/notifications/lues", v.mark_notifications_read, "accounts.own_account", **POST)
route(bp, "/gestion/utilisateurs", v.users, "accounts.manage_users")
route(bp, "/gestion/utilisateurs/<int:user_id>", v.edit_user, "accounts.manage_users", **GET_POST)
route(bp, "/gestion/journal", v.audit_log, "accounts.read_audit_log")
route(bp, "/gestion/courriels", v.outbox, "accounts.read_outbox")
route(bp, "/gestion/courriels/<int:email_id>", v.outbox_email, "accounts.read_outbox")


@bp.app_template_filter("role_label")
def role_label(value: str) -> str:
    from civic.accounts.models import Role

    return str(Role(value).label)
