"""Rate limits shared by the packages: per address, per account, stricter for new accounts."""

from datetime import timedelta

from flask import current_app
from flask_login import current_user

from civic.core.models import utcnow
from civic.extensions import limiter


def _config(key: str):
    return lambda: current_app.config[key]


def _user_key() -> str:
    return f"user:{current_user.get_id()}" if current_user.is_authenticated else "anonymous"


def _is_established() -> bool:
    """Accounts older than a day are not subject to the new-account limit."""
    return not current_user.is_authenticated or (
        current_user.created_at < utcnow() - timedelta(days=1)
    )


def per_address(config_key: str, **options):
    options.setdefault("methods", ["POST"])
    return limiter.limit(_config(config_key), **options)


def per_account(config_key: str, **options):
    return limiter.limit(_config(config_key), methods=["POST"], key_func=_user_key, **options)


def posting(view):
    """Publishing content: per address, per account, and further for first-day accounts."""
    view = per_address("CIVIC_POST_LIMIT")(view)
    view = per_account("CIVIC_POST_LIMIT")(view)
    return per_account(
        "CIVIC_NEW_ACCOUNT_POST_LIMIT", exempt_when=_is_established, scope="new-account"
    )(view)
