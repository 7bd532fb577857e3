"""The actor's side of a request: a decision on each shot, and accepting the
latest terms, which turns the request into its contract."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.exceptions import DomainError
from marketplace.models import User
from marketplace.services import notify
from usage_requests import notifications as kinds
from usage_requests.models import (
    NOTE_MAX_LENGTH,
    Contract,
    Party,
    RequestEvent,
    RequestShot,
    RequestStatus,
    ShotDecision,
    UsageRequest,
)
from usage_requests.services.contracts import contract_create, contract_url
from usage_requests.services.requests import (
    locked_for_move,
    move_status,
    notification_params,
    record_event,
)
from usage_requests.services.terms import InvalidTerms


class IncompleteDecisions(DomainError):
    """Accepting needs a decision on every shot and at least one approval."""

    field = "decisions"


def usage_request_decide_shots(
    *, request: UsageRequest, user: User, decisions: dict[int, tuple[str, str]]
) -> list[RequestShot]:
    """Record the actor's decision and note on some of the request's shots
    (``{request_shot_id: (decision, note)}``). Only while the request awaits the
    actor. Raises ``PermissionDenied`` for anyone but the actor,
    ``InvalidTransition`` in any other status, ``InvalidTerms`` for an unknown
    shot or decision."""
    now = timezone.now()
    with transaction.atomic():
        request = locked_for_move(request, user=user, party=Party.ACTOR, status=RequestStatus.PENDING, now=now)
        rows = {row.pk: row for row in request.request_shots.select_related("shot")}
        changed = []
        for pk, (decision, note) in decisions.items():
            row = rows.get(pk)
            if row is None:
                raise InvalidTerms(_("That shot is not part of this request."), field="shots")
            if decision not in ShotDecision.values:
                raise InvalidTerms(_("Choose approve or veto for each shot."), field="shots")
            note = " ".join(note.split())[:NOTE_MAX_LENGTH]
            if (row.decision, row.note) == (decision, note):
                continue
            row.decision = decision
            row.note = note
            row.decided_at = now if decision != ShotDecision.UNDECIDED else None
            row.save(update_fields=["decision", "note", "decided_at"])
            record_event(
                request,
                RequestEvent.Kind.SHOT_DECIDED,
                by=user,
                party=Party.ACTOR,
                shot=row.shot.number,
                decision=decision,
                note=note,
            )
            changed.append(row)
        UsageRequest.objects.filter(pk=request.pk).update(updated_at=now)
    return changed


def usage_request_accept(
    *,
    request: UsageRequest,
    user: User,
    terms_version: int | None,
    visible_label: bool = False,
    outputs_need_approval: bool = True,
) -> Contract:
    """The actor accepts the latest terms: the request becomes accepted and
    its contract is created in the same transaction, from the approved shots
    only; ``visible_label`` is the actor's choice of a visible licence label
    on every delivered copy, ``outputs_need_approval`` whether each generated
    output waits for the actor's approval (default) or is approved on
    submission. Raises ``PermissionDenied`` (not the actor), ``StaleTerms``,
    ``RequestExpired`` (even before the sweep ran), ``InvalidTransition``,
    ``IncompleteDecisions``."""
    now = timezone.now()
    with transaction.atomic():
        request = locked_for_move(
            request, user=user, party=Party.ACTOR, status=RequestStatus.PENDING, now=now, terms_version=terms_version
        )
        shots = list(request.request_shots.select_related("shot"))
        if any(row.decision == ShotDecision.UNDECIDED for row in shots):
            raise IncompleteDecisions(_("Approve or veto every shot before you accept."))
        approved = [row for row in shots if row.decision == ShotDecision.APPROVED]
        if not approved:
            raise IncompleteDecisions(
                _("You vetoed every shot. Decline the request instead, or approve at least one shot.")
            )
        move_status(request, RequestStatus.ACCEPTED, closed_at=now)
        record_event(
            request, RequestEvent.Kind.ACCEPTED, by=user, party=Party.ACTOR, terms_version=request.terms_version
        )
        contract = contract_create(
            request=request,
            approved=approved,
            now=now,
            visible_label=visible_label,
            outputs_need_approval=outputs_need_approval,
        )
        # The creator is sent to the contract, not the request: signing is next.
        notify(
            recipient=request.creator.user,
            kind=kinds.REQUEST_ACCEPTED,
            event_key=f"usage_request:{request.pk}:accepted",
            params=notification_params(request, count=len(approved)),
            target=request,
            url=contract_url(contract),
        )
    return contract


def usage_request_decide_and_accept(
    *,
    usage_request: UsageRequest,
    user: User,
    decisions: dict[int, tuple[str, str]],
    terms_version: int | None,
    visible_label: bool = False,
    outputs_need_approval: bool = True,
) -> Contract:
    """Record the actor's shot decisions and accept the latest terms, in one
    transaction: a refused acceptance keeps no decision either. Raises as
    ``usage_request_decide_shots`` and ``usage_request_accept``."""
    with transaction.atomic():
        if decisions:
            usage_request_decide_shots(request=usage_request, user=user, decisions=decisions)
        return usage_request_accept(
            request=usage_request,
            user=user,
            terms_version=terms_version,
            visible_label=visible_label,
            outputs_need_approval=outputs_need_approval,
        )
