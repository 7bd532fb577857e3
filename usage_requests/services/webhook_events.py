"""Which contract events creators' webhooks hear about, and the delivery
rows that record them.

A move records its deliveries in its own transaction (a rolled-back move
sends nothing); the sending task of each endpoint is queued once it
commits. Recipients are the active endpoints of the contract's creator's
user that subscribe to the event's type.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from usage_requests.models import (
    TEST_EVENT_TYPE,
    Contract,
    ContractEvent,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
)

EVENT_TYPE_OF_KIND: dict[str, str] = {
    ContractEvent.Kind.ACTIVATED: WebhookEventType.LICENCE_ACTIVATED,
    ContractEvent.Kind.SUSPENDED: WebhookEventType.LICENCE_SUSPENDED,
    ContractEvent.Kind.REINSTATED: WebhookEventType.LICENCE_REINSTATED,
    ContractEvent.Kind.REVOKED: WebhookEventType.LICENCE_REVOKED,
    ContractEvent.Kind.VOIDED: WebhookEventType.LICENCE_VOIDED,
    ContractEvent.Kind.COMPLETED: WebhookEventType.LICENCE_COMPLETED,
    ContractEvent.Kind.CANCELLED: WebhookEventType.LICENCE_CANCELLED,
    ContractEvent.Kind.OUTPUT_APPROVED: WebhookEventType.OUTPUT_APPROVED,
    ContractEvent.Kind.OUTPUT_REJECTED: WebhookEventType.OUTPUT_REJECTED,
}
OUTPUT_STATUS_OF_KIND: dict[str, str] = {
    ContractEvent.Kind.OUTPUT_APPROVED: "approved",
    ContractEvent.Kind.OUTPUT_REJECTED: "rejected",
}


def queue_deliveries(endpoint_id: int) -> bool:
    """Queue the sending task of one endpoint; never raises. When the broker
    does not answer, the beat sweep (``webhook_endpoints_requeue_due``)
    finds the due deliveries within a minute."""
    # usage_requests.tasks imports the services (its tasks call them); the
    # task is looked up here, at call time, to break that cycle.
    from usage_requests.tasks import deliver_webhooks

    try:
        deliver_webhooks.delay(endpoint_id)
    except Exception:  # noqa: BLE001 - whatever the broker raised, the sweep catches up
        return False
    return True


def queue_on_commit(endpoint_ids: Iterable[int]) -> None:
    for endpoint_id in sorted(set(endpoint_ids)):
        transaction.on_commit(partial(queue_deliveries, endpoint_id))


def envelope(event_id: uuid.UUID, event_type: str, occurred_at: datetime, data: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(event_id), "type": event_type, "occurred_at": occurred_at.isoformat(), "data": data}


def licence_data(*, contract_id: int, licence_code: str, status: str, project: str, actor: str) -> dict[str, Any]:
    """What every licence and output event says about its contract."""
    return {
        "licence_code": licence_code,
        "contract_id": contract_id,
        "status": status,
        "verify_url": settings.SITE_URL + reverse("usage_requests:verify_code", args=[licence_code]),
        "project": project,
        "actor": actor,
    }


def output_data(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The ``output`` part of an output event, from its timeline row's data."""
    return {
        "id": data.get("output"),
        "shot": data.get("shot"),
        "sha256": data.get("sha256", ""),
        "version": data.get("version"),
        "status": OUTPUT_STATUS_OF_KIND[kind],
        "note": data.get("note", ""),
    }


def _subscribed(endpoints: Iterable[WebhookEndpoint], event_type: str) -> list[WebhookEndpoint]:
    return [endpoint for endpoint in endpoints if event_type in endpoint.events]


def _delivery(
    endpoint: WebhookEndpoint, event_type: str, occurred_at: datetime, data: dict[str, Any], **fields: Any
) -> WebhookDelivery:
    event_id = uuid.uuid4()
    return WebhookDelivery(
        endpoint=endpoint,
        event_id=event_id,
        event_type=event_type,
        payload=envelope(event_id, event_type, occurred_at, data),
        occurred_at=occurred_at,
        next_attempt_at=occurred_at,
        **fields,
    )


def webhook_deliveries_record(event: ContractEvent) -> list[WebhookDelivery]:
    """The deliveries of one contract event (``record_contract_event`` calls
    this in the move's transaction); none when its kind is not a webhook
    event or nobody listens."""
    event_type = EVENT_TYPE_OF_KIND.get(event.kind)
    if event_type is None:
        return []
    contract = event.contract
    listening = WebhookEndpoint.objects.filter(owner__creator_profile=contract.creator_id, active=True)
    endpoints = _subscribed(listening, event_type)
    if not endpoints:
        return []
    data = licence_data(
        contract_id=contract.pk,
        licence_code=contract.licence_code,
        status=contract.status,
        project=contract.project.title,
        actor=contract.actor.stage_name,
    )
    if event.kind in OUTPUT_STATUS_OF_KIND:
        data["output"] = output_data(event.kind, event.data)
    deliveries = WebhookDelivery.objects.bulk_create(
        _delivery(endpoint, event_type, event.created_at, data, contract=contract) for endpoint in endpoints
    )
    queue_on_commit(endpoint.pk for endpoint in endpoints)
    return deliveries


def webhook_deliveries_record_many(*, contract_ids: list[int], kind: str, occurred_at: datetime) -> int:
    """The deliveries of a sweep's ``kind`` events on ``contract_ids``, set
    based: one query for the endpoints of every creator involved (nothing
    more when there are none), one for the contracts, one ``bulk_create``. Call it in the sweep's chunk
    transaction. Returns how many deliveries were recorded."""
    event_type = EVENT_TYPE_OF_KIND.get(kind)
    if event_type is None or not contract_ids:
        return 0
    listening = WebhookEndpoint.objects.filter(active=True, owner__creator_profile__contracts__in=contract_ids)
    by_owner: dict[int, list[WebhookEndpoint]] = defaultdict(list)
    for endpoint in _subscribed(listening.distinct().order_by("pk"), event_type):
        by_owner[endpoint.owner_id].append(endpoint)
    if not by_owner:
        return 0
    rows = Contract.objects.filter(pk__in=contract_ids, creator__user_id__in=by_owner).values(
        "pk", "licence_code", "status", "project__title", "actor__stage_name", "creator__user_id"
    )
    deliveries = [
        _delivery(
            endpoint,
            event_type,
            occurred_at,
            licence_data(
                contract_id=row["pk"],
                licence_code=row["licence_code"],
                status=row["status"],
                project=row["project__title"],
                actor=row["actor__stage_name"],
            ),
            contract_id=row["pk"],
        )
        for row in rows
        for endpoint in by_owner.get(row["creator__user_id"], [])
    ]
    WebhookDelivery.objects.bulk_create(deliveries)
    queue_on_commit(delivery.endpoint_id for delivery in deliveries)
    return len(deliveries)


def webhook_ping_record(endpoint: WebhookEndpoint, *, occurred_at: datetime) -> WebhookDelivery:
    """A ``webhook.test`` ping for ``endpoint``, queued on commit."""
    data = {"endpoint_id": endpoint.pk, "message": "This is a test event from ConsentCast."}
    delivery: WebhookDelivery = _delivery(endpoint, TEST_EVENT_TYPE, occurred_at, data)
    delivery.save()
    queue_on_commit([endpoint.pk])
    return delivery
