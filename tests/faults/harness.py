"""The fault suite's own services and the portal's processes.

Everything here is private to one run: a Redis and a PostgreSQL cluster on
free loopback ports, an SMTP server (aiosmtpd), and the portal as it is
deployed (gunicorn, one Celery worker, one beat) pointed at them. The
machine's shared services (5432, 6379) are never touched, and only processes
started here are ever stopped or killed: each one leads its own process
group, so a kill reaches its children too (gunicorn's workers) and nothing
else.
"""

import asyncio
import contextlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import redis as redis_client
import requests

from conftest import postgres_bin_dir
from marketplace.tests.celery_harness import Inbox, free_port
from tests.faults.seed import SEED_MARKER

BASE_DIR = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
# The portal's own variables that must come from this suite, never from the
# environment the tests were started in (CI's pass 2 sets DATABASE_URL and
# REDIS_URL to the shared services).
PORTAL_VARIABLES = {
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "MEDIA_ROOT",
    "CELERY_QUEUE",
    "CELERY_FILESYSTEM_QUEUE",
    "CELERY_FILESYSTEM_CONTROL",
    "SITE_URL",
}
# Short sweeps, so what a fault left behind is caught up within the test.
SWEEP_SECONDS = 5
STUCK_AFTER_SECONDS = 10


def wait_until(check: Callable[[], bool], *, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


class Process:
    """One command in its own process group, its output in ``log``."""

    def __init__(self, name: str, command: list[str], *, env: dict[str, str], log: Path, cwd: Path = BASE_DIR):
        self.name = name
        self.command = command
        self.env = env
        self.log = log
        self.cwd = cwd
        self.popen: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as output:
            self.popen = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        return f"--- last lines of {self.log.name}:\n" + "\n".join(self.log_text().splitlines()[-lines:])

    def _signal_group(self, signum: int) -> None:
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signum)

    def kill(self) -> None:
        """SIGKILL the whole group at once: no shutdown code runs anywhere."""
        self._signal_group(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait(timeout=10)

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM the group (a warm shutdown), SIGKILL whatever is left."""
        if self.popen is None:
            return
        self._signal_group(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=timeout)
        # Children outlive a leader that exited first (gunicorn's workers).
        self._signal_group(signal.SIGKILL)
        self.popen.wait(timeout=10)


class PrivateRedis:
    """A Redis of this run only: no snapshot, no append-only file, loopback."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: Process | None = None

    def start(self) -> None:
        command = [
            shutil.which("redis-server") or "redis-server",
            "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--dir", str(self.folder),
        ]  # fmt: skip
        self.process = Process("redis", command, env=dict(os.environ), log=self.folder / "redis.log", cwd=self.folder)
        self.process.start()
        if not wait_until(self.answers, timeout=15):
            raise RuntimeError(f"private Redis did not start on port {self.port}\n{self.process.log_tail()}")

    def answers(self) -> bool:
        try:
            return bool(redis_client.Redis(port=self.port, socket_connect_timeout=1).ping())
        except redis_client.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop(timeout=10)
            self.process = None


class PrivatePostgres:
    """A PostgreSQL cluster of this run: initdb in ``folder`` on a free port,
    trust authentication, reachable only on 127.0.0.1 and its own socket
    folder. As root, every command runs as the ``postgres`` OS user."""

    DATABASE = "consentcast"

    def __init__(self, folder: Path):
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
        self.bin_dir = bin_dir
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/{self.DATABASE}"
        self.started = False

    def _as_owner(self, command: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return command
        if shutil.which("runuser"):
            return ["runuser", "-u", "postgres", "--", *command]
        return ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(command)]

    def _run(self, tool: str, *args: str, timeout: float = 120) -> str:
        command = self._as_owner([str(self.bin_dir / tool), *args])
        # No PG* variables of the caller: they could point the tools elsewhere.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
        result = subprocess.run(command, cwd=self.folder, env=env, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"{shlex.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
        return result.stdout

    def _pg_ctl(self, action: str, *args: str) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            # A throwaway cluster: durability across a power cut is not tested.
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "postgres.log"), "-o", options, "-w",
                  *args, action)  # fmt: skip

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C",
                  "--no-sync")  # fmt: skip

    def start(self) -> None:
        self._pg_ctl("start")
        self.started = True
        with self.connect("postgres") as connection:
            connection.execute(f'CREATE DATABASE "{self.DATABASE}"')

    def restart(self) -> None:
        """Fast restart: every open connection is terminated, and pg_ctl
        returns once the server accepts connections again."""
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        if not self.started:
            return
        try:
            self._pg_ctl("stop", "-m", "fast")
        except RuntimeError:
            self._pg_ctl("stop", "-m", "immediate")
        self.started = False

    def connect(self, dbname: str = DATABASE) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True, connect_timeout=3
        )

    def accepts_connections(self) -> bool:
        try:
            with self.connect() as connection:
                connection.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    def query(self, sql: str, *params: object) -> list[tuple]:
        """Rows of one read on a connection of its own (the suite restarts
        the server, so no connection is kept)."""
        with self.connect() as connection:
            return connection.execute(sql, params).fetchall()

    def value(self, sql: str, *params: object) -> Any:
        rows = self.query(sql, *params)
        return rows[0][0] if rows else None


class HoldingInbox(Inbox):
    """An inbox that can hold one SMTP conversation for a given recipient at
    RCPT TO, before any message is handed over, until released: the sender is
    then in the middle of an email and can be killed there."""

    def __init__(self) -> None:
        super().__init__()
        self.hold_for = ""
        self.holding = threading.Event()
        self.released = threading.Event()

    def hold(self, address: str) -> None:
        self.holding.clear()
        self.released.clear()
        self.hold_for = address.lower()

    def release(self) -> None:
        self.hold_for = ""
        self.released.set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.hold_for and address.lower() == self.hold_for:
            self.holding.set()
            while not self.released.is_set():
                await asyncio.sleep(0.05)
            # Whoever waited here was killed; a live sender would try again.
            return "451 Held by the fault suite; try again"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def copies_of(self, notification_id: int) -> int:
        """How many messages of this notification arrived."""
        return sum(
            1 for message in list(self.messages) if message["X-ConsentCast-Notification"] == str(notification_id)
        )


class Portal:
    """The portal as deployed: gunicorn (two sync workers), a Celery worker
    (solo pool, so a task runs in the process that received it) and one beat,
    with the portal's development settings and ``DEBUG`` off."""

    def __init__(self, folder: Path, *, database_url: str, redis_url: str, smtp_port: int):
        self.folder = folder
        self.media = folder / "media"
        self.media.mkdir(exist_ok=True)
        self.web_port = free_port()
        self.base_url = f"http://127.0.0.1:{self.web_port}"
        self.queue = f"faults-{os.getpid()}-{self.web_port}"
        self.env = {k: v for k, v in os.environ.items() if k not in PORTAL_VARIABLES}
        self.env.update(
            DJANGO_SETTINGS_MODULE="marketplace.settings.development",
            DEBUG="false",
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
            MEDIA_ROOT=str(self.media),
            CELERY_QUEUE=self.queue,
            SITE_URL=self.base_url,
            EMAIL_REQUEUE_SWEEP_SECONDS=str(SWEEP_SECONDS),
            STUCK_WORK_SWEEP_SECONDS=str(SWEEP_SECONDS),
            STUCK_WORK_AFTER_SECONDS=str(STUCK_AFTER_SECONDS),
            # The steps send hundreds of requests from one address in a
            # minute; the limits stay in force, set above what the steps send.
            LICENCE_CHECKS_PER_MINUTE="100000",
            API_REQUESTS_PER_MINUTE_PER_ADDRESS="100000",
            API_REQUESTS_PER_MINUTE_PER_TOKEN="100000",
            PYTHONUNBUFFERED="1",
        )
        self.web = Process(
            "web",
            [PYTHON, "-m", "gunicorn", "marketplace.wsgi", "--workers", "2", "--worker-class", "sync",
             "--bind", f"127.0.0.1:{self.web_port}", "--timeout", "60", "--graceful-timeout", "5",
             "--access-logfile", "-", "--error-logfile", "-"],
            env=self.env,
            log=folder / "web.log",
        )  # fmt: skip
        self.beat = Process(
            "beat",
            [PYTHON, "-m", "celery", "-A", "marketplace", "beat", "--loglevel=INFO",
             "--schedule", str(folder / "celerybeat-schedule"), "--pidfile", str(folder / "celerybeat.pid")],
            env=self.env,
            log=folder / "beat.log",
        )  # fmt: skip
        self.worker: Process | None = None
        self.worker_starts = 0
        self.seed: dict = {}

    def manage(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"manage.py {shlex.join(args)} failed: {last}\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def migrate_and_seed(self) -> dict:
        self.manage("migrate", "--noinput")
        output = self.manage("shell", "-c", "from tests.faults.seed import seed; seed()")
        line = next(line for line in output.splitlines() if line.startswith(SEED_MARKER))
        self.seed = json.loads(line.removeprefix(SEED_MARKER))
        return self.seed

    def start(self) -> None:
        self.web.start()
        self.beat.start()
        self.start_worker()
        if not wait_until(self._web_answers, timeout=60, interval=0.25):
            raise RuntimeError(f"gunicorn did not answer /healthz\n{self.web.log_tail()}")

    def _web_answers(self) -> bool:
        try:
            return requests.get(f"{self.base_url}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def start_worker(self) -> Process:
        """A new worker process; returns once it consumes the queue."""
        self.worker_starts += 1
        self.worker = Process(
            "worker",
            [PYTHON, "-m", "celery", "-A", "marketplace", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", self.queue,
             "--hostname", f"{self.queue}-{self.worker_starts}@%h"],
            env=self.env,
            log=self.folder / f"worker-{self.worker_starts}.log",
        )  # fmt: skip
        self.worker.start()
        worker = self.worker
        if not wait_until(lambda: " ready." in worker.log_text() or not worker.running, timeout=60, interval=0.2):
            raise RuntimeError(f"the Celery worker did not become ready\n{worker.log_tail()}")
        if not worker.running:
            raise RuntimeError(f"the Celery worker exited\n{worker.log_tail()}")
        return worker

    def kill_worker(self) -> None:
        if self.worker is not None:
            self.worker.kill()

    def ensure_worker(self) -> None:
        if self.worker is None or not self.worker.running:
            self.start_worker()

    def stop(self) -> None:
        for process in (self.web, self.worker, self.beat):
            if process is not None:
                process.stop()

    def logs(self) -> str:
        worker = self.worker.log_tail() if self.worker else ""
        return "\n".join([self.web.log_tail(), worker, self.beat.log_tail()])


def chattr(path: Path, flag: str) -> subprocess.CompletedProcess:
    """``chattr -R <flag> path``: ``+i`` makes a tree immutable even for root."""
    return subprocess.run(["chattr", "-R", flag, str(path)], capture_output=True, text=True, check=False)


def files_under(path: Path) -> set[str]:
    return {str(child.relative_to(path)) for child in path.rglob("*") if child.is_file()}
