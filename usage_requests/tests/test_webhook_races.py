"""Two sending runs of one endpoint at the same instant, from real threads
with their own PostgreSQL connections: the endpoint's lease keeps them to
one sender, so each delivery reaches the receiver once."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.race import race
from usage_requests.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from usage_requests.services.webhooks import webhook_endpoint_deliver
from usage_requests.tests.receiver import start_receiver

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ITERATIONS = 3
EVENTS = 5


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    receiver = start_receiver()
    receiver.delay = 0.02
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def queued_events(endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    start = timezone.now()
    deliveries = []
    for index in range(EVENTS):
        event_id = uuid.uuid4()
        occurred_at = start + timedelta(milliseconds=index)
        deliveries.append(
            WebhookDelivery.objects.create(
                endpoint=endpoint,
                event_id=event_id,
                event_type="licence.activated",
                payload={"id": str(event_id), "type": "licence.activated", "data": {"n": index}},
                occurred_at=occurred_at,
                next_attempt_at=occurred_at,
            )
        )
    return deliveries


def test_two_runs_at_once_send_each_delivery_once_and_in_order(creator, receiver):
    endpoint = WebhookEndpoint.objects.create(owner=creator, url=receiver.url)
    for _ in range(ITERATIONS):
        receiver.requests.clear()
        deliveries = queued_events(endpoint)

        def deliver():
            return webhook_endpoint_deliver(endpoint_id=endpoint.pk)

        outcomes = race(deliver, deliver)

        assert all(kind == "ok" for kind, _ in outcomes), outcomes
        assert sum(sent for _, sent in outcomes) == EVENTS
        assert [r.event_id for r in receiver.requests] == [str(d.event_id) for d in deliveries]
        assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {WebhookDeliveryStatus.SUCCEEDED}
        assert WebhookEndpoint.objects.get(pk=endpoint.pk).lease_until is None


def test_a_run_waits_for_a_lease_another_holds(creator, receiver):
    endpoint = WebhookEndpoint.objects.create(owner=creator, url=receiver.url)
    queued_events(endpoint)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(lease_until=timezone.now() + timedelta(seconds=60))

    assert webhook_endpoint_deliver(endpoint_id=endpoint.pk) == 0
    assert receiver.requests == []
