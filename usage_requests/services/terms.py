"""The terms of a request: what a party proposes, the rules any proposal must
meet whoever makes it, and the versions they are written as (version 1 with
the request, one more per counter-offer)."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, NotRequired, TypedDict, Unpack

from django.utils import timezone
from django.utils.translation import gettext as _

from creators.models import Project
from marketplace.exceptions import DomainError
from usage_requests.models import RequestTerms, UsageRequest

MAX_TERM_MONTHS = 120


class ProposedTerms(TypedDict):
    """The terms one side proposes, as the services take them (``**terms``):
    what the composer, a counter-offer and the API's inputs hand over."""

    fee: Decimal
    currency: str
    term_start: date
    term_end: date
    territory: str
    # Not allowed unless proposed: a request sent without it has it off.
    ai_training: NotRequired[bool]


def proposed_terms(data: Mapping[str, Any]) -> ProposedTerms:
    """The terms in validated input: a form's ``cleaned_data``, a
    serializer's ``validated_data``."""
    return ProposedTerms(
        fee=data["fee"],
        currency=data["currency"],
        term_start=data["term_start"],
        term_end=data["term_end"],
        territory=data["territory"],
        ai_training=data["ai_training"],
    )


class InvalidTerms(DomainError):
    """Terms that no actor could accept (dates, fee, shots); ``field`` names the input."""


def term_months(start: date, end: date) -> int:
    """Whole months a licence from ``start`` to ``end`` spans, a started month
    counting as a whole one (1 January to 31 December is 12)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day > start.day:
        months += 1
    return max(months, 1)


def validate_terms(
    *,
    project: Project,
    fee: Decimal,
    term_start: date,
    term_end: date,
    today: date | None = None,
) -> None:
    """Raise ``InvalidTerms`` for terms that cannot stand whoever proposes them."""
    today = today or timezone.localdate()
    if fee is None or Decimal(fee) < 0:
        raise InvalidTerms(_("The fee cannot be negative."), field="fee")
    if term_end < term_start:
        raise InvalidTerms(_("The licence cannot end before it starts."), field="term_end")
    if term_end < today:
        raise InvalidTerms(_("The licence would end in the past."), field="term_end")
    if project.start_date and term_start < project.start_date:
        raise InvalidTerms(
            _("The licence must start on or after the project's start date (%(date)s).") % {"date": project.start_date},
            field="term_start",
        )
    if project.end_date and term_end > project.end_date:
        raise InvalidTerms(
            _("The licence must end on or before the project's end date (%(date)s).") % {"date": project.end_date},
            field="term_end",
        )
    if term_months(term_start, term_end) > MAX_TERM_MONTHS:
        raise InvalidTerms(_("A licence lasts at most 10 years."), field="term_end")


def terms_version_add(
    *, request: UsageRequest, version: int, proposed_by: str, note: str = "", **terms: Unpack[ProposedTerms]
) -> RequestTerms:
    """Write one version of a request's terms, as ``proposed_by`` made them.
    Call only inside the transaction of the move that proposes them."""
    return RequestTerms.objects.create(request=request, version=version, proposed_by=proposed_by, note=note, **terms)
