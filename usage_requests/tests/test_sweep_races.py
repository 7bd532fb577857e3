"""The set-based sweeps racing on PostgreSQL, from real threads with their own
connections: two sweeps at once (each with its own claimers) over requests
spanning many chunks change each row once, with one event row and one
notification per party; a row a user's move holds is left to that move,
without waiting for it."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from marketplace.models import Notification
from tests.race import race
from usage_requests import notifications as kinds
from usage_requests.models import (
    Contract,
    ContractEvent,
    ContractStatus,
    RequestEvent,
    RequestStatus,
    UsageRequest,
)
from usage_requests.services import (
    contracts_cancel_unsigned,
    contracts_complete_ended,
    sweeps,
    usage_requests_expire_due,
    usage_requests_remind_due,
)
from usage_requests.tests.factories import accepted_contract, open_actor, send_request

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REQUESTS = 24


@pytest.fixture
def parties(actor, creator):
    return open_actor(actor.actor_profile), creator.creator_profile


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of three rows: two sweeps of two claimers each meet on many
    chunks, not one."""
    monkeypatch.setattr(sweeps, "CHUNK", 3)


def sent(parties, count: int) -> list[UsageRequest]:
    actor_profile, creator_profile = parties
    return [send_request(actor=actor_profile, creator=creator_profile, shots=1) for _ in range(count)]


def notifications_per_recipient(event_key: str) -> Counter:
    return Counter(Notification.objects.filter(event_key=event_key).values_list("recipient_id", flat=True))


def test_two_expiry_sweeps_at_once_expire_each_request_once_with_one_event_and_one_notification_per_party(
    parties, actor, creator, small_chunks, mailoutbox
):
    requests = sent(parties, REQUESTS)
    UsageRequest.objects.filter(pk__in=[r.pk for r in requests]).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    now = timezone.now()

    outcomes = race(*[lambda: usage_requests_expire_due(now=now)] * 2)

    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert sum(claimed for _, claimed in outcomes) == REQUESTS
    for request in requests:
        request.refresh_from_db()
        assert request.status == RequestStatus.EXPIRED
        assert RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.EXPIRED).count() == 1
        assert notifications_per_recipient(f"usage_request:{request.pk}:expired") == {actor.pk: 1, creator.pk: 1}
    # Each email once: the batches were queued after the commits, once each.
    expiry_mails = [mail.to[0] for mail in mailoutbox if "expired" in mail.subject]
    assert Counter(expiry_mails) == {actor.email: REQUESTS, creator.email: REQUESTS}


def test_two_reminder_sweeps_at_once_remind_each_request_once(parties, actor, small_chunks):
    requests = sent(parties, REQUESTS)
    deadline = timezone.now() + timedelta(hours=3)
    UsageRequest.objects.filter(pk__in=[r.pk for r in requests]).update(expires_at=deadline)
    now = timezone.now()

    outcomes = race(*[lambda: usage_requests_remind_due(now=now)] * 2)

    assert sum(claimed for _, claimed in outcomes) == REQUESTS, outcomes
    for request in requests:
        assert RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.REMINDED).count() == 1
        key = f"usage_request:{request.pk}:reminder:{int(deadline.timestamp())}"
        assert notifications_per_recipient(key) == {actor.pk: 1}


@pytest.mark.parametrize(
    ("sweep", "prepare", "status", "event", "kind"),
    [
        (
            contracts_cancel_unsigned,
            {},
            ContractStatus.CANCELLED,
            ContractEvent.Kind.CANCELLED,
            kinds.CONTRACT_CANCELLED,
        ),
        (
            contracts_complete_ended,
            {"status": ContractStatus.ACTIVE},
            ContractStatus.COMPLETED,
            ContractEvent.Kind.COMPLETED,
            kinds.CONTRACT_COMPLETED,
        ),
    ],
)
def test_two_contract_sweeps_at_once_close_each_contract_once(
    parties, actor, creator, monkeypatch, sweep, prepare, status, event, kind
):
    monkeypatch.setattr(sweeps, "CHUNK", 2)
    actor_profile, creator_profile = parties
    contracts = [accepted_contract(actor=actor_profile, creator=creator_profile) for _ in range(5)]
    # Past the signing deadline, and (for the completion sweep) active with a
    # term that ended yesterday.
    Contract.objects.filter(pk__in=[c.pk for c in contracts]).update(
        sign_deadline=timezone.now() - timedelta(minutes=1), **prepare
    )
    if prepare:
        yesterday = timezone.localdate() - timedelta(days=1)
        Contract.objects.filter(pk__in=[c.pk for c in contracts]).update(
            term_start=yesterday - timedelta(days=30), term_end=yesterday
        )

    outcomes = race(sweep, sweep)

    assert sum(claimed for _, claimed in outcomes) == len(contracts), outcomes
    for contract in contracts:
        contract.refresh_from_db()
        assert contract.status == status
        assert ContractEvent.objects.filter(contract=contract, kind=event).count() == 1
        assert Counter(
            Notification.objects.filter(kind=kind.key, target_id=contract.pk).values_list("recipient_id", flat=True)
        ) == {actor.pk: 1, creator.pk: 1}


def test_a_request_a_move_holds_is_left_to_the_move_and_not_waited_for(parties):
    held, free = sent(parties, 2)
    UsageRequest.objects.filter(pk__in=[held.pk, free.pk]).update(expires_at=timezone.now() - timedelta(minutes=1))
    locked, release = threading.Event(), threading.Event()

    def a_users_move():
        # As every move does: the row locked for the rest of its transaction.
        with transaction.atomic():
            UsageRequest.objects.select_for_update().get(pk=held.pk)
            locked.set()
            assert release.wait(timeout=30)

    def the_sweep():
        assert locked.wait(timeout=30)
        try:
            return usage_requests_expire_due()
        finally:
            release.set()

    move, sweep = race(a_users_move, the_sweep)

    assert move[0] == "ok", move
    assert sweep == ("ok", 1)
    held.refresh_from_db()
    free.refresh_from_db()
    assert (held.status, free.status) == (RequestStatus.PENDING, RequestStatus.EXPIRED)
    # The move let go without expiring it: the next run does.
    assert usage_requests_expire_due() == 1
    held.refresh_from_db()
    assert held.status == RequestStatus.EXPIRED
