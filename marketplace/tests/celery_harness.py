"""What the real-worker tests share: an SMTP server that keeps what it is
sent, the worker's environment and command line, and stopping processes.

The worker runs the portal's own settings against the test's database; only
the SMTP server, the broker and the queue are the test's.
"""

import email
import email.policy
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.db import connection


class Inbox:
    """aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.arrived.set()
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url_for_worker() -> str:
    config = connection.settings_dict
    if config["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(config['NAME']).resolve()}"
    password = f":{config['PASSWORD']}" if config["PASSWORD"] else ""
    return f"postgres://{config['USER']}{password}@{config['HOST']}:{config['PORT']}/{config['NAME']}"


def worker_env(*, smtp_port: int, queue: str, **broker_env: str) -> dict[str, str]:
    """The environment of a worker (or beat) process for this test."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="marketplace.settings.development",
        DATABASE_URL=database_url_for_worker(),
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        CELERY_QUEUE=queue,
        **broker_env,
    )
    return env


def worker_command(queue: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "marketplace", "worker", "--pool=solo", "--loglevel=INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", queue]  # fmt: skip


def stop(processes: list[subprocess.Popen]) -> None:
    """Terminate (warm shutdown), then kill whatever is still running after 20 s."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for(check, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.25)
    return False
