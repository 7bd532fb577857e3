"""The labelled copy of an approved output: what the creator downloads and
publishes, carrying China's explicit and implicit AI-content labels
(``marketplace.labelling``; README "AI-content labelling").

The submitted file is never touched: the copy is a new file under
``outputs/<contract>/labelled/``, made once. An image is fast enough to make
in the request that asks for it; a video is made by the worker
(``usage_requests.output_label``), queued when the output is approved
(``queue_output_labelling``, called by the approving services) and again by
the hourly sweep if that task was lost.
"""

import logging
import shutil
import tempfile
from datetime import timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from marketplace.labelling import AiLabel, label_image, label_video
from usage_requests.models import GeneratedOutput, OutputStatus

logger = logging.getLogger(__name__)

# The sweep queues the task again for an approved output still without its
# copy this long after approval (past the task's time limit and retries)...
REQUEUE_AFTER = timedelta(minutes=15)
# ...and gives up on it after this long: run hourly, at most six tries.
REQUEUE_UNTIL = timedelta(hours=6)
COPY_CHUNK_BYTES = 1024 * 1024


def ai_label_for(output: GeneratedOutput) -> AiLabel:
    """What the output's labelled copy says about itself: our name (and
    code, if assigned) as the provider, the licence code and the output as
    the content id, the public verify URL of the licence."""
    code = output.contract.licence_code
    return AiLabel(
        provider_name=settings.AI_LABEL_PROVIDER_NAME,
        provider_code=settings.AI_LABEL_PROVIDER_CODE,
        licence_code=code,
        content_id=f"output-{output.pk}-v{output.version}",
        verify_url=settings.SITE_URL + reverse("usage_requests:verify_code", args=[code]),
    )


def output_labelled_make(*, output_id: int) -> GeneratedOutput | None:
    """Make and store the labelled copy of output ``output_id`` unless it
    has one, and return the output with it.

    Returns None (nothing stored) when there is no such output, it is not
    approved, or its file cannot be labelled (damaged: logged, not retried).
    Safe to run twice at once: each makes a copy, one compare-and-set keeps
    the first, and the other deletes its own. Raises ``OSError`` when
    storage fails (the task retries).
    """
    output = GeneratedOutput.objects.select_related("contract").filter(pk=output_id).first()
    if output is None or output.status != OutputStatus.APPROVED:
        return None
    if output.labelled:
        return output
    try:
        name = _store_labelled_copy(output)
    except ValueError:
        logger.exception("output %s could not be labelled", output.pk)
        return None
    kept = GeneratedOutput.objects.filter(pk=output.pk, status=OutputStatus.APPROVED, labelled="").update(labelled=name)
    if not kept:
        output.labelled.storage.delete(name)
    output.refresh_from_db()
    return output if output.labelled else None


def _store_labelled_copy(output: GeneratedOutput) -> str:
    """Label the output's file into a new stored file; its storage name."""
    label = ai_label_for(output)
    name = output.labelled.field.generate_filename(output, f"labelled.{output.extension}")
    storage = output.labelled.storage
    if output.kind == GeneratedOutput.Kind.IMAGE:
        with output.file.open("rb") as handle:
            data = bytes(handle.read())
        return storage.save(name, ContentFile(label_image(data, content_type=output.content_type, label=label)))
    # PyAV reads and writes local files; object storage is copied through a private temporary folder.
    with tempfile.TemporaryDirectory(dir=settings.FILE_UPLOAD_TEMP_DIR) as folder:
        source, destination = Path(folder) / f"source.{output.extension}", Path(folder) / f"labelled.{output.extension}"
        with output.file.open("rb") as handle, source.open("wb") as copy:
            shutil.copyfileobj(handle, copy, COPY_CHUNK_BYTES)
        label_video(str(source), str(destination), content_type=output.content_type, label=label)
        with destination.open("rb") as labelled:
            return storage.save(name, File(labelled))


def output_labelled_ready(*, output: GeneratedOutput) -> GeneratedOutput:
    """``output`` (approved) with its labelled copy if it can be had now:
    an image's is made on the spot (a fraction of a second); a video's is
    queued for the worker, and ``labelled`` stays empty until it is done.
    An image that fails to be made (storage down, say) is queued too."""
    if output.labelled:
        return output
    if output.kind == GeneratedOutput.Kind.IMAGE:
        try:
            made = output_labelled_make(output_id=output.pk)
        except OSError:
            logger.exception("labelled copy of output %s could not be stored; queued for the worker", output.pk)
            made = None
        if made is not None:
            return made
    queue_output_labelling(output)
    return output


def queue_output_labelling(output: GeneratedOutput) -> None:
    """Queue the making of ``output``'s labelled copy for when the current
    transaction commits (call it where the output becomes approved). A
    broker that is down then loses the task, not the approval: the sweep
    queues it again."""
    from usage_requests.tasks import output_label  # at call time: usage_requests.tasks imports the services

    transaction.on_commit(partial(output_label.delay, output.pk), robust=True)


def outputs_labelling_requeue(*, chunk: int = 100) -> int:
    """Queue the labelling task again for approved outputs still without a
    labelled copy ``REQUEUE_AFTER`` to ``REQUEUE_UNTIL`` after approval (or
    submission, when approved on submission), at most ``chunk`` a run.
    Returns how many were queued.

    No row is claimed: the task is idempotent and keeps one copy, so two
    sweeps at once cost a duplicate task, never a duplicate file.
    """
    now = timezone.now()
    waiting = (
        GeneratedOutput.objects.filter(status=OutputStatus.APPROVED, labelled="")
        .alias(approved_at=Coalesce("reviewed_at", "submitted_at"))
        .filter(approved_at__lt=now - REQUEUE_AFTER, approved_at__gte=now - REQUEUE_UNTIL)
        .order_by("approved_at")
        .values_list("pk", flat=True)
    )
    from usage_requests.tasks import output_label  # see queue_output_labelling

    queued = 0
    for pk in waiting[:chunk]:
        output_label.delay(pk)
        queued += 1
    return queued
