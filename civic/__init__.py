"""Civic: the participatory democracy platform of the Sicoval."""

import logging
from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_login import current_user
from htmx_flask import Htmx
from werkzeug.middleware.proxy_fix import ProxyFix

from civic import config as civic_config
from civic.extensions import babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def select_locale() -> str:
    if not has_request_context():
        return "fr"
    # The language chosen for this visit (the switch), then the account's, which is also the
    # language of its e-mails and changes only in the profile.
    if session.get("lang") in ("fr", "en"):
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.locale:
        return current_user.locale
    return request.accept_languages.best_match(["fr", "en"], default="fr")


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from civic.core import inputs

    inputs.install_converters(app)  # before any URL rule is added
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(civic_config.load(app.instance_path))
    if config:
        app.config.update(config)
        if "SQLALCHEMY_DATABASE_URI" in config and "SQLALCHEMY_ENGINE_OPTIONS" not in config:
            app.config["SQLALCHEMY_ENGINE_OPTIONS"] = civic_config._engine_options(
                config["SQLALCHEMY_DATABASE_URI"]
            )
    if app.config["CIVIC_PROXY_COUNT"]:
        n = app.config["CIVIC_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    _init_extensions(app)
    _register_blueprints(app)
    _register_hooks(app)
    from civic import errors

    errors.register(app)
    from civic.cli import civic_cli

    app.cli.add_command(civic_cli)
    return app


def _init_extensions(app: Flask) -> None:
    from civic.core import database

    db.init_app(app)
    database.configure(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "translations"),
    )
    csrf.init_app(app)
    limiter.init_app(app)
    Htmx(app)


def _register_blueprints(app: Flask) -> None:
    # The explicit list of features; no scanning of files.
    from civic.accounts.blueprint import bp as accounts
    from civic.analysis.blueprint import bp as analysis
    from civic.answers.blueprint import bp as answers
    from civic.assistant.blueprint import bp as assistant
    from civic.consultations.blueprint import bp as consultations
    from civic.documents.blueprint import bp as documents
    from civic.events.blueprint import bp as events
    from civic.moderation.blueprint import bp as moderation
    from civic.opendata.blueprint import bp as opendata
    from civic.pages.blueprint import bp as pages
    from civic.ratings.blueprint import bp as ratings
    from civic.territory.blueprint import bp as territory
    from civic.workshops.blueprint import bp as workshops

    for bp in (
        pages,
        accounts,
        consultations,
        moderation,
        analysis,
        answers,
        workshops,
        events,
        ratings,
        opendata,
        territory,
        assistant,
    ):
        app.register_blueprint(bp)
    app.register_blueprint(documents)


def _register_hooks(app: Flask) -> None:
    from civic.accounts.queries import unread_count
    from civic.core import htmx, inputs, jobs, permissions, security, submissions
    from civic.core.sanitize import safe_html

    inputs.register(app)  # first: nothing malformed reaches a view or the database
    app.before_request(security.enforce_session_lifetimes)
    app.before_request(permissions.guard_request)
    submissions.register(app)  # after the guard: a refused request claims no key
    app.after_request(security.set_headers)
    app.after_request(htmx.add_vary)

    @app.context_processor
    def template_helpers():
        def unread():
            return unread_count(current_user) if current_user.is_authenticated else 0

        return {
            "can": lambda action, obj=None: permissions.can(current_user, action, obj),
            "csp_nonce": security.csp_nonce,
            "current_locale": select_locale,
            "unread_notifications": unread,
        }

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["safe_html"] = safe_html
    app.jinja_env.globals["step_label"] = jobs.step_label
    from civic.core import caching, formatting, identity, printing

    formatting.register(app)
    identity.register(app)
    printing.register(app)
    caching.register(app)
