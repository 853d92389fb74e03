"""Engine settings that SQLite needs to behave under concurrent requests."""

from flask import Flask, has_request_context, request
from sqlalchemy import event

from civic.extensions import db


def configure(app: Flask) -> None:
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
    writes = has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")
