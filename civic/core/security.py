"""Security headers with a per-request CSP nonce, session lifetimes and cache rules."""

import secrets
import time
from urllib.parse import urlsplit

from flask import current_app, g, session, url_for
from flask_login import current_user, logout_user


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def enforce_session_lifetimes() -> None:
    """before_request: end sessions idle for too long or older than the absolute limit."""
    if not current_user.is_authenticated:
        return
    now = int(time.time())
    started = session.get("started_at", now)
    seen = session.get("seen_at", now)
    idle_limit = current_app.config["CIVIC_SESSION_IDLE_MINUTES"] * 60
    absolute_limit = current_app.permanent_session_lifetime.total_seconds()
    if now - seen > idle_limit or now - started > absolute_limit:
        logout_user()
        session.clear()
        return
    session.setdefault("started_at", now)
    # Writing the cookie on every request costs a Set-Cookie; once a minute is precise enough.
    if now - seen >= 60 or "seen_at" not in session:
        session["seen_at"] = now


def start_session_clock() -> None:
    """At login: both lifetimes count from now."""
    session["started_at"] = session["seen_at"] = int(time.time())


def set_headers(response):
    csp = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{csp_nonce()}'; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    headers = response.headers
    headers.setdefault("Content-Security-Policy", csp)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config["CIVIC_HSTS"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if current_user and current_user.is_authenticated:
        # Personal pages must not stay in shared computers' caches (counters, libraries).
        headers["Cache-Control"] = "no-store"
    return response


def safe_next(target: str | None) -> str:
    """A path on this site to go back to, never an open redirect."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return url_for("pages.home")
