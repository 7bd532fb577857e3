"""The request state machine: every forbidden move refused without a trace,
and the accept / counter paths that are allowed."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from marketplace.exceptions import InvalidTransition
from marketplace.models import Notification
from usage_requests import notifications as kinds
from usage_requests.models import Contract, RequestEvent, RequestStatus, RequestTerms, ShotDecision, UsageRequest
from usage_requests.selectors import usage_requests_for_user
from usage_requests.services import (
    IncompleteDecisions,
    RequestExpired,
    StaleTerms,
    usage_request_accept,
    usage_request_accept_counter,
    usage_request_counter,
    usage_request_decide_shots,
    usage_request_decline,
    usage_request_withdraw,
    usage_requests_expire_due,
)
from usage_requests.tests.factories import GOOD_TERMS, decide_all, open_actor, send_request, term_dates

pytestmark = pytest.mark.django_db

STATUSES = [s.value for s in RequestStatus]
MOVES = ["accept", "decline", "counter", "accept_counter", "withdraw", "decide_shots"]
PARTIES = ["actor", "creator", "stranger"]
# (status, move, party) that the state machine allows; everything else is refused.
ALLOWED = {
    ("pending", "accept", "actor"),
    ("pending", "decline", "actor"),
    ("pending", "counter", "actor"),
    ("pending", "withdraw", "creator"),
    ("pending", "decide_shots", "actor"),
    ("countered", "decline", "creator"),
    ("countered", "accept_counter", "creator"),
    ("countered", "withdraw", "creator"),
}
# Which parties may ever make each move (in some status).
MOVE_PARTIES = {
    "accept": {"actor"},
    "decline": {"actor", "creator"},
    "counter": {"actor"},
    "accept_counter": {"creator"},
    "withdraw": {"creator"},
    "decide_shots": {"actor"},
}
FORBIDDEN = [
    (status, move, party)
    for status in STATUSES
    for move in MOVES
    for party in PARTIES
    if (status, move, party) not in ALLOWED
]


def request_in(status: str, *, actor, creator) -> UsageRequest:
    """A request brought to ``status`` through the real services."""
    request = send_request(actor=actor, creator=creator)
    if status == RequestStatus.COUNTERED:
        usage_request_counter(
            request=request, user=actor.user, terms_version=1, **{**GOOD_TERMS, **term_dates(), "fee": Decimal(6000)}
        )
    elif status == RequestStatus.ACCEPTED:
        decide_all(request)
        usage_request_accept(request=request, user=actor.user, terms_version=1)
    elif status == RequestStatus.DECLINED:
        usage_request_decline(request=request, user=actor.user, reason="Not for me")
    elif status == RequestStatus.WITHDRAWN:
        usage_request_withdraw(request=request, user=creator.user, reason="Recast")
    elif status == RequestStatus.EXPIRED:
        with time_machine.travel(request.expires_at + timedelta(minutes=1), tick=False):
            assert usage_requests_expire_due() == 1
    request.refresh_from_db()
    assert request.status == status
    return request


def make_move(move: str, request: UsageRequest, user) -> None:
    version = request.terms_version
    if move == "accept":
        usage_request_accept(request=request, user=user, terms_version=version)
    elif move == "decline":
        usage_request_decline(request=request, user=user, reason="no")
    elif move == "counter":
        usage_request_counter(
            request=request, user=user, terms_version=version, **{**GOOD_TERMS, **term_dates(), "fee": Decimal(7000)}
        )
    elif move == "accept_counter":
        usage_request_accept_counter(request=request, user=user, terms_version=version)
    elif move == "withdraw":
        usage_request_withdraw(request=request, user=user, reason="no")
    elif move == "decide_shots":
        row = request.request_shots.first()
        usage_request_decide_shots(request=request, user=user, decisions={row.pk: (ShotDecision.APPROVED, "")})


def state_of(request: UsageRequest) -> tuple:
    request.refresh_from_db()
    return (
        request.status,
        request.terms_version,
        request.events.count(),
        RequestTerms.objects.filter(request=request).count(),
        list(request.request_shots.values_list("decision", flat=True)),
        Contract.objects.filter(request=request).count(),
        Notification.objects.count(),
    )


@pytest.mark.parametrize(("status", "move", "party"), FORBIDDEN)
def test_forbidden_request_move_is_refused_and_changes_nothing(status, move, party, actor, creator, other_creator):
    actor_profile = open_actor(actor.actor_profile)
    request = request_in(status, actor=actor_profile, creator=creator.creator_profile)
    user = {"actor": actor, "creator": creator, "stranger": other_creator}[party]
    before = state_of(request)

    expected: type[Exception]
    if party == "stranger":
        expected = PermissionDenied
        assert not usage_requests_for_user(other_creator).filter(pk=request.pk).exists()
    elif party not in MOVE_PARTIES[move]:
        expected = PermissionDenied
    else:
        expected = InvalidTransition
    with pytest.raises(expected):
        make_move(move, request, user)

    assert state_of(request) == before


def test_parties_see_their_request_through_the_selector(actor, creator, other_creator):
    request = send_request(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    assert usage_requests_for_user(actor).filter(pk=request.pk).exists()
    assert usage_requests_for_user(creator).filter(pk=request.pk).exists()
    assert not usage_requests_for_user(other_creator).exists()


@pytest.fixture
def pending(actor, creator):
    return send_request(actor=open_actor(actor.actor_profile), creator=creator.creator_profile, shots=3)


def test_actor_cannot_accept_without_deciding_every_shot(pending, actor):
    rows = list(pending.request_shots.order_by("shot__number"))
    usage_request_decide_shots(
        request=pending, user=actor, decisions={rows[0].pk: (ShotDecision.APPROVED, ""), rows[1].pk: ("vetoed", "x")}
    )
    with pytest.raises(IncompleteDecisions):
        usage_request_accept(request=pending, user=actor, terms_version=1)
    pending.refresh_from_db()
    assert pending.status == RequestStatus.PENDING
    assert not Contract.objects.exists()


def test_actor_cannot_accept_with_every_shot_vetoed(pending, actor):
    decide_all(pending, veto=3)
    with pytest.raises(IncompleteDecisions):
        usage_request_accept(request=pending, user=actor, terms_version=1)
    pending.refresh_from_db()
    assert pending.status == RequestStatus.PENDING
    assert not Contract.objects.exists()


def test_accept_with_stale_terms_version_is_refused_and_changes_nothing(pending, actor):
    decide_all(pending)
    before = state_of(pending)
    with pytest.raises(StaleTerms):
        usage_request_accept(request=pending, user=actor, terms_version=2)
    assert state_of(pending) == before


def test_accept_after_deadline_but_before_sweep_is_refused_as_expired(pending, actor):
    decide_all(pending)
    before = state_of(pending)
    with time_machine.travel(pending.expires_at + timedelta(seconds=1), tick=False), pytest.raises(RequestExpired):
        usage_request_accept(request=pending, user=actor, terms_version=1)
    assert state_of(pending) == before
    assert pending.status == RequestStatus.PENDING


def test_accept_creates_one_contract_with_only_the_approved_shots(
    pending, actor, creator, django_capture_on_commit_callbacks, mailoutbox
):
    decide_all(pending, veto=1)
    with django_capture_on_commit_callbacks(execute=True):
        contract = usage_request_accept(request=pending, user=actor, terms_version=1)

    pending.refresh_from_db()
    assert pending.status == RequestStatus.ACCEPTED
    assert pending.closed_at is not None
    assert Contract.objects.filter(request=pending).count() == 1
    assert [shot["number"] for shot in contract.snapshot["shots"]] == [1, 2]
    assert contract.snapshot["terms"]["fee"] == "5000.00"
    assert pending.events.filter(kind=RequestEvent.Kind.ACCEPTED).count() == 1
    assert Notification.objects.filter(recipient=creator, kind=kinds.REQUEST_ACCEPTED.key).count() == 1
    assert set(Notification.objects.filter(kind=kinds.CONTRACT_READY.key).values_list("recipient", flat=True)) == {
        actor.pk,
        creator.pk,
    }
    assert {message.to[0] for message in mailoutbox} >= {actor.email, creator.email}


def test_creator_accepting_counter_hands_version_two_back_to_actor_who_accepts_it(pending, actor, creator):
    usage_request_counter(
        request=pending, user=actor, terms_version=1, **{**GOOD_TERMS, **term_dates(), "fee": Decimal("6500.00")}
    )
    pending.refresh_from_db()
    assert (pending.status, pending.terms_version) == (RequestStatus.COUNTERED, 2)
    assert Notification.objects.filter(recipient=creator, kind=kinds.REQUEST_COUNTERED.key).count() == 1

    usage_request_accept_counter(request=pending, user=creator, terms_version=2)
    pending.refresh_from_db()
    assert (pending.status, pending.terms_version) == (RequestStatus.PENDING, 2)
    assert pending.events.filter(kind=RequestEvent.Kind.COUNTER_ACCEPTED).count() == 1
    assert Notification.objects.filter(recipient=actor, kind=kinds.REQUEST_COUNTER_ACCEPTED.key).count() == 1

    decide_all(pending)
    with pytest.raises(StaleTerms):
        usage_request_accept(request=pending, user=actor, terms_version=1)
    contract = usage_request_accept(request=pending, user=actor, terms_version=2)
    assert contract.snapshot["terms_version"] == 2
    assert contract.snapshot["terms"]["fee"] == "6500.00"
