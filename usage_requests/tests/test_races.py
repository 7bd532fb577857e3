"""Races on PostgreSQL: two moves on one request at the same instant, from
real threads with their own connections. Each race is run several times;
whichever side wins, the outcome is one consistent state."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.exceptions import InvalidTransition
from marketplace.models import Notification
from tests.race import race
from usage_requests.models import Contract, RequestEvent, RequestStatus, UsageRequest
from usage_requests.services import (
    DuplicateOpenRequest,
    usage_request_accept,
    usage_request_send,
    usage_request_withdraw,
    usage_requests_expire_due,
)
from usage_requests.tests.factories import (
    GOOD_TERMS,
    decide_all,
    open_actor,
    project_with_shots,
    send_request,
    term_dates,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ITERATIONS = 5


@pytest.fixture
def parties(actor, creator):
    return open_actor(actor.actor_profile), creator.creator_profile


def ready_to_accept(parties) -> UsageRequest:
    actor_profile, creator_profile = parties
    request = send_request(actor=actor_profile, creator=creator_profile)
    decide_all(request)
    return request


def test_two_accepts_at_once_make_one_contract(parties, actor):
    for _ in range(ITERATIONS):
        request = ready_to_accept(parties)

        def accept(request=request):
            return usage_request_accept(request=request, user=actor, terms_version=1)

        outcomes = race(accept, accept)

        kinds = sorted(kind for kind, _ in outcomes)
        assert kinds == ["error", "ok"], outcomes
        (error,) = [value for kind, value in outcomes if kind == "error"]
        assert isinstance(error, InvalidTransition)
        assert Contract.objects.filter(request=request).count() == 1
        assert RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.ACCEPTED).count() == 1
        request.refresh_from_db()
        assert request.status == RequestStatus.ACCEPTED


def test_accept_against_the_expiry_sweep_ends_accepted_or_expired_never_both(parties, actor):
    for _ in range(ITERATIONS):
        request = ready_to_accept(parties)
        # The deadline is now: the actor is still (just) in time, and the
        # sweep, running with a clock a moment later, finds it due.
        deadline = timezone.now() + timedelta(seconds=2)
        UsageRequest.objects.filter(pk=request.pk).update(expires_at=deadline)
        after = deadline + timedelta(seconds=1)

        outcomes = race(
            lambda request=request: usage_request_accept(request=request, user=actor, terms_version=1),
            lambda after=after: usage_requests_expire_due(now=after),
        )

        request.refresh_from_db()
        accepted_events = RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.ACCEPTED).count()
        expired_events = RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.EXPIRED).count()
        expired_notes = Notification.objects.filter(event_key=f"usage_request:{request.pk}:expired").count()
        has_contract = Contract.objects.filter(request=request).exists()
        if request.status == RequestStatus.ACCEPTED:
            assert outcomes[0][0] == "ok", outcomes
            assert outcomes[1] == ("ok", 0), outcomes
            assert (has_contract, accepted_events, expired_events, expired_notes) == (True, 1, 0, 0)
        else:
            assert request.status == RequestStatus.EXPIRED
            assert outcomes[1] == ("ok", 1), outcomes
            assert isinstance(outcomes[0][1], InvalidTransition), outcomes
            assert (has_contract, accepted_events, expired_events, expired_notes) == (False, 0, 1, 2)


def test_accept_against_withdraw_only_one_wins(parties, actor, creator):
    for _ in range(ITERATIONS):
        request = ready_to_accept(parties)

        outcomes = race(
            lambda request=request: usage_request_accept(request=request, user=actor, terms_version=1),
            lambda request=request: usage_request_withdraw(request=request, user=creator, reason="Recast"),
        )

        assert sorted(kind for kind, _ in outcomes) == ["error", "ok"], outcomes
        (error,) = [value for kind, value in outcomes if kind == "error"]
        assert isinstance(error, InvalidTransition)
        request.refresh_from_db()
        closing = RequestEvent.objects.filter(
            request=request, kind__in=[RequestEvent.Kind.ACCEPTED, RequestEvent.Kind.WITHDRAWN]
        )
        assert closing.count() == 1
        if request.status == RequestStatus.ACCEPTED:
            assert outcomes[0][0] == "ok"
            assert Contract.objects.filter(request=request).count() == 1
        else:
            assert request.status == RequestStatus.WITHDRAWN
            assert outcomes[1][0] == "ok"
            assert not Contract.objects.filter(request=request).exists()


def test_two_expiry_sweeps_at_once_expire_and_notify_each_request_once(parties):
    actor_profile, creator_profile = parties
    for _ in range(ITERATIONS):
        requests = [send_request(actor=actor_profile, creator=creator_profile, shots=1) for _ in range(4)]
        past = timezone.now() - timedelta(minutes=1)
        UsageRequest.objects.filter(pk__in=[r.pk for r in requests]).update(expires_at=past)
        now = timezone.now()

        outcomes = race(*[lambda now=now: usage_requests_expire_due(now=now)] * 2)

        assert all(kind == "ok" for kind, _ in outcomes), outcomes
        assert sum(value for _, value in outcomes) == len(requests)
        for request in requests:
            request.refresh_from_db()
            assert request.status == RequestStatus.EXPIRED
            assert RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.EXPIRED).count() == 1
            assert Notification.objects.filter(event_key=f"usage_request:{request.pk}:expired").count() == 2


def test_two_sends_of_the_same_actor_and_project_make_one_request(parties):
    actor_profile, creator_profile = parties
    for _ in range(ITERATIONS):
        project, shots = project_with_shots(creator_profile, 2)

        def send(project=project, shots=shots):
            return usage_request_send(
                creator=creator_profile,
                actor=actor_profile,
                project=project,
                shots=shots,
                **GOOD_TERMS,
                **term_dates(),
            )

        outcomes = race(send, send)

        assert sorted(kind for kind, _ in outcomes) == ["error", "ok"], outcomes
        (winner,) = [value for kind, value in outcomes if kind == "ok"]
        (error,) = [value for kind, value in outcomes if kind == "error"]
        assert isinstance(error, DuplicateOpenRequest)
        assert error.existing == winner
        assert list(UsageRequest.objects.filter(project=project)) == [winner]
        assert winner.request_shots.count() == 2
