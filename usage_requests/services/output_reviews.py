"""The actor's review of generated outputs: approve or reject one output, or
a batch of them in one transaction, and the sweep that reminds the actor
of outputs left waiting (DESIGN.md "Delivery and provenance").

Reviewing is allowed while the contract is active, in force or signed and
not yet started: that is when the creator may submit outputs. Once the
contract is suspended (a dispute: a moderator decides first), revoked,
voided, completed (or its term has ended before the sweep completed it) or
cancelled, every review is refused with ``InvalidTransition`` naming where
the contract stands, and nothing changes.

Each verdict is a compare-and-set of the output's status from ``pending``
(``OUTPUT_TRANSITIONS``) under the contract's row lock, so a review and a
revocation, or two reviews of one output, never both win. Each writes its
``OUTPUT_APPROVED`` / ``OUTPUT_REJECTED`` event with ``record_contract_event``
and tells the creator (in the app and by email, after the commit).
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.exceptions import DomainError, InvalidTransition
from marketplace.forms import CONTROL_CHARACTERS, MAX_PK, has_control_characters
from marketplace.models import User
from marketplace.notifications import NotificationKind
from marketplace.services import Notice, notify, notify_many
from marketplace.transitions import transition
from usage_requests import notifications as kinds
from usage_requests.models import (
    OUTPUT_TRANSITIONS,
    REASON_MAX_LENGTH,
    Contract,
    ContractEvent,
    ContractStatus,
    GeneratedOutput,
    OutputStatus,
    Party,
)
from usage_requests.services.contracts import contract_params
from usage_requests.services.events import record_output_event
from usage_requests.services.output_labels import queue_output_labelling
from usage_requests.services.sweeps import RUN_SECONDS, claim_chunk
from usage_requests.verdicts import VerdictKey, verdict_key, verdict_label

# Where a contract stands (``verdict_key``) when its outputs may be reviewed.
REVIEWABLE = frozenset({VerdictKey.SIGNED, VerdictKey.ACTIVE})
# Verdicts in one batch: a page of outputs, not a bulk import.
MAX_BATCH = 200


@dataclass(frozen=True)
class OutputVerdict:
    """One verdict of a batch: approve (True) or reject (False, with a note)
    the output ``output_id``."""

    output_id: int
    approve: bool
    note: str = ""


def contract_outputs_url(contract: Contract) -> str:
    """The outputs page of the contract."""
    return reverse("usage_requests:contract_outputs", args=[contract.pk])


def outputs_review_url(contract_id: int) -> str:
    return reverse("usage_requests:outputs_review", args=[contract_id])


def clean_review_note(note: str, *, required: bool, field: str = "note") -> str:
    """The note stripped; ``DomainError`` on ``field`` when it holds control
    characters, is longer than ``REASON_MAX_LENGTH`` or is ``required`` (a
    rejection) and empty."""
    note = (note or "").strip()
    if has_control_characters(note):
        raise DomainError(str(CONTROL_CHARACTERS), field=field)
    if len(note) > REASON_MAX_LENGTH:
        raise DomainError(_("Keep the note to at most %(max)s characters.") % {"max": REASON_MAX_LENGTH}, field=field)
    if required and not note:
        raise DomainError(_("Say why you reject the output; the creator reads your note."), field=field)
    return note


def _locked_contract(contract_id: int) -> Contract:
    return (
        Contract.objects.select_for_update(of=("self",))
        .select_related("actor__user", "creator__user", "project")
        .get(pk=contract_id)
    )


def require_reviewer(contract: Contract, user: User) -> None:
    """``PermissionDenied`` unless ``user`` is the contract's actor, the only
    one who reviews its outputs (views and the API check it first, so the
    creator gets a 403 before any 400)."""
    if contract.party_of(user) != Party.ACTOR:
        raise PermissionDenied(_("Only the actor of this contract can review its generated outputs."))


def _require_reviewable(contract: Contract, user: User) -> None:
    """``require_reviewer``, and ``InvalidTransition`` unless the contract
    is active (see the module)."""
    require_reviewer(contract, user)
    key = verdict_key(contract, timezone.localdate())
    if key not in REVIEWABLE:
        raise InvalidTransition(
            _("Generated outputs can be reviewed only while the contract is active; this one is: %(status)s.")
            % {"status": verdict_label(key)}
        )


def _already_reviewed(output: GeneratedOutput) -> str:
    return _("This output was already reviewed (%(status)s); a verdict cannot change.") % {
        "status": output.get_status_display()
    }


def _review(
    contract: Contract, output: GeneratedOutput, *, user: User, approve: bool, note: str, now: datetime
) -> GeneratedOutput:
    """The compare-and-set of one verdict and its event row, inside the
    caller's transaction. ``InvalidTransition`` when the output is not
    pending, or stopped being pending a moment ago."""
    transition(
        output,
        new=OutputStatus.APPROVED if approve else OutputStatus.REJECTED,
        transitions=OUTPUT_TRANSITIONS,
        illegal=_already_reviewed,
        lost=_("This output was reviewed a moment ago. Reload the page to see its verdict."),
        reviewed_by=user,
        reviewed_at=now,
        review_note=note,
    )
    kind = ContractEvent.Kind.OUTPUT_APPROVED if approve else ContractEvent.Kind.OUTPUT_REJECTED
    extra = {"note": note} if note or not approve else {}
    record_output_event(contract, output, kind, by=user, party=Party.ACTOR, **extra)
    if approve:
        # The creator's labelled copy ("AI生成" and the implicit label), made by a task on commit.
        queue_output_labelling(output)
    return output


def _tell_creator(contract: Contract, kind: NotificationKind, event_key: str, **extra: Any) -> None:
    notify(
        recipient=contract.creator.user,
        kind=kind,
        event_key=event_key,
        params=contract_params(contract, **extra),
        target=contract,
        url=contract_outputs_url(contract),
    )


def _output_verdict(*, output: GeneratedOutput, user: User, approve: bool, note: str) -> GeneratedOutput:
    with transaction.atomic():
        contract = _locked_contract(output.contract_id)
        _require_reviewable(contract, user)
        note = clean_review_note(note, required=not approve)
        _review(contract, output, user=user, approve=approve, note=note, now=timezone.now())
        kind = kinds.OUTPUT_APPROVED if approve else kinds.OUTPUT_REJECTED
        event = f"output:{output.pk}:{'approved' if approve else 'rejected'}"
        _tell_creator(contract, kind, event, shot=output.shot_number, version=output.version)
    return output


def output_approve(*, output: GeneratedOutput, user: User, note: str = "") -> GeneratedOutput:
    """The contract's actor approves a pending output, with an optional
    note. Raises ``PermissionDenied`` (not the actor), ``DomainError`` (a
    note with control characters or too long), ``InvalidTransition`` (not
    pending, reviewed a moment ago, or the contract not active)."""
    return _output_verdict(output=output, user=user, approve=True, note=note)


def output_reject(*, output: GeneratedOutput, user: User, note: str) -> GeneratedOutput:
    """The contract's actor rejects a pending output with a note the creator
    reads (required). Raises as ``output_approve``, and ``DomainError`` on
    ``note`` when the note is empty."""
    return _output_verdict(output=output, user=user, approve=False, note=note)


def _batch_notes(verdicts: Sequence[OutputVerdict]) -> dict[int, str]:
    """Each verdict's cleaned note by output id; ``DomainError`` on
    ``verdicts`` for an empty or oversized batch, an output named twice, or
    a bad note (naming the output)."""
    if not verdicts:
        raise DomainError(_("Choose at least one output to review."), field="verdicts")
    if len(verdicts) > MAX_BATCH:
        raise DomainError(_("Review at most %(max)s outputs at once.") % {"max": MAX_BATCH}, field="verdicts")
    notes: dict[int, str] = {}
    for verdict in verdicts:
        if verdict.output_id in notes:
            raise DomainError(
                _("Output %(id)s is named twice; give each output one verdict.") % {"id": verdict.output_id},
                field="verdicts",
            )
        try:
            notes[verdict.output_id] = clean_review_note(verdict.note, required=not verdict.approve)
        except DomainError as exc:
            raise DomainError(
                _("Output %(id)s: %(error)s") % {"id": verdict.output_id, "error": exc.message}, field="verdicts"
            ) from None
    return notes


def outputs_review(*, contract: Contract, user: User, verdicts: Sequence[OutputVerdict]) -> list[GeneratedOutput]:
    """The contract's actor approves or rejects several pending outputs at
    once, all or nothing, in one transaction; the creator gets one
    notification summing it up. Returns the outputs in the verdicts' order.
    Raises ``PermissionDenied`` (not the actor), ``DomainError`` on
    ``verdicts`` (none, too many, one output twice, a rejection without a
    note, outputs that are not this contract's: named), ``InvalidTransition``
    (an output not pending, or the contract not active)."""
    now = timezone.now()
    with transaction.atomic():
        contract = _locked_contract(contract.pk)
        _require_reviewable(contract, user)
        notes = _batch_notes(verdicts)
        ids = [pk for pk in notes if 0 < pk <= MAX_PK]
        found = {output.pk: output for output in GeneratedOutput.objects.filter(contract=contract, pk__in=ids)}
        unknown = [str(pk) for pk in notes if pk not in found]
        if unknown:
            raise DomainError(
                _("These outputs are not part of this contract: %(ids)s.") % {"ids": ", ".join(unknown)},
                field="verdicts",
            )
        reviewed = [
            _review(contract, found[v.output_id], user=user, approve=v.approve, note=notes[v.output_id], now=now)
            for v in verdicts
        ]
        approved = sum(1 for v in verdicts if v.approve)
        _tell_creator(
            contract,
            kinds.OUTPUTS_REVIEWED,
            # Each output is reviewed once, so its smallest id names the batch.
            f"contract:{contract.pk}:outputs_reviewed:{min(found)}",
            count=len(reviewed),
            approved=approved,
            rejected=len(reviewed) - approved,
        )
    return reviewed


# --- Reminders ------------------------------------------------------------------------


def _due_for_review_reminder(now: datetime) -> QuerySet[GeneratedOutput]:
    """Pending outputs of active contracts submitted more than
    ``OUTPUT_REVIEW_REMINDER_DAYS`` ago, never reminded or last reminded that
    long ago. No join: ``claim_chunk`` repeats this condition in its UPDATE."""
    waited = now - timedelta(days=settings.OUTPUT_REVIEW_REMINDER_DAYS)
    active = Contract.objects.filter(status=ContractStatus.ACTIVE).values("pk")
    return GeneratedOutput.objects.filter(
        Q(reminded_at__isnull=True) | Q(reminded_at__lte=waited),
        status=OutputStatus.PENDING,
        submitted_at__lte=waited,
        contract_id__in=active,
    )


def _remind_actors(ids: list[int], now: datetime) -> None:
    """One reminder to the actor of each contract among the claimed outputs
    ``ids``, counting them; told once a day per contract at most."""
    counts = dict(
        GeneratedOutput.objects.filter(pk__in=ids)
        .order_by()
        .values("contract_id")
        .annotate(waiting=Count("pk"))
        .values_list("contract_id", "waiting")
    )
    rows = Contract.objects.filter(pk__in=list(counts)).values(
        "pk", "licence_code", "actor__user_id", "actor__stage_name", "creator__display_name", "project__title"
    )
    notify_many(
        Notice(
            recipient_id=row["actor__user_id"],
            kind=kinds.OUTPUTS_REMINDER,
            event_key=f"contract:{row['pk']}:outputs_reminder:{now.date().isoformat()}",
            params={
                "code": row["licence_code"],
                "project": row["project__title"],
                "actor": row["actor__stage_name"],
                "creator": row["creator__display_name"],
                "count": counts[row["pk"]],
                "days": settings.OUTPUT_REVIEW_REMINDER_DAYS,
            },
            target_model=Contract,
            target_id=row["pk"],
            url=outputs_review_url(row["pk"]),
        )
        for row in rows.order_by("pk")
    )


def outputs_remind_due(*, now: datetime | None = None) -> int:
    """Remind actors of the outputs that have waited for their review longer
    than ``OUTPUT_REVIEW_REMINDER_DAYS`` (again every that many days while
    they wait). Each output is claimed by a compare-and-set of its
    ``reminded_at``, a chunk at a time, so two sweeps at once remind of it
    once. Returns how many outputs this run claimed."""
    now = now or timezone.now()
    due = _due_for_review_reminder(now)
    claimed = 0
    stop_at = time.monotonic() + RUN_SECONDS
    while time.monotonic() < stop_at:
        with transaction.atomic():
            ids = claim_chunk(due, reminded_at=now)
            if not ids:
                break
            _remind_actors(ids, now)
        claimed += len(ids)
    return claimed
