"""A real Celery worker process, given only ``STORAGE_URL`` and the ``AWS_*``
variables, reads an uploaded original from the bucket and writes its
renditions there, then builds a data export into the bucket: a worker on
another host than the web process needs nothing on its disk.

The object store is moto's server on a loopback port (marketplace/tests/s3.py);
the broker is kombu's filesystem transport in the test's folder.
"""

import io
import subprocess
import uuid
import zipfile
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from PIL import Image

from actors.models import DataExport, LikenessPhoto
from actors.tasks import build_data_export, make_photo_renditions
from actors.tests.factories import image_upload
from marketplace.tests.celery_harness import free_port, stop, wait_for, worker_command, worker_env

pytestmark = [
    pytest.mark.s3,
    pytest.mark.slow,
    pytest.mark.xdist_group("worker"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def worker(s3_bucket, tmp_path, monkeypatch):
    """A worker on its own queue and this test's bucket; the renditions and
    export tasks queued by the test process go to it."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    folder, control = tmp_path / "queue", tmp_path / "control"
    folder.mkdir()
    broker_env = {"CELERY_FILESYSTEM_QUEUE": str(folder), "CELERY_FILESYSTEM_CONTROL": str(control)}
    log = Path(settings.BASE_DIR) / "var" / f"worker-{queue}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            worker_command(queue),
            cwd=settings.BASE_DIR,
            env=worker_env(smtp_port=free_port(), queue=queue, **broker_env, **s3_bucket.worker_env()),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    sender = Celery("test-sender", broker="filesystem://", set_as_current=False)
    sender.conf.broker_transport_options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(control),
    }
    for task in (make_photo_renditions, build_data_export):
        monkeypatch.setattr(task, "delay", lambda pk, name=task.name: sender.send_task(name, args=[pk], queue=queue))
    yield log
    stop([process])
    log.unlink(missing_ok=True)


def test_a_worker_process_renders_into_the_bucket_and_builds_the_export_there(worker, s3_bucket, login, actor):
    client = login(actor)
    assert (
        client.post("/actors/me/photos/", {"photos": [image_upload("me.jpg", size=(900, 1200), seed=8)]}).status_code
        == 302
    )
    photo = LikenessPhoto.objects.get(actor__user=actor)

    def rendered() -> bool:
        photo.refresh_from_db()
        return photo.renditions != LikenessPhoto.Renditions.PENDING

    assert wait_for(rendered, timeout=90), f"no renditions; worker log:\n{worker.read_text()}"
    assert photo.renditions == LikenessPhoto.Renditions.READY, worker.read_text()
    assert s3_bucket.keys() == {photo.original.name, photo.thumbnail.name, photo.preview.name}
    assert Image.open(io.BytesIO(s3_bucket.read(photo.thumbnail.name))).size == (320, 320)
    assert max(Image.open(io.BytesIO(s3_bucket.read(photo.preview.name))).size) == 1024

    assert client.post("/actors/me/data/export/").status_code == 302
    export = DataExport.objects.get(actor__user=actor)

    def built() -> bool:
        export.refresh_from_db()
        return export.status != DataExport.Status.PENDING

    assert wait_for(built, timeout=90), f"no export; worker log:\n{worker.read_text()}"
    assert export.status == DataExport.Status.READY, worker.read_text()
    with zipfile.ZipFile(io.BytesIO(s3_bucket.assert_holds(export.archive.name))) as archive:
        assert archive.read(f"photos/photo-{photo.pk}.jpg") == s3_bucket.read(photo.original.name)
