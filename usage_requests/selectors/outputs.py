"""Reads of generated outputs, scoped to who asks: the two parties of the
contract see its outputs; anyone else gets nothing (a 404 in views)."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from marketplace.models import User
from usage_requests.models import GeneratedOutput


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
