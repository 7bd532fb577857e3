"""Retention: read notifications and audit rows past their age are deleted
in chunks by the daily beat task; unread notifications and younger rows
stay; the access log is archived elsewhere, never dropped here."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings

from marketplace.models import AuditEvent, Notification
from marketplace.retention import audit_events_purge, notifications_purge_read
from marketplace.schedule import BEAT_SCHEDULE
from marketplace.services import audit
from marketplace.tasks import purge_old_logs

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def notice(user, key: str, *, days_old: int, read: bool) -> Notification:
    moment = NOW - timedelta(days=days_old)
    with time_machine.travel(moment, tick=False):
        return Notification.objects.create(recipient=user, kind="x", event_key=key, read_at=moment if read else None)


def event(days_old: int, target: str) -> AuditEvent:
    with time_machine.travel(NOW - timedelta(days=days_old), tick=False):
        return audit(action=AuditEvent.Action.LOGIN, target=target)


def test_defaults_are_a_year_for_notifications_and_two_for_audit():
    assert settings.NOTIFICATION_RETENTION_DAYS == 365
    assert settings.AUDIT_RETENTION_DAYS == 730
    assert settings.ACCESS_LOG_ARCHIVE_DAYS == 365


def test_only_read_notifications_past_the_age_are_deleted(actor):
    old_read = [notice(actor, f"old-read-{n}", days_old=366 + n, read=True) for n in range(5)]
    kept = [
        notice(actor, "old-unread", days_old=900, read=False),
        notice(actor, "young-read", days_old=364, read=True),
    ]
    with time_machine.travel(NOW, tick=False):
        assert notifications_purge_read(chunk=2) == 5
    assert not Notification.objects.filter(pk__in=[n.pk for n in old_read]).exists()
    assert set(Notification.objects.values_list("pk", flat=True)) == {n.pk for n in kept}


def test_audit_rows_past_the_age_are_deleted_in_chunks_and_younger_ones_stay(db):
    for n in range(5):
        event(731 + n, f"old-{n}")
    young = event(729, "young")
    with time_machine.travel(NOW, tick=False):
        assert audit_events_purge(chunk=2) == 5
        assert audit_events_purge(chunk=2) == 0
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [young.pk]


def test_audit_rows_stay_append_only_outside_the_sweep(db):
    event(1000, "old")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


@pytest.mark.parametrize("days", [400])
def test_a_longer_setting_keeps_more(settings, actor, days):
    settings.NOTIFICATION_RETENTION_DAYS = days
    notice(actor, "a", days_old=380, read=True)
    with time_machine.travel(NOW, tick=False):
        assert notifications_purge_read() == 0


def test_the_beat_task_runs_both_and_is_scheduled(actor):
    notice(actor, "old", days_old=500, read=True)
    event(800, "old")
    with time_machine.travel(NOW, tick=False):
        assert purge_old_logs.delay().get() == {"notifications": 1, "audit_events": 1}
    tasks = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert {"marketplace.purge_old_logs", "actors.archive_access_log"} <= tasks
