"""Notifications, the e-mail outbox (kept, or sent over real SMTP), and background jobs."""

import socketserver
import threading

import pytest
import sqlalchemy as sa

from civic.core import jobs
from civic.core.notify import Notification, OutboxEmail, deliver, notify, send_email


class SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to receive one message, for a real socket round trip."""

    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        self.reply("220 test ESMTP")
        while line := self.rfile.readline().decode():
            command = line.strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 test")
            elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                self.reply("250 ok")
            elif command == "DATA":
                self.reply("354 go ahead")
                body = []
                while (data := self.rfile.readline().decode()) not in (".\r\n", ""):
                    body.append(data)
                self.server.messages.append("".join(body))
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 unknown")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SMTPHandler)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_notification_and_email_kept_without_smtp(make_user, db, app):
    user = make_user(email="claire@example.org")
    with app.test_request_context():
        notify(user, "Votre proposition a reçu une réponse", "/x")
        mail = send_email(user, "Objet", "confirm", url="http://civic.test/lien")
    db.session.commit()
    assert (
        db.session.scalar(sa.select(Notification.message)) == "Votre proposition a reçu une réponse"
    )
    assert mail.sent_at is None and "http://civic.test/lien" in mail.body
    assert mail.to_address == "claire@example.org"


def test_email_rendered_in_the_recipients_language(make_user, app):
    user = make_user(locale="en")
    with app.test_request_context():
        mail = send_email(user, "Subject", "confirm", url="http://civic.test/l")
    assert "Hello" in mail.body and "Bonjour" not in mail.body


def test_delivery_over_smtp(make_user, db, app, smtp_server):
    user = make_user(email="dest@example.org")
    app.config.update(
        CIVIC_MAIL_SERVER="127.0.0.1",
        CIVIC_MAIL_PORT=smtp_server.server_address[1],
        CIVIC_MAIL_STARTTLS=False,
    )
    try:
        with app.test_request_context():
            mail = send_email(user, "Confirmez", "confirm", url="http://civic.test/lien")
    finally:
        app.config.update(CIVIC_MAIL_SERVER=None, CIVIC_MAIL_PORT=587, CIVIC_MAIL_STARTTLS=True)
    assert mail.sent_at is not None and mail.attempts == 1
    assert len(smtp_server.messages) == 1
    assert "To: dest@example.org" in smtp_server.messages[0]
    assert "http://civic.test/lien" in smtp_server.messages[0]


def test_failed_delivery_is_kept_for_retry(make_user, app):
    user = make_user()
    app.config.update(CIVIC_MAIL_SERVER="127.0.0.1", CIVIC_MAIL_PORT=1, CIVIC_MAIL_STARTTLS=False)
    try:
        with app.test_request_context():
            mail = send_email(user, "Objet", "confirm", url="u")
            assert deliver(mail.id) is False
    finally:
        app.config.update(CIVIC_MAIL_SERVER=None, CIVIC_MAIL_PORT=587, CIVIC_MAIL_STARTTLS=True)
    assert mail.sent_at is None and mail.attempts == 2
    assert mail.last_error == "ConnectionRefusedError"


def record(user_id: int, message: str) -> str:
    """A job for the tests below."""
    from civic.extensions import db

    db.session.add(Notification(user_id=user_id, message=message))
    return message


def test_inline_job_runs_in_the_callers_transaction(make_user, db):
    user = make_user()
    jobs.enqueue("tests.unit.test_jobs_notify.record", user.id, "inline")
    assert db.session.scalar(sa.select(Notification.message)) == "inline"


def test_rq_job_is_queued_after_commit_and_run_by_a_worker(make_user, db, app, redis_url):
    from rq import SimpleWorker

    user = make_user()
    app.config["CIVIC_REDIS_URL"] = redis_url
    try:
        jobs.enqueue("tests.unit.test_jobs_notify.record", user.id, "queued")
        assert jobs.queue().count == 0  # nothing is pushed before the commit
        db.session.commit()
        queue = jobs.queue()
        assert queue.count == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0
        worker = SimpleWorker([queue], connection=queue.connection)
        assert worker.work(burst=True)
    finally:
        app.config["CIVIC_REDIS_URL"] = None
    messages = db.session.scalars(sa.select(Notification.message)).all()
    assert messages == ["queued"]


def test_rolled_back_jobs_are_not_queued(make_user, db, app, redis_url):
    user = make_user()
    app.config["CIVIC_REDIS_URL"] = redis_url
    try:
        jobs.enqueue("tests.unit.test_jobs_notify.record", user.id, "never")
        db.session.rollback()
        db.session.commit()
        assert jobs.queue().count == 0
    finally:
        app.config["CIVIC_REDIS_URL"] = None


def test_redis_down_runs_jobs_in_the_request(make_user, db, app, caplog):
    user = make_user()
    app.config["CIVIC_REDIS_URL"] = "redis://127.0.0.1:1/0"
    try:
        with app.test_request_context():
            send_email(user, "Objet", "confirm", url="u")
            jobs.enqueue("tests.unit.test_jobs_notify.record", user.id, "not lost")
        db.session.commit()
    finally:
        app.config["CIVIC_REDIS_URL"] = None
    assert "job queue unreachable" in caplog.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 1
    assert db.session.scalars(sa.select(Notification.message)).all() == ["not lost"]
