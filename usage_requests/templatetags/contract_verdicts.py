"""The shared verdict in templates that show a contract they did not get a
verdict for: ``{% include "usage_requests/_contract_status.html" with verdict=contract|verdict %}``."""

from django import template

from usage_requests.models import Contract
from usage_requests.verdicts import Verdict, verdict_of

register = template.Library()


@register.filter
def verdict(contract: Contract) -> Verdict:
    """``verdict_of(contract)`` today, in the active language."""
    return verdict_of(contract)
