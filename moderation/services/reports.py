"""Reports on profiles, and the flagged-photo queue's decisions."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from actors.models import ActorProfile, LikenessPhoto
from creators.models import CreatorProfile
from marketplace.exceptions import DomainError, InvalidTransition
from marketplace.http import ClientInfo
from marketplace.models import AuditEvent, User
from marketplace.services import audit, notify
from marketplace.transitions import transition
from moderation import notifications as kinds
from moderation.models import (
    DESCRIPTION_MAX_LENGTH,
    REASON_MAX_LENGTH,
    REPORT_TRANSITIONS,
    ProfileKind,
    Report,
    ReportAction,
    ReportStatus,
)
from moderation.services.claims import claim_respected, item_claims_clear
from moderation.services.sanctions import profile_hide, user_suspend


class ReportRefused(DomainError):
    """The report cannot be filed (oneself, no such profile, a duplicate)."""


def _profile_exists(user: User, profile_kind: str) -> bool:
    if profile_kind == ProfileKind.ACTOR:
        return ActorProfile.objects.filter(user=user, deleted_at__isnull=True).exists()
    return CreatorProfile.objects.filter(user=user).exists()


def report_file(
    *,
    reporter: User,
    reported_user: User,
    profile_kind: str,
    reason: str,
    description: str,
    client: ClientInfo | None = None,
) -> Report:
    """File a report about ``reported_user``'s actor or creator profile.

    Raises ``ReportRefused`` for a report about oneself, about a profile that
    does not exist, or while the reporter's earlier report on the same
    profile is still open.
    """
    profile_kind = ProfileKind(profile_kind)
    description = description.strip()[:DESCRIPTION_MAX_LENGTH]
    if reported_user.pk == reporter.pk:
        raise ReportRefused(_("You cannot report your own profile."))
    if not _profile_exists(reported_user, profile_kind):
        raise ReportRefused(_("That profile does not exist."))
    with transaction.atomic():
        duplicate = Report.objects.filter(
            reporter=reporter, reported_user=reported_user, profile_kind=profile_kind, status=ReportStatus.OPEN
        ).exists()
        if duplicate:
            raise ReportRefused(_("You already reported this profile. A moderator will review your report."))
        return Report.objects.create(
            reporter=reporter,
            reported_user=reported_user,
            profile_kind=profile_kind,
            reason=reason,
            description=description,
        )


def report_decide(
    *, report: Report, by: User, action: str, resolution: str, client: ClientInfo | None = None
) -> Report:
    """Act on an open report: hide the profile, suspend the account, or
    dismiss. The reporter is told it was reviewed (not what was done to whom).

    Raises ``InvalidTransition`` when the report was decided meanwhile (the
    compare-and-set lost) or the action cannot be done (profile already
    hidden, account already suspended); nothing is written then.
    """
    action = ReportAction(action)
    resolution = " ".join(resolution.split())[:REASON_MAX_LENGTH]
    if not resolution:
        raise InvalidTransition(_("Write the reason: the people concerned are told it."))
    new_status = ReportStatus.DISMISSED if action == ReportAction.DISMISS else ReportStatus.ACTIONED
    claim_respected(item=report, moderator=by)
    already_decided = _("This report was already decided by another moderator.")
    with transaction.atomic():
        transition(
            report,
            new=new_status,
            old=ReportStatus.OPEN,
            transitions=REPORT_TRANSITIONS,
            illegal=already_decided,
            lost=already_decided,
            action=action,
            resolution=resolution,
            decided_by=by,
            decided_at=timezone.now(),
        )
        report.refresh_from_db()
        target = report.reported_user
        if action == ReportAction.HIDE_PROFILE:
            profile_hide(
                user=target, profile_kind=report.profile_kind, by=by, reason=resolution, report=report, client=client
            )
        elif action == ReportAction.SUSPEND_ACCOUNT:
            user_suspend(user=target, by=by, reason=resolution, report=report, client=client)
        audit(
            action=AuditEvent.Action.REPORT_DISMISSED
            if action == ReportAction.DISMISS
            else AuditEvent.Action.REPORT_ACTIONED,
            actor=by,
            target=f"moderation.report:{report.pk}",
            client=client,
            data={"action": action, "reported_user": target.pk, "resolution": resolution},
        )
        if report.reporter is not None:
            notify(
                recipient=report.reporter,
                kind=kinds.REPORT_DECIDED,
                event_key=f"report:{report.pk}:decided",
                params={"id": report.pk},
            )
        item_claims_clear(item=report)
    return report


def photo_flag_decide(
    *, photo: LikenessPhoto, by: User, clear: bool, reason: str = "", client: ClientInfo | None = None
) -> LikenessPhoto:
    """Decide a photo flagged as resembling another actor's: clear it (it is
    shown again) or reject it (never shown, never licensed). A rejection needs
    a reason, which the actor is told. Raises ``InvalidTransition`` when the
    photo is no longer flagged."""
    reason = " ".join(reason.split())[:REASON_MAX_LENGTH]
    if not clear and not reason:
        raise InvalidTransition(_("Write the reason: the actor is told it."))
    new_review = LikenessPhoto.Review.CLEARED if clear else LikenessPhoto.Review.REJECTED
    claim_respected(item=photo, moderator=by)
    with transaction.atomic():
        changed = LikenessPhoto.objects.filter(pk=photo.pk, review=LikenessPhoto.Review.FLAGGED).update(
            review=new_review
        )
        if not changed:
            raise InvalidTransition(_("This photo was already decided by another moderator."))
        photo.review = new_review
        audit(
            action=AuditEvent.Action.PHOTO_CLEARED if clear else AuditEvent.Action.PHOTO_REJECTED,
            actor=by,
            target=f"actors.likenessphoto:{photo.pk}",
            client=client,
            data={"reason": reason, "similar_to": photo.similar_to_id},
        )
        notify(
            recipient=photo.actor.user,
            kind=kinds.PHOTO_CLEARED if clear else kinds.PHOTO_REJECTED,
            event_key=f"photo:{photo.pk}:{new_review}",
            params={"reason": reason},
        )
        item_claims_clear(item=photo)
    return photo
