"""Settings read from CIVIC_* environment variables, with safe defaults."""

import os
from datetime import timedelta
from pathlib import Path


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def load(instance_path: str) -> dict:
    """Build the Flask config mapping from the environment."""
    env = os.environ.get("CIVIC_ENV", "development")
    development = env == "development"
    database_url = os.environ.get(
        "CIVIC_DATABASE_URL", "sqlite:///" + str(Path(instance_path) / "civic.sqlite")
    )
    redis_url = os.environ.get("CIVIC_REDIS_URL") or None
    secret = os.environ.get("CIVIC_SECRET_KEY")
    if not secret:
        if not development:
            raise RuntimeError("CIVIC_SECRET_KEY must be set outside development")
        secret = _development_secret(instance_path)
    return {
        "CIVIC_ENV": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_url),
        "CIVIC_REDIS_URL": redis_url,
        "CIVIC_BASE_URL": os.environ.get("CIVIC_BASE_URL", "http://127.0.0.1:5000"),
        # Number of reverse proxies in front of the app whose X-Forwarded-* we trust.
        "CIVIC_PROXY_COUNT": _int("CIVIC_PROXY_COUNT", 0),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not development,
        "CIVIC_HSTS": not development,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int("CIVIC_SESSION_ABSOLUTE_HOURS", 12)),
        "CIVIC_SESSION_IDLE_MINUTES": _int("CIVIC_SESSION_IDLE_MINUTES", 120),
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session (see LESSONS)
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": _bool("CIVIC_RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,  # Redis down: serve, do not limit
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # In development, one person switches between the demo roles many times an hour.
        "CIVIC_LOGIN_LIMIT": os.environ.get(
            "CIVIC_LOGIN_LIMIT", "300 per minute" if development else "10 per minute; 50 per hour"
        ),
        "CIVIC_SIGNUP_LIMIT": os.environ.get(
            "CIVIC_SIGNUP_LIMIT", "100 per hour" if development else "5 per hour"
        ),
        "CIVIC_RESET_LIMIT": os.environ.get(
            "CIVIC_RESET_LIMIT", "100 per hour" if development else "5 per hour"
        ),
        "CIVIC_TOKEN_MAX_AGE": _int("CIVIC_TOKEN_MAX_AGE", 3600 * 24),
        "CIVIC_RESET_MAX_AGE": _int("CIVIC_RESET_MAX_AGE", 3600),
        "CIVIC_MAIL_SERVER": os.environ.get("CIVIC_MAIL_SERVER") or None,
        "CIVIC_MAIL_PORT": _int("CIVIC_MAIL_PORT", 587),
        "CIVIC_MAIL_USERNAME": os.environ.get("CIVIC_MAIL_USERNAME") or None,
        "CIVIC_MAIL_PASSWORD": os.environ.get("CIVIC_MAIL_PASSWORD") or None,
        "CIVIC_MAIL_STARTTLS": _bool("CIVIC_MAIL_STARTTLS", True),
        # Each e-mail is also printed on the console that serves the site (development).
        "CIVIC_MAIL_ECHO": _bool("CIVIC_MAIL_ECHO", development),
        "CIVIC_MAIL_SENDER": os.environ.get(
            "CIVIC_MAIL_SENDER", "Civic <ne-pas-repondre@sicoval.fr>"
        ),
        "CIVIC_MODERATION_REPORT_THRESHOLD": _int("CIVIC_MODERATION_REPORT_THRESHOLD", 3),
        "CIVIC_MODERATION_QUEUE_ALERT": _int("CIVIC_MODERATION_QUEUE_ALERT", 20),
        "CIVIC_MODERATION_TARGET_HOURS": _int("CIVIC_MODERATION_TARGET_HOURS", 48),
        # Short everyday phrases that are never held as copies (";"-separated to replace them).
        "CIVIC_MODERATION_COMMON_PHRASES": _phrases(
            "CIVIC_MODERATION_COMMON_PHRASES",
            "Tout à fait d'accord;D'accord;Je suis d'accord;Entièrement d'accord;"
            "Pas d'accord;Je ne suis pas d'accord;Bonne idée;Très bonne idée;Excellente idée;"
            "Je soutiens;Je soutiens cette proposition;Merci;Merci pour cette proposition;"
            "Oui;Non;Idem;Bravo;+1",
        ),
        "CIVIC_POST_LIMIT": os.environ.get("CIVIC_POST_LIMIT", "20 per hour; 100 per day"),
        "CIVIC_NEW_ACCOUNT_POST_LIMIT": os.environ.get(
            "CIVIC_NEW_ACCOUNT_POST_LIMIT", "5 per hour"
        ),
        "CIVIC_REPORT_LIMIT": os.environ.get("CIVIC_REPORT_LIMIT", "20 per hour"),
        "CIVIC_MAX_LINKS": _int("CIVIC_MAX_LINKS", 2),
        "CIVIC_RATING_LIMIT": os.environ.get("CIVIC_RATING_LIMIT", "10 per hour"),
        "CIVIC_RATING_BURST_MIN": _int("CIVIC_RATING_BURST_MIN", 20),
        "CIVIC_RATING_BURST_FACTOR": _int("CIVIC_RATING_BURST_FACTOR", 10),
        "CIVIC_API_LIMIT": os.environ.get("CIVIC_API_LIMIT", "600 per hour"),
        "CIVIC_RETENTION_DAYS": _int("CIVIC_RETENTION_DAYS", 3 * 365),
        "CIVIC_RETENTION_WARNING_DAYS": _int("CIVIC_RETENTION_WARNING_DAYS", 30),
        # The assistant: the answer delay promised for a request, how long an answered
        # request keeps its personal data, and how long typed questions are kept.
        "CIVIC_ASSISTANT_LIMIT": os.environ.get("CIVIC_ASSISTANT_LIMIT", "60 per minute"),
        "CIVIC_ASSISTANT_TARGET_DAYS": _int("CIVIC_ASSISTANT_TARGET_DAYS", 10),
        "CIVIC_ASSISTANT_RETENTION_DAYS": _int("CIVIC_ASSISTANT_RETENTION_DAYS", 365),
        "CIVIC_ASSISTANT_QUESTIONS_DAYS": _int("CIVIC_ASSISTANT_QUESTIONS_DAYS", 180),
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "CIVIC_LANGUAGES": ("fr", "en"),
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        # The authority that runs the site (see civic/core/identity.py); the demo's is the Sicoval.
        "CIVIC_AUTHORITY_NAME": os.environ.get("CIVIC_AUTHORITY_NAME", "Sicoval"),
        "CIVIC_AUTHORITY_ARTICLE": os.environ.get("CIVIC_AUTHORITY_ARTICLE", "le"),
        "CIVIC_AUTHORITY_LONG_NAME": os.environ.get(
            "CIVIC_AUTHORITY_LONG_NAME", "Communauté d'agglomération du Sicoval"
        ),
        "CIVIC_AUTHORITY_LOGO": os.environ.get("CIVIC_AUTHORITY_LOGO", "img/sicoval-wordmark.svg"),
        "CIVIC_AUTHORITY_COLOUR": os.environ.get("CIVIC_AUTHORITY_COLOUR", "#0b5e3c"),
        "CIVIC_AUTHORITY_COLOUR_DARK": os.environ.get("CIVIC_AUTHORITY_COLOUR_DARK", "#07402a"),
        "CIVIC_AUTHORITY_PHONE": os.environ.get("CIVIC_AUTHORITY_PHONE", "05 62 24 02 02"),
        "CIVIC_AUTHORITY_ADDRESS": os.environ.get(
            "CIVIC_AUTHORITY_ADDRESS", "65 rue du Chêne Vert / 31670 Labège"
        ),
        "CIVIC_AUTHORITY_WEBSITE": os.environ.get(
            "CIVIC_AUTHORITY_WEBSITE", "https://www.sicoval.fr"
        ),
        "CIVIC_AUTHORITY_SIREN": os.environ.get("CIVIC_AUTHORITY_SIREN", "243 100 633"),
        "CIVIC_UPLOAD_DIR": os.environ.get(
            "CIVIC_UPLOAD_DIR", str(Path(instance_path) / "uploads")
        ),
        # The deployment's territory, read by `flask civic territory load` when it is given
        # no file: GeoJSON paths separated by the system's path separator (":" on Linux),
        # the filters, and a postcode file. Empty: the demo's communes.
        "CIVIC_TERRITORY_FILES": os.environ.get("CIVIC_TERRITORY_FILES", ""),
        "CIVIC_TERRITORY_EPCI": os.environ.get("CIVIC_TERRITORY_EPCI", ""),
        "CIVIC_TERRITORY_DEPARTEMENT": os.environ.get("CIVIC_TERRITORY_DEPARTEMENT", ""),
        "CIVIC_TERRITORY_COMMUNES": os.environ.get("CIVIC_TERRITORY_COMMUNES", ""),
        "CIVIC_TERRITORY_POSTCODES": os.environ.get("CIVIC_TERRITORY_POSTCODES", ""),
    }


def _phrases(name: str, default: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in os.environ.get(name, default).split(";") if p.strip())


def _engine_options(url: str) -> dict:
    # Errors never quote the statement's parameters: they would put e-mail addresses,
    # password hashes and user texts in the logs.
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 15}, "hide_parameters": True}
    # pool_pre_ping lets the site recover alone when the database comes back
    return {
        "pool_pre_ping": True,
        "pool_size": 5,
        "max_overflow": 10,
        "pool_recycle": 1800,
        "hide_parameters": True,
    }


def _development_secret(instance_path: str) -> str:
    """A random key kept in instance/ so that development sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(os.urandom(32).hex())
        path.chmod(0o600)
    return path.read_text().strip()
