"""Reads of generated outputs, scoped to who asks: the two parties of the
contract see its outputs; anyone else gets nothing (a 404 in views)."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet

from marketplace.models import User
from usage_requests.models import GeneratedOutput, OutputStatus


def outputs_for_user(user: User | AnonymousUser) -> QuerySet[GeneratedOutput]:
    """Outputs of every contract ``user`` is a party of; none for an
    anonymous user."""
    if not user.is_authenticated:
        return GeneratedOutput.objects.none()
    return GeneratedOutput.objects.filter(
        Q(contract__actor__user=user) | Q(contract__creator__user=user)
    ).select_related("contract__actor__user", "contract__creator__user")


def outputs_of_contract(user: User | AnonymousUser, contract_id: int) -> QuerySet[GeneratedOutput]:
    """The outputs of one contract, if ``user`` is a party of it, in shot
    and version order."""
    return outputs_for_user(user).filter(contract_id=contract_id).order_by("shot_number", "version", "id")


@dataclass(frozen=True)
class OutputCounts:
    """How many outputs of a contract are in each status."""

    pending: int = 0
    approved: int = 0
    rejected: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.approved + self.rejected


def output_counts(contract_id: int) -> OutputCounts:
    """The outputs of one contract counted by status, in one query. The
    caller has already fetched the contract through a party's selector."""
    rows = (
        GeneratedOutput.objects.filter(contract_id=contract_id).order_by().values("status").annotate(count=Count("id"))
    )
    by_status = {row["status"]: row["count"] for row in rows}
    return OutputCounts(
        pending=by_status.get(OutputStatus.PENDING, 0),
        approved=by_status.get(OutputStatus.APPROVED, 0),
        rejected=by_status.get(OutputStatus.REJECTED, 0),
    )


def output_records_for_actor(actor_id: int) -> list[dict[str, Any]]:
    """What was generated with the actor's likeness under their contracts,
    for their data export: one row per output with the actor's verdict
    (the files stay in the portal; their hashes identify them)."""
    outputs = (
        GeneratedOutput.objects.filter(contract__actor_id=actor_id)
        .select_related("contract")
        .order_by("submitted_at", "id")
    )
    return [
        {
            "id": output.pk,
            "licence_code": output.contract.licence_code,
            "shot": output.shot_number,
            "version": output.version,
            "replaces": output.replaces_id,
            "kind": output.kind,
            "content_type": output.content_type,
            "sha256": output.sha256,
            "size": output.size,
            "tool": output.tool,
            "submitted_at": output.submitted_at.isoformat(),
            "status": output.status,
            "auto_approved": output.auto_approved,
            "review_note": output.review_note,
            "reviewed_at": output.reviewed_at.isoformat() if output.reviewed_at else None,
        }
        for output in outputs
    ]
