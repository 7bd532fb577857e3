"""Contracts: the immutable snapshot and its hash, signing, revocation, the
dispute moves over every status, and licence codes."""

import hashlib
import json
import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from actors.models import ActorProfile
from marketplace.exceptions import DomainError, InvalidTransition
from marketplace.models import Notification
from usage_requests import notifications as kinds
from usage_requests.models import (
    Contract,
    ContractEvent,
    ContractStatus,
    ImmutableSnapshot,
    Signature,
    terms_hash,
)
from usage_requests.selectors import active_licence_code_for, contract_by_licence_code
from usage_requests.services import (
    SignatureRefused,
    contract_reinstate,
    contract_revoke,
    contract_sign,
    contract_suspend,
    contract_void,
    contracts_cancel_unsigned,
    contracts_complete_ended,
    normalise_licence_code,
)
from usage_requests.tests.factories import accepted_contract, active_contract, open_actor

pytestmark = pytest.mark.django_db

GROUP = "[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}"
LICENCE_CODE = re.compile(rf"^CC-{GROUP}-{GROUP}-{GROUP}$")
ACTOR_NAME = "Lin Xiaoyu Legal"
CREATOR_NAME = "Lumen Pictures Ltd"


@pytest.fixture
def parties(actor, creator):
    actor_profile = open_actor(actor.actor_profile)
    ActorProfile.objects.filter(pk=actor_profile.pk).update(legal_name=ACTOR_NAME)
    actor_profile.refresh_from_db()
    creator_profile = creator.creator_profile
    creator_profile.legal_name = CREATOR_NAME
    creator_profile.save()
    return actor_profile, creator_profile


@pytest.fixture
def awaiting(parties):
    actor_profile, creator_profile = parties
    return accepted_contract(actor=actor_profile, creator=creator_profile, veto=1)


@pytest.fixture
def active(parties):
    actor_profile, creator_profile = parties
    return active_contract(actor=actor_profile, creator=creator_profile)


def contract_in(status: str, parties, moderator) -> Contract:
    """A contract brought to ``status`` through the real services and sweeps."""
    actor_profile, creator_profile = parties
    if status == ContractStatus.AWAITING_SIGNATURES:
        contract = accepted_contract(actor=actor_profile, creator=creator_profile)
    elif status == ContractStatus.CANCELLED:
        contract = accepted_contract(actor=actor_profile, creator=creator_profile)
        assert contracts_cancel_unsigned(now=contract.sign_deadline + timedelta(seconds=1)) == 1
    else:
        contract = active_contract(actor=actor_profile, creator=creator_profile)
        if status == ContractStatus.COMPLETED:
            after = timezone.make_aware(datetime.combine(contract.term_end + timedelta(days=2), time(12)))
            assert contracts_complete_ended(now=after) == 1
        elif status == ContractStatus.SUSPENDED:
            contract_suspend(contract=contract, by=moderator, reason="dispute", dispute_id=1)
        elif status == ContractStatus.REVOKED:
            contract_revoke(contract=contract, user=actor_profile.user, reason="Changed my mind")
        elif status == ContractStatus.VOIDED:
            contract_suspend(contract=contract, by=moderator, reason="dispute", dispute_id=1)
            contract_void(contract=contract, by=moderator, reason="fraud", dispute_id=1)
    contract.refresh_from_db()
    assert contract.status == status
    return contract


# --- snapshot --------------------------------------------------------------


def test_changing_the_snapshot_then_saving_raises(awaiting):
    contract = Contract.objects.get(pk=awaiting.pk)
    contract.snapshot["terms"]["fee"] = "1.00"
    with pytest.raises(ImmutableSnapshot):
        contract.save()
    assert Contract.objects.get(pk=awaiting.pk).snapshot["terms"]["fee"] == "5000.00"


def test_changing_the_hash_then_saving_raises(awaiting):
    contract = Contract.objects.get(pk=awaiting.pk)
    contract.terms_hash = "0" * 64
    with pytest.raises(ImmutableSnapshot):
        contract.save(update_fields=["terms_hash"])
    assert Contract.objects.get(pk=awaiting.pk).terms_hash == awaiting.terms_hash


@pytest.mark.parametrize(
    "fields",
    [{"snapshot": {"terms": {}}}, {"terms_hash": "0" * 64}, {"licence_code": "CC-2222-2222-2222"}],
    ids=["snapshot", "hash", "licence-code"],
)
def test_queryset_update_of_snapshot_hash_or_code_raises(awaiting, fields):
    with pytest.raises(ImmutableSnapshot):
        Contract.objects.filter(pk=awaiting.pk).update(**fields)
    stored = Contract.objects.get(pk=awaiting.pk)
    assert (stored.snapshot, stored.terms_hash, stored.licence_code) == (
        awaiting.snapshot,
        awaiting.terms_hash,
        awaiting.licence_code,
    )


def test_bulk_update_of_snapshot_raises(awaiting):
    contract = Contract.objects.get(pk=awaiting.pk)
    contract.snapshot = {"terms": {}}
    with pytest.raises(ImmutableSnapshot):
        Contract.objects.bulk_update([contract], ["snapshot"])


def test_stored_hash_is_sha256_of_canonical_json_of_the_snapshot(awaiting):
    stored = Contract.objects.get(pk=awaiting.pk)
    canonical = json.dumps(stored.snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert stored.terms_hash == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert stored.terms_hash == terms_hash(stored.snapshot)


def test_snapshot_holds_the_approved_shots_terms_and_every_clause(awaiting):
    assert [shot["number"] for shot in awaiting.snapshot["shots"]] == [1, 2]
    assert awaiting.snapshot["terms"]["territory"] == "cn_mainland"
    assert awaiting.snapshot["terms"]["ai_training"] is False
    assert set(awaiting.snapshot["clauses"]) == {
        "scope_approved_shots_only",
        "ai_training",
        "assets_deleted_at_term_end",
        "revocation_and_disputes",
    }


# --- signing -----------------------------------------------------------------


def test_signature_with_wrong_name_is_refused(awaiting, actor):
    with pytest.raises(SignatureRefused) as caught:
        contract_sign(contract=awaiting, user=actor, typed_name="Somebody Else", consent=True)
    assert caught.value.field == "typed_name"
    assert not Signature.objects.exists()


def test_signature_name_matches_ignoring_case_and_spaces(awaiting, actor):
    contract_sign(contract=awaiting, user=actor, typed_name="  lin   xiaoyu LEGAL ", consent=True)
    assert Signature.objects.get().typed_name == "lin xiaoyu LEGAL"


def test_signature_without_consent_is_refused(awaiting, actor):
    with pytest.raises(SignatureRefused) as caught:
        contract_sign(contract=awaiting, user=actor, typed_name=ACTOR_NAME, consent=False)
    assert caught.value.field == "consent"
    assert not Signature.objects.exists()


def test_signature_without_legal_name_on_file_is_refused(awaiting, actor):
    ActorProfile.objects.filter(pk=awaiting.actor_id).update(legal_name="")
    with pytest.raises(SignatureRefused):
        contract_sign(contract=awaiting, user=actor, typed_name="", consent=True)
    assert not Signature.objects.exists()


def test_stranger_cannot_sign(awaiting, other_creator):
    with pytest.raises(PermissionDenied):
        contract_sign(contract=awaiting, user=other_creator, typed_name="x", consent=True)
    assert not Signature.objects.exists()


def test_party_cannot_sign_twice(awaiting, actor):
    contract_sign(contract=awaiting, user=actor, typed_name=ACTOR_NAME, consent=True)
    with pytest.raises(InvalidTransition):
        contract_sign(contract=awaiting, user=actor, typed_name=ACTOR_NAME, consent=True)
    assert Signature.objects.filter(contract=awaiting).count() == 1
    awaiting.refresh_from_db()
    assert awaiting.status == ContractStatus.AWAITING_SIGNATURES


def test_first_signature_tells_the_other_party(awaiting, actor, creator):
    contract_sign(contract=awaiting, user=actor, typed_name=ACTOR_NAME, consent=True)
    assert list(Notification.objects.filter(kind=kinds.CONTRACT_SIGNED.key).values_list("recipient", flat=True)) == [
        creator.pk
    ]


def test_both_signatures_make_the_contract_active_and_tell_both(
    awaiting, actor, creator, django_capture_on_commit_callbacks, mailoutbox
):
    contract_sign(contract=awaiting, user=actor, typed_name=ACTOR_NAME, consent=True)
    with django_capture_on_commit_callbacks(execute=True):
        contract_sign(contract=awaiting, user=creator, typed_name=CREATOR_NAME, consent=True)
    awaiting.refresh_from_db()
    assert awaiting.status == ContractStatus.ACTIVE
    assert awaiting.activated_at is not None
    assert set(Notification.objects.filter(kind=kinds.CONTRACT_ACTIVE.key).values_list("recipient", flat=True)) == {
        actor.pk,
        creator.pk,
    }
    assert awaiting.events.filter(kind=ContractEvent.Kind.ACTIVATED).count() == 1
    assert {m.to[0] for m in mailoutbox} == {actor.email, creator.email}
    assert {s.terms_hash for s in awaiting.signatures.all()} == {awaiting.terms_hash}


def test_signing_after_the_deadline_is_refused(awaiting, actor):
    with (
        time_machine.travel(awaiting.sign_deadline + timedelta(seconds=1), tick=False),
        pytest.raises(InvalidTransition),
    ):
        contract_sign(contract=awaiting, user=actor, typed_name=ACTOR_NAME, consent=True)
    assert not Signature.objects.exists()


# --- revocation --------------------------------------------------------------


def test_actor_revokes_active_contract_with_reason_and_creator_is_told(active, actor, creator):
    contract_revoke(contract=active, user=actor, reason="  The project changed.  ")
    active.refresh_from_db()
    assert active.status == ContractStatus.REVOKED
    assert active.end_reason == "The project changed."
    assert active.ended_at is not None
    assert list(Notification.objects.filter(kind=kinds.CONTRACT_REVOKED.key).values_list("recipient", flat=True)) == [
        creator.pk
    ]
    assert active.events.filter(kind=ContractEvent.Kind.REVOKED, data__reason="The project changed.").count() == 1


def test_creator_cannot_revoke(active, creator):
    with pytest.raises(PermissionDenied):
        contract_revoke(contract=active, user=creator, reason="no")
    active.refresh_from_db()
    assert active.status == ContractStatus.ACTIVE


@pytest.mark.parametrize("reason", ["", "   "])
def test_revoke_without_reason_is_refused(active, actor, reason):
    with pytest.raises(DomainError):
        contract_revoke(contract=active, user=actor, reason=reason)
    active.refresh_from_db()
    assert active.status == ContractStatus.ACTIVE
    assert not Notification.objects.filter(kind=kinds.CONTRACT_REVOKED.key).exists()


# --- dispute moves over every status ---------------------------------------------

ALLOWED_MOVES = {
    ("suspend", ContractStatus.ACTIVE): (ContractStatus.SUSPENDED, kinds.CONTRACT_SUSPENDED),
    ("reinstate", ContractStatus.SUSPENDED): (ContractStatus.ACTIVE, kinds.CONTRACT_REINSTATED),
    ("void", ContractStatus.SUSPENDED): (ContractStatus.VOIDED, kinds.CONTRACT_VOIDED),
    ("revoke", ContractStatus.ACTIVE): (ContractStatus.REVOKED, kinds.CONTRACT_REVOKED),
}
CONTRACT_MOVES = ["suspend", "reinstate", "void", "revoke"]


def move_contract(move: str, contract: Contract, moderator) -> None:
    if move == "suspend":
        contract_suspend(contract=contract, by=moderator, reason="dispute", dispute_id=99)
    elif move == "reinstate":
        contract_reinstate(contract=contract, by=moderator, reason="no case", dispute_id=99)
    elif move == "void":
        contract_void(contract=contract, by=moderator, reason="fraud", dispute_id=99)
    elif move == "revoke":
        contract_revoke(contract=contract, user=contract.actor.user, reason="enough")


@pytest.mark.parametrize("move", list(CONTRACT_MOVES))
@pytest.mark.parametrize("status", [s.value for s in ContractStatus])
def test_contract_move_from_every_status(move, status, parties, moderator):
    contract = contract_in(status, parties, moderator)
    events = contract.events.count()
    notifications = Notification.objects.count()
    outcome = ALLOWED_MOVES.get((move, status))

    if outcome is None:
        with pytest.raises(InvalidTransition):
            move_contract(move, contract, moderator)
        contract.refresh_from_db()
        assert contract.status == status
        assert contract.events.count() == events
        assert Notification.objects.count() == notifications
    else:
        new_status, kind = outcome
        move_contract(move, contract, moderator)
        contract.refresh_from_db()
        assert contract.status == new_status
        assert contract.events.count() == events + 1
        assert Notification.objects.filter(kind=kind.key).exists()


def test_suspending_and_reinstating_tell_both_parties(active, actor, creator, moderator):
    contract_suspend(contract=active, by=moderator, reason="dispute", dispute_id=5)
    contract_reinstate(contract=active, by=moderator, reason="no case", dispute_id=5)
    for kind in (kinds.CONTRACT_SUSPENDED, kinds.CONTRACT_REINSTATED):
        assert set(Notification.objects.filter(kind=kind.key).values_list("recipient", flat=True)) == {
            actor.pk,
            creator.pk,
        }


# --- licence codes -----------------------------------------------------------


def test_active_licence_code_is_given_only_while_the_contract_is_active(awaiting, actor, creator, other_creator):
    actor_profile = awaiting.actor
    assert active_licence_code_for(creator_user=creator, actor=actor_profile) is None
    contract_sign(contract=awaiting, user=actor, typed_name=ACTOR_NAME, consent=True)
    contract_sign(contract=awaiting, user=creator, typed_name=CREATOR_NAME, consent=True)
    assert active_licence_code_for(creator_user=creator, actor=actor_profile) == awaiting.licence_code
    assert active_licence_code_for(creator_user=other_creator, actor=actor_profile) is None
    contract_suspend(contract=awaiting, by=None, dispute_id=1)
    assert active_licence_code_for(creator_user=creator, actor=actor_profile) is None
    contract_reinstate(contract=awaiting, by=None, dispute_id=1)
    assert active_licence_code_for(creator_user=creator, actor=actor_profile) == awaiting.licence_code
    contract_revoke(contract=awaiting, user=actor, reason="done")
    assert active_licence_code_for(creator_user=creator, actor=actor_profile) is None


def test_licence_codes_use_the_unambiguous_alphabet(parties):
    actor_profile, creator_profile = parties
    codes = set()
    for _ in range(3):
        contract = accepted_contract(actor=actor_profile, creator=creator_profile)
        assert LICENCE_CODE.match(contract.licence_code)
        assert contract_by_licence_code(contract.licence_code) == contract
        codes.add(contract.licence_code)
    assert len(codes) == 3


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("CC-ABCD-EFGH-JKMN", "CC-ABCD-EFGH-JKMN"),
        ("cc-abcd-efgh-jkmn", "CC-ABCD-EFGH-JKMN"),
        ("ccabcdefghjkmn", "CC-ABCD-EFGH-JKMN"),
        ("ABCD EFGH JKMN", "CC-ABCD-EFGH-JKMN"),
        (" abcd-efgh-jkmn ", "CC-ABCD-EFGH-JKMN"),
        ("CC-ABCD-EFGH-JKMO", None),
        ("CC-ABCD-EFGH-JKM0", None),
        ("CC-ABCD-EFGH-JKMI", None),
        ("CC-ABCD-EFGH-JKM1", None),
        ("CC-ABCD-EFGH-JKML", None),
        ("CC-ABCD-EFGH-JKM", None),
        ("CC-ABCD-EFGH-JKMNP", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_licence_code(typed, expected):
    assert normalise_licence_code(typed) == expected


def test_snapshot_of_a_contract_instance_just_created_cannot_change(awaiting):
    request = awaiting.request
    fields = {
        f.attname: getattr(awaiting, f.attname)
        for f in Contract._meta.concrete_fields
        if f.attname not in ("id", "request_id", "licence_code")
    }
    Contract.objects.filter(pk=awaiting.pk).delete()
    created = Contract.objects.create(request=request, licence_code="CC-2222-3333-4444", **fields)
    created.snapshot["terms"]["fee"] = "1.00"
    with pytest.raises(ImmutableSnapshot):
        created.save()
    assert Contract.objects.get(pk=created.pk).snapshot["terms"]["fee"] == "5000.00"
