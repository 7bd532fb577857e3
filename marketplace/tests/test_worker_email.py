"""A real Celery worker process sends a notification to a real SMTP server.

The worker runs the portal's own settings against this test's database, on a
real broker (Redis, and the embedded filesystem broker), and mails an aiosmtpd
server on a loopback port. Nothing is mocked.
"""

import subprocess
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings

from conftest import make_user, redis_url
from marketplace.models import EmailStatus, Notification
from marketplace.notifications import WELCOME_ACTOR
from marketplace.services import notify
from marketplace.tasks import send_notification_email
from marketplace.tests.celery_harness import stop, worker_command, worker_env

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("worker"), pytest.mark.django_db(transaction=True)]


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
    log = Path(settings.BASE_DIR) / "var" / f"worker-{queue}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            worker_command(queue),
            cwd=settings.BASE_DIR,
            env=worker_env(smtp_port=port, queue=queue, **broker_env),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    yield queue, log
    stop([process])
    log.unlink(missing_ok=True)


def test_worker_delivers_notification_email_in_recipients_language(smtp_server, broker, worker, monkeypatch):
    inbox, _port = smtp_server
    url, options, _env = broker
    queue, log = worker
    # Not the current app: shared tasks queued later in this process must keep
    # going through marketplace.celery (eager under the test settings).
    sender = Celery("test-sender", broker=url, set_as_current=False)
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
