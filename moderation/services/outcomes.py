"""How a dispute ends: a moderator resolves it with an outcome (and the
contract moves and sanctions it calls for) or dismisses it.

Each is one transaction: the dispute's compare-and-set first, so a second
moderator loses before anything else is written.
"""

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from marketplace.exceptions import DomainError, InvalidTransition
from marketplace.http import ClientInfo
from marketplace.models import AuditEvent, User
from marketplace.services import notify
from moderation import notifications as kinds
from moderation.models import (
    DISPUTE_OPEN_STATUSES,
    REASON_MAX_LENGTH,
    Dispute,
    DisputeEvent,
    DisputeOutcome,
    DisputeStatus,
)
from moderation.services.claims import claim_respected, item_claims_clear
from moderation.services.disputes import (
    MODERATOR,
    dispute_audit,
    dispute_event,
    dispute_move,
    dispute_parties,
    dispute_respondent,
    dispute_url,
    loaded_dispute,
    plain_text,
    require_moderator,
)
from moderation.services.sanctions import user_suspend, user_warn
from usage_requests.models import Contract, ContractStatus
from usage_requests.services.contracts import contract_reinstate, contract_void


def _resolution(text: str) -> str:
    text = plain_text(text, REASON_MAX_LENGTH)
    if not text:
        raise DomainError(_("Write the resolution: both parties read it."))
    return text


def _outcome_label(outcome: str, recipient: User) -> str:
    # Notification params hold plain data; the label is rendered once, in
    # the language the recipient reads the platform in.
    with translation.override(getattr(recipient, "preferred_language", None) or None):
        return str(DisputeOutcome(outcome).label)


def _suspended_contract(dispute: Dispute) -> Contract | None:
    """The contract this dispute suspended, if it is still suspended."""
    if not dispute.suspended_contract or dispute.contract_id is None:
        return None
    contract = Contract.objects.filter(pk=dispute.contract_id).first()
    return contract if contract is not None and contract.status == ContractStatus.SUSPENDED else None


def _any_suspended_contract(dispute: Dispute) -> Contract | None:
    """The dispute's contract if it is suspended (a dispute opened before its
    contract was active has none to void)."""
    if dispute.contract_id is None:
        return None
    return Contract.objects.filter(pk=dispute.contract_id, status=ContractStatus.SUSPENDED).first()


def _reinstate_if_suspended(dispute: Dispute, by: User, reason: str) -> None:
    contract = _suspended_contract(dispute)
    if contract is not None:
        contract_reinstate(contract=contract, by=by, reason=reason, dispute_id=dispute.pk)


def _apply_outcome(
    dispute: Dispute, *, outcome: str, respondent: User, by: User, resolution: str, client: ClientInfo | None
) -> None:
    """The contract moves and sanctions ``outcome`` calls for (inside the
    caller's transaction). Raises ``InvalidTransition`` when a voided
    contract is asked for and there is none suspended."""
    if outcome in (DisputeOutcome.NO_ACTION, DisputeOutcome.WARNING):
        _reinstate_if_suspended(dispute, by, resolution)
    if outcome == DisputeOutcome.WARNING:
        user_warn(user=respondent, by=by, reason=resolution, dispute=dispute, client=client)
    if outcome == DisputeOutcome.CONTRACT_VOIDED:
        contract = _any_suspended_contract(dispute)
        if contract is None:
            raise InvalidTransition(
                _("There is no contract suspended by this dispute to void. Choose another outcome.")
            )
        contract_void(contract=contract, by=by, reason=resolution, dispute_id=dispute.pk)
    if outcome == DisputeOutcome.ACCOUNT_SUSPENDED:
        if respondent.suspended_at is None:
            user_suspend(user=respondent, by=by, reason=resolution, dispute=dispute, client=client)
        contract = _suspended_contract(dispute)
        if contract is not None:
            contract_void(contract=contract, by=by, reason=resolution, dispute_id=dispute.pk)


def _tell_parties_resolved(dispute: Dispute, outcome: str, resolution: str) -> None:
    for recipient in dispute_parties(dispute):
        notify(
            recipient=recipient,
            kind=kinds.DISPUTE_RESOLVED,
            event_key=f"dispute:{dispute.pk}:resolved",
            params={
                "id": dispute.pk,
                "outcome": _outcome_label(outcome, recipient),
                "resolution": resolution,
            },
            target=dispute,
            url=dispute_url(dispute),
        )


def dispute_resolve(
    *, dispute: Dispute, by: User, outcome: str, resolution: str, client: ClientInfo | None = None
) -> Dispute:
    """End an open or in-review dispute with ``outcome``:

    * ``no_action``: the contract this dispute suspended is reinstated;
    * ``warning``: the respondent is warned, the contract reinstated;
    * ``contract_voided``: the suspended contract is voided;
    * ``account_suspended``: the respondent's account is suspended (their
      open requests declined) and the suspended contract voided.

    Raises ``PermissionDenied`` (not a moderator, or a party),
    ``DomainError`` (no resolution, unknown outcome) and
    ``InvalidTransition`` (ended already — another moderator was first — or
    there is no suspended contract to void). On any error nothing is written.
    """
    if outcome not in DisputeOutcome.values:
        raise DomainError(_("Choose an outcome."))
    resolution = _resolution(resolution)
    dispute = loaded_dispute(dispute)
    require_moderator(by, dispute)
    claim_respected(item=dispute, moderator=by)
    respondent = dispute_respondent(dispute)
    with transaction.atomic():
        dispute_move(
            dispute,
            old=DISPUTE_OPEN_STATUSES,
            new=DisputeStatus.RESOLVED,
            outcome=outcome,
            resolution=resolution,
            resolved_by=by,
            resolved_at=timezone.now(),
            sanctioned_user=respondent if outcome == DisputeOutcome.ACCOUNT_SUSPENDED else None,
        )
        _apply_outcome(dispute, outcome=outcome, respondent=respondent, by=by, resolution=resolution, client=client)
        dispute_event(dispute, DisputeEvent.Kind.RESOLVED, by=by, party=MODERATOR, outcome=outcome)
        dispute_audit(AuditEvent.Action.DISPUTE_RESOLVED, dispute, by, client, outcome=outcome, resolution=resolution)
        _tell_parties_resolved(dispute, outcome, resolution)
        item_claims_clear(item=dispute)
    return dispute


def dispute_dismiss(*, dispute: Dispute, by: User, resolution: str, client: ClientInfo | None = None) -> Dispute:
    """End an open or in-review dispute without action: the contract it
    suspended is reinstated and both parties are told why. Raises like
    ``dispute_resolve``."""
    resolution = _resolution(resolution)
    dispute = loaded_dispute(dispute)
    require_moderator(by, dispute)
    claim_respected(item=dispute, moderator=by)
    with transaction.atomic():
        dispute_move(
            dispute,
            old=DISPUTE_OPEN_STATUSES,
            new=DisputeStatus.DISMISSED,
            resolution=resolution,
            resolved_by=by,
            resolved_at=timezone.now(),
        )
        _reinstate_if_suspended(dispute, by, resolution)
        dispute_event(dispute, DisputeEvent.Kind.DISMISSED, by=by, party=MODERATOR)
        dispute_audit(AuditEvent.Action.DISPUTE_DISMISSED, dispute, by, client, resolution=resolution)
        for recipient in dispute_parties(dispute):
            notify(
                recipient=recipient,
                kind=kinds.DISPUTE_DISMISSED,
                event_key=f"dispute:{dispute.pk}:dismissed",
                params={"id": dispute.pk, "resolution": resolution},
                target=dispute,
                url=dispute_url(dispute),
            )
        item_claims_clear(item=dispute)
    return dispute
