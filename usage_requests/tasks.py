"""Beat sweeps of requests, contracts and outputs, and the making of an
approved output's labelled copy. Each sweep calls a service that claims
due rows a chunk at a time with one compare-and-set UPDATE, so a sweep that
runs twice (or two beats at once) changes each row once; a run stops taking
chunks after ``sweeps.RUN_SECONDS``, inside the task's time limit, and the
next run carries on. And the sending of creators' webhooks, with its sweep."""

from celery import shared_task

from usage_requests.services import (
    contracts_cancel_unsigned,
    contracts_complete_ended,
    message_digests_send,
    output_labelled_make,
    outputs_labelling_requeue,
    outputs_remind_due,
    usage_requests_expire_due,
    usage_requests_remind_due,
)
from usage_requests.services.webhooks import webhook_endpoint_deliver, webhook_endpoints_requeue_due


@shared_task(name="usage_requests.expire_requests")
def expire_requests() -> int:
    return usage_requests_expire_due()


@shared_task(name="usage_requests.remind_requests")
def remind_requests() -> int:
    return usage_requests_remind_due()


@shared_task(name="usage_requests.send_message_digests")
def send_message_digests() -> int:
    return message_digests_send()


@shared_task(name="usage_requests.cancel_unsigned_contracts")
def cancel_unsigned_contracts() -> int:
    return contracts_cancel_unsigned()


@shared_task(name="usage_requests.complete_ended_contracts")
def complete_ended_contracts() -> int:
    return contracts_complete_ended()


# Labelling re-encodes a whole video: minutes, where the default limits allow seconds.
@shared_task(
    name="usage_requests.output_label",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=10,
    max_retries=5,
    soft_time_limit=540,
    time_limit=600,
)
def output_label(output_id: int) -> None:
    """The labelled copy of an approved output (``output_labelled_make``)."""
    output_labelled_make(output_id=output_id)


@shared_task(name="usage_requests.requeue_unlabelled_outputs")
def requeue_unlabelled_outputs() -> int:
    return outputs_labelling_requeue()


@shared_task(name="usage_requests.webhooks_deliver", soft_time_limit=120, time_limit=150)
def deliver_webhooks(endpoint_id: int) -> int:
    """Send the due deliveries of one webhook endpoint (its lease keeps it to
    one sender; running twice sends nothing twice)."""
    return webhook_endpoint_deliver(endpoint_id=endpoint_id)


@shared_task(name="usage_requests.webhooks_requeue")
def requeue_webhooks() -> int:
    """Queue the sending of every endpoint with deliveries due: retries whose
    time came, and deliveries whose task was lost."""
    return webhook_endpoints_requeue_due()


@shared_task(name="usage_requests.remind_output_reviews")
def remind_output_reviews() -> int:
    return outputs_remind_due()
