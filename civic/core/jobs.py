"""Background jobs: RQ on Redis when CIVIC_REDIS_URL is set, inline otherwise.

A job is named by its dotted path so that an RQ worker imports it; it runs inside an app
context. In RQ mode jobs are pushed only once the transaction that asked for them commits,
so that the worker sees the rows they need.
"""

import importlib
import logging

from flask import current_app, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from civic.extensions import db

log = logging.getLogger(__name__)
QUEUE_NAME = "civic"


def step(message: str) -> str:
    """Mark a job's step for translation and keep it in French: a job writes its progress in
    the database once, and each reader sees it in their own language (`step_label`)."""
    return message


def step_label(stored: str) -> str:
    from flask_babel import gettext

    return gettext(stored) if stored else ""


def _resolve(path: str):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def run_job(path: str, args: tuple = (), kwargs: dict | None = None):
    """Entry point of every job in an RQ worker: one transaction per job."""
    if not has_app_context():
        from civic import create_app

        with create_app().app_context():
            return run_job(path, args, kwargs)
    if not has_request_context():
        # Jobs build links (url_for) to the public site.
        with site_request_context():
            return run_job(path, args, kwargs)
    try:
        result = _resolve(path)(*args, **(kwargs or {}))
        db.session.commit()
        return result
    except Exception:
        db.session.rollback()
        raise
    finally:
        db.session.remove()


def site_request_context():
    """A request context on the public address, for work done outside any request."""
    return current_app.test_request_context(base_url=current_app.config["CIVIC_BASE_URL"])


def redis_connection():
    from redis import Redis

    # A short connect timeout: an unreachable Redis must not hold a request for long.
    return Redis.from_url(current_app.config["CIVIC_REDIS_URL"], socket_connect_timeout=1)


def queue():
    from rq import Queue

    return Queue(QUEUE_NAME, connection=redis_connection())


def _queue_reachable() -> bool:
    try:
        return bool(redis_connection().ping())
    except Exception:  # any Redis failure means: no queue
        log.warning("job queue unreachable: the job runs now, in the request")
        return False


def enqueue(path: str, *args, **kwargs) -> None:
    """Run `path(*args, **kwargs)` in the background, or now when there is no Redis or it is
    down (slower for the one request, but no notification or run is lost)."""
    if not current_app.config.get("CIVIC_REDIS_URL") or not _queue_reachable():
        # Inline: part of the caller's transaction, committed with it.
        _resolve(path)(*args, **kwargs)
        return
    pending = db.session.info.setdefault("civic_pending_jobs", [])
    pending.append((path, args, kwargs))


@event.listens_for(Session, "after_commit")
def _push_pending(session):
    pending = session.info.pop("civic_pending_jobs", None)
    if not pending:
        return
    try:
        q = queue()
        for path, args, kwargs in pending:
            q.enqueue(run_job, path, args, kwargs, job_timeout=3600)
    except Exception:  # Redis went down since the job was asked for: only logged
        log.warning("job queue unreachable, %d job(s) not queued", len(pending), exc_info=True)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session):
    session.info.pop("civic_pending_jobs", None)
