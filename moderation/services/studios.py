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
from marketplace.notifications import NotificationKind
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
    return _set_verified(
        creator,
        verified=True,
        refusal=_("This studio is already verified."),
        action=AuditEvent.Action.CREATOR_VERIFIED,
        kind=kinds.CREATOR_VERIFIED,
        by=by,
        reason=reason,
        client=client,
        params={},
    )


def creator_unverify(
    *, creator: CreatorProfile, by: User, reason: str, client: ClientInfo | None = None
) -> CreatorProfile:
    """Take the badge back, telling the creator ``reason``. Raises
    ``InvalidTransition`` without a reason or when the studio is not verified."""
    reason = " ".join(reason.split())[:REASON_MAX_LENGTH]
    if not reason:
        raise InvalidTransition(_("Write the reason: the user is told it."))
    return _set_verified(
        creator,
        verified=False,
        refusal=_("This studio is not verified."),
        action=AuditEvent.Action.CREATOR_UNVERIFIED,
        kind=kinds.CREATOR_UNVERIFIED,
        by=by,
        reason=reason,
        client=client,
        params={"reason": reason},
    )


def _set_verified(
    creator: CreatorProfile,
    *,
    verified: bool,
    refusal: str,
    action: str,
    kind: NotificationKind,
    by: User,
    reason: str,
    client: ClientInfo | None,
    params: dict[str, str],
) -> CreatorProfile:
    """Compare-and-set the badge, with its audit row and the creator's notice."""
    with transaction.atomic():
        if not CreatorProfile.objects.filter(pk=creator.pk, is_verified=not verified).update(is_verified=verified):
            raise InvalidTransition(refusal)
        creator.is_verified = verified
        audit(action=action, actor=by, target=target_of(creator), client=client, data={"reason": reason})
        notify(
            recipient=creator.user,
            kind=kind,
            event_key=f"{kind.key}:{creator.pk}:{timezone.now().timestamp()}",
            params=params,
        )
    return creator
