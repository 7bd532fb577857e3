"""Work a killed worker left pending: a photo's renditions, a data export.

A task lost with its worker (SIGKILL, out of memory, the machine gone) or
never delivered leaves its row pending. Past the tasks' hard time limit no
worker can still be on it, so the sweep queues it again and counts the
attempt on the row; after ``STUCK_WORK_MAX_ATTEMPTS`` it marks the row
failed, and the actor sees a message and a "try again" button. Each row is
claimed by compare-and-set on its status and attempt count, so two sweeps
at once (or a sweep and a late task) act on it once.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, Protocol

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from actors.models import EXPORT_TRANSITIONS, RENDITIONS_TRANSITIONS, DataExport, LikenessPhoto
from marketplace.exceptions import InvalidTransition
from marketplace.transitions import Transitions, transition

REQUEUED = "requeued"
FAILED = "failed"


class Queueable(Protocol):
    """A Celery task: ``delay(pk)`` queues it."""

    def delay(self, *args: Any) -> Any: ...


@dataclass(frozen=True)
class PendingWork:
    """Rows whose ``field`` stays ``pending`` until ``task(pk)`` finishes."""

    name: str
    model: type[models.Model]
    field: str
    pending: str
    failed: str
    transitions: Transitions
    task: Queueable


def pending_work() -> list[PendingWork]:
    # actors.tasks imports the services its tasks call; the tasks are looked
    # up here, at call time, to break that cycle.
    from actors.tasks import build_data_export, make_photo_renditions

    return [
        PendingWork(
            name="photo renditions",
            model=LikenessPhoto,
            field="renditions",
            pending=LikenessPhoto.Renditions.PENDING,
            failed=LikenessPhoto.Renditions.FAILED,
            transitions=RENDITIONS_TRANSITIONS,
            task=make_photo_renditions,
        ),
        PendingWork(
            name="data export",
            model=DataExport,
            field="status",
            pending=DataExport.Status.PENDING,
            failed=DataExport.Status.FAILED,
            transitions=EXPORT_TRANSITIONS,
            task=build_data_export,
        ),
    ]


def stuck_work_requeue(*, chunk: int = 100) -> Counter[str]:
    """Queue again every item pending longer than ``STUCK_WORK_AFTER_SECONDS``
    since it was last queued, or fail it once queued
    ``STUCK_WORK_MAX_ATTEMPTS`` times. Returns how many were requeued and failed."""
    counts: Counter[str] = Counter()
    for work in pending_work():
        while batch := _stuck(work, chunk):
            for pk, attempts in batch:
                outcome = _requeue_or_fail(work, pk, attempts)
                if outcome:
                    counts[outcome] += 1
    return counts


def _stuck(work: PendingWork, chunk: int) -> list[tuple[Any, int]]:
    """(pk, attempts) of a chunk of stuck rows. A row drops out once handled:
    it is failed, or queued now (no longer past the cut-off)."""
    cutoff = timezone.now() - timedelta(seconds=settings.STUCK_WORK_AFTER_SECONDS)
    rows = work.model._default_manager.filter(**{work.field: work.pending}, queued_at__lt=cutoff)
    return list(rows.order_by("queued_at").values_list("pk", "attempts")[:chunk])


def _requeue_or_fail(work: PendingWork, pk: Any, attempts: int) -> str | None:
    """Claim the row as it was read (still pending, same attempt count); None
    when another sweep or the task got there first."""
    claimed = work.model._default_manager.filter(pk=pk, **{work.field: work.pending}, attempts=attempts)
    with transaction.atomic():
        if attempts < settings.STUCK_WORK_MAX_ATTEMPTS:
            if not claimed.update(attempts=attempts + 1, queued_at=timezone.now()):
                return None
            transaction.on_commit(partial(work.task.delay, pk), robust=True)
            return REQUEUED
        row = claimed.select_for_update().first()
        if row is None:
            return None
        try:
            transition(
                row,
                new=work.failed,
                transitions=work.transitions,
                field=work.field,
                illegal=f"{work.name}: pending to failed",
                lost=f"{work.name}: no longer pending",
            )
        except InvalidTransition:
            return None
        return FAILED
