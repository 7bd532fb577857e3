"""Writes of a contract: creation from an accepted request, signatures, and
every status move (revoke, suspend for a dispute, reinstate, void).
``contract_suspend``, ``contract_reinstate`` and ``contract_void`` are what
the moderation workplace calls for disputes."""

import secrets
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.exceptions import DomainError, InvalidTransition
from marketplace.http import ClientInfo
from marketplace.models import User
from marketplace.notifications import NotificationKind
from marketplace.services import notify
from marketplace.transitions import transition
from usage_requests import notifications as kinds
from usage_requests.models import (
    CONTRACT_TRANSITIONS,
    REASON_MAX_LENGTH,
    Contract,
    ContractEvent,
    ContractStatus,
    Party,
    RequestShot,
    Signature,
    UsageRequest,
    terms_hash,
)
from usage_requests.services.events import record_contract_event
from usage_requests.verdicts import VerdictKey, verdict_key

# No 0/O, 1/I/L: a code read aloud or typed from paper is still right.
LICENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SNAPSHOT_VERSION = 1
# The clauses every contract has; their text is rendered in the reader's
# language from these keys (templates/usage_requests/_clauses.html).
CLAUSES = ("scope_approved_shots_only", "ai_training", "assets_deleted_at_term_end", "revocation_and_disputes")


class SignatureRefused(DomainError):
    """No consent tick, or no or another legal name; ``field`` names the input."""


def new_licence_code() -> str:
    """``CC-XXXX-XXXX-XXXX``: 12 characters from 31, about 59 bits."""
    chars = "".join(secrets.choice(LICENCE_ALPHABET) for _ in range(12))
    return f"CC-{chars[0:4]}-{chars[4:8]}-{chars[8:12]}"


def normalise_licence_code(raw: str) -> str | None:
    """A typed code in its stored form, or None if it cannot be one. Case,
    spaces and dashes do not matter; the look-alikes O/0 and I/L/1 are not in
    the alphabet, so a code containing them is rejected, never guessed."""
    chars = "".join(ch for ch in (raw or "").upper() if ch not in " -\u2010\u2011\u2012\u2013\u2014\t")
    if len(chars) == 14 and chars.startswith("CC"):
        chars = chars[2:]
    if len(chars) != 12 or any(ch not in LICENCE_ALPHABET for ch in chars):
        return None
    return f"CC-{chars[0:4]}-{chars[4:8]}-{chars[8:12]}"


def contract_url(contract: Contract) -> str:
    return f"/contracts/{contract.pk}/"


def contract_params(contract: Contract, **extra: Any) -> dict[str, Any]:
    """What a notification about ``contract`` names (its texts' parameters)."""
    return {
        "code": contract.licence_code,
        "project": contract.project.title,
        "actor": contract.actor.stage_name,
        "creator": contract.creator.display_name,
        **extra,
    }


def _tell(contract: Contract, recipients: list[User], kind: NotificationKind, event: str, **extra: Any) -> None:
    for recipient in recipients:
        notify(
            recipient=recipient,
            kind=kind,
            event_key=f"contract:{contract.pk}:{event}",
            params=contract_params(contract, **extra),
            target=contract,
            url=contract_url(contract),
        )


def _tell_in_force(contract: Contract, in_force: NotificationKind, signed: NotificationKind, event: str) -> None:
    """Tell both parties it is active: ``in_force``, or ``signed`` before its term."""
    starts_later = verdict_key(contract, timezone.localdate()) == VerdictKey.SIGNED
    kind = signed if starts_later else in_force
    _tell(contract, _both(contract), kind, event, starts=contract.term_start.isoformat())


def _both(contract: Contract) -> list[User]:
    return [contract.actor.user, contract.creator.user]


def build_snapshot(*, request: UsageRequest, approved: list[RequestShot], accepted_at: datetime) -> dict[str, Any]:
    """The immutable content of a contract: the accepted terms and the approved
    shots only, as plain JSON data (no text that translates)."""
    terms = request.terms.get(version=request.terms_version)
    project = request.project
    return {
        "snapshot_version": SNAPSHOT_VERSION,
        "request_id": request.pk,
        "terms_version": terms.version,
        "accepted_at": accepted_at.isoformat(),
        "actor": {"id": request.actor_id, "stage_name": request.actor.stage_name},
        "creator": {
            "id": request.creator_id,
            "display_name": request.creator.display_name,
            "studio": request.creator.studio,
        },
        "project": {
            "id": project.pk,
            "title": project.title,
            "logline": project.logline,
            "category": project.category,
            "distribution_channels": list(project.distribution_channels),
            "ai_tools": project.ai_tools,
        },
        "shots": [
            {
                "number": row.shot.number,
                "description": row.shot.description,
                "category": row.shot.category,
                "likeness_usage": list(row.shot.likeness_usage),
                "duration_seconds": row.shot.duration_seconds,
                "actor_note": row.note,
            }
            for row in approved
        ],
        "terms": {
            "fee": f"{terms.fee:.2f}",
            "currency": terms.currency,
            "term_start": terms.term_start.isoformat(),
            "term_end": terms.term_end.isoformat(),
            "territory": terms.territory,
            "ai_training": terms.ai_training,
        },
        "clauses": list(CLAUSES),
    }


def contract_create(
    *,
    request: UsageRequest,
    approved: list[RequestShot],
    now: datetime,
    visible_label: bool = False,
    outputs_need_approval: bool = True,
) -> Contract:
    """Create the contract of a request being accepted, inside its transaction
    (``usage_request_accept``). The actor's choices sit beside the snapshot,
    never in it: ``visible_label`` (copies show the licence code) and
    ``outputs_need_approval`` (each generated output waits for the actor)."""
    snapshot = build_snapshot(request=request, approved=approved, accepted_at=now)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                contract = Contract.objects.create(
                    request=request,
                    actor=request.actor,
                    creator=request.creator,
                    project=request.project,
                    licence_code=new_licence_code(),
                    snapshot=snapshot,
                    terms_hash=terms_hash(snapshot),
                    term_start=snapshot["terms"]["term_start"],
                    term_end=snapshot["terms"]["term_end"],
                    sign_deadline=now + timedelta(days=settings.CONTRACT_SIGN_DAYS),
                    visible_label=visible_label,
                    outputs_need_approval=outputs_need_approval,
                )
            break
        except IntegrityError:
            if Contract.objects.filter(request=request).exists():
                raise InvalidTransition(_("This request already has a contract.")) from None
            continue  # a licence code collision: draw another
    else:  # pragma: no cover - 59 bits make this unreachable in practice
        raise RuntimeError("could not draw an unused licence code")
    contract = _with_parties(contract.pk)
    record_contract_event(contract, ContractEvent.Kind.CREATED, by=None, terms_hash=contract.terms_hash)
    _tell(contract, _both(contract), kinds.CONTRACT_READY, "ready")
    return contract


def _with_parties(contract_id: int) -> Contract:
    """The contract with what every notification about it needs."""
    return Contract.objects.select_related("actor__user", "creator__user", "project").get(pk=contract_id)


def _locked(contract: Contract) -> Contract:
    return (
        Contract.objects.select_for_update(of=("self",))
        .select_related("actor__user", "creator__user", "project")
        .get(pk=contract.pk)
    )


def _not_now_message(contract: Contract) -> str:
    return _("This contract is %(status)s; that cannot be done now.") % {
        "status": contract.get_status_display().lower()
    }


def _move(contract: Contract, new: str, **fields: Any) -> None:
    """Compare-and-set the status; InvalidTransition if illegal or another move won."""
    transition(
        contract,
        new=new,
        transitions=CONTRACT_TRANSITIONS,
        illegal=_not_now_message,
        lost=_("Someone else changed this contract a moment ago. Reload it to see how it stands."),
        **fields,
    )


def same_name(typed: str, on_file: str) -> bool:
    """Names match when they are equal after Unicode normalisation, case
    folding and collapsing spaces ("Lin  Xiaoyu" == "lin xiaoyu")."""

    def norm(value: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", value).casefold().split())

    return bool(norm(on_file)) and norm(typed) == norm(on_file)


def legal_name_of(contract: Contract, party: str) -> str:
    if party == Party.ACTOR:
        return contract.actor.legal_name
    return contract.creator.legal_name


def contract_sign(
    *, contract: Contract, user: User, typed_name: str, consent: bool, client: ClientInfo | None = None
) -> Signature:
    """Sign as the caller's party. When both have signed the contract becomes
    active. Raises ``PermissionDenied`` (not a party), ``SignatureRefused``
    (no consent, wrong or missing legal name), ``InvalidTransition`` (not
    awaiting signatures, past the deadline, already signed)."""
    client = client or ClientInfo()
    now = timezone.now()
    with transaction.atomic():
        contract = _locked(contract)
        party = contract.party_of(user)
        if party is None:
            raise PermissionDenied(_("Only the parties of this contract can sign it."))
        if contract.status != ContractStatus.AWAITING_SIGNATURES:
            raise InvalidTransition(
                _("This contract is %(status)s; it can no longer be signed.")
                % {"status": contract.get_status_display().lower()}
            )
        if contract.sign_deadline <= now:
            raise InvalidTransition(_("The time to sign this contract has passed."))
        if not consent:
            raise SignatureRefused(_("Tick the box to confirm that you agree to the contract."), field="consent")
        on_file = legal_name_of(contract, party)
        if not on_file.strip():
            raise SignatureRefused(
                _("Add your legal name to your profile first; you sign with exactly that name."), field="typed_name"
            )
        if not same_name(typed_name, on_file):
            raise SignatureRefused(_("Type your legal name exactly as it is on your profile."), field="typed_name")
        if contract.signatures.filter(party=party).exists():
            raise InvalidTransition(_("You have already signed this contract."))
        signature = Signature.objects.create(
            contract=contract,
            party=party,
            user=user,
            typed_name=" ".join(typed_name.split()),
            terms_hash=contract.terms_hash,
            ip_address=client.ip_address,
            user_agent=client.user_agent[:300],
        )
        record_contract_event(contract, ContractEvent.Kind.SIGNED, by=user, party=party)
        if contract.signatures.count() == 2:
            _move(contract, ContractStatus.ACTIVE, activated_at=now)
            record_contract_event(contract, ContractEvent.Kind.ACTIVATED, by=None)
            _tell_in_force(contract, kinds.CONTRACT_ACTIVE, kinds.CONTRACT_SIGNED_BOTH, "active")
        else:
            other = contract.creator.user if party == Party.ACTOR else contract.actor.user
            _tell(contract, [other], kinds.CONTRACT_SIGNED, f"signed:{party}")
    return signature


def contract_revoke(*, contract: Contract, user: User, reason: str) -> Contract:
    """The actor revokes an active contract, with a reason the creator reads.
    The licence ends at once. Raises ``PermissionDenied`` (not the actor),
    ``InvalidTransition`` (not active), ``DomainError`` (no reason)."""
    reason = reason.strip()[:REASON_MAX_LENGTH]
    with transaction.atomic():
        contract = _locked(contract)
        if contract.party_of(user) != Party.ACTOR:
            raise PermissionDenied(_("Only the actor can revoke this contract."))
        if not reason:
            raise DomainError(_("Say why you revoke the contract; the creator will read it."))
        _move(contract, ContractStatus.REVOKED, ended_at=timezone.now(), end_reason=reason)
        record_contract_event(contract, ContractEvent.Kind.REVOKED, by=user, party=Party.ACTOR, reason=reason)
        _tell(contract, [contract.creator.user], kinds.CONTRACT_REVOKED, "revoked")
    return contract


def contract_suspend(
    *, contract: Contract, by: User | None, reason: str = "", dispute_id: int | None = None
) -> Contract:
    """A dispute opened on an active contract suspends it (moderation calls
    this). Raises ``InvalidTransition`` unless the contract is active."""
    with transaction.atomic():
        contract = _locked(contract)
        _move(contract, ContractStatus.SUSPENDED)
        record_contract_event(
            contract, ContractEvent.Kind.SUSPENDED, by=by, party="dispute", reason=reason, dispute=dispute_id
        )
        _tell(
            contract, _both(contract), kinds.CONTRACT_SUSPENDED, f"suspended:{dispute_id or timezone.now().timestamp()}"
        )
    return contract


def contract_reinstate(
    *, contract: Contract, by: User | None, reason: str = "", dispute_id: int | None = None
) -> Contract:
    """A dispute ended without voiding: suspended back to active. Raises
    ``InvalidTransition`` unless the contract is suspended (an unsigned
    contract only becomes active through both signatures)."""
    with transaction.atomic():
        contract = _locked(contract)
        if contract.status != ContractStatus.SUSPENDED:
            raise InvalidTransition(_not_now_message(contract))
        _move(contract, ContractStatus.ACTIVE)
        record_contract_event(
            contract, ContractEvent.Kind.REINSTATED, by=by, party="moderator", reason=reason, dispute=dispute_id
        )
        _tell_in_force(
            contract,
            kinds.CONTRACT_REINSTATED,
            kinds.CONTRACT_REINSTATED_SIGNED,
            f"reinstated:{dispute_id or timezone.now().timestamp()}",
        )
    return contract


def contract_void(*, contract: Contract, by: User | None, reason: str, dispute_id: int | None = None) -> Contract:
    """A moderator voids a suspended contract; the licence is gone for good."""
    with transaction.atomic():
        contract = _locked(contract)
        _move(contract, ContractStatus.VOIDED, ended_at=timezone.now(), end_reason=reason[:REASON_MAX_LENGTH])
        record_contract_event(
            contract, ContractEvent.Kind.VOIDED, by=by, party="moderator", reason=reason, dispute=dispute_id
        )
        _tell(contract, _both(contract), kinds.CONTRACT_VOIDED, "voided")
    return contract


def contract_expire_unsigned(*, contract_id: int, now: datetime) -> bool:
    """Cancel one contract unsigned at its deadline (the sweep's claim); False
    when it moved meanwhile or is not due."""
    with transaction.atomic():
        changed = Contract.objects.filter(
            pk=contract_id, status=ContractStatus.AWAITING_SIGNATURES, sign_deadline__lte=now
        ).update(status=ContractStatus.CANCELLED, ended_at=now)
        if not changed:
            return False
        contract = _with_parties(contract_id)
        record_contract_event(contract, ContractEvent.Kind.CANCELLED, by=None, party="platform")
        _tell(contract, _both(contract), kinds.CONTRACT_CANCELLED, "cancelled")
    return True


def contract_complete(*, contract_id: int, today: date) -> bool:
    """Complete one active contract whose term has ended (the sweep's claim)."""
    with transaction.atomic():
        changed = Contract.objects.filter(pk=contract_id, status=ContractStatus.ACTIVE, term_end__lt=today).update(
            status=ContractStatus.COMPLETED, ended_at=timezone.now()
        )
        if not changed:
            return False
        contract = _with_parties(contract_id)
        record_contract_event(contract, ContractEvent.Kind.COMPLETED, by=None, party="platform")
        _tell(contract, _both(contract), kinds.CONTRACT_COMPLETED, "completed")
    return True
