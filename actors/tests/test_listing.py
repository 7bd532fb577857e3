"""The listing rule: an actor is on the roster only when opted in AND
verified AND the account is active AND not suspended AND not deleted."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from actors.models import ActorProfile, VerificationStatus
from actors.selectors import listed_actors
from actors.services import actor_listing_refresh, actor_opt_in, actor_opt_out, actor_verification_set
from actors.tests.factories import ActorProfileFactory

pytestmark = pytest.mark.django_db


def is_listed(actor: ActorProfile) -> bool:
    return ActorProfile.objects.get(pk=actor.pk).is_listed


def on_roster(actor: ActorProfile) -> bool:
    return listed_actors().filter(pk=actor.pk).exists()


def test_opted_in_verified_active_actor_is_listed():
    actor = ActorProfileFactory(listed=True)
    assert is_listed(actor)
    assert on_roster(actor)


@pytest.mark.parametrize(
    "missing",
    [
        {"opted_in": False, "verification_status": VerificationStatus.VERIFIED},
        {"opted_in": True, "verification_status": VerificationStatus.UNVERIFIED},
        {"opted_in": True, "verification_status": VerificationStatus.PENDING},
        {"opted_in": True, "verification_status": VerificationStatus.REJECTED},
        {"listed": True, "user__is_active": False},
        {"listed": True, "user__suspended_at": timezone.now()},
        {"listed": True, "deleted_at": timezone.now()},
    ],
    ids=["not-opted-in", "unverified", "pending", "rejected", "inactive", "suspended", "deleted"],
)
def test_actor_missing_one_condition_is_not_listed(missing):
    actor = ActorProfileFactory(**missing)
    assert not is_listed(actor)
    assert not on_roster(actor)


def test_verifying_then_opting_in_lists(actor):
    profile = actor.actor_profile
    actor_verification_set(actor=profile, status=VerificationStatus.VERIFIED)
    assert not is_listed(profile)
    actor_opt_in(actor=profile)
    assert is_listed(profile)
    assert on_roster(profile)


def test_opting_in_then_being_verified_lists(actor):
    profile = actor.actor_profile
    actor_opt_in(actor=profile)
    assert not is_listed(profile)
    actor_verification_set(actor=profile, status=VerificationStatus.VERIFIED)
    assert is_listed(profile)
    assert on_roster(profile)


def test_opting_out_unlists():
    actor = ActorProfileFactory(listed=True)
    actor_opt_out(actor=actor)
    assert not is_listed(actor)
    assert not on_roster(actor)


@pytest.mark.parametrize(
    "status", [VerificationStatus.UNVERIFIED, VerificationStatus.PENDING, VerificationStatus.REJECTED]
)
def test_losing_verification_unlists(status):
    actor = ActorProfileFactory(listed=True)
    actor_verification_set(actor=actor, status=status)
    assert not is_listed(actor)
    assert not on_roster(actor)


@pytest.mark.parametrize(
    "change",
    [{"is_active": False}, {"suspended_at": timezone.now()}],
    ids=["deactivated", "suspended"],
)
def test_account_losing_standing_unlists(change):
    actor = ActorProfileFactory(listed=True)
    for field, value in change.items():
        setattr(actor.user, field, value)
    actor.user.save()
    assert actor_listing_refresh(actor=actor) is False
    assert not is_listed(actor)
    assert not on_roster(actor)


@pytest.mark.parametrize(
    "change",
    [{"is_active": False}, {"suspended_at": timezone.now()}],
    ids=["deactivated", "suspended"],
)
def test_roster_leaves_out_a_suspended_or_inactive_account_even_before_the_refresh(change):
    actor = ActorProfileFactory(listed=True)
    type(actor.user).objects.filter(pk=actor.user_id).update(**change)
    assert not on_roster(actor)


def test_deleted_profile_is_unlisted_on_refresh():
    actor = ActorProfileFactory(listed=True)
    ActorProfile.objects.filter(pk=actor.pk).update(deleted_at=timezone.now())
    actor.refresh_from_db()
    assert actor_listing_refresh(actor=actor) is False
    assert not is_listed(actor)
    assert not on_roster(actor)


def test_lifting_a_suspension_lists_again():
    actor = ActorProfileFactory(listed=True, user__suspended_at=timezone.now())
    assert not is_listed(actor)
    actor.user.suspended_at = None
    actor.user.save()
    assert actor_listing_refresh(actor=actor) is True
    assert on_roster(actor)


@pytest.mark.parametrize(
    "flags",
    [
        {"opted_in": False, "verification_status": VerificationStatus.VERIFIED},
        {"opted_in": True, "verification_status": VerificationStatus.PENDING},
        {"opted_in": False, "verification_status": VerificationStatus.UNVERIFIED},
    ],
    ids=["not-opted-in", "not-verified", "neither"],
)
def test_database_refuses_listing_without_opt_in_and_verification(flags):
    actor = ActorProfileFactory(**flags)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActorProfile.objects.filter(pk=actor.pk).update(is_listed=True)
    assert not is_listed(actor)
