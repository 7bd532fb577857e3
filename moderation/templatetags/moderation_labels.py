"""Labels the dispute page shows for stored keys, in the reader's language."""

from django import template

from usage_requests.models import party_label as _party_label

register = template.Library()


@register.filter
def party_label(party: str) -> str:
    """Who wrote or moved, from a party key (``"actor"``, ``"moderator"``,
    ``"platform"``…): ``{{ event.by_party|party_label }}``; "" when unknown."""
    return _party_label(party)
