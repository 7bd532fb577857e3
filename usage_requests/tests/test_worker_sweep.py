"""The expiry sweep end to end: a real Celery beat puts
``usage_requests.expire_requests`` on a real Redis broker, a real worker runs
it against this test's database, and the expiry emails reach a real SMTP
server (aiosmtpd). Nothing is mocked.

Beat runs the portal's Celery app with the schedule narrowed to the expiry
sweep every two seconds (the real schedule runs it every 60 s, too slow for a
test); the worker is started as in ``marketplace/tests/celery_harness.py``,
shared with the notification email test.
"""

import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from conftest import redis_url
from marketplace.models import EmailStatus, Notification
from marketplace.tests.celery_harness import stop, wait_for, worker_command, worker_env
from usage_requests.models import RequestEvent, RequestStatus, UsageRequest
from usage_requests.tests.factories import open_actor, send_request

pytestmark = [
    pytest.mark.slow,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

BEAT_SCRIPT = """
import sys
from marketplace.celery import app

# Reading the schedule configures the app (which installs the portal's
# schedule); only then can it be narrowed to the expiry sweep.
assert "expire-usage-requests" in app.conf.beat_schedule
app.conf.beat_schedule = {
    "expire-usage-requests": {"task": "usage_requests.expire_requests", "schedule": 2.0},
}
app.Beat(schedule=sys.argv[1], loglevel="INFO", max_interval=1).run()
"""


@pytest.fixture
def celery_processes(smtp_server, tmp_path):
    """A worker and a beat on Redis, on a queue of their own; yields the logs."""
    _inbox, port = smtp_server
    queue = f"test-sweep-{uuid.uuid4().hex[:8]}"
    env = worker_env(smtp_port=port, queue=queue, REDIS_URL=redis_url())
    logs = {name: Path(settings.BASE_DIR) / "var" / f"{name}-{queue}.log" for name in ("worker", "beat")}
    commands = {
        "worker": worker_command(queue),
        "beat": [sys.executable, "-c", BEAT_SCRIPT, str(tmp_path / "beat-schedule")],
    }
    processes = []
    for name, command in commands.items():
        with logs[name].open("w") as output:
            processes.append(
                subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT)
            )
    yield logs
    stop(processes)
    for log in logs.values():
        log.unlink(missing_ok=True)


def test_beat_and_worker_expire_a_due_request_and_email_both_parties(actor, creator, smtp_server, celery_processes):
    inbox, _port = smtp_server
    logs = celery_processes
    profile = open_actor(actor.actor_profile)
    due = send_request(actor=profile, creator=creator.creator_profile)
    not_due = send_request(actor=profile, creator=creator.creator_profile)
    UsageRequest.objects.filter(pk=due.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    def diagnostics() -> str:
        return "\n".join(f"--- {name} log:\n{log.read_text()}" for name, log in logs.items())

    assert wait_for(lambda: len(inbox.messages) >= 2, timeout=60), f"expiry emails missing\n{diagnostics()}"

    due.refresh_from_db()
    assert due.status == RequestStatus.EXPIRED
    assert RequestEvent.objects.filter(request=due, kind=RequestEvent.Kind.EXPIRED).count() == 1
    assert sorted(message["To"] for message in inbox.messages) == sorted([actor.email, creator.email])
    for message in inbox.messages:
        assert "expired" in message["Subject"]
        assert due.project.title in message["Subject"]
    expired = Notification.objects.filter(event_key=f"usage_request:{due.pk}:expired")
    assert wait_for(lambda: set(expired.values_list("email_status", flat=True)) == {EmailStatus.SENT}, timeout=20)

    # Later beats find nothing more to do: no second email, the other request untouched.
    time.sleep(5)
    assert len(inbox.messages) == 2
    not_due.refresh_from_db()
    assert not_due.status == RequestStatus.PENDING
