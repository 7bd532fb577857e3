from datetime import date

import pytest
from django.utils import timezone

from actors.models import RedLines
from actors.tests.factories import ActorProfileFactory
from creators.tests.factories import CreatorProfileFactory
from portal.demo.contracts import demo_active_contracts, demo_contracts_by_verdict
from portal.demo.requests import RAIN, demo_requests_seed, months_later
from usage_requests.models import (
    Contract,
    ContractStatus,
    Message,
    Party,
    RequestEvent,
    RequestStatus,
    ShotDecision,
    UsageRequest,
)
from usage_requests.services.red_lines import term_months
from usage_requests.tests.factories import open_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    creators = [CreatorProfileFactory() for _ in range(4)]
    actors = [open_actor(ActorProfileFactory(listed=True)) for _ in range(10)]
    return creators, actors


def seeded(cast) -> dict[str, list[UsageRequest]]:
    creators, actors = cast
    assert demo_requests_seed(creators=creators, actors=actors)
    by_status: dict[str, list[UsageRequest]] = {}
    for request in UsageRequest.objects.order_by("pk"):
        by_status.setdefault(request.status, []).append(request)
    return by_status


def test_demo_has_requests_in_every_status(cast):
    by_status = seeded(cast)
    assert set(by_status) == set(RequestStatus.values)
    assert len(by_status[RequestStatus.PENDING]) == 2
    assert by_status[RequestStatus.DECLINED][0].close_reason
    assert by_status[RequestStatus.WITHDRAWN][0].close_reason
    (expired,) = by_status[RequestStatus.EXPIRED]
    assert expired.events.filter(kind=RequestEvent.Kind.EXPIRED).exists()


def test_demo_pending_request_has_some_shots_decided(cast):
    by_status = seeded(cast)
    decisions = [
        set(request.request_shots.values_list("decision", flat=True)) for request in by_status[RequestStatus.PENDING]
    ]
    assert {ShotDecision.UNDECIDED} in decisions
    assert {ShotDecision.UNDECIDED, ShotDecision.APPROVED, ShotDecision.VETOED} in decisions


def test_demo_counter_offer_asks_a_higher_fee(cast):
    (countered,) = seeded(cast)[RequestStatus.COUNTERED]
    first, counter = countered.terms.order_by("version")
    assert counter.proposed_by == Party.ACTOR
    assert counter.fee > first.fee
    assert countered.terms_version == 2


def test_demo_has_one_contract_awaiting_signatures_and_three_active(cast):
    """Three active: moderation's demo data then disputes the third."""
    creators, _actors = cast
    seeded(cast)
    assert Contract.objects.filter(status=ContractStatus.AWAITING_SIGNATURES).count() == 1
    active = demo_active_contracts(creators=creators)
    assert len(active) == 3
    for contract in active:
        typed = dict(contract.signatures.values_list("party", "typed_name"))
        assert typed == {Party.ACTOR: contract.actor.legal_name, Party.CREATOR: contract.creator.legal_name}
    vetoed = [c for c in active if c.request.request_shots.filter(decision=ShotDecision.VETOED).exists()]
    assert len(vetoed) == 1
    (contract,) = vetoed
    assert len(contract.snapshot["shots"]) == contract.project.shots.count() - 1


def test_demo_threads_have_messages_in_both_languages(cast):
    seeded(cast)
    bodies = list(Message.objects.values_list("body", flat=True))
    assert Message.objects.values("request").distinct().count() >= 3
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in body) for body in bodies)
    assert any(body.isascii() for body in bodies)


def test_demo_has_one_contract_in_force_today_listed_first(cast):
    creators, _actors = cast
    seeded(cast)
    today = timezone.localdate()
    (in_force,) = Contract.objects.in_force(today)
    groups = demo_contracts_by_verdict(creators=creators, today=today)
    assert next(iter(groups)) == "active"
    assert groups["active"] == [in_force]
    # The other two start in two weeks (moderation's demo, not run here, disputes one).
    assert [c.term_start > today for c in groups["signed"]] == [True, True]


def test_demo_seed_twice_adds_nothing(cast):
    creators, actors = cast
    seeded(cast)
    counts = (UsageRequest.objects.count(), Contract.objects.count(), Message.objects.count())
    codes = [c.licence_code for c in demo_active_contracts(creators=creators)]
    assert not demo_requests_seed(creators=creators, actors=actors)
    assert counts == (UsageRequest.objects.count(), Contract.objects.count(), Message.objects.count())
    assert codes == [c.licence_code for c in demo_active_contracts(creators=creators)]


def test_demo_skips_an_actor_whose_red_lines_the_terms_cross(cast):
    _creators, actors = cast
    # The first actor is asked for the wuxia film first; "剑客" is in its logline.
    RedLines.objects.filter(actor=actors[0]).update(blocked_keywords=["剑客"])
    seeded(cast)
    rain = UsageRequest.objects.filter(project__title=RAIN.title).order_by("pk")
    assert rain.count() == 2
    assert not rain.filter(actor=actors[0]).exists()
    assert rain.first().actor == actors[1]


@pytest.mark.parametrize("start", [date(2025, 1, 31), date(2024, 2, 29), date(2025, 3, 1), date(2025, 12, 15)])
@pytest.mark.parametrize("months", [1, 6, 12, 24])
def test_months_later_spans_exactly_the_months(start, months):
    assert term_months(start, months_later(start, months)) == months
