"""Celery beat schedule: every periodic job of the portal, in one place.

Periodic jobs are sweeps: they select candidates and claim each row with a
compare-and-set, so two beats (or a beat and a manual run) never act twice.
Nothing in the portal relies on delayed (``countdown``/``eta``) tasks for
deadlines; deadlines are columns that a sweep reads.
"""

from celery.schedules import crontab
from django.conf import settings

BEAT_SCHEDULE = {
    # An email whose task was lost (broker down at commit time, a worker killed
    # mid-send) is queued again; the task's claim keeps it to one delivery.
    # Often, so mail held back by a broker outage leaves soon after it ends.
    "requeue-unsent-notification-emails": {
        "task": "marketplace.requeue_unsent_notification_emails",
        "schedule": float(settings.EMAIL_REQUEUE_SWEEP_SECONDS),
    },
    # Expired sessions pile up in the database otherwise.
    "clear-expired-sessions": {
        "task": "marketplace.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    # A photo's renditions or a data export whose task was lost (a worker
    # killed mid-task) is queued again, then failed after its last attempt.
    "requeue-stuck-work": {
        "task": "actors.requeue_stuck_work",
        "schedule": float(settings.STUCK_WORK_SWEEP_SECONDS),
    },
    # Data exports are deleted from storage once their link has expired.
    "purge-expired-data-exports": {
        "task": "actors.purge_expired_data_exports",
        "schedule": crontab(minute=41),
    },
    # Retention: read notifications older than NOTIFICATION_RETENTION_DAYS
    # and audit rows older than AUDIT_RETENTION_DAYS are deleted in chunks;
    # access-log months older than ACCESS_LOG_ARCHIVE_DAYS are archived to
    # a gzipped CSV per actor and month, never dropped. Daily, in the hour
    # RETENTION_SWEEP_HOUR (UTC); a run still queued 6 hours later is dropped
    # (the next day's run does its work).
    "purge-old-logs": {
        "task": "marketplace.purge_old_logs",
        "schedule": crontab(hour=settings.RETENTION_SWEEP_HOUR, minute=31),
        "options": {"expires": 6 * 3600},
    },
    "archive-access-log": {
        "task": "actors.archive_access_log",
        "schedule": crontab(hour=settings.RETENTION_SWEEP_HOUR, minute=47),
        "options": {"expires": 6 * 3600},
    },
    # Identity-check images are deleted once kept long enough after the decision.
    "purge-verification-images": {
        "task": "moderation.purge_verification_images",
        "schedule": crontab(hour=4, minute=23),
    },
    # Requests past their deadline expire; a day before, whoever must act
    # is reminded. Both claim rows with a compare-and-set.
    "expire-usage-requests": {
        "task": "usage_requests.expire_requests",
        "schedule": float(settings.REQUEST_SWEEP_SECONDS),
    },
    "remind-usage-requests": {
        "task": "usage_requests.remind_requests",
        "schedule": 5.0 * settings.REQUEST_SWEEP_SECONDS,
    },
    # One email about messages left unread for ten minutes, not one per message.
    "send-message-digests": {"task": "usage_requests.send_message_digests", "schedule": 120.0},
    # Contracts not signed in time are cancelled; ended terms complete.
    "cancel-unsigned-contracts": {"task": "usage_requests.cancel_unsigned_contracts", "schedule": 300.0},
    "complete-ended-contracts": {"task": "usage_requests.complete_ended_contracts", "schedule": crontab(minute=7)},
    # An approved output whose labelling task was lost is queued again, for a few hours.
    "requeue-unlabelled-outputs": {
        "task": "usage_requests.requeue_unlabelled_outputs",
        "schedule": crontab(minute=13),
    },
    # Webhook deliveries whose retry time came (or whose task was lost) are
    # sent: the endpoint's task is queued, and its lease keeps one sender.
    "requeue-webhook-deliveries": {
        "task": "usage_requests.webhooks_requeue",
        "schedule": float(settings.WEBHOOK_SWEEP_SECONDS),
    },
    # Generated outputs waiting OUTPUT_REVIEW_REMINDER_DAYS for the actor's
    # review remind the actor (each output claimed with a compare-and-set).
    "remind-output-reviews": {"task": "usage_requests.remind_output_reviews", "schedule": crontab(minute=13)},
}
