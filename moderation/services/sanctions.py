"""Sanctions: warnings, suspensions and their lifting, and hiding profiles.

A suspension blocks sign-in (``marketplace.backends``), ends every session
at once, hides the user's profiles (the listing rule and the creator page
both exclude suspended accounts), and declines their open requests with
notifications. Reinstating lifts all of it except the declined requests.
"""

from typing import TypedDict, Unpack

from allauth.usersessions.models import UserSession
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from actors.models import ActorProfile
from actors.services import actor_listing_refresh
from creators.models import CreatorProfile
from marketplace.exceptions import InvalidTransition
from marketplace.http import ClientInfo
from marketplace.models import AuditEvent, User
from marketplace.notifications import NotificationKind
from marketplace.services import audit, notify
from moderation import notifications as kinds
from moderation.models import REASON_MAX_LENGTH, Dispute, Report, Sanction
from moderation.services.claims import target_of
from usage_requests.services import usage_requests_decline_for_user


class SanctionCause(TypedDict, total=False):
    """What a warning or a suspension comes from (none, a dispute or a
    report) and where the moderator acted from; every key is optional."""

    dispute: Dispute | None
    report: Report | None
    client: ClientInfo | None


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())[:REASON_MAX_LENGTH]
    if not reason:
        raise InvalidTransition(_("Write the reason: the user is told it."))
    return reason


def _sanction_give(
    kind: Sanction.Kind,
    *,
    user: User,
    by: User,
    reason: str,
    cause: SanctionCause,
    action: str,
    notice: NotificationKind,
) -> Sanction:
    """The sanction row, its audit row (``action``) and the user's
    ``notice`` with the reason, inside the caller's transaction."""
    sanction = Sanction.objects.create(
        user=user,
        kind=kind,
        reason=reason,
        given_by=by,
        dispute=cause.get("dispute"),
        report=cause.get("report"),
    )
    audit(
        action=action,
        actor=by,
        target=target_of(user),
        client=cause.get("client"),
        data={"reason": reason, "sanction": sanction.pk},
    )
    notify(recipient=user, kind=notice, event_key=f"sanction:{sanction.pk}", params={"reason": reason})
    return sanction


def user_warn(*, user: User, by: User, reason: str, **cause: Unpack[SanctionCause]) -> Sanction:
    """Record a warning and tell the user why."""
    reason = _reason(reason)
    with transaction.atomic():
        return _sanction_give(
            Sanction.Kind.WARNING,
            user=user,
            by=by,
            reason=reason,
            cause=cause,
            action=AuditEvent.Action.USER_WARNED,
            notice=kinds.USER_WARNED,
        )


def user_suspend(*, user: User, by: User, reason: str, **cause: Unpack[SanctionCause]) -> Sanction:
    """Suspend ``user``. Raises ``InvalidTransition`` when already suspended,
    or when a moderator tries to suspend themselves."""
    reason = _reason(reason)
    if user.pk == by.pk:
        raise InvalidTransition(_("You cannot suspend your own account."))
    with transaction.atomic():
        now = timezone.now()
        if not User.objects.filter(pk=user.pk, suspended_at__isnull=True).update(suspended_at=now):
            raise InvalidTransition(_("This account is already suspended."))
        user.suspended_at = now
        actor = ActorProfile.objects.filter(user=user).first()
        if actor is not None:
            actor_listing_refresh(actor=actor)
        usage_requests_decline_for_user(user=user, reason=reason, by=by)
        sanction = _sanction_give(
            Sanction.Kind.SUSPENSION,
            user=user,
            by=by,
            reason=reason,
            cause=cause,
            action=AuditEvent.Action.USER_SUSPENDED,
            notice=kinds.ACCOUNT_SUSPENDED,
        )
        for session in UserSession.objects.filter(user=user):
            session.end()
    return sanction


def user_reinstate(*, user: User, by: User, reason: str, client: ClientInfo | None = None) -> User:
    """Lift a suspension. Raises ``InvalidTransition`` unless suspended."""
    reason = _reason(reason)
    with transaction.atomic():
        if not User.objects.filter(pk=user.pk, suspended_at__isnull=False).update(suspended_at=None):
            raise InvalidTransition(_("This account is not suspended."))
        user.suspended_at = None
        now = timezone.now()
        lifted = Sanction.objects.filter(user=user, kind=Sanction.Kind.SUSPENSION, lifted_at__isnull=True)
        lifted.update(lifted_at=now, lifted_by=by, lift_reason=reason)
        actor = ActorProfile.objects.filter(user=user).first()
        if actor is not None:
            actor_listing_refresh(actor=actor)
        audit(
            action=AuditEvent.Action.USER_REINSTATED,
            actor=by,
            target=target_of(user),
            client=client,
            data={"reason": reason},
        )
        notify(
            recipient=user,
            kind=kinds.ACCOUNT_REINSTATED,
            event_key=f"reinstated:{user.pk}:{now.timestamp()}",
            params={"reason": reason},
        )
    return user


def _profile_hidden_set(*, user: User, profile_kind: str, hidden: bool) -> None:
    """Hide (or show again) the user's actor or creator profile by
    compare-and-set, inside the caller's transaction, and refresh the actor's
    listing. Raises ``InvalidTransition`` when the profile is missing, or
    already hidden (already shown)."""
    model = ActorProfile if profile_kind == "actor" else CreatorProfile
    if not model.objects.filter(user=user).exists():
        raise InvalidTransition(_("This user has no such profile."))
    changed = model.objects.filter(user=user, hidden_at__isnull=hidden).update(
        hidden_at=timezone.now() if hidden else None
    )
    if not changed:
        raise InvalidTransition(_("This profile is already hidden.") if hidden else _("This profile is not hidden."))
    if model is ActorProfile:
        actor_listing_refresh(actor=ActorProfile.objects.get(user=user))


def profile_hide(
    *,
    user: User,
    profile_kind: str,
    by: User,
    reason: str,
    report: Report | None = None,
    client: ClientInfo | None = None,
) -> None:
    """Hide the user's actor or creator profile (off the roster, no page).
    Raises ``InvalidTransition`` when it is already hidden or missing."""
    reason = _reason(reason)
    with transaction.atomic():
        _profile_hidden_set(user=user, profile_kind=profile_kind, hidden=True)
        audit(
            action=AuditEvent.Action.PROFILE_HIDDEN,
            actor=by,
            target=target_of(user),
            client=client,
            data={"profile": profile_kind, "reason": reason, "report": report.pk if report else None},
        )
        notify(
            recipient=user,
            kind=kinds.PROFILE_HIDDEN,
            event_key=f"hidden:{profile_kind}:{user.pk}:{report.pk if report else timezone.now().timestamp()}",
            params={"reason": reason},
        )


def profile_show(*, user: User, profile_kind: str, by: User, reason: str, client: ClientInfo | None = None) -> None:
    """Undo ``profile_hide``. Raises ``InvalidTransition`` unless hidden."""
    reason = _reason(reason)
    with transaction.atomic():
        _profile_hidden_set(user=user, profile_kind=profile_kind, hidden=False)
        audit(
            action=AuditEvent.Action.PROFILE_SHOWN,
            actor=by,
            target=target_of(user),
            client=client,
            data={"profile": profile_kind, "reason": reason},
        )
        notify(
            recipient=user,
            kind=kinds.PROFILE_SHOWN,
            event_key=f"shown:{profile_kind}:{user.pk}:{timezone.now().timestamp()}",
        )
