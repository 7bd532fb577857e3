"""Celery tasks of the platform core.

Every task takes ids, re-reads its rows and is safe to run twice (messages are
acknowledged late, so a lost worker means a second delivery).
"""

import logging
import smtplib
from datetime import timedelta
from typing import Any

from celery import shared_task
from celery.signals import worker_process_shutdown
from django.conf import settings
from django.core import management
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from marketplace.models import EmailStatus, Notification
from marketplace.retention import old_logs_purge
from marketplace.services import notification_email_transition

logger = logging.getLogger(__name__)

# Attempts are counted on the row, so a task queued again by the sweep does
# not start the count over.
EMAIL_MAX_ATTEMPTS = 7
# A pending email older than this without a live task is assumed lost.
REQUEUE_AFTER = timedelta(minutes=10)
SWEEP_CHUNK = 500


def email_retry_delay(attempts: int) -> int:
    """Seconds to wait after failed attempt number ``attempts``: 30 s doubling, at most 30 min."""
    return min(30 * 2 ** max(attempts - 1, 0), 1800)


def render_notification_email(notification: Notification) -> tuple[str, str, str]:
    """Subject, text and HTML of a notification, in the recipient's language."""
    with translation.override(notification.recipient.preferred_language):
        context: dict[str, Any] = {
            "notification": notification,
            "title": notification.title,
            "body": notification.body,
            "link": f"{settings.SITE_URL}{notification.url or '/notifications/'}",
            "settings_link": f"{settings.SITE_URL}/notifications/",
        }
        subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + context["title"]
        text = render_to_string("marketplace/email/notification.txt", context)
        html = render_to_string("marketplace/email/notification.html", context)
    return " ".join(subject.split()), text, html


@shared_task(bind=True, name="marketplace.send_notification_email", max_retries=None)
def send_notification_email(self, notification_id: int) -> str:
    """Send one notification's email, at most once.

    The row is claimed (pending → sending) before the SMTP conversation, so a
    second run of the task finds nothing to do. An SMTP or network failure
    releases the claim and retries with exponential backoff; after
    ``EMAIL_MAX_ATTEMPTS`` the email is marked failed (the in-app notification
    remains).
    """
    claimed = notification_email_transition(
        notification_id=notification_id,
        old=EmailStatus.PENDING,
        new=EmailStatus.SENDING,
        email_claimed_at=timezone.now(),
    )
    if not claimed:
        return "not-pending"
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    recipient = notification.recipient
    if not recipient.is_active or not recipient.email:
        notification_email_transition(
            notification_id=notification_id, old=EmailStatus.SENDING, new=EmailStatus.NOT_WANTED
        )
        return "not-wanted"

    try:
        _send(_notification_message(notification))
    except (smtplib.SMTPException, OSError) as exc:
        delay = _record_email_failure(notification, exc)
        if delay is None:
            return "failed"
        raise self.retry(exc=exc, countdown=delay) from exc
    notification_email_transition(
        notification_id=notification_id,
        old=EmailStatus.SENDING,
        new=EmailStatus.SENT,
        email_attempts=notification.email_attempts + 1,
        email_sent_at=timezone.now(),
        email_last_error="",
    )
    return "sent"


def _notification_message(notification: Notification) -> EmailMultiAlternatives:
    subject, text, html = render_notification_email(notification)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[notification.recipient.email])
    message.attach_alternative(html, "text/html")
    message.extra_headers["X-ConsentCast-Notification"] = str(notification.pk)
    return message


# One SMTP connection per worker process, kept open between tasks: a burst of
# notifications costs one TCP and SMTP handshake (and TLS, and AUTH) per
# process instead of one per email (bench-email). Tasks in one process run one
# at a time (prefork), so nothing else uses it meanwhile.
_open_connection: BaseEmailBackend | None = None
_open_for: tuple[object, ...] = ()


def _email_settings() -> tuple[object, ...]:
    """What the open connection was made for; when settings change (tests), a new one is made."""
    names = ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_USE_TLS", "EMAIL_USE_SSL")
    return tuple(getattr(settings, name, None) for name in names)


def _send(message: EmailMultiAlternatives) -> None:
    """Send over the process's open SMTP connection. A kept connection that
    the server closed while idle (``SMTPServerDisconnected``) is opened again
    once; any failure on a fresh connection propagates (the task retries)."""
    global _open_connection, _open_for
    if _open_connection is not None and _open_for != _email_settings():
        close_email_connection()
    while True:
        kept = _open_connection is not None
        if _open_connection is None:
            connection = get_connection(fail_silently=False)
            connection.open()  # raises when the server cannot be reached; nothing is kept then
            _open_connection, _open_for = connection, _email_settings()
        message.connection = _open_connection
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as exc:
            # The conversation's state is unknown: the next one starts afresh.
            close_email_connection()
            if not (kept and isinstance(exc, smtplib.SMTPServerDisconnected)):
                raise
        else:
            # Only an SMTP connection is worth keeping (console, in-memory and
            # test backends are made afresh for each email, as before).
            if not isinstance(_open_connection, SMTPBackend):
                close_email_connection()
            return


@worker_process_shutdown.connect
def close_email_connection(**_kwargs: Any) -> None:
    """Close the process's SMTP connection (a worker process ends, or it failed)."""
    global _open_connection
    connection, _open_connection = _open_connection, None
    if connection is not None:
        try:
            connection.close()
        except (smtplib.SMTPException, OSError):
            logger.debug("closing the SMTP connection failed", exc_info=True)


def _record_email_failure(notification: Notification, exc: Exception) -> int | None:
    """Release the claim after a failed attempt (the row is ``sending``).

    Returns the seconds to wait before the next attempt, with the email back
    to pending; or None once ``EMAIL_MAX_ATTEMPTS`` is reached and the email
    is marked failed for good.
    """
    error = f"{type(exc).__name__}: {exc}"[:500]
    attempts = notification.email_attempts + 1
    if attempts >= EMAIL_MAX_ATTEMPTS:
        notification_email_transition(
            notification_id=notification.pk,
            old=EmailStatus.SENDING,
            new=EmailStatus.FAILED,
            email_attempts=attempts,
            email_last_error=error,
        )
        logger.error("notification %s: email failed for good: %s", notification.pk, error)
        return None
    delay = email_retry_delay(attempts)
    notification_email_transition(
        notification_id=notification.pk,
        old=EmailStatus.SENDING,
        new=EmailStatus.PENDING,
        email_attempts=attempts,
        email_last_error=error,
        email_retry_at=timezone.now() + timedelta(seconds=delay),
    )
    logger.warning("notification %s: email attempt %s failed: %s", notification.pk, attempts, error)
    return delay


def queue_notification_email(notification_id: int) -> bool:
    """Queue the task that sends this notification's email; never raises.

    When the broker does not answer, the row is marked ``email_unqueued_at``
    and the next sweep (every ``EMAIL_REQUEUE_SWEEP_SECONDS``) queues it:
    mail held back by a broker outage leaves soon after the outage ends.
    Returns whether the task was queued.
    """
    try:
        send_notification_email.delay(notification_id)
    except Exception as exc:  # noqa: BLE001 - whatever the broker raised, the sweep catches up
        logger.warning("notification %s: email task not queued (%s: %s)", notification_id, type(exc).__name__, exc)
        Notification.objects.filter(pk=notification_id, email_unqueued_at__isnull=True).update(
            email_unqueued_at=timezone.now()
        )
        return False
    return True


@shared_task(name="marketplace.queue_notification_emails")
def queue_notification_emails(notification_ids: list[int]) -> int:
    """Queue the email task of each notification of a batch (``notify_many``
    queues one of these per batch); returns how many were queued. Safe to
    run twice: the email task's claim sends each email once."""
    return sum(queue_notification_email(pk) for pk in notification_ids)


def queue_notification_email_batch(notification_ids: list[int]) -> bool:
    """``queue_notification_email`` for a batch: one message, fanned out by a
    worker, so a sweep that told 100,000 people publishes a hundred messages,
    not 100,000 (about 0.6 ms each). Never raises; when the broker does not
    answer, the rows are marked for the next sweep."""
    try:
        # The ids are not repeated in the message's description (and logs).
        queue_notification_emails.apply_async((notification_ids,), argsrepr=f"[{len(notification_ids)} ids]")
    except Exception as exc:  # noqa: BLE001 - whatever the broker raised, the sweep catches up
        logger.warning(
            "%s notifications: email task not queued (%s: %s)", len(notification_ids), type(exc).__name__, exc
        )
        Notification.objects.filter(pk__in=notification_ids, email_unqueued_at__isnull=True).update(
            email_unqueued_at=timezone.now()
        )
        return False
    return True


def _queue_unqueued() -> int:
    """Queue, in one batch message, the emails whose task could not be
    queued; returns how many. The mark is cleared first and set again by a
    failed publish (``queue_notification_email_batch``). Two sweeps at once
    may queue an email twice: its task's claim still sends it once."""
    due = Notification.objects.filter(email_unqueued_at__isnull=False, email_status=EmailStatus.PENDING)
    ids = list(due.order_by("email_unqueued_at").values_list("pk", flat=True)[:SWEEP_CHUNK])
    if not ids:
        return 0
    Notification.objects.filter(pk__in=ids).update(email_unqueued_at=None)
    return len(ids) if queue_notification_email_batch(ids) else 0


@shared_task(name="marketplace.requeue_unsent_notification_emails")
def requeue_unsent_notification_emails() -> int:
    """Queue again the emails whose task was lost; returns how many.

    Stale claims (a worker died between claiming and finishing) go back to
    pending first, with the same compare-and-set the task uses. Sending stays
    at most once per claim; a worker that died after the SMTP server accepted
    the message but before marking it sent can cause one duplicate, which is
    preferred over losing a notification.
    """
    now = timezone.now()
    # A task is killed after task_time_limit (90 s): a claim older than
    # STUCK_WORK_AFTER_SECONDS belongs to a dead worker. Its email has no live
    # task, so it is queued at once (email_unqueued_at), below.
    stale_after = timedelta(seconds=settings.STUCK_WORK_AFTER_SECONDS)
    stale = Notification.objects.filter(
        email_status=EmailStatus.SENDING, email_claimed_at__lt=now - stale_after
    ).values_list("pk", flat=True)[:SWEEP_CHUNK]
    for pk in list(stale):
        notification_email_transition(
            notification_id=pk, old=EmailStatus.SENDING, new=EmailStatus.PENDING, email_unqueued_at=now
        )

    lost = Notification.objects.filter(email_status=EmailStatus.PENDING, email_unqueued_at__isnull=True).filter(
        Q(email_retry_at__lt=now - REQUEUE_AFTER) | Q(email_retry_at__isnull=True, created_at__lt=now - REQUEUE_AFTER)
    )
    ids = list(lost.order_by("created_at").values_list("pk", flat=True)[:SWEEP_CHUNK])
    if ids:
        queue_notification_email_batch(ids)
    return _queue_unqueued() + len(ids)


@shared_task(name="marketplace.clear_expired_sessions")
def clear_expired_sessions() -> None:
    management.call_command("clearsessions")


@shared_task(name="marketplace.purge_old_logs")
def purge_old_logs() -> dict[str, int]:
    """Read notifications and audit rows past their retention age
    (``marketplace.retention``)."""
    return old_logs_purge()
