"""Platform closings: an actor leaving the roster and a suspended account
decline open requests; signed contracts are left alone."""

from decimal import Decimal

import pytest

from actors.services import actor_opt_out
from marketplace.models import Notification
from usage_requests import notifications as kinds
from usage_requests.models import ContractStatus, RequestEvent, RequestStatus
from usage_requests.services import usage_request_counter, usage_requests_decline_for_user
from usage_requests.tests.factories import GOOD_TERMS, active_contract, open_actor, send_request, term_dates

pytestmark = pytest.mark.django_db


def declined_recipients(request) -> set[int]:
    return set(
        Notification.objects.filter(
            kind=kinds.REQUEST_DECLINED.key, event_key=f"usage_request:{request.pk}:declined"
        ).values_list("recipient", flat=True)
    )


@pytest.fixture
def book(actor, creator):
    """The actor's pending and countered requests and an active contract."""
    profile = open_actor(actor.actor_profile)
    studio = creator.creator_profile
    contract = active_contract(actor=profile, creator=studio)
    pending = send_request(actor=profile, creator=studio)
    countered = send_request(actor=profile, creator=studio)
    usage_request_counter(
        request=countered, user=actor, terms_version=1, **{**GOOD_TERMS, **term_dates(), "fee": Decimal(6000)}
    )
    return profile, pending, countered, contract


def test_actor_opt_out_declines_pending_and_countered_requests_and_tells_both(book, actor, creator):
    profile, pending, countered, _contract = book
    actor_opt_out(actor=profile)
    for request in (pending, countered):
        request.refresh_from_db()
        assert request.status == RequestStatus.DECLINED
        assert request.events.filter(kind=RequestEvent.Kind.DECLINED, data__cause="actor_opted_out").count() == 1
        assert declined_recipients(request) == {actor.pk, creator.pk}


def test_actor_opt_out_leaves_an_active_contract_active(book):
    profile, _pending, _countered, contract = book
    actor_opt_out(actor=profile)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    contract.request.refresh_from_db()
    assert contract.request.status == RequestStatus.ACCEPTED


def test_suspending_a_creator_declines_every_request_they_are_party_of(book, actor, creator, other_actor):
    _profile, pending, countered, contract = book
    elsewhere = send_request(actor=open_actor(other_actor.actor_profile), creator=creator.creator_profile)
    assert usage_requests_decline_for_user(user=creator, reason="Suspended") == 3
    for request in (pending, countered, elsewhere):
        request.refresh_from_db()
        assert request.status == RequestStatus.DECLINED
        assert request.events.filter(data__cause="account_suspended").count() == 1
    assert declined_recipients(elsewhere) == {other_actor.pk, creator.pk}
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE


def test_suspending_an_actor_declines_their_requests_and_not_others(book, actor, other_actor, other_creator, moderator):
    _profile, pending, countered, _contract = book
    unrelated = send_request(actor=open_actor(other_actor.actor_profile), creator=other_creator.creator_profile)
    assert usage_requests_decline_for_user(user=actor, reason="Suspended", by=moderator) == 2
    for request in (pending, countered):
        request.refresh_from_db()
        assert request.status == RequestStatus.DECLINED
        assert request.events.get(kind=RequestEvent.Kind.DECLINED).by_party == "moderator"
    unrelated.refresh_from_db()
    assert unrelated.status == RequestStatus.PENDING
    assert usage_requests_decline_for_user(user=actor) == 0
