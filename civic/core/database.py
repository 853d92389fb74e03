"""How requests end their transaction, and the settings SQLite needs under concurrency."""

from flask import Flask, Response, has_request_context, request
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError

from civic.extensions import db

READS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure(app: Flask) -> None:
    app.after_request(_end_read)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        event.listen(db.engine, "connect", _sqlite_connect)
        event.listen(db.engine, "begin", _sqlite_begin)


def _sqlite_connect(dbapi_connection, connection_record) -> None:
    # Let SQLAlchemy emit BEGIN itself: pysqlite's own handling breaks savepoints.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while one writer writes; the timeout waits instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # A request that writes takes the write lock at once: under concurrency, a deferred
    # transaction that reads then writes fails with "database is locked" instead of waiting.
    writes = has_request_context() and request.method not in READS
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def _end_read(response: Response) -> Response:
    """A request that only read ends its transaction with COMMIT instead of the ROLLBACK of
    the session's teardown: the same for the data, but psycopg forgets every statement it
    prepared at each ROLLBACK, so that PostgreSQL would parse and plan each page's statements
    anew on every request (half a millisecond to a millisecond each). Anything left in the
    session (an object changed for display, say) is still rolled back, never written."""
    session = db.session()  # the request's session itself, not its scoped proxy
    if (
        request.method in READS
        and not response.is_streamed  # a streamed body reads on, in this transaction
        and session.in_transaction()
        and not (session.new or session.dirty or session.deleted)
    ):
        try:
            session.commit()
        except SQLAlchemyError:
            # The database went away after the page was read: the page is still good, and
            # the session's teardown gives the connection back.
            session.rollback()
    return response
