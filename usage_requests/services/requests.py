"""Writes of a usage request: send, decide shots, counter, accept, decline,
withdraw, and the closing of an actor's or a user's open requests.

Every move is one transaction: the row is locked (``select_for_update``;
SQLite serialises writers through IMMEDIATE transactions), the status and the
caller's party are checked again, the status is moved with a compare-and-set,
the event row is written, and notifications go out after commit.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

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
from marketplace.services import notify
from usage_requests import notifications as kinds
from usage_requests.models import (
    MESSAGE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    OPEN_REQUEST_STATUSES,
    REASON_MAX_LENGTH,
    REQUEST_TRANSITIONS,
    Contract,
    Party,
    RequestEvent,
    RequestShot,
    RequestStatus,
    RequestTerms,
    ShotDecision,
    UsageRequest,
)
from usage_requests.services.contracts import contract_create
from usage_requests.services.red_lines import red_line_violations, term_months

MAX_TERM_MONTHS = 120


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


class InvalidTerms(DomainError):
    """Terms that no actor could accept (dates, fee, shots); ``field`` names the input."""


class StaleTerms(InvalidTransition):
    """The terms changed since the form was opened."""


class RequestExpired(InvalidTransition):
    """The request's deadline has passed (whether or not the sweep ran)."""


class IncompleteDecisions(DomainError):
    """Accepting needs a decision on every shot and at least one approval."""

    field = "decisions"


def request_expiry_after() -> timedelta:
    return timedelta(days=settings.USAGE_REQUEST_EXPIRY_DAYS)


def request_url(request: UsageRequest) -> str:
    return f"/requests/{request.pk}/"


def _params(request: UsageRequest, **extra) -> dict:
    return {
        "project": request.project.title,
        "actor": request.actor.stage_name,
        "creator": request.creator.display_name,
        **extra,
    }


def _tell(request: UsageRequest, recipient: User, kind, event: str, **params) -> None:
    """Notify one party of a move; ``event`` names it within the request, so
    telling the same party about the same move twice sends nothing more."""
    notify(
        recipient=recipient,
        kind=kind,
        event_key=f"usage_request:{request.pk}:{event}",
        params=_params(request, **params),
        target=request,
        url=request_url(request),
    )


def _event(request: UsageRequest, kind: str, *, by: User | None, party: str = "", **data) -> RequestEvent:
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


def _locked(request: UsageRequest) -> UsageRequest:
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


def _require_status(request: UsageRequest, *allowed: str, now: datetime | None = None) -> None:
    if request.status not in allowed:
        if request.status in OPEN_REQUEST_STATUSES:
            raise InvalidTransition(_("The request is waiting for the other side; it cannot do that now."))
        raise InvalidTransition(_not_open_message(request))
    if now is not None and request.expires_at <= now:
        when = date_format(timezone.localtime(request.expires_at), "SHORT_DATETIME_FORMAT")
        raise RequestExpired(_("This request expired on %(when)s.") % {"when": when})


def _require_latest(request: UsageRequest, terms_version: int | None) -> None:
    if terms_version is not None and terms_version != request.terms_version:
        raise StaleTerms(
            _("The terms changed while you were reading them (now version %(version)s). Read them again, then decide.")
            % {"version": request.terms_version}
        )


def _move(request: UsageRequest, new: str, **fields) -> None:
    """Compare-and-set the status; InvalidTransition when another move won."""
    old = request.status
    if new not in REQUEST_TRANSITIONS[old]:
        raise InvalidTransition(_not_open_message(request))
    changed = UsageRequest.objects.filter(pk=request.pk, status=old).update(
        status=new, updated_at=timezone.now(), **fields
    )
    if changed != 1:
        raise InvalidTransition(_("Someone else changed this request a moment ago. Reload it to see how it stands."))
    request.status = new
    for name, value in fields.items():
        setattr(request, name, value)


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


def usage_requests_send(
    *,
    creator: CreatorProfile,
    actors: list[ActorProfile],
    project: Project,
    shots: list[Shot],
    fee: Decimal,
    currency: str,
    term_start: date,
    term_end: date,
    territory: str,
    ai_training: bool = False,
    message: str = "",
) -> list[UsageRequest]:
    """Send the same shots and terms to each actor: one request each.

    All or nothing. Raises ``PermissionDenied`` when the project is not the
    creator's, ``InvalidTerms`` for impossible terms, ``ActorNotListed`` for an
    actor off the roster, ``RedLineViolations`` listing every reason per actor,
    ``DuplicateOpenRequest`` when an actor already has an open request for the
    project. Nothing is written when any of them is raised.
    """
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
    shots = _check_shots(project, shots)
    validate_terms(project=project, fee=fee, term_start=term_start, term_end=term_end)
    actors = list({actor.pk: actor for actor in actors}.values())

    refusals = []
    for actor in actors:
        if not actor.is_listed:
            raise ActorNotListed(_("%(actor)s is not on the roster.") % {"actor": actor.stage_name})
        reasons = red_line_violations(
            actor=actor,
            project=project,
            shots=shots,
            fee=fee,
            currency=currency,
            term_start=term_start,
            term_end=term_end,
            territory=territory,
            ai_training=ai_training,
        )
        if reasons:
            refusals.append(RedLineViolation(reasons, actor=actor))
    if refusals:
        raise RedLineViolations(refusals)

    now = timezone.now()
    sent = []
    with transaction.atomic():
        for actor in actors:
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
            RequestTerms.objects.create(
                request=request,
                version=1,
                proposed_by=Party.CREATOR,
                fee=fee,
                currency=currency,
                term_start=term_start,
                term_end=term_end,
                territory=territory,
                ai_training=ai_training,
            )
            RequestShot.objects.bulk_create(RequestShot(request=request, shot=shot) for shot in shots)
            _event(request, RequestEvent.Kind.SENT, by=creator.user, party=Party.CREATOR, shots=len(shots))
            _tell(request, actor.user, kinds.REQUEST_RECEIVED, "received")
            sent.append(request)
    return sent


def usage_request_send(*, actor: ActorProfile, **kwargs) -> UsageRequest:
    """One request to one actor. Raises as ``usage_requests_send``, with a
    single actor's refusal as ``RedLineViolation``."""
    try:
        (request,) = usage_requests_send(actors=[actor], **kwargs)
    except RedLineViolations as exc:
        raise exc.refusals[0] from None
    return request


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
        request = _locked(request)
        require_party(request, user, Party.ACTOR)
        _require_status(request, RequestStatus.PENDING, now=now)
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
            _event(
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


def usage_request_accept(*, request: UsageRequest, user: User, terms_version: int | None) -> Contract:
    """The actor accepts the latest terms: the request becomes accepted and
    its contract is created in the same transaction, from the approved shots
    only. Raises ``PermissionDenied`` (not the actor), ``StaleTerms``,
    ``RequestExpired`` (even before the sweep ran), ``InvalidTransition``,
    ``IncompleteDecisions``."""
    now = timezone.now()
    with transaction.atomic():
        request = _locked(request)
        require_party(request, user, Party.ACTOR)
        _require_status(request, RequestStatus.PENDING, now=now)
        _require_latest(request, terms_version)
        shots = list(request.request_shots.select_related("shot"))
        if any(row.decision == ShotDecision.UNDECIDED for row in shots):
            raise IncompleteDecisions(_("Approve or veto every shot before you accept."))
        approved = [row for row in shots if row.decision == ShotDecision.APPROVED]
        if not approved:
            raise IncompleteDecisions(
                _("You vetoed every shot. Decline the request instead, or approve at least one shot.")
            )
        _move(request, RequestStatus.ACCEPTED, closed_at=now)
        _event(request, RequestEvent.Kind.ACCEPTED, by=user, party=Party.ACTOR, terms_version=request.terms_version)
        contract = contract_create(request=request, approved=approved, now=now)
        notify(
            recipient=request.creator.user,
            kind=kinds.REQUEST_ACCEPTED,
            event_key=f"usage_request:{request.pk}:accepted",
            params=_params(request, count=len(approved)),
            target=request,
            url=f"/contracts/{contract.pk}/",
        )
    return contract


def usage_request_decide_and_accept(
    *,
    usage_request: UsageRequest,
    user: User,
    decisions: dict[int, tuple[str, str]],
    terms_version: int | None,
) -> Contract:
    """Record the actor's shot decisions and accept the latest terms, in one
    transaction: a refused acceptance keeps no decision either. Raises as
    ``usage_request_decide_shots`` and ``usage_request_accept``."""
    with transaction.atomic():
        if decisions:
            usage_request_decide_shots(request=usage_request, user=user, decisions=decisions)
        return usage_request_accept(request=usage_request, user=user, terms_version=terms_version)


def usage_request_decline(*, request: UsageRequest, user: User, reason: str = "") -> UsageRequest:
    """The actor declines a request awaiting them; the creator declines a
    counter-offer awaiting them. Either ends the request. Raises
    ``PermissionDenied`` or ``InvalidTransition``."""
    now = timezone.now()
    with transaction.atomic():
        request = _locked(request)
        party = request.party_of(user)
        if party is None:
            raise PermissionDenied(_("Only the parties of this request can decline it."))
        awaiting = {RequestStatus.PENDING: Party.ACTOR, RequestStatus.COUNTERED: Party.CREATOR}
        if request.status in awaiting and awaiting[request.status] != party:
            raise InvalidTransition(_("The request is waiting for the other side; it cannot do that now."))
        _require_status(request, *OPEN_REQUEST_STATUSES)
        reason = reason.strip()[:REASON_MAX_LENGTH]
        _move(request, RequestStatus.DECLINED, closed_at=now, close_reason=reason)
        _event(request, RequestEvent.Kind.DECLINED, by=user, party=party, reason=reason)
        other = request.creator.user if party == Party.ACTOR else request.actor.user
        _tell(request, other, kinds.REQUEST_DECLINED, "declined")
    return request


def usage_request_counter(
    *,
    request: UsageRequest,
    user: User,
    terms_version: int | None,
    fee: Decimal,
    currency: str,
    term_start: date,
    term_end: date,
    territory: str,
    ai_training: bool,
    note: str = "",
) -> RequestTerms:
    """The actor proposes new terms: a new version, and the request waits for
    the creator. Raises ``PermissionDenied``, ``StaleTerms``,
    ``RequestExpired``, ``InvalidTransition``, ``InvalidTerms``."""
    now = timezone.now()
    with transaction.atomic():
        request = _locked(request)
        require_party(request, user, Party.ACTOR)
        _require_status(request, RequestStatus.PENDING, now=now)
        _require_latest(request, terms_version)
        validate_terms(project=request.project, fee=fee, term_start=term_start, term_end=term_end)
        if len(note) > MESSAGE_MAX_LENGTH:
            raise InvalidTerms(_("The note is too long."), field="note")
        version = request.terms_version + 1
        terms = RequestTerms.objects.create(
            request=request,
            version=version,
            proposed_by=Party.ACTOR,
            fee=fee,
            currency=currency,
            term_start=term_start,
            term_end=term_end,
            territory=territory,
            ai_training=ai_training,
            note=note.strip(),
        )
        _move(
            request,
            RequestStatus.COUNTERED,
            terms_version=version,
            expires_at=now + request_expiry_after(),
            reminded_at=None,
        )
        _event(request, RequestEvent.Kind.COUNTERED, by=user, party=Party.ACTOR, terms_version=version)
        _tell(request, request.creator.user, kinds.REQUEST_COUNTERED, f"countered:{version}")
    return terms


def usage_request_accept_counter(*, request: UsageRequest, user: User, terms_version: int | None) -> UsageRequest:
    """The creator accepts the actor's counter terms; the request goes back to
    the actor (pending) for the final acceptance with the shot decisions.
    Raises ``PermissionDenied``, ``StaleTerms``, ``RequestExpired``,
    ``InvalidTransition``."""
    now = timezone.now()
    with transaction.atomic():
        request = _locked(request)
        require_party(request, user, Party.CREATOR)
        _require_status(request, RequestStatus.COUNTERED, now=now)
        _require_latest(request, terms_version)
        _move(request, RequestStatus.PENDING, expires_at=now + request_expiry_after(), reminded_at=None)
        _event(
            request,
            RequestEvent.Kind.COUNTER_ACCEPTED,
            by=user,
            party=Party.CREATOR,
            terms_version=request.terms_version,
        )
        _tell(request, request.actor.user, kinds.REQUEST_COUNTER_ACCEPTED, f"counter_accepted:{request.terms_version}")
    return request


def usage_request_withdraw(*, request: UsageRequest, user: User, reason: str = "") -> UsageRequest:
    """The creator withdraws an open request. Raises ``PermissionDenied`` or
    ``InvalidTransition``."""
    now = timezone.now()
    with transaction.atomic():
        request = _locked(request)
        require_party(request, user, Party.CREATOR)
        _require_status(request, *OPEN_REQUEST_STATUSES)
        reason = reason.strip()[:REASON_MAX_LENGTH]
        _move(request, RequestStatus.WITHDRAWN, closed_at=now, close_reason=reason)
        _event(request, RequestEvent.Kind.WITHDRAWN, by=user, party=Party.CREATOR, reason=reason)
        _tell(request, request.actor.user, kinds.REQUEST_WITHDRAWN, "withdrawn")
    return request


# Why the platform closed a request, shown translated on the request page.
PLATFORM_CAUSES = ("actor_opted_out", "account_suspended")


def usage_requests_decline_open(
    *, requests, cause: str, reason: str = "", by: User | None = None, party: str = "platform"
) -> int:
    """Decline each open request of ``requests`` (a queryset) for the platform:
    an actor opting out (``cause="actor_opted_out"``), an account suspended
    (``"account_suspended"``). Each is claimed with a compare-and-set, so a
    request that moved meanwhile is left alone; both parties are told.
    Returns how many were declined."""
    now = timezone.now()
    declined = 0
    for pk in list(requests.filter(status__in=OPEN_REQUEST_STATUSES).values_list("pk", flat=True)):
        with transaction.atomic():
            request = _locked(UsageRequest(pk=pk))
            if request.status not in OPEN_REQUEST_STATUSES:
                continue
            _move(request, RequestStatus.DECLINED, closed_at=now, close_reason=reason[:REASON_MAX_LENGTH])
            _event(request, RequestEvent.Kind.DECLINED, by=by, party=party, cause=cause, reason=reason)
            for recipient in (request.actor.user, request.creator.user):
                _tell(request, recipient, kinds.REQUEST_DECLINED, "declined")
            declined += 1
    return declined


def usage_requests_decline_for_actor(*, actor: ActorProfile) -> int:
    """Decline the actor's open requests: they left the roster."""
    return usage_requests_decline_open(requests=UsageRequest.objects.filter(actor=actor), cause="actor_opted_out")


def usage_requests_decline_for_user(*, user: User, reason: str = "", by: User | None = None) -> int:
    """Decline every open request ``user`` is a party of, as actor or creator:
    what a suspension does (the moderation workplace calls this)."""
    from django.db.models import Q

    requests = UsageRequest.objects.filter(Q(actor__user=user) | Q(creator__user=user))
    return usage_requests_decline_open(
        requests=requests, cause="account_suspended", reason=reason, by=by, party="moderator" if by else "platform"
    )
