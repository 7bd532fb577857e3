"""The periodic sweeps under a controlled clock: expiry, reminders, unsigned
contracts, ended contracts and the message digest."""

from collections import Counter
from datetime import datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import timezone

from marketplace.models import Notification
from usage_requests import notifications as kinds
from usage_requests.models import ContractEvent, ContractStatus, RequestEvent, RequestStatus, UsageRequest
from usage_requests.services import (
    contracts_cancel_unsigned,
    contracts_complete_ended,
    message_digests_send,
    message_send,
    sweeps,
    thread_mark_read,
    usage_request_counter,
    usage_requests_expire_due,
    usage_requests_remind_due,
)
from usage_requests.services.contracts import contract_params, contract_url
from usage_requests.services.requests import notification_params, request_url
from usage_requests.tests.factories import (
    GOOD_TERMS,
    accepted_contract,
    active_contract,
    open_actor,
    send_request,
    term_dates,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor_profile(actor):
    return open_actor(actor.actor_profile)


@pytest.fixture
def pending(actor_profile, creator):
    return send_request(actor=actor_profile, creator=creator.creator_profile)


@pytest.fixture
def countered(actor_profile, creator):
    request = send_request(actor=actor_profile, creator=creator.creator_profile)
    usage_request_counter(
        request=request,
        user=actor_profile.user,
        terms_version=1,
        **{**GOOD_TERMS, **term_dates(), "fee": Decimal(6000)},
    )
    request.refresh_from_db()
    return request


def kinds_for(user) -> Counter:
    return Counter(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


# --- expiry ------------------------------------------------------------------


def test_expiry_sweep_expires_pending_and_countered_requests_and_tells_both_once(
    pending, countered, actor, creator, django_capture_on_commit_callbacks, mailoutbox
):
    after = max(pending.expires_at, countered.expires_at) + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert usage_requests_expire_due(now=after) == 2

    for request in (pending, countered):
        request.refresh_from_db()
        assert request.status == RequestStatus.EXPIRED
        assert request.closed_at is not None
        assert request.events.filter(kind=RequestEvent.Kind.EXPIRED).count() == 1
        assert set(
            Notification.objects.filter(event_key=f"usage_request:{request.pk}:expired").values_list(
                "recipient", flat=True
            )
        ) == {actor.pk, creator.pk}
    assert kinds_for(actor)[kinds.REQUEST_EXPIRED.key] == 2
    assert kinds_for(creator)[kinds.REQUEST_EXPIRED.key] == 2
    expiry_mails = [m for m in mailoutbox if "expired" in m.subject]
    assert sorted(m.to[0] for m in expiry_mails) == sorted([actor.email, creator.email] * 2)

    notifications, events = Notification.objects.count(), RequestEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert usage_requests_expire_due(now=after + timedelta(hours=1)) == 0
    assert (Notification.objects.count(), RequestEvent.objects.count()) == (notifications, events)
    assert len([m for m in mailoutbox if "expired" in m.subject]) == 4


def test_expiry_sweep_leaves_requests_not_yet_due(pending):
    assert usage_requests_expire_due(now=pending.expires_at - timedelta(seconds=1)) == 0
    pending.refresh_from_db()
    assert pending.status == RequestStatus.PENDING
    assert not Notification.objects.filter(kind=kinds.REQUEST_EXPIRED.key).exists()


def test_expiry_sweep_under_time_machine_uses_the_clock(pending):
    with time_machine.travel(pending.expires_at + timedelta(seconds=5), tick=False):
        assert usage_requests_expire_due() == 1
    pending.refresh_from_db()
    assert pending.status == RequestStatus.EXPIRED


# --- reminders ---------------------------------------------------------------


def test_reminder_goes_to_the_actor_for_a_pending_request_once(pending, actor, creator):
    now = pending.expires_at - timedelta(hours=23)
    assert usage_requests_remind_due(now=now) == 1
    assert usage_requests_remind_due(now=now + timedelta(hours=1)) == 0
    assert kinds_for(actor)[kinds.REQUEST_REMINDER.key] == 1
    assert kinds_for(creator)[kinds.REQUEST_REMINDER.key] == 0
    assert pending.events.filter(kind=RequestEvent.Kind.REMINDED, data__to="actor").count() == 1


def test_reminder_goes_to_the_creator_for_a_countered_request_once(countered, actor, creator):
    now = countered.expires_at - timedelta(hours=2)
    assert usage_requests_remind_due(now=now) == 1
    assert usage_requests_remind_due(now=now) == 0
    assert kinds_for(creator)[kinds.REQUEST_REMINDER.key] == 1
    assert kinds_for(actor)[kinds.REQUEST_REMINDER.key] == 0


def test_no_reminder_more_than_a_day_before_the_deadline(pending):
    assert usage_requests_remind_due(now=pending.expires_at - timedelta(hours=25)) == 0
    assert not Notification.objects.filter(kind=kinds.REQUEST_REMINDER.key).exists()


# --- contracts ---------------------------------------------------------------


def test_unsigned_contract_is_cancelled_after_the_signing_days(actor_profile, actor, creator, settings):
    contract = accepted_contract(actor=actor_profile, creator=creator.creator_profile)
    contract.request.refresh_from_db()
    assert contract.sign_deadline - contract.request.closed_at == timedelta(days=settings.CONTRACT_SIGN_DAYS)
    assert contracts_cancel_unsigned(now=contract.sign_deadline - timedelta(seconds=1)) == 0
    with time_machine.travel(contract.sign_deadline + timedelta(seconds=1), tick=False):
        assert contracts_cancel_unsigned() == 1
        assert contracts_cancel_unsigned() == 0
    contract.refresh_from_db()
    assert contract.status == ContractStatus.CANCELLED
    assert contract.events.filter(kind=ContractEvent.Kind.CANCELLED).count() == 1
    assert set(Notification.objects.filter(kind=kinds.CONTRACT_CANCELLED.key).values_list("recipient", flat=True)) == {
        actor.pk,
        creator.pk,
    }


def test_active_contract_is_completed_after_its_last_day(actor_profile, actor, creator):
    contract = active_contract(actor=actor_profile, creator=creator.creator_profile)
    last_day = timezone.make_aware(datetime.combine(contract.term_end, time(23, 0)))
    assert contracts_complete_ended(now=last_day) == 0
    assert contracts_complete_ended(now=last_day + timedelta(hours=2)) == 1
    assert contracts_complete_ended(now=last_day + timedelta(days=3)) == 0
    contract.refresh_from_db()
    assert contract.status == ContractStatus.COMPLETED
    assert contract.ended_at is not None
    assert set(Notification.objects.filter(kind=kinds.CONTRACT_COMPLETED.key).values_list("recipient", flat=True)) == {
        actor.pk,
        creator.pk,
    }


# --- message digest ------------------------------------------------------------


def digests_for(user) -> int:
    return Notification.objects.filter(recipient=user, kind=kinds.MESSAGES_DIGEST.key).count()


def test_message_unread_for_ten_minutes_makes_one_digest_and_a_newer_message_another(pending, actor, creator):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        message_send(request=pending, user=creator, body="Hello, are you free in May?")
        clock.shift(timedelta(minutes=9))
        assert message_digests_send() == 0
        clock.shift(timedelta(minutes=1, seconds=1))
        assert message_digests_send() == 1
        assert digests_for(actor) == 1
        assert digests_for(creator) == 0
        clock.shift(timedelta(minutes=5))
        assert message_digests_send() == 0
        assert digests_for(actor) == 1

        message_send(request=pending, user=creator, body="One more thing.")
        clock.shift(timedelta(minutes=11))
        assert message_digests_send() == 1
        assert digests_for(actor) == 2
        assert message_digests_send() == 0


def test_reading_the_thread_before_ten_minutes_means_no_digest(pending, actor, creator):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        message_send(request=pending, user=creator, body="Hello")
        clock.shift(timedelta(minutes=5))
        thread_mark_read(request=pending, user=actor)
        clock.shift(timedelta(minutes=30))
        assert message_digests_send() == 0
    assert digests_for(actor) == 0


def test_three_unread_messages_make_one_digest_counting_them(pending, actor, creator):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for body in ("One", "Two", "Three"):
            message_send(request=pending, user=creator, body=body)
            clock.shift(timedelta(seconds=30))
        clock.shift(timedelta(minutes=15))
        assert message_digests_send() == 1
        assert message_digests_send() == 0
    (digest,) = Notification.objects.filter(kind=kinds.MESSAGES_DIGEST.key)
    assert digest.recipient == actor
    assert digest.params["count"] == 3


def test_answering_a_message_counts_as_reading_it(pending, actor, creator):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        message_send(request=pending, user=creator, body="Question?")
        clock.shift(timedelta(minutes=2))
        message_send(request=pending, user=actor, body="Answer.")
        clock.shift(timedelta(minutes=30))
        assert message_digests_send() == 1  # the creator's, about the answer
    assert digests_for(actor) == 0
    assert digests_for(creator) == 1


# --- Set-based sweeps: chunks, the run's time, what the notifications say ------------


@pytest.fixture
def five_due(actor_profile, creator):
    requests = [send_request(actor=actor_profile, creator=creator.creator_profile, shots=1) for _ in range(5)]
    UsageRequest.objects.filter(pk__in=[r.pk for r in requests]).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    return requests


def test_expiry_sweep_claims_chunk_after_chunk_each_request_once(five_due, actor, creator, monkeypatch):
    monkeypatch.setattr(sweeps, "CHUNK", 2)
    assert usage_requests_expire_due() == 5
    assert usage_requests_expire_due() == 0
    for request in five_due:
        request.refresh_from_db()
        assert request.status == RequestStatus.EXPIRED
        assert request.events.filter(kind=RequestEvent.Kind.EXPIRED).count() == 1
    assert kinds_for(actor)[kinds.REQUEST_EXPIRED.key] == 5
    assert kinds_for(creator)[kinds.REQUEST_EXPIRED.key] == 5


def test_a_run_whose_time_is_up_takes_no_more_chunks_and_the_next_run_carries_on(five_due, monkeypatch):
    monkeypatch.setattr(sweeps, "CHUNK", 2)
    # The run starts at 0 s, still in time for a first chunk; then its time is up.
    clock, real_clock = iter([0.0, 0.0, sweeps.RUN_SECONDS]), sweeps.time
    monkeypatch.setattr(sweeps, "time", SimpleNamespace(monotonic=lambda: next(clock)))
    assert usage_requests_expire_due() == 2
    monkeypatch.setattr(sweeps, "time", real_clock)
    assert usage_requests_expire_due() == 3
    assert UsageRequest.objects.filter(status=RequestStatus.EXPIRED).count() == 5


def test_sweep_notifications_read_as_those_of_a_move(pending, actor):
    usage_requests_expire_due(now=pending.expires_at + timedelta(seconds=1))
    pending.refresh_from_db()
    notification = Notification.objects.get(recipient=actor, kind=kinds.REQUEST_EXPIRED.key)
    assert notification.params == notification_params(pending)
    assert notification.url == request_url(pending)
    assert notification.target == pending


def test_contract_sweep_notifications_read_as_those_of_a_move(actor_profile, actor, creator):
    contract = accepted_contract(actor=actor_profile, creator=creator.creator_profile)
    assert contracts_cancel_unsigned(now=contract.sign_deadline + timedelta(seconds=1)) == 1
    contract.refresh_from_db()
    notification = Notification.objects.get(recipient=creator, kind=kinds.CONTRACT_CANCELLED.key)
    assert notification.event_key == f"contract:{contract.pk}:cancelled"
    assert notification.params == contract_params(contract)
    assert notification.url == contract_url(contract)
    assert notification.target == contract
    assert contract.events.get(kind=ContractEvent.Kind.CANCELLED).by_party == "platform"
