"""Sending usage requests, and what every move of a request shares.

Every move is one transaction: the row is locked (``select_for_update``;
SQLite serialises writers through IMMEDIATE transactions), the status and the
caller's party are checked again, the status is moved with a compare-and-set
(``marketplace.transitions``), the event row is written, and notifications go
out after commit. The moves themselves live by subject: ``decisions`` (the
actor's shot decisions and acceptance), ``counter`` (counter-offers) and
``closing`` (decline, withdraw, the platform's declines).
"""

from datetime import datetime, timedelta
from typing import Any, Unpack

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from actors.models import ActorProfile
from creators.models import CreatorProfile, Project, Shot
from creators.services import ActorNotListed
from marketplace.exceptions import Conflict, DomainError, InvalidTransition
from marketplace.models import User
from marketplace.notifications import NotificationKind
from marketplace.services import notify
from marketplace.transitions import transition
from usage_requests import notifications as kinds
from usage_requests.models import (
    MESSAGE_MAX_LENGTH,
    OPEN_REQUEST_STATUSES,
    REQUEST_TRANSITIONS,
    Party,
    RequestEvent,
    RequestShot,
    UsageRequest,
)
from usage_requests.services.red_lines import red_line_violations
from usage_requests.services.terms import InvalidTerms, ProposedTerms, terms_version_add, validate_terms


class RedLineViolation(DomainError):
    """The terms cross the actor's red lines; ``reasons`` lists every one."""

    def __init__(self, reasons: list[str], actor: ActorProfile | None = None):
        super().__init__(" ".join(reasons))
        self.reasons = reasons
        self.actor = actor

    def api_body(self) -> dict[str, Any]:
        return {"red_lines": list(self.reasons)}


class RedLineViolations(DomainError):
    """Sending to several actors: the reasons, per actor, nothing sent."""

    def __init__(self, refusals: list[RedLineViolation]):
        super().__init__(" ".join(refusal.message for refusal in refusals))
        self.refusals = refusals

    def api_body(self) -> dict[str, Any]:
        return {"red_lines": [reason for refusal in self.refusals for reason in refusal.reasons]}


class DuplicateOpenRequest(Conflict):
    """There is already an open request for this actor and project: 409,
    naming the open one (``existing_request``) when the caller may see it."""

    def __init__(self, message: str, existing: UsageRequest | None):
        super().__init__(message)
        self.existing = existing

    def api_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"detail": self.message}
        if self.existing is not None:
            body["existing_request"] = self.existing.pk
        return body


class StaleTerms(InvalidTransition):
    """The terms changed since the form was opened."""


class RequestExpired(InvalidTransition):
    """The request's deadline has passed (whether or not the sweep ran)."""


# --- What every move shares -------------------------------------------------------


def request_expiry_after() -> timedelta:
    return timedelta(days=settings.USAGE_REQUEST_EXPIRY_DAYS)


def request_url(request: UsageRequest) -> str:
    return f"/requests/{request.pk}/"


def notification_params(request: UsageRequest, **extra: Any) -> dict[str, Any]:
    return {
        "project": request.project.title,
        "actor": request.actor.stage_name,
        "creator": request.creator.display_name,
        **extra,
    }


def tell_party(request: UsageRequest, recipient: User, kind: NotificationKind, event: str, **params: Any) -> None:
    """Notify one party of a move; ``event`` names it within the request, so
    telling the same party about the same move twice sends nothing more."""
    notify(
        recipient=recipient,
        kind=kind,
        event_key=f"usage_request:{request.pk}:{event}",
        params=notification_params(request, **params),
        target=request,
        url=request_url(request),
    )


def record_event(request: UsageRequest, kind: str, *, by: User | None, party: str = "", **data: Any) -> RequestEvent:
    return RequestEvent.objects.create(request=request, kind=kind, by=by, by_party=party, data=data)


def require_party(request: UsageRequest, user: User, required: str) -> str:
    """The caller's party, or ``PermissionDenied`` when it is not ``required``.

    Strangers never get here: views and the API fetch through
    ``usage_requests_for_user``, so a request outside it is a 404.
    """
    party = request.party_of(user)
    if party != required:
        raise PermissionDenied(_("Only the %(party)s of this request can do that.") % {"party": Party(required).label})
    return party


def locked_request(request: UsageRequest) -> UsageRequest:
    """The row again, locked for the rest of the transaction."""
    locked = (
        UsageRequest.objects.select_for_update(of=("self",))
        .select_related("actor__user", "creator__user", "project")
        .get(pk=request.pk)
    )
    return locked


def _not_open_message(request: UsageRequest) -> str:
    return _("This request is %(status)s; nothing more can be done with it.") % {
        "status": request.get_status_display().lower()
    }


def require_status(request: UsageRequest, *allowed: str, now: datetime | None = None) -> None:
    if request.status not in allowed:
        if request.status in OPEN_REQUEST_STATUSES:
            raise InvalidTransition(_("The request is waiting for the other side; it cannot do that now."))
        raise InvalidTransition(_not_open_message(request))
    if now is not None and request.expires_at <= now:
        when = date_format(timezone.localtime(request.expires_at), "SHORT_DATETIME_FORMAT")
        raise RequestExpired(_("This request expired on %(when)s.") % {"when": when})


def require_latest_terms(request: UsageRequest, terms_version: int | None) -> None:
    if terms_version is not None and terms_version != request.terms_version:
        raise StaleTerms(
            _("The terms changed while you were reading them (now version %(version)s). Read them again, then decide.")
            % {"version": request.terms_version}
        )


def locked_for_move(
    request: UsageRequest, *, user: User, party: str, status: str, now: datetime, terms_version: int | None = None
) -> UsageRequest:
    """The row again, locked, for a move only ``party`` makes while the
    request is in ``status`` and not past its deadline at ``now``, on the
    latest terms (``terms_version``, unless None). Raises
    ``PermissionDenied``, ``InvalidTransition``, ``RequestExpired``,
    ``StaleTerms``."""
    locked = locked_request(request)
    require_party(locked, user, party)
    require_status(locked, status, now=now)
    require_latest_terms(locked, terms_version)
    return locked


def move_status(request: UsageRequest, new: str, **fields: Any) -> None:
    """Compare-and-set the status; InvalidTransition when another move won."""
    transition(
        request,
        new=new,
        transitions=REQUEST_TRANSITIONS,
        illegal=_not_open_message,
        lost=_("Someone else changed this request a moment ago. Reload it to see how it stands."),
        updated_at=timezone.now(),
        **fields,
    )


# --- Sending ----------------------------------------------------------------------


def _check_shots(project: Project, shots: list[Shot]) -> list[Shot]:
    if not shots:
        raise InvalidTerms(_("Choose at least one shot."), field="shots")
    if any(shot.project_id != project.pk for shot in shots):
        raise InvalidTerms(_("Every shot must belong to the project."), field="shots")
    return sorted({shot.pk: shot for shot in shots}.values(), key=lambda shot: (shot.position, shot.number))


def _existing_open(actor: ActorProfile, project: Project) -> UsageRequest | None:
    return UsageRequest.objects.filter(actor=actor, project=project, status__in=OPEN_REQUEST_STATUSES).first()


def _duplicate(actor: ActorProfile, project: Project) -> DuplicateOpenRequest:
    existing = _existing_open(actor, project)
    return DuplicateOpenRequest(
        _("%(actor)s already has an open request for this project (request #%(id)s). Follow that one up instead.")
        % {"actor": actor.stage_name, "id": existing.pk if existing else "?"},
        existing=existing,
    )


def _check_sendable(*, creator: CreatorProfile, actors: list[ActorProfile], project: Project, message: str) -> None:
    """Raise ``PermissionDenied`` or ``InvalidTerms`` unless ``creator`` may
    send requests for ``project`` to ``actors`` with ``message``."""
    if project.creator_id != creator.pk:
        raise PermissionDenied(_("You can only send requests for your own projects."))
    if not actors:
        raise InvalidTerms(_("Choose at least one actor."), field="actors")
    if project.status not in (Project.Status.DRAFT, Project.Status.ACTIVE):
        raise InvalidTerms(
            _("This project is %(status)s; requests can only be sent for open projects.")
            % {"status": project.get_status_display().lower()}
        )
    if len(message) > MESSAGE_MAX_LENGTH:
        raise InvalidTerms(_("The message is too long."), field="message")


def _refuse_red_lines(actors: list[ActorProfile], project: Project, shots: list[Shot], terms: ProposedTerms) -> None:
    """Raise ``ActorNotListed`` for an actor off the roster, or
    ``RedLineViolations`` with every reason of every actor whose red lines
    the terms cross."""
    refusals = []
    for actor in actors:
        if not actor.is_listed:
            raise ActorNotListed(_("%(actor)s is not on the roster.") % {"actor": actor.stage_name})
        reasons = red_line_violations(actor=actor, project=project, shots=shots, **terms)
        if reasons:
            refusals.append(RedLineViolation(reasons, actor=actor))
    if refusals:
        raise RedLineViolations(refusals)


def _request_create(
    *,
    creator: CreatorProfile,
    actor: ActorProfile,
    project: Project,
    shots: list[Shot],
    message: str,
    now: datetime,
    terms: ProposedTerms,
) -> UsageRequest:
    """Write one request with its first terms and its shots, and tell the
    actor. ``DuplicateOpenRequest`` when the actor has an open one."""
    if _existing_open(actor, project):
        raise _duplicate(actor, project)
    try:
        with transaction.atomic():
            request = UsageRequest.objects.create(
                actor=actor,
                creator=creator,
                project=project,
                message=message.strip(),
                expires_at=now + request_expiry_after(),
            )
    except IntegrityError:
        # A second send raced this one past the check above.
        raise _duplicate(actor, project) from None
    terms_version_add(request=request, version=1, proposed_by=Party.CREATOR, **terms)
    RequestShot.objects.bulk_create(RequestShot(request=request, shot=shot) for shot in shots)
    record_event(request, RequestEvent.Kind.SENT, by=creator.user, party=Party.CREATOR, shots=len(shots))
    tell_party(request, actor.user, kinds.REQUEST_RECEIVED, "received")
    return request


def usage_requests_send(
    *,
    creator: CreatorProfile,
    actors: list[ActorProfile],
    project: Project,
    shots: list[Shot],
    message: str = "",
    **terms: Unpack[ProposedTerms],
) -> list[UsageRequest]:
    """Send the same shots and terms to each actor: one request each.

    All or nothing. Raises ``PermissionDenied`` when the project is not the
    creator's, ``InvalidTerms`` for impossible terms, ``ActorNotListed`` for an
    actor off the roster, ``RedLineViolations`` listing every reason per actor,
    ``DuplicateOpenRequest`` when an actor already has an open request for the
    project. Nothing is written when any of them is raised.
    """
    _check_sendable(creator=creator, actors=actors, project=project, message=message)
    shots = _check_shots(project, shots)
    validate_terms(project=project, fee=terms["fee"], term_start=terms["term_start"], term_end=terms["term_end"])
    actors = list({actor.pk: actor for actor in actors}.values())
    _refuse_red_lines(actors, project, shots, terms)
    now = timezone.now()
    with transaction.atomic():
        return [
            _request_create(
                creator=creator, actor=actor, project=project, shots=shots, message=message, now=now, terms=terms
            )
            for actor in actors
        ]


def usage_request_send(
    *,
    creator: CreatorProfile,
    actor: ActorProfile,
    project: Project,
    shots: list[Shot],
    message: str = "",
    **terms: Unpack[ProposedTerms],
) -> UsageRequest:
    """One request to one actor. Raises as ``usage_requests_send``, with a
    single actor's refusal as ``RedLineViolation``."""
    try:
        (request,) = usage_requests_send(
            creator=creator, actors=[actor], project=project, shots=shots, message=message, **terms
        )
    except RedLineViolations as exc:
        raise exc.refusals[0] from None
    return request
