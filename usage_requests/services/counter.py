"""Counter-offers: the actor proposes new terms (a new version), and the
creator accepts them, handing the request back to the actor."""

from typing import Unpack

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.models import User
from usage_requests import notifications as kinds
from usage_requests.models import MESSAGE_MAX_LENGTH, Party, RequestEvent, RequestStatus, RequestTerms, UsageRequest
from usage_requests.services.requests import (
    locked_for_move,
    move_status,
    record_event,
    request_expiry_after,
    tell_party,
)
from usage_requests.services.terms import InvalidTerms, ProposedTerms, terms_version_add, validate_terms


def usage_request_counter(
    *,
    request: UsageRequest,
    user: User,
    terms_version: int | None,
    note: str = "",
    **terms: Unpack[ProposedTerms],
) -> RequestTerms:
    """The actor proposes new terms: a new version, and the request waits for
    the creator. Raises ``PermissionDenied``, ``StaleTerms``,
    ``RequestExpired``, ``InvalidTransition``, ``InvalidTerms``."""
    now = timezone.now()
    with transaction.atomic():
        request = locked_for_move(
            request, user=user, party=Party.ACTOR, status=RequestStatus.PENDING, now=now, terms_version=terms_version
        )
        validate_terms(
            project=request.project, fee=terms["fee"], term_start=terms["term_start"], term_end=terms["term_end"]
        )
        if len(note) > MESSAGE_MAX_LENGTH:
            raise InvalidTerms(_("The note is too long."), field="note")
        version = request.terms_version + 1
        proposed = terms_version_add(
            request=request, version=version, proposed_by=Party.ACTOR, note=note.strip(), **terms
        )
        move_status(
            request,
            RequestStatus.COUNTERED,
            terms_version=version,
            expires_at=now + request_expiry_after(),
            reminded_at=None,
        )
        record_event(request, RequestEvent.Kind.COUNTERED, by=user, party=Party.ACTOR, terms_version=version)
        tell_party(request, request.creator.user, kinds.REQUEST_COUNTERED, f"countered:{version}")
    return proposed


def usage_request_accept_counter(*, request: UsageRequest, user: User, terms_version: int | None) -> UsageRequest:
    """The creator accepts the actor's counter terms; the request goes back to
    the actor (pending) for the final acceptance with the shot decisions.
    Raises ``PermissionDenied``, ``StaleTerms``, ``RequestExpired``,
    ``InvalidTransition``."""
    now = timezone.now()
    with transaction.atomic():
        request = locked_for_move(
            request,
            user=user,
            party=Party.CREATOR,
            status=RequestStatus.COUNTERED,
            now=now,
            terms_version=terms_version,
        )
        move_status(request, RequestStatus.PENDING, expires_at=now + request_expiry_after(), reminded_at=None)
        record_event(
            request,
            RequestEvent.Kind.COUNTER_ACCEPTED,
            by=user,
            party=Party.CREATOR,
            terms_version=request.terms_version,
        )
        tell_party(
            request, request.actor.user, kinds.REQUEST_COUNTER_ACCEPTED, f"counter_accepted:{request.terms_version}"
        )
    return request
