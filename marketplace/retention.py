"""Retention: read notifications and audit rows past their age leave the
database, a chunk at a time (``NOTIFICATION_RETENTION_DAYS``,
``AUDIT_RETENTION_DAYS``; the daily beat task ``marketplace.purge_old_logs``).

Each chunk is one short transaction (select the oldest ids past the age,
delete those ids), so the sweep never holds a long lock, and two sweeps at
once delete each row once (the second finds it gone). Unread notifications
stay whatever their age: nobody has seen them yet. The access log is not
here: its rows are archived, never dropped (``actors.services.archive``).
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from marketplace.models import AuditEvent, Notification


def notifications_purge_read(*, now: datetime | None = None, chunk: int | None = None) -> int:
    """Delete read notifications created more than ``NOTIFICATION_RETENTION_DAYS``
    ago; how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    due = Notification.objects.filter(created_at__lt=cutoff, read_at__isnull=False)
    return _in_chunks(due, chunk, lambda ids: Notification.objects.filter(pk__in=ids).delete()[0])


def audit_events_purge(*, now: datetime | None = None, chunk: int | None = None) -> int:
    """Delete audit rows created more than ``AUDIT_RETENTION_DAYS`` ago; how
    many went. ``AuditEvent`` is append-only: ``purge`` is its one way out."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    due = AuditEvent.objects.filter(created_at__lt=cutoff)
    return _in_chunks(due, chunk, lambda ids: AuditEvent.objects.filter(pk__in=ids).purge())


def _in_chunks(due: QuerySet, chunk: int | None, remove: Callable[[list[int]], int]) -> int:
    """``remove`` the oldest ``chunk`` ids of ``due`` (default
    ``RETENTION_SWEEP_CHUNK``), one short transaction each, until none is left;
    how many went."""
    size = chunk or settings.RETENTION_SWEEP_CHUNK
    removed = 0
    while True:
        with transaction.atomic():
            ids = list(due.order_by("created_at", "id").values_list("pk", flat=True)[:size])
            if not ids:
                return removed
            removed += remove(ids)


def old_logs_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Both sweeps; how many rows of each went."""
    return {
        "notifications": notifications_purge_read(now=now),
        "audit_events": audit_events_purge(now=now),
    }
