"""Celery beat schedule: every periodic job of the portal, in one place.

Periodic jobs are sweeps: they select candidates and claim each row with a
compare-and-set, so two beats (or a beat and a manual run) never act twice.
Nothing in the portal relies on delayed (``countdown``/``eta``) tasks for
deadlines; deadlines are columns that a sweep reads.
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # An email whose task was lost (broker down at commit time, a worker killed
    # mid-send) is queued again; the task's claim keeps it to one delivery.
    "requeue-unsent-notification-emails": {
        "task": "marketplace.requeue_unsent_notification_emails",
        "schedule": 300.0,
    },
    # Expired sessions pile up in the database otherwise.
    "clear-expired-sessions": {
        "task": "marketplace.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    # Data exports are deleted from storage once their link has expired.
    "purge-expired-data-exports": {
        "task": "actors.purge_expired_data_exports",
        "schedule": crontab(minute=41),
    },
}
