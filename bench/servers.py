"""Private servers for the load and fault benches: PostgreSQL 15, Redis, gunicorn, an RQ worker.

Each bench starts its own servers on free ports under a temporary directory, so that it
never touches the machine's shared PostgreSQL (5432) and Redis (6379) that others test
against. Every server is a context manager that always stops what it started and removes
its files, also when the bench fails or is interrupted (SIGTERM is turned into SystemExit by
`exit_on_sigterm()`, so that the `finally` blocks run).

PostgreSQL: `initdb` as the postgres OS user (trust authentication, UTF-8), `pg_ctl start`
with a Unix socket in the temporary directory and TCP on 127.0.0.1 only; `stop()` with
`pg_ctl stop -m immediate` is a crash as far as the data are concerned (recovery at the
next start), `start()` starts it again on the same port and data.
Redis: `redis-server` with the machine's flags (`--save "" --appendonly no`); `stop()` is
`SHUTDOWN NOSAVE`, `start()` starts it again on the same port (empty).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_USER = "postgres"


class ServerError(RuntimeError):
    pass


def exit_on_sigterm() -> None:
    """SIGTERM (e.g. `timeout`, a CI runner) runs the `finally` blocks: servers stop."""

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def free_port(preferred: int | None = None) -> int:
    """`preferred` when nothing listens there, else one the kernel picks."""
    if preferred:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", preferred))
                return preferred
            except OSError:
                pass
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise ServerError(f"{what}: not ready after {timeout:.0f} s")


def _terminate(process: subprocess.Popen, timeout: float = 15) -> None:
    """Stop a process we started (its own session: it and its children), by its id."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) used so far by a process and all its descendants, living
    or reaped (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    parent, used = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parent[pid] = int(fields[1])
        # utime, stime, cutime, cstime
        used[pid] = sum(int(x) for x in fields[11:15]) / tick
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += used.get(pid, 0.0)
        todo += [child for child, p in parent.items() if p == pid]
    return total


# --- PostgreSQL ----------------------------------------------------------------------------


class Postgres:
    def __init__(self, directory: Path, port: int):
        self.directory = directory
        self.data = directory / "data"
        self.log = directory / "postgres.log"
        self.port = port
        self.database = "civic"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{self.database}"

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["runuser", "-u", PG_USER, "--", *args],
            cwd=self.directory,
            capture_output=True,
            text=True,
            check=check,
        )

    def init(self) -> None:
        uid, gid = pwd.getpwnam(PG_USER)[2:4]
        os.chown(self.directory, uid, gid)
        self._run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            PG_USER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",  # initdb only; the server itself keeps fsync on (votes must survive)
        )

    def start(self, timeout: float = 30) -> float:
        """Start (again); returns the seconds until it accepts connections."""
        started = time.perf_counter()
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c max_connections=200 -c shared_buffers=256MB"
        )
        result = self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            str(int(timeout)),
            "start",
            check=False,
        )
        if result.returncode != 0:
            raise ServerError(f"pg_ctl start failed: {result.stderr.strip()}\n{self.tail()}")
        return time.perf_counter() - started

    def stop(self, mode: str = "immediate") -> None:
        """`immediate`: the server dies at once, as in a crash (recovery at the next start)."""
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def is_running(self) -> bool:
        result = self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "status", check=False)
        return result.returncode == 0

    def create_database(self) -> None:
        import sqlalchemy as sa

        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(sa.text(f"CREATE DATABASE {self.database}"))
        finally:
            engine.dispose()

    def pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@contextlib.contextmanager
def postgres_server(preferred_port: int = 55432) -> Iterator[Postgres]:
    """A fresh PostgreSQL 15 cluster with an empty database `civic`, removed afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="civic-pg-"))
    server = Postgres(directory, free_port(preferred_port))
    try:
        server.init()
        server.start()
        server.create_database()
        yield server
    finally:
        with contextlib.suppress(Exception):
            if server.is_running():
                server.stop("fast")
        shutil.rmtree(directory, ignore_errors=True)


# --- Redis ---------------------------------------------------------------------------------


class Redis:
    def __init__(self, directory: Path, port: int):
        self.directory = directory
        self.port = port
        self.log = directory / "redis.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 15) -> float:
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
                "--logfile",
                str(self.log),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        _wait(self.ping, timeout, "redis-server")
        return time.perf_counter() - started

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        """SHUTDOWN NOSAVE, as an operator (or a crash) would stop it."""
        import redis

        with contextlib.suppress(redis.RedisError):
            redis.Redis(port=self.port, socket_timeout=2).shutdown(nosave=True)
        if self.process is not None:
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                _terminate(self.process)
            self.process = None


@contextlib.contextmanager
def redis_server(preferred_port: int = 56379) -> Iterator[Redis]:
    directory = Path(tempfile.mkdtemp(prefix="civic-redis-"))
    server = Redis(directory, free_port(preferred_port))
    try:
        server.start()
        yield server
    finally:
        with contextlib.suppress(Exception):
            server.stop()
        if server.process is not None:
            _terminate(server.process)
        shutil.rmtree(directory, ignore_errors=True)


# --- the application -----------------------------------------------------------------------


def app_environment(
    database_url: str, redis_url: str | None, base_url: str, **extra: str
) -> dict[str, str]:
    """The environment of a production instance (README, Production) on the given servers."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CIVIC_", "FLASK_", "RATELIMIT_"))
    }
    env.update(
        FLASK_APP="wsgi",
        CIVIC_ENV="production",
        CIVIC_SECRET_KEY=os.urandom(32).hex(),
        CIVIC_DATABASE_URL=database_url,
        CIVIC_BASE_URL=base_url,
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["CIVIC_REDIS_URL"] = redis_url
    env.update(extra)
    return env


def flask(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    """`flask ...` in a subprocess, as an operator types it; returns its output."""
    result = subprocess.run(
        [str(VENV_BIN / "flask"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise ServerError(f"flask {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


class Process:
    """A long-running process of ours (gunicorn, an RQ worker), its output in a log file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.args, self.env, self.log = args, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                self.args,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is not None:
            _terminate(self.process)

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""


def wait_http(url: str, timeout: float = 60, process: Process | None = None) -> None:
    def answers() -> bool:
        if process is not None and not process.alive():
            raise ServerError(f"{process.args[0]} exited:\n{process.log_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our server
                return response.status < 500
        except urllib.error.HTTPError as error:
            return error.code < 500
        except OSError:
            return False

    _wait(answers, timeout, url)


@contextlib.contextmanager
def gunicorn_server(
    env: dict[str, str], port: int, log: Path, workers: int = 4, timeout: int = 30
) -> Iterator[Process]:
    """`gunicorn --workers N --bind 127.0.0.1:PORT wsgi:app`, as in the README."""
    server = Process(
        [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            str(timeout),
            "--no-control-socket",  # its default path is shared by every gunicorn of the host
            "wsgi:app",
        ],
        env,
        log,
    )
    server.start()
    try:
        wait_http(f"http://127.0.0.1:{port}/", process=server)
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def rq_worker(env: dict[str, str], log: Path) -> Iterator[Process]:
    """`flask civic worker`: one RQ worker on CIVIC_REDIS_URL's queue, as in the README."""
    worker = Process([str(VENV_BIN / "flask"), "civic", "worker"], env, log)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
