"""The Celery application.

Tasks are JSON-only, acknowledged late (after they finish) and fetched one at
a time, so a worker that dies mid-task hands the message to another worker:
every task must therefore be safe to run twice. Task names are explicit and
stable (``marketplace.send_notification_email``) because queued messages name
them and outlive deployments. The beat schedule lives in
``marketplace/schedule.py``.
"""

import os

from celery import Celery

from marketplace.schedule import BEAT_SCHEDULE

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
    sender.conf.beat_schedule = BEAT_SCHEDULE
