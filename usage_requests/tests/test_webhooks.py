"""Webhooks end to end against a real HTTP receiver on 127.0.0.1: every
licence and output event arrives signed and in order, a failure is retried
after its backoff with the same event id, a replay resends it, repeated
failures turn the endpoint off and tell its owner, and a rolled-back move
sends nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from marketplace.models import Notification
from usage_requests.models import (
    ContractEvent,
    ContractStatus,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
    WebhookEventType,
)
from usage_requests.services import (
    contract_reinstate,
    contract_revoke,
    contract_suspend,
    contract_void,
    contracts_cancel_unsigned,
    contracts_complete_ended,
)
from usage_requests.services.events import record_contract_event
from usage_requests.services.webhooks import (
    webhook_delivery_replay,
    webhook_endpoint_create,
    webhook_endpoint_enable,
    webhook_endpoint_rotate_secret,
    webhook_endpoints_requeue_due,
    webhook_ping_send,
)
from usage_requests.tests.factories import accepted_contract, active_contract, open_actor
from usage_requests.tests.receiver import start_receiver
from usage_requests.webhook_verify_example import verify_consentcast_webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    receiver = start_receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def hook(creator, receiver):
    endpoint, _secret = webhook_endpoint_create(
        owner=creator, url=receiver.url, description="render farm", events=[e.value for e in WebhookEventType]
    )
    return endpoint


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run a block and then what its transactions queued on commit (the
    delivery tasks run eagerly, as a worker would run them)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def parties(actor, creator):
    return open_actor(actor.actor_profile), creator.creator_profile


def assert_signed(receiver, secret):
    for received in receiver.requests:
        assert verify_consentcast_webhook(secret, received.headers, received.body), received
        assert received.headers["Content-Type"] == "application/json"
        assert received.headers["User-Agent"] == "ConsentCast-Webhooks/1"
        assert received.payload["id"] == received.event_id
        assert received.payload["type"] == received.event_type


def test_every_move_of_a_contract_arrives_signed_and_in_order(parties, actor, hook, receiver, sent):
    actor_profile, creator_profile = parties
    with sent():
        contract = active_contract(actor=actor_profile, creator=creator_profile)
    with sent():
        contract_suspend(contract=contract, by=None, reason="dispute", dispute_id=1)
    with sent():
        contract_reinstate(contract=contract, by=None, dispute_id=1)
    with sent():
        contract_revoke(contract=contract, user=actor, reason="Changed my mind")

    assert receiver.types == ["licence.activated", "licence.suspended", "licence.reinstated", "licence.revoked"]
    assert_signed(receiver, hook.secret)
    assert [r.payload["data"]["status"] for r in receiver.requests] == ["active", "suspended", "active", "revoked"]
    data = receiver.requests[0].payload["data"]
    assert data["licence_code"] == contract.licence_code
    assert data["contract_id"] == contract.pk
    assert data["verify_url"].endswith(f"/verify/{contract.licence_code}/")
    assert data["verify_url"].startswith("http")
    assert data["actor"] == actor_profile.stage_name
    assert data["project"] == contract.project.title
    assert len({r.event_id for r in receiver.requests}) == 4
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {WebhookDeliveryStatus.SUCCEEDED}


def test_a_voided_contract_is_told(parties, hook, receiver, sent):
    actor_profile, creator_profile = parties
    with sent():
        contract = active_contract(actor=actor_profile, creator=creator_profile)
        contract_suspend(contract=contract, by=None, dispute_id=2)
    receiver.requests.clear()
    with sent():
        contract_void(contract=contract, by=None, reason="fraud", dispute_id=2)

    assert receiver.types == ["licence.voided"]
    assert receiver.requests[0].payload["data"]["status"] == ContractStatus.VOIDED


def test_the_sweeps_completed_and_cancelled_contracts_are_told(parties, hook, receiver, sent):
    actor_profile, creator_profile = parties
    ended = active_contract(actor=actor_profile, creator=creator_profile)
    unsigned = accepted_contract(actor=actor_profile, creator=creator_profile)
    with sent():
        contracts_complete_ended(now=timezone.now() + timedelta(days=400))
    with sent():
        contracts_cancel_unsigned(now=timezone.now() + timedelta(days=30))

    by_type = {r.event_type: r.payload["data"] for r in receiver.requests}
    assert by_type["licence.completed"]["contract_id"] == ended.pk
    assert by_type["licence.cancelled"]["contract_id"] == unsigned.pk
    assert by_type["licence.cancelled"]["status"] == ContractStatus.CANCELLED
    assert_signed(receiver, hook.secret)


@pytest.mark.parametrize(
    ("kind", "status", "note"),
    [(ContractEvent.Kind.OUTPUT_APPROVED, "approved", ""), (ContractEvent.Kind.OUTPUT_REJECTED, "rejected", "Eyes")],
)
def test_output_verdicts_are_told_with_the_output(parties, actor, hook, receiver, sent, kind, status, note):
    actor_profile, creator_profile = parties
    with sent():
        contract = active_contract(actor=actor_profile, creator=creator_profile)
    receiver.requests.clear()
    extra = {"note": note} if note else {}
    with sent(), transaction.atomic():
        record_contract_event(
            contract, kind, by=actor, party="actor", output=7, shot=2, sha256="ab" * 32, version=1, **extra
        )

    (received,) = receiver.requests
    assert received.event_type == f"output.{status}"
    assert received.payload["data"]["output"] == {
        "id": 7,
        "shot": 2,
        "sha256": "ab" * 32,
        "version": 1,
        "status": status,
        "note": note,
    }


def test_events_nobody_subscribed_to_are_not_sent(parties, creator, receiver, sent):
    webhook_endpoint_create(owner=creator, url=receiver.url, events=["licence.revoked"])
    actor_profile, creator_profile = parties
    with sent():
        active_contract(actor=actor_profile, creator=creator_profile)

    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_failed_delivery_is_retried_after_its_backoff_and_nothing_overtakes_it(parties, hook, receiver, sent):
    actor_profile, creator_profile = parties
    receiver.fail_next(1)
    with sent():
        contract = active_contract(actor=actor_profile, creator=creator_profile)
    with sent():
        contract_suspend(contract=contract, by=None, dispute_id=3)

    assert receiver.types == ["licence.activated"]
    failed = WebhookDelivery.objects.get(event_type="licence.activated")
    assert failed.status == WebhookDeliveryStatus.FAILED
    assert failed.last_status_code == 500
    assert failed.last_response == "receiver broke"
    assert failed.next_attempt_at > timezone.now() + timedelta(seconds=29)
    with sent():
        assert webhook_endpoints_requeue_due() == 0

    with time_machine.travel(timezone.now() + timedelta(minutes=2)), sent():
        assert webhook_endpoints_requeue_due() == 1

    assert receiver.types == ["licence.activated", "licence.activated", "licence.suspended"]
    assert receiver.requests[0].event_id == receiver.requests[1].event_id == str(failed.event_id)
    assert_signed(receiver, hook.secret)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (WebhookDeliveryStatus.SUCCEEDED, 2)


def test_a_delivery_is_abandoned_after_the_last_attempt_and_the_next_one_goes(parties, hook, receiver, sent, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    actor_profile, creator_profile = parties
    receiver.fail_next(2)
    with sent():
        contract = active_contract(actor=actor_profile, creator=creator_profile)
        contract_suspend(contract=contract, by=None, dispute_id=4)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)), sent():
        webhook_endpoints_requeue_due()

    assert receiver.types == ["licence.activated", "licence.activated", "licence.suspended"]
    statuses = dict(WebhookDelivery.objects.values_list("event_type", "status"))
    assert statuses == {"licence.activated": "abandoned", "licence.suspended": "succeeded"}


def test_a_replay_resends_with_the_same_event_id(parties, hook, receiver, sent):
    actor_profile, creator_profile = parties
    with sent():
        active_contract(actor=actor_profile, creator=creator_profile)
    delivery = WebhookDelivery.objects.get()

    with sent():
        webhook_delivery_replay(delivery=delivery)

    assert [r.event_id for r in receiver.requests] == [str(delivery.event_id)] * 2
    assert receiver.requests[0].body == receiver.requests[1].body
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDeliveryStatus.SUCCEEDED, 1)


def test_repeated_failures_turn_the_endpoint_off_and_tell_the_owner(
    creator, hook, receiver, sent, settings, mailoutbox
):
    settings.WEBHOOK_DISABLE_AFTER = 3
    receiver.fail_next(100, status=503)
    for _ in range(3):
        with sent():
            webhook_ping_send(endpoint=hook)

    hook.refresh_from_db()
    assert not hook.active
    assert hook.disabled_reason == WebhookEndpoint.DisabledReason.FAILURES
    notification = Notification.objects.get(recipient=creator, kind="webhooks.disabled")
    assert "127.0.0.1" in notification.title
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [creator.email]
    assert "127.0.0.1" in mailoutbox[0].subject
    assert len(receiver.requests) == 3


def test_an_endpoint_turned_off_records_nothing_and_sends_what_waits_once_on(
    parties, creator, hook, receiver, sent, settings
):
    settings.WEBHOOK_DISABLE_AFTER = 1
    receiver.fail_next(1)
    actor_profile, creator_profile = parties
    with sent():
        contract = active_contract(actor=actor_profile, creator=creator_profile)
    hook.refresh_from_db()
    assert not hook.active
    with sent():
        contract_suspend(contract=contract, by=None, dispute_id=5)
    assert WebhookDelivery.objects.count() == 1

    with sent():
        webhook_endpoint_enable(endpoint=hook)

    assert receiver.types == ["licence.activated", "licence.activated"]


def test_a_rolled_back_move_records_and_sends_nothing(parties, hook, receiver, sent):
    actor_profile, creator_profile = parties
    with sent():
        contract = active_contract(actor=actor_profile, creator=creator_profile)
    receiver.requests.clear()
    before = WebhookDelivery.objects.count()

    def suspend_then_fail():
        with transaction.atomic():
            contract_suspend(contract=contract, by=None, dispute_id=6)
            raise RuntimeError("the move fails after its event row")

    with sent(), pytest.raises(RuntimeError):
        suspend_then_fail()

    assert WebhookDelivery.objects.count() == before
    assert receiver.requests == []


def test_another_creators_contracts_are_not_sent_to_me(parties, other_creator, receiver, sent):
    webhook_endpoint_create(owner=other_creator, url=receiver.url, events=["licence.activated"])
    actor_profile, creator_profile = parties
    with sent():
        active_contract(actor=actor_profile, creator=creator_profile)

    assert receiver.requests == []


def test_the_verification_example_refuses_a_changed_body_a_wrong_secret_and_an_old_request(hook, receiver, sent):
    with sent():
        webhook_ping_send(endpoint=hook)
    (received,) = receiver.requests
    assert verify_consentcast_webhook(hook.secret, received.headers, received.body)

    assert not verify_consentcast_webhook(hook.secret, received.headers, received.body + b" ")
    assert not verify_consentcast_webhook("whsec_not-the-secret", received.headers, received.body)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert not verify_consentcast_webhook(hook.secret, received.headers, received.body)


def test_a_rotated_secret_signs_the_next_request(hook, receiver, sent):
    old = hook.secret
    new = webhook_endpoint_rotate_secret(endpoint=hook)
    with sent():
        webhook_ping_send(endpoint=hook)

    (received,) = receiver.requests
    assert verify_consentcast_webhook(new, received.headers, received.body)
    assert not verify_consentcast_webhook(old, received.headers, received.body)
