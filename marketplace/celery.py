"""The Celery application.

Tasks are JSON-only, acknowledged late (after they finish) and fetched one at
a time, so a worker that dies mid-task hands the message to another worker:
every task must therefore be safe to run twice. Task names are explicit and
stable (``marketplace.send_notification_email``) because queued messages name
them and outlive deployments. The beat schedule lives in
``marketplace/schedule.py``.

Redis's ``visibility_timeout`` (settings: ``CELERY_BROKER_TRANSPORT_OPTIONS``,
2,100 s) is how long a message taken by a worker may stay unacknowledged
before Redis hands it to another worker. It must outlast the longest hold:
an email retry waits in its worker for up to 30 minutes
(``marketplace.tasks.email_retry_delay``'s ceiling) and then runs for up to
``task_time_limit`` (90 s); 35 minutes covers both with room. Shorter, and a
retry waiting out its backoff would be delivered twice (harmless for the
claimed email, wasteful). It is not what recovers from a killed worker: the
sweeps do, within minutes (unsent emails, stuck renditions and exports).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings.development")

app = Celery("consentcast")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_soft_time_limit=60,
    task_time_limit=90,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    timezone="UTC",
)
app.autodiscover_tasks()


@app.on_after_configure.connect
def _load_schedule(sender: Celery, **kwargs) -> None:
    # The schedule reads intervals from Django's settings, which are
    # configured only now, not when this module is imported.
    from marketplace.schedule import BEAT_SCHEDULE

    sender.conf.beat_schedule = BEAT_SCHEDULE
