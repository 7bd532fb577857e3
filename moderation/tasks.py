"""Celery tasks of moderation. Each calls a service that claims its rows
with a compare-and-set, so running one twice changes nothing twice."""

from celery import shared_task

# The services import the app's modules that queue tasks, so each task
# imports the service it calls when it runs.


@shared_task(name="moderation.purge_verification_images")
def purge_verification_images() -> int:
    # At call time: the services import modules that queue this app's tasks.
    from moderation.services.verification import verification_images_purge_due

    return verification_images_purge_due()
