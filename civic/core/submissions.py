"""Idempotent submissions: a double click, a retried request or a flaky connection makes one
item, and the repeated request gets the first one's answer.

Each create form carries a one-time key (`{{ submission_key() }}`, a hidden field). The first
POST with a key claims it by inserting a `Submission` row in the same transaction as the item
the view creates: the view's single commit makes both, a rollback (a refused form) releases the
key. A concurrent request with the same key waits on the unique index (PostgreSQL) or on the
write lock (SQLite), then finds the row and answers with the stored response: the redirect to
the item, or the htmx fragment the first request showed.
"""

import hashlib
import logging
import re
import secrets
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, Response, abort, flash, g, has_request_context, request, session
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from civic.core.inputs import Refused
from civic.core.models import Submission, utcnow
from civic.extensions import db

log = logging.getLogger(__name__)

FIELD = "submission_key"
KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
# How long a repeated request waits for the first one to answer (it is usually milliseconds).
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.05
# Keys are kept long enough to absorb any retry; older ones are deleted as new ones come.
KEPT = timedelta(days=2)
# What of the first answer is replayed: its redirect, and what htmx reads.
REPLAYED_HEADERS = ("Content-Type", "Location", "HX-Redirect", "HX-Location", "HX-Trigger")


def submission_key() -> Markup:
    """The hidden field of a create form: a new key at each rendering."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        FIELD, secrets.token_urlsafe(24)
    )


def _digest(key: str) -> str:
    # Who sends it: the account, or the anonymous session (its CSRF secret is per session).
    if current_user.is_authenticated:
        owner = f"user:{current_user.id}"
    else:
        owner = "session:" + str(session.get("csrf_token", ""))
    return hashlib.sha256(f"{owner}\n{request.path}\n{key}".encode()).hexdigest()


def claim():
    """before_request: claim the form's key, or answer with the result of the request that
    claimed it first."""
    if request.method != "POST" or FIELD not in request.form:
        return None
    key = request.form[FIELD]
    if not KEY.fullmatch(key):
        raise Refused(_("Le formulaire est incomplet. Rechargez la page, puis renvoyez-le."))
    digest = _digest(key)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        row = db.session.scalar(sa.select(Submission).where(Submission.digest == digest))
        if row is None:
            try:
                with db.session.begin_nested():
                    db.session.add(Submission(digest=digest))
            except IntegrityError:
                continue  # a concurrent request claimed it and committed meanwhile
            g.submission = {"digest": digest, "state": "claimed"}
            return None
        if row.status is not None:
            return _replay(row)
        # The first request has not answered yet: end this transaction (SQLite's write lock
        # would keep it from finishing), wait, look again.
        db.session.rollback()
        time.sleep(POLL_SECONDS)
    abort(409)


def _replay(row: Submission) -> Response:
    db.session.rollback()
    headers = row.headers or {}
    response = Response(row.body or "", status=row.status, headers=headers)
    if row.location and not request.headers.get("HX-Request"):
        flash(_("Votre envoi avait déjà été reçu : il n'est enregistré qu'une fois."), "info")
    return response


def record(response: Response) -> Response:
    """after_request: keep the first request's answer with its key, once the view committed
    the key with the item; a refusal after a commit releases the key."""
    claimed = g.pop("submission", None)
    if claimed and claimed["state"] == "claimed":
        # The view committed nothing: what it flushed, the key with it, is dropped now (the
        # session's teardown would do it too, unless the app context outlives the request).
        db.session.rollback()
    if not claimed or claimed["state"] != "committed":
        return response
    session_ = db.session()
    if session_.new or session_.dirty or session_.deleted:
        return response  # left uncommitted by the view: never commit it from here
    row = session_.scalar(sa.select(Submission).where(Submission.digest == claimed["digest"]))
    if row is None:
        return response
    if response.status_code >= 400 or response.is_streamed:
        session_.delete(row)
    else:
        row.status = response.status_code
        row.location = response.headers.get("Location")
        row.headers = {k: response.headers[k] for k in REPLAYED_HEADERS if k in response.headers}
        row.body = None if 300 <= response.status_code < 400 else response.get_data(as_text=True)
    session_.execute(sa.delete(Submission).where(Submission.created_at < utcnow() - KEPT))
    try:
        session_.commit()
    except SQLAlchemyError:
        # The item is saved; only a repeat of this request would now wait, then get a 409.
        log.warning("could not record a submission's answer", exc_info=True)
        session_.rollback()
    return response


def _after_commit(session_: Session) -> None:
    claimed = g.get("submission") if has_request_context() else None
    if claimed and claimed["state"] == "claimed":
        claimed["state"] = "committed"


def _after_rollback(session_: Session, previous_transaction) -> None:
    claimed = g.get("submission") if has_request_context() else None
    # Only the request's transaction: a savepoint rolled back inside it keeps the key.
    if claimed and claimed["state"] == "claimed" and previous_transaction.parent is None:
        claimed["state"] = "released"


def register(app: Flask) -> None:
    app.before_request(claim)
    app.after_request(record)
    app.jinja_env.globals["submission_key"] = submission_key
    for name, listener in (
        ("after_commit", _after_commit),
        ("after_soft_rollback", _after_rollback),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
