"""Sending a request: each red line refuses on its own with its reason,
several are listed together, and a refused send writes nothing."""

from decimal import Decimal

import pytest

from actors.models import ActorProfile
from actors.tests.factories import ActorProfileFactory
from creators.services import ActorNotListed
from creators.tests.factories import ShotFactory
from marketplace.models import Notification
from marketplace.money import to_reference
from usage_requests import notifications as kinds
from usage_requests.models import RequestStatus, UsageRequest
from usage_requests.services import (
    DuplicateOpenRequest,
    RedLineViolation,
    RedLineViolations,
    usage_request_decline,
    usage_request_send,
    usage_requests_send,
)
from usage_requests.tests.factories import GOOD_TERMS, open_actor, project_with_shots, term_dates

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(actor):
    return open_actor(actor.actor_profile)


def set_profile(actor: ActorProfile, **fields) -> ActorProfile:
    if "min_fee" in fields:
        currency = fields.get("fee_currency", actor.fee_currency)
        fields["min_fee_usd"] = to_reference(fields["min_fee"], currency)
    ActorProfile.objects.filter(pk=actor.pk).update(**fields)
    actor.refresh_from_db()
    return actor


def refusal(actor, creator, *, project=None, shots=None, **terms) -> list[str]:
    """The reasons a send to ``actor`` is refused with; asserts nothing was written."""
    if project is None:
        project, shots = project_with_shots(creator, 2)
    before = UsageRequest.objects.count()
    with pytest.raises(RedLineViolation) as caught:
        usage_request_send(
            creator=creator, actor=actor, project=project, shots=shots, **{**GOOD_TERMS, **term_dates(), **terms}
        )
    assert UsageRequest.objects.count() == before
    assert not Notification.objects.filter(kind=kinds.REQUEST_RECEIVED.key).exists()
    return caught.value.reasons


def test_project_in_excluded_category_is_refused(actor, creator):
    listed = open_actor(actor.actor_profile, excluded_categories=["advertising"])
    project, shots = project_with_shots(creator.creator_profile, 2, category="advertising")
    (reason,) = refusal(listed, creator.creator_profile, project=project, shots=shots)
    assert "Advertising" in reason
    assert "project's category" in reason


def test_shot_in_excluded_category_is_refused(actor, creator):
    listed = open_actor(actor.actor_profile, excluded_categories=["gambling"])
    project, shots = project_with_shots(creator.creator_profile, 2)
    shots.append(ShotFactory(project=project, number=3, position=3, category="gambling"))
    (reason,) = refusal(listed, creator.creator_profile, project=project, shots=shots)
    assert "Shot 3" in reason
    assert "Gambling" in reason


@pytest.mark.parametrize(
    ("keyword", "project_fields", "shot_description", "where"),
    [
        ("Casino", {"title": "The CASINO job"}, None, "title"),
        ("heist", {"logline": "A daring HEIST at dawn."}, None, "logline"),
        ("NUDE", {}, "Nude scene on the beach", "shot 1"),
        ("赌博", {}, "主角在澳门赌博的镜头", "shot 1"),
    ],
    ids=["title-case-insensitive", "logline", "shot-english", "shot-chinese"],
)
def test_blocked_keyword_is_refused(actor, creator, keyword, project_fields, shot_description, where):
    listed = open_actor(actor.actor_profile, blocked_keywords=[keyword])
    project, shots = project_with_shots(creator.creator_profile, 1, **project_fields)
    if shot_description:
        shots[0].description = shot_description
        shots[0].save()
    (reason,) = refusal(listed, creator.creator_profile, project=project, shots=shots)
    assert keyword in reason
    assert where in reason


def test_territory_not_accepted_is_refused(listed, creator):
    (reason,) = refusal(listed, creator.creator_profile, territory="europe")
    assert "Europe" in reason


def test_actor_with_no_accepted_territory_refuses_every_request(actor, creator):
    listed = open_actor(actor.actor_profile, accepted_territories=[])
    (reason,) = refusal(listed, creator.creator_profile)
    assert "not accepted any territory" in reason


def test_term_longer_than_actor_maximum_is_refused(listed, creator):
    set_profile(listed, max_term_months=3)
    (reason,) = refusal(listed, creator.creator_profile, **term_dates(6))
    assert "at most 3" in reason


def test_ai_training_is_refused_when_actor_does_not_allow_it(listed, creator):
    (reason,) = refusal(listed, creator.creator_profile, ai_training=True)
    assert "AI training" in reason


def test_ai_training_is_accepted_when_actor_allows_it(actor, creator):
    listed = open_actor(actor.actor_profile, ai_training_allowed=True)
    project, shots = project_with_shots(creator.creator_profile, 1)
    request = usage_request_send(
        creator=creator.creator_profile,
        actor=listed,
        project=project,
        shots=shots,
        **{**GOOD_TERMS, **term_dates(), "ai_training": True},
    )
    assert request.terms.get().ai_training is True


def test_fee_below_minimum_in_same_currency_is_refused(listed, creator):
    set_profile(listed, min_fee=Decimal("8000"), fee_currency="CNY")
    (reason,) = refusal(listed, creator.creator_profile, fee=Decimal("5000"), currency="CNY")
    assert "8000" in reason
    assert "CNY" in reason


def test_fee_below_minimum_in_another_currency_is_refused_through_reference_rates(listed, creator):
    # 8000 CNY is 1126.76 USD at the reference rate.
    set_profile(listed, min_fee=Decimal("8000"), fee_currency="CNY")
    (reason,) = refusal(listed, creator.creator_profile, fee=Decimal("1000"), currency="USD")
    assert "minimum" in reason


def test_fee_above_minimum_in_another_currency_is_accepted(listed, creator):
    set_profile(listed, min_fee=Decimal("8000"), fee_currency="CNY")
    project, shots = project_with_shots(creator.creator_profile, 1)
    request = usage_request_send(
        creator=creator.creator_profile,
        actor=listed,
        project=project,
        shots=shots,
        **{**GOOD_TERMS, **term_dates(), "fee": Decimal("1200"), "currency": "USD"},
    )
    assert request.status == RequestStatus.PENDING


def test_several_red_lines_are_all_listed(actor, creator):
    listed = open_actor(actor.actor_profile, blocked_keywords=["courier"])
    set_profile(listed, max_term_months=2, min_fee=Decimal("9000"))
    reasons = refusal(listed, creator.creator_profile, territory="europe", ai_training=True, **term_dates(6))
    joined = " ".join(reasons)
    assert len(reasons) >= 5
    for fragment in ("courier", "Europe", "at most 2", "AI training", "minimum"):
        assert fragment in joined


def test_second_open_request_for_same_actor_and_project_is_refused_naming_the_first(listed, creator):
    project, shots = project_with_shots(creator.creator_profile, 2)
    kwargs = {"creator": creator.creator_profile, "actor": listed, "project": project, "shots": shots}
    first = usage_request_send(**kwargs, **GOOD_TERMS, **term_dates())
    with pytest.raises(DuplicateOpenRequest) as caught:
        usage_request_send(**kwargs, **GOOD_TERMS, **term_dates())
    assert caught.value.existing == first
    assert f"#{first.pk}" in caught.value.message
    assert UsageRequest.objects.count() == 1

    usage_request_decline(request=first, user=listed.user)
    second = usage_request_send(**kwargs, **GOOD_TERMS, **term_dates())
    assert second.pk != first.pk
    assert UsageRequest.objects.filter(status=RequestStatus.PENDING).get() == second


def test_unlisted_actor_cannot_be_sent_a_request(creator):
    unlisted = ActorProfileFactory()
    project, shots = project_with_shots(creator.creator_profile, 1)
    with pytest.raises(ActorNotListed):
        usage_request_send(
            creator=creator.creator_profile, actor=unlisted, project=project, shots=shots, **GOOD_TERMS, **term_dates()
        )
    assert not UsageRequest.objects.exists()


def test_sending_to_several_actors_makes_one_request_each(actor, other_actor, creator):
    actors = [open_actor(actor.actor_profile), open_actor(other_actor.actor_profile)]
    project, shots = project_with_shots(creator.creator_profile, 2)
    sent = usage_requests_send(
        creator=creator.creator_profile, actors=actors, project=project, shots=shots, **GOOD_TERMS, **term_dates()
    )
    assert len(sent) == 2
    assert {request.actor_id for request in sent} == {a.pk for a in actors}
    for request in sent:
        assert request.request_shots.count() == 2
    assert set(Notification.objects.filter(kind=kinds.REQUEST_RECEIVED.key).values_list("recipient", flat=True)) == {
        actor.pk,
        other_actor.pk,
    }


def test_sending_to_several_actors_sends_nothing_when_one_refuses(actor, other_actor, creator):
    willing = open_actor(actor.actor_profile)
    unwilling = open_actor(other_actor.actor_profile, accepted_territories=["europe"])
    project, shots = project_with_shots(creator.creator_profile, 2)
    with pytest.raises(RedLineViolations) as caught:
        usage_requests_send(
            creator=creator.creator_profile,
            actors=[willing, unwilling],
            project=project,
            shots=shots,
            **GOOD_TERMS,
            **term_dates(),
        )
    assert [refusal.actor for refusal in caught.value.refusals] == [unwilling]
    assert not UsageRequest.objects.exists()
    assert not Notification.objects.exists()


def test_sending_to_several_actors_sends_nothing_when_one_already_has_an_open_request(actor, other_actor, creator):
    first, second = open_actor(actor.actor_profile), open_actor(other_actor.actor_profile)
    project, shots = project_with_shots(creator.creator_profile, 2)
    existing = usage_request_send(
        creator=creator.creator_profile, actor=second, project=project, shots=shots, **GOOD_TERMS, **term_dates()
    )
    with pytest.raises(DuplicateOpenRequest):
        usage_requests_send(
            creator=creator.creator_profile,
            actors=[first, second],
            project=project,
            shots=shots,
            **GOOD_TERMS,
            **term_dates(),
        )
    assert list(UsageRequest.objects.all()) == [existing]
