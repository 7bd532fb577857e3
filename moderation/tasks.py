"""Celery tasks of moderation. Each calls a service that claims its rows
with a compare-and-set, so running one twice changes nothing twice."""

from celery import shared_task


@shared_task(name="moderation.purge_verification_images")
def purge_verification_images() -> int:
    from moderation.services.verification import verification_images_purge_due

    return verification_images_purge_due()
