"""Reminders of generated outputs left waiting for the actor's review: the
sweep ``outputs_remind_due``, its setting, its Celery task and beat entry."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from marketplace.models import Notification, User
from marketplace.schedule import BEAT_SCHEDULE
from usage_requests.models import Contract, ContractStatus, GeneratedOutput, OutputStatus
from usage_requests.services import outputs_remind_due
from usage_requests.tasks import remind_output_reviews
from usage_requests.tests.factories import active_contract, open_actor, stored_output

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _own_media_root(media_root):
    return media_root


@pytest.fixture
def contract(actor, creator) -> Contract:
    return active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)


def submitted(contract, *, days_ago: float, seed: int, **fields) -> GeneratedOutput:
    output = stored_output(contract, seed=seed, **fields)
    GeneratedOutput.objects.filter(pk=output.pk).update(submitted_at=timezone.now() - days_ago * DAY)
    output.refresh_from_db()
    return output


def reminders(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind="outputs.reminder").order_by("pk"))


def test_the_reminder_waits_three_days_by_default(settings):
    assert settings.OUTPUT_REVIEW_REMINDER_DAYS == 3


def test_outputs_waiting_longer_than_the_setting_remind_the_actor_once_per_contract(
    contract, actor, creator, django_capture_on_commit_callbacks, mailoutbox
):
    old = [submitted(contract, days_ago=4, seed=n) for n in (1, 2, 3)]
    fresh = submitted(contract, days_ago=1, seed=4)
    with django_capture_on_commit_callbacks(execute=True):
        assert outputs_remind_due() == 3
    (notification,) = reminders(actor)
    assert notification.params["count"] == 3
    assert notification.params["days"] == 3
    assert notification.url == f"/contracts/{contract.pk}/outputs/review/"
    assert not reminders(creator)
    for output in old:
        output.refresh_from_db()
        assert output.reminded_at is not None
    fresh.refresh_from_db()
    assert fresh.reminded_at is None
    (message,) = mailoutbox
    assert message.to == [actor.email]
    title = contract.project.title
    assert message.subject == f"[ConsentCast] 3 generated outputs of “{title}” await your review"
    assert "more than 3 days" in message.body


def test_a_chinese_speaking_actor_is_reminded_in_chinese(
    contract, actor, django_capture_on_commit_callbacks, mailoutbox
):
    User.objects.filter(pk=actor.pk).update(preferred_language="zh-hans")
    submitted(contract, days_ago=5, seed=1)
    with django_capture_on_commit_callbacks(execute=True):
        outputs_remind_due()
    (message,) = mailoutbox
    assert "等待你审核" in message.subject


def test_running_again_reminds_nobody_until_the_interval_has_passed_again(contract, actor):
    output = submitted(contract, days_ago=4, seed=1)
    assert outputs_remind_due() == 1
    assert outputs_remind_due() == 0
    with time_machine.travel(timezone.now() + 2 * DAY):
        assert outputs_remind_due() == 0
    with time_machine.travel(timezone.now() + 3 * DAY + timedelta(minutes=1)):
        assert outputs_remind_due() == 1
    assert len(reminders(actor)) == 2
    output.refresh_from_db()
    assert output.reminded_at > output.submitted_at + 6 * DAY


def test_the_setting_changes_the_wait(contract, actor, settings):
    settings.OUTPUT_REVIEW_REMINDER_DAYS = 7
    submitted(contract, days_ago=5, seed=1)
    assert outputs_remind_due() == 0
    with time_machine.travel(timezone.now() + 3 * DAY):
        assert outputs_remind_due() == 1
    assert reminders(actor)[0].params["days"] == 7


@pytest.mark.parametrize("status", [OutputStatus.APPROVED, OutputStatus.REJECTED])
def test_reviewed_outputs_remind_nobody(contract, actor, status):
    submitted(contract, days_ago=10, seed=1, status=status)
    assert outputs_remind_due() == 0
    assert not reminders(actor)


@pytest.mark.parametrize(
    "status", [ContractStatus.SUSPENDED, ContractStatus.REVOKED, ContractStatus.VOIDED, ContractStatus.COMPLETED]
)
def test_outputs_of_a_contract_no_longer_active_remind_nobody(contract, actor, status):
    submitted(contract, days_ago=10, seed=1)
    Contract.objects.filter(pk=contract.pk).update(status=status)
    assert outputs_remind_due() == 0
    assert not reminders(actor)


def test_each_contract_gets_its_own_reminder(contract, actor, creator):
    second = active_contract(actor=actor.actor_profile, creator=creator.creator_profile)
    submitted(contract, days_ago=4, seed=1)
    submitted(second, days_ago=4, seed=2)
    submitted(second, days_ago=4, seed=3)
    assert outputs_remind_due() == 3
    counts = {n.target_id: n.params["count"] for n in reminders(actor)}
    assert counts == {contract.pk: 1, second.pk: 2}


def test_two_sweeps_at_the_same_moment_remind_once(contract, actor):
    submitted(contract, days_ago=4, seed=1)
    now = timezone.now()
    assert outputs_remind_due(now=now) + outputs_remind_due(now=now) == 1
    assert len(reminders(actor)) == 1


def test_the_task_has_a_stable_name_and_is_scheduled(contract, actor):
    submitted(contract, days_ago=4, seed=1)
    assert remind_output_reviews.name == "usage_requests.remind_output_reviews"
    assert remind_output_reviews.apply().get() == 1
    assert any(entry["task"] == remind_output_reviews.name for entry in BEAT_SCHEDULE.values())
