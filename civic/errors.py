"""Error pages in the site's look, as full pages or htmx fragments."""

import errno
import logging
import sqlite3

from flask import Flask, g
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from civic.core.htmx import render_page_or_block
from civic.core.inputs import Refused
from civic.extensions import db, login_manager

log = logging.getLogger(__name__)

MESSAGES = {
    400: (
        _l("Requête incorrecte"),
        _l("La demande envoyée n'a pas pu être comprise. Revenez en arrière et réessayez."),
    ),
    403: (
        _l("Accès refusé"),
        _l("Vous n'avez pas l'autorisation d'accéder à cette page ou de faire cette action."),
    ),
    404: (
        _l("Page introuvable"),
        _l(
            "Cette page n'existe pas ou n'existe plus. Vérifiez l'adresse, ou repartez de "
            "l'accueil."
        ),
    ),
    405: (_l("Action non permise"), _l("Cette adresse ne permet pas cette action.")),
    409: (
        _l("Envoi déjà reçu"),
        _l(
            "Ce formulaire a déjà été envoyé et son enregistrement est en cours. Rechargez la "
            "page dans un instant : il ne sera enregistré qu'une fois."
        ),
    ),
    413: (
        _l("Fichier trop volumineux"),
        _l("Le fichier envoyé dépasse la taille permise. Choisissez un fichier plus petit."),
    ),
    429: (
        _l("Trop de tentatives"),
        _l(
            "Vous avez fait trop de tentatives en peu de temps. Patientez quelques minutes "
            "puis réessayez."
        ),
    ),
    500: (
        _l("Erreur du serveur"),
        _l(
            "Une erreur inattendue s'est produite. Elle a été enregistrée ; réessayez dans "
            "un instant."
        ),
    ),
    503: (
        _l("Service momentanément indisponible"),
        _l(
            "La plateforme ne peut pas joindre sa base de données. Réessayez dans quelques "
            "instants : rien de ce que vous avez déjà enregistré n'est perdu."
        ),
    ),
    507: (
        _l("Espace de stockage plein"),
        _l(
            "Le serveur n'a plus d'espace de stockage : votre dernière action n'a pas été "
            "enregistrée, mais rien de ce qui l'était déjà n'est perdu. Réessayez plus tard."
        ),
    ),
}


def render_error(status: int, detail: str | None = None, typed=()):
    title, message = MESSAGES.get(status, MESSAGES[500])
    html = render_page_or_block(
        "errors/error.html",
        "content",
        status=status,
        title=title,
        message=detail or message,
        typed=typed,
    )
    return html, status


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.response is not None:  # a prepared response, e.g. the login redirect
            return error.response
        db.session.rollback()
        if isinstance(error, Refused):
            return render_error(400, error.detail, error.typed)
        status = error.code if error.code in MESSAGES else 400 if error.code < 500 else 500
        return render_error(status)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        db.session.rollback()
        return render_error(
            400,
            str(
                _l(
                    "Le formulaire a expiré ou ne vient pas de ce site. Rechargez la page, puis "
                    "renvoyez-le."
                )
            ),
        )

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_down(error: OperationalError):
        if is_disk_full(error):
            return disk_full(error)
        log.error("database unavailable: %s", type(error.orig).__name__)
        _safe_rollback()
        # The page must render without the database: no user to load.
        g._login_user = login_manager.anonymous_user()
        return render_error(503)

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        if is_disk_full(error):
            return disk_full(error)
        log.exception("unhandled error")
        _safe_rollback()
        return render_error(500)


# SQLite's SQLITE_FULL, PostgreSQL's disk_full class (53100), a file write's ENOSPC or EDQUOT.
SQLITE_FULL = getattr(sqlite3, "SQLITE_FULL", 13)
PG_DISK_FULL = "53100"
NO_SPACE = {errno.ENOSPC, errno.EDQUOT}


def is_disk_full(error: BaseException) -> bool:
    """Whether a write failed because the disk (of the database or of the uploads) is full."""
    cause = getattr(error, "orig", None) or error
    if isinstance(cause, OSError) and cause.errno in NO_SPACE:
        return True
    if isinstance(cause, sqlite3.Error):
        code = getattr(cause, "sqlite_errorcode", None)
        return code == SQLITE_FULL if code is not None else "disk is full" in str(cause)
    return getattr(cause, "sqlstate", None) == PG_DISK_FULL


def disk_full(error: BaseException):
    """507 and a page that says what happened: nothing was written, nothing is lost. The
    database is still readable, so the page keeps the visitor's session."""
    cause = getattr(error, "orig", None) or error
    first_line = (str(cause).splitlines() or [""])[0]
    log.error("no space left on disk: %s: %s", type(cause).__name__, first_line)
    _safe_rollback()
    return render_error(507)


def _safe_rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection itself may be gone; the pool will replace it
        log.warning("rollback failed", exc_info=True)
