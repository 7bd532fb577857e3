"""Reads of generated outputs, scoped to who asks: the two parties of the
contract see its outputs; anyone else gets nothing (a 404 in views)."""

from dataclasses import dataclass

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
