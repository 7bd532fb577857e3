import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.test import override_settings
from django.utils import timezone

from marketplace.models import EmailStatus, Notification
from marketplace.tasks import (
    EMAIL_MAX_ATTEMPTS,
    email_retry_delay,
    requeue_unsent_notification_emails,
    send_notification_email,
)
from marketplace.tests.factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db


class FlakySMTPBackend(LocmemBackend):
    """Refuses the first ``failures`` messages like a busy SMTP server, then delivers."""

    failures = 1
    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky_smtp():
    FlakySMTPBackend.calls = 0
    FlakySMTPBackend.failures = 1
    with override_settings(EMAIL_BACKEND="marketplace.tests.test_tasks.FlakySMTPBackend"):
        yield FlakySMTPBackend


def pending(**kwargs):
    return NotificationFactory(email_status=EmailStatus.PENDING, **kwargs)


def test_email_task_run_twice_sends_one_email():
    notification = pending()
    assert send_notification_email.apply(args=[notification.pk]).get() == "sent"
    assert send_notification_email.apply(args=[notification.pk]).get() == "not-pending"
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT
    assert notification.email_sent_at is not None
    assert notification.email_attempts == 1


def test_email_is_rendered_in_recipients_language():
    notification = pending(recipient=UserFactory(preferred_language="zh-hans"), params={"name": "陈思远"})
    send_notification_email.apply(args=[notification.pk])
    message = mail.outbox[0]
    assert message.subject == "[ConsentCast] 欢迎加入 ConsentCast，陈思远"
    assert "打开 ConsentCast" in message.body
    html = message.alternatives[0].content
    assert 'lang="zh-hans"' in html


def test_email_links_to_the_notification_target():
    notification = pending(url="/onboarding/")
    send_notification_email.apply(args=[notification.pk])
    assert "http://127.0.0.1:8000/onboarding/" in mail.outbox[0].body


def test_smtp_failure_is_retried_and_then_delivered_once(flaky_smtp):
    notification = pending()
    # Eager mode runs the retry at once instead of after the backoff.
    send_notification_email.apply(args=[notification.pk])
    notification.refresh_from_db()
    assert flaky_smtp.calls == 2
    assert len(mail.outbox) == 1
    assert notification.email_status == EmailStatus.SENT
    assert notification.email_attempts == 2
    assert notification.email_last_error == ""


def test_smtp_failure_releases_the_claim_with_a_retry_time(flaky_smtp):
    notification = pending()
    with pytest.raises(smtplib.SMTPServerDisconnected):
        # Called directly (not through apply), retry re-raises the SMTP error.
        send_notification_email(notification.pk)
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.PENDING
    assert notification.email_attempts == 1
    assert "SMTPServerDisconnected" in notification.email_last_error
    assert notification.email_retry_at > timezone.now()


def test_email_gives_up_after_the_last_attempt(flaky_smtp):
    flaky_smtp.failures = 100
    notification = pending()
    send_notification_email.apply(args=[notification.pk])
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.FAILED
    assert notification.email_attempts == EMAIL_MAX_ATTEMPTS
    assert flaky_smtp.calls == EMAIL_MAX_ATTEMPTS
    assert mail.outbox == []


def test_retry_delay_backs_off_exponentially_with_a_ceiling():
    assert [email_retry_delay(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert email_retry_delay(20) == 1800


def test_email_to_deactivated_user_is_not_sent():
    notification = pending(recipient=UserFactory(is_active=False))
    assert send_notification_email.apply(args=[notification.pk]).get() == "not-wanted"
    assert mail.outbox == []


def test_sweep_requeues_lost_emails_and_leaves_fresh_ones():
    with time_machine.travel(timezone.now() - timedelta(minutes=30)):
        lost = pending()
    fresh = pending()
    assert requeue_unsent_notification_emails.apply().get() == 1
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.email_status == EmailStatus.SENT
    assert fresh.email_status == EmailStatus.PENDING
    assert len(mail.outbox) == 1


def test_sweep_releases_stale_claims_of_dead_workers():
    stale = NotificationFactory(email_status=EmailStatus.SENDING, email_claimed_at=timezone.now() - timedelta(hours=1))
    Notification.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=1))
    live = NotificationFactory(email_status=EmailStatus.SENDING, email_claimed_at=timezone.now())
    requeue_unsent_notification_emails.apply()
    assert Notification.objects.get(pk=stale.pk).email_status == EmailStatus.SENT
    assert Notification.objects.get(pk=live.pk).email_status == EmailStatus.SENDING


def test_sweep_waits_for_a_scheduled_retry():
    notification = pending(email_retry_at=timezone.now() + timedelta(minutes=5))
    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert requeue_unsent_notification_emails.apply().get() == 0


def test_sweep_run_twice_sends_each_email_once():
    with time_machine.travel(timezone.now() - timedelta(minutes=30)):
        pending()
        pending()
    requeue_unsent_notification_emails.apply()
    requeue_unsent_notification_emails.apply()
    assert len(mail.outbox) == 2


def test_tasks_have_stable_names():
    from marketplace.celery import app
    from marketplace.schedule import BEAT_SCHEDULE

    app.loader.import_default_modules()
    for entry in BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
    assert send_notification_email.name == "marketplace.send_notification_email"


def test_celery_is_json_only_acks_late_prefetch_one():
    from marketplace.celery import app

    assert app.conf.accept_content == ["json"]
    assert app.conf.task_serializer == "json"
    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_time_limit
    assert app.conf.task_soft_time_limit
