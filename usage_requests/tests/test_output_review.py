"""The actor's review of generated outputs (services): approve, reject with a
note, a batch all or nothing; only the actor, only pending outputs, only
while the contract is active; each verdict's event row and the creator's
notification in both languages."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from marketplace.exceptions import DomainError, InvalidTransition
from marketplace.models import Notification, User
from tests.race import race
from usage_requests.models import (
    REASON_MAX_LENGTH,
    Contract,
    ContractEvent,
    ContractStatus,
    GeneratedOutput,
    OutputStatus,
)
from usage_requests.services import OutputVerdict, output_approve, output_reject, outputs_remind_due, outputs_review
from usage_requests.tests.factories import active_contract, open_actor, stored_output

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media_root(media_root):
    return media_root


@pytest.fixture
def contract(actor, creator) -> Contract:
    """Active, shots 1-3 approved."""
    return active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)


@pytest.fixture
def output(contract):
    return stored_output(contract, shot_number=1)


def events(contract, kind):
    return list(ContractEvent.objects.filter(contract=contract, kind=kind))


def told(user, kind_key):
    return list(Notification.objects.filter(recipient=user, kind=kind_key))


# --- One output -----------------------------------------------------------------------


def test_actor_approves_a_pending_output_with_its_event_row(contract, output, actor):
    output_approve(output=output, user=actor, note="  Looks right  ")
    output.refresh_from_db()
    assert output.status == OutputStatus.APPROVED
    assert output.reviewed_by == actor
    assert output.reviewed_at is not None
    assert output.review_note == "Looks right"
    (event,) = events(contract, ContractEvent.Kind.OUTPUT_APPROVED)
    assert event.by == actor
    assert event.by_party == "actor"
    assert event.data == {
        "output": output.pk,
        "shot": 1,
        "sha256": output.sha256,
        "version": 1,
        "note": "Looks right",
    }


def test_approval_without_a_note_records_no_note(contract, output, actor):
    output_approve(output=output, user=actor)
    (event,) = events(contract, ContractEvent.Kind.OUTPUT_APPROVED)
    assert "note" not in event.data


def test_actor_rejects_with_a_note_and_the_event_keeps_it(contract, output, actor):
    output_reject(output=output, user=actor, note="My face is distorted")
    output.refresh_from_db()
    assert output.status == OutputStatus.REJECTED
    assert output.review_note == "My face is distorted"
    (event,) = events(contract, ContractEvent.Kind.OUTPUT_REJECTED)
    assert event.data["note"] == "My face is distorted"
    assert event.data["sha256"] == output.sha256


@pytest.mark.parametrize("note", ["", "   ", "\n\t"])
def test_rejection_needs_a_note_and_changes_nothing(contract, output, actor, note):
    with pytest.raises(DomainError) as caught:
        output_reject(output=output, user=actor, note=note)
    assert caught.value.field == "note"
    output.refresh_from_db()
    assert output.status == OutputStatus.PENDING
    assert not events(contract, ContractEvent.Kind.OUTPUT_REJECTED)


@pytest.mark.parametrize("note", ["a" * (REASON_MAX_LENGTH + 1), "bad\u202enote", "bell\x07"])
def test_a_note_too_long_or_with_control_characters_is_refused(contract, output, actor, note):
    with pytest.raises(DomainError):
        output_reject(output=output, user=actor, note=note)
    output.refresh_from_db()
    assert output.status == OutputStatus.PENDING


@pytest.mark.parametrize("persona", ["creator", "other_actor", "other_creator"])
def test_only_the_contracts_actor_may_review(contract, output, persona, request):
    with pytest.raises(PermissionDenied):
        output_approve(output=output, user=request.getfixturevalue(persona))
    output.refresh_from_db()
    assert output.status == OutputStatus.PENDING
    assert not events(contract, ContractEvent.Kind.OUTPUT_APPROVED)


@pytest.mark.parametrize("status", [OutputStatus.APPROVED, OutputStatus.REJECTED])
@pytest.mark.parametrize("approve", [True, False])
def test_a_reviewed_output_cannot_be_reviewed_again(contract, actor, status, approve):
    output = stored_output(contract, status=status, review_note="first")

    def review():
        if approve:
            return output_approve(output=output, user=actor)
        return output_reject(output=output, user=actor, note="again")

    with pytest.raises(InvalidTransition):
        review()
    output.refresh_from_db()
    assert (output.status, output.review_note) == (status, "first")
    assert not ContractEvent.objects.filter(contract=contract, kind__startswith="output_").exists()


def test_a_stale_copy_loses_to_the_verdict_already_given(contract, output, actor):
    stale = GeneratedOutput.objects.get(pk=output.pk)
    output_approve(output=output, user=actor)
    with pytest.raises(InvalidTransition):
        output_reject(output=stale, user=actor, note="changed my mind")
    output.refresh_from_db()
    assert output.status == OutputStatus.APPROVED
    assert len(events(contract, ContractEvent.Kind.OUTPUT_REJECTED)) == 0


@pytest.mark.parametrize(
    "status", [ContractStatus.SUSPENDED, ContractStatus.REVOKED, ContractStatus.VOIDED, ContractStatus.COMPLETED]
)
def test_reviewing_is_refused_once_the_contract_is_no_longer_active(contract, output, actor, status):
    Contract.objects.filter(pk=contract.pk).update(status=status)
    with pytest.raises(InvalidTransition):
        output_approve(output=output, user=actor)
    output.refresh_from_db()
    assert output.status == OutputStatus.PENDING


def test_reviewing_is_refused_after_the_term_ended_even_before_the_sweep(contract, output, actor):
    ended = timezone.localdate() - timedelta(days=1)
    Contract.objects.filter(pk=contract.pk).update(term_start=ended - timedelta(days=30), term_end=ended)
    with pytest.raises(InvalidTransition):
        output_reject(output=output, user=actor, note="no")
    output.refresh_from_db()
    assert output.status == OutputStatus.PENDING


def test_reviewing_is_allowed_when_signed_before_the_term_starts(contract, output, actor):
    later = timezone.localdate() + timedelta(days=10)
    Contract.objects.filter(pk=contract.pk).update(term_start=later, term_end=later + timedelta(days=30))
    output_approve(output=output, user=actor)
    output.refresh_from_db()
    assert output.status == OutputStatus.APPROVED


def test_the_creator_is_told_of_an_approval_in_the_app_and_by_email(
    contract, output, actor, creator, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        output_approve(output=output, user=actor)
    (notification,) = told(creator, "outputs.approved")
    assert notification.url == f"/contracts/{contract.pk}/outputs/"
    assert notification.params["shot"] == 1
    assert [message.to for message in mailoutbox] == [[creator.email]]
    assert "Lin Xiaoyu approved your output for shot 1" in mailoutbox[0].subject
    assert not told(actor, "outputs.approved")


def test_a_chinese_speaking_creator_reads_the_rejection_in_chinese(
    contract, output, actor, creator, django_capture_on_commit_callbacks, mailoutbox
):
    User.objects.filter(pk=creator.pk).update(preferred_language="zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        output_reject(output=output, user=actor, note="不像我")
    assert told(creator, "outputs.rejected")
    (message,) = mailoutbox
    assert message.subject == f"[ConsentCast] Lin Xiaoyu 驳回了你为“{contract.project.title}”镜头 1 生成的作品"
    assert f"/contracts/{contract.pk}/outputs/" in message.body


def test_a_refused_review_tells_nobody(contract, output, creator, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        output_approve(output=output, user=creator)
    assert not Notification.objects.filter(kind__startswith="outputs.").exists()
    assert mailoutbox == []


# --- A batch --------------------------------------------------------------------------


def test_a_batch_approves_and_rejects_together_and_tells_the_creator_once(
    contract, actor, creator, django_capture_on_commit_callbacks, mailoutbox
):
    first, second, third = (stored_output(contract, shot_number=n, seed=n) for n in (1, 2, 3))
    with django_capture_on_commit_callbacks(execute=True):
        reviewed = outputs_review(
            contract=contract,
            user=actor,
            verdicts=[
                OutputVerdict(first.pk, True),
                OutputVerdict(second.pk, False, "Wrong costume"),
                OutputVerdict(third.pk, True, "Great"),
            ],
        )
    assert [output.pk for output in reviewed] == [first.pk, second.pk, third.pk]
    statuses = dict(GeneratedOutput.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "approved", second.pk: "rejected", third.pk: "approved"}
    assert len(events(contract, ContractEvent.Kind.OUTPUT_APPROVED)) == 2
    assert len(events(contract, ContractEvent.Kind.OUTPUT_REJECTED)) == 1
    (notification,) = told(creator, "outputs.reviewed")
    assert (notification.params["count"], notification.params["approved"], notification.params["rejected"]) == (3, 2, 1)
    assert not told(creator, "outputs.approved")
    assert len(mailoutbox) == 1
    assert "reviewed 3 generated outputs" in mailoutbox[0].subject


def _state(contract):
    return (
        sorted(GeneratedOutput.objects.filter(contract=contract).values_list("status", flat=True)),
        ContractEvent.objects.filter(contract=contract, kind__startswith="output_").count(),
        Notification.objects.filter(kind__startswith="outputs.").count(),
    )


def test_a_batch_with_one_reviewed_output_changes_nothing(contract, actor):
    pending = stored_output(contract, shot_number=1, seed=1)
    done = stored_output(contract, shot_number=2, seed=2, status=OutputStatus.APPROVED)
    before = _state(contract)
    with pytest.raises(InvalidTransition):
        outputs_review(
            contract=contract,
            user=actor,
            verdicts=[OutputVerdict(pending.pk, True), OutputVerdict(done.pk, False, "no")],
        )
    assert _state(contract) == before


def test_a_batch_rejection_without_a_note_names_the_output_and_changes_nothing(contract, actor):
    first, second = stored_output(contract, seed=1), stored_output(contract, seed=2)
    before = _state(contract)
    with pytest.raises(DomainError) as caught:
        outputs_review(
            contract=contract, user=actor, verdicts=[OutputVerdict(first.pk, True), OutputVerdict(second.pk, False)]
        )
    assert caught.value.field == "verdicts"
    assert str(second.pk) in caught.value.message
    assert _state(contract) == before


def test_outputs_of_another_contract_or_unknown_are_named_and_nothing_changes(
    contract, actor, other_actor, other_creator
):
    mine = stored_output(contract, seed=1)
    theirs = stored_output(
        active_contract(actor=open_actor(other_actor.actor_profile), creator=other_creator.creator_profile), seed=2
    )
    before = _state(contract)
    with pytest.raises(DomainError) as caught:
        outputs_review(
            contract=contract,
            user=actor,
            verdicts=[OutputVerdict(mine.pk, True), OutputVerdict(theirs.pk, True), OutputVerdict(2**70, True)],
        )
    assert caught.value.field == "verdicts"
    named = caught.value.message.split(": ")[-1].rstrip(".").split(", ")
    assert named == [str(theirs.pk), str(2**70)]
    assert _state(contract) == before
    theirs.refresh_from_db()
    assert theirs.status == OutputStatus.PENDING


@pytest.mark.parametrize("verdicts", [[], "twice"])
def test_an_empty_batch_or_an_output_named_twice_is_refused(contract, actor, verdicts):
    output = stored_output(contract)
    if verdicts == "twice":
        verdicts = [OutputVerdict(output.pk, True), OutputVerdict(output.pk, False, "no")]
    with pytest.raises(DomainError):
        outputs_review(contract=contract, user=actor, verdicts=verdicts)
    output.refresh_from_db()
    assert output.status == OutputStatus.PENDING


def test_the_creator_cannot_review_a_batch(contract, creator):
    output = stored_output(contract)
    with pytest.raises(PermissionDenied):
        outputs_review(contract=contract, user=creator, verdicts=[OutputVerdict(output.pk, True)])
    output.refresh_from_db()
    assert output.status == OutputStatus.PENDING


def test_a_batch_on_a_revoked_contract_is_refused(contract, actor):
    output = stored_output(contract)
    Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.REVOKED)
    with pytest.raises(InvalidTransition):
        outputs_review(contract=contract, user=actor, verdicts=[OutputVerdict(output.pk, True)])
    output.refresh_from_db()
    assert output.status == OutputStatus.PENDING


# --- Races (PostgreSQL, real threads) ----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_verdicts_on_one_output_at_once_leave_one(actor, creator):
    contract = active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    for seed in range(1, 6):
        output = stored_output(contract, seed=seed)

        def approve(output=output):
            return output_approve(output=GeneratedOutput.objects.get(pk=output.pk), user=actor)

        def reject(output=output):
            return output_reject(output=GeneratedOutput.objects.get(pk=output.pk), user=actor, note="no")

        outcomes = race(approve, reject if seed % 2 else approve)

        assert sorted(kind for kind, _ in outcomes) == ["error", "ok"], outcomes
        (error,) = [value for kind, value in outcomes if kind == "error"]
        assert isinstance(error, InvalidTransition)
        events_of_output = [
            event for event in ContractEvent.objects.filter(contract=contract) if event.data.get("output") == output.pk
        ]
        assert len(events_of_output) == 1
        assert Notification.objects.filter(event_key__startswith=f"output:{output.pk}:").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reminder_sweeps_at_once_remind_once(actor, creator):
    contract = active_contract(actor=open_actor(actor.actor_profile), creator=creator.creator_profile)
    for seed in range(1, 4):
        stored_output(contract, seed=seed)
    GeneratedOutput.objects.update(submitted_at=timezone.now() - timedelta(days=5))

    outcomes = race(outputs_remind_due, outputs_remind_due)

    assert sorted(value for _, value in outcomes) in ([0, 3], [1, 2]), outcomes
    assert Notification.objects.filter(kind="outputs.reminder").count() == 1
