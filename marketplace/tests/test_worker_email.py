"""A real Celery worker process sends a notification to a real SMTP server.

The worker runs the portal's own settings against this test's database, on a
real broker (Redis, and the embedded filesystem broker), and mails an aiosmtpd
server on a loopback port. Nothing is mocked.
"""

import email
import email.policy
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from celery import Celery
from django.conf import settings
from django.db import connection

from conftest import make_user, redis_url
from marketplace.models import EmailStatus, Notification
from marketplace.notifications import WELCOME_ACTOR
from marketplace.services import notify
from marketplace.tasks import send_notification_email

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("worker"), pytest.mark.django_db(transaction=True)]


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


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture(params=[pytest.param("redis", marks=pytest.mark.redis), "filesystem"])
def broker(request, tmp_path):
    """(broker URL, transport options, env for the worker) for each real broker."""
    if request.param == "redis":
        return redis_url(), {}, {"REDIS_URL": redis_url()}
    folder = tmp_path / "queue"
    folder.mkdir()
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(tmp_path / "control"),
    }
    # The worker's embedded defaults put the queue under var/; point both at this test's folder.
    return (
        "filesystem://",
        options,
        {"CELERY_FILESYSTEM_QUEUE": str(folder), "CELERY_FILESYSTEM_CONTROL": str(tmp_path / "control")},
    )


@pytest.fixture
def worker(smtp_server, broker):
    _inbox, port = smtp_server
    _url, _options, broker_env = broker
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="marketplace.settings.development",
        DATABASE_URL=database_url_for_worker(),
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
        CELERY_QUEUE=queue,
        **broker_env,
    )
    log = Path(settings.BASE_DIR) / "var" / f"worker-{queue}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "marketplace", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", queue],
            cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    yield queue, log
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.unlink(missing_ok=True)


def test_worker_delivers_notification_email_in_recipients_language(smtp_server, broker, worker, monkeypatch):
    inbox, _port = smtp_server
    url, options, _env = broker
    queue, log = worker
    sender = Celery("test-sender", broker=url)
    sender.conf.broker_transport_options = options
    # notify() queues through marketplace.tasks on commit; publish that same
    # message to the worker's broker and queue instead of the test's eager one.
    monkeypatch.setattr(
        send_notification_email,
        "delay",
        lambda pk: sender.send_task("marketplace.send_notification_email", args=[pk], queue=queue),
    )
    recipient = make_user("zh.actor@example.com", language="zh-hans")

    notification = notify(recipient=recipient, kind=WELCOME_ACTOR, event_key="worker-test", params={"name": "陈思远"})

    assert inbox.arrived.wait(timeout=90), f"no email arrived; worker log:\n{log.read_text()}"
    message = inbox.messages[0]
    # The header is RFC 2047-encoded and folded; decoded, it reads as sent.
    assert message["Subject"].strip() == "[ConsentCast] 欢迎加入 ConsentCast，陈思远"
    assert message["To"] == "zh.actor@example.com"
    assert "打开 ConsentCast" in message.get_body(preferencelist=("plain",)).get_content()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        notification.refresh_from_db()
        if notification.email_status == EmailStatus.SENT:
            break
        time.sleep(0.2)
    assert notification.email_status == EmailStatus.SENT
    # The same message delivered again (acks_late redelivery) sends nothing more.
    sender.send_task("marketplace.send_notification_email", args=[notification.pk], queue=queue)
    time.sleep(3)
    assert len(inbox.messages) == 1
    assert Notification.objects.get(pk=notification.pk).email_attempts == 1
