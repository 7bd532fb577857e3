"""Beat sweeps of requests and contracts. Each calls a service that claims
due rows a chunk at a time with one compare-and-set UPDATE, so a sweep that
runs twice (or two beats at once) changes each row once; a run stops taking
chunks after ``sweeps.RUN_SECONDS``, inside the task's time limit, and the
next run carries on."""

from celery import shared_task

from usage_requests.services import (
    contracts_cancel_unsigned,
    contracts_complete_ended,
    message_digests_send,
    outputs_remind_due,
    usage_requests_expire_due,
    usage_requests_remind_due,
)


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


@shared_task(name="usage_requests.remind_output_reviews")
def remind_output_reviews() -> int:
    return outputs_remind_due()
