"""A real Celery worker makes an approved video's labelled copy: the task is
published to the embedded filesystem broker when the approval commits, and
the worker process (the portal's own settings, this test's database and
media folder) stores the copy and records it on the row. Nothing is mocked
but where the message is published."""

import subprocess
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings

from marketplace.tests.celery_harness import free_port, stop, wait_for, worker_command, worker_env
from marketplace.tests.test_labelling import assert_labelled
from marketplace.tests.videos import frame_at
from usage_requests.models import GeneratedOutput
from usage_requests.services import queue_output_labelling
from usage_requests.tasks import output_label
from usage_requests.tests.factories import active_contract, open_actor
from usage_requests.tests.test_output_labels import video_output

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("worker"), pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(media_root, tmp_path):
    """A worker on a filesystem queue of its own, storing into this test's MEDIA_ROOT."""
    folder, control = tmp_path / "queue", tmp_path / "control"
    folder.mkdir()
    queue = f"test-labels-{uuid.uuid4().hex[:8]}"
    env = worker_env(
        smtp_port=free_port(),
        queue=queue,
        CELERY_FILESYSTEM_QUEUE=str(folder),
        CELERY_FILESYSTEM_CONTROL=str(control),
        MEDIA_ROOT=str(media_root),
    )
    log = Path(settings.BASE_DIR) / "var" / f"worker-{queue}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            worker_command(queue), cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    sender = Celery("test-sender", broker="filesystem://", set_as_current=False)
    sender.conf.broker_transport_options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(control),
    }
    yield sender, queue, log
    stop([process])
    log.unlink(missing_ok=True)


def test_a_worker_labels_an_approved_video_once_the_approval_commits(actor, creator, worker, monkeypatch):
    sender, queue, log = worker
    monkeypatch.setattr(
        output_label, "delay", lambda pk: sender.send_task("usage_requests.output_label", args=[pk], queue=queue)
    )
    contract = active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    output = video_output(contract)
    queue_output_labelling(output)  # autocommit here: published at once

    labelled = GeneratedOutput.objects.filter(pk=output.pk).exclude(labelled="")
    assert wait_for(labelled.exists, timeout=90), f"no labelled copy\n--- worker log:\n{log.read_text()}"
    output.refresh_from_db()
    with output.labelled.open("rb") as handle:
        copy = bytes(handle.read())
    assert_labelled(frame_at(copy, 1.9))
