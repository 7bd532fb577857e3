"""Celery tasks of the actor side. Each re-reads its row and calls a service,
so running one twice changes nothing twice."""

from celery import shared_task

# The services import this module to queue its tasks, so each task imports
# the service it calls when it runs.


@shared_task(name="actors.make_photo_renditions", autoretry_for=(OSError,), retry_backoff=10, max_retries=5)
def make_photo_renditions(photo_id: int) -> None:
    from actors.services import photo_renditions_make  # at call time: the services import this module

    photo_renditions_make(photo_id=photo_id)


@shared_task(name="actors.build_data_export")
def build_data_export(export_id: int) -> None:
    from actors.services import data_export_build  # at call time: the services import this module

    data_export_build(export_id=export_id)


@shared_task(name="actors.requeue_stuck_work")
def requeue_stuck_work() -> dict[str, int]:
    """Photo renditions and data exports whose task was lost: queued again,
    or failed after their last attempt (``actors.services.sweeps``)."""
    from actors.services import stuck_work_requeue  # at call time: the services import this module

    return dict(stuck_work_requeue())


@shared_task(name="actors.purge_expired_data_exports")
def purge_expired_data_exports() -> int:
    from actors.services import data_exports_purge_expired  # at call time: the services import this module

    return data_exports_purge_expired()


@shared_task(name="actors.archive_access_log")
def archive_access_log() -> int:
    """Access-log months past ``ACCESS_LOG_ARCHIVE_DAYS`` into gzipped CSV
    files, never dropped (``actors.services.archive``)."""
    from actors.services import access_log_archive_sweep  # at call time: the services import this module

    return access_log_archive_sweep()
