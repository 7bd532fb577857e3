"""Verified studios: a moderator vouches for a creator, and actors see the
"verified studio" badge. The badge changes only here (the admin shows it
read-only), each change by compare-and-set, audited and told to the creator."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from creators.models import CreatorProfile
from marketplace.exceptions import InvalidTransition
from marketplace.http import ClientInfo
from marketplace.models import AuditEvent, User
from marketplace.services import audit, notify
from moderation import notifications as kinds
from moderation.models import REASON_MAX_LENGTH
from moderation.services.claims import target_of


def creator_verify(
    *, creator: CreatorProfile, by: User, reason: str = "", client: ClientInfo | None = None
) -> CreatorProfile:
    """Give the creator the verified-studio badge (``reason``, optional, is
    kept in the audit log). Raises ``InvalidTransition`` when already verified."""
    reason = " ".join(reason.split())[:REASON_MAX_LENGTH]
    with transaction.atomic():
        if not CreatorProfile.objects.filter(pk=creator.pk, is_verified=False).update(is_verified=True):
            raise InvalidTransition(_("This studio is already verified."))
        creator.is_verified = True
        audit(
            action=AuditEvent.Action.CREATOR_VERIFIED,
            actor=by,
            target=target_of(creator),
            client=client,
            data={"reason": reason},
        )
        notify(
            recipient=creator.user,
            kind=kinds.CREATOR_VERIFIED,
            event_key=f"creator_verified:{creator.pk}:{timezone.now().timestamp()}",
        )
    return creator


def creator_unverify(
    *, creator: CreatorProfile, by: User, reason: str, client: ClientInfo | None = None
) -> CreatorProfile:
    """Take the badge back, telling the creator ``reason``. Raises
    ``InvalidTransition`` without a reason or when the studio is not verified."""
    reason = " ".join(reason.split())[:REASON_MAX_LENGTH]
    if not reason:
        raise InvalidTransition(_("Write the reason: the user is told it."))
    with transaction.atomic():
        if not CreatorProfile.objects.filter(pk=creator.pk, is_verified=True).update(is_verified=False):
            raise InvalidTransition(_("This studio is not verified."))
        creator.is_verified = False
        audit(
            action=AuditEvent.Action.CREATOR_UNVERIFIED,
            actor=by,
            target=target_of(creator),
            client=client,
            data={"reason": reason},
        )
        notify(
            recipient=creator.user,
            kind=kinds.CREATOR_UNVERIFIED,
            event_key=f"creator_unverified:{creator.pk}:{timezone.now().timestamp()}",
            params={"reason": reason},
        )
    return creator
